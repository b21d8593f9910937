//===- OpUtils.h - Helpers shared by the op implementations ----*- C++ -*-===//
//
// Private to ir/: diagnostics for type inference and small attribute checks.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_OPS_OPUTILS_H
#define KILN_IR_OPS_OPUTILS_H

#include "ir/Shapes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include <optional>
#include <string>

namespace mlir::kiln::detail {

/// Reports why type inference failed, in the same shape as emitOpError
/// ("'kiln.transpose' op perm ..."), when inference runs with a location
/// (verification, frontends); silent otherwise. Always yields failure().
class InferDiag {
public:
  InferDiag(std::optional<Location> loc, StringRef opName)
      : loc(loc), opName(opName) {}

  template <typename... Args>
  LogicalResult operator()(Args &&...args) const {
    if (!loc)
      return failure();
    InFlightDiagnostic diag = emitError(*loc) << "'" << opName << "' op ";
    (diag << ... << std::forward<Args>(args));
    return diag;
  }

private:
  std::optional<Location> loc;
  StringRef opName;
};

/// True if `value` is exactly a value of the integer type: a whole number in
/// the signed range, or 0 or 1 for i1. For f64 attributes that apply to
/// integer tensors (clip bounds, pad value).
bool isExactInteger(double value, IntegerType type);

/// True if both dims are static and differ.
inline bool dimsConflict(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

/// The operand's type if it is a ranked tensor, else null.
inline RankedTensorType getRanked(Value v) {
  return v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

} // namespace mlir::kiln::detail

#endif // KILN_IR_OPS_OPUTILS_H
