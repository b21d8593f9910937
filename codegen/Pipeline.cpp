//===- Pipeline.cpp - The compile pipeline, one ordered table -------------===//
//
// The only place the pipeline is assembled: see Pipeline.h.
//
//===----------------------------------------------------------------------===//

#include "codegen/Pipeline.h"

#include "codegen/Passes.h"
#include "ir/KilnDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/AllocationOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

//===----------------------------------------------------------------------===//
// Stage "graph": kiln -> kiln
//===----------------------------------------------------------------------===//

static void buildGraphStage(OpPassManager &pm, const PipelineOptions &options) {
  buildGraphPipeline(pm);
  if (!options.differentiate && !options.train)
    return;
  // Differentiation needs the static shapes the first sweep gives; the
  // second folds and cleans up the backward code (and embedded weights).
  if (options.differentiate) {
    KilnDifferentiateOptions differentiate;
    differentiate.wrt = options.gradWrt;
    differentiate.recompute = options.gradRecompute;
    pm.addPass(createKilnDifferentiate(differentiate));
  }
  if (options.train)
    pm.addPass(createKilnBuildTrainStep(*options.train));
  if (options.embedParameters)
    pm.addPass(createKilnEmbedParameters());
  buildGraphPipeline(pm);
}

static void registerGraphDialects(DialectRegistry &registry) {
  registry.insert<KilnDialect, func::FuncDialect, tensor::TensorDialect>();
}

//===----------------------------------------------------------------------===//
// Stage "linalg": kiln -> linalg on tensors
//===----------------------------------------------------------------------===//

static void buildLinalgStage(OpPassManager &pm, const PipelineOptions &) {
  OpPassManager &fn = pm.nest<func::FuncOp>();
  fn.addPass(createConvertKilnToLinalg());
  fn.addPass(createCanonicalizerPass());
  // Producer-consumer fusion of elementwise generics: one loop nest instead
  // of a buffer per elementwise op, never recomputing a producer. It also
  // folds splat constants into the bodies that read them; the splats left
  // become fills.
  fn.addPass(createKilnFuseElementwise());
  fn.addPass(createKilnSplatsToFills());
  fn.addPass(createCanonicalizerPass());
  fn.addPass(createCSEPass());
}

static void registerLinalgDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, linalg::LinalgDialect,
                  math::MathDialect, tensor::TensorDialect>();
  linalg::registerTilingInterfaceExternalModels(registry);
}

//===----------------------------------------------------------------------===//
// Stage "loops": the target's loop-level transformations on tensors
//===----------------------------------------------------------------------===//

static void buildLoopsStage(OpPassManager &pm, const PipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(createKilnPrivateInits());
  options.target->buildLoopPipeline(pm, options);
}

static void registerNoDialects(DialectRegistry &) {}

//===----------------------------------------------------------------------===//
// Stage "memref": the ABI, bufferization, outputs and the memory plan
//===----------------------------------------------------------------------===//

/// Copies between buffers become linalg.copy, which lowers to loops; the
/// default (memref.copy) would call `memrefCopy` from MLIR's runner library,
/// a dependency a generated library must not have.
static LogicalResult copyWithLinalg(OpBuilder &b, Location loc, Value from,
                                    Value to) {
  b.create<linalg::CopyOp>(loc, from, to);
  return success();
}

static void buildMemRefStage(OpPassManager &pm, const PipelineOptions &options) {
  // No upstream empty-tensor elimination: for memref output buffers it
  // trusts `to_tensor restrict` and could make two results share one output
  // buffer, and it takes time quadratic in the number of ops (92 s for 3,000
  // small ops). kiln-place-outputs does the useful part after bufferization,
  // where it can be checked.
  KilnEntryPointsOptions entry;
  entry.symbolPrefix = options.symbolPrefix;
  pm.addPass(createKilnEntryPoints(entry));

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
  // CSE above merges the equal subviews bufferization leaves on both sides of
  // an in-place tile's copy-back; the copies are then from a buffer to
  // itself, which the canonicalizer erases (in ResNet-50 they cost a third of
  // LLVM's compile time, unrolled, and a pass over memory per tile at run time).
  pm.addPass(createCanonicalizerPass());
}

static void registerMemRefDialects(DialectRegistry &registry) {
  registry.insert<bufferization::BufferizationDialect, memref::MemRefDialect,
                  scf::SCFDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  memref::registerAllocationOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
}

//===----------------------------------------------------------------------===//
// Stage "llvm": the target's lowering
//===----------------------------------------------------------------------===//

static void buildLLVMStage(OpPassManager &pm, const PipelineOptions &options) {
  options.target->buildLoweringPipeline(pm, options);
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

static const Stage kStages[] = {
    {"graph", "kiln", "kiln -> kiln: shape inference, folding, CSE",
     buildGraphStage, registerGraphDialects},
    {"linalg", "linalg", "kiln -> linalg on tensors, elementwise fusion",
     buildLinalgStage, registerLinalgDialects},
    {"loops", "loops", "the target's loop-level transformations on tensors",
     buildLoopsStage, registerNoDialects},
    {"memref", "memref",
     "the artifact ABI, one-shot bufferization, outputs, memory plan",
     buildMemRefStage, registerMemRefDialects},
    {"llvm", "llvm", "the target's lowering of bufferized code, C entry points",
     buildLLVMStage, registerNoDialects},
};

namespace {
struct InspectionPass : PassWrapper<InspectionPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(InspectionPass)
  explicit InspectionPass(std::function<void(ModuleOp)> inspect) : inspect(std::move(inspect)) {}
  StringRef getArgument() const override { return "kiln-inspection"; }
  void runOnOperation() override {
    inspect(getOperation());
    markAllAnalysesPreserved();
  }
  std::function<void(ModuleOp)> inspect;
};
} // namespace

std::unique_ptr<Pass> mlir::kiln::createInspectionPass(std::function<void(ModuleOp)> inspect) {
  return std::make_unique<InspectionPass>(std::move(inspect));
}

ArrayRef<Stage> mlir::kiln::getPipelineStages() { return kStages; }

void mlir::kiln::buildPipeline(OpPassManager &pm, const PipelineOptions &options,
                               StringRef lastStage) {
  for (const Stage &stage : kStages) {
    stage.build(pm, options);
    if (stage.name == lastStage)
      return;
  }
}

void mlir::kiln::registerPipelineDialects(DialectRegistry &registry,
                                          const Target &target) {
  for (const Stage &stage : kStages)
    stage.registerDialects(registry);
  target.registerDialects(registry);
}

