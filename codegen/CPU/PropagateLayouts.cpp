//===- PropagateLayouts.cpp - Blocked layouts carried across the graph ----===//
//
// See KilnCPUPropagateLayouts in codegen/CPU/Passes.td. The propagation is
// upstream's (linalg::populateDataLayoutPropagationPatterns), restricted to
// pushing unpacks down; this file adds the one case upstream leaves out, an
// elementwise op with several unpacked operands (a residual add), and
// lowers the packs and unpacks that remain to transposes.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"
#include "codegen/Common/ConstantRelayout.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUPROPAGATELAYOUTS
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

bool sameBlocks(tensor::UnPackOp a, tensor::UnPackOp b) {
  return a.getSourceType() == b.getSourceType() && a.getInnerDimsPos() == b.getInnerDimsPos() &&
         a.getStaticInnerTiles() == b.getStaticInnerTiles() && a.getOuterDimsPerm() == b.getOuterDimsPerm();
}

/// generic(unpack(a), unpack(b), c, broadcast(bias)) ->
///   unpack(generic(a, b, pack(c), pack(bias)))
/// for an elementwise op (all parallel, identity output map) whose unpacked
/// operands share one layout with a single blocked dim. Other operands are
/// packed along that dim where they have it (a broadcast is read through
/// its input, so the [C] bias is packed, not its broadcast). Upstream's
/// push-down takes one unpacked operand only (a residual add would stay
/// unpacked: an unpack of each operand and a pack of the result) and packs
/// a broadcast operand whole.
struct PushDownUnPacksThroughElementwise : OpRewritePattern<linalg::GenericOp> {
  PushDownUnPacksThroughElementwise(MLIRContext *ctx) : OpRewritePattern(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (op.getNumDpsInits() != 1 || op.getNumResults() != 1 || !op.hasPureTensorSemantics() ||
        op.getNumLoops() != op.getNumParallelLoops())
      return failure();
    if (!op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
      return failure();
    // Gathers index the unpacked shape.
    if (!op.getRegion().front().getOps<linalg::IndexOp>().empty() ||
        !op.getRegion().front().getOps<tensor::ExtractOp>().empty())
      return failure();
    if (!op.getMatchingBlockArgument(op.getDpsInitOperand(0)).use_empty())
      return failure();
    tensor::UnPackOp layout;
    for (OpOperand *in : op.getDpsInputOperands()) {
      auto unpack = in->get().getDefiningOp<tensor::UnPackOp>();
      if (!unpack || !op.getMatchingIndexingMap(in).isIdentity())
        continue;
      if (layout && !sameBlocks(layout, unpack))
        return failure();
      layout = unpack;
    }
    if (!layout || layout.getInnerDimsPos().size() != 1 || !layout.getOuterDimsPerm().empty())
      return failure();
    unsigned rank = op.getNumLoops();
    unsigned blockedDim = layout.getInnerDimsPos()[0];
    OpFoldResult tile = layout.getMixedTiles()[0];
    MLIRContext *ctx = getContext();
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    auto packedType = RankedTensorType::get(layout.getSourceType().getShape(), resultType.getElementType());
    if (resultType.getShape() != layout.getDestType().getShape())
      return failure();
    std::optional<int64_t> tileSize = getConstantIntValue(tile);
    if (!tileSize)
      return failure();
    // Every operand is checked before any op is made: a pattern that made
    // packs and then failed would have the greedy driver erase them and
    // call it again, until it gave up.
    struct Operand {
      Value value;
      SmallVector<AffineExpr> results;
      std::optional<int64_t> packAt; // the position of the blocked dim
      bool unpacked = false;
    };
    SmallVector<Operand> operands;
    for (OpOperand *in : op.getDpsInputOperands()) {
      Operand operand{in->get(), {}, std::nullopt};
      AffineMap map = op.getMatchingIndexingMap(in);
      if (auto unpack = operand.value.getDefiningOp<tensor::UnPackOp>(); unpack && map.isIdentity()) {
        operand.value = unpack.getSource();
        operand.unpacked = true;
        operands.push_back(operand);
        continue;
      }
      if (auto broadcast = operand.value.getDefiningOp<linalg::BroadcastOp>(); broadcast && map.isIdentity()) {
        operand.value = broadcast.getInput();
        SmallVector<AffineExpr> kept;
        for (unsigned d = 0; d < rank; ++d)
          if (!llvm::is_contained(broadcast.getDimensions(), static_cast<int64_t>(d)))
            kept.push_back(getAffineDimExpr(d, ctx));
        map = AffineMap::get(rank, 0, kept, ctx);
      }
      // Dims and zeros (a [1, C, 1, 1] operand's broadcast dims).
      if (!map.isProjectedPermutation(/*allowZeroInResults=*/true))
        return failure();
      operand.results.assign(map.getResults().begin(), map.getResults().end());
      for (auto [i, expr] : llvm::enumerate(operand.results))
        if (auto dim = dyn_cast<AffineDimExpr>(expr); dim && dim.getPosition() == blockedDim)
          operand.packAt = i;
      if (operand.packAt) {
        auto type = dyn_cast<RankedTensorType>(operand.value.getType());
        if (!type || type.isDynamicDim(*operand.packAt) || type.getDimSize(*operand.packAt) % *tileSize != 0)
          return failure();
      }
      operands.push_back(operand);
    }
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (Operand &operand : operands) {
      if (operand.unpacked) {
        inputs.push_back(operand.value);
        maps.push_back(AffineMap::getMultiDimIdentityMap(rank + 1, ctx));
        continue;
      }
      Value value = operand.value;
      if (operand.packAt) {
        Value empty = tensor::PackOp::createDestinationTensor(rewriter, loc, value, {tile}, {*operand.packAt}, {});
        value = rewriter.create<tensor::PackOp>(loc, value, empty, ArrayRef<int64_t>{*operand.packAt},
                                                ArrayRef<OpFoldResult>{tile});
        operand.results.push_back(getAffineDimExpr(rank, ctx));
      }
      inputs.push_back(value);
      maps.push_back(AffineMap::get(rank + 1, 0, operand.results, ctx));
    }
    Value init = rewriter.create<tensor::EmptyOp>(loc, packedType.getShape(), packedType.getElementType());
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank + 1, ctx));
    SmallVector<utils::IteratorType> iterators(rank + 1, utils::IteratorType::parallel);
    auto packed = rewriter.create<linalg::GenericOp>(loc, packedType, inputs, init, maps, iterators);
    rewriter.cloneRegionBefore(op.getRegion(), packed.getRegion(), packed.getRegion().begin());
    Value empty = rewriter.create<tensor::EmptyOp>(loc, resultType.getShape(), resultType.getElementType());
    rewriter.replaceOpWithNewOp<tensor::UnPackOp>(op, packed.getResult(0), empty, layout.getInnerDimsPos(),
                                                  layout.getMixedTiles(), layout.getOuterDimsPerm());
    return success();
  }
};

