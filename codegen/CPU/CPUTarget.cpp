//===- CPUTarget.cpp - The CPU target: x86-64 and AArch64 through LLVM ----===//

#include "codegen/CPU/CPUPasses.h"
#include "codegen/CPU/ObjectEmitter.h"
#include "codegen/Passes.h"
#include "codegen/Pipeline.h"
#include "codegen/Target.h"
#include "ir/Shapes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/SubsetOpInterfaceImpl.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <thread>

using namespace mlir;
using namespace mlir::kiln;

std::string TargetDescription::describe() const {
  return triple + " " + cpu + ", " + std::to_string(vectorBits) +
         "-bit vectors x " + std::to_string(numVectorRegisters) +
         (hasFMA ? ", FMA" : "") + ", L1d " + formatBytes(l1DataBytes) +
         ", L2 " + formatBytes(l2Bytes) + ", L3 " + formatBytes(l3Bytes) + ", " +
         std::to_string(numCores) + (numCores == 1 ? " core" : " cores") +
         (gpuArchitectures.empty()
              ? ""
              : "; kernels for " + llvm::join(gpuArchitectures, ", ") +
                    (hasPtxas ? " (PTX and cubins)" : " (PTX only: no ptxas)"));
}

namespace {

/// Size of the data (or unified) cache of `level` of CPU 0, from Linux's
/// sysfs; nullopt where that is not available.
std::optional<int64_t> hostCacheBytes(unsigned level) {
  for (int index = 0; index < 8; ++index) {
    std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    auto read = [&](StringRef file) -> std::string {
      // sysfs files claim a size they do not have: read them as streams.
      auto buffer = llvm::MemoryBuffer::getFileAsStream(dir + "/" + file.str());
      return buffer ? (*buffer)->getBuffer().trim().str() : std::string();
    };
    std::string lvl = read("level");
    if (lvl.empty())
      break;
    // Data or unified caches; instruction caches never hold tiles.
    if (lvl != std::to_string(level) || read("type") == "Instruction")
      continue;
    std::string sizeText = read("size");
    StringRef size = sizeText;
    int64_t multiplier = 1;
    if (size.consume_back("K"))
      multiplier = 1 << 10;
    else if (size.consume_back("M"))
      multiplier = 1 << 20;
    int64_t value;
    if (!size.getAsInteger(10, value))
      return value * multiplier;
  }
  return std::nullopt;
}

bool hasFeature(StringRef features, StringRef name) {
  SmallVector<StringRef> list;
  features.split(list, ',');
  bool on = false;
  for (StringRef f : list) // later entries override earlier ones
    if (f.drop_front() == name)
      on = f.front() == '+';
  return on;
}

class CPUTarget final : public Target {
public:
  StringRef getName() const override { return "cpu"; }

  FailureOr<TargetDescription> describe(const TargetRequest &request,
                                        std::string &error) const override {
    auto tm = createTargetMachine(request);
    if (!tm) {
      error = llvm::toString(tm.takeError());
      return failure();
    }
    TargetDescription d;
    const llvm::Triple &triple = (*tm)->getTargetTriple();
    if (!triple.isArch64Bit()) {
      error = "target '" + triple.str() +
              "' has 32-bit pointers; the artifact ABI (kiln_abi.h) assumes 64-bit "
              "pointers and size_t";
      return failure();
    }
    d.triple = triple.str();
    d.cpu = (*tm)->getTargetCPU().str();
    d.features = (*tm)->getTargetFeatureString().str();
    llvm::Triple host(llvm::sys::getProcessTriple());
    d.isHost = triple.getArch() == host.getArch() && triple.getOS() == host.getOS();
    if (triple.isX86()) {
      // The subtarget's features: a named CPU (--cpu x86-64-v3, skylake-avx512)
      // implies features its feature string does not list.
      // The subtarget has the CPU's features with the requested ones applied.
      const llvm::MCSubtargetInfo *subtarget = (*tm)->getMCSubtargetInfo();
      auto has = [&](StringRef name) {
        return subtarget ? subtarget->checkFeatures(("+" + name).str()) : hasFeature(d.features, name);
      };
      bool avx512 = has("avx512f");
      bool avx = has("avx") || has("avx2");
      d.vectorBits = avx512 ? 512 : avx ? 256 : 128;
      d.numVectorRegisters = avx512 ? 32 : 16;
      d.hasFMA = has("fma") || avx512;
    } else if (triple.isAArch64()) {
      d.vectorBits = 128; // NEON; SVE lengths are not known at compile time
      d.numVectorRegisters = 32;
      d.hasFMA = true;
    }
    // The host's caches and cores when compiling for it; typical sizes
    // otherwise (a cross compile cannot know the machine).
    if (request.cpu == "native" && d.isHost) {
      d.l1DataBytes = hostCacheBytes(1).value_or(d.l1DataBytes);
      d.l2Bytes = hostCacheBytes(2).value_or(d.l2Bytes);
      d.l3Bytes = hostCacheBytes(3).value_or(d.l3Bytes);
      d.numCores = std::max(1u, std::thread::hardware_concurrency());
    }
    if (request.cores != 0)
      d.numCores = request.cores;
    return d;
  }

