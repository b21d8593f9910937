//===- InputShapes.h - Binding the model's input shapes ---------*- C++ -*-===//
//
// Shared by every frontend: code generation needs static shapes, so each
// input's symbolic dims are bound with `--shape NAME=DIMS`, and a binding
// must agree with the model's declaration. Problems are MLIR diagnostics;
// nothing here throws or aborts. Thread-compatible.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_INPUTSHAPES_H
#define KILN_COMPILER_IMPORT_INPUTSHAPES_H

#include "compiler/import/ImportOptions.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"

#include <string>

namespace mlir::kiln {

/// Parses "1x3x224x224" (also "1,3,224,224"); fails on anything else.
FailureOr<SmallVector<int64_t>> parseDims(StringRef text);

/// Adds a `--shape` value, "NAME=DIMS", to `options.shapes`. On malformed
/// text or a NAME bound twice, fails and says why in `problem`.
LogicalResult addShapeBinding(StringRef text, ImportOptions &options,
                              std::string &problem);

/// The type of model input `name` after the --shape bindings: `declared` may
/// have unknown dims (`?`, named in `symbolicDims` where the model names
/// them). Emits an error at `loc` and fails when a binding disagrees with the
/// declared rank or static dims, or when a dim stays unknown.
FailureOr<RankedTensorType> resolveInputType(Location loc, StringRef name,
                                             RankedTensorType declared,
                                             ArrayRef<std::string> symbolicDims,
                                             const ImportOptions &options);

/// Fails, naming it, if a --shape binding names no input of the model.
LogicalResult checkShapeBindings(Location loc, ArrayRef<std::string> inputNames,
                                 const ImportOptions &options);

} // namespace mlir::kiln

#endif // KILN_COMPILER_IMPORT_INPUTSHAPES_H
