//===- LaunchesAsLoops.cpp - gpu.launch -> loops on the host, barriers kept -===//
//
// See KilnGPULaunchesAsLoops in codegen/GPU/Passes.td. Upstream has no
// lowering of gpu.launch for a CPU; this is the classic one of CUDA-on-CPU
// compilers (MCUDA, POCL's work-group functions, Polygeist): the block's
// threads run one after another between synchronization points ("loop
// fission" at each barrier), and a value one thread computes before a barrier
// and uses after it waits in an array with one slot per thread.
//
//===----------------------------------------------------------------------===//

#include "codegen/GPU/GPUPasses.h"
#include "codegen/GPU/Kernels.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPULAUNCHESASLOOPS
#include "codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

constexpr int64_t kWarpSize = 32;

/// Ops every thread of a block (gpu.barrier) or of a warp (gpu.shuffle,
/// nvgpu.mma.sync) must reach before any goes on.
bool isSync(Operation *op) { return isa<gpu::BarrierOp, gpu::ShuffleOp, nvgpu::MmaSyncOp>(op); }

/// Whether `op` reads what the other lanes of its warp computed before it.
bool isWarpCollective(Operation *op) { return isa<gpu::ShuffleOp, nvgpu::MmaSyncOp>(op); }

/// Whether an op nested in `op` is a synchronization point.
bool containsSync(Operation *op) {
  for (Region &region : op->getRegions())
    if (region.walk([](Operation *nested) {
                return isSync(nested) ? WalkResult::interrupt() : WalkResult::advance();
              }).wasInterrupted())
      return true;
  return false;
}

/// `type` without a GPU address space: on the CPU, workgroup memory is
/// ordinary memory.
Type withoutGPUMemorySpace(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !isa_and_nonnull<gpu::AddressSpaceAttr>(memref.getMemorySpace()))
    return type;
  return MemRefType::get(memref.getShape(), memref.getElementType(), memref.getLayout());
}

/// Runs one gpu.launch as loops: blocks one after another, and within a
/// block each segment between synchronization points as a loop over the
/// block's threads.
///
/// The body is cut at every gpu.barrier and before every gpu.shuffle (a
/// shuffle reads what the other lanes of its warp computed before it). A
/// loop or `if` that contains a synchronization point stays one loop or `if`
/// around the thread loops of its body; its bounds and condition must then
/// be the same for every thread of the block, as CUDA requires of a barrier
/// inside control flow. What crosses a cut:
///  - values of pure ops (indices, constants, views) are computed again
///    where they are used;
///  - other values (loads, loop results, shuffle results) are stored in an
///    array with one slot per thread of the block, and loaded where used;
///  - the iteration arguments and results of a loop with a barrier inside
///    live in such arrays for the whole loop.
/// Workgroup memory is one buffer, filled with NaN when each block starts
/// (floats), so that a kernel reading what no thread of its block wrote
/// computes NaN instead of another block's leftovers.
class LaunchEmulator {
public:
  LaunchEmulator(gpu::LaunchOp launch, RewriterBase &rewriter)
      : launch(launch), rewriter(rewriter), loc(launch.getLoc()) {}

