//===- LaunchesAsLoops.cpp - gpu.launch -> sequential loops on the host ---===//
//
// See KilnGPULaunchesAsLoops in codegen/GPU/Passes.td. Upstream has no
// lowering of gpu.launch for a CPU.
//
//===----------------------------------------------------------------------===//

#include "codegen/GPU/GPUPasses.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPULAUNCHESASLOOPS
#include "codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct KilnGPULaunchesAsLoops
    : kiln::impl::KilnGPULaunchesAsLoopsBase<KilnGPULaunchesAsLoops> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    IRRewriter rewriter(&getContext());
    for (gpu::LaunchOp launch : launches) {
      if (launch.getBody().getBlocks().size() != 1) {
        launch.emitOpError("has more than one block; cannot run it as loops");
        return signalPassFailure();
      }
      Location loc = launch.getLoc();
      rewriter.setInsertionPoint(launch);
      Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
      Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
      gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
      // Block ids outermost, then thread ids; z outermost within each.
      Value bounds[] = {grid.z, grid.y, grid.x, block.z, block.y, block.x};
      gpu::KernelDim3 blockIds = launch.getBlockIds(), threadIds = launch.getThreadIds();
      Value ids[] = {blockIds.z, blockIds.y, blockIds.x, threadIds.z, threadIds.y, threadIds.x};
      IRMapping map;
      // The body's size arguments are the launch's operands.
      gpu::KernelDim3 gridArgs = launch.getGridSize(), blockArgs = launch.getBlockSize();
      map.map(gridArgs.x, grid.x);
      map.map(gridArgs.y, grid.y);
      map.map(gridArgs.z, grid.z);
      map.map(blockArgs.x, block.x);
      map.map(blockArgs.y, block.y);
      map.map(blockArgs.z, block.z);
      for (auto [bound, id] : llvm::zip(bounds, ids)) {
        auto loop = rewriter.create<scf::ForOp>(loc, zero, bound, one);
        map.map(id, loop.getInductionVar());
        rewriter.setInsertionPointToStart(loop.getBody());
      }
      for (Operation &op : launch.getBody().front().without_terminator())
        rewriter.clone(op, map);
      rewriter.eraseOp(launch);
    }
  }
};

} // namespace
