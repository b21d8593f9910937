//===- Canonicalize.cpp - Kiln's folds and canonicalization patterns ------===//

#include "passes/Passes.h"

#include "ir/KilnOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCANONICALIZE
#include "passes/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct KilnCanonicalize : kiln::impl::KilnCanonicalizeBase<KilnCanonicalize> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *context) override {
    RewritePatternSet set(context);
    Dialect *kiln = context->getLoadedDialect<KilnDialect>();
    kiln->getCanonicalizationPatterns(set);
    for (RegisteredOperationName name : context->getRegisteredOperations())
      if (&name.getDialect() == kiln)
        name.getCanonicalizationPatterns(set, context);
    patterns = FrozenRewritePatternSet(std::move(set));
    return success();
  }

  void runOnOperation() override {
    GreedyRewriteConfig config;
    config.maxIterations = maxIterations;
    if (failed(applyPatternsAndFoldGreedily(getOperation(), patterns, config))) {
      getOperation().emitError("kiln-canonicalize did not converge on @")
          << getOperation().getSymName() << " in " << maxIterations
          << " iterations";
      signalPassFailure();
    }
  }

  FrozenRewritePatternSet patterns;
};

} // namespace
