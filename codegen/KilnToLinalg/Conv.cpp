//===- Conv.cpp - kiln.conv -> linalg convolutions ------------------------===//
//
// 2-D NCHW convolution onto the named linalg ops (strides and dilations are
// their attributes):
//   groups == 1           -> linalg.conv_2d_nchw_fchw
//   groups == C == F      -> linalg.depthwise_conv_2d_nchw_chw
//   other groups          -> linalg.conv_2d_ngchw_gfchw; input, filter and
//                            output are pure reshapes around it (kiln's filter
//                            [F, C/G, kh, kw] is group-major, i.e. GFCHW;
//                            the FGCHW form would need a transpose).
// Padding is a zero tensor.pad, only when some pad is non-zero. The bias is
// broadcast into the init the convolution accumulates into. 1-D convolution
// runs as 2-D with H = 1. f16/bf16 accumulate in f32.
//
// kiln.conv_backward_filter (conv's filter cotangent) is one linalg.generic
// contraction over the batch and the output pixels.
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

/// `shape` with a 1 inserted before its last dim: [N, C, W] -> [N, C, 1, W].
static SmallVector<int64_t> withUnitHeight(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> r(shape.drop_back());
  r.append({1, shape.back()});
  return r;
}

/// The init of the convolution: the bias broadcast along N, H, W
/// (linalg.broadcast, or a generic that also widens f16/bf16 to f32), or
/// zeros.
static Value buildInit(OpBuilder &b, Location loc, Value bias,
                       ArrayRef<int64_t> shape, Type accType) {
  if (!bias)
    return createFilled(b, loc, shape, cast<TypedAttr>(b.getZeroAttr(accType)));
  Value empty = createEmpty(b, loc, shape, accType);
  int64_t rank = shape.size();
  SmallVector<int64_t> broadcastDims = {0};
  for (int64_t i = 2; i < rank; ++i)
    broadcastDims.push_back(i);
  if (cast<RankedTensorType>(bias.getType()).getElementType() == accType)
    return b.create<linalg::BroadcastOp>(loc, bias, empty, broadcastDims)
        .getResult()[0];
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx),
      AffineMap::getMultiDimIdentityMap(rank, ctx)};
  return b
      .create<linalg::GenericOp>(
          loc, empty.getType(), bias, empty, maps, getParallelIterators(rank),
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            nb.create<linalg::YieldOp>(
                nloc, convertFloat(nb, nloc, args[0], accType));
          })
      .getResult(0);
}

/// `input` [N, C, spatial...] zero-padded by `pads` (all begins, then all
/// ends) on its spatial dims; itself when every pad is 0.
static Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> pads) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  int64_t spatial = type.getRank() - 2;
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)), high(2, b.getIndexAttr(0));
  SmallVector<int64_t> padded(type.getShape());
  for (int64_t i = 0; i < spatial; ++i) {
    low.push_back(b.getIndexAttr(pads[i]));
    high.push_back(b.getIndexAttr(pads[spatial + i]));
    padded[2 + i] += pads[i] + pads[spatial + i];
  }
  return b.create<tensor::PadOp>(loc, RankedTensorType::get(padded, type.getElementType()), input,
                                 low, high, createScalar(b, loc, type.getElementType(), 0));
}

/// acc + a * b in `accType` (f32 for f16/bf16 operands; i32 for the
/// integer convolutions of ConvInteger and QLinearConv).
static Value multiplyAdd(OpBuilder &b, Location loc, Value acc, Value x, Value y, Type accType) {
  if (isa<IntegerType>(accType)) {
    Value p = b.create<arith::MulIOp>(loc, x, y);
    return b.create<arith::AddIOp>(loc, acc, p);
  }
  Value p = b.create<arith::MulFOp>(loc, convertFloat(b, loc, x, accType), convertFloat(b, loc, y, accType));
  return b.create<arith::AddFOp>(loc, acc, p);
}

