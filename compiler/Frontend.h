//===- Frontend.h - Reading model files into the kiln dialect ---*- C++ -*-===//
//
// Every frontend produces a module holding one `func.func @main` on ranked
// tensors. Each argument and result carries its model-level tensor name in a
// `kiln.name` string attribute; ops carry locations naming the model's node
// (NameLoc(node, FileLineColLoc(file, ...))), so every later diagnostic can
// be traced back to the model.
//
// All functions report problems as MLIR diagnostics and return null/failure;
// none throws or aborts on bad input. Thread-compatible: one MLIRContext per
// thread.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_FRONTEND_H
#define KILN_COMPILER_FRONTEND_H

#include "ir/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace mlir::kiln {

inline constexpr llvm::StringLiteral kModelFunctionName = "main";

struct ImportOptions {
  /// The model file: .onnx, .json (Kiln graph) or .mlir (kiln dialect).
  std::string path;
  /// `--shape NAME=1x3x224x224`: the dims of an input, required for inputs
  /// with symbolic dims and checked against inputs with static ones.
  llvm::StringMap<SmallVector<int64_t>> shapes;
};

/// Reads `options.path` with the frontend its extension names. On success the
/// module verifies and @main's inputs all have static shapes.
OwningOpRef<ModuleOp> importModel(MLIRContext &ctx, const ImportOptions &options);

/// The model function of an imported module, or null.
func::FuncOp getModelFunction(ModuleOp module);

/// Parses "1x3x224x224" (also "1,3,224,224"); fails on anything else.
FailureOr<SmallVector<int64_t>> parseDims(StringRef text);

// Individual frontends (used by importModel).
OwningOpRef<ModuleOp> importONNX(MLIRContext &ctx, const ImportOptions &options);
OwningOpRef<ModuleOp> importJSON(MLIRContext &ctx, const ImportOptions &options);
OwningOpRef<ModuleOp> importMLIR(MLIRContext &ctx, const ImportOptions &options);

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

#endif // KILN_COMPILER_FRONTEND_H
