//===- ONNXImporter.cpp - ONNX -> kiln dialect ----------------------------===//

#include "compiler/Frontend.h"

using namespace mlir;
using namespace mlir::kiln;

// Being written now; until then an .onnx input is a clear error.
OwningOpRef<ModuleOp> mlir::kiln::importONNX(MLIRContext &ctx,
                                             const ImportOptions &options) {
  emitError(FileLineColLoc::get(&ctx, options.path, 0, 0))
      << "ONNX import is not available in this build yet";
  return nullptr;
}