  LogicalResult run() {
    if (launch.getBody().getBlocks().size() != 1)
      return launch.emitOpError("has more than one block; cannot run it as loops");
    if (!launch.getPrivateAttributions().empty())
      return launch.emitOpError("has private memory attributions; cannot run it as loops");
    gpu::KernelDim3 blockSize = launch.getBlockSizeOperandValues();
    for (auto [i, v] : llvm::enumerate(ValueRange{blockSize.x, blockSize.y, blockSize.z})) {
      std::optional<int64_t> c = getConstantIntValue(v);
      if (!c || *c <= 0)
        return launch.emitOpError("has a block size that is not a positive constant");
      blockDims[i] = *c;
    }
    numThreads = blockDims[0] * blockDims[1] * blockDims[2];
    lowerAsyncCopies();
    Block &body = launch.getBody().front();
    // On the CPU every buffer is ordinary memory.
    for (BlockArgument arg : body.getArguments())
      arg.setType(withoutGPUMemorySpace(arg.getType()));
    launch.getBody().walk([](Operation *op) {
      for (Value result : op->getResults())
        result.setType(withoutGPUMemorySpace(result.getType()));
      for (Region &region : op->getRegions())
        for (BlockArgument arg : region.getArguments())
          arg.setType(withoutGPUMemorySpace(arg.getType()));
    });

    emitted.insert(&body);
    assignSegments(body);

    // Blocks: z outermost. Slot arrays and workgroup memory come before
    // them, made once.
    rewriter.setInsertionPoint(launch);
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
    Value zero = constant(0), one = constant(1);
    Value gridValues[] = {grid.z, grid.y, grid.x};
    Value blockIds[3];
    for (auto [d, bound] : llvm::enumerate(gridValues)) {
      auto loop = rewriter.create<scf::ForOp>(loc, zero, bound, one);
      if (d == 0)
        outermost = loop;
      blockIds[2 - d] = loop.getInductionVar();
      rewriter.setInsertionPointToStart(loop.getBody());
    }
    OpBuilder::InsertPoint blockStart = rewriter.saveInsertionPoint();
    if (failed(planSpills()))
      return failure();
    SmallVector<Value> workgroup;
    for (BlockArgument arg : launch.getWorkgroupAttributions()) {
      auto type = cast<MemRefType>(arg.getType());
      if (!type.hasStaticShape())
        return launch.emitOpError("has workgroup memory of dynamic size");
      rewriter.setInsertionPoint(outermost);
      Value buffer = rewriter.create<memref::AllocaOp>(loc, type);
      uniform.map(arg, buffer);
      workgroup.push_back(buffer);
    }
    rewriter.restoreInsertionPoint(blockStart);
    gpu::KernelDim3 ids = launch.getBlockIds(), gridArgs = launch.getGridSize(),
                    blockArgs = launch.getBlockSize();
    uniform.map(ids.x, blockIds[0]);
    uniform.map(ids.y, blockIds[1]);
    uniform.map(ids.z, blockIds[2]);
    uniform.map(gridArgs.x, grid.x);
    uniform.map(gridArgs.y, grid.y);
    uniform.map(gridArgs.z, grid.z);
    uniform.map(blockArgs.x, blockSize.x);
    uniform.map(blockArgs.y, blockSize.y);
    uniform.map(blockArgs.z, blockSize.z);
    for (Value buffer : workgroup) {
      auto type = cast<MemRefType>(buffer.getType());
      if (auto floatType = dyn_cast<FloatType>(type.getElementType())) {
        Value nan = rewriter.create<arith::ConstantOp>(
            loc, rewriter.getFloatAttr(floatType, APFloat::getNaN(floatType.getFloatSemantics())));
        rewriter.create<linalg::FillOp>(loc, nan, buffer);
      }
    }
    if (failed(emitBlock(body)))
      return failure();
    rewriter.eraseOp(launch);
    return success();
  }

private:
  Value constant(int64_t v) { return rewriter.create<arith::ConstantIndexOp>(loc, v); }

  /// Asynchronous copies (cp.async) done at once, where they are:
  /// `dstElements` elements along the last dim, those past `srcElements`
  /// zero, as PTX zero-fills; their groups and waits go. The kernel must
  /// still wait before a barrier; the emulation cannot show a missing wait.
  void lowerAsyncCopies() {
    SmallVector<Operation *> asyncOps;
    launch.getBody().walk([&](Operation *op) {
      if (isa<nvgpu::DeviceAsyncCopyOp, nvgpu::DeviceAsyncCreateGroupOp, nvgpu::DeviceAsyncWaitOp>(op))
        asyncOps.push_back(op);
    });
    for (Operation *op : llvm::reverse(asyncOps)) {
      auto copy = dyn_cast<nvgpu::DeviceAsyncCopyOp>(op);
      if (!copy) {
        rewriter.eraseOp(op); // waits first (reverse order), then groups
        continue;
      }
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPoint(copy);
      Location at = copy.getLoc();
      Type elementType = cast<MemRefType>(copy.getSrc().getType()).getElementType();
      Value zero = rewriter.create<arith::ConstantOp>(at, rewriter.getZeroAttr(elementType));
      for (int64_t i = 0, e = copy.getDstElements().getSExtValue(); i < e; ++i) {
        SmallVector<Value> from(copy.getSrcIndices()), to(copy.getDstIndices());
        Value offset = rewriter.create<arith::ConstantIndexOp>(at, i);
        from.back() = rewriter.create<arith::AddIOp>(at, from.back(), offset);
        to.back() = rewriter.create<arith::AddIOp>(at, to.back(), offset);
        Value value = rewriter.create<memref::LoadOp>(at, copy.getSrc(), from);
        if (Value sourceElements = copy.getSrcElements())
          value = rewriter.create<arith::SelectOp>(
              at, rewriter.create<arith::CmpIOp>(at, arith::CmpIPredicate::ult, offset, sourceElements),
              value, zero);
        rewriter.create<memref::StoreOp>(at, value, copy.getDst(), to);
      }
      rewriter.eraseOp(copy);
    }
  }

