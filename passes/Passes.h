//===- Passes.h - Kiln graph-level passes -----------------------*- C++ -*-===//
//
// Declarations generated from Passes.td, their registration
// (registerKilnGraphPasses, generated), and the passes of the pipeline's
// "graph" stage (codegen/Pipeline.h orders the stages).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_PASSES_H
#define KILN_PASSES_PASSES_H

#include "ir/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <memory>

namespace mlir::kiln {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// The graph-level cleanup every compile runs on each function: shape
/// inference, kiln canonicalization, CSE.
void buildGraphPipeline(OpPassManager &pm);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::kiln

#endif // KILN_PASSES_PASSES_H
