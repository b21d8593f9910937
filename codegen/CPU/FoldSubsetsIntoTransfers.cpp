//===- FoldSubsetsIntoTransfers.cpp - Slices folded into vector transfers -===//

#include "codegen/CPU/FoldSubsetsIntoTransfers.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace {

/// A slice these folds take: unit strides, no dropped dims.
bool isPlainSlice(OffsetSizeAndStrideOpInterface slice, int64_t sourceRank, int64_t resultRank) {
  return sourceRank == resultRank &&
         llvm::all_of(slice.getMixedStrides(), [](OpFoldResult s) { return isConstantIntValue(s, 1); });
}

/// indices[i] + offsets[i], folded where both are constants.
SmallVector<Value> addOffsets(RewriterBase &rewriter, Location loc, ValueRange indices,
                              ArrayRef<OpFoldResult> offsets) {
  SmallVector<Value> out;
  AffineExpr d0, d1;
  bindDims(rewriter.getContext(), d0, d1);
  for (auto [index, offset] : llvm::zip(indices, offsets)) {
    OpFoldResult sum = affine::makeComposedFoldedAffineApply(rewriter, loc, d0 + d1, {index, offset});
    out.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, sum));
  }
  return out;
}

struct ReadOfExtractSlice : OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::TransferReadOp read, PatternRewriter &rewriter) const override {
    auto slice = read.getSource().getDefiningOp<tensor::ExtractSliceOp>();
    // Out-of-bounds lanes read the padding; in the larger source they
    // would read its values instead.
    if (!slice || read.getMask() || read.hasOutOfBoundsDim() ||
        !isPlainSlice(slice, slice.getSourceType().getRank(), slice.getResultType().getRank()))
      return failure();
    SmallVector<Value> indices =
        addOffsets(rewriter, read.getLoc(), read.getIndices(), slice.getMixedOffsets());
    rewriter.replaceOpWithNewOp<vector::TransferReadOp>(
        read, read.getVectorType(), slice.getSource(), indices, read.getPermutationMapAttr(),
        read.getPadding(), /*mask=*/Value(), read.getInBoundsAttr());
    return success();
  }
};

/// A 1-D read along a slice whose innermost stride is s > 1 (a strided
/// convolution's or pooling's window: every s-th element of a row). Left
/// alone, the transfer of a strided view is lowered one lane at a time;
/// instead it reads the (L-1)*s+1 contiguous elements the lanes span in
/// the slice's source and keeps every s-th with one shuffle, as LLVM's
/// interleaved-access vectorization does for loops.
struct StridedReadAsShuffle : OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::TransferReadOp read, PatternRewriter &rewriter) const override {
    auto slice = read.getSource().getDefiningOp<tensor::ExtractSliceOp>();
    VectorType type = read.getVectorType();
    if (!slice || read.getMask() || read.hasOutOfBoundsDim() || type.getRank() != 1 ||
        type.isScalable() || !read.getPermutationMap().isMinorIdentity())
      return failure();
    SmallVector<int64_t> strides;
    for (OpFoldResult stride : slice.getMixedStrides()) {
      std::optional<int64_t> value = getConstantIntValue(stride);
      if (!value)
        return failure();
      strides.push_back(*value);
    }
    int64_t s = strides.back(), lanes = type.getDimSize(0);
    llvm::SmallBitVector dropped = slice.getDroppedDims();
    // The innermost dim must survive the slice, and the span stay small.
    if (s < 2 || s > 8 || dropped.test(strides.size() - 1) || lanes < 2)
      return failure();
    Location loc = read.getLoc();
    AffineExpr d0, d1;
    bindDims(rewriter.getContext(), d0, d1);
    SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
    SmallVector<Value> indices;
    unsigned next = 0;
    for (unsigned dim = 0; dim < strides.size(); ++dim) {
      OpFoldResult index = offsets[dim];
      if (!dropped.test(dim))
        index = affine::makeComposedFoldedAffineApply(
            rewriter, loc, d0 + d1 * strides[dim], {offsets[dim], read.getIndices()[next++]});
      indices.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, index));
    }
    // In bounds: the slice's elements are, and the span ends at its last lane.
    auto spanType = VectorType::get({(lanes - 1) * s + 1}, type.getElementType());
    unsigned rank = slice.getSourceType().getRank();
    Value span = rewriter.create<vector::TransferReadOp>(
        loc, spanType, slice.getSource(), indices,
        AffineMap::getMinorIdentityMap(rank, 1, rewriter.getContext()), read.getPadding(),
        /*mask=*/Value(), rewriter.getBoolArrayAttr({true}));
    SmallVector<int64_t> every;
    for (int64_t lane = 0; lane < lanes; ++lane)
      every.push_back(lane * s);
    rewriter.replaceOpWithNewOp<vector::ShuffleOp>(read, span, span, every);
    return success();
  }
};

struct InsertSliceOfWrite : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::InsertSliceOp insert, PatternRewriter &rewriter) const override {
    auto write = insert.getSource().getDefiningOp<vector::TransferWriteOp>();
    if (!write || write.getMask() || write.hasOutOfBoundsDim() || !write->hasOneUse() ||
        !isPlainSlice(insert, insert.getDestType().getRank(), insert.getSourceType().getRank()))
      return failure();
    // Whatever the write does not cover must already be the destination's
    // values at that place: the written tensor is the destination's own
    // slice there, or the write covers all of it.
    auto own = write.getSource().getDefiningOp<tensor::ExtractSliceOp>();
    bool ownSlice = own && own.getSource() == insert.getDest() &&
                    own.getMixedOffsets() == insert.getMixedOffsets() &&
                    own.getMixedSizes() == insert.getMixedSizes() &&
                    own.getMixedStrides() == insert.getMixedStrides();
    auto written = cast<RankedTensorType>(write.getSource().getType());
    bool covers = written.hasStaticShape() && write.getPermutationMap().isMinorIdentity() &&
                  llvm::all_of(write.getIndices(), [](Value i) { return isConstantIntValue(i, 0); }) &&
                  write.getVectorType().getRank() == written.getRank() &&
                  write.getVectorType().getShape() == written.getShape();
    if (!ownSlice && !covers)
      return failure();
    SmallVector<Value> indices =
        addOffsets(rewriter, write.getLoc(), write.getIndices(), insert.getMixedOffsets());
    rewriter.replaceOpWithNewOp<vector::TransferWriteOp>(
        insert, write.getVector(), insert.getDest(), indices, write.getPermutationMapAttr(),
        /*mask=*/Value(), write.getInBoundsAttr());
    return success();
  }
};

} // namespace

void mlir::kiln::populateFoldSubsetsIntoTransfersPatterns(RewritePatternSet &patterns) {
  patterns.add<StridedReadAsShuffle, ReadOfExtractSlice, InsertSliceOfWrite>(patterns.getContext());
}
