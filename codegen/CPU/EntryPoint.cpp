//===- EntryPoint.cpp - The model function's memref ABI -------------------===//

#include "codegen/CPU/CPUPasses.h"

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

MemRefType toMemRef(Type t) {
  auto tensor = cast<RankedTensorType>(t);
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
      arg.setType(toMemRef(arg.getType()));
      auto tensor = b.create<bufferization::ToTensorOp>(
          loc, arg, /*restrict=*/true, /*writable=*/false);
      arg.replaceAllUsesExcept(tensor, tensor);
    }

    // Outputs: one memref argument per result, written in place of return.
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    b.setInsertionPoint(ret);
    for (Value result : ret.getOperands()) {
      BlockArgument out = entry.addArgument(toMemRef(result.getType()), loc);
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
    giveEachUseItsOwnFill(fn);
    giveEachUseItsOwnEmptyTensor(fn);
  }

  /// The same for the zero (or -inf, ...) accumulator inits that CSE merges:
  /// linalg.fill of a tensor.empty used by two ops. If one of them feeds an
  /// output, empty-tensor elimination turns the shared fill into a fill of
  /// that output buffer, and one-shot bufferization (MLIR 19) then lets the
  /// other op accumulate into that buffer as well: two bias-less convolutions
  /// returned as two outputs gave the second one wrong values. A fill per use
  /// costs nothing over the copy bufferization would insert anyway.
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

  /// Empty-tensor elimination replaces a tensor.empty with the output buffer
  /// its value is materialized into. After CSE, one tensor.empty often serves
  /// as the destination of several unrelated ops (every 1x10 result, say);
  /// eliminating it for one output would make all of them write into that
  /// output. A tensor.empty per use keeps each destination its own.
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
