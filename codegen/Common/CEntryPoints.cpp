//===- CEntryPoints.cpp - The artifact's C functions, in the LLVM dialect -===//
//
// See KilnCEntryPoints in codegen/Passes.td. The code built here is the
// generated half of docs/artifact-format.md; runtime/kiln_abi.h is the other
// half's header, and every constant comes from it.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCENTRYPOINTS
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

using namespace mlir::kiln::abi;

/// What one entry function needs from its wrapper.
struct EntryABI {
  LLVM::LLVMFuncOp impl;
  std::string name;                 // entry point E
  SmallVector<int64_t> argWeights;  // per leading argument: -1 input, else weight
  SmallVector<int64_t> bufferBytes; // inputs, then outputs
  int64_t numOutputs = 0;
  int64_t scratchBytes = 0;
  bool takesContext = false; // the impl's last argument is the context
  bool takesStatus = false;  // ... then a pointer to the launches' status
};

/// Builds the wrapper functions with one builder and the types they share.
///
/// C++ leaves the order in which a call's arguments are evaluated
/// unspecified (GCC and clang differ), so no call here takes two arguments
/// that each create ops: such values get statements of their own, and the
/// IR comes out in the same order whichever compiler built Kiln.
class WrapperBuilder {
public:
  WrapperBuilder(ModuleOp module, ArrayRef<int64_t> weightOffsets,
                 int64_t weightsBytes, bool device)
      : module(module), b(module.getContext()), weightOffsets(weightOffsets),
        weightsBytes(weightsBytes), device(device) {
    MLIRContext *ctx = module.getContext();
    ptr = LLVM::LLVMPointerType::get(ctx);
    i1 = b.getI1Type();
    i32 = b.getI32Type();
    i64 = b.getI64Type();
    contextType = cast<LLVM::LLVMStructType>(abi::contextStructType(ctx));
  }

  LLVM::LLVMFuncOp buildContextEntry(EntryABI e, StringRef symbol);
  LLVM::LLVMFuncOp buildPlainEntry(LLVM::LLVMFuncOp withContext, StringRef symbol);
  LLVM::LLVMFuncOp buildSignature(StringRef symbol, StringRef signature);

private:
  /// The function `name` with `type`: an existing declaration (a caller in
  /// the module declared it) gets the body, else it is created.
  LLVM::LLVMFuncOp defineFunction(StringRef name, LLVM::LLVMFunctionType type);
  LLVM::LLVMFuncOp declareLibc(StringRef name, Type result, ArrayRef<Type> params);

  Value constant(Location loc, Type t, int64_t v) {
    return b.create<LLVM::ConstantOp>(loc, t, b.getIntegerAttr(t, v));
  }
  Value null(Location loc) { return b.create<LLVM::ZeroOp>(loc, ptr); }
  Value isNull(Location loc, Value p) {
    return b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::eq, p, null(loc));
  }
  /// A block that returns `code`.
  Block *returnBlock(LLVM::LLVMFuncOp fn, Location loc, int code) {
    OpBuilder::InsertionGuard guard(b);
    Block *block = b.createBlock(&fn.getBody(), fn.getBody().end());
    b.create<LLVM::ReturnOp>(loc, constant(loc, i32, code));
    return block;
  }
  /// Returns `code` if `failed`, else continues in a new block.
  void failIf(LLVM::LLVMFuncOp fn, Location loc, Value failed, int code) {
    Block *bad = returnBlock(fn, loc, code);
    Block *next = b.createBlock(&fn.getBody(), fn.getBody().end());
    b.setInsertionPointToEnd(currentBlock);
    b.create<LLVM::CondBrOp>(loc, failed, bad, next);
    b.setInsertionPointToEnd(next);
    currentBlock = next;
  }
  /// Loads pointer `index` of the array `array`.
  Value loadPointer(Location loc, Value array, int64_t index) {
    Value slot = b.create<LLVM::GEPOp>(loc, ptr, ptr, array,
                                       ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index)});
    return b.create<LLVM::LoadOp>(loc, ptr, slot);
  }
  Value loadField(Location loc, Value context, ContextField field, Type type) {
    Value addr = b.create<LLVM::GEPOp>(
        loc, ptr, contextType, context,
        ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(field)});
    return b.create<LLVM::LoadOp>(loc, type, addr);
  }

  ModuleOp module;
  OpBuilder b;
  ArrayRef<int64_t> weightOffsets;
  int64_t weightsBytes;
  /// A device target's entry points (abi::kDeviceAttr): every buffer is a
  /// device address; they need ctx->device and never allocate.
  bool device;
  Type ptr, i1, i32, i64;
  LLVM::LLVMStructType contextType;
  Block *currentBlock = nullptr;
};

