//===- ParallelTasks.cpp - scf.forall -> task functions and their launch --===//
//
// See KilnParallelTasks in codegen/Passes.td. Upstream lowers scf.forall to
// sequential loops, to scf.parallel (which the async dialect can run with its
// own runtime library), or to GPU blocks; none of these calls a thread pool
// the caller provides through a C struct, which is the artifact's contract
// (runtime/kiln_abi.h: kiln_context_t.parallel_for), so this pass outlines
// each task body into a function and leaves a launcher for
// kiln-parallel-launches to define in the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/Common/Outlining.h"
#include "codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNPARALLELTASKS
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The trip count of each of `loop`'s dims, if all are constants.
std::optional<SmallVector<int64_t>> staticTripCounts(scf::ForallOp loop) {
  SmallVector<int64_t> counts;
  for (auto [lb, ub, step] : llvm::zip(loop.getMixedLowerBound(), loop.getMixedUpperBound(),
                                       loop.getMixedStep())) {
    std::optional<int64_t> l = getConstantIntValue(lb), u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    if (!l || !u || !s || *s <= 0)
      return std::nullopt;
    counts.push_back(*u > *l ? (*u - *l + *s - 1) / *s : 0);
  }
  return counts;
}

/// The op that best says what a task computes, for its symbol: the first
/// linalg op, else the first op located at a model node (vector code keeps
/// the node's location on most ops), else the body's first op.
Operation *representativeOp(scf::ForallOp loop) {
  auto atNode = [](Operation *op) {
    bool found = false;
    op->getLoc()->walk([&](Location loc) {
      found = isa<NameLoc>(loc);
      return found ? WalkResult::interrupt() : WalkResult::advance();
    });
    return found;
  };
  Operation *linalgOp = nullptr, *located = nullptr;
  loop.getBody()->walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (!linalgOp && op->getName().getDialectNamespace() == "linalg")
      linalgOp = op;
    if (!located && atNode(op))
      located = op;
  });
  if (linalgOp)
    return linalgOp;
  return located ? located : &loop.getBody()->front();
}

struct KilnParallelTasks : kiln::impl::KilnParallelTasksBase<KilnParallelTasks> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto fn : module.getOps<func::FuncOp>())
      if (abi::isEntryFunction(fn))
        entries.push_back(fn);
    for (func::FuncOp fn : entries)
      if (failed(outlineTasks(fn)))
        return signalPassFailure();

    // Whatever could not become tasks (a forall inside another loop or task,
    // one with dynamic bounds) runs as sequential loops.
    SmallVector<scf::ForallOp> rest;
    module.walk([&](scf::ForallOp loop) { rest.push_back(loop); });
    IRRewriter rewriter(&getContext());
    for (scf::ForallOp loop : llvm::reverse(rest)) {
      rewriter.setInsertionPoint(loop);
      if (failed(scf::forallToForLoop(rewriter, loop))) {
        loop.emitOpError("could not be lowered to sequential loops");
        return signalPassFailure();
      }
    }
  }

  LogicalResult outlineTasks(func::FuncOp fn) {
    MLIRContext *ctx = fn.getContext();
    Block &block = fn.getBody().front();
    // Every entry function takes the context, so its C wrapper is the same
    // whether or not it has tasks.
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    fn.insertArgument(fn.getNumArguments(), ptr, {}, fn.getLoc());
    fn->setAttr(abi::kTakesContextAttr, UnitAttr::get(ctx));
    Value context = fn.getArgument(fn.getNumArguments() - 1);

    SmallVector<scf::ForallOp> loops;
    for (Operation &op : block)
      if (auto loop = dyn_cast<scf::ForallOp>(&op))
        if (loop.getNumResults() == 0)
          loops.push_back(loop);
    unsigned index = 0;
    OpBuilder b(ctx);
    Operation *insertAfter = fn;
    for (scf::ForallOp loop : loops) {
      std::optional<SmallVector<int64_t>> counts = staticTripCounts(loop);
      llvm::SetVector<Operation *> recompute;
      SmallVector<BlockArgument> params;
      if (!counts || failed(collectOutlineInputs(loop, block, recompute, params)))
        continue; // stays a forall: sequential loops
      int64_t total = 1;
      for (int64_t c : *counts)
        total *= c;
      SmallVector<Type> paramTypes;
      SmallVector<Value> args;
      for (BlockArgument p : params) {
        paramTypes.push_back(p.getType());
        args.push_back(p);
      }

      // The task: task(i, parameters...) runs the body for task index i.
      Location loc = loop.getLoc();
      std::string name = (fn.getSymName() + "_task" + Twine(index++) + "_" +
                          describeForSymbol(representativeOp(loop)))
                             .str();
      b.setInsertionPointAfter(insertAfter);
      SmallVector<Type> taskInputs = {b.getIndexType()};
      taskInputs.append(paramTypes);
      auto task = b.create<func::FuncOp>(loc, name, b.getFunctionType(taskInputs, {}));
      task.setPrivate();
      task->setAttr(abi::kKernelAttr, b.getUnitAttr());
      task->setAttr("no_inline", b.getUnitAttr());
      Block *entry = task.addEntryBlock();
      IRMapping map;
      for (auto [p, arg] : llvm::zip(params, entry->getArguments().drop_front()))
        map.map(p, arg);
      OpBuilder inside = OpBuilder::atBlockBegin(entry);
      for (Operation *def : recompute)
        inside.clone(*def, map);
      // Task index -> the forall's induction variables, last dim fastest.
      Value rest = entry->getArgument(0);
      SmallVector<OpFoldResult> lbs = loop.getMixedLowerBound(), steps = loop.getMixedStep();
      SmallVector<Value> ivs(counts->size());
      for (int64_t d = static_cast<int64_t>(counts->size()) - 1; d >= 0; --d) {
        Value count = inside.create<arith::ConstantIndexOp>(loc, (*counts)[d]);
        Value position = d == 0 ? rest : inside.create<arith::RemUIOp>(loc, rest, count);
        if (d > 0)
          rest = inside.create<arith::DivUIOp>(loc, rest, count);
        Value step = inside.create<arith::ConstantIndexOp>(loc, *getConstantIntValue(steps[d]));
        Value lb = inside.create<arith::ConstantIndexOp>(loc, *getConstantIntValue(lbs[d]));
        ivs[d] = inside.create<arith::AddIOp>(
            loc, lb, inside.create<arith::MulIOp>(loc, position, step));
      }
      for (auto [iv, value] : llvm::zip(loop.getInductionVars(), ivs))
        map.map(iv, value);
      for (Operation &op : loop.getBody()->without_terminator())
        inside.clone(op, map);
      inside.create<func::ReturnOp>(loc);

      // Its launcher, defined later in the LLVM dialect: launch(context,
      // parameters...) runs task(i, ...) for every i, on the context's pool.
      SmallVector<Type> launchInputs = {ptr};
      launchInputs.append(paramTypes);
      b.setInsertionPointAfter(task);
      auto launch = b.create<func::FuncOp>(loc, name + "_launch",
                                           b.getFunctionType(launchInputs, {}));
      launch.setPrivate();
      launch->setAttr(abi::kLaunchTaskAttr, FlatSymbolRefAttr::get(task));
      launch->setAttr(abi::kLaunchCountAttr, b.getI64IntegerAttr(total));
      insertAfter = launch;

      OpBuilder call(loop);
      SmallVector<Value> launchArgs = {context};
      launchArgs.append(args);
      call.create<func::CallOp>(loc, launch, launchArgs);
      loop.erase();
    }
    return success();
  }
};

} // namespace
