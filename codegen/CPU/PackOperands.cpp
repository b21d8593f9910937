//===- PackOperands.cpp - Matmul operands in the register tile's layout ---===//
//
// See KilnCPUPackOperands in codegen/CPU/Passes.td. Upstream's data tiling
// (tensor.pack + linalg.mmt4d) packs both operands and the output into
// 4-D tiles, which the register tiles here do not need: they broadcast A
// one element at a time, and write C in place. Packing B alone, into the
// panels one register tile streams, is the part that pays (CPU-GEMM.md);
// the packed product stays an ordinary contraction for the tiler.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"
#include "codegen/CPU/Tiles.h"
#include "codegen/Common/ConstantRelayout.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>
#include <vector>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUPACKOPERANDS
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The constant B [K, N] as panels [N/nr, K, nr], computed now. Null when B
/// is not a constant.
Value packedConstant(PatternRewriter &rewriter, Location loc, Value b, int64_t nr) {
  auto type = cast<RankedTensorType>(b.getType());
  int64_t k = type.getDimSize(0), n = type.getDimSize(1);
  auto packedType = RankedTensorType::get({n / nr, k, nr}, type.getElementType());
  return relayoutConstant(rewriter, loc, b, packedType,
                          [&](ArrayRef<char> raw, MutableArrayRef<char> packed, int64_t bytes) {
                            for (int64_t panel = 0; panel < n / nr; ++panel)
                              for (int64_t row = 0; row < k; ++row)
                                std::memcpy(&packed[((panel * k + row) * nr) * bytes],
                                            &raw[(row * n + panel * nr) * bytes], nr * bytes);
                          });
}

struct PackRightOperand : OpRewritePattern<linalg::MatmulOp> {
  PackRightOperand(MLIRContext *ctx, int64_t vectorBits, int64_t vectorRegisters,
                   int64_t minRowsToPack)
      : OpRewritePattern(ctx), vectorBits(vectorBits), vectorRegisters(vectorRegisters),
        minRowsToPack(minRowsToPack) {}
  int64_t vectorBits, vectorRegisters, minRowsToPack;

