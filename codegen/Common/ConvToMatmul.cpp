//===- ConvToMatmul.cpp - Convolutions as matmuls -------------------------===//
//
// The rewrite kiln-cpu-conv-to-matmul and kiln-gpu-conv-to-matmul share
// (see KilnCPUConvToMatmul in codegen/CPU/Passes.td). For a batch of one it
// builds the im2col copy and a plain linalg.matmul, and skips the copy
// altogether for 1x1 convolutions with unit strides. For a batch (CPU only)
// it builds what upstream's linalg::rewriteInIm2Col builds, a contraction
// whose filter operand has no image dim, with three differences upstream
// lacks: no copy for 1x1 convolutions with unit strides, the bias or fill
// made directly in the product's shape (so the tiler fuses it into its
// tasks), and large batches split into groups of images so that the im2col
// copies stay a few images in size.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ConvToMatmul.h"
#include "codegen/Common/ConstantRelayout.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <cstring>
#include <vector>

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// `matrix` [R, C] transposed into a new [C, R] tensor.
Value transpose(PatternRewriter &rewriter, Location loc, Value matrix) {
  auto type = cast<RankedTensorType>(matrix.getType());
  Value empty = rewriter.create<tensor::EmptyOp>(
      loc, SmallVector<int64_t>{type.getDimSize(1), type.getDimSize(0)},
      type.getElementType());
  return rewriter
      .create<linalg::TransposeOp>(loc, matrix, empty, ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

/// The constant filter [F, C, KH, KW] as the [C*KH*KW, F] matrix, computed
/// now: transposing it at run time would cost more than the transposed
/// product saves. Null when the filter is not a constant (weights passed at
/// run time).
Value transposedConstantFilter(PatternRewriter &rewriter, Location loc, Value filter) {
  auto type = cast<RankedTensorType>(filter.getType());
  int64_t f = type.getDimSize(0), k = type.getNumElements() / std::max<int64_t>(f, 1);
  auto resultType = RankedTensorType::get({k, f}, type.getElementType());
  return relayoutConstant(rewriter, loc, filter, resultType,
                          [&](ArrayRef<char> raw, MutableArrayRef<char> transposed, int64_t bytes) {
                            for (int64_t row = 0; row < f; ++row)
                              for (int64_t col = 0; col < k; ++col)
                                std::memcpy(&transposed[(col * f + row) * bytes],
                                            &raw[(row * k + col) * bytes], bytes);
                          });
}

/// The convolution's initial output [N, F, OH, OW] in the product's `shape`
/// (whose dim `filterDim` runs over the filters: [F, OH*OW] for one image,
/// [OH*OW, F] transposed, [images, F, OH*OW] for a batch) when it is a
/// per-filter broadcast (the bias) or a fill: the same op made directly in
/// that shape, so that no reshape or transpose stands between it and the
/// product, and the tiler can fuse it into the product's tasks. Null
/// otherwise.
Value matrixInit(PatternRewriter &rewriter, Location loc, Value init,
                 ArrayRef<int64_t> shape, int64_t filterDim) {
  auto type = cast<RankedTensorType>(init.getType());
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    Value empty = rewriter.create<tensor::EmptyOp>(loc, shape, type.getElementType());
    return rewriter.create<linalg::FillOp>(loc, fill.getInputs()[0], empty).getResult(0);
  }
  if (!isFillOrBias(init))
    return nullptr;
  auto broadcast = init.getDefiningOp<linalg::BroadcastOp>();
  Value empty = rewriter.create<tensor::EmptyOp>(loc, shape, type.getElementType());
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    if (d != filterDim)
      dims.push_back(d);
  return rewriter.create<linalg::BroadcastOp>(loc, broadcast.getInput(), empty, dims)
      .getResult()[0];
}

struct ConvToMatmul : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  ConvToMatmul(MLIRContext *ctx, TransposeProductFn transposeProduct)
      : OpRewritePattern(ctx), transposeProduct(std::move(transposeProduct)) {}
  TransposeProductFn transposeProduct;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp conv,
                                PatternRewriter &rewriter) const override {
    if (!conv.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(conv, "not on tensors");
    auto inputType = cast<RankedTensorType>(conv.getInputs()[0].getType());
    auto filterType = cast<RankedTensorType>(conv.getInputs()[1].getType());
    auto outType = cast<RankedTensorType>(conv.getOutputs()[0].getType());
    if (!inputType.hasStaticShape() || !filterType.hasStaticShape() ||
        !outType.hasStaticShape() || inputType.getDimSize(0) != 1)
      return rewriter.notifyMatchFailure(conv, "needs static shapes and a batch of one");
    // Same operand types; the output the same, or f32 accumulators of
    // 16-bit floats (as Kiln lowers f16/bf16 convolutions): the matmul
    // extends its operands as the convolution does.
    Type element = outType.getElementType();
    Type operandElement = inputType.getElementType();
    if (filterType.getElementType() != operandElement ||
        (operandElement != element &&
         !(isa<FloatType>(operandElement) && operandElement.getIntOrFloatBitWidth() == 16 &&
           element.isF32())))
      return rewriter.notifyMatchFailure(conv, "mixed element types");

    SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
    int64_t c = inputType.getDimSize(1);
    int64_t f = filterType.getDimSize(0), kh = filterType.getDimSize(2),
            kw = filterType.getDimSize(3);
    int64_t oh = outType.getDimSize(2), ow = outType.getDimSize(3);
    Location loc = conv.getLoc();
    MLIRContext *ctx = conv.getContext();

    // The output [1, F, OH, OW] is the row-major [F, OH*OW] matrix.
    auto collapsedInit = [&] {
      return rewriter.create<tensor::CollapseShapeOp>(
          loc, conv.getOutputs()[0], SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    };

    // The product is filters x pixels, unless the target would rather
    // compute it transposed (pixels x filters, from the transposed im2col
    // matrix and the transposed filter, when it is a constant, transposed
    // now) and transpose it back.
    Value weightsT;
    if (transposeProduct && transposeProduct(oh * ow, f))
      weightsT = transposedConstantFilter(rewriter, loc, conv.getInputs()[1]);
    bool transposed = static_cast<bool>(weightsT);
    bool pointwise = kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1;
    Value columns;
    if (pointwise && !transposed) {
      // A 1x1 convolution with unit strides reads the input as it is.
      columns = rewriter.create<tensor::CollapseShapeOp>(
          loc, conv.getInputs()[0], SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    } else {
      // im2col: columns[c, kh, kw, oh, ow] = x[0, c, oh*sh + kh*dh, ow*sw + kw*dw],
      // one copy, as [C*KH*KW, OH*OW] (or [OH, OW, C, KH, KW] as
      // [OH*OW, C*KH*KW] when transposed) for the matmul.
      // The loops run in the order of the copy's dims, so it writes
      // contiguously.
      SmallVector<int64_t> shape = {c, kh, kw, oh, ow};
      unsigned pc = 0, pkh = 1, pkw = 2, poh = 3, pow = 4;
      if (transposed) {
        shape = {oh, ow, c, kh, kw};
        poh = 0, pow = 1, pc = 2, pkh = 3, pkw = 4;
      }
      AffineExpr dc = getAffineDimExpr(pc, ctx), dkh = getAffineDimExpr(pkh, ctx),
                 dkw = getAffineDimExpr(pkw, ctx), doh = getAffineDimExpr(poh, ctx),
                 dow = getAffineDimExpr(pow, ctx);
      Value empty = rewriter.create<tensor::EmptyOp>(loc, shape, operandElement);
      AffineMap read = AffineMap::get(
          5, 0,
          {getAffineConstantExpr(0, ctx), dc, doh * strides[0] + dkh * dilations[0],
           dow * strides[1] + dkw * dilations[1]},
          ctx);
      SmallVector<AffineMap> maps = {read, AffineMap::getMultiDimIdentityMap(5, ctx)};
      SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
      Value patches =
          rewriter
              .create<linalg::GenericOp>(
                  loc, empty.getType(), conv.getInputs()[0], empty, maps, iterators,
                  [](OpBuilder &b, Location l, ValueRange args) {
                    b.create<linalg::YieldOp>(l, args[0]);
                  })
              .getResult(0);
      auto groups = transposed ? SmallVector<ReassociationIndices>{{0, 1}, {2, 3, 4}}
                               : SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4}};
      columns = rewriter.create<tensor::CollapseShapeOp>(loc, patches, groups);
    }
    Value product;
    if (!transposed) {
      // The filter [F, C, KH, KW] is already the row-major [F, C*KH*KW] matrix.
      Value weights = rewriter.create<tensor::CollapseShapeOp>(
          loc, conv.getInputs()[1], SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
      Value init = matrixInit(rewriter, loc, conv.getOutputs()[0], {f, oh * ow}, /*filterDim=*/0);
      if (!init)
        init = collapsedInit();
      product = rewriter
                    .create<linalg::MatmulOp>(loc, init.getType(),
                                              ValueRange{weights, columns}, init)
                    .getResult(0);
    } else {
      auto transposedType = RankedTensorType::get({oh * ow, f}, element);
      Value initT = matrixInit(rewriter, loc, conv.getOutputs()[0], {oh * ow, f}, /*filterDim=*/1);
      if (!initT)
        initT = transpose(rewriter, loc, collapsedInit());
      Value productT = rewriter
                           .create<linalg::MatmulOp>(loc, transposedType,
                                                     ValueRange{columns, weightsT}, initT)
                           .getResult(0);
      product = transpose(rewriter, loc, productT);
    }
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        conv, outType, product, SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    return success();
  }
};

/// The most bytes of im2col matrices one product of a batch reads: larger
/// batches are split into groups of images, each its own product, so that
/// the scratch memory they need stays that of a few images (ResNet-50's
/// first 3x3 convolutions take 7 MB per image).
constexpr int64_t kMaxColumnsBytes = 32 << 20;

/// A batch of images: the filter [F, C*KH*KW] times each image's im2col
/// matrix [C*KH*KW, OH*OW], as one linalg.generic over the images whose
/// left-hand operand has no image dim (the tiler takes the images as a
/// batch dim). Its output [N, F, OH*OW] is the NCHW output as it stands.
struct BatchedConvToContraction : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  BatchedConvToContraction(MLIRContext *ctx, TransposeProductFn transposeProduct)
      : OpRewritePattern(ctx), transposeProduct(std::move(transposeProduct)) {}
  TransposeProductFn transposeProduct;

  /// The product of `images` images `x` [images, C, H, W] (from image
  /// `first`) computed transposed: columns[(i, oh, ow), (c, kh, kw)] times
  /// `weightsT` [C*KH*KW, F] into [images*OH*OW, F], transposed back to
  /// [images, F, OH*OW]. Its init is the convolution's bias or fill in that
  /// shape, or (`outputInit`, [N, F, OH*OW]) its slice, transposed.
  Value transposedProduct(PatternRewriter &rewriter, Location loc, linalg::Conv2DNchwFchwOp conv, Value x,
                          Value weightsT, int64_t images, int64_t first, Value outputInit) const {
    MLIRContext *ctx = conv.getContext();
    auto outType = cast<RankedTensorType>(conv.getOutputs()[0].getType());
    auto filterType = cast<RankedTensorType>(conv.getInputs()[1].getType());
    Type element = outType.getElementType();
    SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
    int64_t c = filterType.getDimSize(1), f = filterType.getDimSize(0), kh = filterType.getDimSize(2),
            kw = filterType.getDimSize(3), oh = outType.getDimSize(2), ow = outType.getDimSize(3);
    int64_t pixels = oh * ow;
    // columns[i, oh, ow, c, kh, kw] = x[i, c, oh*sh + kh*dh, ow*sw + kw*dw]
    AffineExpr d[6];
    for (unsigned i = 0; i < 6; ++i)
      d[i] = getAffineDimExpr(i, ctx);
    AffineMap read = AffineMap::get(
        6, 0, {d[0], d[3], d[1] * strides[0] + d[4] * dilations[0], d[2] * strides[1] + d[5] * dilations[1]}, ctx);
    Value empty = rewriter.create<tensor::EmptyOp>(loc, SmallVector<int64_t>{images, oh, ow, c, kh, kw}, element);
    Value patches = rewriter
                        .create<linalg::GenericOp>(
                            loc, empty.getType(), x, empty,
                            SmallVector<AffineMap>{read, AffineMap::getMultiDimIdentityMap(6, ctx)},
                            SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
                            [](OpBuilder &b, Location l, ValueRange args) { b.create<linalg::YieldOp>(l, args[0]); })
                        .getResult(0);
    Value columns = rewriter.create<tensor::CollapseShapeOp>(
        loc, patches, SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
    Value initT;
    if (!outputInit) {
      initT = matrixInit(rewriter, loc, conv.getOutputs()[0], {images * pixels, f}, /*filterDim=*/1);
    } else {
      Value slice = rewriter.create<tensor::ExtractSliceOp>(loc, outputInit, getAsIndexOpFoldResult(rewriter.getContext(), {first, 0, 0}),
                                                            getAsIndexOpFoldResult(rewriter.getContext(), {images, f, pixels}),
                                                            getAsIndexOpFoldResult(rewriter.getContext(), {1, 1, 1}));
      Value emptyT = rewriter.create<tensor::EmptyOp>(loc, SmallVector<int64_t>{images, pixels, f}, element);
      Value sliceT = rewriter.create<linalg::TransposeOp>(loc, slice, emptyT, ArrayRef<int64_t>{0, 2, 1})
                         .getResult()[0];
      initT = rewriter.create<tensor::CollapseShapeOp>(loc, sliceT,
                                                       SmallVector<ReassociationIndices>{{0, 1}, {2}});
    }
    Value productT = rewriter
                         .create<linalg::MatmulOp>(loc, initT.getType(), ValueRange{columns, weightsT}, initT)
                         .getResult(0);
    Value perImage = rewriter.create<tensor::ExpandShapeOp>(
        loc, RankedTensorType::get({images, pixels, f}, element), productT,
        SmallVector<ReassociationIndices>{{0, 1}, {2}});
    Value emptyOut = rewriter.create<tensor::EmptyOp>(loc, SmallVector<int64_t>{images, f, pixels}, element);
    return rewriter.create<linalg::TransposeOp>(loc, perImage, emptyOut, ArrayRef<int64_t>{0, 2, 1})
        .getResult()[0];
  }

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp conv,
                                PatternRewriter &rewriter) const override {
    if (!conv.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(conv, "not on tensors");
    Value input = conv.getInputs()[0], filter = conv.getInputs()[1], output = conv.getOutputs()[0];
    auto inputType = cast<RankedTensorType>(input.getType());
    auto filterType = cast<RankedTensorType>(filter.getType());
    auto outType = cast<RankedTensorType>(output.getType());
    if (!inputType.hasStaticShape() || !filterType.hasStaticShape() ||
        !outType.hasStaticShape() || inputType.getDimSize(0) <= 1)
      return rewriter.notifyMatchFailure(conv, "needs static shapes and a batch");
    Type element = outType.getElementType();
    if (inputType.getElementType() != element || filterType.getElementType() != element ||
        !(isa<FloatType>(element) || element.isSignlessInteger()))
      return rewriter.notifyMatchFailure(conv, "mixed or unsupported element types");

    SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
    int64_t n = inputType.getDimSize(0), c = inputType.getDimSize(1);
    int64_t f = filterType.getDimSize(0), kh = filterType.getDimSize(2),
            kw = filterType.getDimSize(3);
    int64_t oh = outType.getDimSize(2), ow = outType.getDimSize(3);
    int64_t depth = c * kh * kw, pixels = oh * ow;
    Location loc = conv.getLoc();
    MLIRContext *ctx = conv.getContext();
    bool pointwise = kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1;
    int64_t bytesPerImage = depth * pixels * std::max<int64_t>(1, element.getIntOrFloatBitWidth() / 8);
    int64_t perGroup = pointwise ? n : std::clamp<int64_t>(kMaxColumnsBytes / bytesPerImage, 1, n);

    // The filter [F, C, KH, KW] is the row-major [F, C*KH*KW] matrix, the
    // output [N, F, OH, OW] the [N, F, OH*OW] one.
    Value weights = rewriter.create<tensor::CollapseShapeOp>(
        loc, filter, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
    auto toProduct = SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}};
    Value collapsedOutput;
    auto collapsedInit = [&] {
      if (!collapsedOutput)
        collapsedOutput = rewriter.create<tensor::CollapseShapeOp>(loc, output, toProduct);
      return collapsedOutput;
    };
    // Each group's product starts from its own fill or bias broadcast, if
    // the convolution's does, else from its slice of the output.
    bool rebuildInit = isFillOrBias(output);
    // As for one image, the product may be computed transposed: the images'
    // pixels x filters ([images*OH*OW, C*KH*KW] times the constant filter
    // transposed now), then transposed back image by image.
    Value weightsT;
    if (transposeProduct && transposeProduct(pixels, f))
      weightsT = transposedConstantFilter(rewriter, loc, filter);
    // The product of `images` images `x` from image `first`, filters x pixels.
    auto directProduct = [&](Value x, int64_t images, int64_t first) -> Value {
      Value columns;
      if (pointwise) {
        // A 1x1 convolution with unit strides reads each image as it is.
        columns = rewriter.create<tensor::CollapseShapeOp>(loc, x, toProduct);
      } else {
        // im2col: columns[n, c, kh, kw, oh, ow] = x[n, c, oh*sh + kh*dh, ow*sw + kw*dw].
        AffineExpr d[6];
        for (unsigned i = 0; i < 6; ++i)
          d[i] = getAffineDimExpr(i, ctx);
        AffineMap read = AffineMap::get(
            6, 0, {d[0], d[1], d[4] * strides[0] + d[2] * dilations[0], d[5] * strides[1] + d[3] * dilations[1]},
            ctx);
        Value empty = rewriter.create<tensor::EmptyOp>(
            loc, SmallVector<int64_t>{images, c, kh, kw, oh, ow}, element);
        Value patches =
            rewriter
                .create<linalg::GenericOp>(
                    loc, empty.getType(), x, empty,
                    SmallVector<AffineMap>{read, AffineMap::getMultiDimIdentityMap(6, ctx)},
                    SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
                    [](OpBuilder &b, Location l, ValueRange args) {
                      b.create<linalg::YieldOp>(l, args[0]);
                    })
                .getResult(0);
        columns = rewriter.create<tensor::CollapseShapeOp>(
            loc, patches, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}});
      }
      SmallVector<int64_t> shape = {images, f, pixels};
      bool whole = images == n;
      Value init = rebuildInit ? matrixInit(rewriter, loc, output, shape, /*filterDim=*/1) : Value();
      if (!init)
        init = whole ? collapsedInit()
                     : rewriter.create<tensor::ExtractSliceOp>(
                           loc, collapsedInit(), getAsIndexOpFoldResult(rewriter.getContext(), {first, 0, 0}),
                           getAsIndexOpFoldResult(rewriter.getContext(), shape), getAsIndexOpFoldResult(rewriter.getContext(), {1, 1, 1}));
      // product[i, f, p] += weights[f, k] * columns[i, k, p]
      AffineExpr i = getAffineDimExpr(0, ctx), fd = getAffineDimExpr(1, ctx),
                 p = getAffineDimExpr(2, ctx), k = getAffineDimExpr(3, ctx);
      SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {fd, k}, ctx),
                                     AffineMap::get(4, 0, {i, k, p}, ctx),
                                     AffineMap::get(4, 0, {i, fd, p}, ctx)};
      SmallVector<utils::IteratorType> iterators = {
          utils::IteratorType::parallel, utils::IteratorType::parallel,
          utils::IteratorType::parallel, utils::IteratorType::reduction};
      bool isFloat = isa<FloatType>(element);
      return rewriter
                .create<linalg::GenericOp>(
                    loc, init.getType(), ValueRange{weights, columns}, init, maps, iterators,
                    [isFloat](OpBuilder &b, Location l, ValueRange args) {
                      Value product = isFloat ? b.create<arith::MulFOp>(l, args[0], args[1]).getResult()
                                              : b.create<arith::MulIOp>(l, args[0], args[1]).getResult();
                      Value sum = isFloat ? b.create<arith::AddFOp>(l, args[2], product).getResult()
                                          : b.create<arith::AddIOp>(l, args[2], product).getResult();
                      b.create<linalg::YieldOp>(l, sum);
                    })
                .getResult(0);
    };
    Value result;
    for (int64_t first = 0; first < n; first += perGroup) {
      int64_t images = std::min(perGroup, n - first);
      bool whole = images == n;
      Value x = input;
      if (!whole)
        x = rewriter.create<tensor::ExtractSliceOp>(
            loc, input, getAsIndexOpFoldResult(rewriter.getContext(), {first, 0, 0, 0}),
            getAsIndexOpFoldResult(rewriter.getContext(), {images, c, inputType.getDimSize(2), inputType.getDimSize(3)}),
            getAsIndexOpFoldResult(rewriter.getContext(), {1, 1, 1, 1}));
      Value part = weightsT ? transposedProduct(rewriter, loc, conv, x, weightsT, images, first,
                                                 rebuildInit ? Value() : collapsedInit())
                            : directProduct(x, images, first);
      if (whole) {
        result = part;
        break;
      }
      if (!result)
        result = rebuildInit ? rewriter.create<tensor::EmptyOp>(loc, SmallVector<int64_t>{n, f, pixels}, element)
                                   .getResult()
                             : collapsedInit();
      result = rewriter.create<tensor::InsertSliceOp>(loc, part, result, getAsIndexOpFoldResult(rewriter.getContext(), {first, 0, 0}),
                                                      getAsIndexOpFoldResult(rewriter.getContext(), {images, f, pixels}),
                                                      getAsIndexOpFoldResult(rewriter.getContext(), {1, 1, 1}));
    }
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(conv, outType, result, toProduct);
    return success();
  }
};

} // namespace

bool mlir::kiln::isFillOrBias(Value init) {
  if (init.getDefiningOp<linalg::FillOp>())
    return true;
  auto broadcast = init.getDefiningOp<linalg::BroadcastOp>();
  return broadcast && broadcast.getDimensions() == ArrayRef<int64_t>{0, 2, 3};
}

void mlir::kiln::populateConvToMatmulPatterns(RewritePatternSet &patterns,
                                              TransposeProductFn transposeProduct,
                                              bool batches) {
  if (batches)
    patterns.add<BatchedConvToContraction>(patterns.getContext(), transposeProduct);
  patterns.add<ConvToMatmul>(patterns.getContext(), std::move(transposeProduct));
}
