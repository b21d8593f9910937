//===- Target.h - What a code generation target provides ---------*- C++ -*-===//
//
// The seam between the target-independent pipeline (codegen/Pipeline.h) and
// one kind of machine. A target describes the machine the code is for
// (vector width, registers, caches, cores: what tile sizes are chosen
// from), adds its passes to the two stages that are its own (loop-level
// transformations on linalg, lowering of bufferized code to its IR), and
// turns the final module into code objects for the artifact: the CPU
// (codegen/CPU) and NVIDIA GPUs through CUDA (codegen/GPU).
//
// Targets are stateless singletons: thread-safe.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TARGET_H
#define KILN_CODEGEN_TARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace mlir::kiln {

struct PipelineOptions;

/// What a user asks for: --target-triple, --cpu, --features.
struct TargetRequest {
  std::string triple;   // empty: the host's
  std::string cpu = "native";
  std::string features; // "+feat,-feat" on top of the CPU's
  /// Cores to split work for; 0: the host's when compiling for the host
  /// with cpu "native", else 1.
  unsigned cores = 0;
  /// GPU targets (--gpu sm_80,sm_90): the architectures to make images for;
  /// empty: the target's default.
  std::vector<std::string> gpuArchitectures;
  /// GPU targets (--allow-tf32): f32 contractions may run on tensor cores
  /// with tf32 operands.
  bool allowTF32 = false;
};

/// The machine the code is for, resolved from a request. Loop-level passes
/// read it to choose vector widths and tile sizes; nothing may assume a
/// particular CPU.
struct TargetDescription {
  std::string triple, cpu, features;
  /// Widest vector register the code may use, in bits (128 for SSE/NEON,
  /// 256 for AVX2, 512 for AVX-512).
  unsigned vectorBits = 128;
  /// Number of such registers (16 with AVX2, 32 with AVX-512 or NEON).
  unsigned numVectorRegisters = 16;
  /// Whether fused multiply-add is native.
  bool hasFMA = false;
  /// Cache sizes in bytes: per core (L1 data, L2) and shared (L3).
  int64_t l1DataBytes = 32 << 10;
  int64_t l2Bytes = 512 << 10;
  int64_t l3Bytes = 8 << 20;
  /// Cores the generated code may use.
  unsigned numCores = 1;
  /// The target is the machine running the compiler (same architecture
  /// and OS): the artifact can include a shared library and be run here.
  bool isHost = true;

  /// GPU targets only: the architectures ("sm_80", ...) images are made
  /// for, oldest first; the CUDA toolkit the compile found (its root folder,
  /// which has nvvm/libdevice and, if `hasPtxas`, bin/ptxas).
  std::vector<std::string> gpuArchitectures;
  std::string cudaToolkit;
  bool hasPtxas = false;

  /// GPU targets only: what the kernels of codegen/GPU are shaped for. One
  /// set of kernels serves every architecture of the artifact.
  struct GPU {
    /// Multiprocessors of the largest usual part among the architectures
    /// (132 for sm_90's H100 SXM): how many blocks fill the device.
    int64_t multiprocessors = 0;
    int64_t maxThreadsPerBlock = 1024;
    /// Static shared memory a block may use without opting in.
    int64_t sharedBytesPerBlock = 48 << 10;
    /// Contraction tiles, largest first, each {block M, block N, block K,
    /// thread M, thread N}: a block computes block M x block N outputs,
    /// staging block K of the reduction through shared memory, each thread
    /// thread M x thread N of them in registers.
    std::vector<std::array<int64_t, 5>> contractionTiles;
    /// Tensor-core contraction tiles, largest first, each {block M, block N,
    /// block K, warps M, warps N}: a block computes block M x block N outputs
    /// with warps M x warps N warps of mma.sync; empty when an architecture
    /// lacks the instructions (before sm_80).
    std::vector<std::array<int64_t, 5>> mmaTiles;
    /// Whether f32 contractions may use tensor cores as tf32.
    bool allowTF32 = false;
    /// Threads per block of the row reductions.
    int64_t reductionBlockThreads = 256;
  } gpu;

  /// "x86_64-pc-linux-gnu znver4, 512-bit vectors x 32, L1d 32 KiB, ...".
  std::string describe() const;
};

/// One kernel of a device target, in the order the host code numbers them
/// (docs/artifact-format.md, "CUDA artifacts").
struct KernelSpec {
  std::string name;
  std::string entry; // the entry point that launches it

  std::array<int64_t, 3> grid = {1, 1, 1}, block = {1, 1, 1};
  int64_t sharedBytes = 0;
  int64_t params = 0;
};

/// One image of a device target's kernels: "cubin" or "ptx" for one
/// architecture.
struct DeviceImage {
  std::string architecture, format;
  std::string bytes;
};

/// What a target made for an artifact: the host's object files (for the CPU
/// the whole model; for a GPU the entry points that launch the kernels),
/// which link together into the library, and, for a device target, the
/// kernels and their images.
struct CodeObjects {
  std::vector<std::string> hostObjects;
  std::string deviceKind; // "" for the CPU, "cuda"
  std::vector<std::string> gpuArchitectures;
  std::vector<KernelSpec> kernels;
  std::vector<DeviceImage> images;
};

/// The last steps of a compile that are outside MLIR, and what `--emit`
/// can stop after.
enum class TargetOutput {
  IR,        // the target's textual IR (LLVM IR for the CPU)
  Assembly,  // assembly text
  Object,    // a relocatable object file
};

class Target {
public:
  virtual ~Target() = default;

  /// "cpu".
  virtual StringRef getName() const = 0;

  /// Resolves `request` ("native" means the host's CPU and features).
  /// Fails with a one-line message for an unknown or unsupported target.
  virtual FailureOr<TargetDescription>
  describe(const TargetRequest &request, std::string &error) const = 0;

  /// Dialects and interface implementations the target's passes create.
  virtual void registerDialects(DialectRegistry &registry) const = 0;

  /// Stage "loops": loop-level transformations of linalg on tensors
  /// (tiling, fusion, vectorization), before bufferization.
  virtual void buildLoopPipeline(OpPassManager &pm,
                                 const PipelineOptions &options) const = 0;

  /// Stage "llvm": bufferized code with the artifact ABI -> the target's
  /// IR, the C entry points included (kiln-c-entry-points).
  virtual void buildLoweringPipeline(OpPassManager &pm,
                                     const PipelineOptions &options) const = 0;

  /// Turns the module after buildLoweringPipeline into code objects, or
  /// writes one of the intermediate outputs to `os` instead.
  virtual LogicalResult emit(ModuleOp module, const PipelineOptions &options,
                             CodeObjects &objects) const = 0;
  virtual LogicalResult emitOutput(ModuleOp module,
                                   const PipelineOptions &options,
                                   TargetOutput output,
                                   llvm::raw_ostream &os) const = 0;
};

/// The CPU target (codegen/CPU): x86-64 and AArch64 through LLVM.
const Target &getCPUTarget();

/// The CUDA target (codegen/GPU): host code through LLVM for the host's CPU,
/// kernels through NVVM to PTX and (with ptxas) cubin.
const Target &getCUDATarget();

/// The target called `name` ("cpu", "cuda"); null if there is none.
const Target *lookupTarget(StringRef name);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_TARGET_H
