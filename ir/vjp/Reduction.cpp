//===- Reduction.cpp - VJP rules of the reductions ------------------------===//
//
// A reduction's cotangent is broadcast back over the reduced axes. Sum and
// mean spread it evenly; max and min give it to the elements equal to the
// result, split evenly between ties (PyTorch's amax/amin rule); product
// divides the product by each element.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/VJPBuilder.h"

using namespace mlir;
using namespace mlir::kiln;

/// `v`, a reduction's result (or its cotangent) over `axes` of `input`,
/// reshaped to keep the reduced dims as 1 and broadcast to the input's shape.
static Value broadcastBack(VJPBuilder &vjp, Value v, Value input,
                           ArrayRef<int64_t> axes) {
  SmallVector<int64_t> kept(shapeOf(input));
  for (int64_t a : axes)
    kept[a] = 1;
  return vjp.expandTo(vjp.reshape(v, kept), shapeOf(input));
}

static int64_t reducedCount(Value input, ArrayRef<int64_t> axes) {
  int64_t count = 1;
  for (int64_t a : axes)
    count *= shapeOf(input)[a];
  return count;
}

/// max/min: `g` goes to the elements equal to the result, split between
/// equal ones.
static void buildExtremumVJP(VJPBuilder &vjp, Value input, Value output,
                             ArrayRef<int64_t> axes) {
  Value g = vjp.resultGrad();
  if (!g)
    return;
  Value hits = vjp.cast(vjp.compare(ComparePredicate::eq, input,
                                    broadcastBack(vjp, output, input, axes)),
                        cast<RankedTensorType>(g.getType()).getElementType());
  Value ties = vjp.reduceSum(hits, axes, /*keepdims=*/true);
  Value share = vjp.div(vjp.reshape(g, shapeOf(ties)), ties);
  vjp.setOperandGrad(0, vjp.mul(hits, vjp.expandTo(share, shapeOf(input))));
}

LogicalResult ReduceSumOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, broadcastBack(vjp, g, getInput(), getAxes()));
  return success();
}

LogicalResult ReduceMeanOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(
        0, broadcastBack(vjp,
                         vjp.scale(g, 1.0 / static_cast<double>(reducedCount(
                                                 getInput(), getAxes()))),
                         getInput(), getAxes()));
  return success();
}

LogicalResult ReduceMaxOp::buildVJP(VJPBuilder &vjp) {
  buildExtremumVJP(vjp, getInput(), getOutput(), getAxes());
  return success();
}

LogicalResult ReduceMinOp::buildVJP(VJPBuilder &vjp) {
  buildExtremumVJP(vjp, getInput(), getOutput(), getAxes());
  return success();
}

LogicalResult ReduceProdOp::buildVJP(VJPBuilder &vjp) {
  // g * prod / x: exact wherever no element of the product is zero (a zero
  // element gives NaN, where PyTorch computes the product of the others).
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  Value y = broadcastBack(vjp, vjp.mul(g, getOutput()), getInput(), getAxes());
  vjp.setOperandGrad(0, vjp.div(y, getInput()));
  return success();
}

LogicalResult ArgMaxOp::buildVJP(VJPBuilder &) {
  // An integer result: no cotangent flows back.
  return success();
}
