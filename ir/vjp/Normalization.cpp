//===- Normalization.cpp - VJP rules of softmax and the norms -------------===//
//
// softmax:     dx = y * (g - sum(g * y))
// log_softmax: dx = g - exp(y) * sum(g)
// layer_norm and batch_norm recompute the normalized input from the saved
// input (mean and variance are cheap next to the backward pass) and apply
// the textbook formulas, which PyTorch's kernels implement too.
// batch_norm is the inference form: mean and variance are operands (running
// statistics), so their cotangents are those of plain operands.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/VJPBuilder.h"

#include <numeric>

using namespace mlir;
using namespace mlir::kiln;

static int64_t normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

LogicalResult SoftmaxOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), y = getOutput();
  if (!g)
    return success();
  int64_t axis = normalizeAxis(getAxis(), shapeOf(y).size());
  Value dot = vjp.reduceSum(vjp.mul(g, y), {axis}, /*keepdims=*/true);
  vjp.setOperandGrad(0, vjp.mul(y, vjp.sub(g, dot)));
  return success();
}

LogicalResult LogSoftmaxOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), y = getOutput();
  if (!g)
    return success();
  int64_t axis = normalizeAxis(getAxis(), shapeOf(y).size());
  Value total = vjp.reduceSum(g, {axis}, /*keepdims=*/true);
  vjp.setOperandGrad(0, vjp.sub(g, vjp.mul(vjp.create<ExpOp>(y), total)));
  return success();
}

LogicalResult LayerNormOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), x = getInput();
  if (!g)
    return success();
  int64_t rank = shapeOf(x).size();
  int64_t axis = normalizeAxis(getAxis(), rank);
  SmallVector<int64_t> axes(rank - axis);
  std::iota(axes.begin(), axes.end(), axis);
  // xhat = (x - mean) * rstd, rstd = 1 / sqrt(var + eps).
  Value centered = vjp.sub(x, vjp.reduceMean(x, axes, /*keepdims=*/true));
  Value variance =
      vjp.reduceMean(vjp.mul(centered, centered), axes, /*keepdims=*/true);
  Value rstd = vjp.create<RsqrtOp>(vjp.add(
      variance, vjp.scalarLike(x, getEpsilon().convertToDouble())));
  Value xhat = vjp.mul(centered, rstd);
  if (vjp.wantsGrad(0)) {
    // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
    Value dxhat = vjp.mul(g, getScale());
    Value meanD = vjp.reduceMean(dxhat, axes, /*keepdims=*/true);
    Value meanDX =
        vjp.reduceMean(vjp.mul(dxhat, xhat), axes, /*keepdims=*/true);
    Value centeredD = vjp.sub(dxhat, meanD);
    vjp.setOperandGrad(0, vjp.mul(rstd, vjp.sub(centeredD, vjp.mul(xhat, meanDX))));
  }
  if (vjp.wantsGrad(1))
    vjp.setOperandGrad(1, vjp.mul(g, xhat));
  if (getBias() && vjp.wantsGrad(2))
    vjp.setOperandGrad(2, g);
  return success();
}

LogicalResult BatchNormOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), x = getInput();
  if (!g)
    return success();
  // Per-channel vectors [C] as [C, 1, ...] so they broadcast over [N, C, ...].
  SmallVector<int64_t> channelShape(shapeOf(x).size() - 1, 1);
  channelShape[0] = shapeOf(x)[1];
  auto channel = [&](Value v) { return vjp.reshape(v, channelShape); };
  Value scale = channel(getScale()), mean = channel(getMean());
  Value rstd = vjp.create<RsqrtOp>(vjp.add(
      channel(getVariance()),
      vjp.scalarLike(x, getEpsilon().convertToDouble())));
  Value centered = vjp.sub(x, mean);
  Value gScaled = vjp.mul(g, vjp.mul(scale, rstd));
  // Operands 0..4: input, scale, bias, mean, variance. The builder sums each
  // cotangent from [N, C, ...] back to [C, 1, ...]; reshape to [C].
  auto record = [&](unsigned operand, Value full) {
    vjp.setOperandGrad(operand,
                       vjp.reshape(vjp.sumToShape(full, channelShape),
                                   shapeOf(getOperand(operand))));
  };
  if (vjp.wantsGrad(0))
    vjp.setOperandGrad(0, gScaled);
  if (vjp.wantsGrad(1))
    record(1, vjp.mul(g, vjp.mul(centered, rstd)));
  if (vjp.wantsGrad(2))
    record(2, g);
  if (vjp.wantsGrad(3))
    record(3, vjp.neg(gScaled));
  if (vjp.wantsGrad(4)) {
    // d/dvar of scale * (x - mean) * (var + eps)^-1/2 = -1/2 scale (x - mean) rstd^3.
    Value rstd3 = vjp.mul(rstd, vjp.mul(rstd, rstd));
    Value halfGC = vjp.scale(vjp.mul(g, centered), -0.5);
    record(4, vjp.mul(halfGC, vjp.mul(scale, rstd3)));
  }
  return success();
}
