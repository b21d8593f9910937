//===- Reduction.h - Reductions shared by several families -----*- C++ -*-===//
//
// reduce_*, global pooling, softmax and layer_norm all reduce a tensor over
// some dims with the same identities and accumulator rules; built here once
// (implemented in Reduction.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KILNTOLINALG_REDUCTION_H
#define KILN_CODEGEN_KILNTOLINALG_REDUCTION_H

#include "mlir/IR/Builders.h"

namespace mlir::kiln::lowering {

enum class ReductionKind { Sum, Mean, Max, Min, Prod };

/// One linalg.reduce of the static tensor `input` over `axes`, into a tensor
/// of the compute type (f32 for f16/bf16) with the reduced dims dropped,
/// initialized with the identity of `kind` (Mean accumulates the sum).
Value buildAccumulation(OpBuilder &b, Location loc, Value input,
                        ArrayRef<int64_t> axes, ReductionKind kind);

/// The reduction with kiln's result: the input's element type (Mean divided
/// by the number of reduced elements), reduced dims dropped or, with
/// `keepdims`, kept as size 1.
Value buildReduction(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> axes, ReductionKind kind,
                     bool keepdims);

} // namespace mlir::kiln::lowering

#endif // KILN_CODEGEN_KILNTOLINALG_REDUCTION_H
