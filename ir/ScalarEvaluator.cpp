//===- ScalarEvaluator.cpp - The elementwise algebra on constants ---------===//

#include "ir/ScalarEvaluator.h"
#include "ir/ElementValues.h"

#include "llvm/ADT/APSInt.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using llvm::APFloat;
using llvm::APInt;

static constexpr APFloat::roundingMode kNearest = APFloat::rmNearestTiesToEven;

static Scalar floatLike(const Scalar &x, APFloat v) {
  return Scalar(cast<FloatType>(x.getType()), std::move(v));
}

static Scalar intLike(const Scalar &x, APInt v) {
  return Scalar(cast<IntegerType>(x.getType()), std::move(v));
}

static Scalar boolOf(const Scalar &like, bool v) {
  return Scalar(IntegerType::get(like.getType().getContext(), 1), APInt(1, v));
}

/// `fn` of x in double, rounded once to x's type: what the generated code's
/// libm call (expf, tanhf, ...) approximates.
static Scalar viaDouble(const Scalar &x, double (*fn)(double)) {
  APFloat d = x.getFloat();
  bool lost;
  d.convert(APFloat::IEEEdouble(), kNearest, &lost);
  return floatLike(x, getFloatElement(cast<FloatType>(x.getType()),
                                      fn(d.convertToDouble())));
}

static Scalar viaDouble(const Scalar &x, const Scalar &y,
                        double (*fn)(double, double)) {
  APFloat dx = x.getFloat(), dy = y.getFloat();
  bool lost;
  dx.convert(APFloat::IEEEdouble(), kNearest, &lost);
  dy.convert(APFloat::IEEEdouble(), kNearest, &lost);
  return floatLike(x, getFloatElement(cast<FloatType>(x.getType()),
                                      fn(dx.convertToDouble(),
                                         dy.convertToDouble())));
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

Scalar ScalarEvaluator::constant(Type type, double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return Scalar(ft, getFloatElement(ft, value));
  auto it = cast<IntegerType>(type);
  return Scalar(it, getIntElement(it, value));
}

Scalar ScalarEvaluator::constantInt(IntegerType type, const APInt &value) {
  return Scalar(type, value);
}

//===----------------------------------------------------------------------===//
// Floats
//===----------------------------------------------------------------------===//

Scalar ScalarEvaluator::negf(const Scalar &x) {
  return floatLike(x, llvm::neg(x.getFloat()));
}

Scalar ScalarEvaluator::absf(const Scalar &x) {
  return floatLike(x, llvm::abs(x.getFloat()));
}

Scalar ScalarEvaluator::addf(const Scalar &x, const Scalar &y) {
  APFloat r = x.getFloat();
  r.add(y.getFloat(), kNearest);
  return floatLike(x, std::move(r));
}

Scalar ScalarEvaluator::subf(const Scalar &x, const Scalar &y) {
  APFloat r = x.getFloat();
  r.subtract(y.getFloat(), kNearest);
  return floatLike(x, std::move(r));
}

Scalar ScalarEvaluator::mulf(const Scalar &x, const Scalar &y) {
  APFloat r = x.getFloat();
  r.multiply(y.getFloat(), kNearest);
  return floatLike(x, std::move(r));
}

Scalar ScalarEvaluator::divf(const Scalar &x, const Scalar &y) {
  APFloat r = x.getFloat();
  r.divide(y.getFloat(), kNearest);
  return floatLike(x, std::move(r));
}

Scalar ScalarEvaluator::floor(const Scalar &x) {
  APFloat r = x.getFloat();
  r.roundToIntegral(APFloat::rmTowardNegative);
  return floatLike(x, std::move(r));
}

Scalar ScalarEvaluator::ceil(const Scalar &x) {
  APFloat r = x.getFloat();
  r.roundToIntegral(APFloat::rmTowardPositive);
  return floatLike(x, std::move(r));
}

Scalar ScalarEvaluator::maximumf(const Scalar &x, const Scalar &y) {
  return floatLike(x, llvm::maximum(x.getFloat(), y.getFloat()));
}

Scalar ScalarEvaluator::minimumf(const Scalar &x, const Scalar &y) {
  return floatLike(x, llvm::minimum(x.getFloat(), y.getFloat()));
}

Scalar ScalarEvaluator::exp(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::exp(v); });
}

Scalar ScalarEvaluator::log(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::log(v); });
}

Scalar ScalarEvaluator::sqrt(const Scalar &x) {
  // Exact: a double square root rounded to f32 is the f32 square root.
  return viaDouble(x, [](double v) { return std::sqrt(v); });
}

Scalar ScalarEvaluator::rsqrt(const Scalar &x) {
  // math.rsqrt lowers to 1 / sqrt(x) for the CPU (MathToLLVM): two
  // roundings in x's type, not one of the exact reciprocal.
  Scalar one = constant(x.getType(), 1.0);
  return divf(one, sqrt(x));
}

