//===- ObjectEmitter.cpp - LLVM dialect -> native object code -------------===//

#include "codegen/CPU/ObjectEmitter.h"


#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <algorithm>
#include <mutex>

using namespace mlir;
using namespace mlir::kiln;

void mlir::kiln::initializeLLVMTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
mlir::kiln::createTargetMachine(const TargetRequest &request) {
  initializeLLVMTargets();
  std::string triple = request.triple.empty()
                           ? llvm::sys::getDefaultTargetTriple()
                           : llvm::Triple::normalize(request.triple);
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return makeError("unknown target triple '" + triple + "': " + error);

  bool native = request.cpu == "native";
  std::string cpu = native ? llvm::sys::getHostCPUName().str() : request.cpu;
  std::string features;
  if (native) {
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") +
                  std::string(feature.second ? "+" : "-") +
                  feature.first().str();
  }
  if (!request.features.empty())
    features += (features.empty() ? "" : ",") + request.features;

  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(triple, cpu, ""));
  if (!sti || !sti->isCPUStringValid(cpu))
    return makeError("unknown CPU '" + cpu + "' for target '" + triple + "'");

  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!tm)
    return makeError("cannot create a target machine for '" + triple + "'");
  return tm;
}

/// Gives every large constant global of non-byte elements (the embedded
/// weights: f32, i64, ... arrays, nested or not) a byte-array initializer with the same
/// bytes. LLVM's asm printer writes a byte array as one blob but any other
/// element type one element at a time, which made writing ResNet-50's 100 MB
/// of weights take longer than compiling its code. Pointers are opaque, so
/// the users of a global do not depend on its value type.
///
/// Globals of at least kMinDataBytes are "data" to the partitioning below as
/// well: they are compiled apart from the code, never optimized.
constexpr uint64_t kMinDataBytes = 4096; // small tables may help constant folding as typed values

/// The bytes of `c` in memory, if it is an array of plain data, nested or
/// not (a multi-dimensional dense attribute translates to nested arrays).
static bool appendRawBytes(const llvm::Constant *c, const llvm::DataLayout &layout,
                           std::string &bytes) {
  if (auto *data = llvm::dyn_cast<llvm::ConstantDataSequential>(c)) {
    bytes += data->getRawDataValues();
    return true;
  }
  if (llvm::isa<llvm::ConstantAggregateZero>(c) && c->getType()->isArrayTy()) {
    bytes.append(layout.getTypeAllocSize(c->getType()), '\0');
    return true;
  }
  auto *array = llvm::dyn_cast<llvm::ConstantArray>(c);
  if (!array)
    return false;
  for (const llvm::Use &element : array->operands())
    if (!appendRawBytes(llvm::cast<llvm::Constant>(element.get()), layout, bytes))
      return false;
  return true;
}

/// Whether `g` is constant data of at least kMinDataBytes.
static bool isLargeConstant(const llvm::GlobalVariable &g) {
  return g.isConstant() && g.hasInitializer() &&
         g.getParent()->getDataLayout().getTypeAllocSize(g.getValueType()) >= kMinDataBytes;
}

static void flattenConstantData(llvm::Module &m) {
  const llvm::DataLayout &layout = m.getDataLayout();
  llvm::SmallVector<std::pair<llvm::GlobalVariable *, std::string>> globals;
  for (llvm::GlobalVariable &g : m.globals()) {
    if (!isLargeConstant(g) || !g.getValueType()->isArrayTy())
      continue;
    auto *bytesAlready = llvm::dyn_cast<llvm::ConstantDataSequential>(g.getInitializer());
    if (bytesAlready && bytesAlready->getElementType()->isIntegerTy(8))
      continue;
    std::string bytes;
    if (appendRawBytes(g.getInitializer(), layout, bytes) &&
        bytes.size() == layout.getTypeAllocSize(g.getValueType()))
      globals.push_back({&g, std::move(bytes)});
  }
  llvm::Type *byteType = llvm::Type::getInt8Ty(m.getContext());
  for (auto &[g, bytes] : globals) {
    llvm::Constant *flat = llvm::ConstantDataArray::getRaw(bytes, bytes.size(), byteType);
    auto *replacement = new llvm::GlobalVariable(
        m, flat->getType(), /*isConstant=*/true, g->getLinkage(), flat, "",
        /*InsertBefore=*/g, g->getThreadLocalMode(), g->getAddressSpace());
    replacement->copyAttributesFrom(g);
    // The typed array's alignment, unless the global states a larger one.
    llvm::Align natural = m.getDataLayout().getPreferredAlign(g);
    replacement->setAlignment(std::max(natural, g->getAlign().valueOrOne()));
    replacement->takeName(g);
    g->replaceAllUsesWith(replacement);
    g->eraseFromParent();
  }
}

