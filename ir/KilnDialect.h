//===- KilnDialect.h - The kiln dialect -------------------------*- C++ -*-===//
//
// Declares the dialect class. Include ir/KilnOps.h for the ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_KILNDIALECT_H
#define KILN_IR_KILNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "ir/KilnDialect.h.inc"

namespace mlir::kiln {
/// The model-level name of a tensor: a string attribute on the model
/// function's arguments and results, set by every frontend.
inline constexpr llvm::StringLiteral kTensorNameAttr = "kiln.name";
} // namespace mlir::kiln

#endif // KILN_IR_KILNDIALECT_H
