//===- Kernels.h - What the GPU kernel passes share ---------------*- C++ -*-===//
//
// Helpers of the passes that write kernels for linalg ops on buffers
// (kiln-gpu-tile-contractions, kiln-gpu-reduce-rows).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_GPU_KERNELS_H
#define KILN_CODEGEN_GPU_KERNELS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace mlir::kiln {

/// The linalg.fill of a constant into `init` before `op` in its block, with
/// no op between them touching a view of the same buffer; null if there is
/// none. A kernel that writes every element of `init` may start from the
/// constant and erase the fill: one launch and one pass over the output
/// fewer.
linalg::FillOp initializingFill(Operation *op, Value init);

/// Sets `ivs[d]` for each loop d of `dims` from their linearized index
/// `linear` (row-major over the loop sizes `ranges`: the last dim fastest).
void delinearizeLoops(OpBuilder &builder, Location loc, ArrayRef<int64_t> ranges,
                      ArrayRef<unsigned> dims, Value linear, MutableArrayRef<Value> ivs);

/// The indices an operand with indexing map `map` (a projected permutation)
/// reads at the loop indices `ivs`.
SmallVector<Value> indicesAt(AffineMap map, ArrayRef<Value> ivs);

/// A vector of `type` from `elements` in row-major order, as vector.insert's
/// into zeros: MLIR 19 lowers vector.from_elements to LLVM only for 1-D
/// vectors, and the fragments of mma.sync are 2-D.
Value buildVector(OpBuilder &builder, Location loc, VectorType type, ValueRange elements);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_GPU_KERNELS_H
