//===- ImportONNX.h - The ONNX frontend -------------------------*- C++ -*-===//
//
// ONNX models (opsets 7 to 28) into the kiln dialect, as
// compiler/import/ImportOptions.h describes. The importer's pieces are
// private to this folder (ONNXImporter.h).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_ONNX_IMPORTONNX_H
#define KILN_COMPILER_ONNX_IMPORTONNX_H

#include "compiler/import/ImportOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir::kiln {

/// Reads the ONNX model at `options.path`; null after reporting errors.
OwningOpRef<ModuleOp> importONNX(MLIRContext &ctx, const ImportOptions &options);

} // namespace mlir::kiln

#endif // KILN_COMPILER_ONNX_IMPORTONNX_H