/// The 3-D (rank 5) convolution, any groups, as one linalg.generic over
/// (n, g, f, od, oh, ow, c, kd, kh, kw) on pure reshapes of kiln's layouts
/// (x [N, G, C/G, D, H, W], filter [G, F/G, C/G, KD, KH, KW], y [N, G, F/G,
/// OD, OH, OW]):
///   y[n, g, f, o...] += xpad[n, g, c, o * stride + k * dilation...] * w[g, f, c, k...]
/// Upstream's named 3-D ops take one group only, and no target has a fast
/// path for 3-D: one generic serves every case.
static Value buildConv3D(OpBuilder &b, Location loc, Value input, Value filter, Value init,
                         ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations, int64_t g,
                         Type accType) {
  ArrayRef<int64_t> in = cast<RankedTensorType>(input.getType()).getShape();
  ArrayRef<int64_t> w = cast<RankedTensorType>(filter.getType()).getShape();
  ArrayRef<int64_t> out = cast<RankedTensorType>(init.getType()).getShape();
  int64_t cg = in[1] / g, fg = w[0] / g;
  Value x = reshapeTo(b, loc, input, {in[0], g, cg, in[2], in[3], in[4]});
  Value f = reshapeTo(b, loc, filter, {g, fg, cg, w[2], w[3], w[4]});
  Value y = reshapeTo(b, loc, init, {out[0], g, fg, out[2], out[3], out[4]});
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // Loops: n 0, g 1, f 2, o 3..5, c 6, k 7..9.
  SmallVector<AffineExpr> xExprs = {d(0), d(1), d(6)};
  for (unsigned i = 0; i < 3; ++i)
    xExprs.push_back(d(3 + i) * strides[i] + d(7 + i) * dilations[i]);
  SmallVector<AffineMap> maps = {AffineMap::get(10, 0, xExprs, ctx),
                                 AffineMap::get(10, 0, {d(1), d(2), d(6), d(7), d(8), d(9)}, ctx),
                                 AffineMap::get(10, 0, {d(0), d(1), d(2), d(3), d(4), d(5)}, ctx)};
  SmallVector<utils::IteratorType> iterators = getParallelIterators(6);
  iterators.append(4, utils::IteratorType::reduction);
  Value result = b.create<linalg::GenericOp>(
                      loc, y.getType(), ValueRange{x, f}, y, maps, iterators,
                      [&](OpBuilder &nb, Location l, ValueRange args) {
                        nb.create<linalg::YieldOp>(l, multiplyAdd(nb, l, args[2], args[0], args[1], accType));
                      })
                     .getResult(0);
  return reshapeTo(b, loc, result, out);
}

