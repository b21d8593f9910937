//===- TileContractions.cpp - Register-blocked contractions ---------------===//
//
// See KilnCPUTileContractions in codegen/CPU/Passes.td. Every step is
// upstream machinery (TilingInterface tiling, loop peeling, linalg
// vectorization, subset hoisting, the vector lowering patterns); this pass
// only sequences them for the ops kiln-cpu-select-tiles annotated, as the
// recipe in ../shared/docs/CPU-GEMM.md does with the transform dialect.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"
#include "codegen/CPU/Canonicalize.h"
#include "codegen/CPU/FoldSubsetsIntoTransfers.h"
#include "codegen/CPU/Tiles.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

#include <functional>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUTILECONTRACTIONS
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Marks the register tiles that kiln-cpu-tile-contractions vectorizes, and
/// the register loops it still has to peel.
constexpr StringLiteral kVectorizeAttr = "kiln.vectorize";
constexpr StringLiteral kPeelAttr = "kiln.peel";

/// A last tile narrower than one vector along n that is not a whole number
/// of 4-lane (128-bit) vectors (the 49th column of 49): as vectors it would
/// shuffle its accumulators on every step; LLVM's loop code serves it
/// better. 4, 8 or 12 columns are xmm/ymm registers on x86 and NEON's
/// width: vectors, as fast per lane as the main tiles.
bool narrowerThanAVector(linalg::LinalgOp op, int64_t lanes) {
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->n.size() != 1)
    return false;
  int64_t width = op.getStaticLoopRanges()[dims->n[0]];
  return width < lanes && width % 4 != 0;
}

/// A register tile of a convolution in the blocked layout (R output pixels
/// along ow by the fb filters of one block, one step of each reduction
/// loop) as the matmul it is, [R, 1] x [1, fb] into [R, fb]: A is the R
/// pixels' tap, a slice of the input row strided by the convolution's
/// stride; B the filter block's row; C the output tile. Then it vectorizes
/// like any matmul register tile: one broadcast and FMA per pixel and
/// vector of filters.
LogicalResult blockedConvTileAsMatmul(RewriterBase &rewriter, linalg::GenericOp op, const BlockedConv &conv) {
  using L = BlockedConv;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  for (unsigned d = 0; d < L::numLoops; ++d)
    if (d != L::ow && d != L::fi && ranges[d] != 1)
      return failure();
  int64_t rows = ranges[L::ow], fb = ranges[L::fi];
  Value input = op.getDpsInputs()[0], filter = op.getDpsInputs()[1], out = op.getDpsInits()[0];
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType.getDimSize(3) < (rows - 1) * conv.strideW + 1)
    return failure();
  Type element = inputType.getElementType();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto slice = [&](Value source, ArrayRef<int64_t> shape, ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides) {
    SmallVector<OpFoldResult> offsets(sizes.size(), rewriter.getIndexAttr(0));
    return rewriter.create<tensor::ExtractSliceOp>(loc, RankedTensorType::get(shape, element), source, offsets,
                                                   getAsIndexOpFoldResult(rewriter.getContext(), sizes), getAsIndexOpFoldResult(rewriter.getContext(), strides));
  };
  // A as the R pixels alone, then [R, 1]: a rank-reducing slice to [R, 1]
  // would leave ambiguous which unit dim it keeps when ow and ci have the
  // same stride (an unblocked input, cb = 1), which the memref lowering
  // (expand-strided-metadata) resolves wrongly.
  Value pixels = slice(input, {rows}, {1, 1, 1, rows, 1}, {1, 1, 1, conv.strideW, 1});
  Value a = rewriter.create<tensor::ExpandShapeOp>(loc, RankedTensorType::get({rows, 1}, element), pixels,
                                                   SmallVector<ReassociationIndices>{{0, 1}});
  Value b = slice(filter, {1, fb}, {1, 1, 1, 1, 1, fb}, {1, 1, 1, 1, 1, 1});
  Value c = slice(out, {rows, fb}, {1, 1, 1, rows, fb}, {1, 1, 1, 1, 1});
  auto matmul = rewriter.create<linalg::MatmulOp>(loc, c.getType(), ValueRange{a, b}, c);
  matmul->setAttr(kVectorizeAttr, rewriter.getUnitAttr());
  SmallVector<OpFoldResult> zeros(5, rewriter.getIndexAttr(0));
  rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(op, matmul.getResult(0), out, zeros,
                                                     getAsIndexOpFoldResult(rewriter.getContext(), {1, 1, 1, rows, fb}),
                                                     getAsIndexOpFoldResult(rewriter.getContext(), {1, 1, 1, 1, 1}));
  return success();
}

