//===- Elementwise.cpp - kiln elementwise ops -> linalg.generic -----------===//
//
// Every elementwise kiln op becomes the same thing: one linalg.generic over
// the result shape whose operands are read through NumPy broadcasting maps.
// Only the scalar body differs, so there is one pattern and one table from op
// name to body builder; the table also marks the ops illegal.
//
// Scalar semantics (see KilnOps.td): integers are signed, bools are 0/1;
// float -> int casts round toward zero and saturate with NaN -> 0; integer
// division never traps (x / 0 = 0, INT_MIN / -1 wraps). f16/bf16 compute in
// f32 and round once at the end.
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {

/// What a scalar body builder sees: the kiln op (for its attributes), the
/// scalar operands (in the compute type when the table entry asks for it) and
/// the element type the body should produce.
struct Scalars {
  OpBuilder &b;
  Location loc;
  Operation *op;
  ValueRange args;
  Type resultType;

  Value constant(Type t, double v) const { return createScalar(b, loc, t, v); }
  Value constant(double v) const { return constant(args[0].getType(), v); }
  bool isFloat() const { return isa<FloatType>(args[0].getType()); }
};

using BodyFn = Value (*)(const Scalars &);

struct ElementwiseLowering {
  StringLiteral opName;
  BodyFn body;
  /// Extend f16/bf16 operands to f32 and truncate the result back.
  bool computeInF32;
};

} // namespace

//===----------------------------------------------------------------------===//
// Scalar bodies
//===----------------------------------------------------------------------===//

template <typename MathOp>
static Value mathUnary(const Scalars &s) {
  return s.b.create<MathOp>(s.loc, s.args[0]);
}

template <typename FloatOp, typename IntOp>
static Value arithBinary(const Scalars &s) {
  if (s.isFloat())
    return s.b.create<FloatOp>(s.loc, s.args[0], s.args[1]);
  return s.b.create<IntOp>(s.loc, s.args[0], s.args[1]);
}

static Value negBody(const Scalars &s) {
  if (s.isFloat())
    return s.b.create<arith::NegFOp>(s.loc, s.args[0]);
  return s.b.create<arith::SubIOp>(s.loc, s.constant(0), s.args[0]);
}

static Value absBody(const Scalars &s) {
  if (s.isFloat())
    return s.b.create<math::AbsFOp>(s.loc, s.args[0]);
  return s.b.create<math::AbsIOp>(s.loc, s.args[0]);
}

static Value reluBody(const Scalars &s) {
  // maximumf keeps NaN, as PyTorch's relu does.
  if (s.isFloat())
    return s.b.create<arith::MaximumFOp>(s.loc, s.args[0], s.constant(0));
  return s.b.create<arith::MaxSIOp>(s.loc, s.args[0], s.constant(0));
}

static Value reciprocalBody(const Scalars &s) {
  return s.b.create<arith::DivFOp>(s.loc, s.constant(1), s.args[0]);
}

static Value sigmoidBody(const Scalars &s) {
  // 1 / (1 + e^-x): e^-x overflows to +inf for very negative x, giving 0.
  Value negated = s.b.create<arith::NegFOp>(s.loc, s.args[0]);
  Value e = s.b.create<math::ExpOp>(s.loc, negated);
  Value denom = s.b.create<arith::AddFOp>(s.loc, s.constant(1), e);
  return s.b.create<arith::DivFOp>(s.loc, s.constant(1), denom);
}

static Value notBody(const Scalars &s) {
  return s.b.create<arith::XOrIOp>(s.loc, s.args[0], s.constant(1));
}

/// min(max(v, 0), 1), NaN-propagating.
static Value clamp01(const Scalars &s, Value v) {
  Value lo = s.b.create<arith::MaximumFOp>(s.loc, v, s.constant(0));
  return s.b.create<arith::MinimumFOp>(s.loc, lo, s.constant(1));
}

static Value hardSwishBody(const Scalars &s) {
  Value x = s.args[0];
  Value scaled = s.b.create<arith::DivFOp>(s.loc, x, s.constant(6));
  Value shifted = s.b.create<arith::AddFOp>(s.loc, scaled, s.constant(0.5));
  return s.b.create<arith::MulFOp>(s.loc, x, clamp01(s, shifted));
}

