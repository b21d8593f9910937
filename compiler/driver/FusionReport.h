//===- FusionReport.h - What `kiln compile --report` prints ------*- C++ -*-===//
//
// In the "loops" stage, where the target hands over its IR
// (PipelineOptions::inspectFusedGroups: for the CPU, right after the
// contractions are tiled, with their inits and elementwise consumers fused
// into their tasks), every top-level op of a model function that computes (a
// loop nest or a set of parallel tasks, a linalg op, a pad, a copy) is one
// fused group: one kernel, or one set of parallel tasks, in the library. The report lists each group with the ONNX nodes it computes
// (from the ops' locations, which fusion merges), what it computes, its
// result types, its parallel tasks and the tile sizes kiln-cpu-select-tiles
// chose (`kiln.tiles`), and draws the groups as a Graphviz graph whose edges
// are the tensors that flow between them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_DRIVER_FUSIONREPORT_H
#define KILN_COMPILER_DRIVER_FUSIONREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::kiln {

/// Writes the report of `module` (as PipelineOptions::inspectFusedGroups
/// sees it) as text to `text` and as a Graphviz digraph to `dot`.
void writeFusionReport(ModuleOp module, llvm::raw_ostream &text, llvm::raw_ostream &dot);

} // namespace mlir::kiln

#endif // KILN_COMPILER_DRIVER_FUSIONREPORT_H
