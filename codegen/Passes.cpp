//===- Passes.cpp - Registration of the lowering passes -------------------===//

#include "codegen/Passes.h"

void mlir::kiln::registerCodegenPasses() {
  registerKilnCodegenPasses();
  registerTestLoweringPipeline();
}