  LogicalResult matchAndRewrite(linalg::MatmulOp matmul,
                                PatternRewriter &rewriter) const override {
    if (!matmul.hasPureTensorSemantics() || matmul.hasDynamicShape())
      return rewriter.notifyMatchFailure(matmul, "needs static shapes on tensors");
    Value a = matmul.getInputs()[0], b = matmul.getInputs()[1];
    Value init = matmul.getOutputs()[0];
    auto aType = cast<RankedTensorType>(a.getType());
    auto bType = cast<RankedTensorType>(b.getType());
    auto cType = cast<RankedTensorType>(init.getType());
    if (!aType.getElementType().isF32() || !bType.getElementType().isF32() ||
        !cType.getElementType().isF32())
      return rewriter.notifyMatchFailure(matmul, "not f32");
    int64_t m = aType.getDimSize(0), k = aType.getDimSize(1), n = bType.getDimSize(1);
    std::optional<RegisterTile> reg = selectRegisterTile(m, n, vectorBits, vectorRegisters);
    if (!reg)
      return rewriter.notifyMatchFailure(matmul, "narrower than a register tile");
    int64_t nr = reg->cols;
    if (n % nr != 0 || n == nr || k < 2)
      return rewriter.notifyMatchFailure(matmul, "not a whole number of panels");

    Location loc = matmul.getLoc();
    MLIRContext *ctx = matmul.getContext();
    Value packed = packedConstant(rewriter, loc, b, nr);
    if (!packed) {
      if (m < minRowsToPack)
        return rewriter.notifyMatchFailure(matmul, "too few rows to pay for packing");
      // B [K, N] read as [K, N/nr, nr] (free), its panels copied out.
      auto panels = RankedTensorType::get({k, n / nr, nr}, bType.getElementType());
      Value split = rewriter.create<tensor::ExpandShapeOp>(
          loc, panels, b, SmallVector<ReassociationIndices>{{0}, {1, 2}});
      Value empty = rewriter.create<tensor::EmptyOp>(
          loc, SmallVector<int64_t>{n / nr, k, nr}, bType.getElementType());
      packed = rewriter
                   .create<linalg::TransposeOp>(loc, split, empty, ArrayRef<int64_t>{1, 0, 2})
                   .getResult()[0];
    }

    // C [M, N] viewed as [M, N/nr, nr]; loops (m, panel, column, k). A fill
    // or a bias broadcast along the rows is made directly in that shape, so
    // that no reshape stands between it and the product and
    // kiln-cpu-tile-contractions can fuse it into the product's tasks.
    auto cPanels = RankedTensorType::get({m, n / nr, nr}, cType.getElementType());
    Value cInit;
    auto broadcast = init.getDefiningOp<linalg::BroadcastOp>();
    if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
      Value empty = rewriter.create<tensor::EmptyOp>(loc, cPanels.getShape(), cPanels.getElementType());
      cInit = rewriter.create<linalg::FillOp>(loc, fill.getInputs()[0], empty).getResult(0);
    } else if (broadcast && broadcast.getDimensions() == ArrayRef<int64_t>{0}) {
      auto panelsOfBias = RankedTensorType::get({n / nr, nr}, cType.getElementType());
      Value bias = rewriter.create<tensor::ExpandShapeOp>(loc, panelsOfBias, broadcast.getInput(),
                                                          SmallVector<ReassociationIndices>{{0, 1}});
      Value empty = rewriter.create<tensor::EmptyOp>(loc, cPanels.getShape(), cPanels.getElementType());
      cInit = rewriter.create<linalg::BroadcastOp>(loc, bias, empty, ArrayRef<int64_t>{0}).getResult()[0];
    } else {
      cInit = rewriter.create<tensor::ExpandShapeOp>(loc, cPanels, init,
                                                     SmallVector<ReassociationIndices>{{0}, {1, 2}});
    }
    AffineExpr dm = getAffineDimExpr(0, ctx), dj = getAffineDimExpr(1, ctx),
               dc = getAffineDimExpr(2, ctx), dk = getAffineDimExpr(3, ctx);
    SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {dm, dk}, ctx),
                                   AffineMap::get(4, 0, {dj, dk, dc}, ctx),
                                   AffineMap::get(4, 0, {dm, dj, dc}, ctx)};
    SmallVector<utils::IteratorType> iterators = {
        utils::IteratorType::parallel, utils::IteratorType::parallel,
        utils::IteratorType::parallel, utils::IteratorType::reduction};
    auto product = rewriter.create<linalg::GenericOp>(
        loc, cPanels, ValueRange{a, packed}, cInit, maps, iterators,
        [](OpBuilder &bb, Location l, ValueRange args) {
          Value mul = bb.create<arith::MulFOp>(l, args[0], args[1]);
          bb.create<linalg::YieldOp>(l, ValueRange{bb.create<arith::AddFOp>(l, args[2], mul)});
        });
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        matmul, cType, product.getResult(0), SmallVector<ReassociationIndices>{{0}, {1, 2}});
    return success();
  }
};

/// A contraction at least one vector wide along n whose last tile would be
/// narrower than a vector and not a whole number of 4-lane vectors (27
/// columns with 16 lanes: 16 and 11), with B computed at run time: B and C padded with zero columns to
/// a multiple of 4 (28: 16 and 12), so that every register tile
/// vectorizes. The rest of 11 would stay a scalar loop that loads and
/// stores each accumulator on every k step: a convolution's filter
/// gradient [16 filters, 27 taps] over 32768 pixels ran at 12 GFLOP/s.
/// The pad of B costs one copy of it (none where kiln-cpu-pads-in-place
/// lets B's producer write into the padded tensor); a constant B is left
/// as it is (padding it would copy the weights on every run).
struct PadNarrowColumns : OpInterfaceRewritePattern<linalg::LinalgOp> {
  PadNarrowColumns(MLIRContext *ctx, int64_t vectorBits)
      : OpInterfaceRewritePattern(ctx, /*benefit=*/0), lanes(std::max<int64_t>(1, vectorBits / 32)) {}
  int64_t lanes;

