//===- Folding.h - Constant evaluation for kiln folders --------*- C++ -*-===//
//
// Folders of kiln ops evaluate small constant tensors at compile time, which
// is how the shape subgraphs of exported models (Shape -> Gather -> Concat ->
// Reshape) disappear. Everything here works on DenseElementsAttr and returns
// a null Attribute when it declines: operand not constant, result type not
// static, too many elements, or an undefined value.
//
// This is the tensor half of the evaluator: broadcasting, element iteration
// and data movement. What an elementwise op computes on each element is its
// entry in ir/ElementwiseSemantics.h, evaluated by ir/ScalarEvaluator.h.
//
// Upstream's CommonFolders.h covers same-shape elementwise folds only; kiln
// needs NumPy broadcasting and data movement, hence this small evaluator.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_OPS_FOLDING_H
#define KILN_IR_OPS_FOLDING_H

#include "ir/ScalarEvaluator.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>

namespace mlir::kiln::fold {

/// Arithmetic (per-element math) folds only up to this many result elements:
/// they exist for shape computations, not to pre-compute whole layers.
constexpr int64_t kMaxMathElements = 4096;
/// Data movement (reshape, transpose, slice, cast, ...) folds up to this many,
/// so weight re-layouts (Gemm's transB) happen once at compile time.
constexpr int64_t kMaxDataElements = int64_t(1) << 22;

/// One result element from the operands' elements at the same (broadcast)
/// position; nullopt if it is undefined.
using ScalarFn =
    llvm::function_ref<std::optional<Scalar>(ArrayRef<Scalar> operands)>;

/// Elementwise `fn` over `operands` broadcast NumPy-style to `resultType`, of
/// at most `limit` elements (kMaxDataElements for casts, which re-type
/// weights).
Attribute elementwise(ArrayRef<Attribute> operands, Type resultType,
                      ScalarFn fn, int64_t limit = kMaxMathElements);
/// Same elements, result's shape.
Attribute reshape(Attribute operand, Type resultType);
Attribute transpose(Attribute operand, ArrayRef<int64_t> perm, Type resultType);
Attribute concat(ArrayRef<Attribute> operands, int64_t axis, Type resultType);
Attribute slice(Attribute operand, ArrayRef<int64_t> starts,
                ArrayRef<int64_t> steps, Type resultType);
Attribute gather(Attribute data, Attribute indices, int64_t axis,
                 Type resultType);
/// NumPy broadcast of `operand` to the result shape.
Attribute broadcast(Attribute operand, Type resultType);
/// Constant-mode padding with `value`.
Attribute padConstant(Attribute operand, ArrayRef<int64_t> pads, double value,
                      Type resultType);

/// True if `attr` is a constant whose every element equals `value`.
bool isSplatOf(Attribute attr, double value);

} // namespace mlir::kiln::fold

#endif // KILN_IR_OPS_FOLDING_H
