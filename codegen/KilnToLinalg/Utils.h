//===- Utils.h - Builders shared by the kiln -> linalg patterns -*- C++ -*-===//
//
// Small IR-building helpers every family needs: tensors to write into,
// NumPy broadcasting maps, reshapes, scalar constants, and conversions to the
// compute type (the rule itself, f16/bf16 in f32, is ir/ElementValues.h's).
// Pure functions of their arguments; no state.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KILNTOLINALG_UTILS_H
#define KILN_CODEGEN_KILNTOLINALG_UTILS_H

#include "ir/ElementValues.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::kiln::lowering {

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

/// Converts a float scalar to the float type `to` (extf or truncf); returns
/// `v` unchanged when the types already match or `v` is not a float.
Value convertFloat(OpBuilder &b, Location loc, Value v, Type to);

/// `v` in its compute type (see getComputeType).
Value toComputeType(OpBuilder &b, Location loc, Value v);

//===----------------------------------------------------------------------===//
// Scalar constants
//===----------------------------------------------------------------------===//

/// A float or integer constant of `type`, converted as getFloatElement and
/// getIntElement convert attributes.
Value createScalar(OpBuilder &b, Location loc, Type type, double value);

/// The smallest value of `type` (-inf, or the signed minimum) and the largest
/// (+inf, or the signed maximum): identities of max and min.
TypedAttr getLowestAttr(Type type);
TypedAttr getHighestAttr(Type type);

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

Value createEmpty(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elementType);

/// tensor.empty filled with `value` (linalg.fill): the init of an
/// accumulation.
Value createFilled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   TypedAttr value);

/// All-parallel iterator types for `rank` loops.
SmallVector<utils::IteratorType> getParallelIterators(int64_t rank);

/// The indexing map that reads an operand of `operandShape` from the
/// iteration space of `resultShape` under NumPy broadcasting: dims are aligned
/// at the right, leading result dims are dropped, and an operand dim of size 1
/// against a larger result dim reads index 0.
AffineMap getBroadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                          ArrayRef<int64_t> resultShape);

/// `v` with the same elements in `shape` (static, same element count): one
/// tensor.collapse_shape or tensor.expand_shape when a reassociation exists,
/// else a collapse to 1-D followed by an expand. Returns `v` when the shape
/// already matches.
Value reshapeTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape);

/// `v` broadcast NumPy-style to `shape`: stretched size-1 dims are collapsed
/// away, then one linalg.broadcast adds the missing dims. Returns `v` when its
/// shape already is `shape`.
Value broadcastTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape);

/// An elementwise linalg.generic converting the float tensor `v` to
/// `elementType` (extf/truncf); returns `v` when the types already match.
Value convertTensor(OpBuilder &b, Location loc, Value v, Type elementType);

} // namespace mlir::kiln::lowering

#endif // KILN_CODEGEN_KILNTOLINALG_UTILS_H
