//===- Frontend.h - Reading a model file into the kiln dialect --*- C++ -*-===//
//
// importModel() picks the frontend a file's extension names: ONNX
// (compiler/onnx), Kiln's JSON graph format (compiler/json) or kiln-dialect
// MLIR (here). What every frontend produces is described in
// compiler/import/ImportOptions.h. The module may still need shape
// inference (an MLIR model whose inputs --shape re-bound): the pipeline's
// first pass does that, and the pipeline verifies after it.
//
// All functions report problems as MLIR diagnostics and return null/failure;
// none throws or aborts on bad input. Thread-compatible: one MLIRContext per
// thread.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_FRONTEND_FRONTEND_H
#define KILN_COMPILER_FRONTEND_FRONTEND_H

#include "compiler/import/ImportOptions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir::kiln {

/// Reads `options.path` with the frontend its extension names.
OwningOpRef<ModuleOp> importModel(MLIRContext &ctx, const ImportOptions &options);

/// The kiln-dialect frontend: a module with a function @main on ranked
/// tensors (or functions marked `kiln.entry_point`); --shape re-binds @main's
/// input types.
OwningOpRef<ModuleOp> importMLIR(MLIRContext &ctx, const ImportOptions &options);

/// The model function @main of an imported module, or null.
func::FuncOp getModelFunction(ModuleOp module);

} // namespace mlir::kiln

#endif // KILN_COMPILER_FRONTEND_FRONTEND_H
