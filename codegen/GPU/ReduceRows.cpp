//===- ReduceRows.cpp - Row reductions as warp and block reductions -------===//
//
// See KilnGPUReduceRows in codegen/GPU/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/Common/Outlining.h"
#include "codegen/GPU/GPUPasses.h"
#include "codegen/GPU/Kernels.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPUREDUCEROWS
#include "codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

constexpr int64_t kWarpSize = 32;

/// The gpu reduction an arith combiner is, if any.
std::optional<gpu::AllReduceOperation> reductionKind(Operation *combiner) {
  using K = gpu::AllReduceOperation;
  return llvm::TypeSwitch<Operation *, std::optional<K>>(combiner)
      .Case<arith::AddFOp, arith::AddIOp>([](auto) { return K::ADD; })
      .Case<arith::MulFOp, arith::MulIOp>([](auto) { return K::MUL; })
      .Case([](arith::MinSIOp) { return K::MINSI; })
      .Case([](arith::MinUIOp) { return K::MINUI; })
      .Case([](arith::MaxSIOp) { return K::MAXSI; })
      .Case([](arith::MaxUIOp) { return K::MAXUI; })
      .Case([](arith::AndIOp) { return K::AND; })
      .Case([](arith::OrIOp) { return K::OR; })
      .Case([](arith::XOrIOp) { return K::XOR; })
      .Case([](arith::MinNumFOp) { return K::MINNUMF; })
      .Case([](arith::MaxNumFOp) { return K::MAXNUMF; })
      .Case([](arith::MinimumFOp) { return K::MINIMUMF; })
      .Case([](arith::MaximumFOp) { return K::MAXIMUMF; })
      .Default([](Operation *) { return std::nullopt; });
}

/// A reduction whose reduced dims come after its parallel ones and run
/// along its inputs' contiguous dim: one output element per row.
struct RowReduction {
  linalg::LinalgOp op;
  SmallVector<unsigned> parallel, reduced;
  SmallVector<int64_t> ranges;
  int64_t rows = 1, length = 1;
  Operation *combiner = nullptr;
  gpu::AllReduceOperation kind;
  TypedAttr neutral;
  /// The constant fill of the output before the op, if any (the kernel
  /// combines the constant instead of loading the output, and the fill
  /// goes).
  linalg::FillOp fill;
};

FailureOr<RowReduction> matchRowReduction(linalg::LinalgOp op, int64_t minLength) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return failure();
  RowReduction r;
  r.op = op;
  r.ranges = op.getStaticLoopRanges();
  if (llvm::any_of(r.ranges, ShapedType::isDynamic))
    return failure();
  for (auto [d, type] : llvm::enumerate(op.getIteratorTypesArray())) {
    if (type == utils::IteratorType::parallel) {
      if (!r.reduced.empty())
        return failure(); // a parallel dim inside the reduced ones
      r.parallel.push_back(d);
      r.rows *= r.ranges[d];
    } else {
      r.reduced.push_back(d);
      r.length *= r.ranges[d];
    }
  }
  if (r.length < minLength || r.rows == 0)
    return failure();
  unsigned innermost = r.reduced.back();
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!type || !type.hasStaticShape() || !map.isProjectedPermutation())
      return failure();
    // Neighbouring threads read neighbouring elements: the innermost
    // reduced dim is each input's last, contiguous one.
    if (map.isFunctionOfDim(innermost) &&
        (map.getResults().back() != getAffineDimExpr(innermost, op.getContext()) ||
         !type.getLayout().isIdentity()))
      return failure();
  }
  Block &body = *op.getBlock();
  SmallVector<Operation *> combiners;
  Value reduced = matchReduction(op.getRegionOutputArgs(), 0, combiners);
  if (!reduced || combiners.size() != 1)
    return failure();
  r.combiner = combiners.front();
  Type type = body.getArgument(op.getNumDpsInputs()).getType();
  if (!type.isF32() && !type.isInteger(32))
    return failure(); // upstream's shuffles take 32-bit values
  std::optional<gpu::AllReduceOperation> kind = reductionKind(r.combiner);
  std::optional<TypedAttr> neutral = arith::getNeutralElement(r.combiner);
  if (!kind || !neutral)
    return failure();
  r.kind = *kind;
  r.neutral = *neutral;
  r.fill = initializingFill(op, op.getDpsInits()[0]);
  return r;
}

