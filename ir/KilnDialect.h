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
/// On an argument or result of a model function: the tensor lives in the
/// caller's training state buffer (kiln-build-train-step sets it on the
/// weights and optimizer state of train_step and init_state). An argument
/// and a result with the same kiln.name are one tensor of the buffer: read
/// at the start of the call, written at its end (codegen/Common/ABI.h).
inline constexpr llvm::StringLiteral kStateAttr = "kiln.state";
/// On a result of a model function: the next value of the weight (a
/// kiln.parameter argument) whose kiln.name the result has, computed by the
/// step itself rather than by a gradient (BatchNormalization's running
/// statistics in training mode). Frontends add such results only when asked
/// (ImportOptions::stateUpdates); kiln-build-train-step turns them into state
/// updates and removes them from the model's own entry point.
inline constexpr llvm::StringLiteral kStateUpdateAttr = "kiln.state_update";
/// On an elementwise op (and the linalg.generic it lowers to): a copy of a
/// forward op that the backward code computes again instead of keeping the
/// forward result alive (passes/Gradient.h). The attribute keeps CSE from
/// merging the copy back into the forward op, which would undo the choice.
inline constexpr llvm::StringLiteral kRecomputedAttr = "kiln.recomputed";
} // namespace mlir::kiln

#endif // KILN_IR_KILNDIALECT_H
