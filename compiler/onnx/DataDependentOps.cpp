//===- DataDependentOps.cpp - NonMaxSuppression and Unique ----------------===//
//
// Ops whose output shape depends on their input values. Kiln's shapes are
// static, so, as NonZero (ConstantOps.cpp), these are evaluated while
// importing and their inputs must be known at compile time; a graph input
// among them gets constantInput's error, which names it and suggests
// `kiln compile --constant NAME=FILE.npy`. Each follows the operator text and
// onnx's reference implementation (onnx/reference/ops/op_*.py).
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// One box as its [min, max] extent along x and y.
template <typename T>
struct Extent {
  T xMin, xMax, yMin, yMax;
};

/// The box at `data` ([y1, x1, y2, x2], any two opposite corners, or
/// center_point_box's [x_center, y_center, width, height]), in the element
/// type's arithmetic as onnx's reference computes it.
template <typename T>
Extent<T> extentOf(const T *data, bool centerPoint) {
  if (centerPoint) {
    T halfWidth = data[2] / T(2), halfHeight = data[3] / T(2);
    return {data[0] - halfWidth, data[0] + halfWidth, data[1] - halfHeight, data[1] + halfHeight};
  }
  return {std::min(data[1], data[3]), std::max(data[1], data[3]), std::min(data[0], data[2]),
          std::max(data[0], data[2])};
}

/// True if `a` and `b` overlap by more than `threshold` (intersection over
/// union); boxes without area never suppress.
template <typename T>
bool suppresses(const Extent<T> &a, const Extent<T> &b, T threshold) {
  T left = std::max(a.xMin, b.xMin), right = std::min(a.xMax, b.xMax);
  if (right <= left)
    return false;
  T bottom = std::max(a.yMin, b.yMin), top = std::min(a.yMax, b.yMax);
  if (top <= bottom)
    return false;
  T intersection = (right - left) * (top - bottom);
  T areaA = (a.xMax - a.xMin) * (a.yMax - a.yMin), areaB = (b.xMax - b.xMin) * (b.yMax - b.yMin);
  T unionArea = areaA + areaB - intersection;
  if (intersection <= 0 || areaA <= 0 || areaB <= 0 || unionArea <= 0)
    return false;
  return intersection / unionArea > threshold;
}

/// The [batch, class, box] rows NonMaxSuppression selects: per batch and
/// class, boxes by decreasing score (equal scores: lower index first; NaN
/// scores last) whose
/// score passes score_threshold (strictly greater, when given), each kept
/// unless it overlaps a kept one by more than iou_threshold, at most
/// max_output_boxes_per_class of them.
template <typename T>
SmallVector<int64_t> selectBoxes(ArrayRef<T> boxes, ArrayRef<T> scores, int64_t batches,
                                 int64_t classes, int64_t count, int64_t maxPerClass, T iouThreshold,
                                 std::optional<T> scoreThreshold, bool centerPoint) {
  SmallVector<int64_t> rows;
  for (int64_t batch = 0; batch < batches; ++batch) {
    SmallVector<Extent<T>> extents;
    for (int64_t box = 0; box < count; ++box)
      extents.push_back(extentOf(&boxes[(batch * count + box) * 4], centerPoint));
    for (int64_t cls = 0; cls < classes; ++cls) {
      const T *classScores = &scores[(batch * classes + cls) * count];
      SmallVector<int64_t> candidates;
      for (int64_t box = 0; box < count; ++box)
        if (!scoreThreshold || classScores[box] > *scoreThreshold)
          candidates.push_back(box);
      // By decreasing score, a NaN score after every number (a strict weak
      // order, which NaNs compared as numbers would break).
      auto rank = [&](int64_t box) {
        T score = classScores[box];
        return std::isnan(score) ? -std::numeric_limits<T>::infinity() : score;
      };
      std::stable_sort(candidates.begin(), candidates.end(), [&](int64_t a, int64_t b) {
        if (std::isnan(classScores[a]) != std::isnan(classScores[b]))
          return std::isnan(classScores[b]);
        return rank(a) > rank(b);
      });
      SmallVector<int64_t> kept;
      for (int64_t box : candidates) {
        if (static_cast<int64_t>(kept.size()) >= maxPerClass)
          break;
        if (llvm::none_of(kept, [&](int64_t k) {
              return suppresses(extents[box], extents[k], iouThreshold);
            })) {
          kept.push_back(box);
          rows.append({batch, cls, box});
        }
      }
    }
  }
  return rows;
}

template <typename T>
SmallVector<T> valuesAs(DenseElementsAttr attr) {
  SmallVector<T> values;
  for (const APFloat &v : attr.getValues<APFloat>()) {
    APFloat converted = v;
    bool lost;
    converted.convert(std::is_same_v<T, double> ? APFloat::IEEEdouble() : APFloat::IEEEsingle(),
                      APFloat::rmNearestTiesToEven, &lost);
    values.push_back(static_cast<T>(converted.convertToDouble()));
  }
  return values;
}