/// Writes the kernel of one row reduction into a gpu.launch replacing it.
class KernelBuilder {
public:
  KernelBuilder(RewriterBase &rewriter, RowReduction r, int64_t rowThreads, int64_t rowsPerBlock)
      : rewriter(rewriter), r(std::move(r)), rowThreads(rowThreads), rowsPerBlock(rowsPerBlock),
        loc(this->r.op.getLoc()), ivs(this->r.ranges.size()) {}

  gpu::LaunchOp build(StringRef name) {
    linalg::LinalgOp op = r.op;
    Block &body = *op.getBlock();
    BlockArgument accArg = body.getArgument(op.getNumDpsInputs());
    Type type = accArg.getType();
    int64_t warps = rowThreads / kWarpSize;
    SmallVector<Type> workgroup;
    if (warps > 1)
      workgroup.push_back(MemRefType::get(
          {rowsPerBlock, warps}, type, MemRefLayoutAttrInterface{},
          gpu::AddressSpaceAttr::get(op.getContext(), gpu::AddressSpace::Workgroup)));
    rewriter.setInsertionPoint(op);
    auto launch = rewriter.create<gpu::LaunchOp>(
        loc, constant(llvm::divideCeil(r.rows, rowsPerBlock)), constant(1), constant(1),
        constant(rowThreads), constant(rowsPerBlock), constant(1),
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/ValueRange{}, workgroup);
    launch->setAttr("kiln.kernel_name", rewriter.getStringAttr(name));
    rewriter.setInsertionPointToEnd(&launch.getBody().front());
    rewriter.create<gpu::TerminatorOp>(loc);
    rewriter.setInsertionPointToStart(&launch.getBody().front());
    Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
    Value row = add(mul(launch.getBlockIds().x, constant(rowsPerBlock)), ty);
    // Rows past the last (in the last block) reduce nothing: their threads
    // still reach the barrier and the shuffles.
    Value valid = lessThan(row, r.rows);
    Value length = rewriter.create<arith::SelectOp>(loc, valid, constant(r.length), constant(0));
    setIvs(r.parallel, rewriter.create<arith::MinUIOp>(loc, row, constant(r.rows - 1)));
    Value neutral = rewriter.create<arith::ConstantOp>(loc, r.neutral);

    // Each thread folds every rowThreads-th element of the row into its
    // partial value, with the op's own body.
    auto loop = rewriter.create<scf::ForOp>(loc, tx, length, constant(rowThreads), ValueRange{neutral});
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(loop.getBody());
      setIvs(r.reduced, loop.getInductionVar());
      IRMapping map;
      for (OpOperand *input : op.getDpsInputOperands())
        map.map(body.getArgument(input->getOperandNumber()), load(*input));
      map.map(accArg, loop.getRegionIterArgs()[0]);
      for (Operation &bodyOp : body.without_terminator()) {
        if (auto index = dyn_cast<linalg::IndexOp>(bodyOp)) {
          map.map(index.getResult(), ivs[index.getDim()]);
          continue;
        }
        rewriter.clone(bodyOp, map);
      }
      rewriter.create<scf::YieldOp>(loc, map.lookup(body.getTerminator()->getOperand(0)));
    }
    // The warp's partials combined (every lane gets the result), then,
    // with several warps per row, the warps' results through shared memory.
    SmallVector<Operation *> reductions;
    Value total = warpReduce(loop.getResult(0), reductions);
    if (warps > 1) {
      Value shared = launch.getWorkgroupAttributions()[0];
      Value lane = rewriter.create<arith::RemUIOp>(loc, tx, constant(kWarpSize));
      Value warp = rewriter.create<arith::DivUIOp>(loc, tx, constant(kWarpSize));
      Value first = rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, lane, constant(0));
      {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointToStart(
            &rewriter.create<scf::IfOp>(loc, first, false).getThenRegion().front());
        rewriter.create<memref::StoreOp>(loc, total, shared, ValueRange{ty, warp});
      }
      rewriter.create<gpu::BarrierOp>(loc);
      Value partial = rewriter.create<memref::LoadOp>(
          loc, shared,
          ValueRange{ty, rewriter.create<arith::MinUIOp>(loc, lane, constant(warps - 1))});
      partial = rewriter.create<arith::SelectOp>(loc, lessThan(lane, warps), partial, neutral);
      total = warpReduce(partial, reductions);
    }
    // One thread per row combines the output's initial value with it.
    Value writer = rewriter.create<arith::AndIOp>(
        loc, valid, rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, tx, constant(0)));
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(
          &rewriter.create<scf::IfOp>(loc, writer, false).getThenRegion().front());
      OpOperand &out = op.getDpsInitsMutable()[0];
      SmallVector<Value> indices = indicesOf(out);
      Value init = r.fill ? r.fill.getInputs()[0]
                          : rewriter.create<memref::LoadOp>(loc, out.get(), indices).getResult();
      IRMapping map;
      for (Value operand : r.combiner->getOperands())
        map.map(operand, operand == accArg ? init : total);
      Value result = rewriter.clone(*r.combiner, map)->getResult(0);
      rewriter.create<memref::StoreOp>(loc, result, out.get(), indices);
    }
    rewriter.eraseOp(op);
    if (r.fill)
      rewriter.eraseOp(r.fill);
    lowerToShuffles(reductions);
    return launch;
  }

