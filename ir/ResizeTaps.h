//===- ResizeTaps.h - What each kiln.resize output reads --------*- C++ -*-===//
//
// kiln.resize is separable and its sampling depends only on static sizes and
// attributes, so the lowering computes, per dim and in C++, which input
// elements each output coordinate reads and with what weights (ONNX's
// formulas, see ResizeOp in KilnOps.td) and embeds them as constant tables;
// its VJP rule (ir/vjp/Resize.cpp) applies the same taps transposed. Pure
// functions; no IR.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_RESIZETAPS_H
#define KILN_IR_RESIZETAPS_H

#include "ir/KilnOps.h"

#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace mlir::kiln {

/// One dim of a kiln.resize.
struct ResizeAxisSpec {
  int64_t in = 1, out = 1;
  double scale = 1.0;
  ResizeMode mode = ResizeMode::nearest;
  ResizeCoordinateMode coordinates = ResizeCoordinateMode::half_pixel;
  ResizeNearestMode rounding = ResizeNearestMode::round_prefer_floor;
  double cubicA = -0.75;
  bool excludeOutside = false, antialias = false;
  double roiStart = 0.0, roiEnd = 1.0;
};

/// The taps of one dim: output coordinate x reads input indices
/// `indices[x * width + j]` with weights `weights[x * width + j]`, j < width
/// (unused taps have weight 0 and index 0); nearest has width 1 and weight 1.
/// `outside[x]` marks coordinates tf_crop_and_resize extrapolates (no taps).
struct ResizeTaps {
  int64_t in = 1;
  int64_t width = 1;
  SmallVector<int64_t> indices;
  SmallVector<double> weights;
  SmallVector<bool> outside;

  /// True if the dim is copied unchanged: in == out, and every coordinate
  /// reads only its own index with weight 1.
  bool isIdentity() const;
  bool anyOutside() const;
};

ResizeTaps computeResizeTaps(const ResizeAxisSpec &spec);

/// Dim `d` of `op` (static shapes).
ResizeAxisSpec getResizeAxisSpec(ResizeOp op, int64_t d);

/// An upper bound of `width` for `spec`, known before computing the taps
/// (antialiasing a strong downscale reaches many input elements).
int64_t maxResizeTapWidth(const ResizeAxisSpec &spec);

} // namespace mlir::kiln

#endif // KILN_IR_RESIZETAPS_H