/// NonMaxSuppression (opsets 10 and 11): selected_indices [num_selected, 3]
/// int64. float64 boxes are computed in double, the others in float (as
/// onnx's reference and onnxruntime compute float32).
LogicalResult importNonMaxSuppression(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t centerPoint = a.getInt("center_point_box", 0);
  if (failed(n.checkArity(2, 5)) || failed(a.status()))
    return failure();
  if (centerPoint != 0 && centerPoint != 1)
    return n.error() << "attribute 'center_point_box' must be 0 or 1, got " << centerPoint;
  RankedTensorType boxesType = n.inputType(0), scoresType = n.inputType(1);
  if (!isa<FloatType>(boxesType.getElementType()) ||
      boxesType.getElementType() != scoresType.getElementType())
    return n.error() << "expects float boxes and scores of one type, got " << boxesType << " and "
                     << scoresType;
  if (boxesType.getRank() != 3 || boxesType.getDimSize(2) != 4 || scoresType.getRank() != 3 ||
      scoresType.getDimSize(0) != boxesType.getDimSize(0) ||
      scoresType.getDimSize(2) != boxesType.getDimSize(1))
    return n.error() << "expects boxes [num_batches, spatial_dimension, 4] and scores [num_batches, "
                        "num_classes, spatial_dimension], got "
                     << boxesType << " and " << scoresType;
  FailureOr<DenseElementsAttr> boxes = n.constantInput(0, "boxes");
  FailureOr<DenseElementsAttr> scores = n.constantInput(1, "scores");
  if (failed(boxes) || failed(scores))
    return failure();
  int64_t maxPerClass = 0;
  double iou = 0;
  std::optional<double> scoreThreshold;
  if (n.hasInput(2)) {
    FailureOr<SmallVector<int64_t>> v = n.constantInts(2, "max_output_boxes_per_class");
    if (failed(v))
      return failure();
    if (v->size() > 1)
      return n.error() << "input 'max_output_boxes_per_class' must be one value";
    if (!v->empty())
      maxPerClass = std::max<int64_t>(0, v->front());
  }
  if (n.hasInput(3)) {
    FailureOr<double> v = n.constantScalar(3, "iou_threshold");
    if (failed(v))
      return failure();
    iou = *v;
    if (!(iou >= 0 && iou <= 1))
      return n.error() << "input 'iou_threshold' must be in [0, 1], got "
                       << llvm::formatv("{0}", llvm::format("%g", iou)).str();
  }
  if (n.hasInput(4)) {
    FailureOr<double> v = n.constantScalar(4, "score_threshold");
    if (failed(v))
      return failure();
    scoreThreshold = *v;
  }
  int64_t batches = boxesType.getDimSize(0), classes = scoresType.getDimSize(1),
          count = boxesType.getDimSize(1);
  if (batches * classes * count > kMaxComputedElements)
    return n.error() << "computes at compile time at most " << kMaxComputedElements
                     << " scores, got " << scoresType;
  SmallVector<int64_t> rows;
  if (boxesType.getElementType().isF64()) {
    std::optional<double> threshold = scoreThreshold;
    rows = selectBoxes<double>(valuesAs<double>(*boxes), valuesAs<double>(*scores), batches,
                               classes, count, maxPerClass, iou, threshold, centerPoint == 1);
  } else {
    std::optional<float> threshold;
    if (scoreThreshold)
      threshold = static_cast<float>(*scoreThreshold);
    rows = selectBoxes<float>(valuesAs<float>(*boxes), valuesAs<float>(*scores), batches, classes,
                              count, maxPerClass, static_cast<float>(iou), threshold,
                              centerPoint == 1);
  }
  auto type = RankedTensorType::get({static_cast<int64_t>(rows.size()) / 3, 3}, n.b().getI64Type());
  n.setOutput(0, n.constant(DenseElementsAttr::get(type, ArrayRef<int64_t>(rows))));
  return success();
}

/// Orders two elements of one type: floats numerically with every NaN
/// equal and after all numbers (NumPy's np.unique), integers by their
/// signedness.
int compareElements(Attribute a, Attribute b) {
  if (auto fa = dyn_cast<FloatAttr>(a)) {
    const APFloat &x = fa.getValue(), &y = cast<FloatAttr>(b).getValue();
    if (x.isNaN() || y.isNaN())
      return x.isNaN() == y.isNaN() ? 0 : (x.isNaN() ? 1 : -1);
    APFloat::cmpResult r = x.compare(y);
    return r == APFloat::cmpLessThan ? -1 : (r == APFloat::cmpGreaterThan ? 1 : 0);
  }
  auto ia = cast<IntegerAttr>(a);
  const APInt &x = ia.getValue(), &y = cast<IntegerAttr>(b).getValue();
  bool isUnsigned = ia.getType().isUnsignedInteger() || ia.getType().isInteger(1);
  if (x == y)
    return 0;
  return (isUnsigned ? x.ult(y) : x.slt(y)) ? -1 : 1;
}