namespace {
struct ConvToLinalg : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), filter = adaptor.getFilter();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto filterType = cast<RankedTensorType>(filter.getType());
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    Type accType = getComputeType(elementType);

    if (inputType.getRank() == 5) {
      Value padded = padSpatial(rewriter, loc, input, op.getPads());
      Value init = buildInit(rewriter, loc, adaptor.getBias(), resultType.getShape(), accType);
      Value result = buildConv3D(rewriter, loc, padded, filter, init, op.getStrides(),
                                 op.getDilations(), op.getGroups(), accType);
      rewriter.replaceOp(op, convertTensor(rewriter, loc, result, elementType));
      return success();
    }
    // Everything as 2-D: [strideH, strideW], pads [hBegin, wBegin, hEnd, wEnd].
    SmallVector<int64_t> strides(op.getStrides()), dilations(op.getDilations());
    SmallVector<int64_t> pads(op.getPads());
    SmallVector<int64_t> outShape(resultType.getShape());
    if (inputType.getRank() == 3) {
      input = reshapeTo(rewriter, loc, input, withUnitHeight(inputType.getShape()));
      filter = reshapeTo(rewriter, loc, filter,
                         withUnitHeight(filterType.getShape()));
      strides.insert(strides.begin(), 1);
      dilations.insert(dilations.begin(), 1);
      pads = {0, pads[0], 0, pads[1]};
      outShape = withUnitHeight(outShape);
    }
    ArrayRef<int64_t> in = cast<RankedTensorType>(input.getType()).getShape();
    ArrayRef<int64_t> w = cast<RankedTensorType>(filter.getType()).getShape();

    input = padSpatial(rewriter, loc, input, pads);
    in = cast<RankedTensorType>(input.getType()).getShape();

    Value init = buildInit(rewriter, loc, adaptor.getBias(), outShape, accType);
    Attribute stridesAttr = rewriter.getI64VectorAttr(strides);
    Attribute dilationsAttr = rewriter.getI64VectorAttr(dilations);
    int64_t groups = op.getGroups();
    int64_t channels = in[1], filters = w[0];
    Value result;
    if (groups == 1) {
      result = rewriter
                   .create<linalg::Conv2DNchwFchwOp>(
                       loc, init.getType(), ValueRange{input, filter}, init,
                       stridesAttr, dilationsAttr)
                   .getResult(0);
    } else if (groups == channels && filters == channels) {
      Value chw = reshapeTo(rewriter, loc, filter, {w[0], w[2], w[3]});
      result = rewriter
                   .create<linalg::DepthwiseConv2DNchwChwOp>(
                       loc, init.getType(), ValueRange{input, chw}, init,
                       stridesAttr, dilationsAttr)
                   .getResult(0);
    } else {
      int64_t g = groups;
      Value input5 = reshapeTo(rewriter, loc, input,
                               {in[0], g, channels / g, in[2], in[3]});
      Value filter5 = reshapeTo(rewriter, loc, filter,
                                {g, filters / g, w[1], w[2], w[3]});
      Value init5 = reshapeTo(rewriter, loc, init,
                              {outShape[0], g, filters / g, outShape[2],
                               outShape[3]});
      Value conv = rewriter
                       .create<linalg::Conv2DNgchwGfchwOp>(
                           loc, init5.getType(), ValueRange{input5, filter5},
                           init5, stridesAttr, dilationsAttr)
                       .getResult(0);
      result = reshapeTo(rewriter, loc, conv, outShape);
    }
    result = convertTensor(rewriter, loc, result, elementType);
    rewriter.replaceOp(op,
                       reshapeTo(rewriter, loc, result, resultType.getShape()));
    return success();
  }
};

/// The most bytes of im2col copy kiln.conv_backward_filter makes to become a
/// batched matmul; above it, it stays one loop nest.
constexpr int64_t kMaxFilterColumnsBytes = 32 << 20;