  //===--------------------------------------------------------------------===//
  // Segments
  //===--------------------------------------------------------------------===//

  /// Numbers the segments of `block` and of the bodies of the loops and ifs
  /// in it that contain synchronization points; the terminator of such a
  /// body belongs to its last segment.
  void assignSegments(Block &block) {
    int64_t current = next++;
    for (Operation &op : block) {
      if (isa<gpu::BarrierOp>(op)) {
        current = next++;
        continue;
      }
      if (isWarpCollective(&op)) {
        current = next++;
        segmentOf[&op] = current;
        continue;
      }
      if (!op.hasTrait<OpTrait::IsTerminator>() && containsSync(&op)) {
        segmentOf[&op] = next++;
        for (Region &region : op.getRegions())
          for (Block &nested : region) {
            emitted.insert(&nested);
            assignSegments(nested);
          }
        current = next++;
        continue;
      }
      segmentOf[&op] = current;
    }
  }

  /// The op that contains `op` in a block this emulator splits into segments.
  Operation *segmentOp(Operation *op) {
    while (op && !emitted.contains(op->getBlock()))
      op = op->getParentOp();
    return op;
  }

  static bool isRecomputable(Operation *op) {
    return op->getNumRegions() == 0 && isMemoryEffectFree(op) && !isSync(op);
  }

