//===- RoiAlign.cpp - kiln.roi_align -> linalg.generic over scf loops -----===//
//
// One linalg.generic over the output (r, c, ph, pw). Its body reads the
// region's box and batch index with tensor.extract and walks the bin's
// sampling grid with two nested scf.for loops: with sampling_ratio 0 the
// grid's size is ceil(bin size), computed per region from run-time data, so
// the loop bounds are values, not constants. Each sample interpolates the
// four pixels around it exactly as ONNX's reference (and onnxruntime) do:
// points beyond one pixel outside the input count as 0, others are clamped
// to the input, and `max` takes the largest weighted pixel of each sample.
// Coordinates, weights and sums are in the compute type (f32 for f16/bf16).
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {

/// A sampling grid is at most this many points per dim: ceil(bin size) of a
/// region inside the input is at most its size, and the clamp keeps
/// absurd boxes (or NaN) from converting out of the index range.
constexpr double kMaxGrid = 1 << 20;

/// Scalar code of the generic's body, in the compute type `t`.
class RoiAlignBody {
public:
  RoiAlignBody(OpBuilder &b, Location loc, RoiAlignOp op, Value input,
               Value rois, Value batchIndices, Type t)
      : b(b), loc(loc), op(op), input(input), rois(rois),
        batchIndices(batchIndices), t(t) {
    auto type = cast<RankedTensorType>(input.getType());
    batches = type.getDimSize(0);
    height = type.getDimSize(2);
    width = type.getDimSize(3);
  }

  // One op per statement (or one op-building argument per call): the order
  // of a call's arguments, and so of the ops, would differ between compilers.
  Value build() {
    Value r = b.create<linalg::IndexOp>(loc, 0);
    Value c = b.create<linalg::IndexOp>(loc, 1);
    Value ph = b.create<linalg::IndexOp>(loc, 2);
    Value pw = b.create<linalg::IndexOp>(loc, 3);
    // The batch index: outside [0, N) the region reads nothing (result 0).
    Value batch = b.create<tensor::ExtractOp>(loc, batchIndices, r);
    batch = b.create<arith::IndexCastOp>(loc, b.getIndexType(), batch);
    Value zero = idx(0);
    Value notNegative = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, batch, zero);
    Value belowN = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, batch, idx(batches));
    Value batchValid = b.create<arith::AndIOp>(loc, notNegative, belowN);
    batch = b.create<arith::SelectOp>(loc, batchValid, batch, zero);

    bool halfPixel = op.getHalfPixel();
    Value scale = cst(op.getSpatialScale().convertToDouble());
    Value offset = cst(halfPixel ? 0.5 : 0.0);
    auto coord = [&](int64_t k) {
      Value column = idx(k);
      Value v = b.create<tensor::ExtractOp>(loc, rois, ValueRange{r, column});
      v = convertFloat(b, loc, v, t);
      return sub(mul(v, scale), offset);
    };
    Value startW = coord(0);
    Value startH = coord(1);
    Value endW = coord(2);
    Value endH = coord(3);
    Value roiW = sub(endW, startW), roiH = sub(endH, startH);
    if (!halfPixel) { // malformed regions become 1 x 1
      Value one = cst(1.0);
      roiW = b.create<arith::MaximumFOp>(loc, roiW, one);
      roiH = b.create<arith::MaximumFOp>(loc, roiH, one);
    }
    Value binH = div(roiH, cst(static_cast<double>(op.getOutputHeight())));
    Value binW = div(roiW, cst(static_cast<double>(op.getOutputWidth())));
    Value gridH = gridSize(binH);
    Value gridW = gridSize(binW);

    // The bin's first sample, and the step between samples.
    Value half = cst(0.5);
    Value stepH = div(binH, toFloat(gridH));
    Value stepW = div(binW, toFloat(gridW));
    Value binStartH = add(startH, mul(toFloat(ph), binH));
    Value y0 = add(binStartH, mul(half, stepH));
    Value binStartW = add(startW, mul(toFloat(pw), binW));
    Value x0 = add(binStartW, mul(half, stepW));

    bool isMax = op.getMode() == RoiAlignMode::max;
    Value init = isMax ? createScalar(b, loc, t, -INFINITY) : cst(0.0);
    Value result = loop(gridH, init, [&](Value iy, Value accY) {
      Value y = add(y0, mul(toFloat(iy), stepH));
      return loop(gridW, accY, [&](Value ix, Value accX) {
        Value x = add(x0, mul(toFloat(ix), stepW));
        return sample(y, x, batch, c, accX, isMax);
      });
    });
    Value count = b.create<arith::MulIOp>(loc, gridH, gridW);
    Value empty = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, count, zero);
    Value zeroF = cst(0.0);
    if (isMax) { // no sample: 0, as the reference's initial value
      result = b.create<arith::SelectOp>(loc, empty, zeroF, result);
    } else {
      Value divisor = b.create<arith::SelectOp>(loc, empty, idx(1), count);
      result = div(result, toFloat(divisor));
    }
    return b.create<arith::SelectOp>(loc, batchValid, result, zeroF);
  }

