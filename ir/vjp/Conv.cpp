//===- Conv.cpp - VJP rules of kiln.conv and kiln.conv_transpose ----------===//
//
// Both cotangents are convolutions themselves, so they reuse kiln ops that
// have their own lowerings instead of new backward ops:
//
// - input:  a transposed convolution of the output cotangent with the same
//           filter, strides, pads, dilations and groups. conv_transpose
//           takes the filter as [in, out / groups, k...] = [F, C / groups,
//           k...], exactly conv's layout, and `output_padding` restores the
//           input positions that no window reached at the end.
// - filter: dW[f, c, k] = sum_{n, o} dY[n, f, o] X[n, c, o*s + k*d - p], a
//           convolution of X (batch and channels swapped) with dY as the
//           filter, the forward strides becoming dilations and vice versa.
//           Groups: X is laid out [C/G, G*N, ...] so group g's channels meet
//           the filters of group g.
// - bias:   the cotangent summed over batch and space.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/VJPBuilder.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::kiln;

/// The filter cotangent of y = conv(x, w) for output cotangent `g`:
/// dW[f, c, k] = sum_{n, o} g[n, f, o] x[n, c, o*s + k*d - p], as a
/// convolution of x (batch and channels swapped) with g as the filter, the
/// forward strides becoming dilations and vice versa. Groups: x is laid out
/// [C/G, G*N, ...] so group g's channels meet the filters of group g.
static Value convFilterGrad(VJPBuilder &vjp, Value x, Value g,
                            ArrayRef<int64_t> wShape, ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                            int64_t groups) {
  ArrayRef<int64_t> xShape = shapeOf(x);
  int64_t spatial = static_cast<int64_t>(xShape.size()) - 2;
  int64_t n = xShape[0], c = xShape[1];
  int64_t cg = c / groups;
  // X [N, C, s...] -> [N, G, C/G, s...] -> [C/G, G, N, s...] -> [C/G, G*N, s...].
  SmallVector<int64_t> grouped = {n, groups, cg};
  grouped.append(xShape.begin() + 2, xShape.end());
  SmallVector<int64_t> perm = {2, 1, 0};
  for (int64_t i = 0; i < spatial; ++i)
    perm.push_back(3 + i);
  SmallVector<int64_t> xInput = {cg, groups * n};
  xInput.append(xShape.begin() + 2, xShape.end());
  Value lhs = vjp.reshape(vjp.transpose(vjp.reshape(x, grouped), perm), xInput);
  // dY [N, F, o...] -> [F, N, o...]: F filters over N "channels" per group.
  SmallVector<int64_t> swap = {1, 0};
  for (int64_t i = 0; i < spatial; ++i)
    swap.push_back(2 + i);
  Value filter = vjp.transpose(g, swap);
  Value dw = vjp.create<ConvOp>(lhs, filter, Value(), dilations, pads, strides,
                                groups);
  // The product may reach kernel positions past the filter's end (the
  // padded input is longer than the windows use); keep the filter's.
  for (int64_t i = 0; i < spatial; ++i)
    dw = vjp.sliceDim(dw, 2 + i, 0, wShape[2 + i]);
  // [C/G, F, k...] -> [F, C/G, k...].
  return vjp.transpose(dw, swap);
}

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
  ArrayRef<int64_t> xShape = shapeOf(x), wShape = shapeOf(w), gShape = shapeOf(g);
  int64_t spatial = static_cast<int64_t>(xShape.size()) - 2;
  int64_t groups = getGroups();
  ArrayRef<int64_t> strides = getStrides(), pads = getPads(),
                    dilations = getDilations();

  if (vjp.wantsGrad(0)) {
    SmallVector<int64_t> outputPadding, transposePads(pads);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t reached = strides[i] * (gShape[2 + i] - 1) +
                        dilations[i] * (wShape[2 + i] - 1) + 1 - pads[i] -
                        pads[spatial + i];
      // reached <= in always (the forward windows fit the padded input).
      outputPadding.push_back(xShape[2 + i] - reached);
    }
    Value dx = vjp.create<ConvTransposeOp>(
        g, w, Value(), strides, transposePads, dilations, outputPadding,
        groups);
    vjp.setOperandGrad(0, dx);
  }

  if (vjp.wantsGrad(1))
    vjp.setOperandGrad(1, convFilterGrad(vjp, x, g, wShape, strides, pads,
                                         dilations, groups));

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
  if (vjp.wantsGrad(1))
    vjp.setOperandGrad(1, convFilterGrad(vjp, dy, x, wShape, strides, convPads,
                                         dilations, groups));
  if (getBias() && vjp.wantsGrad(2))
    vjp.setOperandGrad(2, biasGrad(vjp, g));
  return success();
}
