//===- ImportJSON.h - The Kiln JSON graph frontend --------------*- C++ -*-===//
//
// Models in Kiln's JSON graph format (docs/json-format.md) into the kiln
// dialect, as compiler/import/ImportOptions.h describes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_JSON_IMPORTJSON_H
#define KILN_COMPILER_JSON_IMPORTJSON_H

#include "compiler/import/ImportOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir::kiln {

/// Reads the JSON model at `options.path`; null after reporting errors.
OwningOpRef<ModuleOp> importJSON(MLIRContext &ctx, const ImportOptions &options);

} // namespace mlir::kiln

#endif // KILN_COMPILER_JSON_IMPORTJSON_H