/// Vectorizes the marked register tiles that have static shapes (the main
/// loops' tiles; the peeled partial ones stay linalg ops and become loops)
/// and applies the patterns that fold the tensor slices around them into
/// the vector transfers (the C++ form of the transform op
/// structured.vectorize_children_and_apply_patterns, restricted to what
/// the tiles need).
LogicalResult vectorizeTiles(func::FuncOp fn, int64_t lanes) {
  // Register tiles are the marked ops and their peeled copies: contractions
  // whose reduction is one step long (canonicalization may rebuild an op
  // without its marker).
  auto isRegisterTile = [](linalg::LinalgOp op) {
    if (op->hasAttr(kVectorizeAttr))
      return true;
    if (!linalg::isaContractionOpInterface(op) || op.hasDynamicShape())
      return false;
    FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    return succeeded(dims) && dims->k.size() == 1 && ranges[dims->k[0]] == 1;
  };
  IRRewriter rewriter(fn.getContext());
  SmallVector<std::pair<linalg::GenericOp, BlockedConv>> convTiles;
  fn.walk([&](linalg::GenericOp op) {
    if (op->hasAttr(kVectorizeAttr) && !op.hasDynamicShape())
      if (std::optional<BlockedConv> conv = matchBlockedConv(op))
        convTiles.push_back({op, *conv});
  });
  for (auto [op, conv] : convTiles)
    if (failed(blockedConvTileAsMatmul(rewriter, op, conv)))
      return op->emitOpError("is not a register tile of a blocked convolution");
  SmallVector<linalg::LinalgOp> tiles;
  fn.walk([&](linalg::LinalgOp op) {
    if (isRegisterTile(op))
      tiles.push_back(op);
  });
  // Register tiles of a packed product (kiln-cpu-pack-operands) span one
  // panel, those of a filter applied to a batch of images one image:
  // without that unit dim they are plain matmul tiles, whose rows of B are
  // each one contiguous vector. Left in, the unit dim would reach
  // vector.contract, whose lowering unrolls it badly.
  bool dropped = false;
  for (linalg::LinalgOp op : tiles) {
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
    if (!generic || failed(dims) || dims->n.size() != 2 || op.hasDynamicShape() ||
        op.getStaticLoopRanges()[dims->n[0]] != 1)
      continue;
    linalg::ControlDropUnitDims control;
    control.rankReductionStrategy =
        linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
    unsigned panel = dims->n[0];
    control.controlFn = [panel](Operation *) { return SmallVector<unsigned>{panel}; };
    rewriter.setInsertionPoint(generic);
    if (failed(linalg::dropUnitDims(rewriter, generic, control)))
      return generic->emitOpError("could not drop the unit outer n dim of a register tile");
    dropped = true;
  }
  if (dropped) {
    tiles.clear();
    fn.walk([&](linalg::LinalgOp op) {
      if (isRegisterTile(op))
        tiles.push_back(op);
    });
  }
  // A partial tile as wide as one vector and a bit (the last 17 of 49
  // columns) would vectorize into registers of an odd width, which LLVM
  // splits badly: it becomes whole vectors plus one narrow piece.
  SmallVector<linalg::LinalgOp> split;
  for (linalg::LinalgOp op : tiles) {
    FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
    if (failed(dims) || dims->n.size() != 1 || op.hasDynamicShape()) {
      split.push_back(op);
      continue;
    }
    unsigned n = dims->n[0];
    int64_t width = op.getStaticLoopRanges()[n];
    if (width <= lanes || width % lanes == 0) {
      split.push_back(op);
      continue;
    }
    SmallVector<OpFoldResult> sizes(op.getNumLoops(), rewriter.getIndexAttr(0));
    sizes[n] = rewriter.getIndexAttr(lanes);
    scf::SCFTilingOptions options;
    options.setTileSizes(sizes);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> pieces =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(pieces))
      return op->emitOpError("could not split a ragged register tile");
    rewriter.replaceOp(op, pieces->replacements);
    for (LoopLikeOpInterface loop : pieces->loops) {
      scf::ForOp partial;
      if (auto forOp = dyn_cast<scf::ForOp>(loop.getOperation()))
        (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
    }
  }
  if (split.size() != tiles.size()) {
    if (failed(canonicalizeWithAllPatterns(fn)))
      return failure();
    tiles.clear();
    fn.walk([&](linalg::LinalgOp op) {
      if (isRegisterTile(op))
        tiles.push_back(op);
    });
  }
  for (linalg::LinalgOp op : tiles) {
    op->removeAttr(kVectorizeAttr);
    if (op.hasDynamicShape() || narrowerThanAVector(op, lanes))
      continue;
    rewriter.setInsertionPoint(op);
    if (failed(linalg::vectorize(rewriter, op)))
      return op->emitOpError("could not be vectorized after tiling");
  }
  MLIRContext *ctx = fn.getContext();
  RewritePatternSet patterns(ctx);
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  vector::populateVectorReductionToContractPatterns(patterns);
  vector::populateSinkVectorBroadcastPatterns(patterns);
  vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
  vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
  populateFoldSubsetsIntoTransfersPatterns(patterns);
  scf::ForOp::getCanonicalizationPatterns(patterns, ctx);
  affine::AffineMinOp::getCanonicalizationPatterns(patterns, ctx);
  return applyPatternsAndFoldGreedily(fn, std::move(patterns));
}