  /// Gives a slot array to every value that a segment other than its own
  /// needs and cannot compute again, and to every value a shuffle reads.
  LogicalResult planSpills() {
    // Loops and ifs with barriers inside keep their threads' iteration
    // arguments and results in arrays.
    WalkResult result = launch.getBody().walk([&](Operation *op) -> WalkResult {
      if (!segmentOf.count(op) || op->hasTrait<OpTrait::IsTerminator>() || !containsSync(op))
        return WalkResult::advance();
      if (failed(resultSlots(op)))
        return WalkResult::interrupt();
      if (auto loop = dyn_cast<scf::ForOp>(op))
        for (auto [arg, array] : llvm::zip(loop.getRegionIterArgs(), resultArrays[op]))
          spills[arg] = array;
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return failure();
    result = launch.getBody().walk([&](Operation *op) -> WalkResult {
      Operation *owner = segmentOp(op);
      if (!owner)
        return WalkResult::advance();
      int64_t segment = segmentOf.lookup(owner);
      if (owner == op && containsSync(op)) {
        // Its bounds or condition are computed outside the thread loops;
        // the initial values of a loop's arguments in a thread loop of the
        // loop's own.
        if (auto loop = dyn_cast<scf::ForOp>(op))
          for (Value init : loop.getInitArgs())
            if (failed(need(init, segment)))
              return WalkResult::interrupt();
        return WalkResult::advance();
      }
      if (auto shuffle = dyn_cast<gpu::ShuffleOp>(op)) {
        // Every lane reads what another lane computed before the shuffle.
        Value value = shuffle.getValue();
        if (insideLaunch(value)) {
          if (isa<BlockArgument>(value))
            return shuffle.emitOpError("shuffles a block argument; the CPU emulation needs it "
                                       "computed by an op first");
          if (failed(addSpill(value)))
            return WalkResult::interrupt();
        }
      }
      if (auto mma = dyn_cast<nvgpu::MmaSyncOp>(op)) {
        // Every lane reads the other lanes' A and B fragments.
        for (Value fragment : {mma.getMatrixA(), mma.getMatrixB()}) {
          if (!insideLaunch(fragment))
            continue;
          if (isa<BlockArgument>(fragment))
            return mma.emitOpError("multiplies a block argument; the CPU emulation needs it "
                                   "computed by an op first");
          if (failed(addSpill(fragment)))
            return WalkResult::interrupt();
        }
      }
      for (Value operand : op->getOperands())
        if (failed(need(operand, segment)))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

  bool insideLaunch(Value value) {
    Region *region = value.getParentRegion();
    return region && launch.getBody().isAncestor(region);
  }

  /// Makes `value` available in `segment`: nothing if it is computed there or
  /// is the same for every thread, its operands if its op is pure (it is
  /// computed again), else a slot array.
  LogicalResult need(Value value, int64_t segment) {
    if (!insideLaunch(value) || spills.count(value) || !needed.insert({value, segment}).second)
      return success();
    Operation *def = value.getDefiningOp();
    if (!def)
      return success(); // the launch's own arguments, or an argument of a region of its op
    if (segmentOf.lookup(segmentOp(def)) == segment)
      return success();
    if (isRecomputable(def)) {
      for (Value operand : def->getOperands())
        if (failed(need(operand, segment)))
          return failure();
      return success();
    }
    return addSpill(value);
  }

  /// An array with a slot per thread for values of `type`, made before the
  /// block loops.
  FailureOr<Value> slotArray(Type type, Location at) {
    if (!type.isIntOrIndexOrFloat() && !isa<VectorType>(type))
      return emitError(at) << "a value of type " << type
                           << " crosses a barrier; the CPU emulation keeps only scalars and vectors";
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(outermost);
    return rewriter.create<memref::AllocaOp>(loc, MemRefType::get({numThreads}, type)).getResult();
  }

  LogicalResult addSpill(Value value) {
    if (spills.count(value))
      return success();
    FailureOr<Value> array = slotArray(value.getType(), value.getLoc());
    if (failed(array))
      return failure();
    spills[value] = *array;
    return success();
  }

  //===--------------------------------------------------------------------===//
  // Emission
  //===--------------------------------------------------------------------===//

  /// The thread loop of one segment: its thread index and the values the
  /// segment has computed so far.
  struct ThreadContext {
    Value linear;
    Value ids[3];
    IRMapping map;
  };

  LogicalResult emitBlock(Block &block) {
    SmallVector<Operation *> run;
    int64_t runSegment = -1;
    auto flush = [&]() -> LogicalResult {
      if (run.empty())
        return success();
      LogicalResult done = emitSegment(run);
      run.clear();
      return done;
    };
    for (Operation &op : block) {
      if (isa<gpu::BarrierOp, gpu::TerminatorOp>(op)) {
        if (failed(flush()))
          return failure();
        continue;
      }
      int64_t segment = segmentOf.lookup(&op);
      if (!op.hasTrait<OpTrait::IsTerminator>() && containsSync(&op)) {
        if (failed(flush()))
          return failure();
        if (auto loop = dyn_cast<scf::ForOp>(op)) {
          if (failed(emitUniformFor(loop)))
            return failure();
        } else if (auto branch = dyn_cast<scf::IfOp>(op)) {
          if (failed(emitUniformIf(branch)))
            return failure();
        } else {
          return op.emitOpError("contains a barrier or shuffle; the CPU emulation handles "
                                "them only at the top of a kernel, in scf.for and in scf.if");
        }
        continue;
      }
      if (segment != runSegment && failed(flush()))
        return failure();
      runSegment = segment;
      run.push_back(&op);
    }
    return flush();
  }

  /// Starts a loop over the block's threads (x fastest) at the insertion
  /// point and moves into it.
  ThreadContext beginThreadLoop() {
    auto loop = rewriter.create<scf::ForOp>(loc, constant(0), constant(numThreads), constant(1));
    rewriter.setInsertionPointToStart(loop.getBody());
    ThreadContext thread;
    thread.map = uniform;
    thread.linear = loop.getInductionVar();
    Value yz = rewriter.create<arith::DivUIOp>(loc, thread.linear, constant(blockDims[0]));
    thread.ids[0] = rewriter.create<arith::RemUIOp>(loc, thread.linear, constant(blockDims[0]));
    thread.ids[1] = rewriter.create<arith::RemUIOp>(loc, yz, constant(blockDims[1]));
    thread.ids[2] = rewriter.create<arith::DivUIOp>(loc, yz, constant(blockDims[1]));
    gpu::KernelDim3 tids = launch.getThreadIds();
    thread.map.map(tids.x, thread.ids[0]);
    thread.map.map(tids.y, thread.ids[1]);
    thread.map.map(tids.z, thread.ids[2]);
    return thread;
  }

  /// One loop over the block's threads running `ops`.
  LogicalResult emitSegment(ArrayRef<Operation *> ops) {
    OpBuilder::InsertionGuard guard(rewriter);
    ThreadContext thread = beginThreadLoop();
    for (Operation *op : ops)
      if (failed(emitInThread(op, thread)))
        return failure();
    return success();
  }

  LogicalResult emitInThread(Operation *op, ThreadContext &thread) {
    if (auto yield = dyn_cast<scf::YieldOp>(op)) {
      // The end of a loop or if body with a barrier inside: its results
      // live in their arrays.
      for (auto [value, array] : llvm::zip(yield.getOperands(), resultArrays.lookup(op->getParentOp()))) {
        FailureOr<Value> v = resolve(value, thread);
        if (failed(v))
          return failure();
        rewriter.create<memref::StoreOp>(loc, *v, array, thread.linear);
      }
      return success();
    }
    if (auto shuffle = dyn_cast<gpu::ShuffleOp>(op))
      return emitShuffle(shuffle, thread);
    if (auto mma = dyn_cast<nvgpu::MmaSyncOp>(op))
      return emitMMA(mma, thread);
    llvm::SetVector<Value> used;
    used.insert(op->operand_begin(), op->operand_end());
    getUsedValuesDefinedAbove(op->getRegions(), used);
    for (Value v : used)
      if (failed(resolve(v, thread)))
        return failure();
    Operation *clone = rewriter.clone(*op, thread.map);
    for (auto [original, result] : llvm::zip(op->getResults(), clone->getResults()))
      if (Value array = spills.lookup(original))
        rewriter.create<memref::StoreOp>(loc, result, array, thread.linear);
    return success();
  }

  /// The shuffle's result: the slot of the lane it reads, as PTX's shfl
  /// does (a lane outside [0, width) reads its own value).
  LogicalResult emitShuffle(gpu::ShuffleOp shuffle, ThreadContext &thread) {
    FailureOr<Value> own = resolve(shuffle.getValue(), thread);
    FailureOr<Value> offset = resolve(shuffle.getOffset(), thread);
    FailureOr<Value> width = resolve(shuffle.getWidth(), thread);
    if (failed(own) || failed(offset) || failed(width))
      return failure();
    Value array = spills.lookup(shuffle.getValue());
    Type i32 = rewriter.getI32Type();
    Value lane = rewriter.create<arith::IndexCastOp>(
        loc, i32, rewriter.create<arith::RemUIOp>(loc, thread.linear, constant(kWarpSize)));
    // The valid flag: whether this lane is below `width`, as gpu.shuffle says.
    Value laneValid = rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, lane, *width);
    if (!array) {
      // A value defined outside the kernel: every lane has it.
      thread.map.map(shuffle.getShuffleResult(), *own);
      thread.map.map(shuffle.getValid(), laneValid);
      return success();
    }
    Value source;
    switch (shuffle.getMode()) {
    case gpu::ShuffleMode::XOR:
      source = rewriter.create<arith::XOrIOp>(loc, lane, *offset);
      break;
    case gpu::ShuffleMode::DOWN:
      source = rewriter.create<arith::AddIOp>(loc, lane, *offset);
      break;
    case gpu::ShuffleMode::UP:
      source = rewriter.create<arith::SubIOp>(loc, lane, *offset);
      break;
    case gpu::ShuffleMode::IDX:
      source = *offset;
      break;
    }
    Value zero = rewriter.create<arith::ConstantIntOp>(loc, 0, 32);
    Value inRange = rewriter.create<arith::AndIOp>(
        loc, rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, source, zero),
        rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, source, *width));
    // The source thread: this warp's first thread + the source lane, which
    // must exist in the block.
    Value warpBase = rewriter.create<arith::SubIOp>(
        loc, thread.linear, rewriter.create<arith::IndexCastOp>(loc, rewriter.getIndexType(), lane));
    Value sourceThread = rewriter.create<arith::AddIOp>(
        loc, warpBase,
        rewriter.create<arith::IndexCastOp>(
            loc, rewriter.getIndexType(),
            rewriter.create<arith::SelectOp>(loc, inRange, source, zero)));
    Value exists = rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, sourceThread,
                                                  constant(numThreads));
    Value valid = rewriter.create<arith::AndIOp>(loc, inRange, exists);
    Value safeThread = rewriter.create<arith::SelectOp>(loc, valid, sourceThread, thread.linear);
    Value theirs = rewriter.create<memref::LoadOp>(loc, array, safeThread);
    Value result = rewriter.create<arith::SelectOp>(loc, valid, theirs, *own);
    thread.map.map(shuffle.getShuffleResult(), result);
    thread.map.map(shuffle.getValid(), laneValid);
    for (auto [original, value] : llvm::zip(shuffle->getResults(), ValueRange{result, laneValid}))
      if (Value slots = spills.lookup(original))
        rewriter.create<memref::StoreOp>(loc, value, slots, thread.linear);
    return success();
  }

  /// This lane's accumulators of an m16n8kK mma.sync: every product of its
  /// rows and columns, read from the warp's fragments with the PTX ISA's
  /// layout (f16/bf16: k = 16, two elements per register; tf32: k = 8, one).
  /// Lane l = 4 groupID + threadID_in_group holds C/D [r][e] at row groupID
  /// + 8r, column 2 threadID_in_group + e; A register (row >= 8) + 2 (k in
  /// the upper half) with k % per-register its element, in lane 4 (row % 8)
  /// + (k % half) / per-register; B register (k in the upper half), in lane
  /// 4 column + (k % half) / per-register. Products are exact in f32; tf32
  /// operands keep the top 19 bits, as the hardware reads them.
  LogicalResult emitMMA(nvgpu::MmaSyncOp mma, ThreadContext &thread) {
    FailureOr<Value> own = resolve(mma.getMatrixC(), thread);
    if (failed(own))
      return failure();
    std::array<int64_t, 3> shape = mma.getMmaShapeAsArray();
    VectorType aType = mma.getMatrixA().getType(), bType = mma.getMatrixB().getType();
    VectorType cType = mma.getMatrixC().getType();
    Type f32 = rewriter.getF32Type();
    int64_t k = shape[2], per = aType.getDimSize(1), half = k / 2;
    if (shape[0] != 16 || shape[1] != 8 || aType.getShape() != ArrayRef<int64_t>{4, per} ||
        bType.getShape() != ArrayRef<int64_t>{2, per} || per * 8 != k ||
        cType.getShape() != ArrayRef<int64_t>{2, 2} || cType.getElementType() != f32)
      return mma.emitOpError("the CPU emulation runs m16n8k16 (16-bit) and m16n8k8 (tf32) "
                             "with f32 accumulators only");
    Value aSlots = spills.lookup(mma.getMatrixA()), bSlots = spills.lookup(mma.getMatrixB());
    if (!aSlots || !bSlots)
      return mma.emitOpError("has fragments defined outside the kernel (CPU emulation)");
    bool tf32 = static_cast<bool>(mma.getTf32EnabledAttr());
    Value lane = rewriter.create<arith::RemUIOp>(loc, thread.linear, constant(kWarpSize));
    Value warpBase = rewriter.create<arith::SubIOp>(loc, thread.linear, lane);
    Value group = rewriter.create<arith::DivUIOp>(loc, lane, constant(4));
    Value inGroup = rewriter.create<arith::RemUIOp>(loc, lane, constant(4));
    auto operand = [&](Value slots, Value ownerLane, int64_t reg, int64_t element) {
      Value fragment = rewriter.create<memref::LoadOp>(
          loc, slots, ValueRange{rewriter.create<arith::AddIOp>(loc, warpBase, ownerLane)});
      Value value =
          rewriter.create<vector::ExtractOp>(loc, fragment, ArrayRef<int64_t>{reg, element});
      if (value.getType() != f32)
        value = rewriter.create<arith::ExtFOp>(loc, f32, value);
      if (tf32) {
        Type i32 = rewriter.getI32Type();
        Value bits = rewriter.create<arith::BitcastOp>(loc, i32, value);
        Value mask = rewriter.create<arith::ConstantIntOp>(loc, 0xFFFFE000, 32);
        value = rewriter.create<arith::BitcastOp>(
            loc, f32, rewriter.create<arith::AndIOp>(loc, bits, mask));
      }
      return value;
    };
    SmallVector<Value> results;
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t e = 0; e < 2; ++e) {
        Value column = rewriter.create<arith::AddIOp>(
            loc, rewriter.create<arith::MulIOp>(loc, inGroup, constant(2)), constant(e));
        Value sum = rewriter.create<vector::ExtractOp>(loc, *own, ArrayRef<int64_t>{r, e});
        // k = upper * half + step * per + element: the register and the
        // element are static, the lane holding k a loop over `step`.
        for (int64_t upper = 0; upper < 2; ++upper)
          for (int64_t element = 0; element < per; ++element) {
            auto loop = rewriter.create<scf::ForOp>(loc, constant(0), constant(half / per),
                                                    constant(1), ValueRange{sum});
            OpBuilder::InsertionGuard guard(rewriter);
            rewriter.setInsertionPointToStart(loop.getBody());
            Value step = loop.getInductionVar();
            Value aLane = rewriter.create<arith::AddIOp>(
                loc, rewriter.create<arith::MulIOp>(loc, group, constant(4)), step);
            Value bLane = rewriter.create<arith::AddIOp>(
                loc, rewriter.create<arith::MulIOp>(loc, column, constant(4)), step);
            Value a = operand(aSlots, aLane, r + 2 * upper, element);
            Value b = operand(bSlots, bLane, upper, element);
            Value next = rewriter.create<arith::AddFOp>(
                loc, loop.getRegionIterArgs()[0], rewriter.create<arith::MulFOp>(loc, a, b));
            rewriter.create<scf::YieldOp>(loc, next);
            sum = loop.getResult(0);
          }
        results.push_back(sum);
      }
    Value result = buildVector(rewriter, loc, cType, results);
    thread.map.map(mma.getRes(), result);
    if (Value slots = spills.lookup(mma.getRes()))
      rewriter.create<memref::StoreOp>(loc, result, slots, thread.linear);
    return success();
  }

