//===- Folding.h - Constant evaluation for kiln folders --------*- C++ -*-===//
//
// Folders of kiln ops evaluate small constant tensors at compile time, which
// is how the shape subgraphs of exported models (Shape -> Gather -> Concat ->
// Reshape) disappear. Everything here works on DenseElementsAttr and returns
// a null Attribute when it declines: operand not constant, result type not
// static, too many elements, or an undefined value (integer division by 0).
//
// Upstream's CommonFolders.h covers same-shape elementwise folds only; kiln
// needs NumPy broadcasting and data movement, hence this small evaluator.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_OPS_FOLDING_H
#define KILN_IR_OPS_FOLDING_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>

namespace mlir::kiln::fold {

/// Arithmetic (per-element math) folds only up to this many result elements:
/// they exist for shape computations, not to pre-compute whole layers.
constexpr int64_t kMaxMathElements = 4096;
/// Data movement (reshape, transpose, slice, cast, ...) folds up to this many,
/// so weight re-layouts (Gemm's transB) happen once at compile time.
constexpr int64_t kMaxDataElements = int64_t(1) << 22;

using FloatFn1 = llvm::function_ref<double(double)>;
using IntFn1 = llvm::function_ref<std::optional<llvm::APInt>(const llvm::APInt &)>;
using FloatFn2 = llvm::function_ref<double(double, double)>;
using IntFn2 = llvm::function_ref<std::optional<llvm::APInt>(
    const llvm::APInt &, const llvm::APInt &)>;
using FloatPred = llvm::function_ref<bool(double, double)>;
using IntPred = llvm::function_ref<bool(const llvm::APInt &, const llvm::APInt &)>;

/// Elementwise f(x). `intFn` may be null (float-only ops).
Attribute unary(Attribute operand, Type resultType, FloatFn1 floatFn,
                IntFn1 intFn = nullptr);
/// Elementwise f(x, y) with NumPy broadcasting. `intFn` may be null.
Attribute binary(Attribute lhs, Attribute rhs, Type resultType,
                 FloatFn2 floatFn, IntFn2 intFn);
/// Elementwise comparison with broadcasting; result is i1.
Attribute compare(Attribute lhs, Attribute rhs, Type resultType,
                  FloatPred floatPred, IntPred intPred);
/// cond ? a : b with broadcasting.
Attribute select(Attribute cond, Attribute a, Attribute b, Type resultType);
/// Element type conversion with kiln.cast semantics.
Attribute cast(Attribute operand, Type resultType);
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
