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
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"

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
  if (cast<RankedTensorType>(bias.getType()).getElementType() == accType)
    return b.create<linalg::BroadcastOp>(loc, bias, empty,
                                         ArrayRef<int64_t>{0, 2, 3})
        .getResult()[0];
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {
      AffineMap::get(4, 0, {getAffineDimExpr(1, ctx)}, ctx),
      AffineMap::getMultiDimIdentityMap(4, ctx)};
  return b
      .create<linalg::GenericOp>(
          loc, empty.getType(), bias, empty, maps, getParallelIterators(4),
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            nb.create<linalg::YieldOp>(
                nloc, convertFloat(nb, nloc, args[0], accType));
          })
      .getResult(0);
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

    if (llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
      SmallVector<OpFoldResult> low = {rewriter.getIndexAttr(0),
                                       rewriter.getIndexAttr(0),
                                       rewriter.getIndexAttr(pads[0]),
                                       rewriter.getIndexAttr(pads[1])};
      SmallVector<OpFoldResult> high = {rewriter.getIndexAttr(0),
                                        rewriter.getIndexAttr(0),
                                        rewriter.getIndexAttr(pads[2]),
                                        rewriter.getIndexAttr(pads[3])};
      SmallVector<int64_t> padded = {in[0], in[1], in[2] + pads[0] + pads[2],
                                     in[3] + pads[1] + pads[3]};
      Value zero = createScalar(rewriter, loc, inputType.getElementType(), 0);
      input = rewriter.create<tensor::PadOp>(
          loc, RankedTensorType::get(padded, inputType.getElementType()), input,
          low, high, zero);
      in = cast<RankedTensorType>(input.getType()).getShape();
    }

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
} // namespace

void mlir::kiln::populateConvPatterns(RewritePatternSet &patterns,
                                      ConversionTarget &target) {
  patterns.add<ConvToLinalg>(patterns.getContext());
  target.addIllegalOp<ConvOp>();
}
