//===- ConvTranspose.cpp - conv_transpose, conv_backward_data -> col2im ---===//
//
// A transposed convolution is a product, then a scatter (col2im). So is
// kiln.conv_backward_data, the transposed convolution of conv's output
// cotangent with conv's filter:
//
//   cols[n, g, (f, a, b), (i, j)] = sum_c filter[g, c, (f, a, b)] * x[n, g, c, (i, j)]
//       one linalg.generic contraction over the input channels of each
//       group, on pure reshapes of kiln's layouts (the filter [C, F/G, kh, kw]
//       is [G, C/G, F/G * kh * kw] in memory);
//   y[n, f, i * stride + a * dilation - pad, ...] += cols[n, f, a, b, i, j]
//       one strided tensor.extract_slice / add / insert_slice per kernel tap
//       (a, b), restricted to the i (and j) that land inside the output.
//
// y starts as the bias broadcast (or zeros); positions no tap reaches
// (output_padding, negative pads) keep it. Unlike a convolution over a
// zero-inserted input, no multiply-add is spent on inserted zeros, and the
// contraction's innermost loop runs over the input's contiguous pixels.
// 1-D runs as 2-D with H = 1; 3-D the same way with one more tap dim;
// f16/bf16 accumulate in f32.
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {

int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// The input positions [first, first + count) of one spatial dim whose
/// contribution through kernel tap `tap` lands inside [0, out), and where
/// the first one lands.
struct TapRange {
  int64_t first = 0, count = 0, landing = 0;
};

TapRange tapRange(int64_t in, int64_t out, int64_t tap, int64_t stride,
                  int64_t dilation, int64_t padBegin) {
  // Input i lands at i * stride + shift.
  int64_t shift = tap * dilation - padBegin;
  TapRange r;
  r.first = std::max<int64_t>(0, -floorDiv(shift, stride));
  int64_t last = std::min(in - 1, floorDiv(out - 1 - shift, stride));
  r.count = std::max<int64_t>(0, last - r.first + 1);
  r.landing = r.first * stride + shift;
  return r;
}

/// cols [N, G, M, P] (compute type) = filter [G, Cg, M] contracted with
/// x [N, G, Cg, P] over Cg.
Value contract(OpBuilder &b, Location loc, Value filter, Value x,
               ArrayRef<int64_t> shape, Type accType) {
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // Loops (n, g, m, p, c).
  SmallVector<AffineMap> maps = {AffineMap::get(5, 0, {d(1), d(4), d(2)}, ctx),
                                 AffineMap::get(5, 0, {d(0), d(1), d(4), d(3)}, ctx),
                                 AffineMap::get(5, 0, {d(0), d(1), d(2), d(3)}, ctx)};
  SmallVector<utils::IteratorType> iterators = getParallelIterators(4);
  iterators.push_back(utils::IteratorType::reduction);
  Value init = createFilled(b, loc, shape, cast<TypedAttr>(b.getZeroAttr(accType)));
  return b
      .create<linalg::GenericOp>(
          loc, init.getType(), ValueRange{filter, x}, init, maps, iterators,
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            Value w = convertFloat(nb, nloc, args[0], accType);
            Value v = convertFloat(nb, nloc, args[1], accType);
            Value p = nb.create<arith::MulFOp>(nloc, w, v);
            nb.create<linalg::YieldOp>(
                nloc, nb.create<arith::AddFOp>(nloc, args[2], p).getResult());
          })
      .getResult(0);
}

/// The output's start: the bias broadcast along N, H, W (in the compute
/// type), or zeros.
Value initialOutput(OpBuilder &b, Location loc, Value bias,
                    ArrayRef<int64_t> shape, Type accType) {
  if (!bias)
    return createFilled(b, loc, shape, cast<TypedAttr>(b.getZeroAttr(accType)));
  MLIRContext *ctx = b.getContext();
  int64_t rank = shape.size();
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx),
      AffineMap::getMultiDimIdentityMap(rank, ctx)};
  return b
      .create<linalg::GenericOp>(
          loc, RankedTensorType::get(shape, accType), bias,
          createEmpty(b, loc, shape, accType), maps, getParallelIterators(rank),
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            nb.create<linalg::YieldOp>(nloc,
                                       convertFloat(nb, nloc, args[0], accType));
          })
      .getResult(0);
}