  LogicalResult matchAndRewrite(linalg::LinalgOp op, PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.hasDynamicShape() || op->hasAttr(kTilesAttr) ||
        op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
      return rewriter.notifyMatchFailure(op, "not a static contraction on tensors");
    for (OpOperand &operand : op->getOpOperands())
      if (!cast<ShapedType>(operand.get().getType()).getElementType().isF32())
        return rewriter.notifyMatchFailure(op, "not f32");
    FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
    if (failed(dims) || dims->n.size() != 1 || dims->m.empty())
      return rewriter.notifyMatchFailure(op, "not one n dim");
    unsigned n = dims->n[0];
    AffineExpr nExpr = getAffineDimExpr(n, op.getContext());
    if (op.getMatchingIndexingMap(op.getDpsInitOperand(0)).getResults().back() != nExpr)
      return rewriter.notifyMatchFailure(op, "n is not C's innermost dim");
    OpOperand *b = nullptr;
    for (OpOperand *in : op.getDpsInputOperands())
      if (op.getMatchingIndexingMap(in).isFunctionOfDim(n))
        b = in;
    if (!b || op.getMatchingIndexingMap(b).getResults().back() != nExpr)
      return rewriter.notifyMatchFailure(op, "n is not B's innermost dim");
    if (matchPattern(b->get(), m_Constant()))
      return rewriter.notifyMatchFailure(op, "B is a constant");
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t width = ranges[n], rest = width % lanes, rows = 1;
    for (unsigned m : dims->m)
      rows *= ranges[m];
    // Narrower than one vector in all, the product is served as well by
    // LLVM's loops as by vectors of 4 (measured: 16 x 4096 x 11).
    if (width < lanes || rest % 4 == 0 || rows < 4)
      return rewriter.notifyMatchFailure(op, "every register tile vectorizes, or none");

    linalg::LinalgPaddingOptions options;
    SmallVector<Attribute> zeros(op->getNumOperands(), rewriter.getF32FloatAttr(0.0f));
    options.setPaddingDimensions({static_cast<int64_t>(n)})
        .setPadToMultipleOf({4})
        .setPaddingValues(zeros)
        .setCopyBackOp(linalg::LinalgPaddingOptions::CopyBackOp::None);
    linalg::LinalgOp padded;
    SmallVector<Value> replacements;
    SmallVector<tensor::PadOp> pads;
    if (failed(linalg::rewriteAsPaddedOp(rewriter, op, options, padded, replacements, pads)))
      return rewriter.notifyMatchFailure(op, "could not be padded");
    // A zero fill padded with zeros is a fill of the padded shape, which
    // the tiler fuses into the product's tasks.
    for (tensor::PadOp pad : pads) {
      auto fill = pad.getSource().getDefiningOp<linalg::FillOp>();
      if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
        continue;
      rewriter.setInsertionPoint(pad);
      Value empty = rewriter.create<tensor::EmptyOp>(pad.getLoc(), pad.getResultType().getShape(),
                                                     pad.getResultType().getElementType());
      rewriter.replaceOp(pad, rewriter.create<linalg::FillOp>(pad.getLoc(), fill.getInputs()[0], empty)
                                  .getResult(0));
    }
    rewriter.replaceOp(op, replacements);
    return success();
  }
};

struct KilnCPUPackOperands : kiln::impl::KilnCPUPackOperandsBase<KilnCPUPackOperands> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PackRightOperand>(&getContext(), vectorBits, vectorRegisters, minRowsToPack);
    patterns.add<PadNarrowColumns>(&getContext(), vectorBits);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