/// Lowers the vector.contract of each register tile to outer products, i.e.
/// one FMA per row of A and vector of B, and the transfers to 1-D.
LogicalResult lowerVectors(func::FuncOp fn) {
  MLIRContext *ctx = fn.getContext();
  RewritePatternSet patterns(ctx);
  vector::VectorTransformsOptions options;
  options.setVectorTransformsOptions(vector::VectorContractLowering::OuterProduct);
  options.setVectorMultiReductionLowering(
      vector::VectorMultiReductionLowering::InnerParallel);
  options.setVectorTransposeLowering(vector::VectorTransposeLowering::Shuffle1D);
  vector::populateVectorContractLoweringPatterns(patterns, options);
  vector::populateVectorOuterProductLoweringPatterns(patterns);
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  vector::populateVectorMultiReductionLoweringPatterns(
      patterns, vector::VectorMultiReductionLowering::InnerParallel);
  vector::populateVectorTransferLoweringPatterns(patterns, /*maxTransferRank=*/1);
  vector::populateVectorShapeCastLoweringPatterns(patterns);
  vector::populateVectorTransposeLoweringPatterns(patterns, options);
  vector::populateVectorBroadcastLoweringPatterns(patterns);
  return applyPatternsAndFoldGreedily(fn, std::move(patterns));
}

