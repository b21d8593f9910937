//===- Utils.cpp - Builders shared by the kiln -> linalg patterns ---------===//

#include "codegen/KilnToLinalg/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include "llvm/ADT/APFloat.h"

using namespace mlir;

namespace mlir::kiln::lowering {

Value convertFloat(OpBuilder &b, Location loc, Value v, Type to) {
  auto from = dyn_cast<FloatType>(v.getType());
  auto toFloat = dyn_cast<FloatType>(to);
  if (!from || !toFloat || from == toFloat)
    return v;
  // f16 <-> bf16: same width, neither holds the other; f32 holds both.
  if (from.getWidth() == toFloat.getWidth())
    v = b.create<arith::ExtFOp>(loc, b.getF32Type(), v);
  if (from.getWidth() < toFloat.getWidth())
    return b.create<arith::ExtFOp>(loc, to, v);
  return b.create<arith::TruncFOp>(loc, to, v);
}

Value toComputeType(OpBuilder &b, Location loc, Value v) {
  return convertFloat(b, loc, v, getComputeType(v.getType()));
}

Value createScalar(OpBuilder &b, Location loc, Type type, double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return b.create<arith::ConstantOp>(
        loc, FloatAttr::get(ft, getFloatElement(ft, value)));
  auto it = cast<IntegerType>(type);
  return b.create<arith::ConstantOp>(
      loc, IntegerAttr::get(it, getIntElement(it, value)));
}

TypedAttr getLowestAttr(Type type) {
  if (auto ft = dyn_cast<FloatType>(type))
    return FloatAttr::get(
        ft, llvm::APFloat::getInf(ft.getFloatSemantics(), /*Negative=*/true));
  unsigned width = type.getIntOrFloatBitWidth();
  if (type.isUnsignedInteger())
    return IntegerAttr::get(type, llvm::APInt::getZero(width));
  return IntegerAttr::get(type, llvm::APInt::getSignedMinValue(width));
}

TypedAttr getHighestAttr(Type type) {
  if (auto ft = dyn_cast<FloatType>(type))
    return FloatAttr::get(
        ft, llvm::APFloat::getInf(ft.getFloatSemantics(), /*Negative=*/false));
  unsigned width = type.getIntOrFloatBitWidth();
  if (type.isUnsignedInteger())
    return IntegerAttr::get(type, llvm::APInt::getMaxValue(width));
  return IntegerAttr::get(type, llvm::APInt::getSignedMaxValue(width));
}

Value createEmpty(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elementType) {
  return b.create<tensor::EmptyOp>(loc, shape, elementType);
}

Value createFilled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   TypedAttr value) {
  Value empty = createEmpty(b, loc, shape, value.getType());
  Value scalar = b.create<arith::ConstantOp>(loc, value);
  return b.create<linalg::FillOp>(loc, scalar, empty).getResult(0);
}

SmallVector<utils::IteratorType> getParallelIterators(int64_t rank) {
  return SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
}

AffineMap getBroadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                          ArrayRef<int64_t> resultShape) {
  int64_t offset = resultShape.size() - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(operandShape)) {
    int64_t dim = offset + static_cast<int64_t>(i);
    if (size == 1 && resultShape[dim] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(dim, ctx));
  }
  return AffineMap::get(resultShape.size(), 0, exprs, ctx);
}

/// [[0, 1, ..., rank - 1]]: everything into one dim.
static SmallVector<ReassociationIndices> allInOne(int64_t rank) {
  ReassociationIndices all;
  for (int64_t i = 0; i < rank; ++i)
    all.push_back(i);
  return {all};
}

Value reshapeTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  auto target = RankedTensorType::get(shape, type.getElementType());
  int64_t srcRank = type.getRank(), dstRank = target.getRank();
  // Rank 0 <-> all-ones shapes: the empty reassociation.
  if (dstRank == 0)
    return b.create<tensor::CollapseShapeOp>(loc, target, v,
                                             ArrayRef<ReassociationIndices>{});
  if (srcRank == 0)
    return b.create<tensor::ExpandShapeOp>(loc, target, v,
                                           ArrayRef<ReassociationIndices>{});
  if (srcRank > dstRank) {
    if (auto r = getReassociationIndicesForCollapse(type.getShape(), shape))
      return b.create<tensor::CollapseShapeOp>(loc, target, v, *r);
  } else if (srcRank < dstRank) {
    if (auto r = getReassociationIndicesForCollapse(shape, type.getShape()))
      return b.create<tensor::ExpandShapeOp>(loc, target, v, *r);
  }
  // No direct reassociation (e.g. 2x3 -> 3x2): go through 1-D.
  Value flat = v;
  if (srcRank != 1) {
    auto flatType =
        RankedTensorType::get({type.getNumElements()}, type.getElementType());
    flat = b.create<tensor::CollapseShapeOp>(loc, flatType, v,
                                             allInOne(srcRank));
  }
  if (dstRank == 1)
    return flat;
  return b.create<tensor::ExpandShapeOp>(loc, target, flat, allInOne(dstRank));
}

Value broadcastTo(OpBuilder &b, Location loc, Value v,
                  ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  int64_t offset = shape.size() - type.getRank();
  SmallVector<bool> kept(shape.size(), false);
  for (auto [i, size] : llvm::enumerate(type.getShape())) {
    int64_t dim = offset + static_cast<int64_t>(i);
    kept[dim] = size == shape[dim];
  }
  // Unit dims come and go by reshaping; only dims > 1 need a broadcast.
  SmallVector<int64_t> sourceShape, added;
  for (auto [dim, size] : llvm::enumerate(shape)) {
    if (kept[dim] || size == 1)
      sourceShape.push_back(size);
    else
      added.push_back(dim);
  }
  Value source = reshapeTo(b, loc, v, sourceShape);
  if (added.empty())
    return source;
  Value init = createEmpty(b, loc, shape, type.getElementType());
  return b.create<linalg::BroadcastOp>(loc, source, init, added).getResult()[0];
}

Value convertTensor(OpBuilder &b, Location loc, Value v, Type elementType) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getElementType() == elementType)
    return v;
  int64_t rank = type.getRank();
  auto resultType = RankedTensorType::get(type.getShape(), elementType);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  return b
      .create<linalg::GenericOp>(
          loc, resultType, v,
          createEmpty(b, loc, type.getShape(), elementType),
          ArrayRef<AffineMap>{id, id}, getParallelIterators(rank),
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            nb.create<linalg::YieldOp>(
                nloc, convertFloat(nb, nloc, args[0], elementType));
          })
      .getResult(0);
}

} // namespace mlir::kiln::lowering
