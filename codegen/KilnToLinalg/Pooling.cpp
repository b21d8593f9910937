//===- Pooling.cpp - kiln pooling -> linalg.pooling_nchw_* -------------------===//
//
//   max_pool -> tensor.pad with the lowest value (-inf / INT_MIN, so padding
//               never wins) + linalg.pooling_nchw_max
//   avg_pool -> tensor.pad with 0 + linalg.pooling_nchw_sum, then one generic
//               dividing by a per-window count. The count depends only on
//               static shapes and attributes, so it is computed here, in C++,
//               and embedded as a [OH, OW] constant (ONNX/PyTorch rules).
//   global_{avg,max}_pool -> a mean / max reduction over the spatial dims.
// ceil_mode's last, partial window is covered by extra end padding. 1-D
// pooling runs as 2-D with H = 1. f16/bf16 sums accumulate in f32.
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Reduction.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {

/// A pooling window in 2-D form (1-D pooling gets a unit H dim).
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, padBegin, padEnd;
  SmallVector<int64_t> inShape, outShape; // NCHW

  Window(RankedTensorType input, RankedTensorType output,
         ArrayRef<int64_t> kernelShape, ArrayRef<int64_t> stridesAttr,
         ArrayRef<int64_t> pads, ArrayRef<int64_t> dilationsAttr)
      : kernel(kernelShape), strides(stridesAttr),
        inShape(input.getShape()), outShape(output.getShape()) {
    size_t spatial = kernel.size();
    padBegin.assign(pads.begin(), pads.begin() + spatial);
    padEnd.assign(pads.begin() + spatial, pads.end());
    if (dilationsAttr.empty())
      dilations.assign(spatial, 1);
    else
      dilations.assign(dilationsAttr.begin(), dilationsAttr.end());
    if (spatial == 1) {
      for (SmallVector<int64_t> *v : {&kernel, &strides, &dilations})
        v->insert(v->begin(), 1);
      padBegin.insert(padBegin.begin(), 0);
      padEnd.insert(padEnd.begin(), 0);
      inShape.insert(inShape.begin() + 2, 1);
      outShape.insert(outShape.begin() + 2, 1);
    }
  }

  /// End padding plus what ceil_mode's last window reaches beyond it.
  int64_t padHigh(int i) const {
    int64_t needed = (outShape[2 + i] - 1) * strides[i] +
                     dilations[i] * (kernel[i] - 1) + 1;
    int64_t have = inShape[2 + i] + padBegin[i] + padEnd[i];
    return padEnd[i] + std::max<int64_t>(0, needed - have);
  }
};

} // namespace

/// The input in 2-D form, padded with `value` on the spatial dims.
static Value padInput(OpBuilder &b, Location loc, Value input,
                      const Window &w, TypedAttr value) {
  input = reshapeTo(b, loc, input, w.inShape);
  int64_t highH = w.padHigh(0), highW = w.padHigh(1);
  if (w.padBegin[0] == 0 && w.padBegin[1] == 0 && highH == 0 && highW == 0)
    return input;
  SmallVector<int64_t> padded = {
      w.inShape[0], w.inShape[1], w.inShape[2] + w.padBegin[0] + highH,
      w.inShape[3] + w.padBegin[1] + highW};
  auto idx = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
  Value pad = b.create<arith::ConstantOp>(loc, value);
  return b.create<tensor::PadOp>(
      loc, RankedTensorType::get(padded, value.getType()), input,
      SmallVector<OpFoldResult>{idx(0), idx(0), idx(w.padBegin[0]),
                                idx(w.padBegin[1])},
      SmallVector<OpFoldResult>{idx(0), idx(0), idx(highH), idx(highW)}, pad);
}

/// How many elements avg_pool divides by along spatial dim `i`
/// (ir/Shapes.h, shared with the VJP rule).
static SmallVector<int64_t> windowCounts(const Window &w, int i,
                                         bool countIncludePad) {
  return avgPoolWindowCounts(w.inShape[2 + i], w.outShape[2 + i], w.kernel[i],
                             w.strides[i], w.padBegin[i], w.padEnd[i],
                             countIncludePad);
}

