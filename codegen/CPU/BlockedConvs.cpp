//===- BlockedConvs.cpp - Convolutions in the blocked NCHWc layout --------===//
//
// See KilnCPUBlockedConvs in codegen/CPU/Passes.td. Upstream lowers a
// convolution either to im2col and a matmul (linalg::rewriteInIm2Col) or to
// 1-D convolutions in channels-last form; neither reaches the FMA ceiling
// here: the im2col copy is written and read back through memory (12% of
// ResNet-18's time), and NCHW has no unit-stride dim for the filters. This
// is the direct convolution onnxruntime's MLAS and oneDNN use: channels in
// blocks of one register tile's width, each tap of the window read in
// place.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"
#include "codegen/CPU/Tiles.h"
#include "codegen/Common/ConstantRelayout.h"
#include "codegen/Common/ConvToMatmul.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUBLOCKEDCONVS
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The filter [F, C, KH, KW] as [F/fb, C/cb, KH, KW, cb, fb], computed now.
/// Null when the filter is not a constant.
Value blockedFilter(PatternRewriter &rewriter, Location loc, Value filter, int64_t fb, int64_t cb) {
  auto type = cast<RankedTensorType>(filter.getType());
  int64_t f = type.getDimSize(0), c = type.getDimSize(1), kh = type.getDimSize(2),
          kw = type.getDimSize(3);
  auto blocked = RankedTensorType::get({f / fb, c / cb, kh, kw, cb, fb}, type.getElementType());
  return relayoutConstant(
      rewriter, loc, filter, blocked, [&](ArrayRef<char> raw, MutableArrayRef<char> to, int64_t bytes) {
        int64_t taps = kh * kw;
        for (int64_t fo = 0; fo < f / fb; ++fo)
          for (int64_t co = 0; co < c / cb; ++co)
            for (int64_t t = 0; t < taps; ++t)
              for (int64_t ci = 0; ci < cb; ++ci)
                for (int64_t fi = 0; fi < fb; ++fi) {
                  int64_t dst = ((((fo * (c / cb) + co) * taps + t) * cb + ci) * fb + fi) * bytes;
                  int64_t src = (((fo * fb + fi) * c + co * cb + ci) * taps + t) * bytes;
                  std::memcpy(&to[dst], &raw[src], bytes);
                }
      });
}

/// A filter [F, C, KH, KW] computed at run time (a weight passed in, as
/// `--weights external` and training pass them) as [F/fb, C/cb, KH, KW, cb,
/// fb]: a tensor.pack, which kiln-cpu-propagate-layouts lowers to a
/// transpose, run on every call. Null where that copy would move more than
/// the im2col copy it saves (a deep filter over few pixels: ResNet's last
/// layers at batch 1), and for 1x1 convolutions with unit strides, which
/// need no im2col copy at all.
Value packedFilter(PatternRewriter &rewriter, Location loc, Value filter, int64_t fb, int64_t cb,
                   ArrayRef<int64_t> outShape, ArrayRef<int64_t> strides) {
  auto type = cast<RankedTensorType>(filter.getType());
  int64_t f = type.getDimSize(0), c = type.getDimSize(1), kh = type.getDimSize(2),
          kw = type.getDimSize(3);
  bool pointwise = kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1;
  int64_t filterElements = f * c * kh * kw;
  int64_t columnElements = outShape[0] * c * kh * kw * outShape[2] * outShape[3];
  if (pointwise || filterElements > columnElements)
    return nullptr;
  SmallVector<OpFoldResult> tiles = {rewriter.getIndexAttr(cb), rewriter.getIndexAttr(fb)};
  Value empty =
      tensor::PackOp::createDestinationTensor(rewriter, loc, filter, tiles, {1, 0}, {});
  return rewriter.create<tensor::PackOp>(loc, filter, empty, ArrayRef<int64_t>{1, 0}, tiles);
}

