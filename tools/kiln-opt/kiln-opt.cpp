//===- kiln-opt.cpp - mlir-opt with the kiln dialect and passes -----------===//
//
// The driver for lit tests of passes and lowerings: every upstream dialect and
// pass, plus kiln's dialect, passes and lowering pipelines.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"
#include "codegen/GPU/GPUPasses.h"
#include "codegen/Passes.h"
#include "codegen/Pipeline.h"
#include "ir/KilnDialect.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  // Each pass library registers its own passes (generated from its
  // Passes.td); the pipeline and its stages come from codegen/Pipeline.h.
  mlir::kiln::registerKilnGraphPasses();
  mlir::kiln::registerKilnCodegenPasses();
  mlir::kiln::registerKilnCPUPasses();
  mlir::kiln::registerKilnGPUPasses();
  mlir::kiln::registerPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::kiln::KilnDialect>();
  // kiln-gpu-serialize-kernels compiles #nvvm.target modules.
  mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
