//===- Shapes.cpp - Shape arithmetic shared by inference and codegen -----===//

#include "ir/Shapes.h"

#include <algorithm>
#include <cstdio>

#include <limits>

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;

namespace mlir::kiln {

std::optional<SmallVector<int64_t>>
broadcastShapes(ArrayRef<ArrayRef<int64_t>> shapes, int64_t *failedDim) {
  size_t rank = 0;
  for (ArrayRef<int64_t> s : shapes)
    rank = std::max(rank, s.size());
  SmallVector<int64_t> result(rank, 1);
  for (size_t fromRight = 0; fromRight < rank; ++fromRight) {
    int64_t &out = result[rank - 1 - fromRight];
    bool sawDynamic = false;
    int64_t known = 1;
    for (ArrayRef<int64_t> s : shapes) {
      if (fromRight >= s.size())
        continue;
      int64_t d = s[s.size() - 1 - fromRight];
      if (ShapedType::isDynamic(d)) {
        sawDynamic = true;
        continue;
      }
      if (d == 1)
        continue;
      if (known != 1 && known != d) {
        if (failedDim)
          *failedDim = static_cast<int64_t>(fromRight);
        return std::nullopt;
      }
      known = d;
    }
    // A dynamic dim is 1 or equal to the known size, so a known size > 1 wins.
    out = (known == 1 && sawDynamic) ? ShapedType::kDynamic : known;
  }
  return result;
}

bool mayBroadcastTo(ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return false;
  ArrayRef<int64_t> aligned = to.take_back(from.size());
  for (auto [f, t] : llvm::zip(from, aligned))
    if (f != 1 && !ShapedType::isDynamic(f) && !ShapedType::isDynamic(t) &&
        f != t)
      return false;
  return true;
}

bool isBroadcastNoOp(ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return false;
  ArrayRef<int64_t> aligned = to.take_back(from.size());
  for (auto [f, t] : llvm::zip(from, aligned))
    if (f != 1 && (ShapedType::isDynamic(f) || f != t))
      return false;
  return true;
}

int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode) {
  if (ShapedType::isDynamic(in))
    return ShapedType::kDynamic;
  // Attributes come from model files: compute in 128 bits so that absurd
  // kernels, dilations or pads cannot overflow. An output size that int64
  // cannot hold is reported as 0, i.e. "the window does not fit".
  using Wide = __int128;
  Wide span = Wide(in) + padBegin + padEnd - Wide(dilation) * (kernel - 1) - 1;
  if (stride < 1)
    return 0;
  // ONNX: floor or ceil of (span / stride) + 1. With ceil_mode the span may
  // be negative: a window longer than the padded input still fits once,
  // clipped at the end (the output size must only be at least 1).
  auto floorDiv = [](Wide a, Wide b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  auto ceilDiv = [](Wide a, Wide b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); };
  Wide out = (ceilMode ? ceilDiv(span, stride) : floorDiv(span, stride)) + 1;
  // The last window must start inside the input or the begin padding.
  if (ceilMode && out > 0 && (out - 1) * stride >= Wide(in) + padBegin)
    --out;
  if (out < 1 || out > std::numeric_limits<int64_t>::max())
    return 0;
  return static_cast<int64_t>(out);
}

int64_t sliceSize(int64_t start, int64_t end, int64_t step) {
  if (step > 0)
    return end > start ? (end - start + step - 1) / step : 0;
  return start > end ? (start - end + (-step) - 1) / (-step) : 0;
}

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d))
      return ShapedType::kDynamic;
    n *= d;
  }
  return n;
}

bool areValidAxes(ArrayRef<int64_t> axes, int64_t rank) {
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t a : axes)
    if (a < 0 || a >= rank || !seen.insert(a).second)
      return false;
  return true;
}

SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> axes, bool keepdims) {
  SmallVector<int64_t> out;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      out.push_back(d);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

std::string formatBytes(int64_t bytes) {
  if (bytes < 1024)
    return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  static const char *units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  snprintf(text, sizeof(text), "%.1f %s", value, units[unit]);
  return text;
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << "]";
  return s;
}

std::string formatList(ArrayRef<int64_t> values) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(values, os);
  os << "]";
  return s;
}

} // namespace mlir::kiln

SmallVector<int64_t> mlir::kiln::avgPoolWindowCounts(
    int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padBegin,
    int64_t padEnd, int64_t dilation, bool countIncludePad) {
  // Positions p = start + j * dilation in [low, high): j from
  // ceil((low - start) / dilation) up to floor((high - 1 - start) /
  // dilation), within [0, kernel).
  int64_t low = countIncludePad ? -padBegin : 0;
  int64_t high = countIncludePad ? in + padEnd : in;
  auto ceilDiv = [](int64_t a, int64_t b) {
    return a >= 0 ? (a + b - 1) / b : -((-a) / b);
  };
  auto floorDiv = [](int64_t a, int64_t b) {
    return a >= 0 ? a / b : -((-a + b - 1) / b);
  };
  SmallVector<int64_t> counts;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * stride - padBegin;
    int64_t first = std::max<int64_t>(0, ceilDiv(low - start, dilation));
    int64_t last =
        std::min<int64_t>(kernel - 1, floorDiv(high - 1 - start, dilation));
    counts.push_back(std::max<int64_t>(0, last - first + 1));
  }
  return counts;
}
