//===- ObjectEmitter.cpp - LLVM dialect -> native object code -------------===//

#include "codegen/CPU/ObjectEmitter.h"


#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

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
/// weights: f32, i64, ... arrays) a byte-array initializer with the same
/// bytes. LLVM's asm printer writes a byte array as one blob but any other
/// element type one element at a time, which made writing ResNet-50's 100 MB
/// of weights take longer than compiling its code. Pointers are opaque, so
/// the users of a global do not depend on its value type.
static void flattenConstantData(llvm::Module &m) {
  constexpr uint64_t kMinBytes = 4096; // small tables may help constant folding as typed values
  llvm::SmallVector<llvm::GlobalVariable *> globals;
  for (llvm::GlobalVariable &g : m.globals()) {
    auto *data = llvm::dyn_cast_or_null<llvm::ConstantDataSequential>(
        g.hasInitializer() ? g.getInitializer() : nullptr);
    if (g.isConstant() && data && !data->getElementType()->isIntegerTy(8) &&
        data->getRawDataValues().size() >= kMinBytes)
      globals.push_back(&g);
  }
  llvm::Type *byteType = llvm::Type::getInt8Ty(m.getContext());
  for (llvm::GlobalVariable *g : globals) {
    auto *data = llvm::cast<llvm::ConstantDataSequential>(g->getInitializer());
    llvm::StringRef bytes = data->getRawDataValues();
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

llvm::Expected<std::unique_ptr<llvm::Module>>
mlir::kiln::buildLLVMModule(ModuleOp module, llvm::LLVMContext &ctx,
                            StringRef name, llvm::TargetMachine &tm) {
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
  auto optimize = makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0, &tm);
  if (llvm::Error e = optimize(m.get()))
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
