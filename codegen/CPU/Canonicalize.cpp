//===- Canonicalize.cpp - Every registered op's canonicalizations ---------===//

#include "codegen/CPU/Canonicalize.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

LogicalResult mlir::kiln::canonicalizeWithAllPatterns(func::FuncOp fn) {
  MLIRContext *ctx = fn.getContext();
  RewritePatternSet patterns(ctx);
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName name : ctx->getRegisteredOperations())
    name.getCanonicalizationPatterns(patterns, ctx);
  return applyPatternsAndFoldGreedily(fn, std::move(patterns));
}
