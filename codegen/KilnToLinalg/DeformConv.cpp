//===- DeformConv.cpp - kiln.deform_conv -> one linalg.generic ------------===//
//
// One linalg.generic contraction over (n, f, oh, ow | cg, i, j): output
// [N, F, OH, OW], reduced over the filter's channels cg (of f's group) and
// kernel taps (i, j). The filter is an indexed operand (its map gives the
// reduction extents); the input, offsets and mask are read with
// tensor.extract, because where a tap samples depends on the offsets, which
// are data. A sample interpolates the four pixels around its point
// bilinearly, each pixel outside the input reading 0 (ONNX's reference
// samples with GridSample, bilinear, zeros padding, align_corners). Indices
// are clamped into the input before every read. The bias (or 0) is the init;
// f16/bf16 compute and accumulate in f32.
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

/// Scalar code of the generic's body, in the compute type `t`. One op per
/// statement (or one op-building argument per call): the order of a call's
/// arguments, and so of the ops, would differ between compilers.
class DeformConvBody {
public:
  DeformConvBody(OpBuilder &b, Location loc, DeformConvOp op, Value input,
                 Value offset, Value mask, Type t)
      : b(b), loc(loc), op(op), input(input), offset(offset), mask(mask), t(t) {
    in = cast<RankedTensorType>(input.getType()).getShape();
    w = op.getFilter().getType().getShape();
    filters = op.getType().getDimSize(1);
  }

  /// acc + filter tap * mask * the bilinear sample.
  Value build(Value filterTap, Value acc) {
    Value n = index(0), f = index(1), oh = index(2), ow = index(3);
    Value cg = index(4), i = index(5), j = index(6);
    int64_t groups = op.getGroups(), offsetGroups = op.getOffsetGroups();
    // The input channel, and the offset group it belongs to.
    Value group = divI(f, filters / groups);
    Value c = addI(mulI(group, w[1]), cg);
    Value og = divI(c, in[1] / offsetGroups);
    Value tap = addI(mulI(addI(mulI(og, w[2]), i), w[3]), j);
    Value dy = read(offset, {n, mulI(tap, 2), oh, ow});
    Value dx = read(offset, {n, addI(mulI(tap, 2), 1), oh, ow});
    Value m = read(mask, {n, tap, oh, ow});
    ArrayRef<int64_t> strides = op.getStrides(), pads = op.getPads(),
                      dilations = op.getDilations();
    Value y = add(position(oh, i, strides[0], pads[0], dilations[0]), dy);
    Value x = add(position(ow, j, strides[1], pads[1], dilations[1]), dx);
    Value sample = bilinear(n, c, y, x);
    Value term = mul(mul(convertFloat(b, loc, filterTap, t), m), sample);
    return add(acc, term);
  }

private:
  /// o * stride - pad + k * dilation, as a float.
  Value position(Value o, Value k, int64_t stride, int64_t pad, int64_t dilation) {
    Value start = mulI(o, stride);
    Value p = addI(start, mulI(k, dilation));
    p = b.create<arith::SubIOp>(loc, p, idx(pad));
    Value i = b.create<arith::IndexCastOp>(loc, b.getI64Type(), p);
    return b.create<arith::SIToFPOp>(loc, t, i);
  }

  /// input[n, c] at (y, x): the four pixels around it weighed by their
  /// distance, pixels outside the input (or NaN coordinates) as 0.
  Value bilinear(Value n, Value c, Value y, Value x) {
    Value y0 = b.create<math::FloorOp>(loc, y);
    Value x0 = b.create<math::FloorOp>(loc, x);
    Value ly = sub(y, y0), lx = sub(x, x0);
    Value one = cst(1.0);
    Value ys[] = {y0, add(y0, one)}, xs[] = {x0, add(x0, one)};
    Value wy[] = {sub(one, ly), ly}, wx[] = {sub(one, lx), lx};
    Value sum;
    for (int a = 0; a < 2; ++a)
      for (int e = 0; e < 2; ++e) {
        auto [yi, yIn] = clampIndex(ys[a], in[2]);
        auto [xi, xIn] = clampIndex(xs[e], in[3]);
        Value v = read(input, {n, c, yi, xi});
        Value inside = b.create<arith::AndIOp>(loc, yIn, xIn);
        v = b.create<arith::SelectOp>(loc, inside, v, cst(0.0));
        Value term = mul(mul(wy[a], wx[e]), v);
        sum = sum ? add(sum, term) : term;
      }
    return sum;
  }

