//===- ElementwiseSemantics.h - What each elementwise kiln op computes -*- C++ -*-===//
//
// The scalar semantics of every elementwise kiln op, written once, in one
// table. Each op's semantics is a function template over an *algebra*, the
// scalar operations it may use, and two algebras instantiate it:
//
//   - ScalarEvaluator (ir/ScalarEvaluator.h) computes on APFloat/APInt; the
//     folders evaluate constants with it (ir/ops/Elementwise.cpp);
//   - ScalarBuilder (codegen/KilnToLinalg/ScalarBuilder.h) emits arith and
//     math ops; the lowering builds each linalg.generic body with it.
//
// So a folded constant and the generated code take the same steps, in the
// same types, with the same constants.
//
// Why templates over an algebra rather than (a) emitting arith/math and
// folding that IR, or (b) a virtual algebra interface: (a) would build and
// fold IR for every element of a 4M-element weight cast, and upstream's
// folders decline f16/bf16 and what kiln defines but arith leaves undefined;
// (b) would put both kinds of value (mlir::Value, APFloat/APInt) behind one
// boxed handle. Both algebras are known at compile time, so each keeps its
// own value type and the evaluator's arithmetic inlines.
//
// An algebra A provides (arith's and math's operations, with their types and
// their undefined cases):
//
//   using Value = ...;               a scalar of a kiln element type, f64 or i1
//   Type typeOf(Value)
//   Value constant(Type, double)     converted as ir/ElementValues.h says
//   Value constantInt(IntegerType, const APInt &)
//   floats, IEEE 754 in the operands' type, rounding to nearest even:
//     negf absf addf subf mulf divf floor ceil
//     maximumf minimumf              NaN wins; -0 < +0
//     exp log sqrt rsqrt tanh erf sin cos powf
//     tan acos asin atan sinh cosh acosh asinh atanh
//     cmpf(ComparePredicate, a, b)   as C's operators: false with NaN but ne
//   integers, two's complement, wrapping (signless iN and unsigned uiN
//   alike; the algebra keeps each value's kiln type):
//     addi subi muli andi ori xori maxsi minsi maxui minui absi
//     divsi                          undefined for x / 0 and INT_MIN / -1
//     divui                          undefined for x / 0
//     shli shrui shrsi               undefined for amounts >= the bit width
//     cmpsi, cmpui(ComparePredicate, a, b)   signed, unsigned order
//   select(cond, a, b)
//   conversions to the given type:
//     convertf (float to float, rounding to nearest; the identity for the
//     same type), sitofp, uitofp, extsi, extui, trunci,
//     reinterpreti (the same bits as another integer type of its width),
//     fptosi, fptoui (toward zero; undefined for NaN and out of range)
//     bitcast (the same bits as another type of its width, float or
//     integer)
//
// Signless integers are signed; uiN are unsigned, and each row below picks
// the unsigned operation (divui, cmpui, maxui, uitofp, extui, fptoui) for
// them.
//
// The semantics below never reach an undefined case (integer division and
// float -> int casts route around them): every kiln op is total. Each one
// builds its steps as separate statements, so both algebras see them in one
// order (C++ leaves the order of argument evaluation open).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_ELEMENTWISESEMANTICS_H
#define KILN_IR_ELEMENTWISESEMANTICS_H

#include "ir/DTypes.h"
#include "ir/ElementValues.h"
#include "ir/KilnOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cmath>

namespace mlir::kiln {

/// What an op's semantics see: the algebra, the op (for the attributes its
/// row lists; null for rows that list none), the operands (in the compute
/// type when the row computes in f32) and the element type to produce (then
/// the result's compute type).
template <typename A>
struct ElementwiseArgs {
  A &alg;
  Operation *op;
  ArrayRef<typename A::Value> x;
  Type resultType;
};

/// Element types an op's semantics are defined on: those of its last operand
/// (every operand but select's condition, always bool, shares it).
enum ElementKinds : unsigned {
  FloatElements = 1,
  IntElements = 2,
  BoolElements = 4,
  NumericElements = FloatElements | IntElements,
  AnyElements = FloatElements | IntElements | BoolElements,
};

/// One row of the table.
template <typename A>
struct ElementwiseSemantics {
  StringLiteral opName;
  unsigned arity;
  unsigned kinds; // ElementKinds
  /// f16/bf16 operands are extended to f32 and the result rounded once.
  bool computeInF32;
  /// The attributes the semantics read (all the op's; a unit test checks
  /// them against ODS, so a new attribute cannot go unread).
  ArrayRef<StringLiteral> attributes;
  typename A::Value (*compute)(const ElementwiseArgs<A> &);

