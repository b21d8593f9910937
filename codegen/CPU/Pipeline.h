//===- Pipeline.h - The CPU code generation pipeline ------------*- C++ -*-===//
//
// From the kiln dialect (after the graph pipeline) down to the LLVM dialect,
// as three stages so the driver can stop after any of them (`--emit`):
//
//   kiln --(lowerToLinalg)--> linalg on tensors
//        --(bufferize)------> memrefs, entry ABI, planned scratch memory
//        --(lowerToLLVM)----> LLVM dialect, ready for translation
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PIPELINE_H
#define KILN_CODEGEN_CPU_PIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <string>

namespace mlir::kiln {

struct CPUPipelineOptions {
  /// C symbol prefix of the generated entry points (`<prefix>_run`, ...).
  std::string symbolPrefix = "model";
  /// The largest scratch buffer to plan (bytes); kiln-plan-memory fails
  /// beyond it.
  int64_t maxScratchBytes = int64_t(1) << 62;
};

/// kiln -> linalg/tensor/arith/math on tensors, with elementwise fusion.
void buildLowerToLinalgPipeline(OpPassManager &pm);
/// Tensors -> memrefs: entry ABI, one-shot bufferization, memory planning.
void buildBufferizePipeline(OpPassManager &pm, const CPUPipelineOptions &options);
/// memrefs/loops -> LLVM dialect.
void buildLowerToLLVMPipeline(OpPassManager &pm);

/// Registers `kiln-cpu-pipeline` (all three stages) and the CPU passes with
/// the global registry, for kiln-opt.
void registerCPUPipelines();

} // namespace mlir::kiln

#endif // KILN_CODEGEN_CPU_PIPELINE_H
