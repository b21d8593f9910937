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

struct KilnCPUPackOperands : kiln::impl::KilnCPUPackOperandsBase<KilnCPUPackOperands> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PackRightOperand>(&getContext(), vectorBits, vectorRegisters, minRowsToPack);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
