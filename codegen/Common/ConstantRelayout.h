//===- ConstantRelayout.h - A constant's elements moved at compile time -*- C++ -*-===//
//
// What the conv-to-matmul rewrite (a filter transposed) and kiln-cpu-pack-operands
// (B in panels) share: a constant operand laid out anew when the model is
// compiled, so that the run pays nothing for it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_CONSTANTRELAYOUT_H
#define KILN_CODEGEN_COMMON_CONSTANTRELAYOUT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::kiln {

/// `value`'s constant with its elements re-laid out into `resultType` (same
/// element type and count) by `move`, which copies element bytes from `from`
/// (the constant, dense and row-major) to `to` (the result), `bytes` bytes per
/// element. A splat stays a splat without calling `move`. Null when `value` is
/// not a constant or its elements are not whole bytes (i1). Works on raw
/// bytes: per-element attributes would be millions of uniqued objects for one
/// ResNet filter.
Value relayoutConstant(
    OpBuilder &builder, Location loc, Value value, RankedTensorType resultType,
    llvm::function_ref<void(ArrayRef<char> from, MutableArrayRef<char> to, int64_t bytes)> move);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_COMMON_CONSTANTRELAYOUT_H
