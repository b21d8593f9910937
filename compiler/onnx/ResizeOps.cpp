//===- ResizeOps.cpp - ONNX Resize -> kiln.resize -------------------------===//
//
// Resolves everything ONNX leaves to run time into kiln.resize's attributes:
// `scales` or `sizes` (constant inputs), `axes` and keep_aspect_ratio_policy
// become one scale and one output size per dim, `roi` one [start, end] per
// dim. Attributes a mode does not use (cubic_coeff_a for nearest, ...) have
// no effect by ONNX's definition and are not carried.
//
// Where the operator text and onnxruntime (and ONNX's reference
// implementation) differ, this follows onnxruntime: output sizes from scales
// are float(scale) * float(in) truncated, ignoring roi (the text multiplies
// by roi_end - roi_start), and scales from sizes are float(out) / float(in).
//
// Opset 10 has neither coordinate_transformation_mode nor nearest_mode:
// onnxruntime uses asymmetric coordinates, rounding down on upscaled dims
// and up on downscaled ones; with both kinds of dims that is two kiln.resize.
// Upsample (opsets 7 to 9; deprecated by Resize in opset 10) computes as
// Resize-10 does, with its scales an attribute (7) or an input (9).
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "llvm/Support/Format.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// A resize resolved to one entry per dim.
struct Resolved {
  SmallVector<double> scales;
  SmallVector<int64_t> sizes;
  std::optional<SmallVector<double>> roi;
};

FailureOr<SmallVector<double>> constantFloats(NodeImporter &n, unsigned i,
                                              StringRef what) {
  FailureOr<DenseElementsAttr> value = n.constantInput(i, what);
  if (failed(value))
    return failure();
  auto type = cast<RankedTensorType>(value->getType());
  if (!isa<FloatType>(type.getElementType()) || type.getRank() != 1)
    return n.error() << "input '" << what << "' must be a 1-D float tensor, got "
                     << type;
  SmallVector<double> out;
  for (const APFloat &v : value->getValues<APFloat>())
    out.push_back(v.convertToDouble());
  return out;
}

/// True if input `i` is given and holds elements (ONNX writes an omitted
/// `scales` or `roi` as an empty tensor before opset 13).
bool hasValues(NodeImporter &n, unsigned i) {
  if (!n.hasInput(i))
    return false;
  RankedTensorType type = n.inputType(i);
  return !type.hasStaticShape() || type.getNumElements() != 0;
}

std::string formatDoubles(ArrayRef<double> values) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(values, os,
                        [&](double v) { os << llvm::format("%g", v); });
  return s + "]";
}

/// Fills `r` for the dims in `axes` from one scale per axis; `what` names
/// the scales in errors ("input 'scales'").
LogicalResult applyScales(NodeImporter &n, RankedTensorType input,
                          ArrayRef<int64_t> axes, ArrayRef<double> scales,
                          StringRef what, Resolved &r) {
  if (scales.size() != axes.size())
    return n.error() << what << " has " << scales.size()
                     << " entries, expected " << axes.size();
  for (auto [i, d] : llvm::enumerate(axes)) {
    double s = scales[i];
    if (!(std::isfinite(s) && s > 0))
      return n.error() << what << " " << formatDoubles(scales)
                       << " must be positive and finite";
    // float, as onnxruntime computes it; the limit keeps it exact.
    float out = static_cast<float>(s) * static_cast<float>(input.getDimSize(d));
    if (!(out < static_cast<float>(kMaxElements)))
      return n.error() << what << " " << formatDoubles(scales)
                       << " makes dim " << d << " too large";
    r.scales[d] = static_cast<float>(s);
    r.sizes[d] = static_cast<int64_t>(out);
  }
  return success();
}

