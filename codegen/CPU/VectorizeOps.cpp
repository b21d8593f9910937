//===- VectorizeOps.cpp - Vector code for the ops that are not contractions ===//
//
// See KilnCPUVectorizeOps in codegen/CPU/Passes.td. Tiling, peeling,
// vectorization and the vector lowering are upstream's; what is Kiln's is
// the choice of the one dim each op is vectorized along, which upstream
// leaves to the caller (IREE makes the same choice in its CPU tile-size
// selection).
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"
#include "codegen/CPU/Canonicalize.h"
#include "codegen/CPU/FoldSubsetsIntoTransfers.h"
#include "codegen/CPU/Tasks.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUVECTORIZEOPS
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Marks the tiles to vectorize once peeling has made their shapes static.
constexpr StringLiteral kVectorTileAttr = "kiln.vector_tile";

/// How one op is vectorized: along loop `dim`, `size` elements per tile.
struct VectorPlan {
  unsigned dim;
  int64_t size;
};

/// True if loop `dim` indexes operand `map` only as its innermost result
/// (a unit-stride walk), or not at all.
bool innermostOrAbsent(AffineMap map, unsigned dim) {
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (!expr.isFunctionOfDim(dim))
      continue;
    if (i + 1 != map.getNumResults() || expr != getAffineDimExpr(dim, map.getContext()))
      return false;
  }
  return true;
}

/// Narrower than a byte: one element per byte in memory, but packed in an
/// LLVM vector.
bool isSubByte(Type element) { return element.getIntOrFloatBitWidth() < 8; }

/// The dim to vectorize `op` along and its tile size, or nullopt when no dim
/// walks every operand with unit stride (transposes, im2col windows,
/// pooling windows): LLVM's loop vectorizer serves those after
/// kiln-cpu-loop-order.
std::optional<VectorPlan> planVectors(linalg::LinalgOp op, int64_t lanes) {
  if (op.hasDynamicShape() || op.getNumLoops() == 0 || !op.hasPureTensorSemantics())
    return std::nullopt;
  // Bools (and i4, i2) are bytes in memory but bits in an LLVM vector (a
  // vector<8xi1> store writes one byte): their ops stay scalar.
  for (Value v : op->getOperands())
    if (auto shaped = dyn_cast<ShapedType>(v.getType()))
      if (!shaped.getElementType().isIntOrFloat() || isSubByte(shaped.getElementType()))
        return std::nullopt;
  if (failed(linalg::vectorizeOpPrecondition(op)))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto unitStride = [&](unsigned dim) {
    return llvm::all_of(maps, [&](AffineMap m) { return innermostOrAbsent(m, dim); });
  };
  // Parallel first: the output's innermost dim, so each vector lane is its
  // own element (a reduction over other dims adds whole vectors).
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (out.getNumResults() > 0)
    if (auto d = dyn_cast<AffineDimExpr>(out.getResults().back()))
      if (unitStride(d.getPosition()) && ranges[d.getPosition()] > 1)
        return VectorPlan{d.getPosition(),
                          std::min<int64_t>(ranges[d.getPosition()], 8 * lanes)};
  // Else a reduction along the inputs' innermost dim (softmax, layer norm):
  // vectors of it, reduced across lanes at the end of each tile. Rows up to
  // 16 vectors are one tile.
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    if (m.getNumResults() == 0)
      continue;
    auto d = dyn_cast<AffineDimExpr>(m.getResults().back());
    if (!d || !linalg::isReductionIterator(op.getIteratorTypesArray()[d.getPosition()]) ||
        !unitStride(d.getPosition()) || ranges[d.getPosition()] < 2)
      continue;
    int64_t range = ranges[d.getPosition()];
    return VectorPlan{d.getPosition(), range <= 16 * lanes ? range : 4 * lanes};
  }
  return std::nullopt;
}

