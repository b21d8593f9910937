//===- Pooling.cpp - kiln pooling -> linalg.pooling_nchw_* -------------------===//
//
//   max_pool -> tensor.pad with the lowest value (-inf / INT_MIN, so padding
//               never wins) + linalg.pooling_nchw_max
//   avg_pool -> tensor.pad with 0 + linalg.pooling_nchw_sum, then one generic
//               dividing by a per-window count. The count depends only on
//               static shapes and attributes, so it is computed here, in C++,
//               and embedded as an [OH, OW] constant (ONNX/PyTorch rules).
//   3-D (NCDHW) pooling: the same, with one linalg.generic over (n, c, od,
//               oh, ow, kd, kh, kw) in place of the named op (linalg has no
//               NCDHW pooling); its max is kiln.max's scalar semantics. So
//               is unsigned max pooling in 1-D and 2-D: the named op's max
//               of integers is signed.
//   max_pool_grad -> a linalg.generic finding each window's winner and one
//               gathering the cotangent into the input's elements
//   global_{avg,max}_pool -> a mean / max reduction over the spatial dims.
// ceil_mode's last, partial window is covered by extra end padding. 1-D
// pooling runs as 2-D with H = 1. f16/bf16 sums accumulate in f32.
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Reduction.h"
#include "codegen/KilnToLinalg/ScalarBuilder.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/ElementwiseSemantics.h"
#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {

/// A pooling window in 2-D or 3-D form (1-D pooling gets a unit H dim).
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, padBegin, padEnd;
  SmallVector<int64_t> inShape, outShape; // NCHW

  Window(RankedTensorType input, RankedTensorType output,
         ArrayRef<int64_t> kernelShape, ArrayRef<int64_t> stridesAttr,
         ArrayRef<int64_t> pads, ArrayRef<int64_t> dilationsAttr)
      : kernel(kernelShape), strides(stridesAttr),
        inShape(input.getShape()), outShape(output.getShape()) {
    size_t spatial = kernel.size();
    padBegin.assign(pads.begin(), pads.begin() + spatial);
    padEnd.assign(pads.begin() + spatial, pads.end());
    if (dilationsAttr.empty())
      dilations.assign(spatial, 1);
    else
      dilations.assign(dilationsAttr.begin(), dilationsAttr.end());
    if (spatial == 1) {
      for (SmallVector<int64_t> *v : {&kernel, &strides, &dilations})
        v->insert(v->begin(), 1);
      padBegin.insert(padBegin.begin(), 0);
      padEnd.insert(padEnd.begin(), 0);
      inShape.insert(inShape.begin() + 2, 1);
      outShape.insert(outShape.begin() + 2, 1);
    }
  }

  int64_t spatial() const { return static_cast<int64_t>(kernel.size()); }

  /// End padding plus what ceil_mode's last window reaches beyond it.
  int64_t padHigh(int i) const {
    int64_t needed = (outShape[2 + i] - 1) * strides[i] +
                     dilations[i] * (kernel[i] - 1) + 1;
    int64_t have = inShape[2 + i] + padBegin[i] + padEnd[i];
    return padEnd[i] + std::max<int64_t>(0, needed - have);
  }
};

} // namespace

/// The input in 2-D or 3-D form, padded with `value` on the spatial dims.
static Value padInput(OpBuilder &b, Location loc, Value input,
                      const Window &w, TypedAttr value) {
  input = reshapeTo(b, loc, input, w.inShape);
  auto idx = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
  SmallVector<int64_t> padded(w.inShape);
  SmallVector<OpFoldResult> low = {idx(0), idx(0)}, high = {idx(0), idx(0)};
  bool any = false;
  for (int i = 0; i < w.spatial(); ++i) {
    int64_t h = w.padHigh(i);
    padded[2 + i] += w.padBegin[i] + h;
    low.push_back(idx(w.padBegin[i]));
    high.push_back(idx(h));
    any |= w.padBegin[i] != 0 || h != 0;
  }
  if (!any)
    return input;
  Value pad = b.create<arith::ConstantOp>(loc, value);
  return b.create<tensor::PadOp>(
      loc, RankedTensorType::get(padded, value.getType()), input, low, high,
      pad);
}

/// How many elements avg_pool divides by along spatial dim `i`
/// (ir/Shapes.h, shared with the VJP rule).
static SmallVector<int64_t> windowCounts(const Window &w, int i,
                                         bool countIncludePad) {
  return avgPoolWindowCounts(w.inShape[2 + i], w.outShape[2 + i], w.kernel[i],
                             w.strides[i], w.padBegin[i], w.padEnd[i],
                             w.dilations[i], countIncludePad);
}