/// Fills `r` from the constant `scales` (input `scalesIndex`) or `sizes`, for
/// the dims in `axes`.
LogicalResult resolveSizes(NodeImporter &n, RankedTensorType input,
                           ArrayRef<int64_t> axes, unsigned scalesIndex,
                           unsigned policy, Resolved &r) {
  bool hasScales = hasValues(n, scalesIndex);
  bool hasSizes = scalesIndex == 2 && hasValues(n, 3);
  if (hasScales == hasSizes)
    return n.error() << (hasScales ? "both 'scales' and 'sizes' are given"
                                   : "neither 'scales' nor 'sizes' is given")
                     << "; exactly one is needed";
  if (!input.hasStaticShape())
    return n.error() << "input " << input
                     << " needs static dims to resolve scales and sizes (bind "
                        "symbolic dims with --shape)";
  int64_t count = axes.size();
  if (hasScales) {
    FailureOr<SmallVector<double>> scales = constantFloats(n, scalesIndex, "scales");
    if (failed(scales))
      return failure();
    return applyScales(n, input, axes, *scales, "input 'scales'", r);
  }
  FailureOr<SmallVector<int64_t>> sizes = n.constantInts(3, "sizes");
  if (failed(sizes))
    return failure();
  if (static_cast<int64_t>(sizes->size()) != count)
    return n.error() << "input 'sizes' has " << sizes->size()
                     << " entries, expected " << count;
  for (auto [i, d] : llvm::enumerate(axes)) {
    int64_t size = (*sizes)[i], in = input.getDimSize(d);
    if (size < 1 || size > kMaxElements)
      return n.error() << "input 'sizes' " << formatShape(*sizes)
                       << " must be in [1, " << kMaxElements << "]";
    if (in == 0)
      return n.error() << "dim " << d << " of " << input
                       << " is empty and cannot be resized";
    r.sizes[d] = size;
    r.scales[d] = static_cast<float>(size) / static_cast<float>(in);
  }
  if (policy == 0 || axes.empty()) // stretch, or nothing to keep in ratio
    return success();
  // not_larger / not_smaller: one scale for all `axes`, the smallest or the
  // largest, and sizes rounded half up from it.
  float scale = static_cast<float>(r.scales[axes.front()]);
  for (int64_t d : axes)
    scale = policy == 1 ? std::min(scale, static_cast<float>(r.scales[d]))
                        : std::max(scale, static_cast<float>(r.scales[d]));
  for (int64_t d : axes) {
    r.scales[d] = scale;
    r.sizes[d] = static_cast<int64_t>(
        std::round(scale * static_cast<float>(input.getDimSize(d))));
  }
  return success();
}

FailureOr<Value> createResize(NodeImporter &n, Value input, const Resolved &r,
                              ResizeMode mode, ResizeCoordinateMode coordinates,
                              ResizeNearestMode rounding,
                              ArrayRef<NamedAttribute> extra) {
  OpBuilder &b = n.b();
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("scales", b.getDenseF64ArrayAttr(r.scales)),
      n.namedI64s("sizes", r.sizes),
      b.getNamedAttr("mode", b.getI32IntegerAttr(static_cast<int32_t>(mode)))};
  if (coordinates != ResizeCoordinateMode::half_pixel)
    attrs.push_back(b.getNamedAttr(
        "coordinate_mode", b.getI32IntegerAttr(static_cast<int32_t>(coordinates))));
  if (mode == ResizeMode::nearest &&
      rounding != ResizeNearestMode::round_prefer_floor)
    attrs.push_back(b.getNamedAttr(
        "nearest_mode", b.getI32IntegerAttr(static_cast<int32_t>(rounding))));
  if (r.roi)
    attrs.push_back(b.getNamedAttr("roi", b.getDenseF64ArrayAttr(*r.roi)));
  attrs.append(extra.begin(), extra.end());
  return n.create("kiln.resize", input, attrs);
}

/// Resize-10 and Upsample, once `r` holds every dim's scale and size:
/// asymmetric coordinates, and nearest rounds as onnxruntime's pre-11 kernel
/// does (down on upscaled dims, up on downscaled ones).
LogicalResult importAsymmetric(NodeImporter &n, ResizeMode mode,
                               const Resolved &r) {
  RankedTensorType input = n.inputType(0);
  int64_t rank = input.getRank();
  auto create = [&](Value x, const Resolved &part, ResizeNearestMode rounding) {
    return createResize(n, x, part, mode, ResizeCoordinateMode::asymmetric,
                        rounding, {});
  };
  if (mode != ResizeMode::nearest) {
    FailureOr<Value> y = create(n.input(0), r, ResizeNearestMode::floor);
    if (failed(y))
      return failure();
    n.setOutput(0, *y);
    return success();
  }
  // Upscaled dims first (floor), then downscaled ones (ceil): nearest picks
  // indices per dim, so the two steps compose exactly.
  Resolved up{SmallVector<double>(rank, 1.0),
              SmallVector<int64_t>(input.getShape()), std::nullopt};
  Resolved down = r;
  bool anyUp = false, anyDown = false;
  for (int64_t d = 0; d < rank; ++d) {
    if (r.scales[d] < 1.0) {
      anyDown = true;
      continue;
    }
    anyUp |= r.scales[d] > 1.0;
    up.scales[d] = r.scales[d];
    up.sizes[d] = r.sizes[d];
    down.scales[d] = 1.0;
  }
  Value x = n.input(0);
  if (anyUp || !anyDown) {
    FailureOr<Value> y = create(x, anyDown ? up : r, ResizeNearestMode::floor);
    if (failed(y))
      return failure();
    x = *y;
  }
  if (anyDown) {
    FailureOr<Value> y = create(x, down, ResizeNearestMode::ceil);
    if (failed(y))
      return failure();
    x = *y;
  }
  n.setOutput(0, x);
  return success();
}

