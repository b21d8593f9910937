//===- GridSample.cpp - kiln.grid_sample -> one linalg.generic gather -----===//
//
// One linalg.generic over the output (n, c, o...). Its inputs are the grid's
// coordinate planes grid[n, o..., j] (extract_slice, one per spatial dim);
// its body turns each into an input coordinate (see GridSampleOp in
// KilnOps.td), then reads the taps around it with tensor.extract: 1 tap per
// dim for nearest, 2 for linear, 4 for cubic, combined one dim at a time from
// the innermost as ONNX's reference does (2^r or 4^r reads per element).
// Indices are clamped into the input before every read, so no grid value
// (huge, infinite or NaN) reads out of bounds; zeros padding then selects 0
// for taps that were outside.
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {

/// The cubic convolution kernel's A, as ONNX GridSample fixes it.
constexpr double kCubicA = -0.75;

/// One spatial dim: its size and the range [lo, hi] coordinates are
/// reflected into (ONNX's border).
struct Dim {
  int64_t size;
  double lo, hi;
};

/// Scalar code of the generic's body. Coordinates and weights are in
/// `coordType`, sums in `sumType`.
class Sampler {
public:
  Sampler(OpBuilder &b, Location loc, GridSampleOp op, Value input,
          Type coordType)
      : b(b), loc(loc), op(op), input(input), coordType(coordType) {
    Type et = op.getType().getElementType();
    sumType = isa<FloatType>(et) ? getComputeType(et) : et;
  }

  /// The input coordinate of normalized `g` along `dim`, with padding_mode's
  /// clamping or reflection applied.
  Value coordinate(Value g, const Dim &dim) {
    double size = static_cast<double>(dim.size);
    Value one = cst(1.0), two = cst(2.0);
    Value sum = b.create<arith::AddFOp>(loc, g, one);
    Value x;
    if (op.getAlignCorners()) // (g + 1) / 2 * (D - 1)
      x = b.create<arith::MulFOp>(
          loc, b.create<arith::DivFOp>(loc, sum, two), cst(size - 1));
    else // ((g + 1) * D - 1) / 2
      x = b.create<arith::DivFOp>(
          loc,
          b.create<arith::SubFOp>(
              loc, b.create<arith::MulFOp>(loc, sum, cst(size)), one),
          two);
    if (op.getMode() == ResizeMode::nearest)
      x = b.create<math::RoundEvenOp>(loc, x);
    switch (op.getPaddingMode()) {
    case GridSamplePaddingMode::zeros:
      return x;
    case GridSamplePaddingMode::border: {
      Value outside = b.create<arith::OrIOp>(
          loc, lt(x, cst(dim.lo)), lt(cst(dim.hi), x));
      return b.create<arith::SelectOp>(loc, outside,
                                       clamp(x, 0.0, size - 1), x);
    }
    case GridSamplePaddingMode::reflection:
      return reflect(x, dim);
    }
    llvm_unreachable("padding mode");
  }

  /// The (index, inside) of the element at integral position `p` along
  /// `dim`: the index is always within the input; `inside` is null unless
  /// zeros padding must replace the element by 0.
  std::pair<Value, Value> tap(Value p, const Dim &dim) {
    double last = static_cast<double>(dim.size - 1);
    Value inside;
    switch (op.getPaddingMode()) {
    case GridSamplePaddingMode::zeros:
      // Ordered compares: NaN is outside.
      inside = b.create<arith::AndIOp>(
          loc,
          b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, p, cst(0.0)),
          b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLE, p,
                                  cst(last)));
      break;
    case GridSamplePaddingMode::border:
      break;
    case GridSamplePaddingMode::reflection:
      // nearest reads at the coordinate, already reflected inside.
      if (op.getMode() != ResizeMode::nearest)
        p = reflect(p, dim);
      break;
    }
    Value i = b.create<arith::FPToSIOp>(loc, b.getI64Type(), clamp(p, 0.0, last));
    return {b.create<arith::IndexCastOp>(loc, b.getIndexType(), i), inside};
  }

  /// Positions and weights of the taps of coordinate `x`.
  void taps(Value x, SmallVectorImpl<Value> &positions,
            SmallVectorImpl<Value> &weights) {
    if (op.getMode() == ResizeMode::nearest) {
      positions.push_back(x);
      return;
    }
    Value x0 = b.create<math::FloorOp>(loc, x);
    Value t = b.create<arith::SubFOp>(loc, x, x0);
    if (op.getMode() == ResizeMode::linear) {
      positions.append({x0, add(x0, 1.0)});
      weights.append({b.create<arith::SubFOp>(loc, cst(1.0), t), t});
      return;
    }
    positions.append({add(x0, -1.0), x0, add(x0, 1.0), add(x0, 2.0)});
    Value one = cst(1.0), two = cst(2.0);
    Value tPlus1 = b.create<arith::AddFOp>(loc, t, one);
    Value oneMinusT = b.create<arith::SubFOp>(loc, one, t);
    Value twoMinusT = b.create<arith::SubFOp>(loc, two, t);
    weights.append({outerCubic(tPlus1), innerCubic(t), innerCubic(oneMinusT),
                    outerCubic(twoMinusT)});
  }

  /// One tap of a dim: the index it reads, whether zeros padding keeps it
  /// (null: always), and its weight (null for nearest).
  struct Tap {
    Value index, inside, weight;
  };

  /// The taps of every dim, from the grid's coordinate planes (input order).
  SmallVector<SmallVector<Tap>> allTaps(ValueRange planes, ArrayRef<Dim> dims) {
    SmallVector<SmallVector<Tap>> result;
    for (auto [plane, dim] : llvm::zip_equal(planes, dims)) {
      Value x = coordinate(convertFloat(b, loc, plane, coordType), dim);
      SmallVector<Value> positions, weights;
      taps(x, positions, weights);
      SmallVector<Tap> &dimTaps = result.emplace_back();
      for (auto [k, p] : llvm::enumerate(positions)) {
        auto [index, inside] = tap(p, dim);
        Value w = weights.empty() ? Value()
                                  : convertFloat(b, loc, weights[k], sumType);
        dimTaps.push_back({index, inside, w});
      }
    }
    return result;
  }

  /// The interpolated value over spatial dims `d` onwards, with the indices
  /// of the outer dims in `indices` and `inside` (null: true) saying whether
  /// zeros padding keeps them.
  Value interpolate(ArrayRef<SmallVector<Tap>> taps, size_t d,
                    SmallVector<Value> &indices, Value inside) {
    if (d == taps.size()) {
      Value v = b.create<tensor::ExtractOp>(loc, input, indices);
      v = convertFloat(b, loc, v, sumType);
      if (!inside)
        return v;
      Value zero = createScalar(b, loc, sumType, 0.0);
      return b.create<arith::SelectOp>(loc, inside, v, zero);
    }
    Value acc;
    for (const Tap &t : taps[d]) {
      indices.push_back(t.index);
      Value all = inside ? inside : t.inside;
      if (inside && t.inside)
        all = b.create<arith::AndIOp>(loc, inside, t.inside);
      Value v = interpolate(taps, d + 1, indices, all);
      indices.pop_back();
      if (!t.weight)
        return v;
      Value term = b.create<arith::MulFOp>(loc, t.weight, v);
      acc = acc ? b.create<arith::AddFOp>(loc, acc, term).getResult() : term;
    }
    return acc;
  }

