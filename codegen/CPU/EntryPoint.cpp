//===- EntryPoint.cpp - The model function's memref ABI -------------------===//

#include "codegen/CPU/CPUPasses.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUENTRYPOINT
#include "codegen/CPU/Passes.h.inc"
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

struct KilnCPUEntryPoint
    : kiln::impl::KilnCPUEntryPointBase<KilnCPUEntryPoint> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fn = module.lookupSymbol<func::FuncOp>(functionName);
    if (!fn || fn.isExternal()) {
      module.emitError("no model function '") << functionName << "' to compile";
      return signalPassFailure();
    }
    FunctionType type = fn.getFunctionType();
    for (Type t : llvm::concat<const Type>(type.getInputs(), type.getResults())) {
      auto tensor = dyn_cast<RankedTensorType>(t);
      if (!tensor || !tensor.hasStaticShape()) {
        fn.emitError("model inputs and outputs need static shapes, got ") << t;
        return signalPassFailure();
      }
    }

    Block &entry = fn.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&entry);
    Location loc = fn.getLoc();

    // Inputs: memref arguments, seen as tensors by the body.
    for (BlockArgument arg : entry.getArguments()) {
      if (hasNoElements(arg.getType())) {
        auto tensor = cast<RankedTensorType>(arg.getType());
        Value none = b.create<arith::ConstantOp>(
            loc, DenseElementsAttr::get(tensor, ArrayRef<Attribute>()));
        arg.replaceAllUsesWith(none);
        arg.setType(toMemRef(tensor));
        continue;
      }
      arg.setType(toMemRef(arg.getType()));
      auto tensor = b.create<bufferization::ToTensorOp>(
          loc, arg, /*restrict=*/true, /*writable=*/false);
      arg.replaceAllUsesExcept(tensor, tensor);
    }

    // The output names, for diagnostics of later passes (the arguments lose
    // their attributes below).
    SmallVector<Attribute> outputNames;
    for (unsigned i = 0; i < fn.getNumResults(); ++i) {
      auto name = fn.getResultAttrOfType<StringAttr>(i, kTensorNameAttr);
      outputNames.push_back(
          name ? name
               : StringAttr::get(&getContext(), "output" + std::to_string(i)));
    }
    int64_t numInputs = entry.getNumArguments();

    // Outputs: one memref argument per result, written in place of return.
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    b.setInsertionPoint(ret);
    for (Value result : ret.getOperands()) {
      BlockArgument out = entry.addArgument(toMemRef(result.getType()), loc);
      if (hasNoElements(result.getType()))
        continue; // nothing to write
      auto m = b.create<bufferization::MaterializeInDestinationOp>(
          loc, TypeRange(), result, out);
      m.setRestrict(true);
      m.setWritable(true);
    }
    b.create<func::ReturnOp>(loc);
    ret.erase();

    fn.setType(FunctionType::get(&getContext(), entry.getArgumentTypes(), {}));
    // The tensor names (kiln.name) are not LLVM parameter attributes; the
    // driver recorded them for the manifest before this pass.
    fn.setAllArgAttrs(ArrayRef<DictionaryAttr>{});
    fn.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
    fn.setSymName((symbolPrefix + "_impl"));
    fn->setAttr(kEntryAttr, UnitAttr::get(&getContext()));
    fn->setAttr(kNumInputsAttr, b.getI64IntegerAttr(numInputs));
    fn->setAttr(kOutputNamesAttr, b.getArrayAttr(outputNames));
    giveEachUseItsOwnFill(fn);
    giveEachUseItsOwnEmptyTensor(fn);
  }

  /// The same for the zero (or -inf, ...) accumulator inits that CSE merges:
  /// linalg.fill of a tensor.empty used by several ops, which accumulate
  /// into it. Bufferization would fill one buffer and copy it for each op
  /// but the last; a fill per use is cheaper than a fill and a copy. (With
  /// empty-tensor elimination, a shared fill also once made two outputs
  /// share a buffer; kiln-place-outputs and kiln-verify-outputs guard that
  /// now, whatever the IR.)
  static void giveEachUseItsOwnFill(func::FuncOp fn) {
    fn.walk([](linalg::FillOp fill) {
      if (fill->getNumResults() != 1)
        return;
      Value init = fill.getOutputs().front();
      auto empty = init.getDefiningOp<tensor::EmptyOp>();
      if (!empty)
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
    fn.walk([](tensor::EmptyOp empty) {
      for (OpOperand &use :
           llvm::make_early_inc_range(llvm::drop_begin(empty->getUses()))) {
        OpBuilder b(use.getOwner());
        use.set(b.clone(*empty)->getResult(0));
      }
    });
  }
};

} // namespace