static Value hardSigmoidBody(const Scalars &s) {
  auto op = cast<HardSigmoidOp>(s.op);
  Value x = s.args[0];
  Value ax = s.b.create<arith::MulFOp>(
      s.loc, x, s.constant(op.getAlpha().convertToDouble()));
  Value axb = s.b.create<arith::AddFOp>(
      s.loc, ax, s.constant(op.getBeta().convertToDouble()));
  return clamp01(s, axb);
}

static Value leakyReluBody(const Scalars &s) {
  auto op = cast<LeakyReluOp>(s.op);
  Value x = s.args[0];
  Value scaled = s.b.create<arith::MulFOp>(
      s.loc, x, s.constant(op.getAlpha().convertToDouble()));
  Value nonNegative = s.b.create<arith::CmpFOp>(
      s.loc, arith::CmpFPredicate::OGE, x, s.constant(0));
  return s.b.create<arith::SelectOp>(s.loc, nonNegative, x, scaled);
}

static Value geluBody(const Scalars &s) {
  auto op = cast<GeluOp>(s.op);
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value x = s.args[0];
  Value cdfTerm; // erf(x / sqrt 2), or its tanh approximation
  if (op.getApproximate() == GeluApproximation::tanh) {
    Value x3 = b.create<arith::MulFOp>(
        loc, b.create<arith::MulFOp>(loc, x, x), x);
    Value inner = b.create<arith::AddFOp>(
        loc, x, b.create<arith::MulFOp>(loc, s.constant(0.044715), x3));
    Value scaled = b.create<arith::MulFOp>(
        loc, s.constant(std::sqrt(2.0 / M_PI)), inner);
    cdfTerm = b.create<math::TanhOp>(loc, scaled);
  } else {
    cdfTerm = b.create<math::ErfOp>(
        loc, b.create<arith::MulFOp>(loc, x, s.constant(M_SQRT1_2)));
  }
  Value onePlus = b.create<arith::AddFOp>(loc, s.constant(1), cdfTerm);
  Value halfX = b.create<arith::MulFOp>(loc, s.constant(0.5), x);
  return b.create<arith::MulFOp>(loc, halfX, onePlus);
}

static Value clipBody(const Scalars &s) {
  auto op = cast<ClipOp>(s.op);
  Value v = s.args[0];
  std::optional<APFloat> lo = op.getMin(), hi = op.getMax();
  if (s.isFloat()) {
    if (lo)
      v = s.b.create<arith::MaximumFOp>(s.loc, v,
                                        s.constant(lo->convertToDouble()));
    if (hi)
      v = s.b.create<arith::MinimumFOp>(s.loc, v,
                                        s.constant(hi->convertToDouble()));
    return v;
  }
  // The verifier admits only integral bounds on integer tensors.
  if (lo)
    v = s.b.create<arith::MaxSIOp>(
        s.loc, v, s.constant(std::ceil(lo->convertToDouble())));
  if (hi)
    v = s.b.create<arith::MinSIOp>(
        s.loc, v, s.constant(std::floor(hi->convertToDouble())));
  return v;
}

static Value divBody(const Scalars &s) {
  if (s.isFloat())
    return s.b.create<arith::DivFOp>(s.loc, s.args[0], s.args[1]);
  // divsi traps (x86 idiv) on x / 0 and INT_MIN / -1. Divide by 1 in those
  // cases and patch the result: x / 0 = 0 (NumPy's value), x / -1 = 0 - x
  // (wrapping, so INT_MIN / -1 = INT_MIN).
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value lhs = s.args[0], rhs = s.args[1];
  Value zero = s.constant(0), one = s.constant(1);
  Value isZero =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, rhs, zero);
  Value isMinusOne = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq,
                                             rhs, s.constant(-1));
  Value unsafe = b.create<arith::OrIOp>(loc, isZero, isMinusOne);
  Value divisor = b.create<arith::SelectOp>(loc, unsafe, one, rhs);
  Value q = b.create<arith::DivSIOp>(loc, lhs, divisor);
  Value negated = b.create<arith::SubIOp>(loc, zero, lhs);
  q = b.create<arith::SelectOp>(loc, isMinusOne, negated, q);
  return b.create<arith::SelectOp>(loc, isZero, zero, q);
}

/// Ordered predicates: NaN compares false, except `ne`.
static arith::CmpFPredicate getFloatPredicate(ComparePredicate p) {
  switch (p) {
  case ComparePredicate::eq: return arith::CmpFPredicate::OEQ;
  case ComparePredicate::ne: return arith::CmpFPredicate::UNE;
  case ComparePredicate::lt: return arith::CmpFPredicate::OLT;
  case ComparePredicate::le: return arith::CmpFPredicate::OLE;
  case ComparePredicate::gt: return arith::CmpFPredicate::OGT;
  case ComparePredicate::ge: return arith::CmpFPredicate::OGE;
  }
  llvm_unreachable("unknown compare predicate");
}