/// The 3-D (rank 5) kiln.conv_backward_filter as one linalg.generic
/// contraction over the batch and the output pixels, on pure reshapes (dy
/// [N, G, F/G, O...], xpad [N, G, C/G, I...], dw [G, F/G, C/G, K...]):
///   dw[g, f, c, k...] += dy[n, g, f, o...] * xpad[n, g, c, o * stride + k * dilation...]
static Value buildConvBackwardFilter3D(OpBuilder &b, Location loc, Value input, Value grad,
                                       RankedTensorType resultType, ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                                       int64_t g) {
  Type elementType = resultType.getElementType();
  Type accType = getComputeType(elementType);
  Value xpad = padSpatial(b, loc, input, pads);
  ArrayRef<int64_t> in = cast<RankedTensorType>(xpad.getType()).getShape();
  ArrayRef<int64_t> out = cast<RankedTensorType>(grad.getType()).getShape();
  ArrayRef<int64_t> w = resultType.getShape();
  int64_t cg = in[1] / g, fg = out[1] / g;
  Value x = reshapeTo(b, loc, xpad, {in[0], g, cg, in[2], in[3], in[4]});
  Value dy = reshapeTo(b, loc, grad, {out[0], g, fg, out[2], out[3], out[4]});
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // Loops: g 0, f 1, c 2, k 3..5 | n 6, o 7..9.
  SmallVector<AffineExpr> xExprs = {d(6), d(0), d(2)};
  for (unsigned i = 0; i < 3; ++i)
    xExprs.push_back(d(7 + i) * strides[i] + d(3 + i) * dilations[i]);
  SmallVector<AffineMap> maps = {AffineMap::get(10, 0, {d(6), d(0), d(1), d(7), d(8), d(9)}, ctx),
                                 AffineMap::get(10, 0, xExprs, ctx),
                                 AffineMap::get(10, 0, {d(0), d(1), d(2), d(3), d(4), d(5)}, ctx)};
  SmallVector<utils::IteratorType> iterators = getParallelIterators(6);
  iterators.append(4, utils::IteratorType::reduction);
  Value init = createFilled(b, loc, {g, fg, cg, w[2], w[3], w[4]},
                            cast<TypedAttr>(b.getZeroAttr(accType)));
  Value dw = b.create<linalg::GenericOp>(
                  loc, init.getType(), ValueRange{dy, x}, init, maps, iterators,
                  [&](OpBuilder &nb, Location l, ValueRange args) {
                    nb.create<linalg::YieldOp>(l, multiplyAdd(nb, l, args[2], args[0], args[1], accType));
                  })
                 .getResult(0);
  dw = convertTensor(b, loc, dw, elementType);
  return reshapeTo(b, loc, dw, w);
}

