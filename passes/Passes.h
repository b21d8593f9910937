//===- Passes.h - Kiln graph-level passes -----------------------*- C++ -*-===//
//
// Declarations generated from Passes.td, their registration, and the
// graph-level pipeline every compile runs.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_PASSES_H
#define KILN_PASSES_PASSES_H

#include "ir/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <memory>

namespace mlir::kiln {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Registers every kiln pass and the `kiln-graph-pipeline` with the global
/// pass registry (for kiln-opt and --pass-pipeline strings).
void registerKilnPasses();

/// The graph-level cleanup every compile runs on each function: shape
/// inference, kiln canonicalization, CSE.
void buildGraphPipeline(OpPassManager &pm);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::kiln

#endif // KILN_PASSES_PASSES_H
