//===- ScalarBuilder.cpp - The elementwise algebra as arith/math ops -------===//

#include "codegen/KilnToLinalg/ScalarBuilder.h"
#include "codegen/KilnToLinalg/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

using Value = ScalarBuilder::Value;

Value ScalarBuilder::constant(Type type, double value) {
  return createScalar(b, loc, type, value);
}

Value ScalarBuilder::constantInt(IntegerType type, const APInt &value) {
  return b.create<arith::ConstantOp>(loc, IntegerAttr::get(type, value));
}

//===----------------------------------------------------------------------===//
// Floats
//===----------------------------------------------------------------------===//

Value ScalarBuilder::negf(Value x) { return b.create<arith::NegFOp>(loc, x); }
Value ScalarBuilder::absf(Value x) { return b.create<math::AbsFOp>(loc, x); }

Value ScalarBuilder::addf(Value x, Value y) {
  return b.create<arith::AddFOp>(loc, x, y);
}

Value ScalarBuilder::subf(Value x, Value y) {
  return b.create<arith::SubFOp>(loc, x, y);
}

Value ScalarBuilder::mulf(Value x, Value y) {
  return b.create<arith::MulFOp>(loc, x, y);
}

Value ScalarBuilder::divf(Value x, Value y) {
  return b.create<arith::DivFOp>(loc, x, y);
}

Value ScalarBuilder::floor(Value x) { return b.create<math::FloorOp>(loc, x); }
Value ScalarBuilder::ceil(Value x) { return b.create<math::CeilOp>(loc, x); }

Value ScalarBuilder::maximumf(Value x, Value y) {
  return b.create<arith::MaximumFOp>(loc, x, y);
}

Value ScalarBuilder::minimumf(Value x, Value y) {
  return b.create<arith::MinimumFOp>(loc, x, y);
}

Value ScalarBuilder::exp(Value x) { return b.create<math::ExpOp>(loc, x); }
Value ScalarBuilder::log(Value x) { return b.create<math::LogOp>(loc, x); }
Value ScalarBuilder::sqrt(Value x) { return b.create<math::SqrtOp>(loc, x); }
Value ScalarBuilder::rsqrt(Value x) { return b.create<math::RsqrtOp>(loc, x); }
Value ScalarBuilder::tanh(Value x) { return b.create<math::TanhOp>(loc, x); }
Value ScalarBuilder::erf(Value x) { return b.create<math::ErfOp>(loc, x); }
Value ScalarBuilder::sin(Value x) { return b.create<math::SinOp>(loc, x); }
Value ScalarBuilder::tan(Value x) { return b.create<math::TanOp>(loc, x); }
Value ScalarBuilder::acos(Value x) { return b.create<math::AcosOp>(loc, x); }
Value ScalarBuilder::asin(Value x) { return b.create<math::AsinOp>(loc, x); }
Value ScalarBuilder::atan(Value x) { return b.create<math::AtanOp>(loc, x); }
Value ScalarBuilder::sinh(Value x) { return b.create<math::SinhOp>(loc, x); }
Value ScalarBuilder::cosh(Value x) { return b.create<math::CoshOp>(loc, x); }
Value ScalarBuilder::acosh(Value x) { return b.create<math::AcoshOp>(loc, x); }
Value ScalarBuilder::asinh(Value x) { return b.create<math::AsinhOp>(loc, x); }
Value ScalarBuilder::atanh(Value x) { return b.create<math::AtanhOp>(loc, x); }
Value ScalarBuilder::cos(Value x) { return b.create<math::CosOp>(loc, x); }