private:
  Value cst(double v) { return createScalar(b, loc, coordType, v); }
  Value add(Value x, double v) {
    return b.create<arith::AddFOp>(loc, x, cst(v));
  }
  Value lt(Value x, Value y) {
    return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, y);
  }
  /// x clamped to [lo, hi]; NaN becomes lo.
  Value clamp(Value x, double lo, double hi) {
    Value low = b.create<arith::MaxNumFOp>(loc, x, cst(lo));
    return b.create<arith::MinNumFOp>(loc, low, cst(hi));
  }

  /// ONNX's reflection: a coordinate `dx` past one end is reflected by the
  /// near end `n = trunc(dx / (hi - lo))` times, leaving `r = dx - n * (hi
  /// - lo)`: at `lo + r` or `hi - r` as n is even or odd (from below), the
  /// other way round from above.
  Value reflect(Value x, const Dim &dim) {
    double range = dim.hi - dim.lo;
    if (range <= 0) // one element with align_corners: everything is at lo
      return cst(dim.lo);
    Value lo = cst(dim.lo), hi = cst(dim.hi);
    Value below = lt(x, lo), above = lt(hi, x);
    Value dx = b.create<arith::SelectOp>(
        loc, below, b.create<arith::SubFOp>(loc, lo, x),
        b.create<arith::SubFOp>(loc, x, hi));
    Value n = b.create<math::FloorOp>(
        loc, b.create<arith::DivFOp>(loc, dx, cst(range)));
    Value r = b.create<arith::SubFOp>(
        loc, dx, b.create<arith::MulFOp>(loc, n, cst(range)));
    // n odd: n - 2 * floor(n / 2) is 1 (exact for every float n below 2^24;
    // past it the coordinate has no fraction left to reflect anyway).
    Value half = b.create<math::FloorOp>(
        loc, b.create<arith::MulFOp>(loc, n, cst(0.5)));
    Value parity = b.create<arith::SubFOp>(
        loc, n, b.create<arith::MulFOp>(loc, half, cst(2.0)));
    Value odd = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OEQ,
                                        parity, cst(1.0));
    Value fromLo = b.create<arith::AddFOp>(loc, lo, r);
    Value fromHi = b.create<arith::SubFOp>(loc, hi, r);
    Value belowResult = b.create<arith::SelectOp>(loc, odd, fromHi, fromLo);
    Value aboveResult = b.create<arith::SelectOp>(loc, odd, fromLo, fromHi);
    Value result = b.create<arith::SelectOp>(loc, above, aboveResult, x);
    return b.create<arith::SelectOp>(loc, below, belowResult, result);
  }

  /// The cubic kernel for |s| in [0, 1]: ((A + 2) s - (A + 3)) s^2 + 1.
  Value innerCubic(Value s) {
    Value p = b.create<arith::SubFOp>(
        loc, b.create<arith::MulFOp>(loc, cst(kCubicA + 2), s),
        cst(kCubicA + 3));
    p = b.create<arith::MulFOp>(loc, b.create<arith::MulFOp>(loc, p, s), s);
    return b.create<arith::AddFOp>(loc, p, cst(1.0));
  }
  /// The cubic kernel for |s| in [1, 2]: ((A s - 5A) s + 8A) s - 4A.
  Value outerCubic(Value s) {
    Value p = b.create<arith::SubFOp>(
        loc, b.create<arith::MulFOp>(loc, cst(kCubicA), s), cst(5 * kCubicA));
    p = b.create<arith::AddFOp>(loc, b.create<arith::MulFOp>(loc, p, s),
                                cst(8 * kCubicA));
    p = b.create<arith::MulFOp>(loc, p, s);
    return b.create<arith::SubFOp>(loc, p, cst(4 * kCubicA));
  }

  OpBuilder &b;
  Location loc;
  GridSampleOp op;
  Value input;
  Type coordType, sumType;
};