/// Pooling of the padded input (2-D or 3-D form) as one linalg.generic over
/// (n, c, o..., k...) reading the input at o * stride + k * dilation and
/// folding each element into `init` with `combine(element, accumulator)`.
static Value poolGeneric(OpBuilder &b, Location loc, Value padded,
                         const Window &w, Value init,
                         function_ref<Value(OpBuilder &, Location, Value, Value)>
                             combine) {
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  unsigned spatial = w.spatial(), parallel = 2 + spatial,
           loops = parallel + spatial;
  SmallVector<AffineExpr> in = {d(0), d(1)}, kernel, out;
  for (unsigned i = 0; i < spatial; ++i) {
    in.push_back(d(2 + i) * w.strides[i] + d(parallel + i) * w.dilations[i]);
    kernel.push_back(d(parallel + i));
  }
  for (unsigned i = 0; i < parallel; ++i)
    out.push_back(d(i));
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, in, ctx),
                                 AffineMap::get(loops, 0, kernel, ctx),
                                 AffineMap::get(loops, 0, out, ctx)};
  // The kernel dims' extents come from a window operand, as for
  // linalg.pooling_*.
  Value window = createEmpty(
      b, loc, w.kernel, cast<RankedTensorType>(padded.getType()).getElementType());
  SmallVector<utils::IteratorType> iterators = getParallelIterators(parallel);
  iterators.append(spatial, utils::IteratorType::reduction);
  return b
      .create<linalg::GenericOp>(
          loc, TypeRange{init.getType()}, ValueRange{padded, window},
          ValueRange{init}, maps, iterators,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            nb.create<linalg::YieldOp>(l, combine(nb, l, args[0], args[2]));
          })
      .getResult(0);
}

namespace {

struct MaxPoolToLinalg : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type elementType = inputType.getElementType();
    Window w(inputType, op.getType(), op.getKernelShape(), op.getStrides(),
             op.getPads(), op.getDilations());
    TypedAttr lowest = getLowestAttr(elementType);
    Value padded = padInput(rewriter, loc, adaptor.getInput(), w, lowest);
    // linalg.pooling_nchw_max compares integers as signed: unsigned ones
    // (uint8 values past 127) take the generic with kiln.max's semantics.
    if (w.spatial() == 3 || elementType.isUnsignedInteger()) {
      const auto *max = lookupElementwiseSemantics<ScalarBuilder>(
          MaxOp::getOperationName());
      Value init = createFilled(rewriter, loc, w.outShape, lowest);
      Value pooled =
          poolGeneric(rewriter, loc, padded, w, init,
                      [&](OpBuilder &b, Location l, Value x, Value acc) {
                        ScalarBuilder scalars(b, l);
                        return applyElementwise(*max, scalars, nullptr,
                                                {acc, x}, acc.getType());
                      });
      rewriter.replaceOp(
          op, reshapeTo(rewriter, loc, pooled, op.getType().getShape()));
      return success();
    }
    Value window = createEmpty(rewriter, loc, w.kernel, elementType);
    Value init = createFilled(rewriter, loc, w.outShape, lowest);
    Value pooled = rewriter
                       .create<linalg::PoolingNchwMaxOp>(
                           loc, init.getType(), ValueRange{padded, window},
                           init, rewriter.getI64VectorAttr(w.strides),
                           rewriter.getI64VectorAttr(w.dilations))
                       .getResult(0);
    rewriter.replaceOp(
        op, reshapeTo(rewriter, loc, pooled, op.getType().getShape()));
    return success();
  }
};

