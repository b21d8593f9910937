//===- SplitBufferTasks.cpp - Parallel tasks for ops left on one thread ---===//
//
// See KilnCPUSplitBufferTasks in codegen/CPU/Passes.td. The tiling is
// upstream's (TilingInterface into scf.forall); the policy (which ops, how
// many tasks) is Kiln's, as in kiln-cpu-vectorize-ops. Done after
// bufferization because on tensors these ops (they accumulate into another
// op's buffer, or are the copies bufferization itself makes) would get a
// buffer of their own per task, inside the task.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUSPLITBUFFERTASKS
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The task tiles for `op`: chunks of its outermost parallel dim that has
/// at least two iterations per core, about four tasks per core. Empty when
/// the op is too small (under 64K iterations, a few microseconds) or has no
/// such dim.
SmallVector<int64_t> planTasks(linalg::LinalgOp op, int64_t cores) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t total = 1;
  for (int64_t r : ranges)
    total *= r;
  if (total < (int64_t(1) << 16))
    return {};
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < ranges.size(); ++d) {
    if (iterators[d] != utils::IteratorType::parallel || ranges[d] < 2 * cores)
      continue;
    int64_t tasks = std::min<int64_t>(ranges[d], 4 * cores);
    SmallVector<int64_t> sizes(ranges.size(), 0);
    sizes[d] = (ranges[d] + tasks - 1) / tasks;
    return sizes;
  }
  return {};
}

struct KilnCPUSplitBufferTasks
    : kiln::impl::KilnCPUSplitBufferTasksBase<KilnCPUSplitBufferTasks> {
  using Base::Base;

  void runOnOperation() override {
    if (cores <= 1)
      return;
    func::FuncOp fn = getOperation();
    // Only ops at the function's top level: the ones inside loops or tasks
    // are tiles of something already split.
    SmallVector<linalg::LinalgOp> targets;
    for (Operation &op : fn.getBody().getOps())
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
        if (linalgOp.hasPureBufferSemantics() && !linalgOp.hasDynamicShape() &&
            linalgOp.getNumLoops() > 0)
          targets.push_back(linalgOp);
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : targets) {
      SmallVector<int64_t> sizes = planTasks(op, cores);
      if (sizes.empty())
        continue;
      SmallVector<OpFoldResult> tileSizes;
      for (int64_t size : sizes)
        tileSizes.push_back(rewriter.getIndexAttr(size));
      scf::SCFTilingOptions options;
      options.setTileSizes(tileSizes).setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tasks =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tasks)) {
        op->emitOpError("could not be split into parallel tasks");
        return signalPassFailure();
      }
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