struct KilnCPUTileContractions
    : kiln::impl::KilnCPUTileContractionsBase<KilnCPUTileContractions> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    SmallVector<linalg::LinalgOp> targets;
    fn.walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kTilesAttr))
        targets.push_back(op);
    });
    if (targets.empty())
      return;

    // The elementwise ops that read a contraction's result through a
    // reshape (a convolution's [F, OH*OW] product as [1, F, OH, OW]; a
    // packed product's [M, N/nr, nr] as [M, N]) are rewritten on the
    // product's own shape, so that they can fuse into its tasks.
    {
      auto aroundTiledProduct = [](OpOperand *fused) {
        Operation *reshape = fused->get().getDefiningOp();
        if (!isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(reshape))
          return false;
        Operation *source = reshape->getOperand(0).getDefiningOp();
        auto consumer = dyn_cast<linalg::GenericOp>(fused->getOwner());
        return source && source->hasAttr(kTilesAttr) && consumer &&
               consumer.getNumLoops() == consumer.getNumParallelLoops();
      };
      RewritePatternSet patterns(fn.getContext());
      linalg::populateFoldReshapeOpsByCollapsingPatterns(patterns, aroundTiledProduct);
      linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, aroundTiledProduct);
      if (failed(applyPatternsAndFoldGreedily(fn, std::move(patterns))))
        return signalPassFailure();
      targets.clear();
      fn.walk([&](linalg::LinalgOp op) {
        if (op->hasAttr(kTilesAttr))
          targets.push_back(op);
      });
    }

    SmallVector<linalg::LinalgOp> whole;
    for (linalg::LinalgOp op : targets)
      if (failed(splitRaggedTiles(op, whole)))
        return signalPassFailure();
    for (linalg::LinalgOp op : whole)
      if (failed(tile(op)))
        return signalPassFailure();
    if (failed(canonicalizeWithAllPatterns(fn)) || failed(vectorizeTiles(fn, std::max<int64_t>(1, vectorBits / 32))))
      return signalPassFailure();

    // Keep each register tile's accumulators in registers across its k loop:
    // the read and write of the output tile move out of the loop (after
    // CSE, so the read's and the write's indices are the same values).
    IRRewriter rewriter(fn.getContext());
    DominanceInfo dominance(fn);
    eliminateCommonSubExpressions(rewriter, dominance, fn);
    // Only out of loops around one register tile (the k loops of a matmul,
    // the four of a blocked convolution): hoisted out of a loop around
    // several (the 8- and 3-row tiles of 11 rows, once peeling has unrolled
    // their m loop), the tiles' slices of one output tile are all extracted
    // before any is inserted back, and one-shot bufferization then copies
    // the output tile inside the task.
    SmallVector<scf::ForOp> loops;
    fn.walk([&](scf::ForOp loop) { loops.push_back(loop); }); // innermost first
    for (scf::ForOp loop : loops) {
      unsigned nested = 0, registerTiles = 0;
      loop.getBody()->walk([&](scf::ForOp) { ++nested; });
      loop.getBody()->walk([&](vector::ContractionOp) { ++registerTiles; });
      if (nested <= 1 || registerTiles == 1)
        hoistLoopInvariantSubsets(rewriter, loop);
    }
    if (failed(lowerVectors(fn)))
      return signalPassFailure();
  }

  /// Where a tile does not divide its dim, splits `op` in two along that
  /// dim at the last whole tile, and so on for the parts, until every part
  /// is tiled evenly; appends the parts to `parts`. Without this the last
  /// tile would have a dynamic size, and a register tile inside a cache tile
  /// of dynamic size has a dynamic size too: it runs in scalar loops that
  /// read and write C at every step of k. Measured: the last 4 rows of a
  /// 196x256x2304 product (m cache tiles of 64) took as long as the other
  /// 192. Two kinds of tiles are split:
  ///  - parallel tiles (196 columns in tasks of 64): the rest (4 columns)
  ///    becomes one serial op without parallel tiles;
  ///  - the cache tiles of m and of an unpacked n: the rest keeps the op's
  ///    tiles, with a cache tile as large as itself (and a register tile no
  ///    larger). (k may stay ragged: a
  ///    register tile's k loop is a scalar loop, and a packed n's panels are
  ///    each a whole register tile wide.)
  LogicalResult splitRaggedTiles(linalg::LinalgOp op, SmallVectorImpl<linalg::LinalgOp> &parts) {
    std::optional<ContractionTiles> tiles =
        ContractionTiles::fromAttr(op->getAttr(kTilesAttr), op.getNumLoops());
    if (!tiles) {
      parts.push_back(op);
      return success();
    }
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    auto ragged = [&](unsigned d, int64_t size) {
      return size > 0 && !ShapedType::isDynamic(ranges[d]) && ranges[d] > size && ranges[d] % size != 0;
    };
    // Splits along `d` after the last whole tile of `size`; `restTiles` are
    // the rest's tiles.
    auto split = [&](unsigned d, int64_t size, ContractionTiles restTiles) -> LogicalResult {
      MLIRContext *ctx = op.getContext();
      IRRewriter rewriter(ctx);
      rewriter.setInsertionPoint(op);
      int64_t divided = ranges[d] / size * size;
      // A successful split erases `op` (it is replaced by the two parts);
      // a failed one leaves it.
      auto [head, rest] = linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()), d,
                                          rewriter.getIndexAttr(divided));
      if (!head || !rest)
        return op->emitOpError("could not be split at ") << divided << " along dim " << d << " for even tiles";
      rest->setAttr(kTilesAttr, restTiles.toAttr(ctx));
      if (failed(splitRaggedTiles(cast<linalg::LinalgOp>(rest.getOperation()), parts)))
        return failure();
      return splitRaggedTiles(cast<linalg::LinalgOp>(head.getOperation()), parts);
    };
    for (unsigned d = 0; d < ranges.size() && !tiles->parallel.empty(); ++d)
      if (ragged(d, tiles->parallel[d])) {
        ContractionTiles serial = *tiles;
        serial.parallel.assign(serial.parallel.size(), 0);
        return split(d, tiles->parallel[d], serial);
      }
    FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
    if (succeeded(dims) && dims->m.size() == 1 && !dims->n.empty()) {
      // The inner n: its cache tile spans the whole of it when packed.
      SmallVector<unsigned> evenDims = {dims->m[0], dims->n.back()};
      for (unsigned d : evenDims)
        if (ragged(d, tiles->cache[d])) {
          ContractionTiles rest = *tiles;
          rest.cache[d] = ranges[d] % tiles->cache[d];
          rest.reg[d] = std::min(rest.reg[d], rest.cache[d]);
          return split(d, tiles->cache[d], rest);
        }
    }
    parts.push_back(op);
    return success();
  }

  /// Fuses the op that computes the initial value of the tasks' output (a
  /// bias broadcast into it, a fill) into the tasks: each task writes its
  /// own output tile just before its first k block reads it back, from
  /// cache, instead of a pass over the whole output before the product.
  /// Returns whether it did.
  bool fuseInitIntoTasks(RewriterBase &rewriter, scf::ForallOp forall, linalg::LinalgOp taskTile) {
    if (forall.getOutputs().size() != 1 || taskTile.getNumDpsInits() != 1)
      return false;
    auto producer = forall.getOutputs()[0].getDefiningOp<linalg::LinalgOp>();
    if (!producer || !producer->hasOneUse() || producer.getNumLoops() != producer.getNumParallelLoops() ||
        producer->getNumResults() != 1 || !producer.hasPureTensorSemantics())
      return false;
    auto slice = taskTile.getDpsInits()[0].getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice || slice.getSource() != forall.getRegionIterArgs()[0])
      return false;
    SmallVector<LoopLikeOpInterface> loops = {cast<LoopLikeOpInterface>(forall.getOperation())};
    rewriter.setInsertionPoint(taskTile);
    std::optional<scf::SCFFuseProducerOfSliceResult> fused =
        scf::tileAndFuseProducerOfSlice(rewriter, slice, loops);
    return fused.has_value();
  }

  /// After fusion a task computes its init tile into a fresh tile, the
  /// product on top of it, and the consumers into the task's slice of the
  /// result: one-shot bufferization would give the fresh tile a buffer
  /// inside the task. This points the init tile at the task's slice of the
  /// result and the consumers at the product's tile (they read and write
  /// each element once, in place), so the whole task works in the result's
  /// buffer.
  void writeInPlace(RewriterBase &rewriter, scf::ForallOp forall) {
    // The fused consumer's tile: the one inserted into the task's slice of
    // the result that it writes into.
    linalg::GenericOp consumer;
    tensor::ExtractSliceOp resultSlice;
    for (Operation &op : forall.getTerminator().getYieldingOps()) {
      auto insert = dyn_cast<tensor::ParallelInsertSliceOp>(&op);
      auto generic = insert ? insert.getSource().getDefiningOp<linalg::GenericOp>() : nullptr;
      if (!generic || generic.getNumDpsInits() != 1)
        continue;
      auto slice = generic.getDpsInits()[0].getDefiningOp<tensor::ExtractSliceOp>();
      if (slice && slice.getSource() == insert.getDest()) {
        consumer = generic;
        resultSlice = slice;
      }
    }
    if (!consumer)
      return;
    // The product: the consumer's input of the init's type, computed by
    // the task's tile of the contraction on top of the fused init tile.
    OpOperand *product = nullptr;
    linalg::LinalgOp initTile;
    for (OpOperand *in : consumer.getDpsInputOperands()) {
      auto productTile = in->get().getDefiningOp<linalg::LinalgOp>();
      if (in->get().getType() != resultSlice.getType() || !productTile || productTile.getNumDpsInits() != 1)
        continue;
      initTile = productTile.getDpsInits()[0].getDefiningOp<linalg::LinalgOp>();
      product = in;
    }
    if (!product || !initTile || initTile.getNumDpsInits() != 1 ||
        initTile.getDpsInits()[0].getType() != resultSlice.getType())
      return;
    DominanceInfo dominance;
    for (Value v : resultSlice->getOperands())
      if (!dominance.properlyDominates(v, initTile))
        return;
    rewriter.moveOpBefore(resultSlice, initTile);
    rewriter.modifyOpInPlace(initTile, [&] { initTile.getDpsInitsMutable()[0].set(resultSlice.getResult()); });
    rewriter.modifyOpInPlace(consumer, [&] { consumer.getDpsInitsMutable()[0].set(product->get()); });
  }

  /// Fuses the elementwise consumers of `loop`'s result (an activation, a
  /// residual add) into it: each task applies them to its output tile while
  /// the tile is still in cache, instead of a pass over the whole result
  /// afterwards. Consumers that read the result through anything but an
  /// identity map, or whose other operands are defined after the loop, stay
  /// where they are.
  /// Returns the loop, which fusion replaces by one with more results.
  Operation *fuseConsumersIntoTasks(RewriterBase &rewriter, Operation *loop) {
    for (bool fused = true; fused;) {
      fused = false;
      if (loop->getNumResults() != 1)
        return loop;
      Value result = loop->getResult(0);
      for (OpOperand &use : result.getUses()) {
        auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
        if (!consumer || consumer.getNumLoops() != consumer.getNumParallelLoops() ||
            !consumer.getMatchingIndexingMap(&use).isIdentity() || consumer->getNumResults() != 1 ||
            consumer.isDpsInit(&use))
          continue;
        DominanceInfo dominance;
        // An empty init, or a view of a value from before the loop, made
        // after it (reshape folding makes them next to the consumer): moved
        // before the loop, where the fused consumer's tiles can use them.
        std::function<bool(Value)> hoist = [&](Value v) {
          if (dominance.properlyDominates(v, loop))
            return true;
          Operation *def = v.getDefiningOp();
          if (v == result || !def || !isa<tensor::EmptyOp, tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def) ||
              !llvm::all_of(def->getOperands(), hoist))
            return false;
          rewriter.moveOpBefore(def, loop);
          return true;
        };
        for (Value v : consumer->getOperands())
          (void)hoist(v);
        if (!llvm::all_of(consumer->getOperands(), [&](Value v) {
              return v == result || dominance.properlyDominates(v, loop);
            }))
          continue;
        Operation *insert = nullptr;
        if (auto forall = dyn_cast<scf::ForallOp>(loop)) {
          for (Operation &op : forall.getTerminator().getYieldingOps())
            insert = &op;
        } else if (auto forOp = dyn_cast<scf::ForOp>(loop)) {
          insert = forOp.getBody()->getTerminator()->getOperand(0).getDefiningOp<tensor::InsertSliceOp>();
        }
        if (!insert)
          return loop;
        FailureOr<scf::SCFFuseConsumerOfSliceResult> done = scf::tileAndFuseConsumerOfSlice(rewriter, insert);
        if (failed(done))
          continue;
        loop = done->tiledAndFusedConsumerOperand->getOwner()->getParentOp();
        while (!isa<scf::ForallOp, scf::ForOp>(loop))
          loop = loop->getParentOp();
        rewriter.eraseOp(consumer);
        fused = true;
        break;
      }
    }
    return loop;
  }

  /// Tiles `op` for the caches, then each cache tile for the registers, and
  /// peels the register loops so all but the last tile have static sizes.
  LogicalResult tile(linalg::LinalgOp op) {
    Attribute attr = op->getAttr(kTilesAttr);
    std::optional<ContractionTiles> tiles =
        ContractionTiles::fromAttr(attr, op.getNumLoops());
    if (!tiles)
      return op->emitOpError("has an invalid ") << kTilesAttr << " attribute: " << attr;
    IRRewriter rewriter(op.getContext());
    rewriter.setInsertionPoint(op);

    // Tasks: one scf.forall over the parallel tiles; the rest happens
    // within each task.
    Operation *taskTile = op;
    Operation *outermost = nullptr;
    if (llvm::any_of(tiles->parallel, [](int64_t s) { return s != 0; })) {
      scf::SCFTilingOptions taskOptions;
      taskOptions.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), tiles->parallel))
          .setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      FailureOr<scf::SCFTilingResult> tasks =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), taskOptions);
      if (failed(tasks))
        return op->emitOpError("could not be split into parallel tasks");
      rewriter.replaceOp(op, tasks->replacements);
      if (!tasks->loops.empty())
        outermost = tasks->loops.front();
      taskTile = tasks->tiledOps.front();
      if (auto forall = dyn_cast_or_null<scf::ForallOp>(outermost)) {
        if (fuseInitIntoTasks(rewriter, forall, cast<linalg::LinalgOp>(taskTile))) {
          outermost = fuseConsumersIntoTasks(rewriter, forall);
          writeInPlace(rewriter, cast<scf::ForallOp>(outermost));
        }
      }
      rewriter.setInsertionPoint(taskTile);
    }

    scf::SCFTilingOptions cacheOptions;
    cacheOptions.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), tiles->cache))
        .setInterchange(tiles->cacheOrder);
    FailureOr<scf::SCFTilingResult> cached =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(taskTile), cacheOptions);
    if (failed(cached))
      return taskTile->emitOpError("could not be tiled for the caches");
    rewriter.replaceOp(taskTile, cached->replacements);
    // The tiles go on the outermost cache loop, else on the tasks' loop.
    // Not on the tasks' loop when there is a cache loop: fusing consumers
    // into the tasks moves their body into a new loop, and canonicalization
    // then rebuilds that loop without the results nobody reads, each time
    // dropping its attributes; the loops inside are moved, not rebuilt.
    if (!cached->loops.empty())
      outermost = cached->loops.front();
    else if (outermost)
      outermost = cached->tiledOps.front()->getParentOfType<scf::ForallOp>();
    if (outermost)
      outermost->setAttr(kTilesAttr, attr);
    Operation *cacheTile = cached->tiledOps.front();
    cacheTile->removeAttr(kTilesAttr);

    rewriter.setInsertionPoint(cacheTile);
    scf::SCFTilingOptions regOptions;
    regOptions.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), tiles->reg))
        .setInterchange(tiles->regOrder);
    FailureOr<scf::SCFTilingResult> reg =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(cacheTile), regOptions);
    if (failed(reg))
      return cacheTile->emitOpError("could not be tiled for the registers");
    rewriter.replaceOp(cacheTile, reg->replacements);
    // The peeled copies keep the marker; vectorizeTiles skips the dynamic ones.

    // The last, partial tile of each register loop gets a loop of its own,
    // in the main loops and in the partial copies peeling makes of the
    // loops inside: every tile then has static sizes (the model's shapes are
    // static) and vectorizes without masks.
    for (LoopLikeOpInterface loop : reg->loops)
      if (auto forOp = dyn_cast<scf::ForOp>(loop.getOperation()))
        if (forOp.getConstantStep().value_or(APInt(64, 1)).getSExtValue() > 1)
          forOp->setAttr(kPeelAttr, rewriter.getUnitAttr());
    Operation *root = reg->loops.empty() ? nullptr : reg->loops.front().getOperation();
    while (root) {
      scf::ForOp next;
      root->getParentOp()->walk([&](scf::ForOp forOp) {
        if (!next && forOp->hasAttr(kPeelAttr))
          next = forOp;
      });
      if (!next)
        break;
      next->removeAttr(kPeelAttr);
      scf::ForOp partial;
      rewriter.setInsertionPoint(next);
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, next, partial);
    }
    reg->tiledOps.front()->setAttr(kVectorizeAttr, rewriter.getUnitAttr());
    return success();
  }
};

} // namespace