/// True if a result of `op` is the init (DPS `outs`) of another op: the
/// fills and broadcasts that start a matmul's accumulators. They stay linalg
/// ops, which LLVM turns into memset-like loops: as vector transfers into a
/// tensor.empty, one-shot bufferization (MLIR 19) has been seen to let two
/// matmuls that share such an init write it in place, one over the other
/// (the PaddleOCR classifier's squeeze-excitation 1x1 convolutions).
///
/// Reshapes in between count (a convolution's accumulators are its bias
/// broadcast viewed as a matrix): vectorized, two equal broadcasts would be
/// merged by CSE again after kiln-private-inits gave each op its own.
bool initializesAnotherOp(Value value) {
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    // A pad's fill (padsAsFillAndCopy) is no op's accumulator.
    if (isa<tensor::InsertSliceOp>(user))
      continue;
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(user))
      if (dps.isDpsInit(&use))
        return true;
    // The accumulators of a tiled contraction that runs as one task.
    if (isa<scf::ForOp>(user))
      return true;
    if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(user) &&
        initializesAnotherOp(user->getResult(0)))
      return true;
  }
  return false;
}

bool initializesAnotherOp(linalg::LinalgOp op) {
  return llvm::any_of(op->getResults(),
                      [](Value result) { return initializesAnotherOp(result); });
}

/// Splits `op` into tasks, then tiles the task for vectors.
LogicalResult tileForVectors(RewriterBase &rewriter, linalg::LinalgOp op, VectorPlan plan,
                             int64_t cores) {
  // From here on `op` is the op computing one task (the whole op when it
  // is not split): the op it named before is erased.
  if (failed(splitIntoTasks(rewriter, op, planTasks(op, cores, 2, plan.dim, plan.size))))
    return failure();
  rewriter.setInsertionPoint(op);
  SmallVector<OpFoldResult> sizes(op.getNumLoops(), rewriter.getIndexAttr(1));
  sizes[plan.dim] = rewriter.getIndexAttr(plan.size);
  scf::SCFTilingOptions options;
  options.setTileSizes(sizes);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return op->emitOpError("could not be tiled for vectors");
  rewriter.replaceOp(op, tiled->replacements);
  tiled->tiledOps.front()->setAttr(kVectorTileAttr, rewriter.getUnitAttr());
  // The last, partial tile along the vector dim gets a loop of its own, so
  // every tile has a static shape and vectorizes without masks.
  for (LoopLikeOpInterface loop : tiled->loops) {
    auto forOp = dyn_cast<scf::ForOp>(loop.getOperation());
    if (!forOp || forOp.getConstantStep().value_or(APInt(64, 1)).getSExtValue() != plan.size)
      continue;
    scf::ForOp partial;
    rewriter.setInsertionPoint(forOp);
    (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
  }
  return success();
}

/// For a copy that transposes (a linalg.transpose, or a generic that yields
/// its one input read through a permutation): the loop dims that are
/// innermost in the output and in the input. Such a copy is vectorized in
/// square blocks of lanes x lanes: a block is read as `lanes` vectors along
/// the input's rows, transposed in registers, and written as `lanes`
/// vectors along the output's rows; element by element, one side would be
/// strided.
std::optional<std::pair<unsigned, unsigned>> transposedDims(linalg::LinalgOp op) {
  if (op.hasDynamicShape() || !op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() < 2 || op.getNumLoops() != op.getNumParallelLoops())
    return std::nullopt;
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  if (!element.isIntOrFloat() || isSubByte(element) ||
      element != getElementTypeOrSelf(op.getDpsInputs()[0].getType()))
    return std::nullopt;
  Block *body = op.getBlock();
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || body->getOperations().size() != 1 || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != body->getArgument(0))
    return std::nullopt;
  AffineMap in = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!in.isPermutation() || !out.isPermutation())
    return std::nullopt;
  unsigned a = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  unsigned b = cast<AffineDimExpr>(in.getResults().back()).getPosition();
  if (a == b)
    return std::nullopt;
  return std::make_pair(a, b);
}

