//===- Conv.cpp - VJP rule of kiln.conv -----------------------------------===//
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

using namespace mlir;
using namespace mlir::kiln;

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

  if (vjp.wantsGrad(1)) {
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
    Value dw = vjp.create<ConvOp>(lhs, filter, Value(), dilations, pads,
                                  strides, groups);
    // The product may reach kernel positions past the filter's end (the
    // padded input is longer than the windows use); keep the filter's.
    for (int64_t i = 0; i < spatial; ++i)
      dw = vjp.sliceDim(dw, 2 + i, 0, wShape[2 + i]);
    // [C/G, F, k...] -> [F, C/G, k...].
    vjp.setOperandGrad(1, vjp.transpose(dw, swap));
  }

  if (getBias() && vjp.wantsGrad(2)) {
    // Bias [F] is added along dim 1, not NumPy's trailing alignment.
    SmallVector<int64_t> axes = {0};
    for (int64_t i = 0; i < spatial; ++i)
      axes.push_back(2 + i);
    vjp.setOperandGrad(2, vjp.reshape(vjp.reduceSum(g, axes, /*keepdims=*/false),
                                      {wShape[0]}));
  }
  return success();
}
