//===- DataMovement.cpp - VJP rules of the data movement ops --------------===//
//
// Each rule is the adjoint of the movement: reshapes reshape back, transpose
// applies the inverse permutation, concat slices and split concatenates,
// slice and pad put the cotangent back where the elements came from, expand
// sums over the broadcast dims, and gather adds its cotangent into the rows
// it read (kiln.scatter_add, its backward op).
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/VJPBuilder.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::kiln;

/// Ops whose result holds the input's elements in the same order.
static LogicalResult buildReshapeVJP(VJPBuilder &vjp, Value input) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, vjp.reshape(g, shapeOf(input)));
  return success();
}

LogicalResult ReshapeOp::buildVJP(VJPBuilder &vjp) {
  return buildReshapeVJP(vjp, getInput());
}
LogicalResult FlattenOp::buildVJP(VJPBuilder &vjp) {
  return buildReshapeVJP(vjp, getInput());
}
LogicalResult SqueezeOp::buildVJP(VJPBuilder &vjp) {
  return buildReshapeVJP(vjp, getInput());
}
LogicalResult UnsqueezeOp::buildVJP(VJPBuilder &vjp) {
  return buildReshapeVJP(vjp, getInput());
}

LogicalResult TransposeOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  ArrayRef<int64_t> perm = getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[perm[i]] = static_cast<int64_t>(i);
  vjp.setOperandGrad(0, vjp.transpose(g, inverse));
  return success();
}

LogicalResult ExpandOp::buildVJP(VJPBuilder &vjp) {
  // The builder sums the broadcast dims back.
  vjp.setOperandGrad(0, vjp.resultGrad());
  return success();
}

LogicalResult ConcatOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  int64_t rank = shapeOf(g).size();
  // The attribute is read back as unsigned: a negative axis is its two's complement.
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0)
    axis += rank;
  int64_t offset = 0;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    int64_t size = shapeOf(input)[axis];
    if (vjp.wantsGrad(i))
      vjp.setOperandGrad(i, vjp.sliceDim(g, axis, offset, offset + size));
    offset += size;
  }
  return success();
}

LogicalResult SplitOp::buildVJP(VJPBuilder &vjp) {
  // Pieces without a cotangent contribute zeros.
  SmallVector<Value> pieces;
  bool any = false;
  for (unsigned i = 0; i < getNumResults(); ++i) {
    any |= static_cast<bool>(vjp.resultGrad(i));
    pieces.push_back(vjp.resultGradOrZero(i));
  }
  if (!any)
    return success();
  int64_t rank = shapeOf(getInput()).size();
  // The attribute is read back as unsigned: a negative axis is its two's complement.
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0)
    axis += rank;
  vjp.setOperandGrad(0, pieces.size() == 1
                            ? pieces.front()
                            : vjp.create<ConcatOp>(pieces, axis));
  return success();
}

LogicalResult SliceOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  ArrayRef<int64_t> inShape = shapeOf(getInput());
  if (llvm::is_contained(shapeOf(g), 0))
    return success(); // an empty slice: the gradient is zero
  ArrayRef<int64_t> starts = getStarts(), steps = getSteps();
  for (int64_t d = 0; d < static_cast<int64_t>(inShape.size()); ++d) {
    int64_t n = shapeOf(g)[d], start = starts[d], step = steps[d];
    if (step < 0) {
      // Reverse the dim: element j then sits at the lowest index first.
      start += (n - 1) * step;
      step = -step;
      g = vjp.sliceReversed(g, d);
    }
    g = vjp.insertStrided(g, d, start, step, inShape[d]);
  }
  vjp.setOperandGrad(0, g);
  return success();
}

/// `v` (of size 1 or more along `dim`) placed at [at, at + its size) of a
/// dim of `size` elements, zeros elsewhere.
static Value placeAlong(VJPBuilder &vjp, Value v, int64_t dim, int64_t at,
                        int64_t size) {
  int64_t rank = static_cast<int64_t>(shapeOf(v).size());
  SmallVector<int64_t> pads(2 * rank, 0);
  pads[dim] = at;
  pads[rank + dim] = size - at - shapeOf(v)[dim];
  return vjp.padZeros(v, pads);
}

/// Padding is separable (out[i, j] = in[f0(i), f1(j)] for edge and reflect,
/// a placement for constant), so its adjoint is one dim at a time. Along a
/// dim with begin pad b, end pad e and n input elements, the cotangent's
/// middle [b, b + n) goes to the input as is; constant padding drops the
/// rest. Edge padding adds the sums of the begin and end pads to elements 0
/// and n - 1. Reflect padding adds the begin pad, reversed, to elements
/// [1, b + 1) and the end pad, reversed, to [n - 1 - e, n - 1). Wrap padding
/// cuts the cotangent into runs of n aligned with the input (output i reads
/// input (i - b) mod n) and adds each run to the elements it read.
LogicalResult PadOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  ArrayRef<int64_t> inShape = shapeOf(getInput());
  ArrayRef<int64_t> pads = getPads();
  int64_t rank = static_cast<int64_t>(inShape.size());
  for (int64_t d = 0; d < rank; ++d) {
    int64_t b = pads[d], e = pads[rank + d], n = inShape[d];
    Value inside = vjp.sliceDim(g, d, b, b + n);
    Value before = b > 0 ? vjp.sliceDim(g, d, 0, b) : Value();
    Value after = e > 0 ? vjp.sliceDim(g, d, b + n, b + n + e) : Value();
    if (getMode() == PadMode::edge) {
      if (before)
        inside = vjp.add(inside, placeAlong(vjp, vjp.reduceSum(before, {d}, true), d, 0, n));
      if (after)
        inside = vjp.add(inside, placeAlong(vjp, vjp.reduceSum(after, {d}, true), d, n - 1, n));
    } else if (getMode() == PadMode::wrap) {
      // t = i - b runs over [-b, n + e); run q covers t in [q n, (q + 1) n).
      auto floorDiv = [](int64_t a, int64_t m) {
        return a >= 0 ? a / m : -((-a + m - 1) / m);
      };
      for (int64_t q = floorDiv(-b, n); q * n < n + e; ++q) {
        if (q == 0)
          continue; // `inside`
        int64_t r0 = std::max<int64_t>(0, -b - q * n);
        int64_t r1 = std::min<int64_t>(n, n + e - q * n);
        Value run = vjp.sliceDim(g, d, b + q * n + r0, b + q * n + r1);
        inside = vjp.add(inside, placeAlong(vjp, run, d, r0, n));
      }
    } else if (getMode() == PadMode::reflect) {
      if (before)
        inside = vjp.add(inside, placeAlong(vjp, vjp.sliceReversed(before, d), d, 1, n));
      if (after)
        inside = vjp.add(inside, placeAlong(vjp, vjp.sliceReversed(after, d), d, n - 1 - e, n));
    }
    g = inside;
  }
  vjp.setOperandGrad(0, g);
  return success();
}

LogicalResult GatherOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g || !vjp.wantsGrad(0))
    return success();
  if (!isa<FloatType>(getData().getType().getElementType()))
    return success();
  int64_t rank = shapeOf(getData()).size();
  // The attribute is read back as unsigned: a negative axis is its two's complement.
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0)
    axis += rank;
  // Each slice of data receives the sum of the cotangent slices that read
  // it: kiln.scatter_add, gather's backward op, into zeros.
  vjp.setOperandGrad(0, vjp.create<ScatterAddOp>(vjp.zerosLike(getData()),
                                                 getIndices(), g, axis));
  return success();
}