LLVM::LLVMFuncOp WrapperBuilder::defineFunction(StringRef name,
                                                LLVM::LLVMFunctionType type) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name)) {
    if (existing.isExternal() && existing.getFunctionType() == type)
      return existing;
    return nullptr;
  }
  b.setInsertionPointToEnd(module.getBody());
  return b.create<LLVM::LLVMFuncOp>(module.getLoc(), name, type);
}

LLVM::LLVMFuncOp WrapperBuilder::declareLibc(StringRef name, Type result,
                                             ArrayRef<Type> params) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  return b.create<LLVM::LLVMFuncOp>(module.getLoc(), name,
                                    LLVM::LLVMFunctionType::get(result, params));
}

LLVM::LLVMFuncOp WrapperBuilder::buildContextEntry(EntryABI e,
                                                   StringRef symbol) {
  Location loc = e.impl.getLoc();
  LLVM::LLVMFuncOp fn =
      defineFunction(symbol, LLVM::LLVMFunctionType::get(i32, {ptr, ptr, ptr}));
  if (!fn)
    return nullptr;
  currentBlock = fn.addEntryBlock(b);
  b.setInsertionPointToEnd(currentBlock);
  Value context = fn.getArgument(0), inputs = fn.getArgument(1),
        outputs = fn.getArgument(2);
  int64_t numInputs = llvm::count(e.argWeights, -1);

  // The pointer arrays, then every buffer that has bytes.
  Value anyNull = constant(loc, i1, 0);
  if (numInputs > 0)
    anyNull = b.create<LLVM::OrOp>(loc, anyNull, isNull(loc, inputs));
  if (e.numOutputs > 0)
    anyNull = b.create<LLVM::OrOp>(loc, anyNull, isNull(loc, outputs));
  failIf(fn, loc, anyNull, KILN_CODE_NULL_ARGUMENT);
  SmallVector<Value> inputPtrs, outputPtrs;
  anyNull = constant(loc, i1, 0);
  for (int64_t i = 0; i < numInputs + e.numOutputs; ++i) {
    bool isInput = i < numInputs;
    Value p = loadPointer(loc, isInput ? inputs : outputs,
                          isInput ? i : i - numInputs);
    if (e.bufferBytes[i] != 0)
      anyNull = b.create<LLVM::OrOp>(loc, anyNull, isNull(loc, p));
    (isInput ? inputPtrs : outputPtrs).push_back(p);
  }
  failIf(fn, loc, anyNull, KILN_CODE_NULL_ARGUMENT);

  // Device code runs only where the caller gave a device.
  if (device)
    failIf(fn, loc, isNull(loc, context), KILN_CODE_NO_DEVICE);

  // The context: absent, or of this ABI version and at least this size.
  Block *readContext = b.createBlock(&fn.getBody(), fn.getBody().end());
  Block *merge = b.createBlock(&fn.getBody(), fn.getBody().end(),
                               {ptr, i64, ptr, i64}, {loc, loc, loc, loc});
  b.setInsertionPointToEnd(currentBlock);
  Value zero64 = constant(loc, i64, 0);
  Value noContext = isNull(loc, context);
  Value noScratch = null(loc), noWeights = null(loc);
  b.create<LLVM::CondBrOp>(loc, noContext, merge,
                           ValueRange{noScratch, zero64, noWeights, zero64}, readContext,
                           ValueRange{});
  b.setInsertionPointToEnd(readContext);
  currentBlock = readContext;
  Value version = loadField(loc, context, kAbiVersion, i32);
  Value size = loadField(loc, context, kStructSize, i32);
  // sizeof(kiln_context_t) as this target lays it out.
  Value end = b.create<LLVM::GEPOp>(loc, ptr, contextType, null(loc),
                                    ArrayRef<LLVM::GEPArg>{1});
  Value structSize = b.create<LLVM::PtrToIntOp>(loc, i32, end);
  Value otherVersion = b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ne, version,
                                              constant(loc, i32, KILN_ABI_VERSION));
  Value tooSmall = b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ult, size, structSize);
  Value badContext = b.create<LLVM::OrOp>(loc, otherVersion, tooSmall);
  failIf(fn, loc, badContext, KILN_CODE_BAD_CONTEXT);
  if (device)
    failIf(fn, loc, isNull(loc, loadField(loc, context, kDevice, ptr)), KILN_CODE_NO_DEVICE);
  b.create<LLVM::BrOp>(loc,
                       ValueRange{loadField(loc, context, kScratch, ptr),
                                  loadField(loc, context, kScratchBytes, i64),
                                  loadField(loc, context, kWeights, ptr),
                                  loadField(loc, context, kWeightsBytes, i64)},
                       merge);
  b.setInsertionPointToEnd(merge);
  currentBlock = merge;
  Value scratch = merge->getArgument(0), scratchBytes = merge->getArgument(1),
        weights = merge->getArgument(2), weightsSize = merge->getArgument(3);

  // External weights must be there, all of them.
  bool usesWeights = llvm::any_of(e.argWeights, [](int64_t w) { return w >= 0; });
  if (usesWeights) {
    Value noWeights = isNull(loc, weights);
    Value otherSize = b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ne, weightsSize,
                                             constant(loc, i64, weightsBytes));
    failIf(fn, loc, b.create<LLVM::OrOp>(loc, noWeights, otherSize), KILN_CODE_MISSING_WEIGHTS);
  }

  SmallVector<Value> args;
  auto inputIt = inputPtrs.begin();
  for (int64_t w : e.argWeights) {
    if (w < 0) {
      args.push_back(*inputIt++);
      continue;
    }
    Value offset = constant(loc, i64, weightOffsets[w]);
    args.push_back(b.create<LLVM::GEPOp>(loc, ptr, b.getI8Type(), weights,
                                         ArrayRef<LLVM::GEPArg>{offset}));
  }
  llvm::append_range(args, outputPtrs);
  auto callAndReturn = [&](Value scratchPtr, bool owned) {
    SmallVector<Value> all(args);
    if (scratchPtr)
      all.push_back(scratchPtr);
    if (e.takesContext)
      all.push_back(context);
    Value status;
    if (e.takesStatus) {
      status = b.create<LLVM::AllocaOp>(loc, ptr, i32, constant(loc, i64, 1));
      b.create<LLVM::StoreOp>(loc, constant(loc, i32, 0), status);
      all.push_back(status);
    }
    b.create<LLVM::CallOp>(loc, e.impl, all);
    if (status) {
      Value code = b.create<LLVM::LoadOp>(loc, i32, status);
      Value failed =
          b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ne, code, constant(loc, i32, 0));
      failIf(fn, loc, failed, KILN_CODE_LAUNCH_FAILED);
    }
    if (owned) {
      LLVM::LLVMFuncOp free =
          declareLibc("free", LLVM::LLVMVoidType::get(b.getContext()), {ptr});
      b.create<LLVM::CallOp>(loc, free, ValueRange{scratchPtr});
    }
    b.create<LLVM::ReturnOp>(loc, constant(loc, i32, KILN_CODE_OK));
  };
  if (e.scratchBytes == 0) {
    callAndReturn(Value(), false);
    return fn;
  }

  // Scratch: the caller's (aligned, large enough), or allocated here. A
  // device's scratch must be given: host code cannot allocate device memory.
  if (device)
    failIf(fn, loc, isNull(loc, scratch), KILN_CODE_NO_DEVICE);
  Block *given = b.createBlock(&fn.getBody(), fn.getBody().end());
  Block *allocate = device ? nullptr : b.createBlock(&fn.getBody(), fn.getBody().end());
  b.setInsertionPointToEnd(currentBlock);
  if (device)
    b.create<LLVM::BrOp>(loc, ValueRange{}, given);
  else
    b.create<LLVM::CondBrOp>(loc, isNull(loc, scratch), allocate, given);

  b.setInsertionPointToEnd(given);
  currentBlock = given;
  Value address = b.create<LLVM::PtrToIntOp>(loc, i64, scratch);
  Value misaligned = b.create<LLVM::ICmpOp>(
      loc, LLVM::ICmpPredicate::ne,
      b.create<LLVM::AndOp>(loc, address,
                            constant(loc, i64, KILN_SCRATCH_ALIGNMENT - 1)),
      zero64);
  failIf(fn, loc, misaligned, KILN_CODE_MISALIGNED_SCRATCH);
  failIf(fn, loc,
         b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ult, scratchBytes,
                                constant(loc, i64, e.scratchBytes)),
         KILN_CODE_SCRATCH_TOO_SMALL);
  callAndReturn(scratch, false);
  if (device)
    return fn;

  b.setInsertionPointToEnd(allocate);
  currentBlock = allocate;
  // aligned_alloc needs a size that is a multiple of the alignment;
  // kiln-plan-memory rounds it up.
  LLVM::LLVMFuncOp alignedAlloc = declareLibc("aligned_alloc", ptr, {i64, i64});
  Value owned = b.create<LLVM::CallOp>(loc, alignedAlloc,
                                       ValueRange{constant(loc, i64, KILN_SCRATCH_ALIGNMENT),
                                                  constant(loc, i64, e.scratchBytes)})
                    .getResult();
  failIf(fn, loc, isNull(loc, owned), KILN_CODE_OUT_OF_MEMORY);
  callAndReturn(owned, true);
  return fn;
}

