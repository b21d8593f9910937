//===- Passes.h - Kiln lowering passes --------------------------*- C++ -*-===//

#ifndef KILN_CODEGEN_PASSES_H
#define KILN_CODEGEN_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::kiln {

#define GEN_PASS_DECL
#include "codegen/Passes.h.inc"

/// On the model's entry function (the one the artifact's C entry points
/// call), from the entry-point pass on.
inline constexpr llvm::StringLiteral kEntryFunctionAttr = "kiln.entry";
/// On each function kiln-outline-kernels made.
inline constexpr llvm::StringLiteral kKernelAttr = "kiln.kernel";

/// Registers the lowering passes and test pipelines with the global registry
/// (for kiln-opt).
void registerCodegenPasses();

/// Registers `kiln-test-lower-to-llvm`: kiln -> LLVM dialect through linalg
/// and plain loops, for execution tests with mlir-cpu-runner. Its passes are
/// looked up by name, so the upstream passes must be registered too.
void registerTestLoweringPipeline();

#define GEN_PASS_REGISTRATION
#include "codegen/Passes.h.inc"

} // namespace mlir::kiln

#endif // KILN_CODEGEN_PASSES_H
