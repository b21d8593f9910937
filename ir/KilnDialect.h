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
/// Set by frontends on a model function: the entry point it becomes (see
/// codegen/Common/ABI.h); on an argument that is a weight, kParameterAttr,
/// with its value in kValueAttr. Graph passes (kiln-differentiate) read them
/// too, so they live with the dialect.
inline constexpr llvm::StringLiteral kEntryPointAttr = "kiln.entry_point";
inline constexpr llvm::StringLiteral kParameterAttr = "kiln.parameter";
inline constexpr llvm::StringLiteral kValueAttr = "kiln.value";
} // namespace mlir::kiln

#endif // KILN_IR_KILNDIALECT_H