private:
  Value constant(int64_t v) { return rewriter.create<arith::ConstantIndexOp>(loc, v); }
  Value add(Value x, Value y) { return rewriter.create<arith::AddIOp>(loc, x, y); }
  Value mul(Value x, Value y) { return rewriter.create<arith::MulIOp>(loc, x, y); }
  Value lessThan(Value x, int64_t bound) {
    return rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, x, constant(bound));
  }

  void setIvs(ArrayRef<unsigned> dims, Value linear) {
    delinearizeLoops(rewriter, loc, r.ranges, dims, linear, ivs);
  }

  SmallVector<Value> indicesOf(OpOperand &operand) {
    return indicesAt(r.op.getMatchingIndexingMap(&operand), ivs);
  }

  Value load(OpOperand &operand) {
    return rewriter.create<memref::LoadOp>(loc, operand.get(), indicesOf(operand));
  }

  Value warpReduce(Value value, SmallVectorImpl<Operation *> &reductions) {
    auto reduce = rewriter.create<gpu::SubgroupReduceOp>(loc, value, r.kind, /*uniform=*/true);
    reductions.push_back(reduce);
    return reduce.getResult();
  }

  /// Upstream's butterfly of xor shuffles, now: the CPU emulation
  /// (kiln-gpu-launches-as-loops) then runs the shuffles the GPU runs.
  void lowerToShuffles(ArrayRef<Operation *> reductions) {
    RewritePatternSet patterns(rewriter.getContext());
    populateGpuLowerSubgroupReduceToShufflePattenrs(patterns, kWarpSize, /*shuffleBitwidth=*/32);
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingAndNewOps;
    (void)applyOpPatternsAndFold(reductions, std::move(patterns), config);
  }

  RewriterBase &rewriter;
  RowReduction r;
  int64_t rowThreads, rowsPerBlock;
  Location loc;
  SmallVector<Value> ivs;
};

struct KilnGPUReduceRows : kiln::impl::KilnGPUReduceRowsBase<KilnGPUReduceRows> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (!abi::isEntryFunction(fn))
      return;
    if (blockThreads < kWarpSize || blockThreads % kWarpSize != 0 || blockThreads > 1024 ||
        !llvm::isPowerOf2_64(blockThreads)) {
      fn.emitError("kiln-gpu-reduce-rows: block-threads must be a power of two from 32 to 1024");
      return signalPassFailure();
    }
    std::vector<RowReduction> work;
    for (Operation &op : fn.getBody().front())
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
        if (FailureOr<RowReduction> r = matchRowReduction(linalgOp, minRowLength); succeeded(r))
          work.push_back(*r);
    IRRewriter rewriter(&getContext());
    for (RowReduction &r : work) {
      // About 8 elements per thread: a warp per row up to 256 elements, a
      // whole block from 8 * blockThreads on.
      int64_t rowThreads = kWarpSize;
      while (rowThreads < blockThreads && rowThreads * 8 < r.length)
        rowThreads *= 2;
      int64_t rowsPerBlock = std::min<int64_t>(blockThreads / rowThreads,
                                               llvm::PowerOf2Ceil(r.rows));
      if (llvm::divideCeil(r.rows, rowsPerBlock) > std::numeric_limits<int32_t>::max())
        continue;
      std::string name = describeForSymbol(r.op);
      gpu::LaunchOp launch = KernelBuilder(rewriter, r, rowThreads, rowsPerBlock).build(name);
      bool lowered = true;
      launch.walk([&](gpu::SubgroupReduceOp) { lowered = false; });
      if (!lowered) {
        launch.emitOpError("kept a gpu.subgroup_reduce that upstream's lowering did not take");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