struct GridSampleToLinalg : OpConversionPattern<GridSampleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GridSampleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto gridType = cast<RankedTensorType>(adaptor.getGrid().getType());
    if (!type.hasStaticShape() || !inputType.hasStaticShape() ||
        !gridType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    Type et = type.getElementType();
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, createEmpty(rewriter, loc, type.getShape(), et));
      return success();
    }
    int64_t rank = type.getRank(), spatial = rank - 2;
    if (llvm::any_of(inputType.getShape().drop_front(2),
                     [](int64_t d) { return d == 0; })) {
      // Nothing to sample: zeros everywhere is what every read would give
      // in zeros mode; the other modes have no element to repeat.
      if (op.getPaddingMode() != GridSamplePaddingMode::zeros)
        return rewriter.notifyMatchFailure(op, "empty spatial dim");
      rewriter.replaceOp(
          op, createFilled(rewriter, loc, type.getShape(),
                           cast<TypedAttr>(rewriter.getZeroAttr(et))));
      return success();
    }

    // The coordinate planes grid[n, o..., j], one per spatial dim in input
    // order: the grid lists them in reverse.
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<int64_t> planeShape(gridType.getShape().drop_back());
    auto planeType = RankedTensorType::get(planeShape, gridType.getElementType());
    SmallVector<OpFoldResult> sizes, strides;
    for (int64_t s : planeShape)
      sizes.push_back(rewriter.getIndexAttr(s));
    sizes.push_back(rewriter.getIndexAttr(1));
    strides.assign(rank, rewriter.getIndexAttr(1));
    SmallVector<Value> planes;
    for (int64_t d = 0; d < spatial; ++d) {
      SmallVector<OpFoldResult> offsets(rank - 1, rewriter.getIndexAttr(0));
      offsets.push_back(rewriter.getIndexAttr(spatial - 1 - d));
      planes.push_back(rewriter.create<tensor::ExtractSliceOp>(
          loc, planeType, adaptor.getGrid(), offsets, sizes, strides));
    }
    SmallVector<AffineExpr> planeExprs = {getAffineDimExpr(0, ctx)};
    for (int64_t d = 2; d < rank; ++d)
      planeExprs.push_back(getAffineDimExpr(d, ctx));
    SmallVector<AffineMap> maps(spatial,
                                AffineMap::get(rank, 0, planeExprs, ctx));
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));

    SmallVector<Dim> dims;
    bool align = op.getAlignCorners();
    for (int64_t d = 2; d < rank; ++d) {
      double size = static_cast<double>(inputType.getDimSize(d));
      dims.push_back({inputType.getDimSize(d), align ? 0.0 : -0.5,
                      align ? size - 1 : size - 0.5});
    }
    Type coordType = getComputeType(gridType.getElementType());
    Value input = adaptor.getInput();
    Value result =
        rewriter
            .create<linalg::GenericOp>(
                loc, type, planes, createEmpty(rewriter, loc, type.getShape(), et),
                maps, getParallelIterators(rank),
                [&](OpBuilder &nb, Location nloc, ValueRange args) {
                  Sampler s(nb, nloc, op, input, coordType);
                  SmallVector<SmallVector<Sampler::Tap>> taps =
                      s.allTaps(args.take_front(spatial), dims);
                  SmallVector<Value> indices = {
                      nb.create<linalg::IndexOp>(nloc, 0),
                      nb.create<linalg::IndexOp>(nloc, 1)};
                  Value v = s.interpolate(taps, 0, indices, Value());
                  nb.create<linalg::YieldOp>(nloc, convertFloat(nb, nloc, v, et));
                })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::kiln::populateGridSamplePatterns(RewritePatternSet &patterns,
                                            ConversionTarget &target) {
  patterns.add<GridSampleToLinalg>(patterns.getContext());
  target.addIllegalOp<GridSampleOp>();
}
