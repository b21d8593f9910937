//===- Pipeline.h - The compile pipeline, one ordered table -------*- C++ -*-===//
//
// Kiln's whole pipeline is the stage table below, assembled in one place
// (Pipeline.cpp). The driver loops over it (and can stop after any stage
// with --emit), kiln-opt registers it whole (`kiln-pipeline`) and stage by
// stage (`kiln-<stage>-pipeline`), and the lit execution tests run it, so
// what the tests check is what users get.
//
//   graph   kiln -> kiln: shape inference, folding, CSE          (passes/)
//   linalg  kiln -> linalg on tensors, elementwise fusion       (codegen/KilnToLinalg)
//   loops   loop-level transformations on tensors               (the target)
//   memref  the ABI, bufferization, outputs, memory plan        (codegen/Common)
//   llvm    bufferized code -> the target's IR, C entry points  (the target)
//
// After the table, the target turns the module into code objects
// (Target::emit) and the artifact writer writes the folder.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_PIPELINE_H
#define KILN_CODEGEN_PIPELINE_H

#include "codegen/Target.h"
#include "passes/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

#include <functional>

#include <cstdint>
#include <optional>
#include <string>

namespace mlir::kiln {

/// Everything a stage's passes may depend on.
struct PipelineOptions {
  /// C symbol prefix of the artifact (NAME in NAME_run).
  std::string symbolPrefix = "model";
  /// The target (required) and the machine it compiles for.
  const Target *target = nullptr;
  TargetDescription description;
  /// The largest scratch buffer the memory plan may need (bytes).
  int64_t maxScratchBytes = int64_t(1) << 62;
  /// `kiln compile --grad`: the graph stage adds the gradient entry point
  /// (kiln-differentiate with `gradWrt`), and embeds the weights afterwards
  /// when `embedParameters` (they were imported as parameters only so that
  /// the pass can tell them apart).
  bool differentiate = false;
  std::string gradWrt = "params";
  /// The recompute-vs-save policy of the gradient (kiln-differentiate's
  /// `recompute`: elementwise or none); `train` carries its own.
  std::string gradRecompute = "elementwise";
  bool embedParameters = false;
  /// `kiln compile --train`: the graph stage adds `train_step` and
  /// `init_state` (kiln-build-train-step with these options).
  std::optional<KilnBuildTrainStepOptions> train;
  /// Called, if set, by the target's loop stage once the ops are fused into
  /// their kernels and tasks (the CPU: right after kiln-cpu-tile-contractions,
  /// whose tasks hold the contractions' fused inits and consumers, with their
  /// `kiln.tiles`; the GPU: before its kernels are tiled): what
  /// `kiln compile --report` describes.
  std::function<void(ModuleOp)> inspectFusedGroups;
};

struct Stage {
  /// "graph", "linalg", "loops", "memref", "llvm".
  StringLiteral name;
  /// What `kiln compile --emit` calls the IR after this stage ("kiln" for
  /// the graph stage, the stage name otherwise).
  StringLiteral emitName;
  StringLiteral summary;
  void (*build)(OpPassManager &pm, const PipelineOptions &options);
  /// Dialects and interfaces the stage's passes create.
  void (*registerDialects)(DialectRegistry &registry);
};

/// A module pass that calls `inspect` on the module and changes nothing:
/// how a stage hands its IR to PipelineOptions::inspectFusedGroups.
std::unique_ptr<Pass> createInspectionPass(std::function<void(ModuleOp)> inspect);

/// The stages, in order.
ArrayRef<Stage> getPipelineStages();

/// Adds every stage up to and including `lastStage` (all if empty) to `pm`.
void buildPipeline(OpPassManager &pm, const PipelineOptions &options,
                   StringRef lastStage = {});

/// Dialects every stage and `target` need.
void registerPipelineDialects(DialectRegistry &registry, const Target &target);

/// Registers `kiln-pipeline` and `kiln-<stage>-pipeline` for each stage,
/// with options `name` (symbol prefix), `target`, `cpu` and `features`, for
/// kiln-opt (codegen/Targets.cpp, which knows every target).
void registerPipelines();

} // namespace mlir::kiln

#endif // KILN_CODEGEN_PIPELINE_H
