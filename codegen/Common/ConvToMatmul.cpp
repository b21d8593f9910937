//===- ConvToMatmul.cpp - Convolutions of one image as matmuls ------------===//
//
// The rewrite kiln-cpu-conv-to-matmul and kiln-gpu-conv-to-matmul share
// (see KilnCPUConvToMatmul in codegen/CPU/Passes.td). Upstream's
// linalg::rewriteInIm2Col keeps the batch dim in the contraction it makes,
// which then has two "n" dims (batch and pixels) and is not a matmul the
// CPU's register tiles can take; for a batch of one this pattern builds the
// im2col copy and a plain linalg.matmul instead, and skips the copy
// altogether for 1x1 convolutions with unit strides.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ConvToMatmul.h"
#include "codegen/Common/ConstantRelayout.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
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

/// The convolution's initial output [1, F, OH, OW] as the matmul's [F, OH*OW]
/// (`transposed`: [OH*OW, F]) when it is a per-filter broadcast (the bias)
/// or a fill: the same op made directly in the matrix's shape, so that no
/// reshape or transpose stands between it and the matmul, and the tiler can
/// fuse it into the product's tasks. Null otherwise.
Value matrixInit(PatternRewriter &rewriter, Location loc, Value init, bool transposed) {
  auto type = cast<RankedTensorType>(init.getType());
  int64_t f = type.getDimSize(1), pixels = type.getDimSize(2) * type.getDimSize(3);
  SmallVector<int64_t> shape = transposed ? SmallVector<int64_t>{pixels, f} : SmallVector<int64_t>{f, pixels};
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    Value empty = rewriter.create<tensor::EmptyOp>(loc, shape, type.getElementType());
    return rewriter.create<linalg::FillOp>(loc, fill.getInputs()[0], empty).getResult(0);
  }
  auto broadcast = init.getDefiningOp<linalg::BroadcastOp>();
  if (!broadcast || broadcast.getDimensions() != ArrayRef<int64_t>{0, 2, 3})
    return nullptr;
  Value empty = rewriter.create<tensor::EmptyOp>(loc, shape, type.getElementType());
  return rewriter
      .create<linalg::BroadcastOp>(loc, broadcast.getInput(), empty,
                                   ArrayRef<int64_t>{transposed ? int64_t(0) : int64_t(1)})
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
    Type element = outType.getElementType();
    if (inputType.getElementType() != element || filterType.getElementType() != element)
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
      Value empty = rewriter.create<tensor::EmptyOp>(loc, shape, element);
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
      Value init = matrixInit(rewriter, loc, conv.getOutputs()[0], /*transposed=*/false);
      if (!init)
        init = collapsedInit();
      product = rewriter
                    .create<linalg::MatmulOp>(loc, init.getType(),
                                              ValueRange{weights, columns}, init)
                    .getResult(0);
    } else {
      auto transposedType = RankedTensorType::get({oh * ow, f}, element);
      Value initT = matrixInit(rewriter, loc, conv.getOutputs()[0], /*transposed=*/true);
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

} // namespace

void mlir::kiln::populateConvToMatmulPatterns(RewritePatternSet &patterns,
                                              TransposeProductFn transposeProduct) {
  patterns.add<ConvToMatmul>(patterns.getContext(), std::move(transposeProduct));
}
