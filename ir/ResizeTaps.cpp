//===- ResizeTaps.cpp - Sampling positions and weights of kiln.resize -----===//
//
// The coordinate transform runs in f32 with f32 scales, term by term as
// onnxruntime's CPU kernel writes it (half_pixel_symmetric's last terms and
// tf_crop_and_resize's single-element case in f64, as there): a coordinate
// that is an exact integer
// or half-integer there rounds the same way here (half_pixel from 5 to 1
// gives 1.9999999 in f32, 2.0 in f64, and nearest floor picks 1). The kernel
// weights are then computed in f64 from that coordinate.
//
//===----------------------------------------------------------------------===//

#include "ir/ResizeTaps.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace mlir;
using namespace mlir::kiln;

bool ResizeTaps::isIdentity() const {
  if (static_cast<int64_t>(outside.size()) != in)
    return false;
  for (size_t x = 0; x < outside.size(); ++x) {
    if (outside[x] || indices[x * width] != static_cast<int64_t>(x) ||
        weights[x * width] != 1.0)
      return false;
    for (int64_t j = 1; j < width; ++j)
      if (weights[x * width + j] != 0.0)
        return false;
  }
  return true;
}

bool ResizeTaps::anyOutside() const {
  return llvm::is_contained(outside, true);
}

/// x_original of output coordinate x; see ResizeOp in KilnOps.td.
static float originalCoordinate(const ResizeAxisSpec &s, int64_t x) {
  float xr = static_cast<float>(x), scale = static_cast<float>(s.scale);
  float lenIn = static_cast<float>(s.in), lenOut = static_cast<float>(s.out);
  switch (s.coordinates) {
  case ResizeCoordinateMode::half_pixel:
    return (xr + 0.5f) / scale - 0.5f;
  case ResizeCoordinateMode::half_pixel_symmetric: {
    float width = scale * lenIn;
    float adjustment = lenOut / width;
    float center = lenIn / 2;
    float offset = center * (1 - adjustment);
    // The rest in f64, as onnxruntime writes it (0.5, not 0.5f).
    return static_cast<float>(offset + (xr + 0.5) / scale - 0.5);
  }
  case ResizeCoordinateMode::pytorch_half_pixel:
    return s.out > 1 ? (xr + 0.5f) / scale - 0.5f : 0.0f;
  case ResizeCoordinateMode::align_corners: {
    // length_resized is scale * length_original before rounding, as the
    // operator's reference computes it (onnxruntime divides by the rounded
    // size instead, which differs when downscaling by a scale that does not
    // divide the length). From `sizes` the product is the size exactly.
    float lenResized = static_cast<float>(s.scale * static_cast<double>(s.in));
    return lenResized <= 1 ? 0.0f : xr * (lenIn - 1) / (lenResized - 1);
  }
  case ResizeCoordinateMode::asymmetric:
    return xr / scale;
  case ResizeCoordinateMode::tf_half_pixel_for_nearest:
    return (xr + 0.5f) / scale;
  case ResizeCoordinateMode::tf_crop_and_resize: {
    float start = static_cast<float>(s.roiStart);
    float end = static_cast<float>(s.roiEnd);
    if (s.out > 1)
      return start * (lenIn - 1) + (xr * (end - start) * (lenIn - 1)) / (lenOut - 1);
    return static_cast<float>(0.5 * (start + end) * (lenIn - 1));
  }
  }
  return xr;
}

static int64_t nearestIndex(ResizeNearestMode rounding, float x) {
  switch (rounding) {
  case ResizeNearestMode::round_prefer_floor:
    // Half-way rounds down; elsewhere std::round (the sign does not matter:
    // negative coordinates are above -1 and clamp to 0 either way).
    if (x == static_cast<float>(static_cast<int64_t>(x)) + 0.5f)
      return static_cast<int64_t>(std::floor(x));
    return static_cast<int64_t>(std::round(x));
  case ResizeNearestMode::round_prefer_ceil:
    return static_cast<int64_t>(std::round(x));
  case ResizeNearestMode::floor:
    return static_cast<int64_t>(std::floor(x));
  case ResizeNearestMode::ceil:
    return static_cast<int64_t>(std::ceil(x));
  }
  return 0;
}

/// The interpolation kernel at distance d (in units of the stretched grid).
static double kernel(const ResizeAxisSpec &s, double d) {
  d = std::fabs(d);
  if (s.mode == ResizeMode::linear)
    return std::max(0.0, 1.0 - d);
  double a = s.cubicA;
  if (d <= 1)
    return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2)
    return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0.0;
}

