//===- KilnOps.h - Operations of the kiln dialect ---------------*- C++ -*-===//
//
// The op classes generated from KilnOps.td, plus the pieces they share:
// the refinement rule for inferred result types and the VerifyShapes trait.
//
// Ops are immutable value types as usual in MLIR; nothing here holds state.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_KILNOPS_H
#define KILN_IR_KILNOPS_H

#include "ir/KilnDialect.h"
#include "ir/KilnInterfaces.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ir/KilnEnums.h.inc"

namespace mlir::kiln {

/// True if each `actual` type refines the matching `inferred` type: both are
/// ranked tensors of the same element type and rank, and every dim that is
/// static in both has the same size. This is the compatibility rule of every
/// kiln op that infers its result types.
bool areRefinementCompatible(TypeRange inferred, TypeRange actual);

namespace detail {
/// Runs the op's type inference at its own location (so the inference
/// function's diagnostics surface) and checks the actual result types refine
/// the inferred ones.
LogicalResult verifyInferredShapes(Operation *op);
} // namespace detail

/// Op trait: verification runs type inference first; see KilnOps.td.
template <typename ConcreteType>
class VerifyShapes : public OpTrait::TraitBase<ConcreteType, VerifyShapes> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return detail::verifyInferredShapes(op);
  }
};

namespace detail {
/// Checks every result type equals the first operand's type.
LogicalResult verifyExactSameType(Operation *op);
} // namespace detail

/// Op trait: results have exactly the operand's type; see Kiln_SameType.
template <typename ConcreteType>
class ExactSameType : public OpTrait::TraitBase<ConcreteType, ExactSameType> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return detail::verifyExactSameType(op);
  }
};

/// Op trait: each result element depends only on the operand elements at the
/// same (broadcast) index; see Kiln_Elementwise.
template <typename ConcreteType>
class Elementwise : public OpTrait::TraitBase<ConcreteType, Elementwise> {};

} // namespace mlir::kiln

#define GET_OP_CLASSES
#include "ir/KilnOps.h.inc"

#endif // KILN_IR_KILNOPS_H
