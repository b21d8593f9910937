//===- Canonicalize.h - Every registered op's canonicalizations -*- C++ -*-===//
//
// The CPU passes tile, peel and split ops, then canonicalize before they
// vectorize: peeling's main loops get constant tile sizes only once the
// affine.min bounds fold, and the slices and tiled ops with them become
// static. Upstream's canonicalizer pass does the same, but as a pass it
// cannot run between the steps of another pass.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_CANONICALIZE_H
#define KILN_CODEGEN_CPU_CANONICALIZE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::kiln {

/// Applies the canonicalization patterns of every loaded dialect and
/// registered op to `fn`, greedily; failure if they did not converge.
LogicalResult canonicalizeWithAllPatterns(func::FuncOp fn);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_CPU_CANONICALIZE_H
