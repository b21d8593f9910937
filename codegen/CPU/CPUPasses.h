//===- CPUPasses.h - CPU code generation passes -----------------*- C++ -*-===//

#ifndef KILN_CODEGEN_CPU_CPUPASSES_H
#define KILN_CODEGEN_CPU_CPUPASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include "codegen/Passes.h"

namespace mlir::kiln {

#define GEN_PASS_DECL
#include "codegen/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/CPU/Passes.h.inc"

/// Attribute names shared by the CPU passes and the object emitter.
/// On the model function after kiln-cpu-entry-point: it is an entry point.
inline constexpr llvm::StringLiteral kEntryAttr = kEntryFunctionAttr;
/// On an entry function: how many arguments are inputs (i64), and the names
/// of the outputs (array of strings), whose arguments follow the inputs.
inline constexpr llvm::StringLiteral kNumInputsAttr = "kiln.num_inputs";
inline constexpr llvm::StringLiteral kOutputNamesAttr = "kiln.output_names";
/// The output arguments of an entry function, in order, with their names;
/// empty if `fn` is not one.
SmallVector<std::pair<BlockArgument, StringRef>> getOutputArguments(func::FuncOp fn);
/// On the module after kiln-plan-memory: the scratch size in bytes (i64).
inline constexpr llvm::StringLiteral kScratchBytesAttr = "kiln.scratch_bytes";
/// Alignment of the scratch buffer and of every buffer placed in it.
inline constexpr int64_t kScratchAlignment = 64;

} // namespace mlir::kiln

#endif // KILN_CODEGEN_CPU_CPUPASSES_H
