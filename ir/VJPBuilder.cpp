//===- VJPBuilder.cpp - What a VJP rule receives and records -------------===//

#include "ir/VJPBuilder.h"

#include "ir/ElementValues.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::kiln;

ArrayRef<int64_t> mlir::kiln::shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

static Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

VJPBuilder::VJPBuilder(OpBuilder &builder, Operation *op,
                       ArrayRef<Value> resultGrads, ArrayRef<bool> wanted)
    : builder(builder), op(op), loc(op->getLoc()),
      resultGrads(resultGrads), wanted(wanted),
      operandGrads(op->getNumOperands()) {
  assert(resultGrads.size() == op->getNumResults() &&
         wanted.size() == op->getNumOperands());
}

Value VJPBuilder::resultGradOrZero(unsigned i) {
  if (Value g = resultGrads[i])
    return g;
  return zerosLike(op->getResult(i));
}

void VJPBuilder::setOperandGrad(unsigned operand, Value grad) {
  if (!grad || !wanted[operand])
    return;
  Value v = op->getOperand(operand);
  grad = sumToShape(grad, shapeOf(v));
  assert(grad.getType() == v.getType() &&
         "a VJP rule built a cotangent of the wrong type");
  operandGrads[operand] = grad;
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

static TypedAttr elementAttr(Type elementType, double value) {
  if (auto ft = dyn_cast<FloatType>(elementType))
    return FloatAttr::get(ft, getFloatElement(ft, value));
  auto it = cast<IntegerType>(elementType);
  return IntegerAttr::get(it, getIntElement(it, value));
}

Value VJPBuilder::scalar(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  return create<ConstantOp>(
      DenseElementsAttr::get(type, elementAttr(elementType, value)));
}

Value VJPBuilder::scalarLike(Value like, double value) {
  return scalar(elementTypeOf(like), value);
}

Value VJPBuilder::splatLike(Value like, double value) {
  auto type = llvm::cast<RankedTensorType>(like.getType());
  return create<ConstantOp>(DenseElementsAttr::get(
      type, elementAttr(type.getElementType(), value)));
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

Value VJPBuilder::add(Value a, Value b) { return create<AddOp>(a, b); }
Value VJPBuilder::sub(Value a, Value b) { return create<SubOp>(a, b); }
Value VJPBuilder::mul(Value a, Value b) { return create<MulOp>(a, b); }
Value VJPBuilder::div(Value a, Value b) { return create<DivOp>(a, b); }
Value VJPBuilder::neg(Value a) { return create<NegOp>(a); }

Value VJPBuilder::scale(Value a, double c) {
  return mul(a, scalarLike(a, c));
}

Value VJPBuilder::compare(ComparePredicate predicate, Value a, Value b) {
  return create<CompareOp>(predicate, a, b);
}

Value VJPBuilder::select(Value condition, Value a, Value b) {
  return create<SelectOp>(condition, a, b);
}

Value VJPBuilder::selectOrZero(Value condition, Value a) {
  return select(condition, a, scalarLike(a, 0.0));
}

Value VJPBuilder::cast(Value v, Type elementType) {
  if (elementTypeOf(v) == elementType)
    return v;
  return create<CastOp>(RankedTensorType::get(shapeOf(v), elementType), v);
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

Value VJPBuilder::reshape(Value v, ArrayRef<int64_t> shape) {
  if (shapeOf(v) == shape)
    return v;
  return create<ReshapeOp>(v, shape);
}

Value VJPBuilder::transpose(Value v, ArrayRef<int64_t> perm) {
  return create<TransposeOp>(v, perm);
}

Value VJPBuilder::expandTo(Value v, ArrayRef<int64_t> shape) {
  if (shapeOf(v) == shape)
    return v;
  return create<ExpandOp>(v, shape);
}

Value VJPBuilder::reduceSum(Value v, ArrayRef<int64_t> axes, bool keepdims) {
  if (axes.empty())
    return v;
  return create<ReduceSumOp>(v, axes, keepdims);
}

Value VJPBuilder::reduceMean(Value v, ArrayRef<int64_t> axes, bool keepdims) {
  if (axes.empty())
    return v;
  return create<ReduceMeanOp>(v, axes, keepdims);
}

Value VJPBuilder::sumToShape(Value v, ArrayRef<int64_t> shape) {
  ArrayRef<int64_t> from = shapeOf(v);
  if (from == shape)
    return v;
  int64_t lead = static_cast<int64_t>(from.size() - shape.size());
  assert(lead >= 0 && "summing a cotangent to a larger rank");
  // Leading dims the operand lacks, and its size-1 dims that were stretched.
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < static_cast<int64_t>(from.size()); ++d)
    if (d < lead || (shape[d - lead] == 1 && from[d] != 1))
      axes.push_back(d);
  return reshape(reduceSum(v, axes, /*keepdims=*/true), shape);
}

Value VJPBuilder::sliceDim(Value v, int64_t dim, int64_t start, int64_t end,
                           int64_t step) {
  ArrayRef<int64_t> shape = shapeOf(v);
  if (start == 0 && end == shape[dim] && step == 1)
    return v;
  SmallVector<int64_t> starts(shape.size(), 0), ends(shape), steps(shape.size(), 1);
  starts[dim] = start;
  ends[dim] = end;
  steps[dim] = step;
  return create<SliceOp>(v, starts, ends, steps);
}

Value VJPBuilder::sliceReversed(Value v, int64_t dim) {
  ArrayRef<int64_t> shape = shapeOf(v);
  SmallVector<int64_t> starts(shape.size(), 0), ends(shape), steps(shape.size(), 1);
  starts[dim] = shape[dim] - 1;
  ends[dim] = -1;
  steps[dim] = -1;
  return create<SliceOp>(v, starts, ends, steps);
}

Value VJPBuilder::padZeros(Value v, ArrayRef<int64_t> pads) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return v;
  return create<PadOp>(v, pads, PadMode::constant, llvm::APFloat(0.0));
}

Value VJPBuilder::insertStrided(Value v, int64_t dim, int64_t start,
                                int64_t step, int64_t size) {
  SmallVector<int64_t> shape(shapeOf(v));
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t n = shape[dim];
  assert(step >= 1 && start >= 0 && "insertStrided takes a normalized slice");
  int64_t length = n;
  if (step > 1 && n > 0) {
    // [.., n, ..] -> [.., n, 1, ..] -> pad to [.., n, step, ..] -> [.., n*step, ..]:
    // element j lands at j * step, zeros between.
    SmallVector<int64_t> split(shape);
    split.insert(split.begin() + dim + 1, 1);
    SmallVector<int64_t> pads(2 * (rank + 1), 0);
    pads[(rank + 1) + dim + 1] = step - 1;
    Value spread = padZeros(reshape(v, split), pads);
    length = n * step;
    shape[dim] = length;
    v = reshape(spread, shape);
  }
  int64_t end = size - start - length;
  if (end < 0) {
    // Only the zeros after the last element reach past `size`.
    v = sliceDim(v, dim, 0, length + end);
    end = 0;
  }
  SmallVector<int64_t> pads(2 * rank, 0);
  pads[dim] = start;
  pads[rank + dim] = end;
  return padZeros(v, pads);
}
