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

#include <optional>
#include <utility>

namespace mlir::kiln {

/// Which forward values the backward code recomputes instead of keeping
/// them alive from the forward pass (see recomputeCheapValues).
enum class RecomputePolicy {
  None,        ///< keep every forward value the backward reads
  Elementwise, ///< recompute elementwise ops whose operands are kept anyway
};

/// Parses "none" or "elementwise"; nullopt for anything else.
std::optional<RecomputePolicy> parseRecomputePolicy(StringRef name);

/// Appends the backward code of `fn` (one block, static shapes) before its
/// terminator. `seeds` pairs values of `fn` with their cotangents. Returns
/// the gradient of each argument in `wrt` (a zero constant if no seed
/// depends on it), or failure after reporting at the op that has no rule.
/// With RecomputePolicy::Elementwise, recomputeCheapValues runs on the
/// result.
FailureOr<SmallVector<Value>>
appendGradients(func::FuncOp fn, ArrayRef<std::pair<Value, Value>> seeds,
                ArrayRef<unsigned> wrt,
                RecomputePolicy recompute = RecomputePolicy::Elementwise);

/// The recompute-vs-save policy. The backward code reads forward values (a
/// matmul's operands for its weight gradient, relu's input for its mask),
/// and each such value is live, so it holds its memory-plan slot, from its
/// forward definition to its last backward use: across the rest of the
/// forward pass and most of the backward one. A value made by a
/// Kiln_Elementwise op whose operands are function arguments, constants or
/// themselves read by the backward code anyway costs no extra live memory
/// to make again: this clones such ops just before the first backward op
/// that reads their result, and points the backward reads at the clone. The
/// set of forward values kept for the backward code only shrinks (relu's
/// output, when the backward keeps its input for the mask; a bias add whose
/// input is kept), at the price of one elementwise pass each, which later
/// fusion often folds into the reading op. The forward op stays for its
/// forward readers, or is erased if the backward was its only reader.
/// Ops before `firstBackward` in `fn`'s block are the forward code.
/// Returns the number of ops recomputed.
unsigned recomputeCheapValues(func::FuncOp fn, Operation *firstBackward);

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
