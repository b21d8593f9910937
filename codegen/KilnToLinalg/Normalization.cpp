//===- Normalization.cpp - softmax, log_softmax, layer_norm, batch_norm -> linalg --===//
//
// Statistics are computed in the compute type (f32 for f16/bf16). Where
// ONNX defines an op by a function body whose nodes compute in the input's
// type, f16/bf16 results are rounded to it after each such node, not once at
// the end: softmax and log_softmax (ReduceMax, Sub, Exp, ReduceSum, Div;
// log_softmax Log, Sub; the sum still accumulates in f32 and is rounded once,
// as ReduceSum's lowering does) and layer_norm (its statistics in f32 as
// stash_type 1 says, then the normalized value, the product with scale and
// the sum with bias each rounded):
//   softmax      m = max(x); s = sum(exp(x - m)); y = exp(x - m) / s
//   log_softmax  y = (x - m) - log(s)          (stable for any input range)
//   layer_norm   mean, then the variance as the mean of (x - mean)^2 (two
//                passes, no cancellation), y = (x - mean) * rstd * scale + bias
//   batch_norm   per channel a = scale / sqrt(var + eps), b = bias - mean * a
//                (one small generic), then y = x * a[c] + b[c]
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Reduction.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

/// The map from a rank-`rank` iteration space to the dims in `dims`.
static AffineMap projection(MLIRContext *ctx, int64_t rank,
                            ArrayRef<int64_t> dims) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

static SmallVector<int64_t> range(int64_t begin, int64_t end) {
  SmallVector<int64_t> r;
  for (int64_t i = begin; i < end; ++i)
    r.push_back(i);
  return r;
}

/// The dims of [0, rank) not in `axes`.
static SmallVector<int64_t> complement(int64_t rank, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> r;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d))
      r.push_back(d);
  return r;
}

/// One elementwise generic over a tensor of `shape` and `elementType`.
static Value buildMap(OpBuilder &b, Location loc, ValueRange inputs,
                      ArrayRef<AffineMap> inputMaps, ArrayRef<int64_t> shape,
                      Type elementType,
                      function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(shape.size()));
  return b
      .create<linalg::GenericOp>(
          loc, RankedTensorType::get(shape, elementType), inputs,
          createEmpty(b, loc, shape, elementType), maps,
          getParallelIterators(shape.size()),
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            nb.create<linalg::YieldOp>(nloc, fn(nb, nloc, args.drop_back()));
          })
      .getResult(0);
}

/// A generic over `x`'s shape accumulating `fn(args)` with addition into a
/// zero-initialized tensor over the dims not in `axes`.
static Value buildSum(OpBuilder &b, Location loc, ValueRange inputs,
                      ArrayRef<AffineMap> inputMaps, ArrayRef<int64_t> shape,
                      ArrayRef<int64_t> axes, Type accType,
                      function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  int64_t rank = shape.size();
  SmallVector<int64_t> kept = complement(rank, axes);
  SmallVector<int64_t> outShape = reducedShape(shape, axes, false);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(projection(b.getContext(), rank, kept));
  SmallVector<utils::IteratorType> iterators = getParallelIterators(rank);
  for (int64_t a : axes)
    iterators[a] = utils::IteratorType::reduction;
  Value init = createFilled(b, loc, outShape,
                            cast<TypedAttr>(b.getZeroAttr(accType)));
  return b
      .create<linalg::GenericOp>(
          loc, init.getType(), inputs, init, maps, iterators,
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            Value term = fn(nb, nloc, args.drop_back());
            nb.create<linalg::YieldOp>(
                nloc, nb.create<arith::AddFOp>(nloc, args.back(), term)
                          .getResult());
          })
      .getResult(0);
}

namespace {

template <typename SoftmaxOp, bool IsLog>
struct SoftmaxToLinalg : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern<SoftmaxOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, typename SoftmaxOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    ArrayRef<int64_t> shape = type.getShape();
    int64_t rank = type.getRank(), axis = op.getAxis();
    Type elementType = type.getElementType();
    Type accType = getComputeType(elementType);
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap reduced = projection(ctx, rank, complement(rank, {axis}));

