//===- Elementwise.cpp - kiln elementwise ops -> linalg.generic -----------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "ir/KilnOps.h"

using namespace mlir;

void mlir::kiln::populateElementwisePatterns(RewritePatternSet &patterns,
                                             ConversionTarget &target) {}
