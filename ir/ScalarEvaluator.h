//===- ScalarEvaluator.h - The elementwise algebra on constants -*- C++ -*-===//
//
// The algebra (see ElementwiseSemantics.h) the folders evaluate kiln's
// elementwise semantics with. It computes what the generated code computes
// as closely as the host allows: arithmetic, rounding to integers, min/max,
// comparisons and conversions are exact IEEE 754 in the operands' type
// (APFloat), as the CPU executes them; the libm functions (exp, tanh, erf,
// pow, ...) run in double and round once, which is what the code's f32 libm
// calls approximate to within an ulp.
//
// Where arith is undefined (divsi by 0, fptosi out of range) the evaluator
// gives 0 and notes it, so that a folder declines rather than invent a value.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_SCALAREVALUATOR_H
#define KILN_IR_SCALAREVALUATOR_H

#include "ir/KilnOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"

#include <variant>

namespace mlir::kiln {

/// One element of a kiln tensor: an APFloat for float types, an APInt of the
/// type's width for integers (i1 for bools).
class Scalar {
public:
  Scalar(FloatType type, llvm::APFloat value)
      : type(type), value(std::move(value)) {}
  Scalar(IntegerType type, llvm::APInt value)
      : type(type), value(std::move(value)) {}

  Type getType() const { return type; }
  bool isFloat() const { return std::holds_alternative<llvm::APFloat>(value); }
  const llvm::APFloat &getFloat() const { return std::get<llvm::APFloat>(value); }
  const llvm::APInt &getInt() const { return std::get<llvm::APInt>(value); }
  /// The value, moved out: a folder's results go into a DenseElementsAttr.
  llvm::APFloat takeFloat() && {
    return std::move(std::get<llvm::APFloat>(value));
  }
  llvm::APInt takeInt() && { return std::move(std::get<llvm::APInt>(value)); }

private:
  Type type;
  std::variant<llvm::APInt, llvm::APFloat> value;
};

/// Evaluates one element at a time; make one per element, or check
/// hitUndefined after each.
class ScalarEvaluator {
public:
  using Value = Scalar;

  Type typeOf(const Scalar &x) const { return x.getType(); }
  Scalar constant(Type type, double value);
  Scalar constantInt(IntegerType type, const llvm::APInt &value);

  Scalar negf(const Scalar &x);
  Scalar absf(const Scalar &x);
  Scalar addf(const Scalar &x, const Scalar &y);
  Scalar subf(const Scalar &x, const Scalar &y);
  Scalar mulf(const Scalar &x, const Scalar &y);
  Scalar divf(const Scalar &x, const Scalar &y);
  Scalar floor(const Scalar &x);
  Scalar ceil(const Scalar &x);
  Scalar maximumf(const Scalar &x, const Scalar &y);
  Scalar minimumf(const Scalar &x, const Scalar &y);
  Scalar exp(const Scalar &x);
  Scalar log(const Scalar &x);
  Scalar sqrt(const Scalar &x);
  Scalar rsqrt(const Scalar &x);
  Scalar tanh(const Scalar &x);
  Scalar erf(const Scalar &x);
  Scalar sin(const Scalar &x);
  Scalar cos(const Scalar &x);
  Scalar tan(const Scalar &x);
  Scalar acos(const Scalar &x);
  Scalar asin(const Scalar &x);
  Scalar atan(const Scalar &x);
  Scalar sinh(const Scalar &x);
  Scalar cosh(const Scalar &x);
  Scalar acosh(const Scalar &x);
  Scalar asinh(const Scalar &x);
  Scalar atanh(const Scalar &x);
  Scalar powf(const Scalar &x, const Scalar &y);
  Scalar cmpf(ComparePredicate p, const Scalar &x, const Scalar &y);

  Scalar addi(const Scalar &x, const Scalar &y);
  Scalar subi(const Scalar &x, const Scalar &y);
  Scalar muli(const Scalar &x, const Scalar &y);
  Scalar divsi(const Scalar &x, const Scalar &y);
  Scalar andi(const Scalar &x, const Scalar &y);
  Scalar ori(const Scalar &x, const Scalar &y);
  Scalar xori(const Scalar &x, const Scalar &y);
  Scalar shli(const Scalar &x, const Scalar &y);
  Scalar shrui(const Scalar &x, const Scalar &y);
  Scalar shrsi(const Scalar &x, const Scalar &y);
  Scalar maxsi(const Scalar &x, const Scalar &y);
  Scalar minsi(const Scalar &x, const Scalar &y);
  Scalar maxui(const Scalar &x, const Scalar &y);
  Scalar minui(const Scalar &x, const Scalar &y);
  Scalar divui(const Scalar &x, const Scalar &y);
  Scalar absi(const Scalar &x);
  Scalar cmpsi(ComparePredicate p, const Scalar &x, const Scalar &y);
  Scalar cmpui(ComparePredicate p, const Scalar &x, const Scalar &y);

  Scalar select(const Scalar &cond, const Scalar &x, const Scalar &y);

  Scalar convertf(const Scalar &x, Type to);
  Scalar sitofp(const Scalar &x, FloatType to);
  Scalar uitofp(const Scalar &x, FloatType to);
  Scalar fptosi(const Scalar &x, IntegerType to);
  Scalar fptoui(const Scalar &x, IntegerType to);
  Scalar reinterpreti(const Scalar &x, IntegerType to);
  Scalar bitcast(const Scalar &x, Type to);
  Scalar extsi(const Scalar &x, IntegerType to);
  Scalar extui(const Scalar &x, IntegerType to);
  Scalar trunci(const Scalar &x, IntegerType to);

  /// True once an operation met a case arith leaves undefined.
  bool hitUndefined() const { return undefined; }

private:
  bool undefined = false;
};

} // namespace mlir::kiln

#endif // KILN_IR_SCALAREVALUATOR_H