/// Tiles a transposing copy into tasks, then into lanes x lanes blocks
/// along dims `a` (the output's innermost) and `b` (the input's), the
/// partial blocks peeled off so that every block has a static shape.
LogicalResult tileForTransposedVectors(RewriterBase &rewriter, linalg::LinalgOp op, unsigned a, unsigned b,
                                       int64_t lanes, int64_t cores) {
  // From here on `op` is the op computing one task (splitIntoTasks erases
  // the one it named before).
  if (failed(splitIntoTasks(rewriter, op, planTasks(op, cores, 2))))
    return failure();
  Operation *target = op;
  rewriter.setInsertionPoint(target);
  SmallVector<int64_t> ranges = cast<linalg::LinalgOp>(target).getStaticLoopRanges();
  SmallVector<OpFoldResult> sizes(ranges.size(), rewriter.getIndexAttr(1));
  // A ragged last task has dynamic sizes (kDynamic is INT64_MIN: as a
  // tile size it made a loop that never ended).
  auto blockOf = [&](int64_t range) {
    return ShapedType::isDynamic(range) ? lanes : std::min(lanes, range);
  };
  sizes[a] = rewriter.getIndexAttr(blockOf(ranges[a]));
  sizes[b] = rewriter.getIndexAttr(blockOf(ranges[b]));
  scf::SCFTilingOptions options;
  options.setTileSizes(sizes);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(rewriter, cast<TilingInterface>(target), options);
  if (failed(tiled))
    return target->emitOpError("could not be tiled into transposed blocks");
  rewriter.replaceOp(target, tiled->replacements);
  tiled->tiledOps.front()->setAttr(kVectorTileAttr, rewriter.getUnitAttr());
  // Peels the partial block of each blocked dim, in the main loops and in
  // the copies the first peeling makes.
  SmallVector<scf::ForOp> blockLoops;
  for (LoopLikeOpInterface loop : tiled->loops)
    if (auto forOp = dyn_cast<scf::ForOp>(loop.getOperation()))
      if (forOp.getConstantStep().value_or(APInt(64, 1)).getSExtValue() > 1)
        blockLoops.push_back(forOp);
  for (scf::ForOp forOp : blockLoops) {
    scf::ForOp partial;
    rewriter.setInsertionPoint(forOp);
    (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
    if (!partial)
      continue;
    partial->walk([&](scf::ForOp inner) {
      if (inner != partial && inner.getConstantStep().value_or(APInt(64, 1)).getSExtValue() > 1) {
        scf::ForOp innerPartial;
        rewriter.setInsertionPoint(inner);
        (void)scf::peelForLoopAndSimplifyBounds(rewriter, inner, innerPartial);
      }
    });
  }
  return success();
}

/// An all-parallel op with static shapes that writes into tensor.empty
/// (transposes, im2col windows): its tasks write disjoint slices of a fresh
/// buffer. Ops that accumulate into another op's result (pooling windows
/// into their fill) stay whole: split, one-shot bufferization would give
/// each task a buffer of its own, inside the task, where kiln-plan-memory
/// cannot place it.
bool isFreshCopyLike(linalg::LinalgOp op) {
  if (op.hasDynamicShape() || !op.hasPureTensorSemantics() || op.getNumLoops() == 0 ||
      op.getNumLoops() != op.getNumParallelLoops())
    return false;
  return llvm::all_of(op.getDpsInits(), [](Value init) {
    return init.getDefiningOp<tensor::EmptyOp>() != nullptr;
  });
}

/// A tensor.pad with a constant nonzero value as a linalg.fill of the
/// padded shape, which this pass vectorizes, and the source inserted into
/// its interior. Left to bufferization, the pad's value is written by a
/// linalg.map, a loop nest for LLVM, which fully unrolls a short innermost
/// loop (the 32 channels of a block) and vectorizes the next one out with
/// scatters: ResNet-18's max-pool padding (-inf) took 0.67 ms, ten times
/// onnxruntime's whole max pool.
void padsAsFillAndCopy(func::FuncOp fn, RewriterBase &rewriter) {
  SmallVector<tensor::PadOp> pads;
  for (Operation &op : fn.getBody().getOps())
    if (auto pad = dyn_cast<tensor::PadOp>(&op))
      if (pad.getResultType().hasStaticShape() && pad.getSourceType().hasStaticShape() &&
          pad.getConstantPaddingValue() && !pad.getNofold())
        pads.push_back(pad);
  for (tensor::PadOp pad : pads) {
    Location loc = pad.getLoc();
    rewriter.setInsertionPoint(pad);
    Value value = pad.getConstantPaddingValue();
    // A constant made in the pad's body is made again before it.
    if (value.getParentBlock() == pad.getBody()) {
      Operation *def = value.getDefiningOp();
      if (!def)
        continue;
      value = rewriter.clone(*def)->getResult(0);
    }
    // Zero padding stays a pad: LLVM makes its fill a memset, and measured on
    // MobileNetV2 (zero pads before each depthwise convolution), the pad as
    // a fill and an insert took 1 ms more of 4.5.
    if (matchPattern(value, m_AnyZeroFloat()) || matchPattern(value, m_Zero()))
      continue;
    RankedTensorType type = pad.getResultType();
    Value empty = rewriter.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
    Value filled = rewriter.create<linalg::FillOp>(loc, value, empty).getResult(0);
    SmallVector<OpFoldResult> offsets = pad.getMixedLowPad();
    SmallVector<OpFoldResult> sizes;
    for (int64_t d : pad.getSourceType().getShape())
      sizes.push_back(rewriter.getIndexAttr(d));
    SmallVector<OpFoldResult> strides(sizes.size(), rewriter.getIndexAttr(1));
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(pad, pad.getSource(), filled, offsets, sizes, strides);
  }
}

/// The elementwise ops kiln-cpu-tile-contractions fused into a task of a
/// contraction (its epilogue: an activation, a residual add, applied to the
/// task's output tile in place). Left to LLVM, a tile whose innermost dim is
/// short (a blocked convolution's 32 filters) has that loop fully unrolled
/// before the loop vectorizer runs, which then vectorizes the next loop out
/// with gathers and scatters (and takes seconds to compile). An input that
/// is the init itself (the in-place epilogue reads what it overwrites)
/// becomes a read of the init's block argument, so that the tiled op reads
/// and writes one slice per tile (two slices of one buffer, one read and one
/// written, would make one-shot bufferization copy the output tile).
std::optional<linalg::GenericOp> epilogueOf(Operation &op, RewriterBase &rewriter) {
  auto generic = dyn_cast<linalg::GenericOp>(&op);
  if (!generic || generic.getNumDpsInits() != 1 || !generic.hasPureTensorSemantics() ||
      generic.hasDynamicShape() || generic.getNumLoops() != generic.getNumParallelLoops())
    return std::nullopt;
  Value init = generic.getDpsInits()[0];
  AffineMap initMap = generic.getMatchingIndexingMap(generic.getDpsInitOperand(0));
  OpOperand *same = nullptr;
  for (OpOperand *in : generic.getDpsInputOperands())
    if (in->get() == init && generic.getMatchingIndexingMap(in) == initMap)
      same = in;
  if (!same)
    return generic;
  if (!generic.getMatchingBlockArgument(generic.getDpsInitOperand(0)).use_empty())
    return std::nullopt;
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *in : generic.getDpsInputOperands())
    if (in != same) {
      inputs.push_back(in->get());
      maps.push_back(generic.getMatchingIndexingMap(in));
    }
  maps.push_back(initMap);
  rewriter.setInsertionPoint(generic);
  auto rebuilt = rewriter.create<linalg::GenericOp>(generic.getLoc(), generic->getResultTypes(), inputs,
                                                    init, maps, generic.getIteratorTypesArray());
  rewriter.cloneRegionBefore(generic.getRegion(), rebuilt.getRegion(), rebuilt.getRegion().begin());
  Block &body = rebuilt.getRegion().front();
  BlockArgument from = body.getArgument(same->getOperandNumber());
  from.replaceAllUsesWith(body.getArguments().back());
  body.eraseArgument(same->getOperandNumber());
  rewriter.replaceOp(generic, rebuilt->getResults());
  return rebuilt;
}

