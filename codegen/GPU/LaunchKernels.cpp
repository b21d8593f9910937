//===- LaunchKernels.cpp - gpu.launch -> kernels launched via ctx->device -===//
//
// See KilnGPULaunchKernels in codegen/GPU/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/GPU/GPUPasses.h"
#include "codegen/GPU/Architectures.h"

#include "mlir/Dialect/GPU/Transforms/Utils.h"
#include "mlir/Transforms/RegionUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPULAUNCHKERNELS
#include "codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// One outlined launch, before its host call is built.
struct Kernel {
  gpu::LaunchOp launch;
  gpu::GPUFuncOp func;
  SmallVector<Value> operands;
  int64_t index;
  std::array<int64_t, 3> grid, block;
};

/// A value's launch dimension, which kiln-gpu-map-loops made a constant.
FailureOr<std::array<int64_t, 3>> constantDims(gpu::LaunchOp launch, gpu::KernelDim3 dims) {
  std::array<int64_t, 3> result;
  Value values[] = {dims.x, dims.y, dims.z};
  for (auto [i, v] : llvm::enumerate(values)) {
    std::optional<int64_t> c = getConstantIntValue(v);
    if (!c || *c <= 0 || *c > std::numeric_limits<int32_t>::max())
      return launch.emitOpError("has a launch dimension that is not a positive 32-bit constant");
    result[i] = *c;
  }
  return result;
}

/// Whether a bare pointer carries everything the kernel needs to know about
/// `type`: static shape, strides and offset.
bool passesAsPointer(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.hasStaticShape())
    return false;
  int64_t offset;
  SmallVector<int64_t> strides;
  if (failed(getStridesAndOffset(memref, strides, offset)))
    return false;
  return !ShapedType::isDynamic(offset) && llvm::none_of(strides, ShapedType::isDynamic);
}

/// Clones into `launch` every pure op (constants, global constants, buffer
/// views) whose result it uses from above, and their operands' pure
/// producers in turn, so that only the function's own buffers stay
/// captured. Upstream's sinkOperationsIntoLaunchOp only sinks what does not
/// capture a new value, which would keep a view of the scratch buffer (a
/// host-side value) as a kernel parameter.
void sinkPureProducers(gpu::LaunchOp launch) {
  Region &body = launch.getBody();
  OpBuilder b = OpBuilder::atBlockBegin(&body.front());
  while (true) {
    llvm::SetVector<Value> above;
    getUsedValuesDefinedAbove(body, above);
    bool changed = false;
    for (Value value : above) {
      Operation *def = value.getDefiningOp();
      if (!def || def->getNumRegions() != 0 || !isMemoryEffectFree(def))
        continue;
      // Producers found later go first: before everything cloned so far.
      b.setInsertionPointToStart(&body.front());
      Operation *clone = b.clone(*def);
      for (auto [from, to] : llvm::zip(def->getResults(), clone->getResults()))
        replaceAllUsesInRegionWith(from, to, body);
      changed = true;
    }
    if (!changed)
      return;
  }
}

