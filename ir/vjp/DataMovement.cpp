//===- DataMovement.cpp - VJP rules of the data movement ops --------------===//
//
// Each rule is the adjoint of the movement: reshapes reshape back, transpose
// applies the inverse permutation, concat slices and split concatenates,
// slice and pad put the cotangent back where the elements came from, expand
// sums over the broadcast dims, and gather adds its cotangent into the rows
// it read (a scatter-add, built as a one-hot matrix product so that it is
// ordinary kiln IR).
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
  int64_t axis = getAxis() < 0 ? getAxis() + rank : getAxis();
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
  int64_t axis = getAxis() < 0 ? getAxis() + rank : getAxis();
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

LogicalResult PadOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  if (getMode() != PadMode::constant)
    return emitOpError("has no gradient rule for mode '")
           << stringifyPadMode(getMode()) << "' (only constant padding)";
  // The input's elements sit at [begin, begin + size) of every dim.
  ArrayRef<int64_t> inShape = shapeOf(getInput());
  ArrayRef<int64_t> pads = getPads();
  for (int64_t d = 0; d < static_cast<int64_t>(inShape.size()); ++d)
    g = vjp.sliceDim(g, d, pads[d], pads[d] + inShape[d]);
  vjp.setOperandGrad(0, g);
  return success();
}

LogicalResult GatherOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g || !vjp.wantsGrad(0))
    return success();
  if (!isa<FloatType>(getData().getType().getElementType()))
    return success();
  ArrayRef<int64_t> dataShape = shapeOf(getData());
  int64_t rank = dataShape.size();
  int64_t axis = getAxis() < 0 ? getAxis() + rank : getAxis();
  int64_t size = dataShape[axis];
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= dataShape[d];
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= dataShape[d];
  Value indices = getIndices();
  int64_t count = 1;
  for (int64_t d : shapeOf(indices))
    count *= d;
  // Negative indices count from the end, as in the forward op.
  Value zero = vjp.scalarLike(indices, 0.0);
  indices = vjp.select(vjp.compare(ComparePredicate::lt, indices, zero),
                       vjp.add(indices, vjp.scalarLike(indices, size)),
                       indices);
  // one_hot[k, s] = (indices[k] == s), as a [size, count] matrix of g's type.
  Type indexType = cast<RankedTensorType>(indices.getType()).getElementType();
  SmallVector<Attribute> iota;
  for (int64_t s = 0; s < size; ++s)
    iota.push_back(IntegerAttr::get(indexType, s));
  Value positions = vjp.create<ConstantOp>(DenseElementsAttr::get(
      RankedTensorType::get({size, 1}, indexType), iota));
  Type floatType = cast<RankedTensorType>(g.getType()).getElementType();
  Value oneHot = vjp.cast(
      vjp.compare(ComparePredicate::eq, positions,
                  vjp.reshape(indices, {1, count})),
      floatType);
  // [size, count] x [outer, count, inner] -> [outer, size, inner]: each row
  // of data receives the sum of the cotangent rows that read it.
  Value rows = vjp.reshape(g, {outer, count, inner});
  Value scattered = vjp.create<MatmulOp>(oneHot, rows);
  vjp.setOperandGrad(0, vjp.reshape(scattered, dataShape));
  return success();
}
