//===- EntryPoints.cpp - Model functions get the destination-passing ABI --===//
//
// See KilnEntryPoints in codegen/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/Passes.h"
#include "ir/DTypes.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNENTRYPOINTS
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

bool hasNoElements(Type t) { return cast<RankedTensorType>(t).getNumElements() == 0; }

/// The buffer of an argument or result. A tensor without elements gets a
/// 0-element rank-1 buffer: MLIR cannot give a memref with a zero-length
/// inner dim (4x0) the strided layout a bare pointer needs, and no code
/// touches it (ir/EmptyTensors.cpp folds every use of such tensors).
MemRefType toMemRef(Type t) {
  auto tensor = cast<RankedTensorType>(t);
  if (hasNoElements(tensor))
    return MemRefType::get({0}, tensor.getElementType());
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

int64_t bytesOf(Type t) {
  auto tensor = cast<RankedTensorType>(t);
  return bufferBytes(tensor.getElementType(), tensor.getNumElements());
}

//===----------------------------------------------------------------------===//
// Packed tensors (i4, i2): several elements to a byte in the caller's
// buffers, one to a byte inside (LLVM stores an i4 in a byte), so they are
// unpacked on entry and packed on exit. Computing on packed bytes would
// change every op's indexing; the copies cost one pass over the tensor.
//===----------------------------------------------------------------------===//

/// The buffer of a packed tensor: its bytes.
MemRefType packedMemRef(RankedTensorType tensor) {
  return MemRefType::get({bytesOf(tensor)}, IntegerType::get(tensor.getContext(), 8));
}

/// The row-major linear index of the current element of a linalg.generic
/// over `shape`.
Value linearIndex(OpBuilder &b, Location loc, ArrayRef<int64_t> shape) {
  Value linear = b.create<arith::ConstantIndexOp>(loc, 0);
  for (auto [d, size] : llvm::enumerate(shape)) {
    Value scaled = b.create<arith::MulIOp>(
        loc, linear, b.create<arith::ConstantIndexOp>(loc, size));
    linear = b.create<arith::AddIOp>(loc, scaled, b.create<linalg::IndexOp>(loc, d));
  }
  return linear;
}

/// `tensor` (i8, its packed bytes) as `type`: element i from bits
/// (i % n) * w of byte i / n, for n = 8 / w elements of w bits per byte.
Value unpack(OpBuilder &b, Location loc, Value bytes, RankedTensorType type) {
  Type element = type.getElementType();
  int64_t width = dtypeBits(element), perByte = 8 / width;
  Value init = b.create<tensor::EmptyOp>(loc, type.getShape(), element);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(type.getRank())};
  SmallVector<utils::IteratorType> iterators(type.getRank(), utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{type}, ValueRange{}, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange) {
        Value i = linearIndex(nb, nloc, type.getShape());
        Value n = nb.create<arith::ConstantIndexOp>(nloc, perByte);
        Value byteIndex = nb.create<arith::DivUIOp>(nloc, i, n);
        Value slot = nb.create<arith::RemUIOp>(nloc, i, n);
        Value w = nb.create<arith::ConstantIndexOp>(nloc, width);
        Value shift = nb.create<arith::IndexCastOp>(
            nloc, nb.getI8Type(), nb.create<arith::MulIOp>(nloc, slot, w));
        Value byte = nb.create<tensor::ExtractOp>(nloc, bytes, ValueRange{byteIndex});
        Value low = nb.create<arith::ShRUIOp>(nloc, byte, shift);
        nb.create<linalg::YieldOp>(nloc, ValueRange{nb.create<arith::TruncIOp>(nloc, element, low)});
      });
  return generic.getResult(0);
}

