//===- WindowsAsElementwise.cpp - Depthwise convs and pools as elementwise ===//
//
// See KilnCPUWindowsAsElementwise in codegen/CPU/Passes.td. Upstream
// vectorizes depthwise convolutions and pooling only in channels-last 1-D
// forms (linalg.depthwise_conv_1d_nwc_wc, pooling after decomposition); an
// NCHW one stays a scalar loop nest with a reduction over its window,
// which also cannot run as parallel tasks on tensors (it accumulates into
// its init). Written as one elementwise op over the KH*KW shifted windows
// it is a plain all-parallel op that kiln-cpu-vectorize-ops vectorizes
// along the output row and splits into tasks.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUWINDOWSASELEMENTWISE
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The shapes and attributes of an NCHW windowed op this pass takes, or
/// failure.
struct Window {
  int64_t n, c, oh, ow, kh, kw;
  SmallVector<int64_t> strides, dilations;
};

template <typename OpTy>
FailureOr<Window> matchWindow(OpTy op, int64_t kh, int64_t kw, int64_t maxWindow,
                              PatternRewriter &rewriter) {
  if (!op.hasPureTensorSemantics())
    return rewriter.notifyMatchFailure(op, "not on tensors");
  auto inputType = cast<RankedTensorType>(op.getInputs()[0].getType());
  auto outType = cast<RankedTensorType>(op.getOutputs()[0].getType());
  if (!inputType.hasStaticShape() || !outType.hasStaticShape() ||
      ShapedType::isDynamic(kh) || ShapedType::isDynamic(kw))
    return rewriter.notifyMatchFailure(op, "needs static shapes");
  if (!isa<FloatType>(outType.getElementType()) ||
      inputType.getElementType() != outType.getElementType())
    return rewriter.notifyMatchFailure(op, "not one float type");
  // Each tap is one more operand: large windows stay the loop nest.
  if (kh * kw > maxWindow)
    return rewriter.notifyMatchFailure(op, "window too large to unroll");
  Window w{outType.getDimSize(0), outType.getDimSize(1), outType.getDimSize(2), outType.getDimSize(3), kh, kw, {}, {}};
  w.strides.assign(op.getStrides().template getValues<int64_t>().begin(),
                   op.getStrides().template getValues<int64_t>().end());
  w.dilations.assign(op.getDilations().template getValues<int64_t>().begin(),
                     op.getDilations().template getValues<int64_t>().end());
  return w;
}

/// Tap (p, q) of `input` [N, C, H, W]: the strided window
/// input[:, :, p*dh + i*sh, q*dw + j*sw] as an [N, C, OH, OW] view. Not
/// rank-reduced: with unit channels or rows, which unit dim a reduced slice
/// drops would be ambiguous.
Value windowOf(PatternRewriter &rewriter, Location loc, Value input, const Window &w, int64_t p,
               int64_t q) {
  auto type = RankedTensorType::get({w.n, w.c, w.oh, w.ow},
                                    cast<RankedTensorType>(input.getType()).getElementType());
  auto index = [&](int64_t v) -> OpFoldResult { return rewriter.getIndexAttr(v); };
  return rewriter.create<tensor::ExtractSliceOp>(
      loc, type, input,
      ArrayRef<OpFoldResult>{index(0), index(0), index(p * w.dilations[0]), index(q * w.dilations[1])},
      ArrayRef<OpFoldResult>{index(w.n), index(w.c), index(w.oh), index(w.ow)},
      ArrayRef<OpFoldResult>{index(1), index(1), index(w.strides[0]), index(w.strides[1])});
}

/// Replaces `op` (result [N, C, OH, OW], initial values `init`) by one
/// all-parallel generic over [N, C, OH, OW] whose inputs are the initial
/// values and then `operands` (with `maps`), and whose body `combine`
/// folds them, writing into a fresh tensor: an op vectorize-ops may split
/// into tasks.
void replaceWithElementwise(
    PatternRewriter &rewriter, Operation *op, Value init, ArrayRef<Value> operands,
    ArrayRef<AffineMap> maps,
    function_ref<Value(OpBuilder &, Location, Value acc, ValueRange args)> combine) {
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(init.getType());
  Value empty = rewriter.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  SmallVector<Value> inputs = {init};
  inputs.append(operands.begin(), operands.end());
  AffineMap identity = AffineMap::getMultiDimIdentityMap(4, op->getContext());
  SmallVector<AffineMap> allMaps = {identity};
  allMaps.append(maps.begin(), maps.end());
  allMaps.push_back(identity);
  rewriter.replaceOpWithNewOp<linalg::GenericOp>(
      op, type, inputs, empty, allMaps,
      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        b.create<linalg::YieldOp>(l, combine(b, l, args[0], args.drop_front().drop_back()));
      });
}