/// `value` [N, C, H, W] as [N, C/block, H, W, block]: a tensor.pack, or
/// for blocks of one channel a reshape (no copy).
Value blockedActivation(PatternRewriter &rewriter, Location loc, Value value, int64_t block) {
  auto type = cast<RankedTensorType>(value.getType());
  if (block == 1) {
    SmallVector<int64_t> shape(type.getShape());
    shape.push_back(1);
    return rewriter.create<tensor::ExpandShapeOp>(
        loc, RankedTensorType::get(shape, type.getElementType()), value,
        SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
  }
  Value empty = tensor::PackOp::createDestinationTensor(rewriter, loc, value,
                                                        {rewriter.getIndexAttr(block)}, {1}, {});
  return rewriter.create<tensor::PackOp>(loc, value, empty, ArrayRef<int64_t>{1},
                                         ArrayRef<OpFoldResult>{rewriter.getIndexAttr(block)});
}

/// The convolution's initial output in the blocked shape [N, F/fb, OH, OW,
/// fb]: a fill or the per-filter broadcast of the bias made in that shape
/// (so the tiler fuses it into the tasks), else the init packed.
Value blockedInit(PatternRewriter &rewriter, Location loc, Value init, int64_t fb) {
  auto type = cast<RankedTensorType>(init.getType());
  SmallVector<int64_t> shape = {type.getDimSize(0), type.getDimSize(1) / fb, type.getDimSize(2),
                                type.getDimSize(3), fb};
  if (!isFillOrBias(init))
    return blockedActivation(rewriter, loc, init, fb);
  Value empty = rewriter.create<tensor::EmptyOp>(loc, shape, type.getElementType());
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return rewriter.create<linalg::FillOp>(loc, fill.getInputs()[0], empty).getResult(0);
  auto broadcast = init.getDefiningOp<linalg::BroadcastOp>();
  Value bias = rewriter.create<tensor::ExpandShapeOp>(
      loc, RankedTensorType::get({shape[1], fb}, type.getElementType()), broadcast.getInput(),
      SmallVector<ReassociationIndices>{{0, 1}});
  return rewriter.create<linalg::BroadcastOp>(loc, bias, empty, ArrayRef<int64_t>{0, 2, 3}).getResult()[0];
}

struct BlockConv : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  BlockConv(MLIRContext *ctx, int64_t block) : OpRewritePattern(ctx), block(block) {}
  int64_t block;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp conv,
                                PatternRewriter &rewriter) const override {
    if (!conv.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(conv, "not on tensors");
    auto inputType = cast<RankedTensorType>(conv.getInputs()[0].getType());
    auto filterType = cast<RankedTensorType>(conv.getInputs()[1].getType());
    auto outType = cast<RankedTensorType>(conv.getOutputs()[0].getType());
    if (!inputType.hasStaticShape() || !filterType.hasStaticShape() || !outType.hasStaticShape())
      return rewriter.notifyMatchFailure(conv, "dynamic shapes");
    if (!inputType.getElementType().isF32() || !filterType.getElementType().isF32() ||
        !outType.getElementType().isF32())
      return rewriter.notifyMatchFailure(conv, "not f32");
    int64_t c = inputType.getDimSize(1), f = filterType.getDimSize(0);
    if (f % block != 0)
      return rewriter.notifyMatchFailure(conv, "filters are not whole blocks");
    // Channels in blocks when they divide; else one block per channel (the
    // 3 channels of an image): NCHW as it stands.
    int64_t cb = c % block == 0 ? block : 1;
    Location loc = conv.getLoc();
    SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
    Value filter = blockedFilter(rewriter, loc, conv.getInputs()[1], block, cb);
    if (!filter)
      filter = packedFilter(rewriter, loc, conv.getInputs()[1], block, cb, outType.getShape(), strides);
    if (!filter)
      return rewriter.notifyMatchFailure(conv, "a run-time filter larger than the im2col copy");

    SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
    Value input = blockedActivation(rewriter, loc, conv.getInputs()[0], cb);
    Value init = blockedInit(rewriter, loc, conv.getOutputs()[0], block);
    MLIRContext *ctx = getContext();
    // Loops (BlockedConvDims): n, fo, oh, ow, fi parallel; co, kh, kw, ci
    // reduced.
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineMap> maps = {
        AffineMap::get(9, 0,
                       {d(0), d(5), d(2) * strides[0] + d(6) * dilations[0],
                        d(3) * strides[1] + d(7) * dilations[1], d(8)},
                       ctx),
        AffineMap::get(9, 0, {d(1), d(5), d(6), d(7), d(8), d(4)}, ctx),
        AffineMap::get(9, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx)};
    SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
    iterators.append(4, utils::IteratorType::reduction);
    Value blocked = rewriter
                        .create<linalg::GenericOp>(
                            loc, init.getType(), ValueRange{input, filter}, init, maps, iterators,
                            [](OpBuilder &b, Location l, ValueRange args) {
                              Value product = b.create<arith::MulFOp>(l, args[0], args[1]);
                              b.create<linalg::YieldOp>(l, ValueRange{b.create<arith::AddFOp>(l, args[2], product)});
                            })
                        .getResult(0);
    Value empty = rewriter.create<tensor::EmptyOp>(loc, outType.getShape(), outType.getElementType());
    rewriter.replaceOpWithNewOp<tensor::UnPackOp>(conv, blocked, empty, ArrayRef<int64_t>{1},
                                                  ArrayRef<OpFoldResult>{rewriter.getIndexAttr(block)});
    return success();
  }
};

struct KilnCPUBlockedConvs : kiln::impl::KilnCPUBlockedConvsBase<KilnCPUBlockedConvs> {
  using Base::Base;
  void runOnOperation() override {
    // The block is the register tile's width along the filters (two
    // vectors), the same for every convolution, so that one's output
    // blocks are the next one's input blocks.
    int64_t block = blockedConvBlock(vectorBits);
    if (block <= 1)
      return;
    RewritePatternSet patterns(&getContext());
    patterns.add<BlockConv>(&getContext(), block);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns)))) {
      getOperation().emitError("kiln-cpu-blocked-convs: the rewrite did not converge");
      signalPassFailure();
    }
  }
};

} // namespace