/// Every dim of the input, in order.
SmallVector<int64_t> allDims(int64_t rank) {
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < rank; ++d)
    axes.push_back(d);
  return axes;
}

/// Resize-10: X and a constant `scales`.
LogicalResult importResize10(NodeImporter &n, ResizeMode mode) {
  if (failed(n.checkArity(2, 2)))
    return failure();
  RankedTensorType input = n.inputType(0);
  int64_t rank = input.getRank();
  Resolved r{SmallVector<double>(rank, 1.0),
             SmallVector<int64_t>(input.getShape()), std::nullopt};
  if (failed(resolveSizes(n, input, allDims(rank), 1, 0, r)))
    return failure();
  return importAsymmetric(n, mode, r);
}

/// Upsample-7 (`scales` attribute) and Upsample-9 (`scales` input). Every
/// scale must be >= 1, as the operator text says.
LogicalResult importUpsample(NodeImporter &n) {
  if (n.opset() >= 10)
    return n.error() << "Upsample is deprecated from opset 10 on (the model's "
                        "opset is "
                     << n.opset() << "); use Resize";
  AttributeReader &a = n.attrs();
  auto mode = static_cast<ResizeMode>(
      a.getChoice("mode", "nearest", {"nearest", "linear"}));
  std::optional<SmallVector<double>> attrScales;
  if (n.opset() < 9)
    attrScales = a.getFloats("scales");
  if (failed(n.checkArity(n.opset() < 9 ? 1 : 2, n.opset() < 9 ? 1 : 2)) ||
      failed(a.status()))
    return failure();
  RankedTensorType input = n.inputType(0);
  int64_t rank = input.getRank();
  Resolved r{SmallVector<double>(rank, 1.0),
             SmallVector<int64_t>(input.getShape()), std::nullopt};
  if (n.opset() < 9) {
    if (!attrScales)
      return n.error() << "attribute 'scales' is required";
    if (!input.hasStaticShape())
      return n.error() << "input " << input
                       << " needs static dims to resolve scales (bind "
                          "symbolic dims with --shape)";
    if (failed(applyScales(n, input, allDims(rank), *attrScales,
                           "attribute 'scales'", r)))
      return failure();
  } else if (failed(resolveSizes(n, input, allDims(rank), 1, 0, r))) {
    return failure();
  }
  for (double s : r.scales)
    if (s < 1.0)
      return n.error() << "Upsample's scales " << formatDoubles(r.scales)
                       << " must all be >= 1";
  return importAsymmetric(n, mode, r);
}