  void registerDialects(DialectRegistry &registry) const override {
    registry.insert<affine::AffineDialect, cf::ControlFlowDialect,
                    index::IndexDialect, LLVM::LLVMDialect, scf::SCFDialect,
                    vector::VectorDialect>();
    // Subset hoisting (the accumulators of a register tile) needs to know
    // what slices and transfers read and write.
    tensor::registerSubsetOpInterfaceExternalModels(registry);
    vector::registerSubsetOpInterfaceExternalModels(registry);
    // The tiles' vector transfers on tensors go through bufferization.
    vector::registerBufferizableOpInterfaceExternalModels(registry);
  }

  void buildLoopPipeline(OpPassManager &pm,
                         const PipelineOptions &options) const override {
    const TargetDescription &d = options.description;
    OpPassManager &fn = pm.nest<func::FuncOp>();
    // Convolutions become matmuls, then every matmul gets register-blocked
    // vector code with tiles for this machine.
    // Convolutions the blocked layout takes become direct convolutions on
    // channel blocks; the rest (and every other target) become matmuls.
    KilnCPUBlockedConvsOptions blocked;
    blocked.vectorBits = d.vectorBits;
    fn.addPass(createKilnCPUBlockedConvs(blocked));
    KilnCPUConvToMatmulOptions convs;
    convs.vectorBits = d.vectorBits;
    convs.vectorRegisters = d.numVectorRegisters;
    fn.addPass(createKilnCPUConvToMatmul(convs));
    // Depthwise ones and pools become elementwise ops over their windows,
    // for kiln-cpu-vectorize-ops.
    fn.addPass(createKilnCPUWindowsAsElementwise());
    fn.addPass(createCanonicalizerPass());
    // Those are new elementwise ops: their bias broadcasts and elementwise
    // consumers (a depthwise convolution's Clip) fuse into them, one pass
    // over the channels' planes instead of three.
    KilnFuseElementwiseOptions fuse;
    fuse.producersOnly = true;
    fuse.broadcasts = true;
    fn.addPass(createKilnFuseElementwise(fuse));
    // Blocked results flow into the next convolution without unpacking.
    fn.addPass(createKilnCPUPropagateLayouts());
    fn.addPass(createCanonicalizerPass());
    // The blocked convolutions' bias broadcasts and fills are new ops,
    // which CSE merges (every zero bias of a model): each gets its own
    // again, or bufferization copies the shared one per convolution.
    fn.addPass(createCSEPass());
    fn.addPass(createKilnPrivateInits());
    // Then B in the panels the register tiles stream.
    KilnCPUPackOperandsOptions pack;
    pack.vectorBits = d.vectorBits;
    pack.vectorRegisters = d.numVectorRegisters;
    fn.addPass(createKilnCPUPackOperands(pack));
    KilnCPUSelectTilesOptions select;
    select.vectorBits = d.vectorBits;
    select.vectorRegisters = d.numVectorRegisters;
    select.l1Bytes = d.l1DataBytes;
    select.cores = d.numCores;
    fn.addPass(createKilnCPUSelectTiles(select));
    KilnCPUTileContractionsOptions tile;
    tile.vectorBits = d.vectorBits;
    fn.addPass(createKilnCPUTileContractions(tile));
    // The fused groups --report shows: each contraction's parallel tasks
    // with the inits and elementwise consumers fused into them, and every
    // other op as it is before it is vectorized.
    OpPassManager *after = &fn;
    if (options.inspectFusedGroups) {
      pm.addPass(createInspectionPass(options.inspectFusedGroups));
      after = &pm.nest<func::FuncOp>();
    }
    OpPassManager &rest = *after;
    rest.addPass(createCanonicalizerPass());
    rest.addPass(createCSEPass());
    // Then every op with a unit-stride dim to vectorize along.
    KilnCPUVectorizeOpsOptions vectorize;
    vectorize.vectorBits = d.vectorBits;
    vectorize.cores = d.numCores;
    rest.addPass(createKilnCPUVectorizeOps(vectorize));
    rest.addPass(createCanonicalizerPass());
    rest.addPass(createCSEPass());
    // The rest: unit-stride innermost loops for LLVM's vectorizer.
    rest.addPass(createKilnCPULoopOrder());
    // Last, after every CSE: producers write into their padded buffers.
    rest.addPass(createKilnCPUPadsInPlace());
  }