  /// `value` inside a thread loop: computed in this segment, a uniform value,
  /// recomputed from its operands, or loaded from its slot.
  FailureOr<Value> resolve(Value value, ThreadContext &thread) {
    // The thread loop's mapping started as a copy of the uniform one.
    if (Value mapped = thread.map.lookupOrNull(value))
      return mapped;
    if (!value.getParentRegion() || !launch.getBody().isAncestor(value.getParentRegion()))
      return value;
    if (Value array = spills.lookup(value)) {
      Value loaded = rewriter.create<memref::LoadOp>(loc, array, thread.linear);
      thread.map.map(value, loaded);
      return loaded;
    }
    Operation *def = value.getDefiningOp();
    if (!def)
      return emitError(value.getLoc()) << "the CPU emulation cannot find this block argument's value";
    if (auto id = dyn_cast<gpu::ThreadIdOp>(def)) {
      Value result = thread.ids[static_cast<unsigned>(id.getDimension())];
      thread.map.map(value, result);
      return result;
    }
    if (isa<gpu::LaneIdOp>(def)) {
      Value result = rewriter.create<arith::RemUIOp>(loc, thread.linear, constant(kWarpSize));
      thread.map.map(value, result);
      return result;
    }
    if (isa<gpu::BlockIdOp, gpu::BlockDimOp, gpu::GridDimOp>(def)) {
      FailureOr<Value> result = resolveUniform(value);
      if (succeeded(result))
        thread.map.map(value, *result);
      return result;
    }
    if (!isRecomputable(def))
      return def->emitOpError("is used across a barrier but has no slot (CPU emulation)");
    for (Value operand : def->getOperands())
      if (failed(resolve(operand, thread)))
        return failure();
    Operation *clone = rewriter.clone(*def, thread.map);
    return clone->getResult(cast<OpResult>(value).getResultNumber());
  }