  bool appliesTo(Type operandElementType) const {
    unsigned kind = isa<FloatType>(operandElementType) ? FloatElements
                    : operandElementType.isInteger(1) ? BoolElements
                                                      : IntElements;
    return kinds & kind;
  }
};

//===----------------------------------------------------------------------===//
// The semantics of each op
//===----------------------------------------------------------------------===//

namespace semantics {

template <typename A>
using ValueOf = typename A::Value;

template <typename A>
bool isFloat(A &a, const ValueOf<A> &v) {
  return isa<FloatType>(a.typeOf(v));
}

/// uiN: the integers whose order, division and widening are unsigned.
inline bool isUnsignedInt(Type t) {
  auto it = dyn_cast<IntegerType>(t);
  return it && it.isUnsigned();
}

template <typename A>
bool isUnsigned(A &a, const ValueOf<A> &v) {
  return isUnsignedInt(a.typeOf(v));
}

/// The integer max/min in the operands' order.
template <typename A>
ValueOf<A> maxi(A &a, const ValueOf<A> &x, const ValueOf<A> &y) {
  return isUnsigned(a, x) ? a.maxui(x, y) : a.maxsi(x, y);
}

template <typename A>
ValueOf<A> mini(A &a, const ValueOf<A> &x, const ValueOf<A> &y) {
  return isUnsigned(a, x) ? a.minui(x, y) : a.minsi(x, y);
}

/// The integer comparison in the operands' order (bools order as 0 < 1).
template <typename A>
ValueOf<A> cmpi(A &a, ComparePredicate p, const ValueOf<A> &x,
                const ValueOf<A> &y) {
  Type t = a.typeOf(x);
  return isUnsignedInt(t) || t.isInteger(1) ? a.cmpui(p, x, y)
                                            : a.cmpsi(p, x, y);
}

template <typename A>
ValueOf<A> absInt(A &a, const ValueOf<A> &x) {
  return isUnsigned(a, x) ? x : a.absi(x);
}

template <typename A>
ValueOf<A> absValue(const ElementwiseArgs<A> &s) {
  return isFloat(s.alg, s.x[0]) ? s.alg.absf(s.x[0]) : absInt(s.alg, s.x[0]);
}

template <typename A>
ValueOf<A> maxValue(const ElementwiseArgs<A> &s) {
  return isFloat(s.alg, s.x[0]) ? s.alg.maximumf(s.x[0], s.x[1])
                                : maxi(s.alg, s.x[0], s.x[1]);
}

template <typename A>
ValueOf<A> minValue(const ElementwiseArgs<A> &s) {
  return isFloat(s.alg, s.x[0]) ? s.alg.minimumf(s.x[0], s.x[1])
                                : mini(s.alg, s.x[0], s.x[1]);
}

/// A constant of `like`'s type.
template <typename A>
ValueOf<A> constantLike(A &a, const ValueOf<A> &like, double value) {
  return a.constant(a.typeOf(like), value);
}

/// One algebra operation on the operand(s), as it stands (exp, and, pow).
template <typename A, auto Op>
ValueOf<A> unary(const ElementwiseArgs<A> &s) {
  return (s.alg.*Op)(s.x[0]);
}

template <typename A, auto Op>
ValueOf<A> binary(const ElementwiseArgs<A> &s) {
  return (s.alg.*Op)(s.x[0], s.x[1]);
}

/// The float or the integer operation, by the operands' type.
template <typename A, auto FloatOp, auto IntOp>
ValueOf<A> unaryFloatOrInt(const ElementwiseArgs<A> &s) {
  return isFloat(s.alg, s.x[0]) ? (s.alg.*FloatOp)(s.x[0])
                                : (s.alg.*IntOp)(s.x[0]);
}

template <typename A, auto FloatOp, auto IntOp>
ValueOf<A> binaryFloatOrInt(const ElementwiseArgs<A> &s) {
  return isFloat(s.alg, s.x[0]) ? (s.alg.*FloatOp)(s.x[0], s.x[1])
                                : (s.alg.*IntOp)(s.x[0], s.x[1]);
}

template <typename A>
ValueOf<A> neg(const ElementwiseArgs<A> &s) {
  A &a = s.alg;
  const ValueOf<A> &x = s.x[0];
  if (isFloat(a, x))
    return a.negf(x);
  ValueOf<A> zero = constantLike(a, x, 0);
  return a.subi(zero, x);
}

/// max(x, 0); maximumf keeps NaN, as PyTorch's relu does.
template <typename A>
ValueOf<A> relu(const ElementwiseArgs<A> &s) {
  A &a = s.alg;
  const ValueOf<A> &x = s.x[0];
  ValueOf<A> zero = constantLike(a, x, 0);
  return isFloat(a, x) ? a.maximumf(x, zero) : maxi(a, x, zero);
}

template <typename A>
ValueOf<A> reciprocal(const ElementwiseArgs<A> &s) {
  A &a = s.alg;
  ValueOf<A> one = constantLike(a, s.x[0], 1);
  return a.divf(one, s.x[0]);
}

/// 1 / (1 + e^-x): e^-x overflows to +inf for very negative x, giving 0.
template <typename A>
ValueOf<A> sigmoid(const ElementwiseArgs<A> &s) {
  A &a = s.alg;
  const ValueOf<A> &x = s.x[0];
  ValueOf<A> e = a.exp(a.negf(x));
  ValueOf<A> one = constantLike(a, x, 1);
  ValueOf<A> denom = a.addf(one, e);
  return a.divf(one, denom);
}

template <typename A>
ValueOf<A> logicalNot(const ElementwiseArgs<A> &s) {
  A &a = s.alg;
  ValueOf<A> one = constantLike(a, s.x[0], 1);
  return a.xori(s.x[0], one);
}

/// min(max(v, 0), 1), NaN-propagating.
template <typename A>
ValueOf<A> clamp01(A &a, const ValueOf<A> &v) {
  ValueOf<A> zero = constantLike(a, v, 0);
  ValueOf<A> lo = a.maximumf(v, zero);
  ValueOf<A> one = constantLike(a, v, 1);
  return a.minimumf(lo, one);
}

/// x * clamp01(x / 6 + 1/2).
template <typename A>
ValueOf<A> hardSwish(const ElementwiseArgs<A> &s) {
  A &a = s.alg;
  const ValueOf<A> &x = s.x[0];
  ValueOf<A> six = constantLike(a, x, 6);
  ValueOf<A> scaled = a.divf(x, six);
  ValueOf<A> half = constantLike(a, x, 0.5);
  ValueOf<A> shifted = a.addf(scaled, half);
  return a.mulf(x, clamp01(a, shifted));
}

/// clamp01(alpha * x + beta).
template <typename A>
ValueOf<A> hardSigmoid(const ElementwiseArgs<A> &s) {
  auto op = cast<HardSigmoidOp>(s.op);
  A &a = s.alg;
  const ValueOf<A> &x = s.x[0];
  ValueOf<A> alpha = constantLike(a, x, op.getAlpha().convertToDouble());
  ValueOf<A> ax = a.mulf(x, alpha);
  ValueOf<A> beta = constantLike(a, x, op.getBeta().convertToDouble());
  return clamp01(a, a.addf(ax, beta));
}

/// x >= 0 ? x : alpha * x (NaN: alpha * NaN, NaN).
template <typename A>
ValueOf<A> leakyRelu(const ElementwiseArgs<A> &s) {
  auto op = cast<LeakyReluOp>(s.op);
  A &a = s.alg;
  const ValueOf<A> &x = s.x[0];
  ValueOf<A> alpha = constantLike(a, x, op.getAlpha().convertToDouble());
  ValueOf<A> scaled = a.mulf(x, alpha);
  ValueOf<A> zero = constantLike(a, x, 0);
  ValueOf<A> nonNegative = a.cmpf(ComparePredicate::ge, x, zero);
  return a.select(nonNegative, x, scaled);
}

/// x/2 * (1 + erf(x / sqrt 2)), or with tanh(sqrt(2/pi) (x + 0.044715 x^3))
/// for erf's term.
template <typename A>
ValueOf<A> gelu(const ElementwiseArgs<A> &s) {
  auto op = cast<GeluOp>(s.op);
  A &a = s.alg;
  const ValueOf<A> &x = s.x[0];
  ValueOf<A> cdfTerm = x;
  if (op.getApproximate() == GeluApproximation::tanh) {
    ValueOf<A> x3 = a.mulf(a.mulf(x, x), x);
    ValueOf<A> c = constantLike(a, x, 0.044715);
    ValueOf<A> inner = a.addf(x, a.mulf(c, x3));
    ValueOf<A> k = constantLike(a, x, std::sqrt(2.0 / M_PI));
    cdfTerm = a.tanh(a.mulf(k, inner));
  } else {
    ValueOf<A> k = constantLike(a, x, M_SQRT1_2);
    cdfTerm = a.erf(a.mulf(x, k));
  }
  ValueOf<A> one = constantLike(a, x, 1);
  ValueOf<A> onePlus = a.addf(one, cdfTerm);
  ValueOf<A> half = constantLike(a, x, 0.5);
  ValueOf<A> halfX = a.mulf(half, x);
  return a.mulf(halfX, onePlus);
}

/// min(max(x, min), max); a missing bound is no bound.
template <typename A>
ValueOf<A> clip(const ElementwiseArgs<A> &s) {
  auto op = cast<ClipOp>(s.op);
  A &a = s.alg;
  ValueOf<A> v = s.x[0];
  std::optional<APFloat> lo = op.getMin(), hi = op.getMax();
  bool isFloatType = isFloat(a, v);
  // On integers the verifier admits only integral bounds; ceil and floor
  // state which integers a bound admits all the same.
  if (lo) {
    double bound = lo->convertToDouble();
    ValueOf<A> c = constantLike(a, v, isFloatType ? bound : std::ceil(bound));
    v = isFloatType ? a.maximumf(v, c) : maxi(a, v, c);
  }
  if (hi) {
    double bound = hi->convertToDouble();
    ValueOf<A> c = constantLike(a, v, isFloatType ? bound : std::floor(bound));
    v = isFloatType ? a.minimumf(v, c) : mini(a, v, c);
  }
  return v;
}

/// Float -> signed integer: round toward zero, saturate, NaN -> 0. fptosi
/// alone is undefined out of range, so only in-range values reach it. The
/// range test runs in f64, where +-2^(width-1) are exact for every width.
/// To an unsigned type the range is [0, 2^width) and fptoui converts.
template <typename A>
ValueOf<A> floatToInt(A &a, const ValueOf<A> &x, IntegerType to) {
  Type f64 = Float64Type::get(to.getContext());
  ValueOf<A> xd = a.convertf(x, f64);
  bool isUnsignedTo = to.isUnsigned();
  double bound = std::ldexp(1.0, to.getWidth() - (isUnsignedTo ? 0 : 1));
  ValueOf<A> lo = a.constant(f64, isUnsignedTo ? 0.0 : -bound);
  ValueOf<A> hi = a.constant(f64, bound);
  ValueOf<A> tooLow = a.cmpf(ComparePredicate::lt, xd, lo);
  ValueOf<A> tooHigh = a.cmpf(ComparePredicate::ge, xd, hi);
  ValueOf<A> belowHigh = a.cmpf(ComparePredicate::lt, xd, hi);
  ValueOf<A> aboveLow = a.cmpf(ComparePredicate::ge, xd, lo);
  ValueOf<A> inRange = a.andi(aboveLow, belowHigh);
  ValueOf<A> zero = a.constant(f64, 0);
  ValueOf<A> safe = a.select(inRange, xd, zero);
  ValueOf<A> r = isUnsignedTo ? a.fptoui(safe, to) : a.fptosi(safe, to);
  unsigned width = to.getWidth();
  ValueOf<A> highest = a.constantInt(
      to, isUnsignedTo ? APInt::getMaxValue(width)
                       : APInt::getSignedMaxValue(width));
  r = a.select(tooHigh, highest, r);
  ValueOf<A> lowest = a.constantInt(
      to, isUnsignedTo ? APInt::getZero(width)
                       : APInt::getSignedMinValue(width));
  return a.select(tooLow, lowest, r);
}

/// The largest finite value of a float type.
inline double largestFinite(FloatType t) {
  return APFloat::getLargest(t.getFloatSemantics()).convertToDouble();
}

/// Conversion to a float8 type, rounding once to nearest even: from f32 (or
/// f64), which hold every other float type exactly, clamped first to the
/// largest finite float8 when `saturate` (maximumf and minimumf keep NaN).
/// Integers convert to f32 first: only magnitudes past 2^24 round there, and
/// those are far past every float8's range either way.
template <typename A>
ValueOf<A> toFloat8(A &a, ValueOf<A> x, FloatType to, bool saturate) {
  Type from = a.typeOf(x);
  Type f32 = Float32Type::get(to.getContext());
  if (!isa<FloatType>(from))
    x = from.isInteger(1) || isUnsignedInt(from) ? a.uitofp(x, cast<FloatType>(f32))
                                                 : a.sitofp(x, cast<FloatType>(f32));
  else if (!from.isF64())
    x = a.convertf(x, f32);
  if (saturate) {
    double largest = largestFinite(to);
    ValueOf<A> lo = constantLike(a, x, -largest);
    ValueOf<A> atLeastLo = a.maximumf(x, lo);
    ValueOf<A> hi = constantLike(a, x, largest);
    x = a.minimumf(atLeastLo, hi);
  }
  return a.convertf(x, to);
}

/// To bool is x != 0 (NaN included); from bool gives 0 or 1; integers
/// narrow by wrapping, widen by sign extension (zero extension from bools
/// and unsigned types) and keep their bits between types of one width, as
/// NumPy's astype does. Float to the 4- and 2-bit integers takes the low
/// bits of the int32 conversion, as ml_dtypes (ONNX's reference) does.
/// float8 values widen to f32 first (exactly); conversions to float8 are
/// toFloat8's.
template <typename A>
ValueOf<A> castTo(const ElementwiseArgs<A> &s) {
  A &a = s.alg;
  ValueOf<A> x = s.x[0];
  Type from = a.typeOf(x), to = s.resultType;
  if (from == to)
    return x;
  if (isFloat8(to))
    return toFloat8(a, x, cast<FloatType>(to), cast<CastOp>(s.op).getSaturate());
  if (isFloat8(from)) {
    Type f32 = Float32Type::get(to.getContext());
    x = a.convertf(x, f32);
    from = f32;
    if (to == f32)
      return x;
  }
  bool fromFloat = isa<FloatType>(from);
  if (to.isInteger(1)) {
    ValueOf<A> zero = constantLike(a, x, 0);
    return fromFloat ? a.cmpf(ComparePredicate::ne, x, zero)
                     : a.cmpsi(ComparePredicate::ne, x, zero);
  }
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    if (fromFloat)
      return a.convertf(x, toFloat);
    return from.isInteger(1) || isUnsignedInt(from) ? a.uitofp(x, toFloat)
                                                    : a.sitofp(x, toFloat);
  }
  auto toInt = cast<IntegerType>(to);
  if (fromFloat && toInt.getWidth() < 8) {
    ValueOf<A> wide = floatToInt(a, x, IntegerType::get(to.getContext(), 32));
    return a.trunci(wide, toInt);
  }
  if (fromFloat)
    return floatToInt(a, x, toInt);
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  if (fromWidth > toInt.getWidth())
    return a.trunci(x, toInt);
  if (fromWidth == toInt.getWidth())
    return a.reinterpreti(x, toInt);
  return from.isInteger(1) || isUnsignedInt(from) ? a.extui(x, toInt)
                                                  : a.extsi(x, toInt);
}

/// The same bits as the result's type (kiln.bitcast's verifier checks the
/// widths); a bool, 8 bits wide as ONNX stores it, becomes 0 or 1.
template <typename A>
ValueOf<A> bitcastTo(const ElementwiseArgs<A> &s) {
  A &a = s.alg;
  const ValueOf<A> &x = s.x[0];
  Type from = a.typeOf(x), to = s.resultType;
  if (from == to)
    return x;
  if (from.isInteger(1))
    return a.extui(x, cast<IntegerType>(to));
  return a.bitcast(x, to);
}

/// ~x: xor with all ones.
template <typename A>
ValueOf<A> bitwiseNot(const ElementwiseArgs<A> &s) {
  A &a = s.alg;
  auto type = cast<IntegerType>(a.typeOf(s.x[0]));
  ValueOf<A> ones = a.constantInt(type, APInt::getAllOnes(type.getWidth()));
  return a.xori(s.x[0], ones);
}

/// The shift amount `rhs` (read as unsigned) is below the bit width: shli,
/// shrui and shrsi are undefined otherwise, so they shift by 0 then.
template <typename A>
std::pair<ValueOf<A>, ValueOf<A>> shiftAmount(A &a, const ValueOf<A> &rhs) {
  auto type = cast<IntegerType>(a.typeOf(rhs));
  unsigned width = type.getWidth();
  ValueOf<A> limit = a.constantInt(type, APInt(width, width));
  ValueOf<A> inRange = a.cmpui(ComparePredicate::lt, rhs, limit);
  ValueOf<A> zero = a.constantInt(type, APInt::getZero(width));
  return {inRange, a.select(inRange, rhs, zero)};
}

/// lhs << rhs; 0 once every bit is shifted out.
template <typename A>
ValueOf<A> shiftLeft(const ElementwiseArgs<A> &s) {
  A &a = s.alg;
  const ValueOf<A> &lhs = s.x[0], &rhs = s.x[1];
  auto [inRange, amount] = shiftAmount(a, rhs);
  ValueOf<A> shifted = a.shli(lhs, amount);
  ValueOf<A> zero = constantLike(a, lhs, 0);
  return a.select(inRange, shifted, zero);
}

/// lhs >> rhs: logical on uiN (0 once every bit is shifted out), arithmetic
/// on signed types (the sign fills: 0 or -1).
template <typename A>
ValueOf<A> shiftRight(const ElementwiseArgs<A> &s) {
  A &a = s.alg;
  const ValueOf<A> &lhs = s.x[0], &rhs = s.x[1];
  auto [inRange, amount] = shiftAmount(a, rhs);
  if (isUnsigned(a, lhs)) {
    ValueOf<A> shifted = a.shrui(lhs, amount);
    ValueOf<A> zero = constantLike(a, lhs, 0);
    return a.select(inRange, shifted, zero);
  }
  auto type = cast<IntegerType>(a.typeOf(rhs));
  ValueOf<A> last =
      a.constantInt(type, APInt(type.getWidth(), type.getWidth() - 1));
  ValueOf<A> clamped = a.select(inRange, amount, last);
  return a.shrsi(lhs, clamped);
}

/// Integer division never traps: divsi is undefined (x86 idiv traps) for
/// x / 0 and INT_MIN / -1, so those divide by 1 and the result is patched:
/// x / 0 = 0 (NumPy's value), x / -1 = 0 - x (wrapping, so INT_MIN / -1 =
/// INT_MIN).
template <typename A>
ValueOf<A> div(const ElementwiseArgs<A> &s) {
  A &a = s.alg;
  const ValueOf<A> &lhs = s.x[0], &rhs = s.x[1];
  if (isFloat(a, lhs))
    return a.divf(lhs, rhs);
  ValueOf<A> zero = constantLike(a, lhs, 0);
  ValueOf<A> one = constantLike(a, lhs, 1);
  if (isUnsigned(a, lhs)) {
    // Unsigned: only x / 0 needs routing around.
    ValueOf<A> byZero = a.cmpui(ComparePredicate::eq, rhs, zero);
    ValueOf<A> safeDivisor = a.select(byZero, one, rhs);
    ValueOf<A> uq = a.divui(lhs, safeDivisor);
    return a.select(byZero, zero, uq);
  }
  ValueOf<A> isZero = a.cmpsi(ComparePredicate::eq, rhs, zero);
  ValueOf<A> minusOne = constantLike(a, lhs, -1);
  ValueOf<A> isMinusOne = a.cmpsi(ComparePredicate::eq, rhs, minusOne);
  ValueOf<A> unsafe = a.ori(isZero, isMinusOne);
  ValueOf<A> divisor = a.select(unsafe, one, rhs);
  ValueOf<A> q = a.divsi(lhs, divisor);
  ValueOf<A> negated = a.subi(zero, lhs);
  q = a.select(isMinusOne, negated, q);
  return a.select(isZero, zero, q);
}

/// Floats compare as C's operators do (ordered, but ne); bools order as
/// 0 < 1; uiN are unsigned, other integers signed.
template <typename A>
ValueOf<A> compare(const ElementwiseArgs<A> &s) {
  ComparePredicate p = cast<CompareOp>(s.op).getPredicate();
  A &a = s.alg;
  const ValueOf<A> &lhs = s.x[0], &rhs = s.x[1];
  if (isFloat(a, lhs))
    return a.cmpf(p, lhs, rhs);
  return cmpi(a, p, lhs, rhs);
}

template <typename A>
ValueOf<A> select(const ElementwiseArgs<A> &s) {
  return s.alg.select(s.x[0], s.x[1], s.x[2]);
}

} // namespace semantics

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