/// kiln.conv_backward_filter, everything as 2-D and grouped, on pure
/// reshapes of kiln's layouts (dy [N, F, OH, OW] is [N, G, F/G, ...],
/// x [N, C, H, W] is [N, G, C/G, ...], and dw [G, F/G, C/G, kh, kw] is the
/// filter [F, C/G, kh, kw]); the input is zero-padded first when some pad is
/// non-zero:
///   dw[g, f, c, a, b] += dy[n, g, f, i, j] * xpad[n, g, c, i * sh + a * dh, j * sw + b * dw]
/// For f32, as a linalg.batch_matmul over the groups, which the targets'
/// GEMM tiles take: dy transposed to [G, F/G, N*OH*OW] times the im2col
/// copy of xpad [G, N*OH*OW, C/G*kh*kw] (while that copy stays under 32 MB).
/// Otherwise, and for f16/bf16 (which accumulate in f32), as one
/// linalg.generic contraction over the batch and the output pixels.
struct ConvBackwardFilterToLinalg : OpConversionPattern<ConvBackwardFilterOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvBackwardFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    Type accType = getComputeType(elementType);
    SmallVector<int64_t> in(op.getInput().getType().getShape());
    SmallVector<int64_t> out(op.getGrad().getType().getShape());
    SmallVector<int64_t> w(resultType.getShape());
    SmallVector<int64_t> strides(op.getStrides()), dilations(op.getDilations());
    SmallVector<int64_t> pads(op.getPads());
    if (in.size() == 5) {
      rewriter.replaceOp(op, buildConvBackwardFilter3D(rewriter, loc, adaptor.getInput(),
                                                       adaptor.getGrad(), resultType, strides, pads,
                                                       dilations, op.getGroups()));
      return success();
    }
    if (in.size() == 3) {
      in = withUnitHeight(in);
      out = withUnitHeight(out);
      w = withUnitHeight(w);
      strides.insert(strides.begin(), 1);
      dilations.insert(dilations.begin(), 1);
      pads = {0, pads[0], 0, pads[1]};
    }
    int64_t g = op.getGroups(), n = in[0], cg = in[1] / g, fg = out[1] / g;
    Value x = padSpatial(rewriter, loc, reshapeTo(rewriter, loc, adaptor.getInput(), in), pads);
    in.assign(cast<RankedTensorType>(x.getType()).getShape().begin(),
              cast<RankedTensorType>(x.getType()).getShape().end());
    x = reshapeTo(rewriter, loc, x, {n, g, cg, in[2], in[3]});
    Value dy = reshapeTo(rewriter, loc, adaptor.getGrad(),
                         {n, g, fg, out[2], out[3]});

    MLIRContext *ctx = rewriter.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    int64_t pixels = n * out[2] * out[3], depth = cg * w[2] * w[3];
    if (accType == elementType && elementType.isF32() &&
        g * pixels * depth * 4 <= kMaxFilterColumnsBytes) {
      // cols[g, n, i, j, c, a, b] = xpad[n, g, c, i * sh + a * dh, j * sw + b * dw]
      SmallVector<int64_t> colsShape = {g, n, out[2], out[3], cg, w[2], w[3]};
      AffineMap read = AffineMap::get(
          7, 0,
          {d(1), d(0), d(4), d(2) * strides[0] + d(5) * dilations[0],
           d(3) * strides[1] + d(6) * dilations[1]},
          ctx);
      Value colsInit = createEmpty(rewriter, loc, colsShape, elementType);
      Value cols =
          rewriter
              .create<linalg::GenericOp>(
                  loc, colsInit.getType(), x, colsInit,
                  SmallVector<AffineMap>{read, AffineMap::getMultiDimIdentityMap(7, ctx)},
                  getParallelIterators(7),
                  [](OpBuilder &nb, Location nloc, ValueRange args) {
                    nb.create<linalg::YieldOp>(nloc, args[0]);
                  })
              .getResult(0);
      cols = reshapeTo(rewriter, loc, cols, {g, pixels, depth});
      Value dyInit = createEmpty(rewriter, loc, {g, fg, n, out[2], out[3]}, elementType);
      Value dyT = rewriter
                      .create<linalg::TransposeOp>(loc, dy, dyInit,
                                                   ArrayRef<int64_t>{1, 2, 0, 3, 4})
                      .getResult()[0];
      dyT = reshapeTo(rewriter, loc, dyT, {g, fg, pixels});
      Value init = createFilled(rewriter, loc, {g, fg, depth},
                                cast<TypedAttr>(rewriter.getZeroAttr(elementType)));
      Value dw = rewriter
                     .create<linalg::BatchMatmulOp>(loc, init.getType(), ValueRange{dyT, cols},
                                                    init)
                     .getResult(0);
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, dw, resultType.getShape()));
      return success();
    }
    // Loops (g, f, c, a, b | n, i, j).
    SmallVector<AffineMap> maps = {
        AffineMap::get(8, 0, {d(5), d(0), d(1), d(6), d(7)}, ctx),
        AffineMap::get(8, 0,
                       {d(5), d(0), d(2), d(6) * strides[0] + d(3) * dilations[0],
                        d(7) * strides[1] + d(4) * dilations[1]},
                       ctx),
        AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx)};
    SmallVector<utils::IteratorType> iterators = getParallelIterators(5);
    iterators.append(3, utils::IteratorType::reduction);
    Value init = createFilled(rewriter, loc, {g, fg, cg, w[2], w[3]},
                              cast<TypedAttr>(rewriter.getZeroAttr(accType)));
    Value dw =
        rewriter
            .create<linalg::GenericOp>(
                loc, init.getType(), ValueRange{dy, x}, init, maps, iterators,
                [&](OpBuilder &nb, Location nloc, ValueRange args) {
                  nb.create<linalg::YieldOp>(
                      nloc, multiplyAdd(nb, nloc, args[2], args[0], args[1], accType));
                })
            .getResult(0);
    dw = convertTensor(rewriter, loc, dw, elementType);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, dw, resultType.getShape()));
    return success();
  }
};
} // namespace

void mlir::kiln::populateConvPatterns(RewritePatternSet &patterns,
                                      ConversionTarget &target) {
  patterns.add<ConvToLinalg, ConvBackwardFilterToLinalg>(patterns.getContext());
  target.addIllegalOp<ConvOp, ConvBackwardFilterOp>();
}
