//===- Kernels.h - What the GPU kernel passes share ---------------*- C++ -*-===//
//
// Helpers of the passes that write kernels for linalg ops on buffers
// (kiln-gpu-tile-contractions, kiln-gpu-reduce-rows).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_GPU_KERNELS_H
#define KILN_CODEGEN_GPU_KERNELS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::kiln {

/// The linalg.fill of a constant into `init` before `op` in its block, with
/// no op between them touching a view of the same buffer; null if there is
/// none. A kernel that writes every element of `init` may start from the
/// constant and erase the fill: one launch and one pass over the output
/// fewer.
linalg::FillOp initializingFill(Operation *op, Value init);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_GPU_KERNELS_H