namespace semantics {
inline constexpr StringLiteral kGeluAttributes[] = {"approximate"};
inline constexpr StringLiteral kAlphaAttributes[] = {"alpha"};
inline constexpr StringLiteral kAlphaBetaAttributes[] = {"alpha", "beta"};
inline constexpr StringLiteral kClipAttributes[] = {"min", "max"};
inline constexpr StringLiteral kCompareAttributes[] = {"predicate"};
inline constexpr StringLiteral kCastAttributes[] = {"saturate"};
} // namespace semantics

template <typename A>
inline constexpr ElementwiseSemantics<A> kElementwiseSemantics[] = {
    // Unary
    {NegOp::getOperationName(), 1, NumericElements, true, {},
     semantics::neg<A>},
    {AbsOp::getOperationName(), 1, NumericElements, true, {},
     semantics::absValue<A>},
    {ReluOp::getOperationName(), 1, NumericElements, true, {},
     semantics::relu<A>},
    {ExpOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::exp>},
    {LogOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::log>},
    {SqrtOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::sqrt>},
    {RsqrtOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::rsqrt>},
    {ReciprocalOp::getOperationName(), 1, FloatElements, true, {},
     semantics::reciprocal<A>},
    {TanhOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::tanh>},
    {SigmoidOp::getOperationName(), 1, FloatElements, true, {},
     semantics::sigmoid<A>},
    {ErfOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::erf>},
    {SinOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::sin>},
    {CosOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::cos>},
    {TanOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::tan>},
    {AcosOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::acos>},
    {AsinOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::asin>},
    {AtanOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::atan>},
    {SinhOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::sinh>},
    {CoshOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::cosh>},
    {AcoshOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::acosh>},
    {AsinhOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::asinh>},
    {AtanhOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::atanh>},
    {FloorOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::floor>},
    {CeilOp::getOperationName(), 1, FloatElements, true, {},
     semantics::unary<A, &A::ceil>},
    {NotOp::getOperationName(), 1, BoolElements, false, {},
     semantics::logicalNot<A>},
    {BitwiseNotOp::getOperationName(), 1, IntElements, false, {},
     semantics::bitwiseNot<A>},
    {HardSwishOp::getOperationName(), 1, FloatElements, true, {},
     semantics::hardSwish<A>},
    {GeluOp::getOperationName(), 1, FloatElements, true,
     semantics::kGeluAttributes, semantics::gelu<A>},
    {LeakyReluOp::getOperationName(), 1, FloatElements, true,
     semantics::kAlphaAttributes, semantics::leakyRelu<A>},
    {HardSigmoidOp::getOperationName(), 1, FloatElements, true,
     semantics::kAlphaBetaAttributes, semantics::hardSigmoid<A>},
    {ClipOp::getOperationName(), 1, NumericElements, true,
     semantics::kClipAttributes, semantics::clip<A>},
    // Every pair of types; the conversion is the whole computation.
    {CastOp::getOperationName(), 1, AnyElements, false,
     semantics::kCastAttributes, semantics::castTo<A>},
    {BitcastOp::getOperationName(), 1, AnyElements, false, {},
     semantics::bitcastTo<A>},
    // Binary
    {AddOp::getOperationName(), 2, NumericElements, true, {},
     semantics::binaryFloatOrInt<A, &A::addf, &A::addi>},
    {SubOp::getOperationName(), 2, NumericElements, true, {},
     semantics::binaryFloatOrInt<A, &A::subf, &A::subi>},
    {MulOp::getOperationName(), 2, NumericElements, true, {},
     semantics::binaryFloatOrInt<A, &A::mulf, &A::muli>},
    {DivOp::getOperationName(), 2, NumericElements, true, {},
     semantics::div<A>},
    {PowOp::getOperationName(), 2, FloatElements, true, {},
     semantics::binary<A, &A::powf>},
    {MaxOp::getOperationName(), 2, NumericElements, true, {},
     semantics::maxValue<A>},
    {MinOp::getOperationName(), 2, NumericElements, true, {},
     semantics::minValue<A>},
    {AndOp::getOperationName(), 2, BoolElements, false, {},
     semantics::binary<A, &A::andi>},
    {OrOp::getOperationName(), 2, BoolElements, false, {},
     semantics::binary<A, &A::ori>},
    {BitwiseAndOp::getOperationName(), 2, IntElements, false, {},
     semantics::binary<A, &A::andi>},
    {BitwiseOrOp::getOperationName(), 2, IntElements, false, {},
     semantics::binary<A, &A::ori>},
    {BitwiseXorOp::getOperationName(), 2, IntElements, false, {},
     semantics::binary<A, &A::xori>},
    {ShiftLeftOp::getOperationName(), 2, IntElements, false, {},
     semantics::shiftLeft<A>},
    {ShiftRightOp::getOperationName(), 2, IntElements, false, {},
     semantics::shiftRight<A>},
    // Comparison is exact in every float type: no widening.
    {CompareOp::getOperationName(), 2, AnyElements, false,
     semantics::kCompareAttributes, semantics::compare<A>},
    {SelectOp::getOperationName(), 3, AnyElements, false, {},
     semantics::select<A>},
};