/// Weight per clamped input index for one coordinate.
static std::map<int64_t, double> interpolationTaps(const ResizeAxisSpec &s,
                                                   double x) {
  // Antialias stretches the kernel by 1 / scale when downscaling.
  double stretch = s.antialias ? std::min(s.scale, 1.0) : 1.0;
  double radius = (s.mode == ResizeMode::linear ? 1.0 : 2.0) / stretch;
  // Resolved ONNX attributes keep x within (-1, in); hand-written IR may not.
  // Beyond the kernel's reach past an end every tap reads the edge, so
  // clamping x there changes nothing but bounds the loop below.
  x = std::clamp(x, -radius - 1, static_cast<double>(s.in) + radius);
  int64_t lo = static_cast<int64_t>(std::floor(x - radius));
  int64_t hi = static_cast<int64_t>(std::ceil(x + radius));
  std::map<int64_t, double> raw;
  double sum = 0;
  for (int64_t t = lo; t <= hi; ++t) {
    if (s.excludeOutside && (t < 0 || t >= s.in))
      continue;
    double w = kernel(s, (static_cast<double>(t) - x) * stretch);
    if (w == 0.0)
      continue;
    raw[t] = w;
    sum += w;
  }
  bool normalize = (s.antialias || s.excludeOutside) && sum != 0.0;
  std::map<int64_t, double> taps;
  for (auto [t, w] : raw) // elements past either end repeat the edge
    taps[std::clamp<int64_t>(t, 0, s.in - 1)] += normalize ? w / sum : w;
  return taps;
}

int64_t mlir::kiln::maxResizeTapWidth(const ResizeAxisSpec &s) {
  if (s.mode == ResizeMode::nearest)
    return 1;
  double stretch = s.antialias ? std::min(s.scale, 1.0) : 1.0;
  double radius = (s.mode == ResizeMode::linear ? 1.0 : 2.0) / stretch;
  // Taps are distinct clamped indices, so never more than the input has.
  return std::min<double>(static_cast<double>(s.in), 2 * std::ceil(radius) + 2);
}

ResizeTaps mlir::kiln::computeResizeTaps(const ResizeAxisSpec &s) {
  SmallVector<std::map<int64_t, double>> perCoordinate;
  ResizeTaps r;
  r.in = s.in;
  for (int64_t x = 0; x < s.out; ++x) {
    float xo = originalCoordinate(s, x);
    bool outside = s.coordinates == ResizeCoordinateMode::tf_crop_and_resize &&
                   (xo < 0 || xo > static_cast<float>(s.in - 1));
    r.outside.push_back(outside);
    if (outside)
      perCoordinate.emplace_back();
    else if (s.mode == ResizeMode::nearest)
      // Clamped first so that the conversion to an integer is defined.
      perCoordinate.push_back({{std::clamp<int64_t>(
          nearestIndex(s.rounding, std::clamp(xo, -1.0f, static_cast<float>(s.in))),
          0, s.in - 1), 1.0}});
    else
      perCoordinate.push_back(interpolationTaps(s, xo));
  }
  r.width = 1;
  for (const auto &taps : perCoordinate)
    r.width = std::max<int64_t>(r.width, taps.size());
  for (const auto &taps : perCoordinate) {
    for (auto [t, w] : taps) {
      r.indices.push_back(t);
      r.weights.push_back(w);
    }
    for (int64_t j = taps.size(); j < r.width; ++j) {
      r.indices.push_back(0);
      r.weights.push_back(0.0);
    }
  }
  return r;
}

ResizeAxisSpec mlir::kiln::getResizeAxisSpec(ResizeOp op, int64_t d) {
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  std::optional<ArrayRef<double>> roi = op.getRoi();
  int64_t rank = in.size();
  ResizeAxisSpec s;
  s.in = in[d];
  s.out = op.getSizes()[d];
  s.scale = op.getScales()[d];
  s.mode = op.getMode();
  s.coordinates = op.getCoordinateMode();
  s.rounding = op.getNearestMode();
  s.cubicA = op.getCubicCoeffA().convertToDouble();
  s.excludeOutside = op.getExcludeOutside();
  s.antialias = op.getAntialias();
  if (roi) {
    s.roiStart = (*roi)[d];
    s.roiEnd = (*roi)[rank + d];
  }
  return s;
}
