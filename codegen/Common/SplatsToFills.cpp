//===- SplatsToFills.cpp - Splat tensor constants become linalg.fill ------===//
//
// See KilnSplatsToFills in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNSPLATSTOFILLS
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct SplatToFill : OpRewritePattern<arith::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::ConstantOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    auto splat = dyn_cast<SplatElementsAttr>(op.getValue());
    if (!type || !splat || !type.hasStaticShape() || type.getNumElements() <= 1)
      return failure();
    Location loc = op.getLoc();
    Value scalar = rewriter.create<arith::ConstantOp>(
        loc, cast<TypedAttr>(splat.getSplatValue<Attribute>()));
    Value empty = rewriter.create<tensor::EmptyOp>(loc, type.getShape(),
                                                   type.getElementType());
    rewriter.replaceOpWithNewOp<linalg::FillOp>(op, scalar, empty);
    return success();
  }
};

struct KilnSplatsToFills : kiln::impl::KilnSplatsToFillsBase<KilnSplatsToFills> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SplatToFill>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
