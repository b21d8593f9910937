//===- Pipeline.cpp - The CPU code generation pipeline --------------------===//

#include "codegen/CPU/Pipeline.h"

#include "codegen/CPU/CPUPasses.h"
#include "codegen/Passes.h"

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
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::kiln;

void mlir::kiln::buildLowerToLinalgPipeline(OpPassManager &pm) {
  OpPassManager &fn = pm.nest<func::FuncOp>();
  fn.addPass(createConvertKilnToLinalg());
  fn.addPass(createCanonicalizerPass());
  // Producer-consumer fusion of elementwise generics: one loop nest instead
  // of a buffer per elementwise op.
  fn.addPass(createLinalgElementwiseOpFusionPass());
  fn.addPass(createKilnSplatsToFills());
  fn.addPass(createCanonicalizerPass());
  fn.addPass(createCSEPass());
}

/// Copies between buffers become linalg.copy, which lowers to loops; the
/// default (memref.copy) would call `memrefCopy` from MLIR's runner library,
/// a dependency a generated library must not have.
static LogicalResult copyWithLinalg(OpBuilder &b, Location loc, Value from,
                                    Value to) {
  b.create<linalg::CopyOp>(loc, from, to);
  return success();
}

void mlir::kiln::buildBufferizePipeline(OpPassManager &pm,
                                        const CPUPipelineOptions &options) {
  // No empty-tensor elimination: for the memref output buffers it trusts
  // `to_tensor restrict` and could make two results share one output buffer
  // (kiln-place-outputs does that job after bufferization, where it can be
  // checked), and it takes time quadratic in the number of ops (92 s for
  // 3,000 small ops). Its other use, computing concat pieces in place, is
  // worth little next to that.
  KilnCPUEntryPointOptions entry;
  entry.symbolPrefix = options.symbolPrefix;
  pm.addPass(createKilnCPUEntryPoint(entry));

  bufferization::OneShotBufferizationOptions bufferization;
  bufferization.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  bufferization.unknownTypeConverterFn =
      [](Value value, Attribute memorySpace,
         const bufferization::BufferizationOptions &) {
        return bufferization::getMemRefTypeWithStaticIdentityLayout(
            cast<TensorType>(value.getType()), memorySpace);
      };
  bufferization.memCpyFn = copyWithLinalg;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(bufferization::createBufferLoopHoistingPass());
  pm.addPass(createKilnPlaceOutputs());
  pm.addPass(createKilnVerifyOutputs());
  KilnPlanMemoryOptions plan;
  plan.maxBytes = options.maxScratchBytes;
  pm.addPass(createKilnPlanMemory(plan));
}

void mlir::kiln::buildLowerToLLVMPipeline(OpPassManager &pm) {
  pm.addPass(createKilnOutlineKernels());
  pm.addNestedPass<func::FuncOp>(createKilnCPULoopOrder());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  // Math with an LLVM intrinsic first; the rest (erf, tanh, ...) calls libm.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  // Bare pointers: the generated `<name>_run` passes plain buffer pointers.
  ConvertFuncToLLVMPassOptions func;
  func.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(func));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::kiln::registerCPUPipelines() {
  registerKilnCPUPasses();
  PassPipelineRegistration<>(
      "kiln-cpu-pipeline",
      "kiln (after the graph pipeline) -> LLVM dialect for the CPU",
      [](OpPassManager &pm) {
        buildLowerToLinalgPipeline(pm);
        buildBufferizePipeline(pm, CPUPipelineOptions());
        buildLowerToLLVMPipeline(pm);
      });
}
