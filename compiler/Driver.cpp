//===- Driver.cpp - The compile pipeline, end to end ----------------------===//

#include "compiler/Driver.h"

#include "codegen/CPU/CPUPasses.h"
#include "codegen/CPU/Pipeline.h"
#include "codegen/Passes.h"
#include "compiler/ArtifactWriter.h"
#include "compiler/TensorData.h"
#include "ir/KilnDialect.h"
#include "ir/KilnOps.h"
#include "ir/Shapes.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/AllocationOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace mlir;
using namespace mlir::kiln;

std::optional<EmitKind> mlir::kiln::parseEmitKind(StringRef name) {
  return llvm::StringSwitch<std::optional<EmitKind>>(name)
      .Case("artifact", EmitKind::Artifact)
      .Case("kiln", EmitKind::Kiln)
      .Case("linalg", EmitKind::Linalg)
      .Case("memref", EmitKind::MemRef)
      .Case("llvm", EmitKind::LLVM)
      .Case("llvm-ir", EmitKind::LLVMIR)
      .Case("asm", EmitKind::Assembly)
      .Case("obj", EmitKind::Object)
      .Default(std::nullopt);
}

void mlir::kiln::registerCompilerDialects(DialectRegistry &registry) {
  registry.insert<KilnDialect, affine::AffineDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect, index::IndexDialect, linalg::LinalgDialect,
                  LLVM::LLVMDialect, math::MathDialect, memref::MemRefDialect,
                  scf::SCFDialect, tensor::TensorDialect,
                  vector::VectorDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerTilingInterfaceExternalModels(registry);
  memref::registerAllocationOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
}

namespace {

/// Times the stages of one compile. With `verbose` every stage prints its
/// wall time when it ends. Without it, and only when the log is a terminal, a
/// stage still running after two seconds announces itself once, so a person
/// watching a long compile sees where it is; a script or test reading the
/// output never gets progress text that depends on the machine's speed.
class StageTimer {
public:
  using Clock = std::chrono::steady_clock;

  StageTimer(llvm::raw_ostream &log, bool verbose)
      : log(log), verbose(verbose), notify(!verbose && log.is_displayed()) {
    if (notify)
      watchdog = std::thread([this] { watch(); });
  }

  ~StageTimer() {
    end();
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    if (watchdog.joinable())
      watchdog.join();
  }

  void begin(StringRef name) {
    end();
    std::lock_guard<std::mutex> lock(mutex);
    stage = name.str();
    start = Clock::now();
    announced = false;
    if (verbose)
      log << "kiln: " << stage << "...\n";
    wake.notify_all();
  }

  void end() {
    std::lock_guard<std::mutex> lock(mutex);
    if (stage.empty())
      return;
    double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    if (verbose)
      log << llvm::format("kiln: %-24s %8.3f s\n", (stage + ":").c_str(), seconds);
    stage.clear();
  }

private:
  void watch() {
    std::unique_lock<std::mutex> lock(mutex);
    while (!stopping) {
      if (stage.empty() || announced || verbose) {
        wake.wait(lock);
        continue;
      }
      auto deadline = start + std::chrono::seconds(2);
      if (wake.wait_until(lock, deadline) == std::cv_status::timeout &&
          !stage.empty() && !announced && Clock::now() >= deadline) {
        log << "kiln: " << stage << "...\n";
        log.flush();
        announced = true;
      }
    }
  }