Value ScalarBuilder::powf(Value x, Value y) {
  return b.create<math::PowFOp>(loc, x, y);
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

Value ScalarBuilder::cmpf(ComparePredicate p, Value x, Value y) {
  return b.create<arith::CmpFOp>(loc, getFloatPredicate(p), x, y);
}

//===----------------------------------------------------------------------===//
// Integers
//===----------------------------------------------------------------------===//

Value ScalarBuilder::addi(Value x, Value y) {
  return b.create<arith::AddIOp>(loc, x, y);
}

Value ScalarBuilder::subi(Value x, Value y) {
  return b.create<arith::SubIOp>(loc, x, y);
}

Value ScalarBuilder::muli(Value x, Value y) {
  return b.create<arith::MulIOp>(loc, x, y);
}

Value ScalarBuilder::divsi(Value x, Value y) {
  return b.create<arith::DivSIOp>(loc, x, y);
}

Value ScalarBuilder::andi(Value x, Value y) {
  return b.create<arith::AndIOp>(loc, x, y);
}

Value ScalarBuilder::ori(Value x, Value y) {
  return b.create<arith::OrIOp>(loc, x, y);
}

Value ScalarBuilder::xori(Value x, Value y) {
  return b.create<arith::XOrIOp>(loc, x, y);
}

Value ScalarBuilder::shli(Value x, Value y) {
  return b.create<arith::ShLIOp>(loc, x, y);
}

Value ScalarBuilder::shrui(Value x, Value y) {
  return b.create<arith::ShRUIOp>(loc, x, y);
}

Value ScalarBuilder::shrsi(Value x, Value y) {
  return b.create<arith::ShRSIOp>(loc, x, y);
}

Value ScalarBuilder::maxsi(Value x, Value y) {
  return b.create<arith::MaxSIOp>(loc, x, y);
}

Value ScalarBuilder::minsi(Value x, Value y) {
  return b.create<arith::MinSIOp>(loc, x, y);
}

Value ScalarBuilder::maxui(Value x, Value y) {
  return b.create<arith::MaxUIOp>(loc, x, y);
}

Value ScalarBuilder::minui(Value x, Value y) {
  return b.create<arith::MinUIOp>(loc, x, y);
}

Value ScalarBuilder::divui(Value x, Value y) {
  return b.create<arith::DivUIOp>(loc, x, y);
}

Value ScalarBuilder::absi(Value x) { return b.create<math::AbsIOp>(loc, x); }

static arith::CmpIPredicate getIntPredicate(ComparePredicate p,
                                            bool isUnsigned) {
  switch (p) {
  case ComparePredicate::eq: return arith::CmpIPredicate::eq;
  case ComparePredicate::ne: return arith::CmpIPredicate::ne;
  case ComparePredicate::lt:
    return isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
  case ComparePredicate::le:
    return isUnsigned ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
  case ComparePredicate::gt:
    return isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
  case ComparePredicate::ge:
    return isUnsigned ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
  }
  llvm_unreachable("unknown compare predicate");
}

Value ScalarBuilder::cmpsi(ComparePredicate p, Value x, Value y) {
  return b.create<arith::CmpIOp>(loc, getIntPredicate(p, false), x, y);
}

Value ScalarBuilder::cmpui(ComparePredicate p, Value x, Value y) {
  return b.create<arith::CmpIOp>(loc, getIntPredicate(p, true), x, y);
}

Value ScalarBuilder::select(Value cond, Value x, Value y) {
  return b.create<arith::SelectOp>(loc, cond, x, y);
}

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

Value ScalarBuilder::convertf(Value x, Type to) {
  return convertFloat(b, loc, x, to);
}

Value ScalarBuilder::sitofp(Value x, FloatType to) {
  return b.create<arith::SIToFPOp>(loc, to, x);
}

Value ScalarBuilder::uitofp(Value x, FloatType to) {
  return b.create<arith::UIToFPOp>(loc, to, x);
}

Value ScalarBuilder::fptosi(Value x, IntegerType to) {
  return b.create<arith::FPToSIOp>(loc, to, x);
}

Value ScalarBuilder::fptoui(Value x, IntegerType to) {
  return b.create<arith::FPToUIOp>(loc, to, x);
}

Value ScalarBuilder::reinterpreti(Value x, IntegerType to) {
  return b.create<UnrealizedConversionCastOp>(loc, TypeRange{to}, x)
      .getResult(0);
}

Value ScalarBuilder::bitcast(Value x, Type to) {
  // arith.bitcast takes signless integers; uiN becomes iN here as the rest
  // of the lowering makes it (reinterpreti).
  auto signless = [&](Value v) {
    auto it = dyn_cast<IntegerType>(v.getType());
    if (!it || it.isSignless())
      return v;
    return reinterpreti(v, IntegerType::get(v.getContext(), it.getWidth()));
  };
  x = signless(x);
  if (auto toInt = dyn_cast<IntegerType>(to)) {
    if (isa<IntegerType>(x.getType()))
      return reinterpreti(x, toInt);
    Value bits = b.create<arith::BitcastOp>(
        loc, IntegerType::get(to.getContext(), toInt.getWidth()), x);
    return toInt.isSignless() ? bits : reinterpreti(bits, toInt);
  }
  return b.create<arith::BitcastOp>(loc, to, x);
}

Value ScalarBuilder::extsi(Value x, IntegerType to) {
  return b.create<arith::ExtSIOp>(loc, to, x);
}

Value ScalarBuilder::extui(Value x, IntegerType to) {
  return b.create<arith::ExtUIOp>(loc, to, x);
}

Value ScalarBuilder::trunci(Value x, IntegerType to) {
  return b.create<arith::TruncIOp>(loc, to, x);
}