/// The row of the op named `opName`; null if it is not elementwise.
template <typename A>
const ElementwiseSemantics<A> *lookupElementwiseSemantics(StringRef opName) {
  for (const ElementwiseSemantics<A> &row : kElementwiseSemantics<A>)
    if (row.opName == opName)
      return &row;
  return nullptr;
}

/// `row`'s semantics on `operands` (of the op's element types), producing
/// `resultType`: the op's own math between the conversions to the compute
/// type and back. The caller has checked `row.appliesTo`.
template <typename A>
typename A::Value applyElementwise(const ElementwiseSemantics<A> &row,
                                   A &alg, Operation *op,
                                   ArrayRef<typename A::Value> operands,
                                   Type resultType) {
  assert(operands.size() == row.arity && "wrong number of operands");
  assert((op || row.attributes.empty()) && "the semantics read the op");
  // Copies only when a conversion is due: folding a weight cast evaluates
  // this millions of times.
  SmallVector<typename A::Value, 3> converted;
  ArrayRef<typename A::Value> x = operands;
  Type bodyType = resultType;
  if (row.computeInF32) {
    bodyType = getComputeType(resultType);
    for (auto [i, v] : llvm::enumerate(operands)) {
      Type from = alg.typeOf(v), to = getComputeType(from);
      if (from == to)
        continue;
      if (converted.empty())
        converted.assign(operands.begin(), operands.end());
      converted[i] = alg.convertf(v, to);
    }
    if (!converted.empty())
      x = converted;
  }
  typename A::Value r = row.compute({alg, op, x, bodyType});
  if (bodyType != resultType)
    r = alg.convertf(r, resultType);
  return r;
}

} // namespace mlir::kiln

#endif // KILN_IR_ELEMENTWISESEMANTICS_H