/// `value` (a packed type) as its bytes (i8): the inverse of unpack, the
/// last byte's unused bits 0.
Value pack(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t width = dtypeBits(type.getElementType()), perByte = 8 / width;
  int64_t count = type.getNumElements(), numBytes = bytesOf(type);
  Type i8 = b.getI8Type();
  auto bytesType = RankedTensorType::get({numBytes}, i8);
  Value init = b.create<tensor::EmptyOp>(loc, bytesType.getShape(), i8);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{bytesType}, ValueRange{}, ValueRange{init},
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(1)},
      SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location nloc, ValueRange) {
        auto index = [&](int64_t v) { return nb.create<arith::ConstantIndexOp>(nloc, v); };
        Value first = nb.create<arith::MulIOp>(nloc, nb.create<linalg::IndexOp>(nloc, 0),
                                               index(perByte));
        Value byte = nb.create<arith::ConstantIntOp>(nloc, 0, 8);
        for (int64_t k = 0; k < perByte; ++k) {
          Value i = nb.create<arith::AddIOp>(nloc, first, index(k));
          Value inside = nb.create<arith::CmpIOp>(nloc, arith::CmpIPredicate::ult, i, index(count));
          Value clamped = nb.create<arith::SelectOp>(nloc, inside, i, index(count - 1));
          // The row-major indices of element `clamped`.
          SmallVector<Value> indices(type.getRank());
          Value rest = clamped;
          for (int64_t d = type.getRank() - 1; d >= 0; --d) {
            Value size = index(type.getDimSize(d));
            indices[d] = nb.create<arith::RemUIOp>(nloc, rest, size);
            rest = nb.create<arith::DivUIOp>(nloc, rest, size);
          }
          Value v = nb.create<tensor::ExtractOp>(nloc, value, indices);
          Value bits = nb.create<arith::ExtUIOp>(nloc, i8, v);
          Value zero = nb.create<arith::ConstantIntOp>(nloc, 0, 8);
          Value kept = nb.create<arith::SelectOp>(nloc, inside, bits, zero);
          Value shift = nb.create<arith::ConstantIntOp>(nloc, k * width, 8);
          Value placed = nb.create<arith::ShLIOp>(nloc, kept, shift);
          byte = nb.create<arith::OrIOp>(nloc, byte, placed);
        }
        nb.create<linalg::YieldOp>(nloc, ValueRange{byte});
      });
  return generic.getResult(0);
}

/// A weight of the artifact: a parameter of one or more model functions.
struct Weight {
  std::string name;
  RankedTensorType type;
  Type elementType; // as the ABI names it (abi::getArgElementType)
  int64_t offset;
};

