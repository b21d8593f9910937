//===- MapLoops.cpp - Top-level loop nests -> gpu.launch, one thread each -===//
//
// See KilnGPUMapLoops in codegen/GPU/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/Common/Outlining.h"
#include "codegen/GPU/GPUPasses.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPUMAPLOOPS
#include "codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

/// On each gpu.launch this pass makes: what it computes, for the kernel's
/// symbol (describeForSymbol of the op it came from).
static constexpr llvm::StringLiteral kKernelNameAttr = "kiln.kernel_name";

namespace {

/// A linalg op as loops whose parallel dimensions are outermost (one
/// scf.parallel, then the reductions as scf.for), so that the whole
/// parallel space maps to threads. Each output element still reduces in
/// the op's own order.
FailureOr<Operation *> lowerToParallelLoops(RewriterBase &rewriter, linalg::LinalgOp op) {
  rewriter.setInsertionPoint(op);
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> parallelFirst;
  for (auto [i, t] : llvm::enumerate(iterators))
    if (t == utils::IteratorType::parallel)
      parallelFirst.push_back(i);
  for (auto [i, t] : llvm::enumerate(iterators))
    if (t != utils::IteratorType::parallel)
      parallelFirst.push_back(i);
  linalg::LinalgOp loopsOf = op;
  if (!llvm::equal(parallelFirst, llvm::seq<unsigned>(0, iterators.size()))) {
    // Only a generic op can be interchanged. Named ops without a generic
    // form (linalg.reduce over a leading dim) keep their loop order: the
    // outer reduction then runs on one thread, slow but right.
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!generic) {
      FailureOr<linalg::GenericOp> generalized = linalg::generalizeNamedOp(rewriter, op);
      if (succeeded(generalized))
        generic = *generalized;
    }
    if (generic) {
      FailureOr<linalg::GenericOp> interchanged =
          linalg::interchangeGenericOp(rewriter, generic, parallelFirst);
      if (failed(interchanged))
        return generic.emitOpError("could not move its parallel loops outermost");
      loopsOf = *interchanged;
    }
  }
  rewriter.setInsertionPoint(loopsOf);
  FailureOr<linalg::LinalgLoops> loops = linalg::linalgOpToParallelLoops(rewriter, loopsOf);
  if (failed(loops))
    return loopsOf.emitOpError("could not be lowered to loops");
  rewriter.eraseOp(loopsOf);
  // An op of rank 0 has no loops: its body was inlined where it stood.
  return loops->empty() ? nullptr : loops->front();
}

