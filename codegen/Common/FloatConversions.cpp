//===- FloatConversions.cpp - Float conversions as integer arithmetic -----===//

#include "codegen/Common/FloatConversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

Type mlir::kiln::withElement(Type like, Type element) {
  if (auto shaped = dyn_cast<ShapedType>(like))
    return shaped.clone(element);
  return element;
}

Value mlir::kiln::intConstantLike(OpBuilder &b, Location loc, Type type,
                                  int64_t value) {
  TypedAttr attr = b.getIntegerAttr(getElementTypeOrSelf(type), value);
  if (auto shaped = dyn_cast<ShapedType>(type))
    attr = DenseElementsAttr::get(shaped, attr);
  return b.create<arith::ConstantOp>(loc, attr);
}

Value mlir::kiln::floatConstantLike(OpBuilder &b, Location loc, Type type,
                                    double value) {
  TypedAttr attr = b.getFloatAttr(getElementTypeOrSelf(type), value);
  if (auto shaped = dyn_cast<ShapedType>(type))
    attr = DenseElementsAttr::get(shaped, attr);
  return b.create<arith::ConstantOp>(loc, attr);
}

Value mlir::kiln::truncF64ToF32RoundedToOdd(OpBuilder &b, Location loc,
                                            Value x) {
  Type f32 = withElement(x.getType(), b.getF32Type());
  Type i32 = withElement(x.getType(), b.getI32Type());
  Value nearest = b.create<arith::TruncFOp>(loc, f32, x);
  Value back = b.create<arith::ExtFOp>(loc, x.getType(), nearest);
  Value bits = b.create<arith::BitcastOp>(loc, i32, nearest);
  // A float's magnitude orders as its bits do, so one step toward zero
  // undoes rounding away from it (+-inf steps to the largest f32).
  Value backMagnitude = b.create<math::AbsFOp>(loc, back);
  Value magnitude = b.create<math::AbsFOp>(loc, x);
  Value awayFromZero = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT,
                                               backMagnitude, magnitude);
  Value one = intConstantLike(b, loc, i32, 1);
  Value stepped = b.create<arith::SubIOp>(loc, bits, one);
  Value towardZero = b.create<arith::SelectOp>(loc, awayFromZero, stepped, bits);
  // Ordered, so a NaN stays as it is.
  Value inexact =
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::ONE, back, x);
  Value withOddBit = b.create<arith::OrIOp>(loc, towardZero, one);
  Value odd = b.create<arith::SelectOp>(loc, inexact, withOddBit, bits);
  return b.create<arith::BitcastOp>(loc, f32, odd);
}