/// extract_slice(unpack(y)) -> unpack(extract_slice(y)) for a slice that
/// keeps every blocked dim whole (a pooling or depthwise window: strided
/// along H and W, all of C).
struct PushDownUnPackThroughSlice : OpRewritePattern<tensor::ExtractSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ExtractSliceOp slice, PatternRewriter &rewriter) const override {
    auto unpack = slice.getSource().getDefiningOp<tensor::UnPackOp>();
    if (!unpack || !unpack.getOuterDimsPerm().empty() || slice.getType().getRank() != slice.getSourceType().getRank() ||
        !slice.getType().hasStaticShape())
      return failure();
    SmallVector<OpFoldResult> offsets = slice.getMixedOffsets(), sizes = slice.getMixedSizes(),
                              strides = slice.getMixedStrides();
    for (auto [dim, tile] : llvm::zip(unpack.getInnerDimsPos(), unpack.getMixedTiles())) {
      if (!isConstantIntValue(offsets[dim], 0) || !isConstantIntValue(strides[dim], 1) ||
          slice.getType().getDimSize(dim) != slice.getSourceType().getDimSize(dim))
        return failure();
      std::optional<int64_t> t = getConstantIntValue(tile);
      if (!t)
        return failure();
      sizes[dim] = rewriter.getIndexAttr(slice.getType().getDimSize(dim) / *t);
      offsets.push_back(rewriter.getIndexAttr(0));
      sizes.push_back(tile);
      strides.push_back(rewriter.getIndexAttr(1));
    }
    Location loc = slice.getLoc();
    Value packedSlice = rewriter.create<tensor::ExtractSliceOp>(loc, unpack.getSource(), offsets, sizes, strides);
    Value empty = rewriter.create<tensor::EmptyOp>(loc, slice.getType().getShape(), slice.getType().getElementType());
    rewriter.replaceOpWithNewOp<tensor::UnPackOp>(slice, packedSlice, empty, unpack.getInnerDimsPos(),
                                                  unpack.getMixedTiles(), unpack.getOuterDimsPerm());
    return success();
  }
};

