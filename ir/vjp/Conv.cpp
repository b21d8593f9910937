//===- Conv.cpp - VJP rules of kiln.conv and kiln.conv_transpose ----------===//
//
// kiln.conv's cotangents are its two backward ops, kiln ops with their own
// shape rules and lowerings (ir/ops/Conv.cpp, codegen/KilnToLinalg/):
//
// - input:  kiln.conv_backward_data of the output cotangent and the filter;
// - filter: kiln.conv_backward_filter of the input and the output cotangent;
// - bias:   the cotangent summed over batch and space.
//
// kiln.conv_transpose is the adjoint of kiln.conv in its input, so its input
// cotangent is a kiln.conv and its filter cotangent a conv_backward_filter
// with the roles of input and output swapped.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/VJPBuilder.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::kiln;

/// The bias cotangent: `g` summed over batch and space (bias [F] is added
/// along dim 1, not NumPy's trailing alignment).
static Value biasGrad(VJPBuilder &vjp, Value g) {
  ArrayRef<int64_t> gShape = shapeOf(g);
  SmallVector<int64_t> axes = {0};
  for (int64_t i = 2; i < static_cast<int64_t>(gShape.size()); ++i)
    axes.push_back(i);
  return vjp.reshape(vjp.reduceSum(g, axes, /*keepdims=*/false), {gShape[1]});
}

LogicalResult ConvOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  Value x = getInput(), w = getFilter();
  ArrayRef<int64_t> xShape = shapeOf(x), wShape = shapeOf(w);
  if (vjp.wantsGrad(0))
    vjp.setOperandGrad(0, vjp.create<ConvBackwardDataOp>(
                              g, w, xShape, getStrides(), getPads(),
                              getDilations(), getGroups()));
  if (vjp.wantsGrad(1))
    vjp.setOperandGrad(1, vjp.create<ConvBackwardFilterOp>(
                              x, g, wShape.drop_front(2), getStrides(),
                              getPads(), getDilations(), getGroups()));
  if (getBias() && vjp.wantsGrad(2))
    vjp.setOperandGrad(2, biasGrad(vjp, g));
  return success();
}

/// kiln.conv_transpose is the adjoint of kiln.conv in its input: for
/// y = conv_transpose(x, w), x's cotangent is conv(dy, w) with the same
/// strides, pads, dilations and groups (w [C, F/G, k...] read as conv's
/// [out, in / groups, k...]), cut to x's size; and the filter's is conv's
/// filter cotangent of that convolution, with x as its output cotangent.
/// Negative begin pads (output positions no input reaches) drop those
/// positions of dy first; negative end pads need no padding at all.
LogicalResult ConvTransposeOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  Value x = getInput(), w = getFilter();
  ArrayRef<int64_t> xShape = shapeOf(x), wShape = shapeOf(w);
  int64_t spatial = static_cast<int64_t>(xShape.size()) - 2;
  int64_t groups = getGroups();
  ArrayRef<int64_t> strides = getStrides(), pads = getPads(),
                    dilations = getDilations();
  Value dy = g;
  SmallVector<int64_t> convPads(pads);
  for (int64_t i = 0; i < spatial; ++i) {
    if (pads[i] < 0) {
      dy = vjp.sliceDim(dy, 2 + i, -pads[i], shapeOf(dy)[2 + i]);
      convPads[i] = 0;
    }
    convPads[spatial + i] = std::max<int64_t>(pads[spatial + i], 0);
  }
  if (vjp.wantsGrad(0)) {
    Value dx = vjp.create<ConvOp>(dy, w, Value(), strides, convPads, dilations,
                                  groups);
    for (int64_t i = 0; i < spatial; ++i)
      dx = vjp.sliceDim(dx, 2 + i, 0, xShape[2 + i]);
    vjp.setOperandGrad(0, dx);
  }
  if (vjp.wantsGrad(1)) {
    // The filter cotangent of conv(dy, w) for output cotangent x. That
    // convolution may have more outputs than x (output_padding, negative end
    // pads): keep exactly what x's windows read, cutting dy where they end
    // before it, else padding its end as far as they reach.
    Value input = dy;
    SmallVector<int64_t> filterPads(convPads);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t read = (xShape[2 + i] - 1) * strides[i] +
                     dilations[i] * (wShape[2 + i] - 1) + 1 - convPads[i];
      int64_t length = shapeOf(input)[2 + i];
      if (read < length)
        input = vjp.sliceDim(input, 2 + i, 0, read);
      filterPads[spatial + i] = std::max<int64_t>(read - length, 0);
    }
    vjp.setOperandGrad(1, vjp.create<ConvBackwardFilterOp>(
                              input, x, wShape.drop_front(2), strides,
                              filterPads, dilations, groups));
  }
  if (getBias() && vjp.wantsGrad(2))
    vjp.setOperandGrad(2, biasGrad(vjp, g));
  return success();
}
