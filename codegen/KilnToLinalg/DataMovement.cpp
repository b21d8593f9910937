//===- DataMovement.cpp - kiln data movement -> tensor ops and linalg -----===//
//
//   reshape, flatten, squeeze, unsqueeze -> tensor.collapse_shape /
//                                           expand_shape (via 1-D if needed)
//   transpose -> linalg.transpose
//   concat    -> tensor.empty + a chain of tensor.insert_slice
//   split     -> one tensor.extract_slice per result
//   slice     -> tensor.extract_slice (all steps > 0), else a linalg.generic
//                reading input[d * step + start]
//   gather    -> a linalg.generic over the output doing tensor.extract at an
//                index normalized (negative += size) and clamped into range
//   scatter_add -> a one-hot [size, count] linalg.generic times the updates,
//                accumulated into dest (linalg.matmul / batch_matmul)
//   expand    -> linalg.broadcast (after collapsing stretched unit dims)
//   pad       -> tensor.pad (constant), or a linalg.generic computing the
//                source index from linalg.index (reflect, edge)
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

/// A linalg.generic over `resultType` with no inputs whose body computes each
/// element from its indices (linalg.index), e.g. with tensor.extract.
static Value buildIndexedGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType,
    function_ref<Value(OpBuilder &, Location, ArrayRef<Value>)> element) {
  int64_t rank = resultType.getRank();
  return b
      .create<linalg::GenericOp>(
          loc, resultType, ValueRange{},
          createEmpty(b, loc, resultType.getShape(),
                      resultType.getElementType()),
          b.getMultiDimIdentityMap(rank), getParallelIterators(rank),
          [&](OpBuilder &nb, Location nloc, ValueRange) {
            SmallVector<Value> indices;
            for (int64_t d = 0; d < rank; ++d)
              indices.push_back(nb.create<linalg::IndexOp>(nloc, d));
            nb.create<linalg::YieldOp>(nloc, element(nb, nloc, indices));
          })
      .getResult(0);
}

namespace {

/// Ops that only change the shape.
template <typename ReshapeLikeOp>
struct ReshapeToTensor : OpConversionPattern<ReshapeLikeOp> {
  using OpConversionPattern<ReshapeLikeOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeLikeOp op, typename ReshapeLikeOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(),
                                     op.getType().getShape()));
    return success();
  }
};

struct TransposeToLinalg : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Value init = createEmpty(rewriter, op.getLoc(), type.getShape(),
                             type.getElementType());
    rewriter.replaceOp(op, rewriter
                               .create<linalg::TransposeOp>(
                                   op.getLoc(), adaptor.getInput(), init,
                                   op.getPerm())
                               .getResult()[0]);
    return success();
  }
};