  /// The index of integral position `p` clamped into [0, size), and whether
  /// `p` was inside (ordered compares: NaN is not).
  std::pair<Value, Value> clampIndex(Value p, int64_t size) {
    double last = static_cast<double>(size - 1);
    Value fromStart = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, p, cst(0.0));
    Value beforeEnd = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLE, p, cst(last));
    Value inside = b.create<arith::AndIOp>(loc, fromStart, beforeEnd);
    Value clamped = b.create<arith::MaxNumFOp>(loc, p, cst(0.0));
    clamped = b.create<arith::MinNumFOp>(loc, clamped, cst(last));
    Value i = b.create<arith::FPToSIOp>(loc, b.getI64Type(), clamped);
    return {b.create<arith::IndexCastOp>(loc, b.getIndexType(), i), inside};
  }

  Value read(Value tensor, ArrayRef<Value> at) {
    return convertFloat(b, loc, b.create<tensor::ExtractOp>(loc, tensor, at), t);
  }
  Value index(int64_t dim) { return b.create<linalg::IndexOp>(loc, dim); }
  Value idx(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }
  Value addI(Value x, Value y) { return b.create<arith::AddIOp>(loc, x, y); }
  Value addI(Value x, int64_t y) { return addI(x, idx(y)); }
  Value mulI(Value x, int64_t y) { return b.create<arith::MulIOp>(loc, x, idx(y)); }
  Value divI(Value x, int64_t y) { return b.create<arith::DivUIOp>(loc, x, idx(y)); }
  Value cst(double v) { return createScalar(b, loc, t, v); }
  Value add(Value x, Value y) { return b.create<arith::AddFOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<arith::SubFOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<arith::MulFOp>(loc, x, y); }

  OpBuilder &b;
  Location loc;
  DeformConvOp op;
  Value input, offset, mask;
  Type t;
  ArrayRef<int64_t> in, w;
  int64_t filters;
};

struct DeformConvToLinalg : OpConversionPattern<DeformConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DeformConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    if (inputType.getNumElements() == 0)
      return rewriter.notifyMatchFailure(op, "empty input");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    Type t = getComputeType(elementType);
    ArrayRef<int64_t> shape = type.getShape();

    // The init: the bias along dim 1, or zeros, in the compute type.
    Value init;
    if (Value bias = adaptor.getBias()) {
      SmallVector<AffineMap> maps = {
          AffineMap::get(4, 0, {getAffineDimExpr(1, ctx)}, ctx),
          AffineMap::getMultiDimIdentityMap(4, ctx)};
      init = rewriter
                 .create<linalg::GenericOp>(
                     loc, RankedTensorType::get(shape, t), bias,
                     createEmpty(rewriter, loc, shape, t), maps,
                     getParallelIterators(4),
                     [&](OpBuilder &b, Location l, ValueRange args) {
                       b.create<linalg::YieldOp>(l, convertFloat(b, l, args[0], t));
                     })
                 .getResult(0);
    } else {
      init = createFilled(rewriter, loc, shape, cast<TypedAttr>(rewriter.getZeroAttr(t)));
    }

    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    // Loops (n, f, oh, ow | cg, i, j).
    SmallVector<AffineMap> maps = {AffineMap::get(7, 0, {d(1), d(4), d(5), d(6)}, ctx),
                                   AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx)};
    SmallVector<utils::IteratorType> iterators = getParallelIterators(4);
    iterators.append(3, utils::IteratorType::reduction);
    Value sum =
        rewriter
            .create<linalg::GenericOp>(
                loc, init.getType(), ValueRange{adaptor.getFilter()}, ValueRange{init},
                maps, iterators,
                [&](OpBuilder &b, Location l, ValueRange args) {
                  DeformConvBody body(b, l, op, adaptor.getInput(), adaptor.getOffset(),
                                      adaptor.getMask(), t);
                  b.create<linalg::YieldOp>(l, body.build(args[0], args[1]));
                })
            .getResult(0);
    rewriter.replaceOp(op, convertTensor(rewriter, loc, sum, elementType));
    return success();
  }
};

} // namespace

void mlir::kiln::populateDeformConvPatterns(RewritePatternSet &patterns,
                                            ConversionTarget &target) {
  patterns.add<DeformConvToLinalg>(patterns.getContext());
  target.addIllegalOp<DeformConvOp>();
}