/// `module` translated to LLVM IR for `tm`, verified, its large constants
/// flattened; not optimized.
static llvm::Expected<std::unique_ptr<llvm::Module>>
translateModule(ModuleOp module, llvm::LLVMContext &ctx, StringRef name,
                llvm::TargetMachine &tm) {
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  std::unique_ptr<llvm::Module> m = translateModuleToLLVMIR(module, ctx, name);
  if (!m)
    return makeError("translation to LLVM IR failed");
  m->setTargetTriple(tm.getTargetTriple().str());
  m->setDataLayout(tm.createDataLayout());
  std::string broken;
  llvm::raw_string_ostream os(broken);
  if (llvm::verifyModule(*m, &os))
    return makeError("internal error: invalid LLVM IR: " + broken);
  flattenConstantData(*m);
  return m;
}

static llvm::Error optimize(llvm::Module &m, llvm::TargetMachine &tm) {
  return makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0, &tm)(&m);
}

llvm::Expected<std::unique_ptr<llvm::Module>>
mlir::kiln::buildLLVMModule(ModuleOp module, llvm::LLVMContext &ctx,
                            StringRef name, llvm::TargetMachine &tm) {
  auto m = translateModule(module, ctx, name, tm);
  if (!m)
    return m.takeError();
  if (llvm::Error e = optimize(**m, tm))
    return e;
  return m;
}

llvm::Expected<std::string>
mlir::kiln::emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                            llvm::CodeGenFileType kind) {
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, kind))
    return makeError("the target cannot emit this kind of file");
  pm.run(module);
  return std::string(buffer.str());
}

namespace {

/// Where each definition of the module goes (see emitObjectFiles).
struct Partitioning {
  static constexpr unsigned kShared = ~0u; // a small local constant: copied into each code part
  llvm::DenseMap<const llvm::GlobalValue *, unsigned> part;
  unsigned codeParts = 1;
  unsigned dataPart() const { return codeParts; }
};

/// Gives every local definition that other parts may reference a name of the
/// model's own (`prefix` + "." unless it has the prefix already: '.' is in no
/// C identifier, so no user symbol can clash) and hidden external linkage,
/// so that the parts link to each other but the shared library exports
/// nothing new. Small local constants stay local: each part that reads one
/// gets its own copy, which keeps them visible to constant folding.
void externalizeLocals(llvm::Module &m, StringRef prefix) {
  auto externalize = [&](llvm::GlobalValue &gv) {
    if (!gv.hasLocalLinkage() || gv.isDeclaration())
      return;
    if (!gv.getName().starts_with(prefix))
      gv.setName(prefix + "." + (gv.hasName() ? gv.getName() : "unnamed"));
    gv.setLinkage(llvm::GlobalValue::ExternalLinkage);
    gv.setVisibility(llvm::GlobalValue::HiddenVisibility);
    gv.setDSOLocal(true);
  };
  for (llvm::Function &f : m.functions())
    externalize(f);
  for (llvm::GlobalVariable &g : m.globals())
    if (!g.isConstant() || isLargeConstant(g))
      externalize(g);
  for (llvm::GlobalAlias &a : m.aliases())
    externalize(a);
}

/// Data in its own part; functions spread over at most `maxParts` code parts
/// by their size in instructions (largest first, each to the lightest part:
/// deterministic, so the same model gives the same objects on any machine).
Partitioning partition(llvm::Module &m, unsigned maxParts) {
  Partitioning p;
  SmallVector<std::pair<uint64_t, llvm::Function *>> functions;
  uint64_t total = 0;
  for (llvm::Function &f : m.functions())
    if (!f.isDeclaration()) {
      functions.push_back({f.getInstructionCount(), &f});
      total += f.getInstructionCount();
    }
  // About 2000 instructions per part at least: a part costs a bitcode round
  // trip and a pass pipeline's fixed work.
  constexpr uint64_t kMinPartInstructions = 2000;
  p.codeParts = std::clamp<uint64_t>(total / kMinPartInstructions, 1,
                                     std::min<uint64_t>(maxParts, std::max<size_t>(functions.size(), 1)));
  std::stable_sort(functions.begin(), functions.end(),
                   [](const auto &a, const auto &b) { return a.first > b.first; });
  SmallVector<uint64_t> load(p.codeParts, 0);
  for (auto [size, f] : functions) {
    unsigned lightest = std::min_element(load.begin(), load.end()) - load.begin();
    load[lightest] += size + 1;
    p.part[f] = lightest;
  }
  for (llvm::GlobalVariable &g : m.globals()) {
    if (g.isDeclaration())
      continue;
    if (isLargeConstant(g))
      p.part[&g] = p.dataPart();
    else if (g.hasLocalLinkage() && g.isConstant())
      p.part[&g] = Partitioning::kShared;
    else
      p.part[&g] = 0; // mutable state, llvm.* arrays: one definition
  }
  for (llvm::GlobalAlias &a : m.aliases())
    p.part[&a] = 0;
  return p;
}

/// Object code of one part of code, given as bitcode: parsed into a context
/// of its own (LLVM contexts are not thread-safe), optimized, compiled.
llvm::Expected<std::string> compilePart(StringRef bitcode, const TargetRequest &request) {
  llvm::LLVMContext ctx;
  auto m = llvm::parseBitcodeFile(llvm::MemoryBufferRef(bitcode, "part"), ctx);
  if (!m)
    return m.takeError();
  auto tm = createTargetMachine(request);
  if (!tm)
    return tm.takeError();
  if (llvm::Error e = optimize(**m, **tm))
    return e;
  return emitMachineCode(**m, **tm, llvm::CodeGenFileType::ObjectFile);
}

} // namespace