namespace {

struct MaxPoolToLinalg : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type elementType = inputType.getElementType();
    Window w(inputType, op.getType(), op.getKernelShape(), op.getStrides(),
             op.getPads(), op.getDilations());
    TypedAttr lowest = getLowestAttr(elementType);
    Value padded = padInput(rewriter, loc, adaptor.getInput(), w, lowest);
    Value window = createEmpty(rewriter, loc, w.kernel, elementType);
    Value init = createFilled(rewriter, loc, w.outShape, lowest);
    Value pooled = rewriter
                       .create<linalg::PoolingNchwMaxOp>(
                           loc, init.getType(), ValueRange{padded, window},
                           init, rewriter.getI64VectorAttr(w.strides),
                           rewriter.getI64VectorAttr(w.dilations))
                       .getResult(0);
    rewriter.replaceOp(
        op, reshapeTo(rewriter, loc, pooled, op.getType().getShape()));
    return success();
  }
};

struct AvgPoolToLinalg : OpConversionPattern<AvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type elementType = inputType.getElementType();
    Type accType = getComputeType(elementType);
    Window w(inputType, op.getType(), op.getKernelShape(), op.getStrides(),
             op.getPads(), {});
    Value padded =
        padInput(rewriter, loc, adaptor.getInput(), w,
                 cast<TypedAttr>(rewriter.getZeroAttr(elementType)));
    Value window = createEmpty(rewriter, loc, w.kernel, elementType);
    Value init = createFilled(rewriter, loc, w.outShape,
                              cast<TypedAttr>(rewriter.getZeroAttr(accType)));
    Value sums = rewriter
                     .create<linalg::PoolingNchwSumOp>(
                         loc, init.getType(), ValueRange{padded, window}, init,
                         rewriter.getI64VectorAttr(w.strides),
                         rewriter.getI64VectorAttr(w.dilations))
                     .getResult(0);

    // The divisor is separable: count(oh, ow) = countH(oh) * countW(ow).
    bool includePad = op.getCountIncludePad();
    SmallVector<int64_t> countsH = windowCounts(w, 0, includePad);
    SmallVector<int64_t> countsW = windowCounts(w, 1, includePad);
    SmallVector<Attribute> divisors;
    for (int64_t ch : countsH)
      for (int64_t cw : countsW)
        divisors.push_back(
            rewriter.getFloatAttr(accType, static_cast<double>(ch * cw)));
    auto divisorType = RankedTensorType::get(
        {w.outShape[2], w.outShape[3]}, accType);
    Value divisor = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(divisorType, divisors));

    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimIdentityMap(4, ctx),
        AffineMap::get(4, 0, {getAffineDimExpr(2, ctx), getAffineDimExpr(3, ctx)},
                       ctx),
        AffineMap::getMultiDimIdentityMap(4, ctx)};
    Value mean =
        rewriter
            .create<linalg::GenericOp>(
                loc, RankedTensorType::get(w.outShape, elementType),
                ValueRange{sums, divisor},
                createEmpty(rewriter, loc, w.outShape, elementType), maps,
                getParallelIterators(4),
                [&](OpBuilder &b, Location nloc, ValueRange args) {
                  Value q = b.create<arith::DivFOp>(nloc, args[0], args[1]);
                  b.create<linalg::YieldOp>(
                      nloc, convertFloat(b, nloc, q, elementType));
                })
            .getResult(0);
    rewriter.replaceOp(op,
                       reshapeTo(rewriter, loc, mean, op.getType().getShape()));
    return success();
  }
};

template <typename GlobalPoolOp, ReductionKind Kind>
struct GlobalPoolToReduction : OpConversionPattern<GlobalPoolOp> {
  using OpConversionPattern<GlobalPoolOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GlobalPoolOp op, typename GlobalPoolOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t rank = op.getType().getRank();
    SmallVector<int64_t> spatial;
    for (int64_t d = 2; d < rank; ++d)
      spatial.push_back(d);
    rewriter.replaceOp(op, buildReduction(rewriter, op.getLoc(),
                                          adaptor.getInput(), spatial, Kind,
                                          /*keepdims=*/true));
    return success();
  }
};

} // namespace

void mlir::kiln::populatePoolingPatterns(RewritePatternSet &patterns,
                                      ConversionTarget &target) {
  patterns.add<MaxPoolToLinalg, AvgPoolToLinalg,
               GlobalPoolToReduction<GlobalAvgPoolOp, ReductionKind::Mean>,
               GlobalPoolToReduction<GlobalMaxPoolOp, ReductionKind::Max>>(
      patterns.getContext());
  target.addIllegalOp<MaxPoolOp, AvgPoolOp, GlobalAvgPoolOp, GlobalMaxPoolOp>();
}
