//===- Resize.cpp - kiln.resize -> linalg.generic over constant taps ------===//
//
// ir/ResizeTaps.cpp says, per dim, which input elements each output coordinate
// reads; here those become constant tables and linalg.generic ops:
//
//   nearest         one generic over the output that reads
//                   input[idx_0[o_0], idx_1[o_1], ...] with tensor.extract
//                   (dims copied unchanged use their own index)
//   linear, cubic   one generic per resized dim, downscaled dims first (the
//                   tensor shrinks early): loops (o..., t) with t a reduction
//                   over the dim's taps, acc += w[o_d, t] * x[..., idx[o_d, t], ...];
//                   f16/bf16 accumulate in f32 and round once at the end
//   tf_crop_and_resize: elements with a coordinate outside the crop are
//                   selected to extrapolation_value from per-dim masks
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"
#include "ir/ResizeTaps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <numeric>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {

/// Tables beyond this many entries (indices and weights per dim) are
/// refused rather than embedded: compile time and binary size would explode.
constexpr int64_t kMaxTableEntries = int64_t(1) << 24;

/// The taps of every dim, or std::nullopt if their tables would be too large.
std::optional<SmallVector<ResizeTaps>> computeAllTaps(ResizeOp op) {
  int64_t rank = op.getInput().getType().getRank();
  SmallVector<ResizeTaps> taps;
  for (int64_t d = 0; d < rank; ++d) {
    ResizeAxisSpec s = getResizeAxisSpec(op, d);
    if (static_cast<double>(s.out) * maxResizeTapWidth(s) > kMaxTableEntries)
      return std::nullopt;
    taps.push_back(computeResizeTaps(s));
  }
  return taps;
}

/// A constant i64 tensor of `shape` (the tap indices).
Value indexTable(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                 ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, b.getI64Type());
  return b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(type, values));
}

Value weightTable(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  ArrayRef<double> values, Type type) {
  SmallVector<Attribute> attrs;
  for (double v : values)
    attrs.push_back(b.getFloatAttr(type, v));
  return b.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(RankedTensorType::get(shape, type), attrs));
}

/// Per-dim i1 masks of the coordinates tf_crop_and_resize extrapolates, with
/// the dims they belong to; empty when nothing extrapolates.
SmallVector<std::pair<int64_t, Value>>
outsideMasks(OpBuilder &b, Location loc, ArrayRef<ResizeTaps> taps) {
  SmallVector<std::pair<int64_t, Value>> masks;
  for (auto [d, t] : llvm::enumerate(taps)) {
    if (!t.anyOutside())
      continue;
    SmallVector<bool> bits(t.outside.begin(), t.outside.end());
    auto type = RankedTensorType::get({static_cast<int64_t>(bits.size())},
                                      b.getI1Type());
    masks.emplace_back(d, b.create<arith::ConstantOp>(
                              loc, DenseElementsAttr::get(type, bits)));
  }
  return masks;
}

/// `value`, or `fill` where any mask (block arguments `maskArgs`) is set.
Value applyMasks(OpBuilder &b, Location loc, ValueRange maskArgs, Value value,
                 Value fill) {
  if (maskArgs.empty())
    return value;
  Value any = maskArgs.front();
  for (Value m : maskArgs.drop_front())
    any = b.create<arith::OrIOp>(loc, any, m);
  return b.create<arith::SelectOp>(loc, any, fill, value);
}

/// The map reading a 1-D per-dim table from the `rank` output loops.
AffineMap dimMap(MLIRContext *ctx, int64_t loops, int64_t d) {
  return AffineMap::get(loops, 0, {getAffineDimExpr(d, ctx)}, ctx);
}

Value lowerNearest(OpBuilder &b, Location loc, ResizeOp op, Value input,
                   ArrayRef<ResizeTaps> taps) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = op.getType();
  int64_t rank = type.getRank();
  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  SmallVector<int64_t> tableDims;
  for (auto [d, t] : llvm::enumerate(taps)) {
    if (t.isIdentity())
      continue;
    operands.push_back(indexTable(b, loc, {type.getDimSize(d)}, t.indices));
    maps.push_back(dimMap(ctx, rank, d));
    tableDims.push_back(d);
  }
  size_t numTables = operands.size();
  for (auto [d, mask] : outsideMasks(b, loc, taps)) {
    operands.push_back(mask);
    maps.push_back(dimMap(ctx, rank, d));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  Type et = type.getElementType();
  Value fill = createScalar(b, loc, et, op.getExtrapolationValue().convertToDouble());
  return b
      .create<linalg::GenericOp>(
          loc, type, operands, createEmpty(b, loc, type.getShape(), et), maps,
          getParallelIterators(rank),
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            SmallVector<Value> coords;
            for (int64_t d = 0; d < rank; ++d)
              coords.push_back(nb.create<linalg::IndexOp>(nloc, d));
            for (auto [k, d] : llvm::enumerate(tableDims))
              coords[d] = nb.create<arith::IndexCastOp>(
                  nloc, nb.getIndexType(), args[k]);
            Value v = nb.create<tensor::ExtractOp>(nloc, input, coords);
            ValueRange masks = args.slice(numTables, args.size() - numTables - 1);
            nb.create<linalg::YieldOp>(nloc, applyMasks(nb, nloc, masks, v, fill));
          })
      .getResult(0);
}

