//===- ParallelLaunches.cpp - Launchers of parallel tasks, in LLVM --------===//
//
// See KilnParallelLaunches in codegen/Passes.td. The other half of
// kiln-parallel-tasks: by now the task's arguments are plain LLVM values
// (bare pointers and integers), which a struct can carry through the
// thread pool's `void *task_arg`.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNPARALLELLAUNCHES
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct KilnParallelLaunches : kiln::impl::KilnParallelLaunchesBase<KilnParallelLaunches> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> launches;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
      if (fn->hasAttr(abi::kLaunchTaskAttr))
        launches.push_back(fn);
    for (LLVM::LLVMFuncOp launch : launches)
      if (failed(define(module, launch)))
        return signalPassFailure();
  }

  LogicalResult define(ModuleOp module, LLVM::LLVMFuncOp launch) {
    MLIRContext *ctx = module.getContext();
    Location loc = launch.getLoc();
    auto taskRef = launch->getAttrOfType<FlatSymbolRefAttr>(abi::kLaunchTaskAttr);
    auto countAttr = launch->getAttrOfType<IntegerAttr>(abi::kLaunchCountAttr);
    auto task = taskRef ? module.lookupSymbol<LLVM::LLVMFuncOp>(taskRef) : nullptr;
    if (!task || !countAttr || !launch.isExternal())
      return launch.emitError("a launcher without its task, count, or with a body");
    LLVM::LLVMFunctionType launchType = launch.getFunctionType();
    LLVM::LLVMFunctionType taskType = task.getFunctionType();
    // launch(ctx, args...) and task(i, args...): the same args.
    if (launchType.getNumParams() != taskType.getNumParams() ||
        !isa<LLVM::LLVMPointerType>(launchType.getParamType(0)))
      return launch.emitError("launcher and task disagree on their arguments");
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    Type i32 = IntegerType::get(ctx, 32), indexType = taskType.getParamType(0);
    SmallVector<Type> argTypes(taskType.getParams().drop_front());
    auto packedType = LLVM::LLVMStructType::getLiteral(ctx, argTypes);
    auto contextType = cast<LLVM::LLVMStructType>(abi::contextStructType(ctx));
    OpBuilder b(ctx);
    auto constant = [&](Type t, int64_t v) -> Value {
      return b.create<LLVM::ConstantOp>(loc, t, b.getIntegerAttr(t, v));
    };

    // trampoline(packed, i): the thread pool's kiln_task_fn.
    b.setInsertionPointAfter(launch);
    auto trampoline = b.create<LLVM::LLVMFuncOp>(
        loc, (launch.getName() + "_trampoline").str(),
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr, indexType}),
        LLVM::Linkage::Internal);
    b.setInsertionPointToEnd(trampoline.addEntryBlock(b));
    SmallVector<Value> taskArgs = {trampoline.getArgument(1)};
    for (auto [i, t] : llvm::enumerate(argTypes)) {
      Value slot = b.create<LLVM::GEPOp>(loc, ptr, packedType, trampoline.getArgument(0),
                                         ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
      taskArgs.push_back(b.create<LLVM::LoadOp>(loc, t, slot));
    }
    b.create<LLVM::CallOp>(loc, task, taskArgs);
    b.create<LLVM::ReturnOp>(loc, ValueRange{});

    // The launcher.
    launch->removeAttr(abi::kLaunchTaskAttr);
    launch->removeAttr(abi::kLaunchCountAttr);
    launch.setLinkage(LLVM::Linkage::Internal);
    Block *entry = launch.addEntryBlock(b);
    Region &body = launch.getBody();
    Block *check = b.createBlock(&body, body.end());
    Block *parallel = b.createBlock(&body, body.end());
    Block *serial = b.createBlock(&body, body.end());
    Block *loopHead = b.createBlock(&body, body.end(), {indexType}, {loc});
    Block *loopBody = b.createBlock(&body, body.end());
    Block *done = b.createBlock(&body, body.end());
    Value context = entry->getArgument(0);
    SmallVector<Value> args(entry->getArguments().drop_front());

    b.setInsertionPointToEnd(entry);
    Value count = constant(indexType, countAttr.getInt());
    Value null = b.create<LLVM::ZeroOp>(loc, ptr);
    b.create<LLVM::CondBrOp>(
        loc, b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::eq, context, null), serial, check);

    b.setInsertionPointToEnd(check);
    auto field = [&](abi::ContextField f, Type t) -> Value {
      Value addr = b.create<LLVM::GEPOp>(loc, ptr, contextType, context,
                                         ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(f)});
      return b.create<LLVM::LoadOp>(loc, t, addr);
    };
    Value parallelFor = field(abi::kParallelFor, ptr);
    Value threads = field(abi::kNumThreads, i32);
    // One statement per op: the order of a call's arguments is unspecified.
    Value hasPool = b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ne, parallelFor, null);
    Value manyThreads =
        b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ugt, threads, constant(i32, 1));
    Value usable = b.create<LLVM::AndOp>(loc, hasPool, manyThreads);
    b.create<LLVM::CondBrOp>(loc, usable, parallel, serial);

    // The arguments packed on this stack frame; parallel_for returns when
    // every task has run.
    b.setInsertionPointToEnd(parallel);
    Value packed = b.create<LLVM::AllocaOp>(loc, ptr, packedType, constant(i32, 1));
    for (auto [i, v] : llvm::enumerate(args)) {
      Value slot = b.create<LLVM::GEPOp>(loc, ptr, packedType, packed,
                                         ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
      b.create<LLVM::StoreOp>(loc, v, slot);
    }
    Value pool = field(abi::kPool, ptr);
    Value trampolineAddress = b.create<LLVM::AddressOfOp>(loc, trampoline);
    auto parallelForType = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(ctx), {ptr, indexType, ptr, ptr});
    b.create<LLVM::CallOp>(loc, parallelForType,
                           ValueRange{parallelFor, pool, count, trampolineAddress, packed});
    b.create<LLVM::BrOp>(loc, ValueRange{}, done);

    // No pool: every task on this thread, in order.
    b.setInsertionPointToEnd(serial);
    b.create<LLVM::BrOp>(loc, ValueRange{constant(indexType, 0)}, loopHead);
    b.setInsertionPointToEnd(loopHead);
    Value i = loopHead->getArgument(0);
    b.create<LLVM::CondBrOp>(
        loc, b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ult, i, count), loopBody, done);
    b.setInsertionPointToEnd(loopBody);
    SmallVector<Value> serialArgs = {i};
    serialArgs.append(args);
    b.create<LLVM::CallOp>(loc, task, serialArgs);
    b.create<LLVM::BrOp>(loc, ValueRange{b.create<LLVM::AddOp>(loc, i, constant(indexType, 1))},
                         loopHead);

    b.setInsertionPointToEnd(done);
    b.create<LLVM::ReturnOp>(loc, ValueRange{});
    return success();
  }
};

} // namespace
