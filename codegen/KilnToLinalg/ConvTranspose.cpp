//===- ConvTranspose.cpp - kiln.conv_transpose -> a linalg convolution ----===//
//
// A transposed convolution is a plain convolution (stride 1, the same
// dilations and groups) over the input with stride - 1 zeros inserted
// between its elements and dilation * (kernel - 1) - pad zeros around it,
// using the filter with its kernel flipped and its channel dims swapped:
//
//   conv input  [N, C, L...], L = out + dilation * (kernel - 1); input
//               element i at i * stride + dilation * (kernel - 1) - pad_begin
//               (tensor.insert_slice with strides into zeros; elements that
//               land outside are cropped first, which negative pads need)
//   conv filter [F, C / G, k...] from ONNX's [C, F / G, k...]: one generic
//               reading filter[g, c, f, k - 1 - a] in the [G, F / G, C / G, k]
//               view
//
// then buildConvolution (Conv.cpp) picks the named linalg op for the groups.
// With stride 1 and non-negative padding the zeros are a plain tensor.pad.
// The inserted zeros cost stride^spatial times the multiply-adds of a direct
// scatter; the named convolutions keep the loop-order pass and vectorizer
// working on it.
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Convolution.h"
#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {

/// Where the input's elements land in the convolution's input, per spatial
/// dim: elements [first, first + count) at offset, offset + stride, ...
struct Placement {
  int64_t first = 0, count = 0, offset = 0, length = 0;
  int64_t padBegin = 0, padEnd = 0; // as zero padding, for stride 1
};

int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

Placement place(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                int64_t dilation, int64_t padBegin) {
  Placement p;
  int64_t reach = dilation * (kernel - 1);
  p.length = out + reach;
  int64_t start = reach - padBegin; // where element 0 lands
  p.first = start >= 0 ? 0 : -floorDiv(start, stride);
  int64_t last = std::min(in - 1, floorDiv(p.length - 1 - start, stride));
  p.count = std::max<int64_t>(0, last - p.first + 1);
  p.offset = p.first * stride + start;
  p.padBegin = start;
  p.padEnd = p.length - (start + in);
  return p;
}

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  SmallVector<OpFoldResult> r;
  for (int64_t v : values)
    r.push_back(b.getIndexAttr(v));
  return r;
}

/// The input spread out for a stride-1 convolution: zeros with the kept
/// input elements inserted at their strided places.
Value spreadInput(OpBuilder &b, Location loc, Value input,
                  ArrayRef<Placement> places, ArrayRef<int64_t> strides) {
  auto type = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> length = {shape[0], shape[1]};
  SmallVector<int64_t> first = {0, 0}, count = {shape[0], shape[1]};
  SmallVector<int64_t> offset = {0, 0}, step = {1, 1};
  for (auto [p, s] : llvm::zip(places, strides)) {
    length.push_back(p.length);
    first.push_back(p.first);
    count.push_back(p.count);
    offset.push_back(p.offset);
    step.push_back(s);
  }
  Value zeros = createFilled(b, loc, length,
                             cast<TypedAttr>(b.getZeroAttr(type.getElementType())));
  if (llvm::is_contained(count, 0))
    return zeros; // no input element reaches the output
  Value kept = input;
  if (ArrayRef<int64_t>(count) != shape)
    kept = b.create<tensor::ExtractSliceOp>(
        loc, RankedTensorType::get(count, type.getElementType()), input,
        indexAttrs(b, first), indexAttrs(b, count),
        indexAttrs(b, SmallVector<int64_t>(shape.size(), 1)));
  return b.create<tensor::InsertSliceOp>(loc, kept, zeros, indexAttrs(b, offset),
                                         indexAttrs(b, count),
                                         indexAttrs(b, step));
}

/// ONNX's filter [C, F / G, k...] as the convolution's [F, C / G, k...],
/// kernel flipped.
Value convFilter(OpBuilder &b, Location loc, Value filter, int64_t groups) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(filter.getType());
  ArrayRef<int64_t> w = type.getShape();
  int64_t spatial = type.getRank() - 2;
  int64_t cg = w[0] / groups, fg = w[1];
  SmallVector<int64_t> grouped = {groups, cg, fg};
  SmallVector<int64_t> swapped = {groups, fg, cg};
  grouped.append(w.begin() + 2, w.end());
  swapped.append(w.begin() + 2, w.end());
  Value in = reshapeTo(b, loc, filter, grouped);
  int64_t loops = 3 + spatial;
  // Output loops (g, f, c, a...) read filter[g, c, f, k - 1 - a...].
  SmallVector<AffineExpr> read = {getAffineDimExpr(0, ctx),
                                  getAffineDimExpr(2, ctx),
                                  getAffineDimExpr(1, ctx)};
  for (int64_t i = 0; i < spatial; ++i)
    read.push_back(w[2 + i] - 1 - getAffineDimExpr(3 + i, ctx));
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, read, ctx),
                                 AffineMap::getMultiDimIdentityMap(loops, ctx)};
  Value flipped =
      b.create<linalg::GenericOp>(
           loc, RankedTensorType::get(swapped, type.getElementType()), in,
           createEmpty(b, loc, swapped, type.getElementType()), maps,
           getParallelIterators(loops),
           [](OpBuilder &nb, Location nloc, ValueRange args) {
             nb.create<linalg::YieldOp>(nloc, args[0]);
           })
          .getResult(0);
  SmallVector<int64_t> shape = {groups * fg, cg};
  shape.append(w.begin() + 2, w.end());
  return reshapeTo(b, loc, flipped, shape);
}

struct ConvTransposeToLinalg : OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> in = cast<RankedTensorType>(input.getType()).getShape();
    ArrayRef<int64_t> w =
        cast<RankedTensorType>(adaptor.getFilter().getType()).getShape();
    ArrayRef<int64_t> out = op.getType().getShape();
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
    ArrayRef<int64_t> pads = op.getPads();
    int64_t spatial = op.getType().getRank() - 2;

    SmallVector<Placement> places;
    bool plainPad = true;
    for (int64_t i = 0; i < spatial; ++i) {
      places.push_back(place(in[2 + i], out[2 + i], w[2 + i], strides[i],
                             dilations[i], pads[i]));
      plainPad &= strides[i] == 1 && places.back().padBegin >= 0 &&
                  places.back().padEnd >= 0;
    }
    SmallVector<int64_t> convPads(2 * spatial, 0);
    if (plainPad) {
      for (int64_t i = 0; i < spatial; ++i) {
        convPads[i] = places[i].padBegin;
        convPads[spatial + i] = places[i].padEnd;
      }
    } else {
      input = spreadInput(rewriter, loc, input, places, strides);
    }
    Value filter = convFilter(rewriter, loc, adaptor.getFilter(), op.getGroups());
    rewriter.replaceOp(
        op, buildConvolution(rewriter, loc, input, filter, adaptor.getBias(),
                             SmallVector<int64_t>(spatial, 1), convPads,
                             dilations, op.getGroups(), op.getType()));
    return success();
  }
};

} // namespace

void mlir::kiln::populateConvTransposePatterns(RewritePatternSet &patterns,
                                               ConversionTarget &target) {
  patterns.add<ConvTransposeToLinalg>(patterns.getContext());
  target.addIllegalOp<ConvTransposeOp>();
}
