//===- Outlining.h - Moving a compute op into a function of its own -*- C++ -*-===//
//
// What kiln-outline-kernels and kiln-parallel-tasks share: which values a
// region needs from its function and how they reach the new function, and
// the readable part of the new function's symbol.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_OUTLINING_H
#define KILN_CODEGEN_COMMON_OUTLINING_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SetVector.h"

#include <string>

namespace mlir::kiln {

/// The ops (in order) that compute the values `op` uses from outside, when
/// they can be recomputed inside a new function: pure ops (constants, views,
/// casts) of `block`, back to block arguments, which become the new
/// function's parameters. Fails if a value comes from anything else (a
/// loop's result, an op with regions or memory effects).
LogicalResult collectOutlineInputs(Operation *op, Block &block,
                                   llvm::SetVector<Operation *> &recompute,
                                   SmallVectorImpl<BlockArgument> &parameters);

/// A readable suffix for a function's symbol, so profiles and disassembly
/// say what it computes: the op's name and the model node it came from
/// ("linalg_matmul__layer1_0_conv1_Conv"), at most 60 characters of
/// [A-Za-z0-9_].
std::string describeForSymbol(Operation *op);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_COMMON_OUTLINING_H