/// Bools order as 0 < 1 (unsigned); other integers are signed.
static arith::CmpIPredicate getIntPredicate(ComparePredicate p, bool isBool) {
  switch (p) {
  case ComparePredicate::eq: return arith::CmpIPredicate::eq;
  case ComparePredicate::ne: return arith::CmpIPredicate::ne;
  case ComparePredicate::lt:
    return isBool ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
  case ComparePredicate::le:
    return isBool ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
  case ComparePredicate::gt:
    return isBool ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
  case ComparePredicate::ge:
    return isBool ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
  }
  llvm_unreachable("unknown compare predicate");
}

static Value compareBody(const Scalars &s) {
  ComparePredicate p = cast<CompareOp>(s.op).getPredicate();
  Value lhs = s.args[0], rhs = s.args[1];
  if (s.isFloat())
    return s.b.create<arith::CmpFOp>(s.loc, getFloatPredicate(p), lhs, rhs);
  return s.b.create<arith::CmpIOp>(
      s.loc, getIntPredicate(p, lhs.getType().isInteger(1)), lhs, rhs);
}

static Value selectBody(const Scalars &s) {
  return s.b.create<arith::SelectOp>(s.loc, s.args[0], s.args[1], s.args[2]);
}

/// Float -> signed integer: round toward zero, saturate, NaN -> 0. fptosi
/// alone gives poison out of range, so only in-range values reach it. The
/// range test runs in f64, where +-2^(width-1) are exact for every width.
static Value floatToInt(const Scalars &s, Value x, IntegerType to) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Type f64 = b.getF64Type();
  Value xd = convertFloat(b, loc, x, f64);
  double bound = std::ldexp(1.0, to.getWidth() - 1);
  Value lo = s.constant(f64, -bound), hi = s.constant(f64, bound);
  Value tooLow = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, xd, lo);
  Value tooHigh = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, xd, hi);
  Value inRange = b.create<arith::AndIOp>(
      loc, b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, xd, lo),
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, xd, hi));
  Value safe = b.create<arith::SelectOp>(loc, inRange, xd, s.constant(f64, 0));
  Value r = b.create<arith::FPToSIOp>(loc, to, safe);
  r = b.create<arith::SelectOp>(
      loc, tooHigh, b.create<arith::ConstantOp>(loc, getHighestAttr(to)), r);
  return b.create<arith::SelectOp>(
      loc, tooLow, b.create<arith::ConstantOp>(loc, getLowestAttr(to)), r);
}

static Value castBody(const Scalars &s) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value x = s.args[0];
  Type from = x.getType(), to = s.resultType;
  if (from == to)
    return x;
  bool fromFloat = isa<FloatType>(from);
  if (to.isInteger(1)) {
    if (fromFloat) // NaN != 0 is true, as in the folder.
      return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x,
                                     s.constant(0));
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, x,
                                   s.constant(0));
  }
  if (isa<FloatType>(to)) {
    if (fromFloat)
      return convertFloat(b, loc, x, to);
    if (from.isInteger(1))
      return b.create<arith::UIToFPOp>(loc, to, x);
    return b.create<arith::SIToFPOp>(loc, to, x);
  }
  auto toInt = cast<IntegerType>(to);
  if (fromFloat)
    return floatToInt(s, x, toInt);
  if (from.getIntOrFloatBitWidth() > toInt.getWidth())
    return b.create<arith::TruncIOp>(loc, to, x);
  if (from.isInteger(1))
    return b.create<arith::ExtUIOp>(loc, to, x);
  return b.create<arith::ExtSIOp>(loc, to, x);
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

template <typename KilnOp>
static constexpr ElementwiseLowering entry(BodyFn body, bool computeInF32) {
  return {KilnOp::getOperationName(), body, computeInF32};
}