struct KilnGPUMapLoops : kiln::impl::KilnGPUMapLoopsBase<KilnGPUMapLoops> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (!abi::isEntryFunction(fn))
      return;
    if (threadsPerBlock <= 0 || threadsPerBlock % 32 != 0 || threadsPerBlock > 1024) {
      fn.emitError("kiln-gpu-map-loops: threads-per-block must be a multiple of 32 up to 1024");
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    // Linalg ops first: each becomes its loops, remembered with its name.
    SmallVector<linalg::LinalgOp> linalgOps;
    for (Operation &op : fn.getBody().front())
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
        linalgOps.push_back(linalgOp);
    DenseMap<Operation *, std::string> names;
    for (linalg::LinalgOp op : linalgOps) {
      std::string name = describeForSymbol(op);
      FailureOr<Operation *> loop = lowerToParallelLoops(rewriter, op);
      if (failed(loop))
        return signalPassFailure();
      if (*loop)
        names.try_emplace(*loop, name);
    }
    // Linalg ops nested in other ops (the slice update inside
    // kiln.scatter_add's loop over indices) run within that op's one-thread
    // launch: sequential loops.
    SmallVector<linalg::LinalgOp> nested;
    fn.walk([&](linalg::LinalgOp op) { nested.push_back(op); });
    for (linalg::LinalgOp op : nested) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::linalgOpToLoops(rewriter, op)))
        return signalPassFailure();
      rewriter.eraseOp(op);
    }

    // The loops of a rank-0 op are its inlined body, which loads its init
    // even where it does not read it: such dead loads would sit between the
    // ops that must run together on one thread.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(fn.getBody().front())))
      if (isOpTriviallyDead(&op))
        rewriter.eraseOp(&op);
    SmallVector<Operation *> work;
    for (Operation &op : fn.getBody().front())
      work.push_back(&op);
    for (Operation *op : work) {
      // Ops an earlier group took into its launch are done.
      if (op->getParentOp() != fn)
        continue;
      // Launches the kernel passes before this one made are done too.
      if (op->hasTrait<OpTrait::IsTerminator>() || isMemoryEffectFree(op) || isa<gpu::LaunchOp>(op))
        continue;
      if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp>(op)) {
        op->emitOpError("allocates memory on the host; device code must use the scratch plan");
        return signalPassFailure();
      }
      std::string name = names.lookup(op);
      if (name.empty())
        name = describeForSymbol(op);
      LogicalResult mapped = failure();
      if (auto loop = dyn_cast<scf::ParallelOp>(op))
        mapped = mapParallel(rewriter, loop, name);
      else
        mapped = runOnOneThread(rewriter, op, name);
      if (failed(mapped))
        return signalPassFailure();
    }
  }

  gpu::LaunchOp createLaunch(RewriterBase &rewriter, Location loc, int64_t blocks,
                             int64_t threads, StringRef name) {
    auto c = [&](int64_t v) -> Value { return rewriter.create<arith::ConstantIndexOp>(loc, v); };
    Value one = c(1);
    auto dim = [&](int64_t n) { return n == 1 ? one : c(n); };
    auto launch =
        rewriter.create<gpu::LaunchOp>(loc, dim(blocks), one, one, dim(threads), one, one);
    launch->setAttr(kKernelNameAttr, rewriter.getStringAttr(name));
    rewriter.setInsertionPointToEnd(&launch.getBody().front());
    rewriter.create<gpu::TerminatorOp>(loc);
    rewriter.setInsertionPointToStart(&launch.getBody().front());
    return launch;
  }

  LogicalResult mapParallel(RewriterBase &rewriter, scf::ParallelOp loop, StringRef name) {
    Location loc = loop.getLoc();
    SmallVector<int64_t> counts, lbs, steps;
    for (auto [lb, ub, step] :
         llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      std::optional<int64_t> l = getConstantIntValue(lb), u = getConstantIntValue(ub),
                             s = getConstantIntValue(step);
      if (!l || !u || !s || *s <= 0)
        return loop.emitOpError("has bounds that are not constants; GPU launches need static shapes");
      counts.push_back(*u > *l ? (*u - *l + *s - 1) / *s : 0);
      lbs.push_back(*l);
      steps.push_back(*s);
    }
    if (!loop.getInitVals().empty())
      return loop.emitOpError("reduces across threads, which kiln-gpu-map-loops does not map");
    int64_t total = 1;
    for (int64_t n : counts)
      total *= n;
    if (total == 0) {
      rewriter.eraseOp(loop);
      return success();
    }
    int64_t threads = std::min<int64_t>(threadsPerBlock, (total + 31) / 32 * 32);
    int64_t blocks = (total + threads - 1) / threads;
    if (blocks > std::numeric_limits<int32_t>::max())
      return loop.emitOpError("has ") << total << " iterations, more than one launch's grid holds";
    rewriter.setInsertionPoint(loop);
    gpu::LaunchOp launch = createLaunch(rewriter, loc, blocks, threads, name);
    auto c = [&](int64_t v) -> Value { return rewriter.create<arith::ConstantIndexOp>(loc, v); };
    Value id = rewriter.create<arith::AddIOp>(
        loc, rewriter.create<arith::MulIOp>(loc, launch.getBlockIds().x, c(threads)),
        launch.getThreadIds().x);
    if (total % threads != 0) {
      auto inBounds = rewriter.create<scf::IfOp>(
          loc, rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, id, c(total)),
          /*withElseRegion=*/false);
      rewriter.setInsertionPointToStart(&inBounds.getThenRegion().front());
    }
    // The linear index -> the loop's induction variables, last dim fastest.
    IRMapping map;
    Value rest = id;
    for (int64_t d = static_cast<int64_t>(counts.size()) - 1; d >= 0; --d) {
      Value position = d == 0 ? rest : rewriter.create<arith::RemUIOp>(loc, rest, c(counts[d]));
      if (d > 0)
        rest = rewriter.create<arith::DivUIOp>(loc, rest, c(counts[d]));
      Value iv = position;
      if (steps[d] != 1)
        iv = rewriter.create<arith::MulIOp>(loc, iv, c(steps[d]));
      if (lbs[d] != 0)
        iv = rewriter.create<arith::AddIOp>(loc, iv, c(lbs[d]));
      map.map(loop.getInductionVars()[d], iv);
    }
    for (Operation &op : loop.getBody()->without_terminator())
      rewriter.clone(op, map);
    rewriter.eraseOp(loop);
    return success();
  }

  /// Runs `op` on one thread, with every op after it that uses its results
  /// (transitively): a rank-0 op's inlined body, a load and the store of
  /// what was computed from it. Fails if a value of that group is used by
  /// something else, which would have to run on the host.
  LogicalResult runOnOneThread(RewriterBase &rewriter, Operation *op, StringRef name) {
    Block *block = op->getBlock();
    llvm::SetVector<Operation *> group;
    group.insert(op);
    for (size_t i = 0; i < group.size(); ++i)
      for (Operation *user : group[i]->getUsers()) {
        Operation *top = block->findAncestorOpInBlock(*user);
        if (!top || top->hasTrait<OpTrait::IsTerminator>()) {
          InFlightDiagnostic diag =
              op->emitOpError("computes a value the host code needs from device memory");
          diag.attachNote(user->getLoc()) << "used here";
          return diag;
        }
        group.insert(top);
      }
    // Memory ops between the group's first and last op that feed a member
    // (the other loads of a rank-0 op's body) belong to it too, with their
    // own users.
    auto span = [&](auto fn) {
      Operation *first = group.front(), *last = group.front();
      for (Operation *member : group) {
        if (member->isBeforeInBlock(first))
          first = member;
        if (last->isBeforeInBlock(member))
          last = member;
      }
      for (Operation *it = first;; it = it->getNextNode()) {
        fn(it);
        if (it == last)
          break;
      }
    };
    for (bool grown = true; grown;) {
      grown = false;
      SmallVector<Operation *> feeders;
      span([&](Operation *it) {
        if (group.contains(it) || isMemoryEffectFree(it))
          return;
        for (Operation *user : it->getUsers())
          if (group.contains(block->findAncestorOpInBlock(*user)))
            return feeders.push_back(it);
      });
      for (Operation *feeder : feeders) {
        grown |= group.insert(feeder);
        for (size_t i = 0; i < group.size(); ++i)
          for (Operation *user : group[i]->getUsers())
            if (Operation *top = block->findAncestorOpInBlock(*user))
              if (!top->hasTrait<OpTrait::IsTerminator>())
                group.insert(top);
      }
    }
    SmallVector<Operation *> ordered(group.begin(), group.end());
    llvm::sort(ordered, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
    Operation *first = ordered.front(), *last = ordered.back();
    // Moving the group together must not reorder it with other memory
    // accesses: only pure ops (indices, views) may lie between its ops.
    SmallVector<Operation *> between;
    for (Operation *it = first;; it = it->getNextNode()) {
      between.push_back(it);
      if (!group.contains(it) && !isMemoryEffectFree(it)) {
        InFlightDiagnostic diag = op->emitOpError("runs on one GPU thread with ops that come after ")
                                  << it->getName() << ", which it cannot be moved across";
        diag.attachNote(it->getLoc()) << "here";
        return diag;
      }
      if (it == last)
        break;
    }
    rewriter.setInsertionPoint(first);
    gpu::LaunchOp launch = createLaunch(rewriter, op->getLoc(), 1, 1, name);
    Operation *end = &launch.getBody().front().back();
    for (Operation *it : between) {
      if (group.contains(it)) {
        rewriter.moveOpBefore(it, end);
        continue;
      }
      // A pure op between: the kernel gets its own copy where a member uses it.
      bool used = llvm::any_of(it->getUsers(), [&](Operation *user) {
        return launch->isAncestor(user) || group.contains(block->findAncestorOpInBlock(*user));
      });
      if (!used)
        continue;
      rewriter.setInsertionPoint(end);
      Operation *copy = rewriter.clone(*it);
      for (auto [from, to] : llvm::zip(it->getResults(), copy->getResults()))
        rewriter.replaceUsesWithIf(from, to, [&](OpOperand &use) {
          return launch->isAncestor(use.getOwner()) ||
                 group.contains(block->findAncestorOpInBlock(*use.getOwner()));
        });
    }
    return success();
  }
};

} // namespace