  /// `value` outside the thread loops; fails if it may differ between the
  /// threads of the block.
  FailureOr<Value> resolveUniform(Value value) {
    if (Value mapped = uniform.lookupOrNull(value))
      return mapped;
    if (!value.getParentRegion() || !launch.getBody().isAncestor(value.getParentRegion()))
      return value;
    Operation *def = value.getDefiningOp();
    if (!def || spills.count(value))
      return failure();
    auto dimValue = [&](gpu::Dimension d, gpu::KernelDim3 dims) -> Value {
      Value v[] = {dims.x, dims.y, dims.z};
      return uniform.lookup(v[static_cast<unsigned>(d)]);
    };
    Value result;
    if (auto id = dyn_cast<gpu::BlockIdOp>(def))
      result = dimValue(id.getDimension(), launch.getBlockIds());
    else if (auto dim = dyn_cast<gpu::BlockDimOp>(def))
      result = dimValue(dim.getDimension(), launch.getBlockSize());
    else if (auto dim = dyn_cast<gpu::GridDimOp>(def))
      result = dimValue(dim.getDimension(), launch.getGridSize());
    if (result) {
      uniform.map(value, result);
      return result;
    }
    if (!isRecomputable(def) || isa<gpu::ThreadIdOp, gpu::LaneIdOp>(def))
      return failure();
    for (Value operand : def->getOperands())
      if (failed(resolveUniform(operand)))
        return failure();
    Operation *clone = rewriter.clone(*def, uniform);
    return clone->getResult(cast<OpResult>(value).getResultNumber());
  }

