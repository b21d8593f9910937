//===- ExpandFloat8.cpp - float8 conversions as integer arithmetic --------===//
//
// See KilnExpandFloat8 in codegen/Passes.td. Upstream (MLIR 19) converts
// float8 memrefs, constants and loads to i8 for LLVM but has no lowering
// for arith.extf / arith.truncf on them: LLVM has no float8 type, and
// arith-expand covers bf16 only. The conversions here are written on the
// bits, as ExpandBF16 does for bf16, and vectorize like any integer code.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/FloatConversions.h"
#include "codegen/Passes.h"
#include "ir/DTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNEXPANDFLOAT8
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// How a float8 format lays out its bits: sign, `exponentBits`,
/// `mantissaBits`, the exponent's bias, and which codes are not finite.
struct Float8Format {
  enum Specials {
    IEEE, // f8E5M2: exponent all ones is infinity (mantissa 0) or NaN
    FN,   // f8E4M3FN: no infinity; S.1111.111 is NaN
    FNUZ, // f8E4M3FNUZ, f8E5M2FNUZ: no infinity, no -0; 0x80 is NaN
  };
  unsigned exponentBits, mantissaBits;
  int bias;
  Specials specials;

  static Float8Format of(Type t) {
    if (t.isFloat8E4M3FN())
      return {4, 3, 7, FN};
    if (t.isFloat8E4M3FNUZ())
      return {4, 3, 8, FNUZ};
    if (t.isFloat8E5M2())
      return {5, 2, 15, IEEE};
    assert(t.isFloat8E5M2FNUZ() && "not a float8 type");
    return {5, 2, 16, FNUZ};
  }

  /// The code of the largest finite magnitude.
  int64_t maxFiniteCode() const {
    switch (specials) {
    case IEEE: return 0x7B; // 0x7C is infinity
    case FN: return 0x7E;   // 0x7F is NaN
    case FNUZ: return 0x7F;
    }
    return 0;
  }
};

/// Integer and float arithmetic on values of one shape (scalar or vector),
/// written out as the rewrites below read.
struct Bits {
  PatternRewriter &b;
  Location loc;
  Type shapeLike; // a value of the shape every value here has

  Type i8() const { return withElement(shapeLike, b.getI8Type()); }
  Type i32() const { return withElement(shapeLike, b.getI32Type()); }
  Type f32() const { return withElement(shapeLike, b.getF32Type()); }
  Value c32(int64_t v) { return intConstantLike(b, loc, i32(), v); }
  Value f(double v) { return floatConstantLike(b, loc, f32(), v); }
  Value and_(Value x, int64_t m) { return b.create<arith::AndIOp>(loc, x, c32(m)); }
  Value or_(Value x, Value y) { return b.create<arith::OrIOp>(loc, x, y); }
  Value add(Value x, Value y) { return b.create<arith::AddIOp>(loc, x, y); }
  Value add(Value x, int64_t y) { return add(x, c32(y)); }
  Value sub(Value x, int64_t y) { return b.create<arith::SubIOp>(loc, x, c32(y)); }
  Value shl(Value x, int64_t n) { return b.create<arith::ShLIOp>(loc, x, c32(n)); }
  Value shr(Value x, int64_t n) { return b.create<arith::ShRUIOp>(loc, x, c32(n)); }
  Value cmp(arith::CmpIPredicate p, Value x, int64_t y) {
    return b.create<arith::CmpIOp>(loc, p, x, c32(y));
  }
  Value select(Value c, Value x, Value y) {
    return b.create<arith::SelectOp>(loc, c, x, y);
  }
  Value select(Value c, int64_t x, Value y) { return select(c, c32(x), y); }
  Value bitcast(Value x, Type t) { return b.create<arith::BitcastOp>(loc, t, x); }
};