/// Resamples dim `d` of `current` (any float type) by its taps into a tensor
/// of `accType`: acc += w[o_d, t] * current[..., idx[o_d, t], ...].
Value resampleDim(OpBuilder &b, Location loc, Value current, int64_t d,
                  int64_t outSize, const ResizeTaps &t, Type accType) {
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> shape(cast<RankedTensorType>(current.getType()).getShape());
  shape[d] = outSize;
  int64_t rank = shape.size(), loops = rank + 1;
  Value idx = indexTable(b, loc, {outSize, t.width}, t.indices);
  Value w = weightTable(b, loc, {outSize, t.width}, t.weights, accType);
  AffineMap tableMap = AffineMap::get(
      loops, 0, {getAffineDimExpr(d, ctx), getAffineDimExpr(rank, ctx)}, ctx);
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < rank; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  SmallVector<AffineMap> maps = {tableMap, tableMap,
                                 AffineMap::get(loops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators = getParallelIterators(rank);
  iterators.push_back(utils::IteratorType::reduction);
  Value init = createFilled(b, loc, shape,
                            cast<TypedAttr>(b.getZeroAttr(accType)));
  return b
      .create<linalg::GenericOp>(
          loc, init.getType(), ValueRange{idx, w}, init, maps, iterators,
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            SmallVector<Value> coords;
            for (int64_t i = 0; i < rank; ++i)
              coords.push_back(
                  i == d ? nb.create<arith::IndexCastOp>(
                               nloc, nb.getIndexType(), args[0]).getResult()
                         : nb.create<linalg::IndexOp>(nloc, i).getResult());
            Value x = nb.create<tensor::ExtractOp>(nloc, current, coords);
            x = convertFloat(nb, nloc, x, accType);
            Value p = nb.create<arith::MulFOp>(nloc, args[1], x);
            nb.create<linalg::YieldOp>(
                nloc, nb.create<arith::AddFOp>(nloc, args[2], p).getResult());
          })
      .getResult(0);
}

Value lowerInterpolation(OpBuilder &b, Location loc, ResizeOp op, Value input,
                         ArrayRef<ResizeTaps> taps) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = op.getType();
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  Type et = type.getElementType(), accType = getComputeType(et);
  int64_t rank = type.getRank();
  // Shrinking dims first: later passes then run over fewer elements.
  SmallVector<int64_t> order(rank);
  std::iota(order.begin(), order.end(), 0);
  llvm::stable_sort(order, [&](int64_t a, int64_t c) {
    return type.getDimSize(a) * in[c] < type.getDimSize(c) * in[a];
  });
  Value current = input;
  for (int64_t d : order)
    if (!taps[d].isIdentity())
      current = resampleDim(b, loc, current, d, type.getDimSize(d), taps[d],
                            accType);
  auto masks = outsideMasks(b, loc, taps);
  if (masks.empty())
    return convertTensor(b, loc, current, et);
  // Extrapolated elements: one more elementwise pass, which also rounds.
  SmallVector<Value> operands = {current};
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx)};
  for (auto [d, mask] : masks) {
    operands.push_back(mask);
    maps.push_back(dimMap(ctx, rank, d));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  Value fill = createScalar(b, loc, et, op.getExtrapolationValue().convertToDouble());
  return b
      .create<linalg::GenericOp>(
          loc, type, operands, createEmpty(b, loc, type.getShape(), et), maps,
          getParallelIterators(rank),
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            Value v = convertFloat(nb, nloc, args[0], et);
            nb.create<linalg::YieldOp>(
                nloc, applyMasks(nb, nloc, args.slice(1, args.size() - 2), v,
                                 fill));
          })
      .getResult(0);
}

struct ResizeToLinalg : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, createEmpty(rewriter, op.getLoc(), type.getShape(),
                                         type.getElementType()));
      return success();
    }
    std::optional<SmallVector<ResizeTaps>> allTaps = computeAllTaps(op);
    if (!allTaps)
      return rewriter.notifyMatchFailure(op, "tap tables over 2^24 entries");
    SmallVector<ResizeTaps> &taps = *allTaps;
    if (llvm::all_of(taps, [](const ResizeTaps &t) { return t.isIdentity(); })) {
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    Value result =
        op.getMode() == ResizeMode::nearest
            ? lowerNearest(rewriter, op.getLoc(), op, adaptor.getInput(), taps)
            : lowerInterpolation(rewriter, op.getLoc(), op, adaptor.getInput(),
                                 taps);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::kiln::populateResizePatterns(RewritePatternSet &patterns,
                                        ConversionTarget &target) {
  patterns.add<ResizeToLinalg>(patterns.getContext());
  target.addIllegalOp<ResizeOp>();
}