/// y[n, c, i, j] = init[n, c, i, j] + sum over taps (p, q), p outer, of
///   x[n, c, i*sh + p*dh, j*sw + q*dw] * w[c, p, q]
/// (the conv's own order, so the sums are the same).
struct DepthwiseAsElementwise : OpRewritePattern<linalg::DepthwiseConv2DNchwChwOp> {
  DepthwiseAsElementwise(MLIRContext *ctx, int64_t maxWindow)
      : OpRewritePattern(ctx), maxWindow(maxWindow) {}
  int64_t maxWindow;

  LogicalResult matchAndRewrite(linalg::DepthwiseConv2DNchwChwOp conv,
                                PatternRewriter &rewriter) const override {
    Value input = conv.getInputs()[0], filter = conv.getInputs()[1];
    auto filterType = cast<RankedTensorType>(filter.getType());
    if (!filterType.hasStaticShape() ||
        filterType.getElementType() != cast<ShapedType>(input.getType()).getElementType())
      return rewriter.notifyMatchFailure(conv, "needs a static filter of the input's type");
    FailureOr<Window> w = matchWindow(conv, filterType.getDimSize(1), filterType.getDimSize(2),
                                      maxWindow, rewriter);
    if (failed(w))
      return failure();
    Location loc = conv.getLoc();
    MLIRContext *ctx = conv.getContext();
    auto tapType = RankedTensorType::get({w->c}, filterType.getElementType());
    auto index = [&](int64_t v) -> OpFoldResult { return rewriter.getIndexAttr(v); };
    AffineMap identity = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap channel = AffineMap::get(4, 0, {getAffineDimExpr(1, ctx)}, ctx);
    SmallVector<Value> operands;
    SmallVector<AffineMap> maps;
    for (int64_t p = 0; p < w->kh; ++p)
      for (int64_t q = 0; q < w->kw; ++q) {
        operands.push_back(windowOf(rewriter, loc, input, *w, p, q));
        operands.push_back(rewriter.create<tensor::ExtractSliceOp>(
            loc, tapType, filter, ArrayRef<OpFoldResult>{index(0), index(p), index(q)},
            ArrayRef<OpFoldResult>{index(w->c), index(1), index(1)},
            ArrayRef<OpFoldResult>{index(1), index(1), index(1)}));
        maps.append({identity, channel});
      }
    replaceWithElementwise(rewriter, conv, conv.getOutputs()[0], operands, maps,
                           [](OpBuilder &b, Location l, Value acc, ValueRange args) {
                             for (unsigned t = 0; t + 1 < args.size(); t += 2)
                               acc = b.create<arith::AddFOp>(
                                   l, acc, b.create<arith::MulFOp>(l, args[t], args[t + 1]));
                             return acc;
                           });
    return success();
  }
};

/// y[n, c, i, j] = combine(init[n, c, i, j], x[n, c, i*sh + p*dh, j*sw + q*dw])
/// over the taps in the pool's order: arith.maximumf for max pooling (NaN
/// propagating, as linalg.pooling_nchw_max computes), arith.addf for the
/// sum that average pooling divides.
template <typename PoolOp, typename CombineOp>
struct PoolingAsElementwise : OpRewritePattern<PoolOp> {
  PoolingAsElementwise(MLIRContext *ctx, int64_t maxWindow)
      : OpRewritePattern<PoolOp>(ctx), maxWindow(maxWindow) {}
  int64_t maxWindow;

  LogicalResult matchAndRewrite(PoolOp pool, PatternRewriter &rewriter) const override {
    auto windowType = cast<ShapedType>(pool.getInputs()[1].getType());
    FailureOr<Window> w = matchWindow(pool, windowType.getDimSize(0), windowType.getDimSize(1),
                                      maxWindow, rewriter);
    if (failed(w))
      return failure();
    Location loc = pool.getLoc();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(4, pool.getContext());
    SmallVector<Value> operands;
    for (int64_t p = 0; p < w->kh; ++p)
      for (int64_t q = 0; q < w->kw; ++q)
        operands.push_back(windowOf(rewriter, loc, pool.getInputs()[0], *w, p, q));
    SmallVector<AffineMap> maps(operands.size(), identity);
    replaceWithElementwise(rewriter, pool, pool.getOutputs()[0], operands, maps,
                           [](OpBuilder &b, Location l, Value acc, ValueRange args) {
                             for (Value x : args)
                               acc = b.create<CombineOp>(l, acc, x);
                             return acc;
                           });
    return success();
  }
};

struct KilnCPUWindowsAsElementwise
    : kiln::impl::KilnCPUWindowsAsElementwiseBase<KilnCPUWindowsAsElementwise> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DepthwiseAsElementwise,
                 PoolingAsElementwise<linalg::PoolingNchwMaxOp, arith::MaximumFOp>,
                 PoolingAsElementwise<linalg::PoolingNchwSumOp, arith::AddFOp>>(&getContext(),
                                                                               maxWindow);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
