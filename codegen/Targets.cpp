//===- Targets.cpp - Every target, by name, and the pipelines for kiln-opt ===//
//
// The one place that knows all targets: the driver and kiln-opt look them up
// by name here, so codegen/Pipeline.cpp and each target stay independent of
// one another.
//
//===----------------------------------------------------------------------===//

#include "codegen/GPU/GPUPasses.h"
#include "codegen/Pipeline.h"
#include "codegen/Target.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <vector>

using namespace mlir;
using namespace mlir::kiln;

const Target *mlir::kiln::lookupTarget(StringRef name) {
  if (name == "cpu")
    return &getCPUTarget();
  if (name == "cuda")
    return &getCUDATarget();
  return nullptr;
}

namespace {
struct PipelineCLOptions : public PassPipelineOptions<PipelineCLOptions> {
  Option<std::string> name{*this, "name",
                           llvm::cl::desc("C symbol prefix of the artifact"),
                           llvm::cl::init("model")};
  Option<std::string> target{*this, "target",
                             llvm::cl::desc("The target (cpu, cuda)"),
                             llvm::cl::init("cpu")};
  Option<std::string> cpu{*this, "cpu",
                          llvm::cl::desc("The CPU to describe (default: the host's)"),
                          llvm::cl::init("native")};
  Option<std::string> features{*this, "features",
                               llvm::cl::desc("Extra target features, +a,-b"),
                               llvm::cl::init("")};
  ListOption<std::string> gpu{*this, "gpu",
                              llvm::cl::desc("GPU architectures (sm_80,sm_90; the target's default if none)")};
  Option<bool> allowTF32{*this, "allow-tf32",
                         llvm::cl::desc("f32 contractions on tensor cores as tf32 (cuda)"),
                         llvm::cl::init(false)};
};

PipelineOptions resolve(const PipelineCLOptions &cl, StringRef targetName = "") {
  PipelineOptions options;
  options.symbolPrefix = cl.name;
  const Target *target = lookupTarget(targetName.empty() ? StringRef(cl.target) : targetName);
  if (!target) {
    llvm::errs() << "kiln pipeline: unknown target '" << cl.target
                 << "'; using cpu\n";
    target = &getCPUTarget();
  }
  options.target = target;
  TargetRequest request;
  request.cpu = cl.cpu;
  request.features = cl.features;
  request.gpuArchitectures.assign(cl.gpu.begin(), cl.gpu.end());
  request.allowTF32 = cl.allowTF32;
  std::string error;
  FailureOr<TargetDescription> description = target->describe(request, error);
  if (failed(description))
    llvm::errs() << "kiln pipeline: " << error << "; using defaults\n";
  else
    options.description = *description;
  return options;
}
} // namespace

void mlir::kiln::registerPipelines() {
  PassPipelineRegistration<PipelineCLOptions>(
      "kiln-pipeline", "The whole Kiln pipeline: kiln -> the target's IR",
      [](OpPassManager &pm, const PipelineCLOptions &cl) {
        buildPipeline(pm, resolve(cl));
      });
  PassPipelineRegistration<PipelineCLOptions>(
      "kiln-gpu-mapping-pipeline",
      "The CUDA target's mapping of bufferized code to gpu.launch kernels (with the tiles of "
      "--gpu's architectures), for kiln-gpu-launches-as-loops to run on a CPU",
      [](OpPassManager &pm, const PipelineCLOptions &cl) {
        buildGPUMappingPasses(pm, resolve(cl, "cuda").description);
      });
  // The registry may keep the name and description as StringRefs: they
  // live as long as the process.
  static std::vector<std::string> names, summaries;
  ArrayRef<Stage> stages = getPipelineStages();
  names.resize(stages.size());
  summaries.resize(stages.size());
  for (auto [i, stage] : llvm::enumerate(stages)) {
    names[i] = ("kiln-" + stage.name + "-pipeline").str();
    summaries[i] =
        ("Kiln pipeline stage \"" + stage.name + "\": " + stage.summary).str();
    auto build = stage.build;
    PassPipelineRegistration<PipelineCLOptions>(
        names[i], summaries[i],
        [build](OpPassManager &pm, const PipelineCLOptions &cl) {
          build(pm, resolve(cl));
        });
  }
}