  llvm::raw_ostream &log;
  bool verbose;
  bool notify; // a terminal, not verbose: the watchdog announces slow stages
  std::mutex mutex;
  std::condition_variable wake;
  std::string stage;
  Clock::time_point start;
  bool announced = false, stopping = false;
  std::thread watchdog; // started last, after the fields it reads
};

/// Writes `emit` to `path` ("-" = stdout).
LogicalResult writeOutput(Location loc, StringRef path, bool binary,
                          llvm::function_ref<void(llvm::raw_ostream &)> emit) {
  std::string error;
  auto file = mlir::openOutputFile(path, &error);
  if (!file)
    return emitError(loc) << "cannot write " << path << ": " << error;
  (void)binary;
  emit(file->os());
  file->keep();
  return success();
}

/// The model's inputs and outputs, from @main after the graph passes. Each
/// buffer must fit `memoryLimit`.
FailureOr<ArtifactInfo> collectSignature(func::FuncOp fn, int64_t memoryLimit) {
  ArtifactInfo info;
  auto collect = [&](TypeRange types, bool results,
                     std::vector<TensorSpec> &out) -> LogicalResult {
    for (auto [i, type] : llvm::enumerate(types)) {
      StringAttr nameAttr =
          results ? fn.getResultAttrOfType<StringAttr>(i, kTensorNameAttr)
                  : fn.getArgAttrOfType<StringAttr>(i, kTensorNameAttr);
      std::string name = nameAttr ? nameAttr.str()
                                  : (results ? "output" : "input") + std::to_string(i);
      auto tensor = dyn_cast<RankedTensorType>(type);
      if (!tensor || !tensor.hasStaticShape())
        return fn.emitError(results ? "output '" : "input '")
               << name << "' has type " << type
               << "; compiled models need static shapes";
      for (const TensorSpec &other : out)
        if (other.name == name)
          return fn.emitError(results ? "two outputs" : "two inputs")
                 << " are named '" << name << "'";
      out.push_back({name, tensor.getElementType(),
                     SmallVector<int64_t>(tensor.getShape())});
      if (out.back().bytes() > memoryLimit) {
        // An output is reported at the node that computes it.
        Location loc = fn.getLoc();
        if (results)
          if (Operation *def = fn.front().getTerminator()->getOperand(i).getDefiningOp())
            loc = def->getLoc();
        return emitError(loc)
               << (results ? "output '" : "input '") << name << "' ("
               << type << ") needs " << formatBytes(out.back().bytes())
               << ", over the memory limit of " << formatBytes(memoryLimit)
               << " (--memory-limit)";
      }
    }
    return success();
  };
  if (failed(collect(fn.getArgumentTypes(), false, info.inputs)) ||
      failed(collect(fn.getResultTypes(), true, info.outputs)))
    return failure();
  if (info.outputs.empty())
    return fn.emitError("the model has no outputs");
  return info;
}

/// The constants the library would embed (splats cost nothing: they become
/// fills) must fit `memoryLimit` together.
LogicalResult checkConstantBytes(ModuleOp module, int64_t memoryLimit) {
  int64_t total = 0;
  ConstantOp largest;
  int64_t largestBytes = -1;
  module.walk([&](ConstantOp op) {
    auto value = dyn_cast<DenseElementsAttr>(op.getValue());
    if (value && value.isSplat())
      return;
    auto type = cast<RankedTensorType>(op.getType());
    int64_t bytes = type.getNumElements() * dtypeBytes(type.getElementType());
    total += bytes;
    if (bytes > largestBytes) {
      largest = op;
      largestBytes = bytes;
    }
  });
  if (total <= memoryLimit)
    return success();
  return largest.emitError("the model's constants take ")
         << formatBytes(total) << ", over the memory limit of "
         << formatBytes(memoryLimit)
         << " (--memory-limit); the largest, " << formatBytes(largestBytes)
         << ", is this node's";
}

} // namespace

FailureOr<int64_t> mlir::kiln::parseByteSize(StringRef text) {
  text = text.trim();
  int shift = 0;
  if (!text.empty()) {
    switch (llvm::toUpper(text.back())) {
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    case 'T': shift = 40; break;
    default: break;
    }
    if (shift)
      text = text.drop_back();
  }
  uint64_t value;
  if (text.empty() || text.getAsInteger(10, value) ||
      value > (uint64_t(std::numeric_limits<int64_t>::max()) >> shift))
    return failure();
  return static_cast<int64_t>(value << shift);
}