struct ConcatToInsertSlices : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis();
    Value result = createEmpty(rewriter, loc, type.getShape(),
                               type.getElementType());
    SmallVector<int64_t> offsets(type.getRank(), 0);
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (Value input : adaptor.getInputs()) {
      ArrayRef<int64_t> shape = cast<RankedTensorType>(input.getType()).getShape();
      if (shape[axis] == 0)
        continue;
      result = rewriter.create<tensor::InsertSliceOp>(
          loc, input, result, getAsIndexOpFoldResult(rewriter.getContext(), offsets),
          getAsIndexOpFoldResult(rewriter.getContext(), shape), getAsIndexOpFoldResult(rewriter.getContext(), strides));
      offsets[axis] += shape[axis];
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SplitToExtractSlices : OpConversionPattern<SplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t axis = op.getAxis();
    SmallVector<Value> results;
    int64_t offset = 0;
    for (Value r : op.getResults()) {
      auto type = cast<RankedTensorType>(r.getType());
      SmallVector<int64_t> offsets(type.getRank(), 0);
      offsets[axis] = offset;
      results.push_back(rewriter.create<tensor::ExtractSliceOp>(
          op.getLoc(), type, adaptor.getInput(), getAsIndexOpFoldResult(rewriter.getContext(), offsets),
          getAsIndexOpFoldResult(rewriter.getContext(), type.getShape()),
          getAsIndexOpFoldResult(rewriter.getContext(), SmallVector<int64_t>(type.getRank(), 1))));
      offset += type.getDimSize(axis);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct SliceToLinalg : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    RankedTensorType type = op.getType();
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, adaptor.getInput(), getAsIndexOpFoldResult(rewriter.getContext(), starts),
          getAsIndexOpFoldResult(rewriter.getContext(), type.getShape()), getAsIndexOpFoldResult(rewriter.getContext(), steps));
      return success();
    }
    // Nothing to read: avoid maps whose start may lie outside the input.
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, createEmpty(rewriter, loc, type.getShape(),
                                         type.getElementType()));
      return success();
    }
    // A negative step reads backwards: output[d] = input[d * step + start].
    int64_t rank = type.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      exprs.push_back(getAffineDimExpr(d, ctx) * steps[d] + starts[d]);
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, exprs, ctx),
                                   AffineMap::getMultiDimIdentityMap(rank, ctx)};
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, type, adaptor.getInput(),
        createEmpty(rewriter, loc, type.getShape(), type.getElementType()),
        maps, getParallelIterators(rank),
        [](OpBuilder &b, Location l, ValueRange args) {
          b.create<linalg::YieldOp>(l, args[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// output[pre..., idx..., post...] = data[pre..., clamp(norm(indices[idx...])),
/// post...]. Out-of-range indices are clamped, so no read is ever out of
/// bounds whatever the index tensor holds.
struct GatherToGeneric : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto dataType = cast<RankedTensorType>(data.getType());
    auto indicesType = cast<RankedTensorType>(indices.getType());
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis(), size = dataType.getDimSize(axis);
    int64_t q = indicesType.getRank(), rank = type.getRank();
    if (size == 0 && type.getNumElements() != 0)
      return rewriter.notifyMatchFailure(op, "gathers from an empty axis");

    SmallVector<AffineExpr> indexExprs;
    for (int64_t d = axis; d < axis + q; ++d)
      indexExprs.push_back(getAffineDimExpr(d, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, indexExprs, ctx),
                                   AffineMap::getMultiDimIdentityMap(rank, ctx)};
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, type, indices,
        createEmpty(rewriter, loc, type.getShape(), type.getElementType()),
        maps, getParallelIterators(rank),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Type i64 = b.getI64Type();
          Value i = args[0];
          if (i.getType() != i64)
            i = b.create<arith::ExtSIOp>(l, i64, i);
          Value zero = createScalar(b, l, i64, 0);
          Value n = createScalar(b, l, i64, static_cast<double>(size));
          Value negative =
              b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, i, zero);
          i = b.create<arith::SelectOp>(l, negative,
                                        b.create<arith::AddIOp>(l, i, n), i);
          i = b.create<arith::MaxSIOp>(l, i, zero);
          i = b.create<arith::MinSIOp>(
              l, i, createScalar(b, l, i64, static_cast<double>(size - 1)));
          SmallVector<Value> coords;
          for (int64_t d = 0; d < dataType.getRank(); ++d) {
            if (d < axis)
              coords.push_back(b.create<linalg::IndexOp>(l, d));
            else if (d == axis)
              coords.push_back(
                  b.create<arith::IndexCastOp>(l, b.getIndexType(), i));
            else
              coords.push_back(b.create<linalg::IndexOp>(l, d + q - 1));
          }
          b.create<linalg::YieldOp>(
              l, b.create<tensor::ExtractOp>(l, data, coords).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// kiln.scatter_add as a loop over the indices that adds each slice of
/// updates into the slice of dest it names:
///
///   acc = dest viewed as [outer, size, inner] (widened to f32 for f16/bf16)
///   for k in 0 .. count:                       scf.for, acc carried
///     s = indices[k] (+ size when negative)
///     if 0 <= s < size:                        scf.if; else nothing added
///       acc[:, s, :] += updates[:, k, :]       a linalg.generic on the slices
///
/// O(count * outer * inner) adds: linear in the gathered elements, where a
/// one-hot product (every index compared with every row, then a matmul)
/// would cost size times more, which is 30000x for the embedding table of a
/// language model. Repeated indices are summed in index order, one at a time,
/// as PyTorch's index_add does. Upstream has no scatter op with a lowering
/// (tensor.scatter has neither a bufferization nor a lowering in MLIR 19), so
/// the loop is written here; one-shot bufferization updates acc in place.
struct ScatterAddToLoop : OpConversionPattern<ScatterAddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterAddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    Type accType = getComputeType(elementType);
    ArrayRef<int64_t> shape = type.getShape();
    int64_t axis = op.getAxis(), size = shape[axis];
    int64_t outer = numElements(shape.take_front(axis));
    int64_t inner = numElements(shape.drop_front(axis + 1));
    int64_t count =
        numElements(cast<RankedTensorType>(adaptor.getIndices().getType()).getShape());

    Value indices = reshapeTo(rewriter, loc, adaptor.getIndices(), {count});
    Value init = convertTensor(
        rewriter, loc, reshapeTo(rewriter, loc, adaptor.getDest(), {outer, size, inner}),
        accType);
    Value updates = convertTensor(
        rewriter, loc, reshapeTo(rewriter, loc, adaptor.getUpdates(), {outer, count, inner}),
        accType);
    auto sliceType = RankedTensorType::get({outer, inner}, accType);
    Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
    Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    Value end = rewriter.create<arith::ConstantIndexOp>(loc, count);
    auto loop = rewriter.create<scf::ForOp>(
        loc, zero, end, one, ValueRange{init},
        [&](OpBuilder &b, Location l, Value k, ValueRange carried) {
          Value acc = carried[0];
          Type i64 = b.getI64Type();
          Value i = b.create<tensor::ExtractOp>(l, indices, k);
          if (i.getType() != i64)
            i = b.create<arith::ExtSIOp>(l, i64, i);
          Value zero64 = createScalar(b, l, i64, 0);
          Value n = createScalar(b, l, i64, static_cast<double>(size));
          Value negative = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, i, zero64);
          i = b.create<arith::SelectOp>(l, negative, b.create<arith::AddIOp>(l, i, n), i);
          Value inRange = b.create<arith::AndIOp>(
              l, b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sge, i, zero64),
              b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, i, n));
          auto branch = b.create<scf::IfOp>(
              l, inRange,
              [&](OpBuilder &tb, Location tl) {
                Value row = tb.create<arith::IndexCastOp>(tl, tb.getIndexType(), i);
                SmallVector<OpFoldResult> sizes = {tb.getIndexAttr(outer), tb.getIndexAttr(1),
                                                   tb.getIndexAttr(inner)};
                SmallVector<OpFoldResult> strides(3, tb.getIndexAttr(1));
                SmallVector<OpFoldResult> at = {tb.getIndexAttr(0), row, tb.getIndexAttr(0)};
                SmallVector<OpFoldResult> from = {tb.getIndexAttr(0), k, tb.getIndexAttr(0)};
                Value current = tb.create<tensor::ExtractSliceOp>(tl, sliceType, acc, at,
                                                                  sizes, strides);
                Value update = tb.create<tensor::ExtractSliceOp>(tl, sliceType, updates,
                                                                 from, sizes, strides);
                AffineMap id = AffineMap::getMultiDimIdentityMap(2, tb.getContext());
                Value sum =
                    tb.create<linalg::GenericOp>(
                          tl, sliceType, ValueRange{update}, ValueRange{current},
                          SmallVector<AffineMap>{id, id}, getParallelIterators(2),
                          [](OpBuilder &bb, Location bl, ValueRange args) {
                            bb.create<linalg::YieldOp>(
                                bl, bb.create<arith::AddFOp>(bl, args[1], args[0]).getResult());
                          })
                        .getResult(0);
                Value updated = tb.create<tensor::InsertSliceOp>(tl, sum, acc, at, sizes, strides);
                tb.create<scf::YieldOp>(tl, updated);
              },
              [&](OpBuilder &eb, Location el) { eb.create<scf::YieldOp>(el, acc); });
          b.create<scf::YieldOp>(l, branch.getResult(0));
        });
    Value sum = convertTensor(rewriter, loc, loop.getResult(0), elementType);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, sum, shape));
    return success();
  }
};

