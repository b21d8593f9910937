//===- Passes.cpp - The passes of the pipeline's "graph" stage -----------===//

#include "passes/Passes.h"

#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::kiln::buildGraphPipeline(OpPassManager &pm) {
  OpPassManager &fn = pm.nest<func::FuncOp>();
  // Shapes first: folders need static result types to fold.
  fn.addPass(createKilnShapeInference());
  fn.addPass(createKilnCanonicalize());
  fn.addPass(createCSEPass());
  // Folding can make more shapes static (a reshape whose shape became known).
  fn.addPass(createKilnShapeInference());
}