struct AvgPoolToLinalg : OpConversionPattern<AvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type elementType = inputType.getElementType();
    Type accType = getComputeType(elementType);
    Window w(inputType, op.getType(), op.getKernelShape(), op.getStrides(),
             op.getPads(), op.getDilations().value_or(ArrayRef<int64_t>{}));
    Value padded =
        padInput(rewriter, loc, adaptor.getInput(), w,
                 cast<TypedAttr>(rewriter.getZeroAttr(elementType)));
    Value init = createFilled(rewriter, loc, w.outShape,
                              cast<TypedAttr>(rewriter.getZeroAttr(accType)));
    Value sums;
    if (w.spatial() == 3)
      sums = poolGeneric(rewriter, loc, padded, w, init,
                         [&](OpBuilder &b, Location l, Value x, Value acc) {
                           return b.create<arith::AddFOp>(
                               l, acc, convertFloat(b, l, x, accType));
                         });
    else
      sums = rewriter
                 .create<linalg::PoolingNchwSumOp>(
                     loc, init.getType(),
                     ValueRange{padded, createEmpty(rewriter, loc, w.kernel,
                                                    elementType)},
                     init,
                     rewriter.getI64VectorAttr(w.strides),
                     rewriter.getI64VectorAttr(w.dilations))
                 .getResult(0);

    // The divisor is separable: count(oh, ow) = countH(oh) * countW(ow)
    // (and countD(od) in 3-D), an [O...] constant.
    bool includePad = op.getCountIncludePad();
    int64_t spatial = w.spatial(), rank = spatial + 2;
    SmallVector<double> products(1, 1.0);
    for (int64_t i = 0; i < spatial; ++i) {
      SmallVector<double> next;
      for (double p : products)
        for (int64_t c : windowCounts(w, i, includePad))
          next.push_back(p * static_cast<double>(c));
      products = std::move(next);
    }
    SmallVector<Attribute> divisors;
    for (double p : products)
      divisors.push_back(rewriter.getFloatAttr(accType, p));
    ArrayRef<int64_t> outSpatial = ArrayRef<int64_t>(w.outShape).drop_front(2);
    auto divisorType = RankedTensorType::get(outSpatial, accType);
    Value divisor = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(divisorType, divisors));

    SmallVector<AffineExpr> spatialDims;
    for (int64_t i = 2; i < rank; ++i)
      spatialDims.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimIdentityMap(rank, ctx),
        AffineMap::get(rank, 0, spatialDims, ctx),
        AffineMap::getMultiDimIdentityMap(rank, ctx)};
    Value mean =
        rewriter
            .create<linalg::GenericOp>(
                loc, RankedTensorType::get(w.outShape, elementType),
                ValueRange{sums, divisor},
                createEmpty(rewriter, loc, w.outShape, elementType), maps,
                getParallelIterators(rank),
                [&](OpBuilder &b, Location nloc, ValueRange args) {
                  Value q = b.create<arith::DivFOp>(nloc, args[0], args[1]);
                  b.create<linalg::YieldOp>(
                      nloc, convertFloat(b, nloc, q, elementType));
                })
            .getResult(0);
    rewriter.replaceOp(op,
                       reshapeTo(rewriter, loc, mean, op.getType().getShape()));
    return success();
  }
};

