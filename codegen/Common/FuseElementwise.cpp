//===- FuseElementwise.cpp - Elementwise fusion that never recomputes -----===//
//
// See KilnFuseElementwise in codegen/Passes.td. The patterns are upstream's;
// what is Kiln's is the control: upstream's pass fuses any single-use
// elementwise producer, into contractions too, and propagates reshapes
// through named contractions (generalizing them), which costs more than it
// saves for the CPU's contraction tiling.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFUSEELEMENTWISE
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

bool isElementwise(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getNumLoops() == linalgOp.getNumParallelLoops();
}

/// Producer -> consumer fusion: single-use producer, and the consumer reads
/// each of its elements once.
bool fuseProducer(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
  if (!consumer)
    return false;
  return consumer.getMatchingIndexingMap(fused).isPermutation();
}

/// Reshape propagation: every linalg op on either side is elementwise.
bool moveReshape(OpOperand *fused) {
  Operation *owner = fused->getOwner(), *producer = fused->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  for (Operation *op : {owner, producer})
    if (isa<linalg::LinalgOp>(op) && !isElementwise(op))
      return false;
  return true;
}

/// Constant folding of linalg ops on constants (transposes of weights).
bool foldConstant(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  return producer && producer->hasOneUse();
}

/// Upstream's producer -> consumer fusion (linalg::fuseElementwiseOps), with
/// the fused op located at both ops' locations: the fused op then still
/// names every ONNX node it computes, for diagnostics, profiles and the
/// fusion report (upstream's pattern keeps only the consumer's location).
struct FuseElementwiseKeepingNodes : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    for (OpOperand &operand : consumer->getOpOperands()) {
      if (!linalg::areElementwiseOpsFusable(&operand) || !fuseProducer(&operand))
        continue;
      Operation *producer = operand.get().getDefiningOp();
      Location loc = rewriter.getFusedLoc({producer->getLoc(), consumer.getLoc()});
      FailureOr<linalg::ElementwiseOpFusionResult> fused =
          linalg::fuseElementwiseOps(rewriter, &operand);
      if (failed(fused))
        return rewriter.notifyMatchFailure(consumer, "fusion failed");
      rewriter.modifyOpInPlace(fused->fusedOp, [&] { fused->fusedOp->setLoc(loc); });
      for (auto [original, replacement] : fused->replacements)
        rewriter.replaceUsesWithIf(original, replacement, [&](OpOperand &use) {
          return use.getOwner() != fused->fusedOp; // the producer's other users
        });
      rewriter.eraseOp(consumer);
      return success();
    }
    return failure();
  }
};

/// A linalg.broadcast whose one user is an elementwise generic reading it
/// once per element becomes a generic, which the pattern above can fuse.
struct GeneralizeBroadcastIntoElementwise : OpRewritePattern<linalg::BroadcastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::BroadcastOp broadcast,
                                PatternRewriter &rewriter) const override {
    if (!broadcast->hasOneUse() || !broadcast.hasPureTensorSemantics())
      return failure();
    OpOperand &use = *broadcast->getUses().begin();
    auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
    if (!consumer || !isElementwise(consumer.getOperation()) || !consumer.isDpsInput(&use) ||
        !fuseProducer(&use))
      return failure();
    return linalg::generalizeNamedOp(rewriter, broadcast);
  }
};

struct KilnFuseElementwise
    : kiln::impl::KilnFuseElementwiseBase<KilnFuseElementwise> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    // Upstream's set without its producer fusion, which is ours above.
    linalg::populateElementwiseOpsFusionPatterns(patterns, [](OpOperand *) { return false; });
    patterns.add<FuseElementwiseKeepingNodes>(ctx);
    if (broadcasts)
      patterns.add<GeneralizeBroadcastIntoElementwise>(ctx);
    if (!producersOnly) {
      linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, moveReshape);
      linalg::populateConstantFoldLinalgOperations(patterns, foldConstant);
    }
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
