//===- Canonicalize.cpp - Every registered op's canonicalizations ---------===//

#include "codegen/CPU/Canonicalize.h"
#include "codegen/CPU/Tiles.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Moves an op's kiln.tiles to the op of the same kind that a pattern
/// replaces it with: scf.for's canonicalizations rebuild a cache loop
/// without the iteration arguments it no longer needs, and a rebuilt op
/// does not keep discardable attributes.
struct KeepTiles : RewriterBase::Listener {
  void notifyOperationReplaced(Operation *op, ValueRange replacement) override {
    Attribute tiles = op->getAttr(kTilesAttr);
    if (!tiles)
      return;
    for (Value v : replacement) {
      Operation *def = v ? v.getDefiningOp() : nullptr;
      if (def && def != op && def->getName() == op->getName() && !def->hasAttr(kTilesAttr)) {
        def->setAttr(kTilesAttr, tiles);
        return;
      }
    }
  }
};

} // namespace

LogicalResult mlir::kiln::canonicalizeWithAllPatterns(func::FuncOp fn) {
  MLIRContext *ctx = fn.getContext();
  RewritePatternSet patterns(ctx);
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName name : ctx->getRegisteredOperations())
    name.getCanonicalizationPatterns(patterns, ctx);
  KeepTiles keepTiles;
  GreedyRewriteConfig config;
  config.listener = &keepTiles;
  return applyPatternsAndFoldGreedily(fn, std::move(patterns), config);
}
