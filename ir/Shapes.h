//===- Shapes.h - Shape arithmetic shared by inference and codegen -*- C++ -*-===//
//
// The shape rules of kiln ops, written once: type inference (ir/ops/*.cpp)
// and the lowering to linalg (codegen/) both call these, so the two can never
// disagree. Dims use ShapedType::kDynamic for "unknown". Pure functions.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_SHAPES_H
#define KILN_IR_SHAPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir::kiln {

/// NumPy broadcast of several shapes (aligned at the trailing dim). Returns
/// the index of the first dim (counted from the right, 0 = last) that cannot
/// broadcast through `failedDim`, and std::nullopt, on failure. A dynamic dim
/// broadcast against N > 1 gives N; against 1 or another dynamic dim gives
/// dynamic.
std::optional<SmallVector<int64_t>>
broadcastShapes(ArrayRef<ArrayRef<int64_t>> shapes, int64_t *failedDim = nullptr);

/// True if `from` may broadcast to exactly `to` (aligned at the trailing dim,
/// no more dims than `to`): each dim of `from` is 1, equal to `to`'s, or
/// unknown on either side. For verifying operands that must not change the
/// shape they broadcast against (layer_norm's scale and bias).
bool mayBroadcastTo(ArrayRef<int64_t> from, ArrayRef<int64_t> to);

/// True if broadcasting `from` against `to` provably gives `to`: `from` has no
/// more dims, and each of its dims is 1 or equal to `to`'s static dim. For
/// folds such as `x + 0 -> x`, which are wrong if the constant stretches x.
bool isBroadcastNoOp(ArrayRef<int64_t> from, ArrayRef<int64_t> to);

/// Output size of one spatial dim of a conv or pooling window:
/// floor-or-ceil((in + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1.
/// With ceilMode, a last window that would start inside the end padding is
/// dropped (PyTorch/ONNX rule), and the span may be negative: a window longer
/// than the padded input fits once (clipped) as long as the formula gives 1.
/// Dynamic in -> dynamic out. Returns 0 when no window fits; callers report
/// that.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode);

/// How many elements kiln.avg_pool divides by, for each of the `out`
/// windows along one dim. Window o reads o * stride - padBegin + j *
/// dilation for j < kernel; with count_include_pad it counts those before
/// the end of the explicit padding (never ceil_mode's extra), without it
/// only input elements. Shared by the lowering and the VJP rule.
SmallVector<int64_t> avgPoolWindowCounts(int64_t in, int64_t out,
                                         int64_t kernel, int64_t stride,
                                         int64_t padBegin, int64_t padEnd,
                                         int64_t dilation,
                                         bool countIncludePad);

/// Number of elements a strided slice [start, end) with `step` selects, for
/// normalized bounds (see kiln.slice).
int64_t sliceSize(int64_t start, int64_t end, int64_t step);

/// Product of the dims, or kDynamic if any is dynamic.
int64_t numElements(ArrayRef<int64_t> shape);

/// "[2, 3, ?]" for diagnostics.
std::string formatShape(ArrayRef<int64_t> shape);

/// "[1, -2, 3]" for diagnostics: a list of integers (pads, split sizes),
/// each printed as the number it is (formatShape prints a dynamic dim's
/// marker value as "?").
std::string formatList(ArrayRef<int64_t> values);

/// A byte count for messages, in binary units: "100 bytes", "1.5 MiB",
/// "37.3 GiB".
std::string formatBytes(int64_t bytes);

/// True if `axes` are all in [0, rank) and unique.
bool areValidAxes(ArrayRef<int64_t> axes, int64_t rank);

/// The shape after reducing `axes`: kept as 1 with keepdims, else dropped.
SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> axes, bool keepdims);

} // namespace mlir::kiln

#endif // KILN_IR_SHAPES_H