/// y[.., landing : +count : stride, ..] += part, in place.
Value addStrided(OpBuilder &b, Location loc, Value y, Value part,
                 ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                 ArrayRef<int64_t> strides) {
  auto yType = cast<RankedTensorType>(y.getType());
  auto sliceType = RankedTensorType::get(sizes, yType.getElementType());
  Value window = b.create<tensor::ExtractSliceOp>(
      loc, sliceType, y, getAsIndexOpFoldResult(b.getContext(), offsets), getAsIndexOpFoldResult(b.getContext(), sizes),
      getAsIndexOpFoldResult(b.getContext(), strides));
  int64_t rank = sizes.size();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  Value sum = b.create<linalg::GenericOp>(
                   loc, sliceType, part, window, SmallVector<AffineMap>{id, id},
                   getParallelIterators(rank),
                   [](OpBuilder &nb, Location nloc, ValueRange args) {
                     nb.create<linalg::YieldOp>(
                         nloc, nb.create<arith::AddFOp>(nloc, args[1], args[0])
                                   .getResult());
                   })
                  .getResult(0);
  return b.create<tensor::InsertSliceOp>(loc, sum, y, getAsIndexOpFoldResult(b.getContext(), offsets),
                                         getAsIndexOpFoldResult(b.getContext(), sizes),
                                         getAsIndexOpFoldResult(b.getContext(), strides));
}

/// A transposed convolution in the compute type, in 2-D or 3-D: x [N, C,
/// in...], filter [C, F/G, k...] (the layout is read from the filter's
/// shape), `out` [N, F, out...]; strides, dilations and begin pads per
/// spatial dim. Starts from `bias` broadcast (or zeros).
Value buildTransposedConv(OpBuilder &b, Location loc, Value input, Value filterIn,
                          Value bias, ArrayRef<int64_t> in, ArrayRef<int64_t> w,
                          ArrayRef<int64_t> out, ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dilations,
                          ArrayRef<int64_t> padBegin, int64_t g, Type accType) {
  int64_t spatial = in.size() - 2;
  int64_t n = in[0], cg = in[1] / g, fg = w[1];
  ArrayRef<int64_t> kernel = w.drop_front(2), inSpatial = in.drop_front(2);
  int64_t taps = 1, pixels = 1;
  for (int64_t i = 0; i < spatial; ++i) {
    taps *= kernel[i];
    pixels *= inSpatial[i];
  }

  Value x = reshapeTo(b, loc, input, {n, g, cg, pixels});
  Value filter = reshapeTo(b, loc, filterIn, {g, cg, fg * taps});
  Value cols = contract(b, loc, filter, x, {n, g, fg * taps, pixels}, accType);
  // [N, F, k..., in...]
  SmallVector<int64_t> colsShape = {n, g * fg};
  colsShape.append(kernel.begin(), kernel.end());
  colsShape.append(inSpatial.begin(), inSpatial.end());
  cols = reshapeTo(b, loc, cols, colsShape);

  Value y = initialOutput(b, loc, bias, out, accType);
  // Every kernel tap, the last spatial dim fastest.
  SmallVector<int64_t> tap(spatial, 0);
  for (int64_t t = 0; t < taps; ++t) {
    for (int64_t i = spatial - 1, rest = t; i >= 0; --i) {
      tap[i] = rest % kernel[i];
      rest /= kernel[i];
    }
    SmallVector<TapRange> ranges;
    bool empty = false;
    for (int64_t i = 0; i < spatial; ++i) {
      ranges.push_back(tapRange(inSpatial[i], out[2 + i], tap[i], strides[i], dilations[i],
                                padBegin[i]));
      empty |= ranges.back().count == 0;
    }
    if (empty)
      continue;
    SmallVector<int64_t> sizes = {n, g * fg}, offsets(2 + 2 * spatial, 0), extent = {n, g * fg},
                         landing = {0, 0}, steps = {1, 1};
    extent.append(spatial, 1);
    for (int64_t i = 0; i < spatial; ++i) {
      sizes.push_back(ranges[i].count);
      offsets[2 + i] = tap[i];
      offsets[2 + spatial + i] = ranges[i].first;
      extent.push_back(ranges[i].count);
      landing.push_back(ranges[i].landing);
      steps.push_back(strides[i]);
    }
    Value part = b.create<tensor::ExtractSliceOp>(
        loc, RankedTensorType::get(sizes, accType), cols, getAsIndexOpFoldResult(b.getContext(), offsets),
        getAsIndexOpFoldResult(b.getContext(), extent), getAsIndexOpFoldResult(b.getContext(), SmallVector<int64_t>(colsShape.size(), 1)));
    y = addStrided(b, loc, y, part, landing, sizes, steps);
  }
  return y;
}

