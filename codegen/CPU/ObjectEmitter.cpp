//===- ObjectEmitter.cpp - LLVM dialect -> native object code -------------===//

#include "codegen/CPU/ObjectEmitter.h"

#include "codegen/CPU/CPUPasses.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
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

/// Adds `<p>_run_with_scratch`, `<p>_run` and `<p>_signature` around the
/// internal `<p>_impl`, as documented in docs/artifact-format.md.
static llvm::Error addEntryPoints(llvm::Module &m, const EntryPointABI &abi) {
  llvm::LLVMContext &ctx = m.getContext();
  const std::string &p = abi.symbolPrefix;
  llvm::Function *impl = m.getFunction(p + "_impl");
  if (!impl)
    return makeError("internal error: no function " + p + "_impl to wrap");
  impl->setLinkage(llvm::GlobalValue::InternalLinkage);
  bool hasScratch = abi.scratchBytes > 0;
  unsigned numBuffers = abi.numInputs + abi.numOutputs;
  if (impl->arg_size() != numBuffers + (hasScratch ? 1 : 0))
    return makeError("internal error: " + p + "_impl takes " +
                     llvm::Twine(impl->arg_size()) + " arguments, expected " +
                     llvm::Twine(numBuffers + (hasScratch ? 1 : 0)));

  llvm::Type *ptr = llvm::PointerType::get(ctx, 0);
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::Constant *null = llvm::ConstantPointerNull::get(llvm::PointerType::get(ctx, 0));
  enum : int { kOk = 0, kNullArgument = 1, kOutOfMemory = 2, kMisaligned = 3 };

  // int <p>_run_with_scratch(const void *const *in, void *const *out, void *scratch)
  auto *withScratch = llvm::Function::Create(
      llvm::FunctionType::get(i32, {ptr, ptr, ptr}, false),
      llvm::GlobalValue::ExternalLinkage, p + "_run_with_scratch", m);
  {
    llvm::Argument *in = withScratch->getArg(0);
    llvm::Argument *out = withScratch->getArg(1);
    llvm::Argument *scratch = withScratch->getArg(2);
    auto *entry = llvm::BasicBlock::Create(ctx, "entry", withScratch);
    auto *load = llvm::BasicBlock::Create(ctx, "load", withScratch);
    auto *align = llvm::BasicBlock::Create(ctx, "align", withScratch);
    auto *call = llvm::BasicBlock::Create(ctx, "call", withScratch);
    auto *nullArg = llvm::BasicBlock::Create(ctx, "null_argument", withScratch);
    auto *misaligned = llvm::BasicBlock::Create(ctx, "misaligned", withScratch);
    llvm::IRBuilder<> b(entry);
    b.CreateCondBr(b.CreateOr(b.CreateICmpEQ(in, null), b.CreateICmpEQ(out, null)),
                   nullArg, load);

    b.SetInsertPoint(load);
    SmallVector<llvm::Value *> args;
    llvm::Value *anyNull = b.getFalse();
    auto loadPointers = [&](llvm::Value *array, unsigned count, unsigned first) {
      for (unsigned i = 0; i < count; ++i) {
        llvm::Value *slot = b.CreateConstInBoundsGEP1_64(ptr, array, i);
        llvm::Value *v = b.CreateLoad(ptr, slot);
        // A buffer of 0 bytes is never dereferenced: NULL is fine there.
        bool empty = first + i < abi.bufferBytes.size() &&
                     abi.bufferBytes[first + i] == 0;
        if (!empty)
          anyNull = b.CreateOr(anyNull, b.CreateICmpEQ(v, null));
        args.push_back(v);
      }
    };
    loadPointers(in, abi.numInputs, 0);
    loadPointers(out, abi.numOutputs, abi.numInputs);
    if (hasScratch) {
      anyNull = b.CreateOr(anyNull, b.CreateICmpEQ(scratch, null));
      args.push_back(scratch);
    }
    b.CreateCondBr(anyNull, nullArg, align);

    b.SetInsertPoint(align);
    llvm::Value *bad = b.getFalse();
    if (hasScratch)
      bad = b.CreateICmpNE(
          b.CreateAnd(b.CreatePtrToInt(scratch, i64), kScratchAlignment - 1),
          b.getInt64(0));
    b.CreateCondBr(bad, misaligned, call);

    b.SetInsertPoint(call);
    b.CreateCall(impl, args);
    b.CreateRet(b.getInt32(kOk));
    b.SetInsertPoint(nullArg);
    b.CreateRet(b.getInt32(kNullArgument));
    b.SetInsertPoint(misaligned);
    b.CreateRet(b.getInt32(kMisaligned));
  }

  // int <p>_run(const void *const *in, void *const *out): allocates scratch.
  auto *run = llvm::Function::Create(
      llvm::FunctionType::get(i32, {ptr, ptr}, false),
      llvm::GlobalValue::ExternalLinkage, p + "_run", m);
  {
    auto *entry = llvm::BasicBlock::Create(ctx, "entry", run);
    llvm::IRBuilder<> b(entry);
    if (!hasScratch) {
      b.CreateRet(b.CreateCall(withScratch, {run->getArg(0), run->getArg(1), null}));
    } else {
      llvm::FunctionCallee alignedAlloc = m.getOrInsertFunction(
          "aligned_alloc", llvm::FunctionType::get(ptr, {i64, i64}, false));
      llvm::FunctionCallee freeFn = m.getOrInsertFunction(
          "free", llvm::FunctionType::get(b.getVoidTy(), {ptr}, false));
      auto *ok = llvm::BasicBlock::Create(ctx, "allocated", run);
      auto *oom = llvm::BasicBlock::Create(ctx, "out_of_memory", run);
      llvm::Value *scratch = b.CreateCall(
          alignedAlloc, {b.getInt64(kScratchAlignment), b.getInt64(abi.scratchBytes)});
      b.CreateCondBr(b.CreateICmpEQ(scratch, null), oom, ok);
      b.SetInsertPoint(ok);
      llvm::Value *status =
          b.CreateCall(withScratch, {run->getArg(0), run->getArg(1), scratch});
      b.CreateCall(freeFn, {scratch});
      b.CreateRet(status);
      b.SetInsertPoint(oom);
      b.CreateRet(b.getInt32(kOutOfMemory));
    }
  }

  // const char *<p>_signature(void)
  auto *signature = llvm::Function::Create(
      llvm::FunctionType::get(ptr, {}, false),
      llvm::GlobalValue::ExternalLinkage, p + "_signature", m);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", signature));
    b.CreateRet(b.CreateGlobalStringPtr(abi.signature, p + "_signature_text"));
  }
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<llvm::Module>>
mlir::kiln::buildLLVMModule(ModuleOp module, llvm::LLVMContext &ctx,
                            const EntryPointABI &abi, llvm::TargetMachine &tm) {
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  std::unique_ptr<llvm::Module> m =
      translateModuleToLLVMIR(module, ctx, abi.symbolPrefix);
  if (!m)
    return makeError("translation to LLVM IR failed");
  m->setTargetTriple(tm.getTargetTriple().str());
  m->setDataLayout(tm.createDataLayout());
  if (llvm::Error e = addEntryPoints(*m, abi))
    return e;
  // Only the ABI's entry points leave the object file: kernels and the
  // implementation are internal.
  const std::string &p = abi.symbolPrefix;
  for (llvm::Function &f : *m)
    if (!f.isDeclaration() && f.getName() != p + "_run" &&
        f.getName() != p + "_run_with_scratch" && f.getName() != p + "_signature")
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  std::string broken;
  llvm::raw_string_ostream os(broken);
  if (llvm::verifyModule(*m, &os))
    return makeError("internal error: invalid LLVM IR: " + broken);
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
