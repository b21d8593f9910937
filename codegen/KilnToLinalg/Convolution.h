//===- Convolution.h - Named linalg convolutions, shared --------*- C++ -*-===//
//
// kiln.conv and kiln.conv_transpose (a convolution over a zero-inserted
// input) end in the same named linalg convolutions; built here once
// (implemented in Conv.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KILNTOLINALG_CONVOLUTION_H
#define KILN_CODEGEN_KILNTOLINALG_CONVOLUTION_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::kiln::lowering {

/// kiln.conv's semantics on static tensors: `input` [N, C, (H,) W] and
/// `filter` [F, C / groups, (kh,) kw], optional `bias` [F], zero `pads` (all
/// begins, then all ends), `strides`, `dilations`; the result has
/// `resultType`, which must be the size the attributes give.
Value buildConvolution(OpBuilder &b, Location loc, Value input, Value filter,
                       Value bias, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                       int64_t groups, RankedTensorType resultType);

} // namespace mlir::kiln::lowering

#endif // KILN_CODEGEN_KILNTOLINALG_CONVOLUTION_H
