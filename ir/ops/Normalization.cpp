//===- Normalization.cpp - softmax, log_softmax, layer_norm, batch_norm ---===//

#include "ir/KilnOps.h"
#include "ir/Shapes.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

template <typename SoftmaxLike>
static LogicalResult verifySoftmax(SoftmaxLike op) {
  int64_t rank = op.getType().getRank();
  int64_t axis = op.getAxis();
  if (axis < 0 || axis >= rank)
    return op.emitOpError("axis ")
           << axis << " is out of range [0, " << rank << ")";
  return success();
}

LogicalResult SoftmaxOp::verify() { return verifySoftmax(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmax(*this); }

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank())
    return diag("axis ", axis, " is out of range [0, ", input.getRank(), ")");
  double epsilon = adaptor.getEpsilon().convertToDouble();
  if (!(epsilon >= 0))
    return diag("epsilon must be >= 0, got ", epsilon);
  ArrayRef<int64_t> normalized = input.getShape().drop_front(axis);
  for (auto [name, param] : {std::pair{"scale", adaptor.getScale()},
                             std::pair{"bias", adaptor.getBias()}}) {
    if (!param)
      continue;
    RankedTensorType t = getRanked(param);
    if (!t)
      return diag(name, " must be a ranked tensor");
    // Scale and bias must not stretch the normalized shape; an unknown dim
    // on either side is checked at run time.
    if (!mayBroadcastTo(t.getShape(), normalized))
      return diag(name, " ", formatShape(t.getShape()),
                  " does not broadcast to the normalized shape ",
                  formatShape(normalized));
    if (t.getElementType() != input.getElementType())
      return diag(name, " element type ", t.getElementType(),
                  " differs from the input's ", input.getElementType());
  }
  types.push_back(input);
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  if (input.getRank() < 2)
    return diag("input must be [N, C, ...], got rank ", input.getRank());
  double epsilon = adaptor.getEpsilon().convertToDouble();
  if (!(epsilon >= 0))
    return diag("epsilon must be >= 0, got ", epsilon);
  int64_t channels = input.getDimSize(1);
  const char *names[] = {"scale", "bias", "mean", "variance"};
  Value params[] = {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                    adaptor.getVariance()};
  for (auto [name, param] : llvm::zip(names, params)) {
    RankedTensorType t = getRanked(param);
    if (!t || t.getRank() != 1 ||
        (!ShapedType::isDynamic(channels) && !t.isDynamicDim(0) &&
         t.getDimSize(0) != channels))
      return diag(name, " must be ", formatShape({channels}),
                  " (one per channel), got ",
                  t ? formatShape(t.getShape()) : std::string("non-tensor"));
  }
  types.push_back(input);
  return success();
}