/// pack(constant) -> the constant re-laid out now (a depthwise filter's
/// taps, a bias).
struct FoldPackOfConstant : OpRewritePattern<tensor::PackOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::PackOp pack, PatternRewriter &rewriter) const override {
    if (pack.getPaddingValue() || !pack.getOuterDimsPerm().empty() || pack.getInnerDimsPos().size() != 1 ||
        !pack.getSourceType().hasStaticShape() || !pack.getDestType().hasStaticShape())
      return failure();
    ArrayRef<int64_t> shape = pack.getSourceType().getShape();
    int64_t dim = pack.getInnerDimsPos()[0];
    int64_t tile = pack.getStaticInnerTiles()[0];
    if (ShapedType::isDynamic(tile) || shape[dim] % tile != 0)
      return failure();
    // Elements as [outer, dim, inner] -> [outer, dim / tile, inner, tile].
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < dim; ++d)
      outer *= shape[d];
    for (int64_t d = dim + 1; d < static_cast<int64_t>(shape.size()); ++d)
      inner *= shape[d];
    int64_t extent = shape[dim];
    Value packed = relayoutConstant(
        rewriter, pack.getLoc(), pack.getSource(), pack.getDestType(),
        [&](ArrayRef<char> from, MutableArrayRef<char> to, int64_t bytes) {
          for (int64_t o = 0; o < outer; ++o)
            for (int64_t i = 0; i < extent; ++i)
              for (int64_t j = 0; j < inner; ++j) {
                int64_t src = ((o * extent + i) * inner + j) * bytes;
                int64_t dst = (((o * (extent / tile) + i / tile) * inner + j) * tile + i % tile) * bytes;
                std::memcpy(&to[dst], &from[src], bytes);
              }
        });
    if (!packed)
      return failure();
    rewriter.replaceOp(pack, packed);
    return success();
  }
};

struct KilnCPUPropagateLayouts : kiln::impl::KilnCPUPropagateLayoutsBase<KilnCPUPropagateLayouts> {
  using Base::Base;
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    MLIRContext *ctx = &getContext();
    {
      RewritePatternSet patterns(ctx);
      // Unpacks move down only: an op takes the blocked operand and gives a
      // blocked result, which the next pack cancels. Packs are not bubbled
      // up: a pooling window's pack would become one per window.
      linalg::populateDataLayoutPropagationPatterns(patterns, [](OpOperand *operand) {
        return static_cast<bool>(operand->get().getDefiningOp<tensor::UnPackOp>());
      });
      patterns.add<PushDownUnPacksThroughElementwise, PushDownUnPackThroughSlice, FoldPackOfConstant>(ctx);
      // A depthwise filter's taps are slices of the constant filter.
      tensor::populateFoldConstantExtractSlicePatterns(
          patterns, [](tensor::ExtractSliceOp slice) { return slice.getType().getNumElements() <= (1 << 16); });
      tensor::PackOp::getCanonicalizationPatterns(patterns, ctx);
      tensor::UnPackOp::getCanonicalizationPatterns(patterns, ctx);
      if (failed(applyPatternsAndFoldGreedily(fn, std::move(patterns)))) {
        fn.emitError("kiln-cpu-propagate-layouts: blocked layouts did not converge");
        return signalPassFailure();
      }
    }
    // The packs and unpacks left (at the graph's inputs and outputs, around
    // ops that take no blocked operands) become linalg transposes.
    IRRewriter rewriter(ctx);
    SmallVector<Operation *> layouts;
    fn.walk([&](Operation *op) {
      if (isa<tensor::PackOp, tensor::UnPackOp>(op))
        layouts.push_back(op);
    });
    for (Operation *op : layouts) {
      rewriter.setInsertionPoint(op);
      if (auto pack = dyn_cast<tensor::PackOp>(op)) {
        if (failed(linalg::lowerPack(rewriter, pack)))
          return (void)(pack.emitOpError("could not be lowered to a transpose"), signalPassFailure());
        continue;
      }
      FailureOr<linalg::LowerUnPackOpResult> lowered = linalg::lowerUnPack(rewriter, cast<tensor::UnPackOp>(op));
      if (failed(lowered))
        return (void)(op->emitOpError("could not be lowered to a transpose"), signalPassFailure());
      // Without padding to drop, the copy into a fresh tensor that ends the
      // lowering copies the transposed tensor again for nothing.
      Value sliced = lowered->extractSliceOp ? Value(lowered->extractSliceOp.getResult())
                                             : Value(lowered->collapseShapeOp.getResult());
      for (Operation *user : llvm::make_early_inc_range(sliced.getUsers()))
        if (auto copy = dyn_cast<linalg::CopyOp>(user))
          if (copy.getInputs()[0] == sliced && copy.getOutputs()[0].getType() == sliced.getType() &&
              copy.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
            rewriter.replaceOp(copy, sliced);
    }
  }
};

} // namespace
