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
  if (adaptor.getEpsilon().convertToDouble() < 0)
    return diag("epsilon must be >= 0");
  ArrayRef<int64_t> normalized = input.getShape().drop_front(axis);
  for (Value param : {adaptor.getScale(), adaptor.getBias()}) {
    if (!param)
      continue;
    RankedTensorType t = getRanked(param);
    if (!t)
      return diag("scale and bias must be ranked tensors");
    std::optional<SmallVector<int64_t>> b =
        broadcastShapes({t.getShape(), normalized});
    if (t.getRank() > static_cast<int64_t>(normalized.size()) || !b ||
        ArrayRef<int64_t>(*b) != normalized)
      return diag(param == adaptor.getScale() ? "scale " : "bias ",
                  formatShape(t.getShape()),
                  " does not broadcast to the normalized shape ",
                  formatShape(normalized));
    if (t.getElementType() != input.getElementType())
      return diag("scale and bias must have the input's element type");
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
  if (!input || input.getRank() < 2)
    return diag("input must be [N, C, ...]");
  if (adaptor.getEpsilon().convertToDouble() < 0)
    return diag("epsilon must be >= 0");
  int64_t channels = input.getDimSize(1);
  const char *names[] = {"scale", "bias", "mean", "variance"};
  Value params[] = {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                    adaptor.getVariance()};
  for (auto [name, param] : llvm::zip(names, params)) {
    RankedTensorType t = getRanked(param);
    if (!t || t.getRank() != 1 ||
        (!ShapedType::isDynamic(channels) && !t.isDynamicDim(0) &&
         t.getDimSize(0) != channels))
      return diag(name, " must be [", channels, "] (one per channel), got ",
                  t ? formatShape(t.getShape()) : std::string("non-tensor"));
  }
  types.push_back(input);
  return success();
}