LLVM::LLVMFuncOp WrapperBuilder::buildPlainEntry(LLVM::LLVMFuncOp withContext,
                                                 StringRef symbol) {
  Location loc = withContext.getLoc();
  LLVM::LLVMFuncOp fn =
      defineFunction(symbol, LLVM::LLVMFunctionType::get(i32, {ptr, ptr}));
  if (!fn)
    return nullptr;
  b.setInsertionPointToEnd(fn.addEntryBlock(b));
  Value code = b.create<LLVM::CallOp>(
                    loc, withContext,
                    ValueRange{null(loc), fn.getArgument(0), fn.getArgument(1)})
                   .getResult();
  b.create<LLVM::ReturnOp>(loc, code);
  return fn;
}

LLVM::LLVMFuncOp WrapperBuilder::buildSignature(StringRef symbol,
                                                StringRef signature) {
  Location loc = module.getLoc();
  LLVM::LLVMFuncOp fn = defineFunction(symbol, LLVM::LLVMFunctionType::get(ptr, {}));
  if (!fn)
    return nullptr;
  b.setInsertionPointToStart(module.getBody());
  std::string text = signature.str();
  text.push_back('\0');
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), text.size());
  auto global = b.create<LLVM::GlobalOp>(
      loc, type, /*isConstant=*/true, LLVM::Linkage::Internal,
      (symbol + "_text").str(), b.getStringAttr(text));
  b.setInsertionPointToEnd(fn.addEntryBlock(b));
  b.create<LLVM::ReturnOp>(loc, b.create<LLVM::AddressOfOp>(loc, global));
  return fn;
}

