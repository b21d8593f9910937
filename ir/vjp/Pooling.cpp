//===- Pooling.cpp - VJP rules of the pooling ops -------------------------===//
//
// Average pooling: each window spreads its cotangent, divided by the
// window's divisor, over the elements it read: a depthwise transposed
// convolution with a filter of ones, dilated as the window
// (ir/Shapes.h's avgPoolWindowCounts gives the divisors, the same the
// lowering uses).
//
// Max pooling: kiln.max_pool_grad, its own op with its own lowering: the
// cotangent goes to the first element of each window equal to the window's
// maximum, or to its last NaN (PyTorch's rule, the scan order of its
// kernel).
//
// Global pooling: as the reductions over the spatial dims.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/Shapes.h"
#include "ir/VJPBuilder.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <limits>
#include <numeric>

using namespace mlir;
using namespace mlir::kiln;

LogicalResult AvgPoolOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  Value x = getInput();
  ArrayRef<int64_t> xShape = shapeOf(x), gShape = shapeOf(g);
  int64_t spatial = static_cast<int64_t>(xShape.size()) - 2;
  int64_t channels = xShape[1];
  ArrayRef<int64_t> kernel = getKernelShape(), strides = getStrides(),
                    pads = getPads();
  SmallVector<int64_t> dilations(spatial, 1);
  if (std::optional<ArrayRef<int64_t>> d = getDilations())
    dilations.assign(d->begin(), d->end());
  Type elementType = cast<RankedTensorType>(g.getType()).getElementType();

  // Divisors [o...], separable over the spatial dims.
  SmallVector<SmallVector<int64_t>> counts;
  for (int64_t i = 0; i < spatial; ++i)
    counts.push_back(avgPoolWindowCounts(
        xShape[2 + i], gShape[2 + i], kernel[i], strides[i], pads[i],
        pads[spatial + i], dilations[i], getCountIncludePad()));
  SmallVector<int64_t> outSpatial(gShape.begin() + 2, gShape.end());
  SmallVector<double> divisors(1, 1.0);
  for (const SmallVector<int64_t> &dim : counts) {
    SmallVector<double> next;
    for (double d : divisors)
      for (int64_t c : dim)
        next.push_back(d * static_cast<double>(c));
    divisors = std::move(next);
  }
  SmallVector<Attribute> attrs;
  for (double d : divisors)
    attrs.push_back(FloatAttr::get(elementType, 1.0 / d));
  Value inverse = vjp.create<ConstantOp>(DenseElementsAttr::get(
      RankedTensorType::get(outSpatial, elementType), attrs));
  Value scaled = vjp.mul(g, inverse);

  // Depthwise transposed convolution with ones: filter [C, 1, k...].
  SmallVector<int64_t> filterShape = {channels, 1};
  filterShape.append(kernel.begin(), kernel.end());
  Value ones = vjp.create<ConstantOp>(
      DenseElementsAttr::get(RankedTensorType::get(filterShape, elementType),
                             FloatAttr::get(elementType, 1.0)));
  SmallVector<int64_t> transposePads(pads), outputPadding;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t reached = strides[i] * (gShape[2 + i] - 1) +
                      dilations[i] * (kernel[i] - 1) + 1 - pads[i] -
                      pads[spatial + i];
    // ceil_mode windows may reach past the end padding: crop them.
    if (reached > xShape[2 + i]) {
      transposePads[spatial + i] += reached - xShape[2 + i];
      outputPadding.push_back(0);
    } else {
      outputPadding.push_back(xShape[2 + i] - reached);
    }
  }
  vjp.setOperandGrad(0, vjp.create<ConvTransposeOp>(
                            scaled, ones, Value(), strides, transposePads,
                            dilations, outputPadding, channels));
  return success();
}

LogicalResult MaxPoolOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), x = getInput();
  if (!g || !isa<FloatType>(cast<RankedTensorType>(x.getType()).getElementType()))
    return success();
  vjp.setOperandGrad(0, vjp.create<MaxPoolGradOp>(
                            x, g, getKernelShape(), getStrides(), getPads(),
                            getDilations(), getCeilMode()));
  return success();
}

/// The spatial axes [2, rank) of a global pooling op's input.
static SmallVector<int64_t> spatialAxes(Value input) {
  SmallVector<int64_t> axes(shapeOf(input).size() - 2);
  std::iota(axes.begin(), axes.end(), 2);
  return axes;
}

LogicalResult GlobalAvgPoolOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), x = getInput();
  if (!g)
    return success();
  int64_t count = 1;
  for (int64_t a : spatialAxes(x))
    count *= shapeOf(x)[a];
  vjp.setOperandGrad(
      0, vjp.expandTo(vjp.scale(g, 1.0 / static_cast<double>(count)), shapeOf(x)));
  return success();
}

LogicalResult GlobalMaxPoolOp::buildVJP(VJPBuilder &vjp) {
  // As reduce_max over the spatial dims: ties share the cotangent.
  Value g = vjp.resultGrad(), x = getInput();
  if (!g || !isa<FloatType>(cast<RankedTensorType>(x.getType()).getElementType()))
    return success();
  SmallVector<int64_t> axes = spatialAxes(x);
  Value hits = vjp.cast(
      vjp.compare(ComparePredicate::eq, x, vjp.expandTo(getOutput(), shapeOf(x))),
      cast<RankedTensorType>(g.getType()).getElementType());
  Value ties = vjp.reduceSum(hits, axes, /*keepdims=*/true);
  vjp.setOperandGrad(0, vjp.mul(hits, vjp.expandTo(vjp.div(g, ties), shapeOf(x))));
  return success();
}
