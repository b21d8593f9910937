//===- Resize.cpp - kiln.resize -------------------------------------------===//
//
// The shape rule is trivial (the result is `sizes`); the rest checks that the
// resolved attributes describe one ONNX Resize, so the lowering can trust them.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/Shapes.h"
#include "ir/ops/OpUtils.h"

#include "llvm/Support/Format.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

static std::string formatDoubles(ArrayRef<double> values) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(values, os,
                        [&](double v) { os << llvm::format("%g", v); });
  os << "]";
  return s;
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  int64_t rank = input.getRank();
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  ArrayRef<double> scales = adaptor.getScales();
  if (static_cast<int64_t>(sizes.size()) != rank)
    return diag("sizes has ", sizes.size(), " entries, expected ", rank);
  if (static_cast<int64_t>(scales.size()) != rank)
    return diag("scales has ", scales.size(), " entries, expected ", rank);
  for (int64_t d = 0; d < rank; ++d) {
    if (!(std::isfinite(scales[d]) && scales[d] > 0))
      return diag("scales must be positive and finite, got ",
                  formatDoubles(scales));
    if (sizes[d] < 0)
      return diag("sizes must be >= 0, got ", formatShape(sizes));
    if (input.getDimSize(d) == 0 && sizes[d] > 0)
      return diag("dim ", d, " is empty and cannot be resized to ", sizes[d]);
  }

  ResizeMode mode = adaptor.getMode();
  Type et = input.getElementType();
  if (mode != ResizeMode::nearest && !isa<FloatType>(et))
    return diag("mode ", stringifyResizeMode(mode),
                " needs a floating-point input, got ", et);
  if (mode == ResizeMode::nearest && adaptor.getAntialias())
    return diag("antialias applies to linear and cubic modes only");
  if (!std::isfinite(adaptor.getCubicCoeffA().convertToDouble()))
    return diag("cubic_coeff_a must be finite");

  // roi belongs to tf_crop_and_resize alone, so one resize has one spelling.
  std::optional<ArrayRef<double>> roi = adaptor.getRoi();
  bool crop =
      adaptor.getCoordinateMode() == ResizeCoordinateMode::tf_crop_and_resize;
  if (crop && !roi)
    return diag("coordinate_mode tf_crop_and_resize needs roi");
  if (!crop && roi)
    return diag("roi is only used by coordinate_mode tf_crop_and_resize");
  if (roi) {
    if (static_cast<int64_t>(roi->size()) != 2 * rank)
      return diag("roi has ", roi->size(), " entries, expected ", 2 * rank,
                  " (all starts, then all ends)");
    if (!llvm::all_of(*roi, [](double v) { return std::isfinite(v); }))
      return diag("roi must be finite, got ", formatDoubles(*roi));
    double fill = adaptor.getExtrapolationValue().convertToDouble();
    if (auto intType = dyn_cast<IntegerType>(et))
      if (!isExactInteger(fill, intType))
        return diag("extrapolation_value ", fill,
                    " is not representable in the element type ", intType);
  }
  types.push_back(RankedTensorType::get(sizes, et));
  return success();
}