struct KilnCPUVectorizeOps : kiln::impl::KilnCPUVectorizeOpsBase<KilnCPUVectorizeOps> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    int64_t lanes = std::max<int64_t>(1, vectorBits / 32);
    // The ops at the function's top level: contractions are already tiled
    // loop nests, and what they left inside their loops (tiles narrower
    // than a vector) stays scalar.
    IRRewriter rewriter(&getContext());
    if (lanes > 1)
      padsAsFillAndCopy(fn, rewriter);
    SmallVector<std::pair<linalg::LinalgOp, VectorPlan>> targets;
    SmallVector<linalg::LinalgOp> scalar; // no unit-stride dim: tasks only
    SmallVector<std::pair<linalg::LinalgOp, std::pair<unsigned, unsigned>>> transposes;
    for (Operation &op : fn.getBody().getOps())
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
        if (!initializesAnotherOp(linalgOp)) {
          if (std::optional<VectorPlan> plan = planVectors(linalgOp, lanes))
            targets.push_back({linalgOp, *plan});
          else if (auto dims = transposedDims(linalgOp); dims && isFreshCopyLike(linalgOp) && lanes > 1)
            transposes.push_back({linalgOp, *dims});
          else if (isFreshCopyLike(linalgOp))
            scalar.push_back(linalgOp);
        }
    // The epilogues inside contraction tasks: vectors, no further tasks.
    SmallVector<std::pair<linalg::LinalgOp, VectorPlan>> epilogues;
    SmallVector<Operation *> taskOps;
    fn.walk([&](scf::ForallOp task) {
      for (Operation &op : task.getBody()->getOperations())
        taskOps.push_back(&op);
    });
    for (Operation *op : taskOps)
      if (std::optional<linalg::GenericOp> epilogue = epilogueOf(*op, rewriter))
        if (!initializesAnotherOp(*epilogue))
          if (std::optional<VectorPlan> plan = planVectors(*epilogue, lanes))
            epilogues.push_back({*epilogue, *plan});
    for (auto [op, plan] : epilogues)
      if (failed(tileForVectors(rewriter, op, plan, /*cores=*/1)))
        return signalPassFailure();
    for (auto [op, dims] : transposes)
      if (failed(tileForTransposedVectors(rewriter, op, dims.first, dims.second, lanes, cores)))
        return signalPassFailure();
    // Transposes and im2col windows stay loops for LLVM's vectorizer, but
    // large ones still run as parallel tasks.
    for (linalg::LinalgOp op : scalar)
      if (failed(splitIntoTasks(rewriter, op, planTasks(op, cores, 2))))
        return signalPassFailure();
    if (targets.empty() && transposes.empty() && epilogues.empty())
      return;
    for (auto [op, plan] : targets)
      if (failed(tileForVectors(rewriter, op, plan, cores)))
        return signalPassFailure();
    if (failed(canonicalizeWithAllPatterns(fn)))
      return signalPassFailure();

    SmallVector<linalg::LinalgOp> tiles;
    fn.walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kVectorTileAttr))
        tiles.push_back(op);
    });
    for (linalg::LinalgOp op : tiles) {
      op->removeAttr(kVectorTileAttr);
      if (op.hasDynamicShape())
        continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::vectorize(rewriter, op))) {
        op->emitOpError("could not be vectorized after tiling");
        return signalPassFailure();
      }
    }

    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateSinkVectorBroadcastPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
    // Reductions over the tiles' unit dims are plain combines.
    vector::MultiDimReductionOp::getCanonicalizationPatterns(patterns, ctx);
    vector::BroadcastOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransposeOp::getCanonicalizationPatterns(patterns, ctx);
    vector::ShapeCastOp::getCanonicalizationPatterns(patterns, ctx);
    // The tiles' unit dims go, so their vectors are 1-D.
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    vector::populateDropUnitDimWithShapeCastPatterns(patterns);
    vector::populateVectorTransferDropUnitDimsPatterns(patterns);
    vector::populateShapeCastFoldingPatterns(patterns);
    populateFoldSubsetsIntoTransfersPatterns(patterns);
    scf::ForOp::getCanonicalizationPatterns(patterns, ctx);
    affine::AffineMinOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsAndFoldGreedily(fn, std::move(patterns))))
      return signalPassFailure();

    // Reductions along the vectors become one reduction across lanes per
    // tile; n-D vectors become 1-D ones.
    RewritePatternSet lowering(ctx);
    vector::populateVectorMultiReductionLoweringPatterns(
        lowering, vector::VectorMultiReductionLowering::InnerReduction);
    vector::populateVectorTransferPermutationMapLoweringPatterns(lowering);
    vector::populateVectorTransferLoweringPatterns(lowering, /*maxTransferRank=*/1);
    vector::populateVectorShapeCastLoweringPatterns(lowering);
    vector::populateVectorBroadcastLoweringPatterns(lowering);
    // A transposed block becomes shuffles: the 16x16 f32 blocks of AVX-512
    // with upstream's dedicated shuffle sequence, other shapes one
    // shuffle per row.
    vector::VectorTransformsOptions transposeOptions;
    transposeOptions.setVectorTransposeLowering(lanes == 16 ? vector::VectorTransposeLowering::Shuffle16x16
                                                            : vector::VectorTransposeLowering::Shuffle1D);
    vector::populateVectorTransposeLoweringPatterns(lowering, transposeOptions);
    if (failed(applyPatternsAndFoldGreedily(fn, std::move(lowering))))
      return signalPassFailure();
  }
};

} // namespace
