//===- ConvToMatmul.cpp - Convolutions as matmuls for the GEMM tiles ------===//
//
// See KilnCPUConvToMatmul in codegen/CPU/Passes.td. Upstream's
// linalg::rewriteInIm2Col keeps the batch dim in the contraction it makes,
// which then has two "n" dims (batch and pixels) and is not a matmul the
// register tiles can take; for a batch of one this pass builds the im2col
// copy and a plain linalg.matmul instead, and skips the copy altogether for
// 1x1 convolutions with unit strides.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUCONVTOMATMUL
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct ConvToMatmul : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp conv,
                                PatternRewriter &rewriter) const override {
    if (!conv.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(conv, "not on tensors");
    auto inputType = cast<RankedTensorType>(conv.getInputs()[0].getType());
    auto filterType = cast<RankedTensorType>(conv.getInputs()[1].getType());
    auto outType = cast<RankedTensorType>(conv.getOutputs()[0].getType());
    if (!inputType.hasStaticShape() || !filterType.hasStaticShape() ||
        !outType.hasStaticShape() || inputType.getDimSize(0) != 1)
      return rewriter.notifyMatchFailure(conv, "needs static shapes and a batch of one");
    Type element = outType.getElementType();
    if (inputType.getElementType() != element || filterType.getElementType() != element)
      return rewriter.notifyMatchFailure(conv, "mixed element types");

    SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
    int64_t c = inputType.getDimSize(1);
    int64_t f = filterType.getDimSize(0), kh = filterType.getDimSize(2),
            kw = filterType.getDimSize(3);
    int64_t oh = outType.getDimSize(2), ow = outType.getDimSize(3);
    Location loc = conv.getLoc();
    MLIRContext *ctx = conv.getContext();

    // The filter [F, C, KH, KW] is already the row-major [F, C*KH*KW]
    // matrix, and the output [1, F, OH, OW] the [F, OH*OW] one.
    Value weights = rewriter.create<tensor::CollapseShapeOp>(
        loc, conv.getInputs()[1], SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
    Value init = rewriter.create<tensor::CollapseShapeOp>(
        loc, conv.getOutputs()[0], SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});

    Value columns;
    bool pointwise = kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1;
    if (pointwise) {
      // A 1x1 convolution with unit strides reads the input as it is.
      columns = rewriter.create<tensor::CollapseShapeOp>(
          loc, conv.getInputs()[0], SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    } else {
      // im2col: columns[c, kh, kw, oh, ow] = x[0, c, oh*sh + kh*dh, ow*sw + kw*dw],
      // one copy, as [C*KH*KW, OH*OW] for the matmul.
      SmallVector<int64_t> shape = {c, kh, kw, oh, ow};
      Value empty = rewriter.create<tensor::EmptyOp>(loc, shape, element);
      AffineExpr dc = getAffineDimExpr(0, ctx), dkh = getAffineDimExpr(1, ctx),
                 dkw = getAffineDimExpr(2, ctx), doh = getAffineDimExpr(3, ctx),
                 dow = getAffineDimExpr(4, ctx);
      AffineMap read = AffineMap::get(
          5, 0,
          {getAffineConstantExpr(0, ctx), dc, doh * strides[0] + dkh * dilations[0],
           dow * strides[1] + dkw * dilations[1]},
          ctx);
      SmallVector<AffineMap> maps = {read, AffineMap::getMultiDimIdentityMap(5, ctx)};
      SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
      Value patches =
          rewriter
              .create<linalg::GenericOp>(
                  loc, empty.getType(), conv.getInputs()[0], empty, maps, iterators,
                  [](OpBuilder &b, Location l, ValueRange args) {
                    b.create<linalg::YieldOp>(l, args[0]);
                  })
              .getResult(0);
      columns = rewriter.create<tensor::CollapseShapeOp>(
          loc, patches, SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4}});
    }
    Value product =
        rewriter
            .create<linalg::MatmulOp>(loc, init.getType(), ValueRange{weights, columns}, init)
            .getResult(0);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        conv, outType, product, SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    (void)f;
    return success();
  }
};

struct KilnCPUConvToMatmul
    : kiln::impl::KilnCPUConvToMatmulBase<KilnCPUConvToMatmul> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvToMatmul>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
