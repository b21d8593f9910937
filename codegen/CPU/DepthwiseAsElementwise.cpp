//===- DepthwiseAsElementwise.cpp - Depthwise convolutions as FMAs --------===//
//
// See KilnCPUDepthwiseAsElementwise in codegen/CPU/Passes.td. Upstream
// vectorizes depthwise convolutions only in the channels-last 1-D form
// (linalg.depthwise_conv_1d_nwc_wc); an NCHW one stays a scalar loop nest
// with a reduction, which also cannot run as parallel tasks into its
// accumulator. Written as one elementwise op over the KH*KW shifted windows
// it is a plain all-parallel op that kiln-cpu-vectorize-ops vectorizes along
// the output row and splits into tasks.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUDEPTHWISEASELEMENTWISE
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct DepthwiseAsElementwise : OpRewritePattern<linalg::DepthwiseConv2DNchwChwOp> {
  DepthwiseAsElementwise(MLIRContext *ctx, int64_t maxWindow)
      : OpRewritePattern(ctx), maxWindow(maxWindow) {}
  int64_t maxWindow;

  LogicalResult matchAndRewrite(linalg::DepthwiseConv2DNchwChwOp conv,
                                PatternRewriter &rewriter) const override {
    if (!conv.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(conv, "not on tensors");
    Value input = conv.getInputs()[0], filter = conv.getInputs()[1];
    Value init = conv.getOutputs()[0];
    auto inputType = cast<RankedTensorType>(input.getType());
    auto filterType = cast<RankedTensorType>(filter.getType());
    auto outType = cast<RankedTensorType>(init.getType());
    if (!inputType.hasStaticShape() || !filterType.hasStaticShape() ||
        !outType.hasStaticShape() || inputType.getDimSize(0) != 1)
      return rewriter.notifyMatchFailure(conv, "needs static shapes and a batch of one");
    Type element = outType.getElementType();
    if (!isa<FloatType>(element) || inputType.getElementType() != element ||
        filterType.getElementType() != element)
      return rewriter.notifyMatchFailure(conv, "not one float type");
    int64_t c = outType.getDimSize(1), oh = outType.getDimSize(2), ow = outType.getDimSize(3);
    int64_t kh = filterType.getDimSize(1), kw = filterType.getDimSize(2);
    // Each tap is one more operand: large windows stay the loop nest.
    if (kh * kw > maxWindow)
      return rewriter.notifyMatchFailure(conv, "window too large to unroll");
    SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
    // Along a row, a strided window is not one vector load but a gather of
    // every s-th element, which the vector lowering does one lane at a
    // time (2.5x slower than the loop nest on MobileNetV2's strided
    // layers). Rows may be strided: each row of a window is one vector.
    if (strides[1] != 1)
      return rewriter.notifyMatchFailure(conv, "strided along the rows");
    Location loc = conv.getLoc();
    MLIRContext *ctx = conv.getContext();

    // y[c, i, j] = init[c, i, j] + sum over (p, q) of
    //   x[0, c, i*sh + p*dh, j*sw + q*dw] * w[c, p, q]:
    // tap (p, q) reads the strided window of x starting at (p*dh, q*dw) and
    // the filter's column w[:, p, q].
    SmallVector<Value> windows, taps;
    auto windowType = RankedTensorType::get({c, oh, ow}, element);
    auto tapType = RankedTensorType::get({c}, element);
    for (int64_t p = 0; p < kh; ++p)
      for (int64_t q = 0; q < kw; ++q) {
        windows.push_back(rewriter.create<tensor::ExtractSliceOp>(
            loc, windowType, input,
            ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
                                   rewriter.getIndexAttr(p * dilations[0]),
                                   rewriter.getIndexAttr(q * dilations[1])},
            ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(c),
                                   rewriter.getIndexAttr(oh), rewriter.getIndexAttr(ow)},
            ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
                                   rewriter.getIndexAttr(strides[0]),
                                   rewriter.getIndexAttr(strides[1])}));
        taps.push_back(rewriter.create<tensor::ExtractSliceOp>(
            loc, tapType, filter,
            ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0), rewriter.getIndexAttr(p),
                                   rewriter.getIndexAttr(q)},
            ArrayRef<OpFoldResult>{rewriter.getIndexAttr(c), rewriter.getIndexAttr(1),
                                   rewriter.getIndexAttr(1)},
            ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
                                   rewriter.getIndexAttr(1)}));
      }

    // The accumulator's initial value is read as an input, and the result
    // written into a fresh tensor: an all-parallel op into tensor.empty,
    // which vectorize-ops may split into tasks.
    Value initValues = rewriter.create<tensor::CollapseShapeOp>(
        loc, init, SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
    Value empty = rewriter.create<tensor::EmptyOp>(loc, windowType.getShape(), element);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(3, ctx);
    AffineMap channel = AffineMap::get(3, 0, {getAffineDimExpr(0, ctx)}, ctx);
    SmallVector<Value> inputs = {initValues};
    SmallVector<AffineMap> maps = {identity};
    for (auto [window, tap] : llvm::zip(windows, taps)) {
      inputs.append({window, tap});
      maps.append({identity, channel});
    }
    maps.push_back(identity);
    int64_t numTaps = static_cast<int64_t>(windows.size());
    auto sum = rewriter.create<linalg::GenericOp>(
        loc, windowType, inputs, empty, maps,
        SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
        [numTaps](OpBuilder &b, Location l, ValueRange args) {
          Value acc = args[0];
          for (int64_t t = 0; t < numTaps; ++t) {
            Value product = b.create<arith::MulFOp>(l, args[1 + 2 * t], args[2 + 2 * t]);
            acc = b.create<arith::AddFOp>(l, acc, product);
          }
          b.create<linalg::YieldOp>(l, acc);
        });
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        conv, outType, sum.getResult(0), SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
    return success();
  }
};

struct KilnCPUDepthwiseAsElementwise
    : kiln::impl::KilnCPUDepthwiseAsElementwiseBase<KilnCPUDepthwiseAsElementwise> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DepthwiseAsElementwise>(&getContext(), maxWindow);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