/// float8 -> f32 (exact), then to the op's result type (exact as well:
/// every float8 value is an f16, bf16 and f64 value).
struct ExtFromFloat8 : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rewriter) const override {
    Type from = getElementTypeOrSelf(op.getIn().getType());
    if (!isFloat8(from))
      return rewriter.notifyMatchFailure(op, "not from float8");
    Value wide = decode(rewriter, op.getLoc(), op.getIn(), Float8Format::of(from));
    Type to = getElementTypeOrSelf(op.getType());
    if (to.isF32())
      rewriter.replaceOp(op, wide);
    else if (to.isF64())
      rewriter.replaceOpWithNewOp<arith::ExtFOp>(op, op.getType(), wide);
    else
      rewriter.replaceOpWithNewOp<arith::TruncFOp>(op, op.getType(), wide);
    return success();
  }

  static Value decode(PatternRewriter &rewriter, Location loc, Value x,
                      Float8Format fmt) {
    Bits k{rewriter, loc, x.getType()};
    unsigned m = fmt.mantissaBits;
    Value byte = k.bitcast(x, k.i8());
    Value w = rewriter.create<arith::ExtUIOp>(loc, k.i32(), byte);
    Value sign = k.shl(k.and_(w, 0x80), 24);
    Value magnitude = k.and_(w, 0x7F);
    // Normal: the exponent re-biased from the format's bias to f32's, the
    // mantissa moved to the top of f32's.
    Value normal = k.add(k.shl(magnitude, 23 - m), (127 - fmt.bias) << 23);
    // Subnormal (exponent 0): mantissa * 2^(1 - bias - m), exact in f32;
    // zero included.
    Value asFloat = rewriter.create<arith::UIToFPOp>(loc, k.f32(), magnitude);
    Value scaled = rewriter.create<arith::MulFOp>(
        loc, asFloat, k.f(std::ldexp(1.0, 1 - fmt.bias - static_cast<int>(m))));
    Value subnormal = k.bitcast(scaled, k.i32());
    Value isSubnormal = k.cmp(arith::CmpIPredicate::ult, magnitude, 1 << m);
    Value bits = k.select(isSubnormal, subnormal, normal);
    switch (fmt.specials) {
    case Float8Format::IEEE: {
      // Exponent all ones: infinity, or a NaN keeping its payload.
      int64_t expOnes = ((1 << fmt.exponentBits) - 1) << m;
      Value special = k.cmp(arith::CmpIPredicate::uge, magnitude, expOnes);
      Value payload = k.shl(k.and_(magnitude, (1 << m) - 1), 23 - m);
      Value nonFinite = k.or_(k.c32(0x7F800000), payload);
      bits = k.select(special, nonFinite, bits);
      break;
    }
    case Float8Format::FN: {
      Value nan = k.cmp(arith::CmpIPredicate::eq, magnitude, 0x7F);
      bits = k.select(nan, 0x7FC00000, bits);
      break;
    }
    case Float8Format::FNUZ: {
      // 0x80, "-0", is the NaN: its sign goes too.
      Value nan = k.cmp(arith::CmpIPredicate::eq, w, 0x80);
      bits = k.select(nan, 0x7FC00000, bits);
      sign = k.select(nan, 0, sign);
      break;
    }
    }
    return k.bitcast(k.or_(sign, bits), k.f32());
  }
};

