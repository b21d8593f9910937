//===- Driver.h - One compile, from model file to artifact -------*- C++ -*-===//
//
// compileModel() reads the model (compiler/frontend), runs the pipeline's
// stages in order (codegen/Pipeline.h: the table is the pipeline; the driver
// only loops over it), asks the target for code objects and writes the
// artifact (compiler/artifact). `emit` stops after a stage and writes its
// IR, or after one of the target's outputs.
//
// Diagnostics go to the context's diagnostic handler; compileModel returns
// failure after reporting. One compile per MLIRContext at a time.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_DRIVER_DRIVER_H
#define KILN_COMPILER_DRIVER_DRIVER_H

#include "codegen/Target.h"
#include "compiler/import/ImportOptions.h"
#include "passes/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace mlir::kiln {

struct CompileOptions {
  ImportOptions import;
  /// Artifact: the output folder. Other kinds: a file, or "-" for stdout.
  std::string output;
  /// Symbol prefix and file stem; default: the model's stem.
  std::string name;
  /// The target ("cpu") and what it is asked to compile for.
  std::string targetName = "cpu";
  TargetRequest target;
  /// "artifact" (the default), a stage's emit name ("kiln", "linalg",
  /// "loops", "memref", "llvm"), or a target output ("llvm-ir", "asm",
  /// "obj"): see getEmitKinds().
  std::string emit = "artifact";
  /// Print each stage's wall time to `log`.
  bool verbose = false;
  /// MLIR's per-pass timing report, and IR printing after every pass.
  bool timePasses = false;
  bool printIRAfterAll = false;
  /// How --emit prints IR: with op locations (ONNX node names), and with
  /// large constants elided. Unelided, emitted kiln IR compiles again.
  bool printLocations = false;
  bool elideConstants = false;
  /// Print the fusion report (compiler/driver/FusionReport.h) to `report`
  /// after the "loops" stage, and write it as OUT/NAME.fusion.dot (and
  /// .svg, when Graphviz's `dot` is installed) beside the artifact.
  bool report = false;
  /// The most memory, in bytes, that any one of these may need: the scratch
  /// buffer, an input or output buffer, the constants embedded in the
  /// library (or the external weights). A model asking for more fails to
  /// compile, naming the node, instead of producing code that cannot run.
  int64_t memoryLimit = kDefaultMemoryLimit;
  /// `--grad`: also compile the gradient entry point "grad" with respect to
  /// `gradWrt` (params, inputs or names; see kiln-differentiate).
  bool grad = false;
  std::string gradWrt = "params";
  /// `--recompute`: which forward values the gradient and the training step
  /// recompute instead of keeping (elementwise or none; kiln-differentiate).
  std::string recompute = "elementwise";
  /// `--train`: also compile the entry points train_step and init_state
  /// (see kiln-build-train-step for the options).
  std::optional<KilnBuildTrainStepOptions> train;
  static constexpr int64_t kDefaultMemoryLimit = int64_t(16) << 30; // 16 GiB
};

/// Every --emit kind, in the order a compile reaches them.
SmallVector<std::string> getEmitKinds();

/// Parses a byte count: digits with an optional binary suffix K, M, G or T
/// (KiB..TiB; "16G" is 16 << 30). Fails on anything else or on overflow.
FailureOr<int64_t> parseByteSize(StringRef text);

LogicalResult compileModel(MLIRContext &ctx, const CompileOptions &options,
                           llvm::raw_ostream &log);

/// What `kiln check` runs: the import with ImportOptions::keepGoing (every
/// problem the frontend finds, not only the first), then, if it succeeded,
/// the graph stage and the checks of the artifact's signature (static shapes,
/// --memory-limit). Problems are reported as diagnostics; failure means that
/// compileModel would fail too. Failures only code generation would find are
/// not looked for.
LogicalResult checkModel(MLIRContext &ctx, const CompileOptions &options);

/// Registers every dialect, interface and translation a compile for
/// `targetName` needs (the pipeline's stages and the target's).
void registerCompilerDialects(DialectRegistry &registry,
                              StringRef targetName = "cpu");

} // namespace mlir::kiln

#endif // KILN_COMPILER_DRIVER_DRIVER_H