  /// Stores each thread's `inits` in `arrays` (one thread loop).
  LogicalResult storeInits(ValueRange inits, ArrayRef<Value> arrays) {
    if (inits.empty())
      return success();
    OpBuilder::InsertionGuard guard(rewriter);
    ThreadContext thread = beginThreadLoop();
    for (auto [init, array] : llvm::zip(inits, arrays)) {
      FailureOr<Value> v = resolve(init, thread);
      if (failed(v))
        return failure();
      rewriter.create<memref::StoreOp>(loc, *v, array, thread.linear);
    }
    return success();
  }

  FailureOr<SmallVector<Value>> resultSlots(Operation *op) {
    SmallVector<Value> arrays;
    for (Value result : op->getResults()) {
      FailureOr<Value> array = slotArray(result.getType(), op->getLoc());
      if (failed(array))
        return failure();
      arrays.push_back(*array);
      spills[result] = *array;
    }
    resultArrays[op] = arrays;
    return arrays;
  }

  /// A loop with a barrier inside: the same loop around its body's segments;
  /// each thread's iteration arguments live in arrays.
  LogicalResult emitUniformFor(scf::ForOp loop) {
    FailureOr<Value> lb = resolveUniform(loop.getLowerBound());
    FailureOr<Value> ub = resolveUniform(loop.getUpperBound());
    FailureOr<Value> step = resolveUniform(loop.getStep());
    if (failed(lb) || failed(ub) || failed(step))
      return loop.emitOpError("has a barrier or shuffle inside, but its bounds may differ between "
                              "the threads of a block");
    if (failed(storeInits(loop.getInitArgs(), resultArrays[loop])))
      return failure();
    auto emittedLoop = rewriter.create<scf::ForOp>(loop.getLoc(), *lb, *ub, *step);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(emittedLoop.getBody());
    // What the body computes outside its thread loops stays inside it.
    IRMapping outside = uniform;
    uniform.map(loop.getInductionVar(), emittedLoop.getInductionVar());
    LogicalResult done = emitBlock(*loop.getBody());
    uniform = outside;
    return done;
  }