/// kiln.max_pool_grad when the windows tile the input exactly (no
/// padding, no dilation, strides equal to the kernel, H = OH * KH and W =
/// OW * KW: the 2x2 pools of most CNNs) as two all-parallel ops, which the
/// CPU pipeline vectorizes and splits into tasks (the general form below
/// is a scalar loop nest: a quarter of a small CNN's training step):
/// 1. each window's winner over (n, c, oh, ow), reading its KH * KW taps as
///    strided slices of the input, the first strictly greatest in
///    row-major kernel order, or the last NaN (the general form's rule);
/// 2. the input cotangent over (n, c, oh, kh, ow, kw), the input viewed as
///    [N, C, OH, KH, OW, KW]: dy[n, c, oh, ow] where (kh, kw) won, else 0.
/// Null when the windows do not tile the input.
static Value maxPoolGradOfTiles(OpBuilder &b, Location loc, Value input, Value dy,
                                const Window &w, Type elementType) {
  if (w.spatial() != 2)
    return nullptr;
  for (int i = 0; i < 2; ++i)
    if (w.padBegin[i] != 0 || w.padHigh(i) != 0 || w.dilations[i] != 1 ||
        w.strides[i] != w.kernel[i] || w.inShape[2 + i] != w.outShape[2 + i] * w.kernel[i])
      return nullptr;
  MLIRContext *ctx = b.getContext();
  int64_t kh = w.kernel[0], kw = w.kernel[1];
  if (kh * kw > 16)
    return nullptr; // each tap is one more operand
  input = reshapeTo(b, loc, input, w.inShape);
  dy = reshapeTo(b, loc, dy, w.outShape);
  Type i64 = b.getI64Type();
  auto idx = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
  SmallVector<Value> taps;
  for (int64_t p = 0; p < kh; ++p)
    for (int64_t q = 0; q < kw; ++q)
      taps.push_back(b.create<tensor::ExtractSliceOp>(
          loc, RankedTensorType::get(w.outShape, elementType), input,
          ArrayRef<OpFoldResult>{idx(0), idx(0), idx(p), idx(q)},
          ArrayRef<OpFoldResult>{idx(w.outShape[0]), idx(w.outShape[1]), idx(w.outShape[2]),
                                 idx(w.outShape[3])},
          ArrayRef<OpFoldResult>{idx(1), idx(1), idx(kh), idx(kw)}));
  AffineMap identity = AffineMap::getMultiDimIdentityMap(4, ctx);
  SmallVector<AffineMap> maps(taps.size() + 1, identity);
  Value winner =
      b.create<linalg::GenericOp>(
           loc, TypeRange{RankedTensorType::get(w.outShape, i64)}, taps,
           ValueRange{createEmpty(b, loc, w.outShape, i64)}, maps, getParallelIterators(4),
           [&](OpBuilder &nb, Location l, ValueRange args) {
             Value best = args[0];
             Value position = createScalar(nb, l, i64, 0);
             for (int64_t t = 1; t < kh * kw; ++t) {
               Value greater = nb.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, args[t], best);
               Value nan = nb.create<arith::CmpFOp>(l, arith::CmpFPredicate::UNO, args[t], args[t]);
               Value take = nb.create<arith::OrIOp>(l, greater, nan);
               best = nb.create<arith::SelectOp>(l, take, args[t], best);
               position = nb.create<arith::SelectOp>(l, take, createScalar(nb, l, i64, t), position);
             }
             nb.create<linalg::YieldOp>(l, position);
           })
          .getResult(0);
  // 2. Over (n, c, oh, kh, ow, kw): dims 0, 1, 2, 4 pick the window.
  SmallVector<int64_t> tiled = {w.outShape[0], w.outShape[1], w.outShape[2], kh, w.outShape[3], kw};
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineMap window = AffineMap::get(6, 0, {d(0), d(1), d(2), d(4)}, ctx);
  Value grad =
      b.create<linalg::GenericOp>(
           loc, TypeRange{RankedTensorType::get(tiled, elementType)}, ValueRange{winner, dy},
           ValueRange{createEmpty(b, loc, tiled, elementType)},
           SmallVector<AffineMap>{window, window, AffineMap::getMultiDimIdentityMap(6, ctx)},
           getParallelIterators(6),
           [&](OpBuilder &nb, Location l, ValueRange args) {
             Value row = nb.create<arith::MulIOp>(l, nb.create<linalg::IndexOp>(l, 3),
                                                  nb.create<arith::ConstantIndexOp>(l, kw));
             Value k = nb.create<arith::AddIOp>(l, row, nb.create<linalg::IndexOp>(l, 5));
             Value won = nb.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, args[0],
                                                  nb.create<arith::IndexCastOp>(l, i64, k));
             Value zero = nb.create<arith::ConstantOp>(l, nb.getZeroAttr(elementType));
             nb.create<linalg::YieldOp>(l, ValueRange{nb.create<arith::SelectOp>(l, won, args[1], zero)});
           })
          .getResult(0);
  return b.create<tensor::CollapseShapeOp>(
      loc, RankedTensorType::get(w.inShape, elementType), grad,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}});
}

