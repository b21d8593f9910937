//===- ShapeInference.cpp - Refine result shapes through a function -------===//

#include "passes/Passes.h"

#include "ir/KilnOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNSHAPEINFERENCE
#include "passes/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The most refined type compatible with both, or null if they conflict.
Type meet(Type current, Type inferred) {
  auto a = dyn_cast<RankedTensorType>(current);
  auto b = dyn_cast<RankedTensorType>(inferred);
  if (!a || !b)
    return current == inferred ? current : Type();
  if (a.getRank() != b.getRank() || a.getElementType() != b.getElementType())
    return {};
  SmallVector<int64_t> dims;
  for (auto [x, y] : llvm::zip(a.getShape(), b.getShape())) {
    if (!ShapedType::isDynamic(x) && !ShapedType::isDynamic(y) && x != y)
      return {};
    dims.push_back(ShapedType::isDynamic(x) ? y : x);
  }
  return RankedTensorType::get(dims, a.getElementType(), a.getEncoding());
}

/// What `op` says its results are, given its current operand types.
LogicalResult inferResultTypes(Operation *op, SmallVectorImpl<Type> &types) {
  if (auto iface = dyn_cast<InferTypeOpInterface>(op))
    return iface.inferReturnTypes(op->getContext(), op->getLoc(),
                                  op->getOperands(), op->getRawDictionaryAttrs(),
                                  op->getPropertiesStorage(), op->getRegions(),
                                  types);
  // Ops like kiln.cast keep the operand's shape and choose their element type.
  if (op->hasTrait<OpTrait::SameOperandsAndResultShape>() &&
      op->getNumOperands() > 0) {
    auto shape = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    for (Type t : op->getResultTypes()) {
      auto rt = dyn_cast<RankedTensorType>(t);
      types.push_back(shape && rt ? RankedTensorType::get(shape.getShape(),
                                                          rt.getElementType())
                                  : t);
    }
    return success();
  }
  llvm::append_range(types, op->getResultTypes());
  return success();
}

/// Kiln ops re-infer their results from refined operands, and func.return
/// is handled with the signature; any other op may rely on the exact type it
/// was built with (func.call against its callee, linalg results against
/// their inits, block arguments against branch operands).
bool acceptsRefinedOperands(Operation *user) {
  return isa<KilnDialect>(user->getDialect()) || isa<func::ReturnOp>(user);
}

/// Gives `result` its refined type; uses in ops that cannot take it read a
/// tensor.cast back to the type they saw.
void refine(OpResult result, Type refined) {
  Type old = result.getType();
  if (old == refined)
    return;
  result.setType(refined);
  SmallVector<OpOperand *> foreign;
  for (OpOperand &use : result.getUses())
    if (!acceptsRefinedOperands(use.getOwner()))
      foreign.push_back(&use);
  if (foreign.empty())
    return;
  OpBuilder builder(result.getContext());
  builder.setInsertionPointAfterValue(result);
  Value cast = builder.create<tensor::CastOp>(result.getLoc(), old, result);
  for (OpOperand *use : foreign)
    use->set(cast);
}

struct KilnShapeInference
    : kiln::impl::KilnShapeInferenceBase<KilnShapeInference> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    WalkResult walk = fn.walk([&](Operation *op) {
      // Only kiln ops are refined: values flowing into other ops keep the
      // types those ops were built with (see refine()).
      if (!isa<KilnDialect>(op->getDialect()) || op->getNumResults() == 0)
        return WalkResult::advance();
      SmallVector<Type> inferred;
      if (failed(inferResultTypes(op, inferred)))
        return WalkResult::interrupt();
      for (auto [result, type] : llvm::zip(op->getResults(), inferred)) {
        Type refined = meet(result.getType(), type);
        if (!refined) {
          op->emitOpError("result type ")
              << result.getType() << " conflicts with the inferred " << type;
          return WalkResult::interrupt();
        }
        refine(cast<OpResult>(result), refined);
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    if (!fn.isExternal())
      updateResultTypes(fn);
  }

  /// A public function is an entry point: its result types follow its
  /// returns. A private one exists to be called from elsewhere in the
  /// module, and a function pass can neither see nor update those calls: it
  /// keeps its signature, and refined values are cast back to it. So are the
  /// values of a result on which several returns disagree.
  void updateResultTypes(func::FuncOp fn) {
    SmallVector<func::ReturnOp> returns;
    fn.walk([&](func::ReturnOp ret) { returns.push_back(ret); });
    if (returns.empty())
      return;
    SmallVector<Type> resultTypes(fn.getResultTypes());
    if (fn.isPublic()) {
      for (unsigned i = 0; i < resultTypes.size(); ++i) {
        Type first = returns.front().getOperand(i).getType();
        if (llvm::all_of(returns, [&](func::ReturnOp ret) {
              return ret.getOperand(i).getType() == first;
            }))
          resultTypes[i] = first;
      }
    }
    for (func::ReturnOp ret : returns) {
      OpBuilder builder(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Type declared = resultTypes[operand.getOperandNumber()];
        if (operand.get().getType() != declared)
          operand.set(builder.create<tensor::CastOp>(ret.getLoc(), declared,
                                                     operand.get()));
      }
    }
    fn.setType(FunctionType::get(&getContext(), fn.getArgumentTypes(),
                                 resultTypes));
  }
};

} // namespace
