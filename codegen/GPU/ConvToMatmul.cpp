//===- ConvToMatmul.cpp - Convolutions as contractions for the GPU tiles --===//
//
// See KilnGPUConvToMatmul in codegen/GPU/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ConvToMatmul.h"
#include "codegen/GPU/GPUPasses.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPUCONVTOMATMUL
#include "codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// A batch of images: upstream's im2col (the batch of one is the shared
/// pattern's).
struct BatchToIm2Col : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp conv,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<ShapedType>(conv.getInputs()[0].getType());
    auto filterType = cast<ShapedType>(conv.getInputs()[1].getType());
    auto outType = cast<ShapedType>(conv.getOutputs()[0].getType());
    if (!conv.hasPureTensorSemantics() || !inputType.hasStaticShape() ||
        !filterType.hasStaticShape() || !outType.hasStaticShape() || inputType.getDimSize(0) == 1)
      return rewriter.notifyMatchFailure(conv, "not a batch of static shape on tensors");
    if (inputType.getElementType() != outType.getElementType() ||
        filterType.getElementType() != outType.getElementType())
      return rewriter.notifyMatchFailure(conv, "mixed element types");
    return failure(failed(linalg::rewriteInIm2Col(rewriter, conv)));
  }
};

struct KilnGPUConvToMatmul : kiln::impl::KilnGPUConvToMatmulBase<KilnGPUConvToMatmul> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateConvToMatmulPatterns(patterns);
    patterns.add<BatchToIm2Col>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
