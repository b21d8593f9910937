//===- Reduction.cpp - kiln reductions and argmax -> linalg ------------------===//
//
// reduce_{sum,mean,max,min,prod} -> linalg.reduce with the identity as init
// (0, -inf/INT_MIN, +inf/INT_MAX, 1), accumulating f16/bf16 in f32, then one
// elementwise generic for the mean's division and the rounding back, and a
// tensor.expand_shape for keepdims. argmax -> one linalg.generic with two
// outputs (value, i64 index).
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Reduction.h"
#include "codegen/KilnToLinalg/ScalarBuilder.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/ElementwiseSemantics.h"
#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

//===----------------------------------------------------------------------===//
// Shared reduction builders
//===----------------------------------------------------------------------===//

static TypedAttr getIdentity(OpBuilder &b, ReductionKind kind, Type type) {
  switch (kind) {
  case ReductionKind::Sum:
  case ReductionKind::Mean:
    return cast<TypedAttr>(b.getZeroAttr(type));
  case ReductionKind::Prod:
    return isa<FloatType>(type) ? TypedAttr(b.getFloatAttr(type, 1.0))
                                : TypedAttr(b.getIntegerAttr(type, 1));
  case ReductionKind::Max:
    return getLowestAttr(type);
  case ReductionKind::Min:
    return getHighestAttr(type);
  }
  llvm_unreachable("unknown reduction kind");
}

/// acc (+) x: the elementwise kiln op a reduction folds with, as its row of
/// the table computes it (so max and min propagate NaN, as NumPy's do).
static Value combine(OpBuilder &b, Location loc, ReductionKind kind, Value x,
                     Value acc) {
  StringRef opName;
  switch (kind) {
  case ReductionKind::Sum:
  case ReductionKind::Mean:
    opName = AddOp::getOperationName();
    break;
  case ReductionKind::Prod:
    opName = MulOp::getOperationName();
    break;
  case ReductionKind::Max:
    opName = MaxOp::getOperationName();
    break;
  case ReductionKind::Min:
    opName = MinOp::getOperationName();
    break;
  }
  const auto *row = lookupElementwiseSemantics<ScalarBuilder>(opName);
  ScalarBuilder scalars(b, loc);
  return applyElementwise(*row, scalars, /*op=*/nullptr, {acc, x},
                          acc.getType());
}

Value lowering::buildAccumulation(OpBuilder &b, Location loc, Value input,
                                  ArrayRef<int64_t> axes, ReductionKind kind) {
  auto type = cast<RankedTensorType>(input.getType());
  Type accType = getComputeType(type.getElementType());
  SmallVector<int64_t> dims(axes);
  llvm::sort(dims);
  SmallVector<int64_t> shape = reducedShape(type.getShape(), dims, false);
  Value init = createFilled(b, loc, shape, getIdentity(b, kind, accType));
  auto reduce = b.create<linalg::ReduceOp>(
      loc, input, init, dims,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value x = toComputeType(nb, nloc, args[0]);
        nb.create<linalg::YieldOp>(nloc, combine(nb, nloc, kind, x, args[1]));
      });
  return reduce.getResult(0);
}