struct KilnGPULaunchKernels : kiln::impl::KilnGPULaunchKernelsBase<KilnGPULaunchKernels> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto prefix = module->getAttrOfType<StringAttr>(abi::kSymbolPrefixAttr);
    if (!prefix) {
      module.emitError("no ") << abi::kSymbolPrefixAttr << " on the module: run kiln-entry-points first";
      return signalPassFailure();
    }
    SmallVector<std::string> chips(architectures.begin(), architectures.end());
    if (chips.empty())
      chips = defaultArchitectures();
    SmallVector<Attribute> targets;
    for (const std::string &chip : chips) {
      std::string error;
      if (!isKnownArchitecture(chip, error)) {
        module.emitError(error);
        return signalPassFailure();
      }
      targets.push_back(NVVM::NVVMTargetAttr::get(ctx, /*optLevel=*/3, "nvptx64-nvidia-cuda", chip,
                                                  ptxFeatures(chip)));
    }

    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    auto kernels = b.create<gpu::GPUModuleOp>(module.getLoc(), (prefix.getValue() + "_kernels").str(),
                                              b.getArrayAttr(targets));
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(), b.getUnitAttr());
    SymbolTable kernelSymbols(kernels);
    SymbolTable moduleSymbols(module);

    SmallVector<Attribute> table;
    int64_t next = 0;
    SmallVector<func::FuncOp> entries;
    for (auto fn : module.getOps<func::FuncOp>())
      if (abi::isEntryFunction(fn))
        entries.push_back(fn);
    for (func::FuncOp fn : entries) {
      SmallVector<Kernel> launched;
      SmallVector<gpu::LaunchOp> launches;
      fn.walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
      for (gpu::LaunchOp launch : launches) {
        Kernel k;
        k.launch = launch;
        k.index = next++;
        FailureOr<std::array<int64_t, 3>> grid = constantDims(launch, launch.getGridSizeOperandValues());
        FailureOr<std::array<int64_t, 3>> block = constantDims(launch, launch.getBlockSizeOperandValues());
        if (failed(grid) || failed(block))
          return signalPassFailure();
        k.grid = *grid;
        k.block = *block;
        // Constants and views into the kernel: its parameters are then the
        // entry function's buffers.
        sinkPureProducers(launch);
        std::string name = (prefix.getValue() + "_k" + Twine(k.index)).str();
        if (auto hint = launch->getAttrOfType<StringAttr>("kiln.kernel_name"))
          name += "_" + hint.str();
        k.func = outlineKernelFunc(launch, name, k.operands);
        kernelSymbols.insert(k.func);
        // Each parameter is a different buffer of the ABI (inputs, outputs,
        // weights, scratch: views were sunk, so one buffer is one
        // parameter), and outputs overlap nothing (the runtime checks): so
        // LLVM may keep an accumulator in a register across a reduction
        // loop, and read inputs through the read-only cache.
        for (unsigned i = 0; i < k.func.getNumArguments(); ++i)
          k.func.setArgAttr(i, LLVM::LLVMDialect::getNoAliasAttrName(), b.getUnitAttr());
        // What the kernel passes asked of NVVM for this kernel
        // (nvvm.minctasm: blocks per multiprocessor ptxas must leave room for).
        for (NamedAttribute attr : launch->getDiscardableAttrs())
          if (attr.getName().strref().starts_with("nvvm."))
            k.func->setAttr(attr.getName(), attr.getValue());
        // Shared memory aligned for 128-bit accesses (LLVM may then merge
        // a thread's 4 consecutive loads into one); NVVM's default is the
        // element's alignment.
        for (unsigned i = 0; i < k.func.getNumWorkgroupAttributions(); ++i)
          k.func.setWorkgroupAttributionAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                                             b.getI64IntegerAttr(16));
        // A multiply feeding an add may become one fused multiply-add, as
        // nvcc does by default (-fmad=true): one rounding instead of two.
        k.func.walk([&](arith::ArithFastMathInterface op) {
          if (isa<arith::MulFOp, arith::AddFOp, arith::SubFOp>(op))
            op->setAttr(op.getFastMathAttrName(),
                        arith::FastMathFlagsAttr::get(
                            ctx, op.getFastMathFlagsAttr().getValue() | arith::FastMathFlags::contract));
        });
        for (Value operand : k.operands) {
          if (!passesAsPointer(operand.getType())) {
            launch.emitOpError("passes ") << operand.getType()
                                          << " to a kernel; kernel parameters must be buffers of static shape";
            return signalPassFailure();
          }
          auto arg = dyn_cast<BlockArgument>(operand);
          if (!arg || arg.getOwner()->getParentOp() != fn) {
            InFlightDiagnostic diag = launch.emitOpError("uses a buffer the host computes");
            if (Operation *def = operand.getDefiningOp())
              diag.attachNote(def->getLoc()) << "computed here by " << def->getName();
            return signalPassFailure();
          }
        }
        // Global constants the kernel reads live in the gpu.module.
        WalkResult copied = k.func.walk([&](memref::GetGlobalOp get) {
          if (kernelSymbols.lookup(get.getName()))
            return WalkResult::advance();
          auto global = moduleSymbols.lookup<memref::GlobalOp>(get.getName());
          if (!global) {
            get.emitOpError("reads a global that is not in the module");
            return WalkResult::interrupt();
          }
          kernelSymbols.insert(global.clone());
          return WalkResult::advance();
        });
        if (copied.wasInterrupted())
          return signalPassFailure();
        NamedAttrList entry;
        entry.append("name", b.getStringAttr(name));
        entry.append("entry", b.getStringAttr(abi::getEntryName(fn)));
        entry.append("grid", b.getDenseI64ArrayAttr(k.grid));
        entry.append("block", b.getDenseI64ArrayAttr(k.block));
        entry.append("shared_bytes", b.getI64IntegerAttr(0));
        entry.append("params", b.getI64IntegerAttr(k.operands.size()));
        table.push_back(entry.getDictionary(ctx));
        launched.push_back(std::move(k));
      }
      launchOnHost(fn, launched);
    }
    module->setAttr(abi::kDeviceAttr, b.getStringAttr("cuda"));
    module->setAttr(abi::kGPUKernelsAttr, b.getArrayAttr(table));
  }

  /// Gives `fn` its context and status arguments and replaces each launch
  /// with a call of ctx->device->launch.
  void launchOnHost(func::FuncOp fn, MutableArrayRef<Kernel> kernels) {
    MLIRContext *ctx = fn.getContext();
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    Type i32 = IntegerType::get(ctx, 32), i64 = IntegerType::get(ctx, 64);
    Location loc = fn.getLoc();
    fn.insertArgument(fn.getNumArguments(), ptr, {}, loc);
    fn.insertArgument(fn.getNumArguments(), ptr, {}, loc);
    fn->setAttr(abi::kTakesContextAttr, UnitAttr::get(ctx));
    fn->setAttr(abi::kTakesStatusAttr, UnitAttr::get(ctx));
    Value context = fn.getArgument(fn.getNumArguments() - 2);
    Value status = fn.getArgument(fn.getNumArguments() - 1);
    if (kernels.empty())
      return;

    // Once per call: the device, its launch function, the stream, and room
    // for the largest parameter list.
    OpBuilder b = OpBuilder::atBlockBegin(&fn.getBody().front());
    auto constant = [&](Type t, int64_t v) -> Value {
      return b.create<LLVM::ConstantOp>(loc, t, b.getIntegerAttr(t, v));
    };
    auto field = [&](Value base, Type structType, int32_t index) -> Value {
      return b.create<LLVM::LoadOp>(
          loc, ptr,
          b.create<LLVM::GEPOp>(loc, ptr, structType, base, ArrayRef<LLVM::GEPArg>{0, index}));
    };
    Type contextType = abi::contextStructType(ctx), deviceType = abi::deviceStructType(ctx);
    Value device = field(context, contextType, abi::kDevice);
    Value stream = field(context, contextType, abi::kStream);
    Value launchFn = field(device, deviceType, abi::kDeviceLaunch);
    size_t maxParams = 1;
    for (const Kernel &k : kernels)
      maxParams = std::max(maxParams, k.operands.size());
    Value values = b.create<LLVM::AllocaOp>(loc, ptr, ptr, constant(i64, maxParams));
    Value args = b.create<LLVM::AllocaOp>(loc, ptr, ptr, constant(i64, maxParams));
    auto launchType = LLVM::LLVMFunctionType::get(
        i32, {ptr, ptr, i32, i32, i32, i32, i32, i32, i32, i32, ptr});

    for (Kernel &k : kernels) {
      Location at = k.launch.getLoc();
      b.setInsertionPoint(k.launch);
      // Launch only while every launch before it succeeded.
      // (One statement per op: the order of a call's arguments is unspecified.)
      Value sofar = b.create<LLVM::LoadOp>(at, i32, status);
      Value ok = b.create<LLVM::ICmpOp>(at, LLVM::ICmpPredicate::eq, sofar, constant(i32, 0));
      auto guard = b.create<scf::IfOp>(at, ok, /*withElseRegion=*/false);
      b.setInsertionPointToStart(&guard.getThenRegion().front());
      for (auto [index, operand] : llvm::enumerate(k.operands)) {
        int32_t i = static_cast<int32_t>(index); // captured below (C++17 lambdas cannot capture bindings)
        Value address = b.create<memref::ExtractAlignedPointerAsIndexOp>(at, operand);
        Value pointer = b.create<LLVM::IntToPtrOp>(
            at, ptr, b.create<arith::IndexCastOp>(at, i64, address));
        auto slot = [&](Value array) -> Value {
          return b.create<LLVM::GEPOp>(at, ptr, ptr, array,
                                       ArrayRef<LLVM::GEPArg>{i});
        };
        Value valueSlot = slot(values);
        b.create<LLVM::StoreOp>(at, pointer, valueSlot);
        b.create<LLVM::StoreOp>(at, valueSlot, slot(args));
      }
      SmallVector<Value> callArgs = {launchFn, device, stream, constant(i32, k.index)};
      for (int64_t g : k.grid)
        callArgs.push_back(constant(i32, g));
      for (int64_t t : k.block)
        callArgs.push_back(constant(i32, t));
      callArgs.push_back(constant(i32, 0)); // dynamic shared memory
      callArgs.push_back(args);
      Value code = b.create<LLVM::CallOp>(at, launchType, callArgs).getResult();
      b.create<LLVM::StoreOp>(at, code, status);
      k.launch.erase();
    }
  }
};

} // namespace