private:
  /// scf.for iv in [0, count) carrying one value: `step(iv, acc)` builds the
  /// body at b's insertion point.
  Value loop(Value count, Value init,
             function_ref<Value(Value, Value)> step) {
    Value zero = idx(0);
    Value one = idx(1);
    auto forOp = b.create<scf::ForOp>(loc, zero, count, one, ValueRange{init});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forOp.getBody());
    Value next = step(forOp.getInductionVar(), forOp.getRegionIterArgs()[0]);
    b.create<scf::YieldOp>(loc, next);
    return forOp.getResult(0);
  }

  /// sampling_ratio, or ceil(bin) (clamped to [0, kMaxGrid]) when it is 0.
  Value gridSize(Value bin) {
    if (int64_t ratio = op.getSamplingRatio())
      return idx(ratio);
    Value up = b.create<math::CeilOp>(loc, bin);
    up = b.create<arith::MaxNumFOp>(loc, up, cst(0.0));
    up = b.create<arith::MinNumFOp>(loc, up, cst(kMaxGrid));
    Value i = b.create<arith::FPToSIOp>(loc, b.getI64Type(), up);
    return b.create<arith::IndexCastOp>(loc, b.getIndexType(), i);
  }

  /// The accumulator after the sample at (y, x) of channel c.
  Value sample(Value y, Value x, Value batch, Value c, Value acc, bool isMax) {
    Value below = cst(-1.0);
    Value aboveY = lt(cst(height), y);
    Value outsideY = b.create<arith::OrIOp>(loc, lt(y, below), aboveY);
    Value aboveX = lt(cst(width), x);
    Value outsideX = b.create<arith::OrIOp>(loc, lt(x, below), aboveX);
    Value outside = b.create<arith::OrIOp>(loc, outsideY, outsideX);
    auto [yLow, yHigh, ly] = taps(y, height);
    auto [xLow, xHigh, lx] = taps(x, width);
    Value one = cst(1.0);
    Value hy = sub(one, ly), hx = sub(one, lx);
    // Points outside give weights 0 (and read pixel (0, 0)), as the
    // reference's zeroed precomputation.
    Value zero = cst(0.0);
    auto weight = [&](Value a, Value bw) {
      Value w = mul(a, bw);
      return b.create<arith::SelectOp>(loc, outside, zero, w).getResult();
    };
    auto term = [&](Value wa, Value wb, Value yi, Value xi) {
      Value w = weight(wa, wb);
      Value v = b.create<tensor::ExtractOp>(loc, input, ValueRange{batch, c, yi, xi});
      return mul(w, convertFloat(b, loc, v, t));
    };
    Value terms[] = {term(hy, hx, yLow, xLow), term(hy, lx, yLow, xHigh),
                     term(ly, hx, yHigh, xLow), term(ly, lx, yHigh, xHigh)};
    if (!isMax)
      return add(acc, add(add(add(terms[0], terms[1]), terms[2]), terms[3]));
    // Python's max(a, b): b only when strictly greater.
    auto larger = [&](Value a, Value v) {
      Value greater = lt(a, v);
      return b.create<arith::SelectOp>(loc, greater, v, a).getResult();
    };
    Value val = larger(larger(larger(terms[0], terms[1]), terms[2]), terms[3]);
    return larger(acc, val);
  }

  /// The reference's (low, high, fraction) along a dim of `size` for a
  /// point known not to be outside: clamped at 0, low = floor, both at the
  /// last pixel (fraction 0) from there on. Indices are clamped into the
  /// input even for points outside, whose weights are 0.
  std::tuple<Value, Value, Value> taps(Value p, int64_t size) {
    double last = static_cast<double>(size - 1);
    Value lastF = cst(last);
    p = b.create<arith::MaxNumFOp>(loc, p, cst(0.0));
    Value low = b.create<math::FloorOp>(loc, p);
    Value atEnd = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, low, lastF);
    low = b.create<arith::SelectOp>(loc, atEnd, lastF, low);
    p = b.create<arith::SelectOp>(loc, atEnd, low, p);
    Value next = add(low, cst(1.0));
    Value high = b.create<arith::SelectOp>(loc, atEnd, low, next);
    Value fraction = sub(p, low);
    Value lowIndex = toIndex(low, lastF);
    Value highIndex = toIndex(high, lastF);
    return {lowIndex, highIndex, fraction};
  }

  Value toIndex(Value v, Value last) {
    v = b.create<arith::MinNumFOp>(loc, v, last);
    Value i = b.create<arith::FPToSIOp>(loc, b.getI64Type(), v);
    return b.create<arith::IndexCastOp>(loc, b.getIndexType(), i);
  }
  Value toFloat(Value index) {
    Value i = b.create<arith::IndexCastOp>(loc, b.getI64Type(), index);
    return b.create<arith::SIToFPOp>(loc, t, i);
  }
  Value idx(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }
  Value cst(double v) { return createScalar(b, loc, t, v); }
  Value add(Value x, Value y) { return b.create<arith::AddFOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<arith::SubFOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<arith::MulFOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.create<arith::DivFOp>(loc, x, y); }
  Value lt(Value x, Value y) {
    return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, y);
  }

  OpBuilder &b;
  Location loc;
  RoiAlignOp op;
  Value input, rois, batchIndices;
  Type t;
  int64_t batches, height, width;
};

struct RoiAlignToLinalg : OpConversionPattern<RoiAlignOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RoiAlignOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    if (inputType.getNumElements() == 0)
      return rewriter.notifyMatchFailure(op, "empty input");
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    Type t = getComputeType(elementType);
    MLIRContext *ctx = op.getContext();
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{type}, ValueRange{},
        ValueRange{createEmpty(rewriter, loc, type.getShape(), elementType)},
        SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(4, ctx)},
        getParallelIterators(4), [&](OpBuilder &b, Location l, ValueRange) {
          RoiAlignBody body(b, l, op, adaptor.getInput(), adaptor.getRois(),
                            adaptor.getBatchIndices(), t);
          b.create<linalg::YieldOp>(l, convertFloat(b, l, body.build(), elementType));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void mlir::kiln::populateRoiAlignPatterns(RewritePatternSet &patterns,
                                          ConversionTarget &target) {
  patterns.add<RoiAlignToLinalg>(patterns.getContext());
  target.addIllegalOp<RoiAlignOp>();
}
