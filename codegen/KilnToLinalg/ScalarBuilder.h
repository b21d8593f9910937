//===- ScalarBuilder.h - The elementwise algebra as arith/math ops -*- C++ -*-===//
//
// The algebra (see ir/ElementwiseSemantics.h) the lowering instantiates
// kiln's elementwise semantics with: each operation emits the arith or math
// op of the same name at the builder's insertion point, so a linalg.generic
// body is exactly the steps the semantics state.
//
// Values keep their kiln element types, unsigned uiN included, because the
// semantics choose unsigned operations by type: integer arith ops are built on
// uiN operands, which arith itself does not accept, and convert-kiln-to-linalg
// makes every type in the function signless once all ops are lowered
// (makeSignless in KilnToLinalg.cpp). Between two types of one width,
// reinterpreti is an unrealized_conversion_cast that vanishes there.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KILNTOLINALG_SCALARBUILDER_H
#define KILN_CODEGEN_KILNTOLINALG_SCALARBUILDER_H

#include "ir/KilnOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::kiln::lowering {

class ScalarBuilder {
public:
  using Value = ::mlir::Value;

  ScalarBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Type typeOf(Value x) const { return x.getType(); }
  Value constant(Type type, double value);
  Value constantInt(IntegerType type, const APInt &value);

  Value negf(Value x);
  Value absf(Value x);
  Value addf(Value x, Value y);
  Value subf(Value x, Value y);
  Value mulf(Value x, Value y);
  Value divf(Value x, Value y);
  Value floor(Value x);
  Value ceil(Value x);
  Value maximumf(Value x, Value y);
  Value minimumf(Value x, Value y);
  Value exp(Value x);
  Value log(Value x);
  Value sqrt(Value x);
  Value rsqrt(Value x);
  Value tanh(Value x);
  Value erf(Value x);
  Value sin(Value x);
  Value cos(Value x);
  Value tan(Value x);
  Value acos(Value x);
  Value asin(Value x);
  Value atan(Value x);
  Value sinh(Value x);
  Value cosh(Value x);
  Value acosh(Value x);
  Value asinh(Value x);
  Value atanh(Value x);
  Value powf(Value x, Value y);
  Value cmpf(ComparePredicate p, Value x, Value y);

  Value addi(Value x, Value y);
  Value subi(Value x, Value y);
  Value muli(Value x, Value y);
  Value divsi(Value x, Value y);
  Value andi(Value x, Value y);
  Value ori(Value x, Value y);
  Value xori(Value x, Value y);
  Value shli(Value x, Value y);
  Value shrui(Value x, Value y);
  Value shrsi(Value x, Value y);
  Value maxsi(Value x, Value y);
  Value minsi(Value x, Value y);
  Value maxui(Value x, Value y);
  Value minui(Value x, Value y);
  Value divui(Value x, Value y);
  Value absi(Value x);
  Value cmpsi(ComparePredicate p, Value x, Value y);
  Value cmpui(ComparePredicate p, Value x, Value y);

  Value select(Value cond, Value x, Value y);

  Value convertf(Value x, Type to);
  Value sitofp(Value x, FloatType to);
  Value uitofp(Value x, FloatType to);
  Value fptosi(Value x, IntegerType to);
  Value fptoui(Value x, IntegerType to);
  Value reinterpreti(Value x, IntegerType to);
  Value bitcast(Value x, Type to);
  Value extsi(Value x, IntegerType to);
  Value extui(Value x, IntegerType to);
  Value trunci(Value x, IntegerType to);

private:
  OpBuilder &b;
  Location loc;
};

} // namespace mlir::kiln::lowering

#endif // KILN_CODEGEN_KILNTOLINALG_SCALARBUILDER_H