/// kiln.max_pool_grad as two linalg.generic ops over the 2-D or 3-D form:
/// 1. each window's winner: a reduction over the kernel dims keeping the
///    best value and its kernel position (row-major: kh * KW + kw in 2-D),
///    replaced by a strictly greater value (so the first maximum in
///    row-major kernel order wins) or a NaN (so the last NaN wins, as in
///    PyTorch's kernel), never by padding;
/// 2. the input cotangent as a gather: element (ih, iw) sums, over the
///    kernel positions (kh, kw), the cotangent of the window o with
///    o * stride + k * dilation - pad = i (when that o exists) whose winner
///    is (kh, kw). Both read their operands with tensor.extract at clamped
///    indices; nothing is scattered.
struct MaxPoolGradToLinalg : OpConversionPattern<MaxPoolGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto gradType = cast<RankedTensorType>(adaptor.getGrad().getType());
    Type elementType = inputType.getElementType();
    Type i64 = rewriter.getI64Type();
    Window w(inputType, gradType, op.getKernelShape(), op.getStrides(),
             op.getPads(), op.getDilations());
    if (isa<FloatType>(elementType))
      if (Value tiled = maxPoolGradOfTiles(rewriter, loc, adaptor.getInput(), adaptor.getGrad(), w,
                                           elementType)) {
        rewriter.replaceOp(op, reshapeTo(rewriter, loc, tiled, op.getType().getShape()));
        return success();
      }
    Value padded = padInput(rewriter, loc, adaptor.getInput(), w,
                            getLowestAttr(elementType));
    Value dy = reshapeTo(rewriter, loc, adaptor.getGrad(), w.outShape);
    auto index = [](OpBuilder &b, Location l, int64_t v) -> Value {
      return b.create<arith::ConstantIndexOp>(l, v);
    };
    // Loops: n 0, c 1, then the spatial dims (output ones in step 1, input
    // ones in step 2), then the kernel dims.
    int64_t spatial = w.spatial(), loops = 2 + 2 * spatial;
    auto spatialDim = [](int64_t i) { return 2 + i; };
    auto kernelDim = [&](int64_t i) { return 2 + spatial + i; };
    // The kernel position, row-major over the kernel dims (kh * KW + kw in
    // 2-D), an i64.
    auto kernelPosition = [&](OpBuilder &b, Location l) -> Value {
      Value flat = index(b, l, 0);
      for (int64_t i = 0; i < spatial; ++i) {
        Value scaled = b.create<arith::MulIOp>(l, flat, index(b, l, w.kernel[i]));
        flat = b.create<arith::AddIOp>(l, scaled, b.create<linalg::IndexOp>(l, kernelDim(i)));
      }
      return b.create<arith::IndexCastOp>(l, i64, flat);
    };

    // 1. The winners, over (n, c, o..., k...).
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> inputExprs = {d(0), d(1)}, kernelExprs, outExprs = {d(0), d(1)};
    for (int64_t i = 0; i < spatial; ++i) {
      inputExprs.push_back(d(spatialDim(i)) * w.strides[i] + d(kernelDim(i)) * w.dilations[i]);
      kernelExprs.push_back(d(kernelDim(i)));
      outExprs.push_back(d(spatialDim(i)));
    }
    AffineMap kernelMap = AffineMap::get(loops, 0, kernelExprs, ctx);
    AffineMap outMap = AffineMap::get(loops, 0, outExprs, ctx);
    SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, inputExprs, ctx), kernelMap, outMap,
                                   outMap};
    // The kernel dims' extents come from a window operand (as for
    // linalg.pooling_*): the padded input's map alone does not give them.
    Value window = createEmpty(rewriter, loc, w.kernel, elementType);
    SmallVector<utils::IteratorType> iterators(2 + spatial, utils::IteratorType::parallel);
    iterators.append(spatial, utils::IteratorType::reduction);
    Value bestInit = createFilled(rewriter, loc, w.outShape, getLowestAttr(elementType));
    Value winnerInit = createFilled(rewriter, loc, w.outShape, rewriter.getI64IntegerAttr(-1));
    auto winners = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{bestInit.getType(), winnerInit.getType()}, ValueRange{padded, window},
        ValueRange{bestInit, winnerInit}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value valid;
          for (int64_t i = 0; i < spatial; ++i) {
            // The input coordinate; outside [0, size) it is padding. (One
            // op per statement: the order of a call's arguments, and so of
            // the ops, would differ between compilers.)
            Value o = b.create<linalg::IndexOp>(l, spatialDim(i));
            Value start = b.create<arith::MulIOp>(l, o, index(b, l, w.strides[i]));
            Value k = b.create<linalg::IndexOp>(l, kernelDim(i));
            Value offset = b.create<arith::MulIOp>(l, k, index(b, l, w.dilations[i]));
            Value reach = b.create<arith::AddIOp>(l, start, offset);
            Value pos = b.create<arith::SubIOp>(l, reach, index(b, l, w.padBegin[i]));
            Value fromStart =
                b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sge, pos, index(b, l, 0));
            Value beforeEnd = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, pos,
                                                      index(b, l, w.inShape[2 + i]));
            Value inside = b.create<arith::AndIOp>(l, fromStart, beforeEnd);
            valid = valid ? b.create<arith::AndIOp>(l, valid, inside).getResult() : inside;
          }
          Value k = kernelPosition(b, l);
          // args: the element, the window's (unused), the best, its position.
          Value none = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, args[3],
                                               createScalar(b, l, i64, 0));
          Value greater = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, args[0], args[2]);
          Value nan = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::UNO, args[0], args[0]);
          Value better = b.create<arith::OrIOp>(l, greater, nan);
          Value take = b.create<arith::AndIOp>(l, valid,
                                               b.create<arith::OrIOp>(l, none, better));
          Value best = b.create<arith::SelectOp>(l, take, args[0], args[2]);
          Value position = b.create<arith::SelectOp>(l, take, k, args[3]);
          b.create<linalg::YieldOp>(l, ValueRange{best, position});
        });
    Value winner = winners.getResult(1);

    // 2. The input cotangent, over (n, c, i..., k...).
    SmallVector<int64_t> inShape(w.inShape);
    Value init = createFilled(rewriter, loc, inShape,
                              cast<TypedAttr>(rewriter.getZeroAttr(elementType)));
    auto gathered = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{init.getType()}, ValueRange{window}, ValueRange{init},
        SmallVector<AffineMap>{kernelMap, outMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value valid;
          SmallVector<Value> at = {b.create<linalg::IndexOp>(l, 0),
                                   b.create<linalg::IndexOp>(l, 1)};
          for (int64_t i = 0; i < spatial; ++i) {
            // t = i + pad - k * dilation = o * stride for the window o.
            Value in = b.create<linalg::IndexOp>(l, spatialDim(i));
            Value shifted = b.create<arith::AddIOp>(l, in, index(b, l, w.padBegin[i]));
            Value k = b.create<linalg::IndexOp>(l, kernelDim(i));
            Value offset = b.create<arith::MulIOp>(l, k, index(b, l, w.dilations[i]));
            Value t = b.create<arith::SubIOp>(l, shifted, offset);
            Value stride = index(b, l, w.strides[i]);
            Value o = b.create<arith::DivSIOp>(l, t, stride);
            Value notBefore =
                b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sge, t, index(b, l, 0));
            Value rem = b.create<arith::RemSIOp>(l, t, stride);
            Value onStride =
                b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, rem, index(b, l, 0));
            Value started = b.create<arith::AndIOp>(l, notBefore, onStride);
            Value notAfter = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, o,
                                                     index(b, l, w.outShape[2 + i]));
            Value exists = b.create<arith::AndIOp>(l, started, notAfter);
            valid = valid ? b.create<arith::AndIOp>(l, valid, exists).getResult() : exists;
            at.push_back(b.create<arith::SelectOp>(l, exists, o, index(b, l, 0)));
          }
          Value k = kernelPosition(b, l);
          Value won = b.create<arith::CmpIOp>(
              l, arith::CmpIPredicate::eq, b.create<tensor::ExtractOp>(l, winner, at), k);
          Value hit = b.create<arith::AndIOp>(l, valid, won);
          Value g = b.create<tensor::ExtractOp>(l, dy, at);
          // args: the window's element (unused), the sum so far.
          Value add = b.create<arith::AddFOp>(l, args[1], g);
          b.create<linalg::YieldOp>(l, ValueRange{b.create<arith::SelectOp>(l, hit, add, args[1])});
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, gathered.getResult(0),
                                     op.getType().getShape()));
    return success();
  }
};

template <typename GlobalPoolOp, ReductionKind Kind>
struct GlobalPoolToReduction : OpConversionPattern<GlobalPoolOp> {
  using OpConversionPattern<GlobalPoolOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GlobalPoolOp op, typename GlobalPoolOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t rank = op.getType().getRank();
    SmallVector<int64_t> spatial;
    for (int64_t d = 2; d < rank; ++d)
      spatial.push_back(d);
    rewriter.replaceOp(op, buildReduction(rewriter, op.getLoc(),
                                          adaptor.getInput(), spatial, Kind,
                                          /*keepdims=*/true));
    return success();
  }
};

} // namespace

void mlir::kiln::populatePoolingPatterns(RewritePatternSet &patterns,
                                      ConversionTarget &target) {
  patterns.add<MaxPoolToLinalg, MaxPoolGradToLinalg, AvgPoolToLinalg,
               GlobalPoolToReduction<GlobalAvgPoolOp, ReductionKind::Mean>,
               GlobalPoolToReduction<GlobalMaxPoolOp, ReductionKind::Max>>(
      patterns.getContext());
  target.addIllegalOp<MaxPoolOp, MaxPoolGradOp, AvgPoolOp, GlobalAvgPoolOp,
                      GlobalMaxPoolOp>();
}