  void buildLoweringPipeline(OpPassManager &pm,
                             const PipelineOptions &options) const override {
    // scf.forall tasks become functions the context's thread pool runs;
    // the other compute ops become kernels.
    KilnCPUSplitBufferTasksOptions split;
    split.cores = options.description.numCores;
    pm.addNestedPass<func::FuncOp>(createKilnCPUSplitBufferTasks(split));
    // The next chunk of a large blocked filter streams in while the
    // current one is in use.
    KilnCPUPrefetchFiltersOptions prefetch;
    prefetch.minBytes = options.description.l2Bytes / 2;
    pm.addNestedPass<func::FuncOp>(createKilnCPUPrefetchFilters(prefetch));
    pm.addPass(createKilnParallelTasks());
    pm.addPass(createKilnOutlineKernels());
    // 2-D vector transfers left by the tiles become 1-D ones, fully
    // unrolled (a rolled loop would go through a stack buffer).
    VectorTransferToSCFOptions transfers;
    transfers.enableFullUnroll(true);
    pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass(transfers));
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
    // LLVM has no float8 type: conversions become integer code (before the
    // bf16 expansion, which takes the f32 <-> bf16 steps they may leave).
    pm.addNestedPass<func::FuncOp>(createKilnExpandFloat8());
    // Before LLVM sees a bf16 conversion: it would call libgcc or flush.
    pm.addNestedPass<func::FuncOp>(createKilnCPUExpandBF16());
    // f32 exp, erf, tanh, ... as polynomials LLVM's vectorizer can take.
    pm.addNestedPass<func::FuncOp>(createKilnCPUApproximateMath());
    // Math with an LLVM intrinsic first; the rest (f64 erf, tanh, ...) calls
    // libm, one element at a time (vectors are taken apart, which must
    // happen before the vector ops become LLVM's).
    pm.addPass(createConvertMathToLLVMPass());
    pm.addPass(createConvertMathToLibmPass());
    pm.addPass(createLowerAffinePass());
    pm.addPass(createConvertSCFToCFPass());
    // Reductions across a vector's lanes may reassociate (a tree, not a
    // chain): kiln-cpu-vectorize-ops chose to sum in that order.
    ConvertVectorToLLVMPassOptions vectorToLLVM;
    vectorToLLVM.reassociateFPReductions = true;
    pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
    buildHostToLLVMPasses(pm);
    pm.addPass(createKilnParallelLaunches());
    pm.addPass(createKilnCEntryPoints());
  }

  LogicalResult emit(ModuleOp module, const PipelineOptions &options,
                     CodeObjects &objects) const override {
    auto files = emitObjectFiles(module, options.symbolPrefix, resolvedRequest(options));
    if (!files)
      return emitError(module.getLoc()) << llvm::toString(files.takeError());
    objects.hostObjects = std::move(*files);
    return success();
  }

  LogicalResult emitOutput(ModuleOp module, const PipelineOptions &options,
                           TargetOutput output,
                           llvm::raw_ostream &os) const override {
    Location loc = module.getLoc();
    auto tm = createTargetMachine(resolvedRequest(options));
    if (!tm)
      return emitError(loc) << llvm::toString(tm.takeError());
    llvm::LLVMContext llvmContext;
    auto llvmModule =
        buildLLVMModule(module, llvmContext, options.symbolPrefix, **tm);
    if (!llvmModule)
      return emitError(loc) << llvm::toString(llvmModule.takeError());
    if (output == TargetOutput::IR) {
      (*llvmModule)->print(os, nullptr);
      return success();
    }
    auto code = emitMachineCode(**llvmModule, **tm,
                                output == TargetOutput::Assembly
                                    ? llvm::CodeGenFileType::AssemblyFile
                                    : llvm::CodeGenFileType::ObjectFile);
    if (!code)
      return emitError(loc) << llvm::toString(code.takeError());
    os << *code;
    return success();
  }

private:
  /// The request for the machine describe() resolved.
  static TargetRequest resolvedRequest(const PipelineOptions &options) {
    TargetRequest request;
    request.triple = options.description.triple;
    request.cpu = options.description.cpu;
    request.features = options.description.features;
    return request;
  }
};

} // namespace

void mlir::kiln::buildHostToLLVMPasses(OpPassManager &pm) {
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  // Bare pointers: the C entry points pass plain buffer pointers.
  ConvertFuncToLLVMPassOptions func;
  func.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(func));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

const Target &mlir::kiln::getCPUTarget() {
  static const CPUTarget target;
  return target;
}