LogicalResult mlir::kiln::compileModel(MLIRContext &ctx,
                                       const CompileOptions &options,
                                       llvm::raw_ostream &log) {
  Location fileLoc = FileLineColLoc::get(&ctx, options.import.path, 0, 0);
  std::string name = options.name.empty()
                         ? defaultArtifactName(options.import.path)
                         : options.name;
  if (!isCIdentifier(name))
    return emitError(fileLoc) << "--name '" << name
                              << "' is not a C identifier";
  bool wantsMachineCode = options.emit == EmitKind::Artifact ||
                          options.emit == EmitKind::LLVMIR ||
                          options.emit == EmitKind::Assembly ||
                          options.emit == EmitKind::Object;

  StageTimer timer(log, options.verbose);
  // The target first: a bad --cpu should fail before a long compile.
  std::unique_ptr<llvm::TargetMachine> tm;
  if (wantsMachineCode) {
    timer.begin("target");
    initializeLLVMTargets();
    auto created = createTargetMachine(options.target);
    if (!created)
      return emitError(fileLoc) << llvm::toString(created.takeError());
    tm = std::move(*created);
  }

  if (options.printIRAfterAll)
    ctx.disableMultithreading();
  // IR dumps after every pass would be unreadable with every weight in them;
  // --emit output is kept whole so that it can be compiled again.
  OpPrintingFlags dumping;
  dumping.elideLargeElementsAttrs(16);
  OpPrintingFlags printing;
  if (options.elideConstants)
    printing.elideLargeElementsAttrs(16);
  if (options.printLocations) {
    dumping.enableDebugInfo();
    printing.enableDebugInfo();
  }

  timer.begin("import");
  OwningOpRef<ModuleOp> module = importModel(ctx, options.import);
  if (!module)
    return failure();

  auto run = [&](llvm::function_ref<void(OpPassManager &)> build) {
    PassManager pm(&ctx);
    if (options.timePasses)
      pm.enableTiming();
    if (options.printIRAfterAll)
      pm.enableIRPrinting([](Pass *, Operation *) { return false; },
                          [](Pass *, Operation *) { return true; },
                          /*printModuleScope=*/true,
                          /*printAfterOnlyOnChange=*/true,
                          /*printAfterOnlyOnFailure=*/false, llvm::errs(),
                          dumping);
    build(pm);
    return pm.run(*module);
  };
  auto emitIR = [&]() {
    return writeOutput(fileLoc, options.output, false,
                       [&](llvm::raw_ostream &os) {
                         module->print(os, printing);
                         os << "\n";
                       });
  };

  timer.begin("graph passes");
  if (failed(run(buildGraphPipeline)))
    return failure();
  if (options.emit == EmitKind::Kiln)
    return emitIR();

  FailureOr<ArtifactInfo> info =
      collectSignature(getModelFunction(*module), options.memoryLimit);
  if (failed(info) || failed(checkConstantBytes(*module, options.memoryLimit)))
    return failure();
  info->name = name;
  info->source = llvm::sys::path::filename(options.import.path).str();

  timer.begin("lower to linalg");
  if (failed(run(buildLowerToLinalgPipeline)))
    return failure();
  if (options.emit == EmitKind::Linalg)
    return emitIR();

  timer.begin("bufferize");
  CPUPipelineOptions cpu;
  cpu.symbolPrefix = name;
  cpu.maxScratchBytes = options.memoryLimit;
  if (failed(run([&](OpPassManager &pm) { buildBufferizePipeline(pm, cpu); })))
    return failure();
  if (auto bytes = (*module)->getAttrOfType<IntegerAttr>(kScratchBytesAttr))
    info->scratchBytes = bytes.getInt();
  if (options.emit == EmitKind::MemRef)
    return emitIR();

  timer.begin("lower to LLVM dialect");
  if (failed(run(buildLowerToLLVMPipeline)))
    return failure();
  if (options.emit == EmitKind::LLVM)
    return emitIR();

  timer.begin("LLVM IR, -O3");
  EntryPointABI abi;
  abi.symbolPrefix = name;
  abi.numInputs = info->inputs.size();
  abi.numOutputs = info->outputs.size();
  abi.scratchBytes = info->scratchBytes;
  for (const TensorSpec &t : llvm::concat<const TensorSpec>(info->inputs, info->outputs))
    abi.bufferBytes.push_back(t.bytes());
  abi.signature = renderSignature(*info);
  llvm::LLVMContext llvmContext;
  auto llvmModule = buildLLVMModule(*module, llvmContext, abi, *tm);
  if (!llvmModule)
    return emitError(fileLoc) << llvm::toString(llvmModule.takeError());
  if (options.emit == EmitKind::LLVMIR)
    return writeOutput(fileLoc, options.output, false,
                       [&](llvm::raw_ostream &os) { (*llvmModule)->print(os, nullptr); });

  timer.begin("machine code");
  auto code = emitMachineCode(**llvmModule, *tm,
                              options.emit == EmitKind::Assembly
                                  ? llvm::CodeGenFileType::AssemblyFile
                                  : llvm::CodeGenFileType::ObjectFile);
  if (!code)
    return emitError(fileLoc) << llvm::toString(code.takeError());
  if (options.emit == EmitKind::Assembly || options.emit == EmitKind::Object)
    return writeOutput(fileLoc, options.output, true,
                       [&](llvm::raw_ostream &os) { os << *code; });

  timer.begin("write artifact");
  info->triple = tm->getTargetTriple().str();
  info->cpu = tm->getTargetCPU().str();
  info->features = tm->getTargetFeatureString().str();
  llvm::Triple host(llvm::sys::getProcessTriple());
  const llvm::Triple &target = tm->getTargetTriple();
  info->sharedLibrary =
      target.getArch() == host.getArch() && target.getOS() == host.getOS();
  if (!info->sharedLibrary)
    emitWarning(fileLoc) << "not linking lib" << name << ".so for "
                         << target.str() << " (not this machine's target): "
                         << "the artifact is lib" << name << ".a, " << name
                         << ".h and " << name << ".json";
  return writeArtifact(fileLoc, options.output, *info, *code);
}
