//===- ElementValues.h - How kiln element types compute --------*- C++ -*-===//
//
// Two rules every computation on kiln elements follows, whether the folders
// evaluate it or codegen emits it: the type its arithmetic is carried out in,
// and how an f64 attribute (a clip bound, an activation's alpha, a pad value)
// becomes a value of an element type. Both sides call these, so a folded
// constant and the generated code start from the same numbers.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_ELEMENTVALUES_H
#define KILN_IR_ELEMENTVALUES_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"

namespace mlir::kiln {

/// The type arithmetic on `elementType` is carried out in: f32 for f16 and
/// bf16 (accuracy of sums and transcendental math), else the type itself.
Type getComputeType(Type elementType);

/// `value` rounded to nearest in `type`.
llvm::APFloat getFloatElement(FloatType type, double value);

/// `value` as an integer of `type`: truncated toward zero and saturated
/// (NaN gives 0) to the type's range, unsigned for uiN; for i1, `value != 0`.
llvm::APInt getIntElement(IntegerType type, double value);

} // namespace mlir::kiln

#endif // KILN_IR_ELEMENTVALUES_H
