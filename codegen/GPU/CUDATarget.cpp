//===- CUDATarget.cpp - NVIDIA GPUs: kernels through NVVM, host through LLVM ===//
//
// The CUDA target compiles a model into kernels (PTX, and cubin when the
// CUDA toolkit's ptxas is there) and host code for the host's CPU: the
// entry points of docs/artifact-format.md, which launch the kernels in order
// through ctx->device (runtime/kiln_abi.h). Everything up to bufferization
// is the shared pipeline; the loop-level mapping to blocks and threads is
// kiln-gpu-map-loops.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"
#include "codegen/CPU/ObjectEmitter.h"
#include "codegen/Common/ABI.h"
#include "codegen/GPU/Architectures.h"
#include "codegen/GPU/GPUPasses.h"
#include "codegen/Passes.h"
#include "codegen/Pipeline.h"
#include "codegen/Target.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/NVGPUToNVVM/NVGPUToNVVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The CUDA toolkit: $CUDA_PATH, else /usr/local/cuda, if it has libdevice
/// (the math functions kernels call); "" if neither has.
std::string findToolkit(std::string &looked) {
  SmallVector<std::string> candidates;
  if (std::optional<std::string> env = llvm::sys::Process::GetEnv("CUDA_PATH"))
    candidates.push_back(*env);
  candidates.push_back("/usr/local/cuda");
  for (const std::string &root : candidates) {
    looked += (looked.empty() ? "" : ", ") + root;
    SmallString<256> libdevice(root);
    llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
    if (llvm::sys::fs::exists(libdevice))
      return root;
  }
  return "";
}

class CUDATarget final : public Target {
public:
  StringRef getName() const override { return "cuda"; }

  FailureOr<TargetDescription> describe(const TargetRequest &request,
                                        std::string &error) const override {
    // The host code's machine: as the CPU target resolves it, but the
    // baseline CPU unless one is named: the host code only launches kernels,
    // and the GPU machine's CPU is rarely the compiling machine's.
    TargetRequest hostRequest = request;
    if (hostRequest.cpu == "native")
      hostRequest.cpu = "generic";
    FailureOr<TargetDescription> host = getCPUTarget().describe(hostRequest, error);
    if (failed(host))
      return failure();
    TargetDescription d = *host;
    d.numCores = 1; // host code only launches
    SmallVector<std::string> chips(request.gpuArchitectures.begin(),
                                   request.gpuArchitectures.end());
    if (chips.empty())
      chips = defaultArchitectures();
    for (const std::string &chip : chips)
      if (!isKnownArchitecture(chip, error))
        return failure();
    sortArchitectures(chips);
    d.gpuArchitectures.assign(chips.begin(), chips.end());
    for (const std::string &chip : chips)
      d.gpu.multiprocessors = std::max(d.gpu.multiprocessors, multiprocessors(chip));
    // Every architecture from sm_75 on has 64K registers and 48 KiB of
    // static shared memory per block: the same tiles suit them all. The
    // large one (8 KiB of shared memory, 64 accumulators per thread, 256
    // threads) for products that fill the device with it, the small one
    // otherwise.
    d.gpu.contractionTiles = {{128, 128, 8, 8, 8}, {64, 64, 16, 4, 4}};
    // Tensor cores (mma.sync m16n8k16 for f16/bf16, m16n8k8 for tf32) from
    // sm_80 on: 8 warps of 64x32 outputs each (64 accumulators per lane),
    // else 4 warps of 32x32; k tiles of 32 (20 KiB of shared memory for
    // 16-bit operands, 36 KiB for tf32).
    if (llvm::all_of(chips, [](const std::string &chip) { return hasTensorCoreMMA(chip); }))
      d.gpu.mmaTiles = {{128, 128, 32, 2, 4}, {64, 64, 32, 2, 2}};
    d.gpu.allowTF32 = request.allowTF32;
    std::string looked;
    d.cudaToolkit = findToolkit(looked);
    if (d.cudaToolkit.empty()) {
      error = "--target cuda needs the CUDA toolkit's nvvm/libdevice/libdevice.10.bc (looked in " +
              looked + "); set CUDA_PATH to the toolkit's folder";
      return failure();
    }
    SmallString<256> ptxas(d.cudaToolkit);
    llvm::sys::path::append(ptxas, "bin", "ptxas");
    d.hasPtxas = llvm::sys::fs::can_execute(ptxas);
    return d;
  }

  void registerDialects(DialectRegistry &registry) const override {
    getCPUTarget().registerDialects(registry);
    registry.insert<gpu::GPUDialect, NVVM::NVVMDialect, nvgpu::NVGPUDialect>();
    NVVM::registerNVVMTargetInterfaceExternalModels(registry);
    registerNVVMDialectTranslation(registry);
    registerGPUDialectTranslation(registry);
  }

  void buildLoopPipeline(OpPassManager &pm, const PipelineOptions &options) const override {
    // Convolutions become contractions, for kiln-gpu-tile-contractions;
    // every linalg op is then mapped whole after bufferization
    // (buildGPUMappingPasses).
    OpPassManager &fn = pm.nest<func::FuncOp>();
    fn.addPass(createKilnGPUConvToMatmul());
    fn.addPass(createCanonicalizerPass());
    if (options.inspectFusedGroups)
      pm.addPass(createInspectionPass(options.inspectFusedGroups));
  }