Scalar ScalarEvaluator::tanh(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::tanh(v); });
}

Scalar ScalarEvaluator::erf(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::erf(v); });
}

Scalar ScalarEvaluator::sin(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::sin(v); });
}

Scalar ScalarEvaluator::cos(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::cos(v); });
}

Scalar ScalarEvaluator::tan(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::tan(v); });
}

Scalar ScalarEvaluator::acos(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::acos(v); });
}

Scalar ScalarEvaluator::asin(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::asin(v); });
}

Scalar ScalarEvaluator::atan(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::atan(v); });
}

Scalar ScalarEvaluator::sinh(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::sinh(v); });
}

Scalar ScalarEvaluator::cosh(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::cosh(v); });
}

Scalar ScalarEvaluator::acosh(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::acosh(v); });
}

Scalar ScalarEvaluator::asinh(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::asinh(v); });
}

Scalar ScalarEvaluator::atanh(const Scalar &x) {
  return viaDouble(x, [](double v) { return std::atanh(v); });
}

Scalar ScalarEvaluator::powf(const Scalar &x, const Scalar &y) {
  return viaDouble(x, y, [](double a, double b) { return std::pow(a, b); });
}

Scalar ScalarEvaluator::cmpf(ComparePredicate p, const Scalar &x,
                             const Scalar &y) {
  APFloat::cmpResult c = x.getFloat().compare(y.getFloat());
  bool lt = c == APFloat::cmpLessThan, eq = c == APFloat::cmpEqual,
       gt = c == APFloat::cmpGreaterThan;
  switch (p) {
  case ComparePredicate::eq: return boolOf(x, eq);
  case ComparePredicate::ne: return boolOf(x, !eq); // unordered too
  case ComparePredicate::lt: return boolOf(x, lt);
  case ComparePredicate::le: return boolOf(x, lt || eq);
  case ComparePredicate::gt: return boolOf(x, gt);
  case ComparePredicate::ge: return boolOf(x, gt || eq);
  }
  llvm_unreachable("unknown compare predicate");
}

//===----------------------------------------------------------------------===//
// Integers
//===----------------------------------------------------------------------===//

Scalar ScalarEvaluator::addi(const Scalar &x, const Scalar &y) {
  return intLike(x, x.getInt() + y.getInt());
}

Scalar ScalarEvaluator::subi(const Scalar &x, const Scalar &y) {
  return intLike(x, x.getInt() - y.getInt());
}

Scalar ScalarEvaluator::muli(const Scalar &x, const Scalar &y) {
  return intLike(x, x.getInt() * y.getInt());
}

Scalar ScalarEvaluator::divsi(const Scalar &x, const Scalar &y) {
  const APInt &a = x.getInt(), &b = y.getInt();
  if (b.isZero() || (a.isMinSignedValue() && b.isAllOnes())) {
    undefined = true;
    return intLike(x, APInt::getZero(a.getBitWidth()));
  }
  return intLike(x, a.sdiv(b));
}

Scalar ScalarEvaluator::andi(const Scalar &x, const Scalar &y) {
  return intLike(x, x.getInt() & y.getInt());
}

Scalar ScalarEvaluator::ori(const Scalar &x, const Scalar &y) {
  return intLike(x, x.getInt() | y.getInt());
}

Scalar ScalarEvaluator::xori(const Scalar &x, const Scalar &y) {
  return intLike(x, x.getInt() ^ y.getInt());
}

/// Shifts by `y` (unsigned) bits; undefined, as in arith, for y >= width.
template <typename Shift>
static Scalar shiftBy(const Scalar &x, const Scalar &y, bool &undefined,
                      Shift shift) {
  const APInt &a = x.getInt(), &b = y.getInt();
  if (b.uge(a.getBitWidth())) {
    undefined = true;
    return intLike(x, APInt::getZero(a.getBitWidth()));
  }
  return intLike(x, shift(a, static_cast<unsigned>(b.getZExtValue())));
}

Scalar ScalarEvaluator::shli(const Scalar &x, const Scalar &y) {
  return shiftBy(x, y, undefined,
                 [](const APInt &a, unsigned n) { return a.shl(n); });
}

Scalar ScalarEvaluator::shrui(const Scalar &x, const Scalar &y) {
  return shiftBy(x, y, undefined,
                 [](const APInt &a, unsigned n) { return a.lshr(n); });
}

Scalar ScalarEvaluator::shrsi(const Scalar &x, const Scalar &y) {
  return shiftBy(x, y, undefined,
                 [](const APInt &a, unsigned n) { return a.ashr(n); });
}

Scalar ScalarEvaluator::maxsi(const Scalar &x, const Scalar &y) {
  return intLike(x, llvm::APIntOps::smax(x.getInt(), y.getInt()));
}

Scalar ScalarEvaluator::minsi(const Scalar &x, const Scalar &y) {
  return intLike(x, llvm::APIntOps::smin(x.getInt(), y.getInt()));
}

