//===- Patterns.h - kiln -> linalg patterns, by op family -------*- C++ -*-===//
//
// Each family file adds its conversion patterns and marks its kiln ops
// illegal, so the list of ops is written once per family.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KILNTOLINALG_PATTERNS_H
#define KILN_CODEGEN_KILNTOLINALG_PATTERNS_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::kiln {

void populateElementwisePatterns(RewritePatternSet &patterns,
                                 ConversionTarget &target);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_KILNTOLINALG_PATTERNS_H