struct ExpandToBroadcast : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, broadcastTo(rewriter, op.getLoc(),
                                       adaptor.getInput(),
                                       op.getType().getShape()));
    return success();
  }
};

struct PadToLinalg : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> inShape =
        cast<RankedTensorType>(input.getType()).getShape();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> before = op.getPads().take_front(rank);

    if (op.getMode() == PadMode::constant) {
      Value value = createScalar(rewriter, loc, type.getElementType(),
                                 op.getValue().convertToDouble());
      rewriter.replaceOpWithNewOp<tensor::PadOp>(
          op, type, input, getAsIndexOpFoldResult(rewriter.getContext(), before),
          getAsIndexOpFoldResult(rewriter.getContext(), op.getPads().drop_front(rank)), value);
      return success();
    }
    // reflect / edge / wrap: out[i] = in[src(i - before)] per dim, with
    //   edge:    src(j) = clamp(j, 0, size - 1)
    //   reflect: src(j) = j < 0 ? -j : j >= size ? 2 * (size - 1) - j : j
    //   wrap:    src(j) = (j + k * size) mod size, with k * size >= before
    // (the verifier guarantees pads < size for reflect, so src is in range).
    PadMode mode = op.getMode();
    Value y = buildIndexedGeneric(
        rewriter, loc, type,
        [&](OpBuilder &b, Location l, ArrayRef<Value> out) {
          auto cst = [&](int64_t v) {
            return b.create<arith::ConstantIndexOp>(l, v).getResult();
          };
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d) {
            Value j = out[d];
            if (type.getDimSize(d) == inShape[d]) { // not padded
              coords.push_back(j);
              continue;
            }
            int64_t size = inShape[d];
            if (mode == PadMode::wrap) {
              // j - before + k * size is non-negative for the smallest such
              // k, so an unsigned remainder is exact.
              int64_t shift = (before[d] + size - 1) / size * size - before[d];
              j = b.create<arith::AddIOp>(l, j, cst(shift));
              coords.push_back(b.create<arith::RemUIOp>(l, j, cst(size)));
              continue;
            }
            j = b.create<arith::SubIOp>(l, j, cst(before[d]));
            Value last = cst(size - 1);
            if (mode == PadMode::reflect) {
              Value neg = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt,
                                                  j, cst(0));
              j = b.create<arith::SelectOp>(
                  l, neg, b.create<arith::SubIOp>(l, cst(0), j), j);
              Value past = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sgt,
                                                   j, last);
              Value mirrored = b.create<arith::SubIOp>(
                  l, cst(2 * (size - 1)), j);
              j = b.create<arith::SelectOp>(l, past, mirrored, j);
            } else {
              j = b.create<arith::MaxSIOp>(l, j, cst(0));
              j = b.create<arith::MinSIOp>(l, j, last);
            }
            coords.push_back(j);
          }
          return b.create<tensor::ExtractOp>(l, input, coords).getResult();
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void mlir::kiln::populateDataMovementPatterns(RewritePatternSet &patterns,
                                              ConversionTarget &target) {
  patterns.add<ReshapeToTensor<ReshapeOp>, ReshapeToTensor<FlattenOp>,
               ReshapeToTensor<SqueezeOp>, ReshapeToTensor<UnsqueezeOp>,
               TransposeToLinalg, ConcatToInsertSlices, SplitToExtractSlices,
               SliceToLinalg, GatherToGeneric, ScatterAddToLoop,
               ExpandToBroadcast, PadToLinalg>(patterns.getContext());
  target.addIllegalOp<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp, TransposeOp,
                      ConcatOp, SplitOp, SliceOp, GatherOp, ScatterAddOp,
                      ExpandOp, PadOp>();
}