    // A step's result (in the compute type) rounded to the element type, as
    // the function body's node gives it; a no-op for f32 and f64.
    auto rounded = [&](OpBuilder &b, Location l, Value v) {
      return convertFloat(b, l, convertFloat(b, l, v, elementType), accType);
    };
    Value max = buildAccumulation(rewriter, loc, x, {axis}, ReductionKind::Max);
    auto shifted = [&](OpBuilder &b, Location l, Value xi, Value m) {
      return rounded(
          b, l,
          b.create<arith::SubFOp>(l, toComputeType(b, l, xi), m).getResult());
    };
    auto exp = [&](OpBuilder &b, Location l, Value d) {
      return rounded(b, l, b.create<math::ExpOp>(l, d).getResult());
    };
    Value sum = buildSum(rewriter, loc, {x, max}, {id, reduced}, shape, {axis},
                         accType, [&](OpBuilder &b, Location l, ValueRange a) {
                           return exp(b, l, shifted(b, l, a[0], a[1]));
                         });
    Value y = buildMap(
        rewriter, loc, {x, max, sum}, {id, reduced, reduced}, shape,
        elementType, [&](OpBuilder &b, Location l, ValueRange a) {
          Value d = shifted(b, l, a[0], a[1]);
          Value s = rounded(b, l, a[2]);
          Value r;
          if (IsLog)
            r = b.create<arith::SubFOp>(
                l, d, rounded(b, l, b.create<math::LogOp>(l, s).getResult()));
          else
            r = b.create<arith::DivFOp>(l, exp(b, l, d), s);
          return convertFloat(b, l, r, elementType);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct LayerNormToLinalg : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    ArrayRef<int64_t> shape = type.getShape();
    int64_t rank = type.getRank(), axis = op.getAxis();
    Type elementType = type.getElementType();
    Type accType = getComputeType(elementType);
    SmallVector<int64_t> axes = range(axis, rank);
    SmallVector<int64_t> statShape(shape.take_front(axis));
    double count = static_cast<double>(numElements(shape.drop_front(axis)));
    double epsilon = op.getEpsilon().convertToDouble();
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap stat = projection(ctx, rank, range(0, axis));
    AffineMap statId = AffineMap::getMultiDimIdentityMap(axis, ctx);

    Value sum = buildAccumulation(rewriter, loc, x, axes, ReductionKind::Sum);
    Value mean = buildMap(rewriter, loc, sum, statId, statShape, accType,
                          [&](OpBuilder &b, Location l, ValueRange a) {
                            return b.create<arith::DivFOp>(
                                        l, a[0], createScalar(b, l, accType, count))
                                .getResult();
                          });
    Value squares = buildSum(
        rewriter, loc, {x, mean}, {id, stat}, shape, axes, accType,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value d = b.create<arith::SubFOp>(l, toComputeType(b, l, a[0]), a[1]);
          return b.create<arith::MulFOp>(l, d, d).getResult();
        });
    Value rstd = buildMap(
        rewriter, loc, squares, statId, statShape, accType,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value var = b.create<arith::DivFOp>(
              l, a[0], createScalar(b, l, accType, count));
          Value shiftedVar = b.create<arith::AddFOp>(
              l, var, createScalar(b, l, accType, epsilon));
          // One op per statement: the order of a call's arguments is
          // unspecified.
          Value one = createScalar(b, l, accType, 1.0);
          Value std = b.create<math::SqrtOp>(l, shiftedVar);
          return b.create<arith::DivFOp>(l, one, std).getResult();
        });

    SmallVector<Value> inputs = {x, mean, rstd, adaptor.getScale()};
    if (adaptor.getBias())
      inputs.push_back(adaptor.getBias());
    SmallVector<AffineMap> maps = {id, stat, stat};
    for (Value param : ArrayRef<Value>(inputs).drop_front(3))
      maps.push_back(getBroadcastMap(
          ctx, cast<RankedTensorType>(param.getType()).getShape(), shape));
    Value y = buildMap(
        rewriter, loc, inputs, maps, shape, elementType,
        [&](OpBuilder &b, Location l, ValueRange a) {
          // ONNX's function body rounds the normalized value to the element
          // type, then scales and adds the bias as nodes of that type.
          auto rounded = [&](Value v) {
            return convertFloat(b, l, convertFloat(b, l, v, elementType),
                                accType);
          };
          Value d = b.create<arith::SubFOp>(l, toComputeType(b, l, a[0]), a[1]);
          Value normalized = rounded(b.create<arith::MulFOp>(l, d, a[2]));
          Value r = b.create<arith::MulFOp>(l, normalized, toComputeType(b, l, a[3]));
          if (a.size() > 4) {
            Value scaled = rounded(r);
            r = b.create<arith::AddFOp>(l, scaled, toComputeType(b, l, a[4]));
          }
          return convertFloat(b, l, r, elementType);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct BatchNormToLinalg : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    ArrayRef<int64_t> shape = type.getShape();
    int64_t rank = type.getRank(), channels = shape[1];
    Type elementType = type.getElementType();
    Type accType = getComputeType(elementType);
    double epsilon = op.getEpsilon().convertToDouble();

    // Per channel: a = scale / sqrt(var + eps), b = bias - mean * a.
    AffineMap vec = AffineMap::getMultiDimIdentityMap(1, ctx);
    auto vecType = RankedTensorType::get({channels}, accType);
    auto coefficients = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{vecType, vecType},
        ValueRange{adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                   adaptor.getVariance()},
        ValueRange{createEmpty(rewriter, loc, {channels}, accType),
                   createEmpty(rewriter, loc, {channels}, accType)},
        SmallVector<AffineMap>(6, vec), getParallelIterators(1),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value scale = toComputeType(b, l, args[0]);
          Value bias = toComputeType(b, l, args[1]);
          Value mean = toComputeType(b, l, args[2]);
          Value var = toComputeType(b, l, args[3]);
          Value denom = b.create<math::SqrtOp>(
              l, b.create<arith::AddFOp>(
                     l, var, createScalar(b, l, accType, epsilon)));
          Value a = b.create<arith::DivFOp>(l, scale, denom);
          Value shift = b.create<arith::SubFOp>(
              l, bias, b.create<arith::MulFOp>(l, mean, a));
          b.create<linalg::YieldOp>(l, ValueRange{a, shift});
        });

    AffineMap channel = projection(ctx, rank, {1});
    Value y = buildMap(
        rewriter, loc,
        {x, coefficients.getResult(0), coefficients.getResult(1)},
        {AffineMap::getMultiDimIdentityMap(rank, ctx), channel, channel}, shape,
        elementType, [&](OpBuilder &b, Location l, ValueRange a) {
          Value r = b.create<arith::AddFOp>(
              l, b.create<arith::MulFOp>(l, toComputeType(b, l, a[0]), a[1]),
              a[2]);
          return convertFloat(b, l, r, elementType);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void mlir::kiln::populateNormalizationPatterns(RewritePatternSet &patterns,
                                      ConversionTarget &target) {
  patterns.add<SoftmaxToLinalg<SoftmaxOp, false>,
               SoftmaxToLinalg<LogSoftmaxOp, true>, LayerNormToLinalg,
               BatchNormToLinalg>(patterns.getContext());
  target.addIllegalOp<SoftmaxOp, LogSoftmaxOp, LayerNormOp, BatchNormOp>();
}