llvm::Expected<std::vector<std::string>>
mlir::kiln::emitObjectFiles(ModuleOp module, StringRef symbolPrefix,
                            const TargetRequest &request) {
  auto tm = createTargetMachine(request);
  if (!tm)
    return tm.takeError();
  llvm::LLVMContext ctx;
  auto m = translateModule(module, ctx, symbolPrefix, **tm);
  if (!m)
    return m.takeError();
  constexpr unsigned kMaxCodeParts = 8;
  externalizeLocals(**m, symbolPrefix);
  Partitioning parts = partition(**m, kMaxCodeParts);

  // Each part is a clone whose other definitions became declarations.
  auto clonePart = [&](unsigned index) {
    llvm::ValueToValueMapTy map;
    return llvm::CloneModule(**m, map, [&](const llvm::GlobalValue *gv) {
      auto it = parts.part.find(gv);
      unsigned at = it == parts.part.end() ? 0 : it->second;
      return at == index || (at == Partitioning::kShared && index < parts.codeParts);
    });
  };
  std::vector<std::string> bitcode(parts.codeParts);
  for (unsigned i = 0; i < parts.codeParts; ++i) {
    llvm::raw_string_ostream os(bitcode[i]);
    llvm::WriteBitcodeToFile(*clonePart(i), os);
  }

  // Slot i is written by the pool's job i only; the data object is last.
  std::vector<std::string> files(parts.codeParts + 1), errors(parts.codeParts + 1);
  auto store = [&](unsigned i, llvm::Expected<std::string> object) {
    if (object)
      files[i] = std::move(*object);
    else
      errors[i] = llvm::toString(object.takeError());
  };
  {
    llvm::DefaultThreadPool pool(llvm::hardware_concurrency());
    for (unsigned i = 0; i < parts.codeParts; ++i)
      pool.async([&, i] { store(i, compilePart(bitcode[i], request)); });
    // The data needs no pass but the asm printer, and stays in this context
    // (the weights could be 100s of MB: no bitcode round trip) while the
    // pool compiles the code.
    std::unique_ptr<llvm::Module> data = clonePart(parts.dataPart());
    if (llvm::any_of(data->globals(), [](const llvm::GlobalVariable &g) { return !g.isDeclaration(); }))
      store(parts.dataPart(), emitMachineCode(*data, **tm, llvm::CodeGenFileType::ObjectFile));
    pool.wait();
  }
  for (const std::string &error : errors)
    if (!error.empty())
      return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
  if (files.back().empty())
    files.pop_back();
  return files;
}
