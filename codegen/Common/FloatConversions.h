//===- FloatConversions.h - Float conversions as integer arithmetic -*- C++ -*-===//
//
// Pieces the conversion-expanding passes share (kiln-expand-float8 and the
// CPU's kiln-cpu-expand-bf16): constants in the shape of a scalar or vector
// value, and f64 -> f32 rounded to odd, the first half of every f64 ->
// narrow-float conversion that must round only once.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_FLOATCONVERSIONS_H
#define KILN_CODEGEN_COMMON_FLOATCONVERSIONS_H

#include "mlir/IR/Builders.h"

namespace mlir::kiln {

/// `element` in the shape of `like` (a scalar or a vector).
Type withElement(Type like, Type element);

/// An integer constant of `type` (a scalar or a vector of integers).
Value intConstantLike(OpBuilder &b, Location loc, Type type, int64_t value);

/// A float constant of `type` (a scalar or a vector of floats).
Value floatConstantLike(OpBuilder &b, Location loc, Type type, double value);

/// `x` (f64, scalar or vector) as f32 rounded to odd: toward zero, with the
/// last bit set when inexact. Rounding that again to any type with at least
/// two bits fewer rounds as once from f64: the set bit keeps what the first
/// rounding dropped. NaN stays NaN; magnitudes past f32's largest finite
/// give it (odd) rather than infinity, which rounds on to the same overflow.
Value truncF64ToF32RoundedToOdd(OpBuilder &b, Location loc, Value x);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_COMMON_FLOATCONVERSIONS_H