/// f16, bf16, f32, f64 -> float8, rounding once to nearest even; past the
/// largest finite value, infinity (f8E5M2) or NaN (the others).
struct TruncToFloat8 : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    Type to = getElementTypeOrSelf(op.getType());
    if (!isFloat8(to))
      return rewriter.notifyMatchFailure(op, "not to float8");
    Location loc = op.getLoc();
    Value x = op.getIn();
    Type from = getElementTypeOrSelf(x.getType());
    Type f32 = withElement(x.getType(), rewriter.getF32Type());
    if (from.isF64())
      x = truncF64ToF32RoundedToOdd(rewriter, loc, x);
    else if (!from.isF32())
      x = rewriter.create<arith::ExtFOp>(loc, f32, x);
    Value code = encode(rewriter, loc, x, Float8Format::of(to));
    rewriter.replaceOp(op, Bits{rewriter, loc, x.getType()}.bitcast(code, op.getType()));
    return success();
  }

  /// The float8 bits (i8) of `x` (f32).
  static Value encode(PatternRewriter &rewriter, Location loc, Value x,
                      Float8Format fmt) {
    Bits k{rewriter, loc, x.getType()};
    int64_t m = fmt.mantissaBits, shift = 23 - m;
    Value u = k.bitcast(x, k.i32());
    Value sign = k.and_(k.shr(u, 24), 0x80);
    Value a = k.and_(u, 0x7FFFFFFF);
    Value isNaN = k.cmp(arith::CmpIPredicate::ugt, a, 0x7F800000);
    // At or above the smallest normal float8, 2^(1 - bias): round f32's
    // mantissa to m bits, half to even (a carry moves into the exponent, as
    // it should), then re-bias the exponent. Unsigned: a NaN's large payload
    // may carry past bit 31, and NaNs are replaced below anyway.
    Value lsb = k.and_(k.shr(a, shift), 1);
    Value rounded = k.shr(k.add(k.add(a, (int64_t(1) << (shift - 1)) - 1), lsb), shift);
    Value normal = k.sub(rounded, int64_t(127 - fmt.bias) << m);
    // Below it: |x| in units of the smallest subnormal, 2^(1 - bias - m),
    // is below 2^m; adding 2^23 rounds it to an integer, half to even, in
    // f32's own addition, and that integer is the code (2^m, when it rounds
    // up, is the smallest normal's).
    Value magnitude = k.bitcast(a, k.f32());
    Value units = rewriter.create<arith::MulFOp>(
        loc, magnitude, k.f(std::ldexp(1.0, fmt.bias - 1 + static_cast<int>(m))));
    Value shifted = rewriter.create<arith::AddFOp>(loc, units, k.f(0x1p23));
    Value subnormal = k.sub(k.bitcast(shifted, k.i32()), 0x4B000000);
    int64_t smallestNormal = int64_t(128 - fmt.bias) << 23;
    Value isSubnormal = k.cmp(arith::CmpIPredicate::ult, a, smallestNormal);
    Value code = k.select(isSubnormal, subnormal, normal);
    // Past the largest finite code (infinities included, whose rounded
    // exponent is far past it).
    Value overflow = k.cmp(arith::CmpIPredicate::ugt, code, fmt.maxFiniteCode());
    Value result;
    switch (fmt.specials) {
    case Float8Format::IEEE: {
      Value finite = k.or_(sign, k.select(overflow, 0x7C, code));
      result = k.select(isNaN, k.or_(sign, k.c32(0x7E)), finite);
      break;
    }
    case Float8Format::FN: {
      Value nonFinite = rewriter.create<arith::OrIOp>(loc, isNaN, overflow);
      result = k.or_(sign, k.select(nonFinite, 0x7F, code));
      break;
    }
    case Float8Format::FNUZ: {
      // No -0: a zero keeps no sign. NaN (and overflow) is 0x80.
      Value zero = k.cmp(arith::CmpIPredicate::eq, code, 0);
      Value signed_ = k.or_(k.select(zero, 0, sign), code);
      Value nonFinite = rewriter.create<arith::OrIOp>(loc, isNaN, overflow);
      result = k.select(nonFinite, 0x80, signed_);
      break;
    }
    }
    return rewriter.create<arith::TruncIOp>(loc, k.i8(), result);
  }
};

bool hasFloat8(TypeRange types) {
  return llvm::any_of(types, [](Type t) { return isFloat8(getElementTypeOrSelf(t)); });
}

/// arith and math ops that compute on float8 values: everything but what
/// lowers as i8 (constants, selects, bitcasts).
bool computesOnFloat8(Operation *op) {
  if (!isa<arith::ArithDialect, math::MathDialect>(op->getDialect()))
    return false;
  if (isa<arith::ConstantOp, arith::SelectOp, arith::BitcastOp>(op))
    return false;
  return hasFloat8(op->getOperandTypes()) || hasFloat8(op->getResultTypes());
}

struct KilnExpandFloat8 : kiln::impl::KilnExpandFloat8Base<KilnExpandFloat8> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<ExtFromFloat8, TruncToFloat8>(ctx);
    // Every other float8 computation fails here, at its location (the ONNX
    // node), instead of in LLVM.
    WalkResult unsupported = getOperation()->walk([](Operation *op) {
      if (!computesOnFloat8(op) || isa<arith::ExtFOp, arith::TruncFOp>(op))
        return WalkResult::advance();
      op->emitOpError("computes on float8, which Kiln only converts, "
                      "selects and moves");
      return WalkResult::interrupt();
    });
    if (unsupported.wasInterrupted())
      return signalPassFailure();
    // A conversion, not the greedy driver: only these ops change, nothing
    // else is folded.
    ConversionTarget target(*ctx);
    target.markUnknownOpDynamicallyLegal(
        [](Operation *op) { return !computesOnFloat8(op); });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