  void buildLoweringPipeline(OpPassManager &pm,
                             const PipelineOptions &options) const override {
    const TargetDescription &d = options.description;
    buildGPUMappingPasses(pm, d);
    KilnGPULaunchKernelsOptions launch;
    launch.architectures = d.gpuArchitectures;
    pm.addPass(createKilnGPULaunchKernels(launch));
    pm.addPass(createCanonicalizerPass());

    // The kernels: NVVM, then images.
    OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
    kernels.addPass(memref::createExpandStridedMetadataPass());
    kernels.addPass(createLowerAffinePass());
    kernels.addPass(createConvertSCFToCFPass());
    kernels.addPass(createKilnGPUMathToLibdevice());
    // NVPTX has no float8 conversions before sm_89, and LLVM 19's NVPTX
    // backend none at all: the integer expansion serves every architecture.
    kernels.addPass(createKilnExpandFloat8());
    // Tensor-core ops: bf16 through Kiln's pass (upstream lacks it), the rest
    // through upstream's; their vector fragments then go with the rest of
    // the kernel's vector ops.
    kernels.addPass(createKilnGPUBF16MMAToNVVM());
    kernels.addPass(createConvertNVGPUToNVVMPass());
    ConvertGpuOpsToNVVMOpsOptions nvvm;
    // Kernel parameters are plain device pointers (the host passes one per
    // buffer); shapes and strides are static.
    nvvm.useBarePtrCallConv = true;
    kernels.addPass(createConvertGpuOpsToNVVMOps(nvvm));
    kernels.addPass(createCanonicalizerPass());
    pm.addPass(createReconcileUnrealizedCastsPass());
    KilnGPUSerializeKernelsOptions serialize;
    serialize.toolkit = d.cudaToolkit;
    serialize.cubins = d.hasPtxas;
    pm.addPass(createKilnGPUSerializeKernels(serialize));

    // The host: what remains is buffer arithmetic and launches (their
    // status checks are scf.if), lowered as the CPU's host code is.
    pm.addPass(createConvertSCFToCFPass());
    buildHostToLLVMPasses(pm);
    pm.addPass(createKilnCEntryPoints());
  }

  LogicalResult emit(ModuleOp module, const PipelineOptions &options,
                     CodeObjects &objects) const override {
    auto kernels = module->getAttrOfType<ArrayAttr>(abi::kGPUKernelsAttr);
    auto images = module->getAttrOfType<ArrayAttr>(abi::kGPUImagesAttr);
    if (!kernels || !images)
      return module.emitError("the CUDA target's module has no kernel table or images");
    objects.deviceKind = "cuda";
    objects.gpuArchitectures = options.description.gpuArchitectures;
    for (auto k : kernels.getAsRange<DictionaryAttr>()) {
      KernelSpec spec;
      spec.name = cast<StringAttr>(k.get("name")).str();
      spec.entry = cast<StringAttr>(k.get("entry")).str();
      auto grid = cast<DenseI64ArrayAttr>(k.get("grid")).asArrayRef();
      auto block = cast<DenseI64ArrayAttr>(k.get("block")).asArrayRef();
      std::copy(grid.begin(), grid.end(), spec.grid.begin());
      std::copy(block.begin(), block.end(), spec.block.begin());
      spec.sharedBytes = cast<IntegerAttr>(k.get("shared_bytes")).getInt();
      spec.params = cast<IntegerAttr>(k.get("params")).getInt();
      objects.kernels.push_back(std::move(spec));
    }
    for (auto image : images.getAsRange<DictionaryAttr>())
      objects.images.push_back({cast<StringAttr>(image.get("architecture")).str(),
                                cast<StringAttr>(image.get("format")).str(),
                                cast<StringAttr>(image.get("data")).str()});
    stripDeviceAttributes(module);
    CodeObjects host;
    if (failed(getCPUTarget().emit(module, options, host)))
      return failure();
    objects.hostObjects = std::move(host.hostObjects);
    return success();
  }

  LogicalResult emitOutput(ModuleOp module, const PipelineOptions &options,
                           TargetOutput output, llvm::raw_ostream &os) const override {
    stripDeviceAttributes(module);
    return getCPUTarget().emitOutput(module, options, output, os);
  }

private:
  /// The images are in the artifact's files, not in the host's IR.
  static void stripDeviceAttributes(ModuleOp module) {
    module->removeAttr(abi::kGPUImagesAttr);
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  }
};

} // namespace

void mlir::kiln::buildGPUMappingPasses(OpPassManager &pm, const TargetDescription &d) {
  OpPassManager &fn = pm.nest<func::FuncOp>();
  KilnGPUTileContractionsOptions contractions;
  SmallVector<int64_t> tiles;
  for (const std::array<int64_t, 5> &tile : d.gpu.contractionTiles)
    tiles.append(tile.begin(), tile.end());
  contractions.tiles = tiles;
  SmallVector<int64_t> mmaTiles;
  for (const std::array<int64_t, 5> &tile : d.gpu.mmaTiles)
    mmaTiles.append(tile.begin(), tile.end());
  contractions.mmaTiles = mmaTiles;
  contractions.allowTF32 = d.gpu.allowTF32;
  contractions.multiprocessors = d.gpu.multiprocessors;
  contractions.sharedBytes = d.gpu.sharedBytesPerBlock;
  fn.addPass(createKilnGPUTileContractions(contractions));
  KilnGPUReduceRowsOptions rows;
  rows.blockThreads = d.gpu.reductionBlockThreads;
  fn.addPass(createKilnGPUReduceRows(rows));
  fn.addPass(createKilnGPUMapLoops());
}

const Target &mlir::kiln::getCUDATarget() {
  static const CUDATarget target;
  return target;
}