/// The 2-D form of a 1-D (rank 3) op: a unit height inserted into the
/// shapes, and stride and dilation 1, begin pad 0 for it.
struct As2D {
  SmallVector<int64_t> in, w, out, strides, dilations, padBegin;
  void promote() {
    if (in.size() != 3)
      return;
    for (SmallVector<int64_t> *v : {&in, &w, &out})
      v->insert(v->begin() + 2, 1);
    for (SmallVector<int64_t> *v : {&strides, &dilations})
      v->insert(v->begin(), 1);
    padBegin.insert(padBegin.begin(), 0);
  }
};

struct ConvTransposeToLinalg : OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    As2D d{SmallVector<int64_t>(op.getInput().getType().getShape()),
           SmallVector<int64_t>(op.getFilter().getType().getShape()),
           SmallVector<int64_t>(resultType.getShape()),
           SmallVector<int64_t>(op.getStrides()),
           SmallVector<int64_t>(op.getDilations()),
           SmallVector<int64_t>(op.getPads().take_front(op.getStrides().size()))};
    d.promote();
    Value y = buildTransposedConv(rewriter, loc, adaptor.getInput(),
                                  adaptor.getFilter(), adaptor.getBias(), d.in,
                                  d.w, d.out, d.strides, d.dilations,
                                  d.padBegin, op.getGroups(),
                                  getComputeType(elementType));
    y = convertTensor(rewriter, loc, y, elementType);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, y, resultType.getShape()));
    return success();
  }
};

/// kiln.conv_backward_data is the transposed convolution of the output
/// cotangent with conv's filter: [F, C/G, k...] is conv_transpose's
/// [in, out / groups, k...] layout, and the input positions no window
/// reached keep their zeros.
struct ConvBackwardDataToLinalg : OpConversionPattern<ConvBackwardDataOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvBackwardDataOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    As2D d{SmallVector<int64_t>(op.getGrad().getType().getShape()),
           SmallVector<int64_t>(op.getFilter().getType().getShape()),
           SmallVector<int64_t>(resultType.getShape()),
           SmallVector<int64_t>(op.getStrides()),
           SmallVector<int64_t>(op.getDilations()),
           SmallVector<int64_t>(op.getPads().take_front(op.getStrides().size()))};
    d.promote();
    Value y = buildTransposedConv(rewriter, loc, adaptor.getGrad(),
                                  adaptor.getFilter(), Value(), d.in, d.w,
                                  d.out, d.strides, d.dilations, d.padBegin,
                                  op.getGroups(), getComputeType(elementType));
    y = convertTensor(rewriter, loc, y, elementType);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, y, resultType.getShape()));
    return success();
  }
};

} // namespace

void mlir::kiln::populateConvTransposePatterns(RewritePatternSet &patterns,
                                               ConversionTarget &target) {
  patterns.add<ConvTransposeToLinalg, ConvBackwardDataToLinalg>(
      patterns.getContext());
  target.addIllegalOp<ConvTransposeOp, ConvBackwardDataOp>();
}
