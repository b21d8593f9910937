//===- SplitBufferTasks.cpp - Parallel tasks for ops left on one thread ---===//
//
// See KilnCPUSplitBufferTasks in codegen/CPU/Passes.td. The tiling is
// upstream's (TilingInterface into scf.forall); the policy (which ops, how
// many tasks) is Kiln's, shared with kiln-cpu-vectorize-ops (Tasks.h). Done after
// bufferization because on tensors these ops (they accumulate into another
// op's buffer, or are the copies bufferization itself makes) would get a
// buffer of their own per task, inside the task.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"
#include "codegen/CPU/Tasks.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUSPLITBUFFERTASKS
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

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
    // A dim needs two iterations per core to be split.
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : targets)
      if (failed(splitIntoTasks(rewriter, op, planTasks(op, cores, 2 * cores))))
        return signalPassFailure();
  }
};

} // namespace
