//===- ExpandBF16.cpp - bf16 conversions as integer arithmetic ------------===//
//
// See KilnCPUExpandBF16 in Passes.td. Upstream has the f32 <-> bf16
// patterns (its arith-expand pass applies them, but also rewrites maximumf,
// minimumf and integer max/min, which we leave to LLVM); f64 and integers
// -> bf16 and bf16 -> f64 are Kiln's.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"
#include "codegen/Common/FloatConversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"

#include <type_traits>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUEXPANDBF16
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using mlir::kiln::withElement;

namespace {

Value constantLike(PatternRewriter &rewriter, Location loc, Type type,
                   int64_t value) {
  return kiln::intConstantLike(rewriter, loc, type, value);
}

/// f64 -> bf16 as f64 -> f32 rounded to odd, then f32 -> bf16 (which
/// upstream's pattern expands in turn). Rounding to odd keeps the sticky
/// information the second rounding needs: f32 has more than two bits over
/// bf16 at every exponent, subnormals included.
struct TruncF64ToBF16 : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    Value x = op.getIn();
    if (!getElementTypeOrSelf(x.getType()).isF64() ||
        !getElementTypeOrSelf(op.getType()).isBF16())
      return rewriter.notifyMatchFailure(op, "not f64 -> bf16");
    Value f32Odd = kiln::truncF64ToF32RoundedToOdd(rewriter, op.getLoc(), x);
    rewriter.replaceOpWithNewOp<arith::TruncFOp>(op, op.getType(), f32Odd);
    return success();
  }
};

/// bf16 -> f64 through f32, which holds bf16 exactly; upstream expands the
/// first step.
struct ExtBF16ToF64 : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rewriter) const override {
    Value x = op.getIn();
    if (!getElementTypeOrSelf(x.getType()).isBF16() ||
        !getElementTypeOrSelf(op.getType()).isF64())
      return rewriter.notifyMatchFailure(op, "not bf16 -> f64");
    Type f32 = withElement(x.getType(), rewriter.getF32Type());
    Value wide = rewriter.create<arith::ExtFOp>(op.getLoc(), f32, x);
    rewriter.replaceOpWithNewOp<arith::ExtFOp>(op, op.getType(), wide);
    return success();
  }
};

/// Integer -> bf16 with one rounding: through a float type that holds the
/// integer exactly (f32 up to 24 bits, f64 up to 53), then the expanded
/// truncf. Wider magnitudes are first rounded to odd on a grid of 2^11,
/// which f64 holds exactly and which keeps bf16's rounding. Converting
/// through f32 rounded to nearest, as LLVM does, rounds twice:
/// 2^24 + 2^16 + 1 became the tie 2^24 + 2^16 and then 2^24.
template <typename IntToFloatOp>
struct IntToBF16 : OpRewritePattern<IntToFloatOp> {
  using OpRewritePattern<IntToFloatOp>::OpRewritePattern;
  static constexpr bool isSigned = std::is_same_v<IntToFloatOp, arith::SIToFPOp>;

  LogicalResult matchAndRewrite(IntToFloatOp op,
                                PatternRewriter &rewriter) const override {
    Value x = op.getIn();
    if (!getElementTypeOrSelf(op.getType()).isBF16())
      return rewriter.notifyMatchFailure(op, "not to bf16");
    Location loc = op.getLoc();
    unsigned width = getElementTypeOrSelf(x.getType()).getIntOrFloatBitWidth();
    unsigned magnitudeBits = isSigned ? width - 1 : width;
    Type wide = withElement(x.getType(), magnitudeBits <= 24
                                             ? Type(rewriter.getF32Type())
                                             : Type(rewriter.getF64Type()));
    Value exact = magnitudeBits <= 53 ? rewriter.create<IntToFloatOp>(loc, wide, x)
                                      : toF64RoundedToOdd(rewriter, loc, x, wide);
    rewriter.replaceOpWithNewOp<arith::TruncFOp>(op, op.getType(), exact);
    return success();
  }

  /// `x` (more than 53 magnitude bits) in f64, rounded to odd on a grid of
  /// 2^11: bits 63..11 are 53 bits.
  static Value toF64RoundedToOdd(PatternRewriter &rewriter, Location loc,
                                 Value x, Type f64) {
    Type t = x.getType();
    Value zero = constantLike(rewriter, loc, t, 0);
    Value magnitude = x, negative;
    if (isSigned) {
      // 0 - INT_MIN wraps to INT_MIN, which is its magnitude read unsigned.
      negative = rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt,
                                                x, zero);
      Value negated = rewriter.create<arith::SubIOp>(loc, zero, x);
      magnitude = rewriter.create<arith::SelectOp>(loc, negative, negated, x);
    }
    Value lowMask = constantLike(rewriter, loc, t, 0x7FF);
    Value low = rewriter.create<arith::AndIOp>(loc, magnitude, lowMask);
    Value highMask = constantLike(rewriter, loc, t, ~int64_t(0x7FF));
    Value high = rewriter.create<arith::AndIOp>(loc, magnitude, highMask);
    Value inexact =
        rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, low, zero);
    Value oddBit = rewriter.create<arith::SelectOp>(
        loc, inexact, constantLike(rewriter, loc, t, 0x800), zero);
    Value odd = rewriter.create<arith::OrIOp>(loc, high, oddBit);
    Value limit = constantLike(rewriter, loc, t, int64_t(1) << 53);
    Value large = rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::uge,
                                                 magnitude, limit);
    Value reduced = rewriter.create<arith::SelectOp>(loc, large, odd, magnitude);
    Value r = rewriter.create<arith::UIToFPOp>(loc, f64, reduced);
    if (!isSigned)
      return r;
    Value negatedR = rewriter.create<arith::NegFOp>(loc, r);
    return rewriter.create<arith::SelectOp>(loc, negative, negatedR, r);
  }
};

/// A conversion to or from bf16 that LLVM would get wrong.
bool convertsBF16(Operation *op) {
  if (!isa<arith::SIToFPOp, arith::UIToFPOp, arith::ExtFOp, arith::TruncFOp>(
          op))
    return false;
  Type in = getElementTypeOrSelf(op->getOperand(0).getType());
  Type out = getElementTypeOrSelf(op->getResult(0).getType());
  if (isa<arith::SIToFPOp, arith::UIToFPOp>(op))
    return out.isBF16();
  auto wide = [](Type t) { return t.isF32() || t.isF64(); };
  return (in.isBF16() && wide(out)) || (wide(in) && out.isBF16());
}

struct KilnCPUExpandBF16
    : kiln::impl::KilnCPUExpandBF16Base<KilnCPUExpandBF16> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<TruncF64ToBF16, ExtBF16ToF64, IntToBF16<arith::SIToFPOp>,
                 IntToBF16<arith::UIToFPOp>>(ctx);
    arith::populateExpandBFloat16Patterns(patterns);
    // A conversion, not the greedy driver: only these ops change, nothing
    // else is folded.
    ConversionTarget target(*ctx);
    target.markUnknownOpDynamicallyLegal(
        [](Operation *op) { return !convertsBF16(op); });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
