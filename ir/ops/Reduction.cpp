//===- Reduction.cpp - reduce_* and argmax --------------------------------===//

#include "ir/KilnOps.h"
#include "ir/Shapes.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

static LogicalResult inferReduce(InferDiag diag, RankedTensorType input,
                                 ArrayRef<int64_t> axes, bool keepdims,
                                 Type elementType,
                                 SmallVectorImpl<Type> &types) {
  if (!input)
    return diag("input must be a ranked tensor");
  if (axes.empty())
    return diag("axes must not be empty");
  if (!areValidAxes(axes, input.getRank()))
    return diag("axes ", formatShape(axes),
                " must be unique and in [0, ", input.getRank(), ")");
  types.push_back(RankedTensorType::get(
      reducedShape(input.getShape(), axes, keepdims), elementType));
  return success();
}

#define KILN_REDUCE_INFER(OP)                                                  \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc,\
                                     OP::Adaptor adaptor,                      \
                                     SmallVectorImpl<Type> &types) {           \
    RankedTensorType in = getRanked(adaptor.getInput());                      \
    return inferReduce(InferDiag(loc, getOperationName()), in,                 \
                       adaptor.getAxes(), adaptor.getKeepdims(),               \
                       in ? in.getElementType() : Type(), types);              \
  }
KILN_REDUCE_INFER(ReduceSumOp)
KILN_REDUCE_INFER(ReduceMeanOp)
KILN_REDUCE_INFER(ReduceMaxOp)
KILN_REDUCE_INFER(ReduceMinOp)
KILN_REDUCE_INFER(ReduceProdOp)
#undef KILN_REDUCE_INFER

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  // Checked here, not by inferReduce, so the message names `axis`.
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank())
    return diag("axis ", axis, " is out of range [0, ", input.getRank(), ")");
  if (failed(inferReduce(diag, input, {axis}, adaptor.getKeepdims(),
                         IntegerType::get(ctx, 64), types)))
    return failure();
  if (input.getDimSize(axis) == 0 &&
      numElements(cast<RankedTensorType>(types.back()).getShape()) > 0)
    return diag("has no maximum to find: dim ", axis, " has size 0");
  return success();
}