Scalar ScalarEvaluator::maxui(const Scalar &x, const Scalar &y) {
  return intLike(x, llvm::APIntOps::umax(x.getInt(), y.getInt()));
}

Scalar ScalarEvaluator::minui(const Scalar &x, const Scalar &y) {
  return intLike(x, llvm::APIntOps::umin(x.getInt(), y.getInt()));
}

Scalar ScalarEvaluator::divui(const Scalar &x, const Scalar &y) {
  const APInt &a = x.getInt(), &b = y.getInt();
  if (b.isZero()) {
    undefined = true;
    return intLike(x, APInt::getZero(a.getBitWidth()));
  }
  return intLike(x, a.udiv(b));
}

Scalar ScalarEvaluator::absi(const Scalar &x) {
  return intLike(x, x.getInt().abs()); // INT_MIN stays INT_MIN, as math.absi
}

static bool compareInts(ComparePredicate p, int order) {
  switch (p) {
  case ComparePredicate::eq: return order == 0;
  case ComparePredicate::ne: return order != 0;
  case ComparePredicate::lt: return order < 0;
  case ComparePredicate::le: return order <= 0;
  case ComparePredicate::gt: return order > 0;
  case ComparePredicate::ge: return order >= 0;
  }
  llvm_unreachable("unknown compare predicate");
}

Scalar ScalarEvaluator::cmpsi(ComparePredicate p, const Scalar &x,
                              const Scalar &y) {
  const APInt &a = x.getInt(), &b = y.getInt();
  return boolOf(x, compareInts(p, a.slt(b) ? -1 : a == b ? 0 : 1));
}

Scalar ScalarEvaluator::cmpui(ComparePredicate p, const Scalar &x,
                              const Scalar &y) {
  const APInt &a = x.getInt(), &b = y.getInt();
  return boolOf(x, compareInts(p, a.ult(b) ? -1 : a == b ? 0 : 1));
}

Scalar ScalarEvaluator::select(const Scalar &cond, const Scalar &x,
                               const Scalar &y) {
  return cond.getInt().getBoolValue() ? x : y;
}

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

Scalar ScalarEvaluator::convertf(const Scalar &x, Type to) {
  auto toFloat = cast<FloatType>(to);
  if (x.getType() == to)
    return x;
  APFloat r = x.getFloat();
  bool lost;
  r.convert(toFloat.getFloatSemantics(), kNearest, &lost);
  return Scalar(toFloat, std::move(r));
}

Scalar ScalarEvaluator::sitofp(const Scalar &x, FloatType to) {
  APFloat r(to.getFloatSemantics());
  r.convertFromAPInt(x.getInt(), /*IsSigned=*/true, kNearest);
  return Scalar(to, std::move(r));
}

Scalar ScalarEvaluator::uitofp(const Scalar &x, FloatType to) {
  APFloat r(to.getFloatSemantics());
  r.convertFromAPInt(x.getInt(), /*IsSigned=*/false, kNearest);
  return Scalar(to, std::move(r));
}

Scalar ScalarEvaluator::fptosi(const Scalar &x, IntegerType to) {
  llvm::APSInt r(to.getWidth(), /*isUnsigned=*/false);
  bool exact;
  if (x.getFloat().convertToInteger(r, APFloat::rmTowardZero, &exact) &
      APFloat::opInvalidOp) {
    undefined = true;
    return Scalar(to, APInt::getZero(to.getWidth()));
  }
  return Scalar(to, std::move(r));
}

Scalar ScalarEvaluator::fptoui(const Scalar &x, IntegerType to) {
  llvm::APSInt r(to.getWidth(), /*isUnsigned=*/true);
  bool exact;
  if (x.getFloat().convertToInteger(r, APFloat::rmTowardZero, &exact) &
      APFloat::opInvalidOp) {
    undefined = true;
    return Scalar(to, APInt::getZero(to.getWidth()));
  }
  return Scalar(to, std::move(r));
}

Scalar ScalarEvaluator::reinterpreti(const Scalar &x, IntegerType to) {
  return Scalar(to, x.getInt());
}

Scalar ScalarEvaluator::bitcast(const Scalar &x, Type to) {
  APInt bits = x.isFloat() ? x.getFloat().bitcastToAPInt() : x.getInt();
  if (auto toFloat = dyn_cast<FloatType>(to))
    return Scalar(toFloat, APFloat(toFloat.getFloatSemantics(), bits));
  return Scalar(cast<IntegerType>(to), bits);
}

Scalar ScalarEvaluator::extsi(const Scalar &x, IntegerType to) {
  return Scalar(to, x.getInt().sext(to.getWidth()));
}

Scalar ScalarEvaluator::extui(const Scalar &x, IntegerType to) {
  return Scalar(to, x.getInt().zext(to.getWidth()));
}

Scalar ScalarEvaluator::trunci(const Scalar &x, IntegerType to) {
  return Scalar(to, x.getInt().trunc(to.getWidth()));
}
