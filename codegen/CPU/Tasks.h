//===- Tasks.h - Splitting one op into parallel tasks -----------*- C++ -*-===//
//
// The one policy kiln-cpu-vectorize-ops (on tensors) and
// kiln-cpu-split-buffer-tasks (on buffers) split ops by: an scf.forall over
// chunks of one parallel dim, which kiln-parallel-tasks turns into a launch
// on the context's thread pool.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_TASKS_H
#define KILN_CODEGEN_CPU_TASKS_H

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mlir::kiln {

/// The task tiles for `op` (static shapes) on `cores` cores: chunks of its
/// outermost parallel dim with at least `minIterations` iterations, about
/// four tasks per core; none (an empty vector) for ops under 64K iterations
/// (a few microseconds) or on one core. Along `vectorDim`, if given, the
/// dim needs two vector tiles of `vectorSize` and a chunk is a whole number
/// of them.
SmallVector<int64_t> planTasks(linalg::LinalgOp op, int64_t cores, int64_t minIterations,
                               std::optional<unsigned> vectorDim = std::nullopt,
                               int64_t vectorSize = 1);

/// Replaces `op` by an scf.forall over the tiles `taskSizes` (0: that dim is
/// not split) and sets `op` to the op that computes one task; leaves it as
/// it is when `taskSizes` is empty. The op `op` named before a split is
/// erased, so `op` is updated in place rather than returned: a caller
/// cannot keep a handle on the erased op by mistake.
LogicalResult splitIntoTasks(RewriterBase &rewriter, linalg::LinalgOp &op,
                             ArrayRef<int64_t> taskSizes);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_CPU_TASKS_H