static const ElementwiseLowering kElementwiseLowerings[] = {
    // Unary
    entry<NegOp>(negBody, true),
    entry<AbsOp>(absBody, true),
    entry<ReluOp>(reluBody, true),
    entry<ExpOp>(mathUnary<math::ExpOp>, true),
    entry<LogOp>(mathUnary<math::LogOp>, true),
    entry<SqrtOp>(mathUnary<math::SqrtOp>, true),
    entry<RsqrtOp>(mathUnary<math::RsqrtOp>, true),
    entry<ReciprocalOp>(reciprocalBody, true),
    entry<TanhOp>(mathUnary<math::TanhOp>, true),
    entry<SigmoidOp>(sigmoidBody, true),
    entry<ErfOp>(mathUnary<math::ErfOp>, true),
    entry<SinOp>(mathUnary<math::SinOp>, true),
    entry<CosOp>(mathUnary<math::CosOp>, true),
    entry<FloorOp>(mathUnary<math::FloorOp>, true),
    entry<CeilOp>(mathUnary<math::CeilOp>, true),
    entry<NotOp>(notBody, false),
    entry<HardSwishOp>(hardSwishBody, true),
    entry<GeluOp>(geluBody, true),
    entry<LeakyReluOp>(leakyReluBody, true),
    entry<HardSigmoidOp>(hardSigmoidBody, true),
    entry<ClipOp>(clipBody, true),
    // The cast body handles every pair of types itself.
    entry<CastOp>(castBody, false),
    // Binary
    entry<AddOp>(arithBinary<arith::AddFOp, arith::AddIOp>, true),
    entry<SubOp>(arithBinary<arith::SubFOp, arith::SubIOp>, true),
    entry<MulOp>(arithBinary<arith::MulFOp, arith::MulIOp>, true),
    entry<DivOp>(divBody, true),
    entry<PowOp>(arithBinary<math::PowFOp, math::PowFOp>, true),
    entry<MaxOp>(arithBinary<arith::MaximumFOp, arith::MaxSIOp>, true),
    entry<MinOp>(arithBinary<arith::MinimumFOp, arith::MinSIOp>, true),
    entry<AndOp>(arithBinary<arith::AndIOp, arith::AndIOp>, false),
    entry<OrOp>(arithBinary<arith::OrIOp, arith::OrIOp>, false),
    // Comparison is exact in any float type: no widening needed.
    entry<CompareOp>(compareBody, false),
    entry<SelectOp>(selectBody, false),
};

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

namespace {

/// Any table op -> one broadcasting linalg.generic with the entry's body.
struct ElementwiseToGeneric : ConversionPattern {
  ElementwiseToGeneric(const ElementwiseLowering &lowering, MLIRContext *ctx)
      : ConversionPattern(lowering.opName, /*benefit=*/1, ctx),
        lowering(lowering) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (!resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic result shape");
    MLIRContext *ctx = op->getContext();
    ArrayRef<int64_t> shape = resultType.getShape();
    SmallVector<AffineMap> maps;
    for (Value v : operands)
      maps.push_back(getBroadcastMap(
          ctx, cast<RankedTensorType>(v.getType()).getShape(), shape));
    maps.push_back(AffineMap::getMultiDimIdentityMap(shape.size(), ctx));

    Location loc = op->getLoc();
    Type resultElement = resultType.getElementType();
    Value init = createEmpty(rewriter, loc, shape, resultElement);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, resultType, operands, init, maps,
        getParallelIterators(shape.size()),
        [&](OpBuilder &b, Location nloc, ValueRange blockArgs) {
          SmallVector<Value> args(blockArgs.drop_back());
          Type bodyType = resultElement;
          if (lowering.computeInF32) {
            for (Value &a : args)
              a = toComputeType(b, nloc, a);
            bodyType = getComputeType(resultElement);
          }
          Value r = lowering.body(Scalars{b, nloc, op, args, bodyType});
          b.create<linalg::YieldOp>(nloc,
                                    convertFloat(b, nloc, r, resultElement));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }

  ElementwiseLowering lowering;
};

/// kiln.constant -> arith.constant of the same attribute.
struct ConstantToArith : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = cast<TypedAttr>(op.getValue());
    if (value.getType() != op.getType())
      return rewriter.notifyMatchFailure(op, "value type differs from result");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

} // namespace

void mlir::kiln::populateElementwisePatterns(RewritePatternSet &patterns,
                                             ConversionTarget &target) {
  MLIRContext *ctx = patterns.getContext();
  for (const ElementwiseLowering &lowering : kElementwiseLowerings) {
    patterns.add<ElementwiseToGeneric>(lowering, ctx);
    target.addIllegalOp(OperationName(lowering.opName, ctx));
  }
  patterns.add<ConstantToArith>(ctx);
  target.addIllegalOp<ConstantOp>();
}