  /// An if with a barrier inside: the same if around its branches' segments;
  /// each thread's results live in arrays.
  LogicalResult emitUniformIf(scf::IfOp branch) {
    FailureOr<Value> condition = resolveUniform(branch.getCondition());
    if (failed(condition))
      return branch.emitOpError("has a barrier or shuffle inside, but its condition may differ "
                                "between the threads of a block");
    auto emittedIf = rewriter.create<scf::IfOp>(branch.getLoc(), *condition,
                                                /*withElseRegion=*/!branch.getElseRegion().empty());
    OpBuilder::InsertionGuard guard(rewriter);
    IRMapping outside = uniform;
    rewriter.setInsertionPointToStart(&emittedIf.getThenRegion().front());
    LogicalResult done = emitBlock(branch.getThenRegion().front());
    uniform = outside;
    if (failed(done) || branch.getElseRegion().empty())
      return done;
    rewriter.setInsertionPointToStart(&emittedIf.getElseRegion().front());
    done = emitBlock(branch.getElseRegion().front());
    uniform = outside;
    return done;
  }

  gpu::LaunchOp launch;
  RewriterBase &rewriter;
  Location loc;
  Operation *outermost = nullptr;
  int64_t blockDims[3] = {1, 1, 1};
  int64_t numThreads = 1;
  int64_t next = 0;
  llvm::SmallPtrSet<Block *, 4> emitted;
  DenseMap<Operation *, int64_t> segmentOf;
  DenseMap<Value, Value> spills;
  DenseSet<std::pair<Value, int64_t>> needed;
  DenseMap<Operation *, SmallVector<Value>> resultArrays;
  IRMapping uniform;
};

struct KilnGPULaunchesAsLoops
    : kiln::impl::KilnGPULaunchesAsLoopsBase<KilnGPULaunchesAsLoops> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    IRRewriter rewriter(&getContext());
    for (gpu::LaunchOp launch : launches)
      if (failed(LaunchEmulator(launch, rewriter).run()))
        return signalPassFailure();
  }
};

} // namespace