struct KilnCEntryPoints : kiln::impl::KilnCEntryPointsBase<KilnCEntryPoints> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto prefix = module->getAttrOfType<StringAttr>(abi::kSymbolPrefixAttr);
    if (!prefix) {
      module.emitError("no ") << abi::kSymbolPrefixAttr
                              << " on the module: run kiln-entry-points first";
      return signalPassFailure();
    }

    // The weights blob: offsets, size, and its part of the signature.
    SmallVector<int64_t> offsets;
    SmallVector<std::string> weightSigs;
    int64_t weightsBytes = 0;
    if (auto weights = module->getAttrOfType<ArrayAttr>(abi::kWeightsAttr))
      for (auto w : weights.getAsRange<DictionaryAttr>()) {
        auto type = cast<RankedTensorType>(cast<TypeAttr>(w.get("type")).getValue());
        int64_t offset = cast<IntegerAttr>(w.get("offset")).getInt();
        offsets.push_back(offset);
        weightSigs.push_back(cast<StringAttr>(w.get("signature")).str());
        weightsBytes = std::max(
            weightsBytes, offset + type.getNumElements() *
                                       ((type.getElementTypeBitWidth() + 7) / 8));
      }

    SmallVector<EntryABI> entries;
    SmallVector<std::string> entrySigs;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>()) {
      auto entry = fn->getAttrOfType<StringAttr>(abi::kEntryAttr);
      if (!entry)
        continue;
      EntryABI e;
      e.impl = fn;
      e.name = entry.str();
      auto argWeights = fn->getAttrOfType<DenseI64ArrayAttr>(abi::kArgWeightsAttr);
      auto bytes = fn->getAttrOfType<DenseI64ArrayAttr>(abi::kBufferBytesAttr);
      auto outputs = fn->getAttrOfType<IntegerAttr>(abi::kNumOutputsAttr);
      auto sig = fn->getAttrOfType<StringAttr>(abi::kSignatureAttr);
      if (!argWeights || !bytes || !outputs || !sig) {
        fn.emitError("entry function without its ABI attributes");
        return signalPassFailure();
      }
      e.argWeights.assign(argWeights.asArrayRef().begin(), argWeights.asArrayRef().end());
      e.bufferBytes.assign(bytes.asArrayRef().begin(), bytes.asArrayRef().end());
      e.numOutputs = outputs.getInt();
      if (auto scratch = fn->getAttrOfType<IntegerAttr>(abi::kScratchBytesAttr))
        e.scratchBytes = scratch.getInt();
      e.takesContext = fn->hasAttr(abi::kTakesContextAttr);
      e.takesStatus = fn->hasAttr(abi::kTakesStatusAttr);
      unsigned expected = e.argWeights.size() + e.numOutputs + (e.scratchBytes ? 1 : 0) +
                          (e.takesContext ? 1 : 0) + (e.takesStatus ? 1 : 0);
      if (fn.getNumArguments() != expected) {
        fn.emitError("internal error: takes ")
            << fn.getNumArguments() << " arguments, the ABI says " << expected;
        return signalPassFailure();
      }
      entries.push_back(e);
      entrySigs.push_back(sig.str());
    }

    WrapperBuilder builder(module, offsets, weightsBytes, module->hasAttr(abi::kDeviceAttr));
    SmallVector<std::string> exported;
    std::string stateSig;
    if (auto state = module->getAttrOfType<StringAttr>(abi::kStateSignatureAttr))
      stateSig = state.str();
    std::string signature = abi::renderSignature(entrySigs, weightSigs, stateSig);
    for (const EntryABI &e : entries) {
      std::string symbol = (prefix.getValue() + "_" + e.name).str();
      LLVM::LLVMFuncOp withContext = builder.buildContextEntry(e, symbol + "_ctx");
      if (!withContext || !builder.buildPlainEntry(withContext, symbol)) {
        module.emitError("a function named ")
            << symbol << " already exists with another type or a body";
        return signalPassFailure();
      }
      exported.push_back(symbol);
      exported.push_back(symbol + "_ctx");
    }
    std::string signatureSymbol = (prefix.getValue() + "_signature").str();
    if (!builder.buildSignature(signatureSymbol, signature)) {
      module.emitError("a function named ") << signatureSymbol << " already exists";
      return signalPassFailure();
    }
    exported.push_back(signatureSymbol);

    // Only the ABI's functions leave the object file.
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
      if (!fn.isExternal() && !llvm::is_contained(exported, fn.getName()))
        fn.setLinkage(LLVM::Linkage::Internal);
    module->setAttr(abi::kSignatureAttr, StringAttr::get(&getContext(), signature));
  }
};

} // namespace