LogicalResult importResize(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t opset = n.opset();
  auto mode = static_cast<ResizeMode>(
      opset >= 11 ? a.getChoice("mode", "nearest", {"nearest", "linear", "cubic"})
                  : a.getChoice("mode", "nearest", {"nearest", "linear"}));
  if (opset < 11) {
    if (failed(a.status()))
      return failure();
    return importResize10(n, mode);
  }

  // tf_half_pixel_for_nearest is gone from the operator text in opset 18,
  // half_pixel_symmetric arrives in 19. Resize-11 first named the former
  // tf_half_pixel_for_nn (onnx 1.5 and 1.6, whose test data still has it);
  // onnxruntime accepts both names.
  SmallVector<StringRef> coordinateNames = {
      "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
      "align_corners", "asymmetric", "tf_half_pixel_for_nearest",
      "tf_crop_and_resize"};
  SmallVector<StringRef> allowed;
  for (StringRef name : coordinateNames)
    if (!(name == "half_pixel_symmetric" && opset < 19) &&
        !(name == "tf_half_pixel_for_nearest" && opset >= 18))
      allowed.push_back(name);
  auto coordinates = ResizeCoordinateMode::tf_half_pixel_for_nearest;
  if (!(opset < 18 && a.has("coordinate_transformation_mode") &&
        a.getString("coordinate_transformation_mode", "") ==
            "tf_half_pixel_for_nn")) {
    unsigned choice = a.getChoice("coordinate_transformation_mode",
                                  "half_pixel", allowed);
    coordinates = static_cast<ResizeCoordinateMode>(
        llvm::find(coordinateNames, allowed[choice]) - coordinateNames.begin());
  }
  double cubicA = a.getFloat("cubic_coeff_a", -0.75);
  bool excludeOutside = a.getBool("exclude_outside", false);
  double extrapolation = a.getFloat("extrapolation_value", 0.0);
  auto rounding = static_cast<ResizeNearestMode>(
      a.getChoice("nearest_mode", "round_prefer_floor",
                  {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}));
  bool antialias = false;
  unsigned policy = 0;
  std::optional<SmallVector<int64_t>> axesAttr;
  if (opset >= 18) {
    antialias = a.getBool("antialias", false);
    axesAttr = a.getInts("axes");
    policy = a.getChoice("keep_aspect_ratio_policy", "stretch",
                         {"stretch", "not_larger", "not_smaller"});
  }
  if (failed(n.checkArity(opset >= 13 ? 1 : 3, 4)) || failed(a.status()))
    return failure();
  // As onnxruntime and ONNX's reference implementation do (the text only
  // says linear and cubic use the filter).
  if (antialias && mode == ResizeMode::nearest)
    return n.error() << "attribute 'antialias' applies to modes linear and "
                        "cubic only, not nearest";

  RankedTensorType input = n.inputType(0);
  int64_t rank = input.getRank();
  SmallVector<int64_t> axes;
  if (axesAttr) {
    FailureOr<SmallVector<int64_t>> norm =
        n.normalizeAxes(*axesAttr, rank, "axes");
    if (failed(norm))
      return failure();
    axes = *norm;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  Resolved r{SmallVector<double>(rank, 1.0),
             SmallVector<int64_t>(input.getShape()), std::nullopt};
  if (failed(resolveSizes(n, input, axes, 2, policy, r)))
    return failure();

  if (coordinates == ResizeCoordinateMode::tf_crop_and_resize) {
    // roi: starts then ends of `axes`; other dims keep [0, 1].
    SmallVector<double> full(rank, 0.0);
    full.append(rank, 1.0);
    if (!hasValues(n, 1))
      return n.error() << "coordinate_transformation_mode "
                          "'tf_crop_and_resize' needs the 'roi' input";
    FailureOr<SmallVector<double>> roi = constantFloats(n, 1, "roi");
    if (failed(roi))
      return failure();
    int64_t count = axes.size();
    if (static_cast<int64_t>(roi->size()) != 2 * count)
      return n.error() << "input 'roi' has " << roi->size()
                       << " entries, expected " << 2 * count
                       << " (all starts, then all ends)";
    for (auto [i, d] : llvm::enumerate(axes)) {
      full[d] = (*roi)[i];
      full[rank + d] = (*roi)[count + i];
    }
    r.roi = full;
  }

  OpBuilder &b = n.b();
  SmallVector<NamedAttribute> extra;
  if (mode == ResizeMode::cubic && cubicA != -0.75)
    extra.push_back(n.namedF64("cubic_coeff_a", cubicA));
  if (mode != ResizeMode::nearest && excludeOutside)
    extra.push_back(b.getNamedAttr("exclude_outside", b.getBoolAttr(true)));
  if (antialias)
    extra.push_back(b.getNamedAttr("antialias", b.getBoolAttr(true)));
  if (r.roi && extrapolation != 0.0)
    extra.push_back(n.namedF64("extrapolation_value", extrapolation));
  FailureOr<Value> y =
      createResize(n, n.input(0), r, mode, coordinates, rounding, extra);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

} // namespace

void onnx_import::registerResizeOps(OpTable &t) {
  t.add("Resize", 10, importResize);
  t.add("Upsample", 7, importUpsample);
}