/// Unique (opset 11): the distinct elements of X (or, with `axis`, its
/// distinct slices along it), sorted ascending (slices lexicographically)
/// or, with sorted = 0, in order of first occurrence, NaNs as NumPy's
/// np.unique treats them (onnx's reference); then indices (each
/// one's first occurrence), inverse_indices (each element's or slice's
/// position in Y) and counts, int64.
LogicalResult importUnique(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  std::optional<int64_t> axisAttr = a.getOptionalInt("axis");
  bool sorted = a.getInt("sorted", 1) != 0;
  if (failed(n.checkArity(1, 1, 1, 4)) || failed(a.status()))
    return failure();
  RankedTensorType type = n.inputType(0);
  Type elementType = type.getElementType();
  if (!isa<FloatType, IntegerType>(elementType))
    return n.error() << "expects a float or integer X, got " << type;
  FailureOr<DenseElementsAttr> x = n.constantInput(0, "X");
  if (failed(x))
    return failure();
  if (type.getNumElements() > kMaxComputedElements)
    return n.error() << "computes at compile time at most " << kMaxComputedElements
                     << " elements, got " << type;
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = type.getRank();
  std::optional<int64_t> axis;
  if (axisAttr) {
    if (*axisAttr < -rank || *axisAttr >= rank)
      return n.error() << "attribute 'axis' " << *axisAttr << " is out of range for rank " << rank;
    axis = *axisAttr < 0 ? *axisAttr + rank : *axisAttr;
  }
  // Items: the elements, or the slices along `axis` (each outer x inner
  // elements, row-major).
  SmallVector<Attribute> elements(x->getValues<Attribute>());
  int64_t outer = 1, items = type.getNumElements(), inner = 1;
  if (axis) {
    outer = std::accumulate(shape.begin(), shape.begin() + *axis, int64_t(1), std::multiplies<>());
    items = shape[*axis];
    inner = std::accumulate(shape.begin() + *axis + 1, shape.end(), int64_t(1), std::multiplies<>());
  }
  auto element = [&](int64_t item, int64_t k) {
    return elements[((k / inner) * items + item) * inner + k % inner];
  };
  auto compareItems = [&](int64_t p, int64_t q) {
    for (int64_t k = 0; k < outer * inner; ++k)
      if (int c = compareElements(element(p, k), element(q, k)))
        return c;
    return 0;
  };
  // Items ordered, equal ones by position: each run of equal items is one
  // unique item, its first the first occurrence.
  SmallVector<int64_t> order(items);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t p, int64_t q) { return compareItems(p, q) < 0; });
  // Along an axis, a slice holding a NaN equals no other (np.unique with
  // `axis` compares slices as records); single NaN elements are all equal.
  auto holdsNaN = [&](int64_t item) {
    for (int64_t k = 0; k < outer * inner; ++k)
      if (auto f = dyn_cast<FloatAttr>(element(item, k)); f && f.getValue().isNaN())
        return true;
    return false;
  };
  SmallVector<int64_t> firsts, counts, groupOf(items);
  for (int64_t i = 0; i < items; ++i) {
    if (i == 0 || compareItems(order[i - 1], order[i]) != 0 || (axis && holdsNaN(order[i]))) {
      firsts.push_back(order[i]);
      counts.push_back(0);
    }
    groupOf[order[i]] = firsts.size() - 1;
    ++counts.back();
  }
  // Y's order: sorted (the groups as they are) or by first occurrence.
  SmallVector<int64_t> groups(firsts.size());
  std::iota(groups.begin(), groups.end(), 0);
  if (!sorted)
    llvm::sort(groups, [&](int64_t g, int64_t h) { return firsts[g] < firsts[h]; });
  SmallVector<int64_t> positionOf(groups.size());
  for (auto [position, g] : llvm::enumerate(groups))
    positionOf[g] = position;

  int64_t unique = groups.size();
  SmallVector<int64_t> yShape = {unique};
  if (axis) {
    yShape.assign(shape.begin(), shape.end());
    yShape[*axis] = unique;
  }
  SmallVector<Attribute> y(outer * unique * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t u = 0; u < unique; ++u)
      for (int64_t i = 0; i < inner; ++i)
        y[(o * unique + u) * inner + i] = element(firsts[groups[u]], o * inner + i);
  SmallVector<int64_t> indices, inverse, groupCounts;
  for (int64_t g : groups) {
    indices.push_back(firsts[g]);
    groupCounts.push_back(counts[g]);
  }
  for (int64_t item = 0; item < items; ++item)
    inverse.push_back(positionOf[groupOf[item]]);

  Type i64 = n.b().getI64Type();
  n.setOutput(0, n.constant(DenseElementsAttr::get(RankedTensorType::get(yShape, elementType), y)));
  auto vector = [&](ArrayRef<int64_t> v) {
    return n.constant(DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(v.size())}, i64), v));
  };
  if (n.numOutputs() > 1)
    n.setOutput(1, vector(indices));
  if (n.numOutputs() > 2)
    n.setOutput(2, vector(inverse));
  if (n.numOutputs() > 3)
    n.setOutput(3, vector(groupCounts));
  return success();
}

} // namespace

void onnx_import::registerDataDependentOps(OpTable &t) {
  t.add("NonMaxSuppression", 10, importNonMaxSuppression);
  t.add("Unique", 11, importUnique);
}
