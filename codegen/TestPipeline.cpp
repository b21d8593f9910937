//===- TestPipeline.cpp - kiln -> LLVM, for execution tests only ----------===//
//
// `kiln-test-lower-to-llvm` takes a module of kiln functions to the LLVM
// dialect with stock passes and plain loops, so lit tests can run lowered
// kiln ops with mlir-cpu-runner and check the numbers. It is a correctness
// baseline, not the compiler's CPU pipeline: no tiling or vectorization, and
// the result may call the MLIR runner libraries (memrefCopy).
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;

// The stock passes by name (see docs/TOOLCHAIN.md): kiln-opt registers all of
// them, and spelling the pipeline as text keeps it one readable line per step.
static constexpr const char *kTestLoweringPipeline =
    "func.func(convert-kiln-to-linalg),"
    "linalg-fuse-elementwise-ops,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "convert-linalg-to-loops,"
    "lower-affine,"
    "convert-scf-to-cf,"
    "convert-vector-to-llvm," // vector.print in test drivers
    "expand-strided-metadata,"
    "convert-math-to-llvm,"
    "convert-math-to-libm," // erf, tanh, ...: no LLVM intrinsic
    "finalize-memref-to-llvm,"
    "convert-arith-to-llvm,"
    "convert-func-to-llvm,"
    "convert-cf-to-llvm,"
    "reconcile-unrealized-casts";

void mlir::kiln::registerTestLoweringPipeline() {
  PassPipelineRegistration<>(
      "kiln-test-lower-to-llvm",
      "TEST ONLY: kiln -> linalg -> loops -> LLVM dialect, for running lowered "
      "kiln ops with mlir-cpu-runner in lit tests",
      [](OpPassManager &pm) {
        if (failed(parsePassPipeline(kTestLoweringPipeline, pm, llvm::errs())))
          llvm::report_fatal_error("kiln-test-lower-to-llvm: a pass of the "
                                   "pipeline is not registered");
      });
}
