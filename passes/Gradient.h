//===- Gradient.h - Reverse-mode sweep shared by the autodiff passes -*- C++ -*-===//
//
// The backward sweep kiln-differentiate and kiln-build-train-step both run:
// given a function, the cotangents of some of its values (seeds) and the
// arguments whose gradients are wanted, append before the function's return
// the VJP of every op between them, in reverse order, and return one
// gradient per wanted argument. Rules come from VJPOpInterface (ir/vjp/).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_GRADIENT_H
#define KILN_PASSES_GRADIENT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <utility>

namespace mlir::kiln {

/// Appends the backward code of `fn` (one block, static shapes) before its
/// terminator. `seeds` pairs values of `fn` with their cotangents. Returns
/// the gradient of each argument in `wrt` (a zero constant if no seed
/// depends on it), or failure after reporting at the op that has no rule.
FailureOr<SmallVector<Value>>
appendGradients(func::FuncOp fn, ArrayRef<std::pair<Value, Value>> seeds,
                ArrayRef<unsigned> wrt);

/// Whether `type` is a ranked tensor of floats (the values with gradients).
/// float8 tensors are not: kiln only stores them, so a weight of float8 is
/// neither differentiated nor trained, and the derivative through a cast to
/// float8 (a step function) is zero.
bool isFloatTensor(Type type);

/// The model function of `module`: the one marked as entry point "run", or
/// else @main. Null if there is none.
func::FuncOp findModelFunction(ModuleOp module);

} // namespace mlir::kiln

#endif // KILN_PASSES_GRADIENT_H