Value lowering::buildReduction(OpBuilder &b, Location loc, Value input,
                               ArrayRef<int64_t> axes, ReductionKind kind,
                               bool keepdims) {
  auto type = cast<RankedTensorType>(input.getType());
  Type elementType = type.getElementType();
  Value acc = buildAccumulation(b, loc, input, axes, kind);
  auto accType = cast<RankedTensorType>(acc.getType());
  if (kind == ReductionKind::Mean) {
    int64_t count = 1;
    for (int64_t a : axes)
      count *= type.getDimSize(a);
    int64_t rank = accType.getRank();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    acc = b.create<linalg::GenericOp>(
               loc, RankedTensorType::get(accType.getShape(), elementType),
               acc, createEmpty(b, loc, accType.getShape(), elementType),
               ArrayRef<AffineMap>{id, id}, getParallelIterators(rank),
               [&](OpBuilder &nb, Location nloc, ValueRange args) {
                 Value n = createScalar(nb, nloc, args[0].getType(),
                                        static_cast<double>(count));
                 Value mean = nb.create<arith::DivFOp>(nloc, args[0], n);
                 nb.create<linalg::YieldOp>(
                     nloc, convertFloat(nb, nloc, mean, elementType));
               })
              .getResult(0);
  } else {
    acc = convertTensor(b, loc, acc, elementType);
  }
  if (keepdims)
    acc = reshapeTo(b, loc, acc, reducedShape(type.getShape(), axes, true));
  return acc;
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

namespace {

template <typename ReduceOp, ReductionKind Kind>
struct ReduceToLinalg : OpConversionPattern<ReduceOp> {
  using OpConversionPattern<ReduceOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceOp op, typename ReduceOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value r = buildReduction(rewriter, op.getLoc(), adaptor.getInput(),
                             op.getAxes(), Kind, op.getKeepdims());
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// argmax as one reduction generic carrying (best value, its index). The
/// combiner is order-independent (ties are broken by comparing indices), so
/// any loop order linalg picks gives the same answer. NaN counts as larger
/// than any number, as in NumPy.
struct ArgMaxToGeneric : OpConversionPattern<ArgMaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ArgMaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank(), axis = op.getAxis();
    Type elementType = type.getElementType();
    SmallVector<int64_t> shape = reducedShape(type.getShape(), {axis}, false);

    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iterators = getParallelIterators(rank);
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis)
        iterators[d] = utils::IteratorType::reduction;
      else
        outExprs.push_back(getAffineDimExpr(d, ctx));
    }
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
    SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                   outMap, outMap};
    Value valueInit = createFilled(rewriter, loc, shape,
                                   getLowestAttr(elementType));
    Value indexInit = createFilled(rewriter, loc, shape,
                                   rewriter.getI64IntegerAttr(0));
    bool last = op.getSelectLastIndex();
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{valueInit.getType(), indexInit.getType()}, input,
        ValueRange{valueInit, indexInit}, maps, iterators,
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value index = b.create<arith::IndexCastOp>(
              nloc, b.getI64Type(), b.create<linalg::IndexOp>(nloc, axis));
          Value greater, equal;
          if (isa<FloatType>(elementType)) {
            auto cmp = [&](arith::CmpFPredicate p, Value l, Value r) {
              return b.create<arith::CmpFOp>(nloc, p, l, r);
            };
            Value xNaN = cmp(arith::CmpFPredicate::UNO, x, x);
            Value bestNaN = cmp(arith::CmpFPredicate::UNO, best, best);
            Value bestNumber = b.create<arith::XOrIOp>(
                nloc, bestNaN, createScalar(b, nloc, b.getI1Type(), 1));
            greater = b.create<arith::OrIOp>(
                nloc, cmp(arith::CmpFPredicate::OGT, x, best),
                b.create<arith::AndIOp>(nloc, xNaN, bestNumber));
            equal = b.create<arith::OrIOp>(
                nloc, cmp(arith::CmpFPredicate::OEQ, x, best),
                b.create<arith::AndIOp>(nloc, xNaN, bestNaN));
          } else {
            greater = b.create<arith::CmpIOp>(
                nloc,
                elementType.isUnsignedInteger() ? arith::CmpIPredicate::ugt
                                                : arith::CmpIPredicate::sgt,
                x, best);
            equal = b.create<arith::CmpIOp>(nloc, arith::CmpIPredicate::eq,
                                            x, best);
          }
          Value tieWins = b.create<arith::CmpIOp>(
              nloc, last ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt,
              index, bestIndex);
          Value wins = b.create<arith::OrIOp>(
              nloc, greater, b.create<arith::AndIOp>(nloc, equal, tieWins));
          b.create<linalg::YieldOp>(
              nloc, ValueRange{b.create<arith::SelectOp>(nloc, wins, x, best),
                               b.create<arith::SelectOp>(nloc, wins, index,
                                                         bestIndex)});
        });
    Value result = generic.getResult(1);
    if (op.getKeepdims())
      result = reshapeTo(rewriter, loc, result,
                         reducedShape(type.getShape(), {axis}, true));
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::kiln::populateReductionPatterns(RewritePatternSet &patterns,
                                        ConversionTarget &target) {
  patterns.add<ReduceToLinalg<ReduceSumOp, ReductionKind::Sum>,
               ReduceToLinalg<ReduceMeanOp, ReductionKind::Mean>,
               ReduceToLinalg<ReduceMaxOp, ReductionKind::Max>,
               ReduceToLinalg<ReduceMinOp, ReductionKind::Min>,
               ReduceToLinalg<ReduceProdOp, ReductionKind::Prod>,
               ArgMaxToGeneric>(patterns.getContext());
  target.addIllegalOp<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp,
                      ReduceProdOp, ArgMaxOp>();
}