struct KilnEntryPoints : kiln::impl::KilnEntryPointsBase<KilnEntryPoints> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<abi::ModelFunction> models = abi::getModelFunctions(module);
    if (models.empty()) {
      module.emitError("no model function to compile: no @main, and no "
                       "function marked ")
          << abi::kEntryPointAttr;
      return signalPassFailure();
    }
    if (!abi::isCIdentifier(symbolPrefix)) {
      module.emitError("symbol prefix '") << symbolPrefix << "' is not a C identifier";
      return signalPassFailure();
    }
    llvm::StringSet<> entryNames;
    for (const abi::ModelFunction &m : models)
      if (failed(checkModelFunction(m, entryNames)))
        return signalPassFailure();
    if (failed(layoutWeights(models)))
      return signalPassFailure();
    FailureOr<abi::StateLayout> layout = abi::layoutState(module);
    if (failed(layout))
      return signalPassFailure();
    state = std::move(*layout);
    for (const abi::ModelFunction &m : models)
      rewrite(m.function, m.entryName);

    OpBuilder b(module.getContext());
    module->setAttr(abi::kSymbolPrefixAttr, b.getStringAttr(symbolPrefix));
    SmallVector<Attribute> weights;
    for (const Weight &w : weightList)
      weights.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("name", b.getStringAttr(w.name)),
           b.getNamedAttr("type", TypeAttr::get(w.type)),
           b.getNamedAttr("offset", b.getI64IntegerAttr(w.offset)),
           b.getNamedAttr("signature",
                          b.getStringAttr(abi::renderTensor(
                                              w.name, w.elementType,
                                              w.type.getShape()) +
                                          "@" + std::to_string(w.offset)))}));
    module->setAttr(abi::kWeightsAttr, b.getArrayAttr(weights));
    if (state.bytes)
      module->setAttr(abi::kStateSignatureAttr,
                      b.getStringAttr(abi::renderStateSignature(state)));
  }

  LogicalResult checkModelFunction(const abi::ModelFunction &m,
                                   llvm::StringSet<> &entryNames) {
    func::FuncOp fn = m.function;
    if (!abi::isCIdentifier(m.entryName))
      return fn.emitError("entry point name '")
             << m.entryName << "' is not a C identifier";
    if (!entryNames.insert(m.entryName).second)
      return fn.emitError("two functions are entry point '") << m.entryName << "'";
    if (fn.isExternal())
      return fn.emitError("entry point '") << m.entryName << "' has no body";
    FunctionType type = fn.getFunctionType();
    for (Type t : llvm::concat<const Type>(type.getInputs(), type.getResults())) {
      auto tensor = dyn_cast<RankedTensorType>(t);
      if (!tensor || !tensor.hasStaticShape())
        return fn.emitError("model inputs and outputs need static shapes, got ") << t;
    }
    return success();
  }

  static std::string tensorName(func::FuncOp fn, unsigned index, bool result) {
    StringAttr name = result ? fn.getResultAttrOfType<StringAttr>(index, kTensorNameAttr)
                             : fn.getArgAttrOfType<StringAttr>(index, kTensorNameAttr);
    if (name)
      return name.str();
    return (result ? "output" : "input") + std::to_string(index);
  }

  /// Weights are shared by the entry points: each distinct parameter name
  /// gets one slot, in order of first appearance, 64-byte aligned.
  LogicalResult layoutWeights(ArrayRef<abi::ModelFunction> models) {
    int64_t offset = 0;
    for (const abi::ModelFunction &m : models) {
      func::FuncOp fn = m.function;
      for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
        if (!fn.getArgAttr(i, abi::kParameterAttr))
          continue;
        std::string name = tensorName(fn, i, false);
        auto type = cast<RankedTensorType>(fn.getArgument(i).getType());
        auto it = weightIndex.find(name);
        if (it != weightIndex.end()) {
          if (weightList[it->second].type != type)
            return fn.emitError("parameter '")
                   << name << "' is " << type << " here but "
                   << weightList[it->second].type << " in another entry point";
          continue;
        }
        offset = abi::alignWeightOffset(offset);
        weightIndex[name] = weightList.size();
        weightList.push_back(
            {name, type, abi::getArgElementType(fn, i, type), offset});
        offset += bytesOf(type);
      }
    }
    return success();
  }

  void rewrite(func::FuncOp fn, StringRef entryName) {
    MLIRContext *ctx = &getContext();
    Block &entry = fn.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&entry);
    Location loc = fn.getLoc();

    // Inputs and parameters: memref arguments, seen as tensors by the body.
    // State arguments: views of the state buffer, made below.
    SmallVector<int64_t> argWeights, bufferBytes;
    SmallVector<std::string> inputSigs, outputSigs;
    SmallVector<std::pair<BlockArgument, int64_t>> stateArgs;
    for (BlockArgument arg : entry.getArguments()) {
      auto tensor = cast<RankedTensorType>(arg.getType());
      unsigned i = arg.getArgNumber();
      std::string name = tensorName(fn, i, false);
      if (fn.getArgAttr(i, abi::kStateAttr)) {
        stateArgs.push_back({arg, state.find(name)});
        continue;
      }
      if (fn.getArgAttr(i, abi::kParameterAttr)) {
        argWeights.push_back(weightIndex.lookup(name));
      } else {
        argWeights.push_back(-1);
        bufferBytes.push_back(bytesOf(tensor));
        inputSigs.push_back(abi::renderTensor(
            name, abi::getArgElementType(fn, i, tensor), tensor.getShape()));
      }
      bool packed = isPackedDType(tensor.getElementType()) && !hasNoElements(tensor);
      arg.setType(packed ? packedMemRef(tensor) : toMemRef(tensor));
      if (hasNoElements(tensor)) {
        Value none = b.create<arith::ConstantOp>(
            loc, DenseElementsAttr::get(tensor, ArrayRef<Attribute>()));
        arg.replaceAllUsesWith(none);
        continue;
      }
      auto asTensor = b.create<bufferization::ToTensorOp>(
          loc, arg, /*restrict=*/true, /*writable=*/false);
      if (packed) {
        Value unpacked = unpack(b, loc, asTensor, tensor);
        arg.replaceAllUsesExcept(unpacked, asTensor);
        continue;
      }
      arg.replaceAllUsesExcept(asTensor, asTensor);
    }

    // Outputs: one memref argument per result, written in place of return.
    SmallVector<Attribute> outputNames;
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    b.setInsertionPoint(ret);
    SmallVector<std::pair<Value, int64_t>> stateResults;
    for (auto [i, result] : llvm::enumerate(ret.getOperands())) {
      auto tensor = cast<RankedTensorType>(result.getType());
      std::string name = tensorName(fn, i, true);
      if (fn.getResultAttr(i, abi::kStateAttr)) {
        stateResults.push_back({result, state.find(name)});
        continue;
      }
      outputNames.push_back(b.getStringAttr(name));
      outputSigs.push_back(
          abi::renderTensor(name, abi::getResultElementType(fn, i, tensor),
                            tensor.getShape()));
      bufferBytes.push_back(bytesOf(tensor));
      if (hasNoElements(tensor)) {
        entry.addArgument(toMemRef(tensor), loc);
        continue; // nothing to write
      }
      bool packed = isPackedDType(tensor.getElementType());
      BlockArgument out =
          entry.addArgument(packed ? packedMemRef(tensor) : toMemRef(tensor), loc);
      Value written = packed ? pack(b, loc, result) : result;
      auto m = b.create<bufferization::MaterializeInDestinationOp>(
          loc, TypeRange(), written, out);
      m.setRestrict(true);
      m.setWritable(true);
    }
    if (!stateArgs.empty() || !stateResults.empty()) {
      outputNames.push_back(b.getStringAttr(abi::kStateBufferName));
      outputSigs.push_back(abi::renderTensor(
          abi::kStateBufferName, IntegerType::get(ctx, 8, IntegerType::Unsigned),
          {state.bytes}));
      bufferBytes.push_back(state.bytes);
      BlockArgument buffer = entry.addArgument(
          MemRefType::get({state.bytes}, IntegerType::get(ctx, 8)), loc);
      OpBuilder top = OpBuilder::atBlockBegin(&entry);
      auto view = [&](OpBuilder &at, int64_t slot) -> Value {
        const abi::StateTensor &t = state.tensors[slot];
        Value offset = at.create<arith::ConstantIndexOp>(loc, t.offset);
        return at.create<memref::ViewOp>(loc, toMemRef(t.type), buffer, offset,
                                         ValueRange());
      };
      // Each state argument's slot and the tensor that replaced it.
      DenseMap<Value, std::pair<int64_t, Value>> stateValues;
      for (auto [arg, slot] : stateArgs) {
        auto tensor = cast<RankedTensorType>(arg.getType());
        Value value;
        if (hasNoElements(tensor))
          value = top.create<arith::ConstantOp>(
              loc, DenseElementsAttr::get(tensor, ArrayRef<Attribute>()));
        else
          value = top.create<bufferization::ToTensorOp>(
              loc, view(top, slot), /*restrict=*/true, /*writable=*/false);
        arg.replaceAllUsesWith(value);
        stateValues[arg] = {slot, value};
      }
      // The writes, after everything else: a result computed straight into
      // its view could overwrite a tensor some later op still reads. The
      // state arguments' tensors are not writable, so bufferization computes
      // each result in scratch memory and copies it here (kiln-place-outputs
      // leaves the state buffer alone: it has more than one use).
      for (auto [result, slot] : stateResults) {
        auto tensor = cast<RankedTensorType>(result.getType());
        if (hasNoElements(tensor))
          continue;
        // A state tensor the step returns unchanged (a weight whose gradient
        // is zero, so its update folded away) is already in place.
        auto known = stateValues.find(result);
        if (known != stateValues.end()) {
          if (known->second.first == slot)
            continue;
          result = known->second.second;
        }
        Value dest = view(b, slot);
        auto m = b.create<bufferization::MaterializeInDestinationOp>(
            loc, TypeRange(), result, dest);
        m.setRestrict(true);
        m.setWritable(true);
      }
    }
    b.create<func::ReturnOp>(loc);
    ret.erase();
    for (auto [arg, slot] : llvm::reverse(stateArgs))
      entry.eraseArgument(arg.getArgNumber());

    fn.setType(FunctionType::get(ctx, entry.getArgumentTypes(), {}));
    // Tensor names are not LLVM parameter attributes; the ABI attributes
    // below keep what later passes need.
    fn.setAllArgAttrs(ArrayRef<DictionaryAttr>{});
    fn.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
    fn.setSymName(abi::implFunctionName(symbolPrefix, entryName));
    fn->removeAttr(abi::kEntryPointAttr);
    fn->setAttr(abi::kEntryAttr, b.getStringAttr(entryName));
    fn->setAttr(abi::kArgWeightsAttr, b.getDenseI64ArrayAttr(argWeights));
    fn->setAttr(abi::kNumOutputsAttr, b.getI64IntegerAttr(outputNames.size()));
    fn->setAttr(abi::kOutputNamesAttr, b.getArrayAttr(outputNames));
    fn->setAttr(abi::kBufferBytesAttr, b.getDenseI64ArrayAttr(bufferBytes));
    fn->setAttr(abi::kSignatureAttr,
                b.getStringAttr(abi::renderEntry(entryName, inputSigs, outputSigs)));
    giveEachUseItsOwnFill(fn);
    giveEachUseItsOwnEmptyTensor(fn);
  }

  /// The zero (or -inf, ...) accumulator inits that CSE merges: linalg.fill
  /// of a tensor.empty used by several ops, which accumulate into it.
  /// Bufferization would fill one buffer and copy it for each op but the
  /// last; a fill per use is cheaper than a fill and a copy.
  static void giveEachUseItsOwnFill(func::FuncOp fn) {
    fn.walk([](linalg::FillOp fill) {
      if (fill->getNumResults() != 1)
        return;
      Value init = fill.getOutputs().front();
      auto empty = init.getDefiningOp<tensor::EmptyOp>();
      if (!empty || fill->use_empty())
        return;
      // A padded buffer (kiln-cpu-pads-in-place): an op writes the slice's
      // interior, which is inserted back in place. It is no accumulator.
      for (Operation *user : fill->getUsers())
        if (isa<tensor::ExtractSliceOp, tensor::InsertSliceOp>(user))
          return;
      for (OpOperand &use : llvm::make_early_inc_range(
               llvm::drop_begin(fill->getResult(0).getUses()))) {
        OpBuilder b(use.getOwner());
        IRMapping map;
        map.map(init, b.clone(*empty)->getResult(0));
        use.set(b.clone(*fill, map)->getResult(0));
      }
    });
  }

  /// After CSE, one tensor.empty often serves as the destination of several
  /// unrelated ops (every 1x10 result, say). One-shot bufferization would
  /// give them one allocation and copy its undefined contents for all but
  /// one; a tensor.empty per use gives each op its own destination.
  static void giveEachUseItsOwnEmptyTensor(func::FuncOp fn) {
    // The uses are collected first: cloning while walking would visit the
    // clones.
    SmallVector<std::pair<tensor::EmptyOp, OpOperand *>> extra;
    fn.walk([&](tensor::EmptyOp empty) {
      // (drop_begin of an empty range would run past its end.)
      if (empty->use_empty())
        return;
      for (OpOperand &use : llvm::drop_begin(empty->getUses()))
        extra.push_back({empty, &use});
    });
    for (auto [empty, use] : extra) {
      OpBuilder b(use->getOwner());
      use->set(b.clone(*empty)->getResult(0));
    }
  }

  llvm::StringMap<int64_t> weightIndex;
  SmallVector<Weight> weightList;
  abi::StateLayout state;
};

} // namespace
