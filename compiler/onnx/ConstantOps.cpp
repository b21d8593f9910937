//===- ConstantOps.cpp - ONNX ops that produce constants ------------------===//
//
// Constant, ConstantOfShape, Shape, Size and Range are evaluated while
// importing: every shape is static by then, and their inputs must be
// constants. Their results feed shape subgraphs, which then fold away.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "llvm/ADT/APInt.h"

#include <onnx/onnx_pb.h>

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// Constant: `value` (a tensor), or from opset 12 one of value_float(s),
/// value_int(s). Sparse and string constants are not supported.
LogicalResult importConstant(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  if (failed(n.checkArity(0, 0)))
    return failure();
  if (failed(a.rejectIfPresent("sparse_value", "(a sparse tensor) is not supported")))
    return failure();
  const onnx::TensorProto *tensor = a.getTensor("value");
  std::optional<double> f;
  std::optional<int64_t> i;
  std::optional<SmallVector<double>> fs;
  std::optional<SmallVector<int64_t>> is;
  if (n.opset() >= 12) {
    if (failed(a.rejectIfPresent("value_string", "(a string) is not supported")) ||
        failed(a.rejectIfPresent("value_strings", "(strings) are not supported")))
      return failure();
    f = a.getOptionalFloat("value_float");
    fs = a.getFloats("value_floats");
    i = a.getOptionalInt("value_int");
    is = a.getInts("value_ints");
  }
  if (failed(a.status()))
    return failure();
  int given = (tensor != nullptr) + f.has_value() + fs.has_value() +
              i.has_value() + is.has_value();
  if (given != 1)
    return n.error() << "needs exactly one value attribute, got " << given;

  Builder &b = n.b();
  DenseElementsAttr value;
  if (tensor) {
    FailureOr<DenseElementsAttr> v =
        n.tensors().read(*tensor, n.loc(), "Constant: attribute 'value'");
    if (failed(v))
      return failure();
    value = *v;
  } else if (f) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   static_cast<float>(*f));
  } else if (fs) {
    SmallVector<float> v(fs->begin(), fs->end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(v.size())}, b.getF32Type()),
        ArrayRef<float>(v));
  } else if (i) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()), *i);
  } else {
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(is->size())}, b.getI64Type()),
        ArrayRef<int64_t>(*is));
  }
  n.setOutput(0, n.constant(value));
  return success();
}

/// ConstantOfShape: a tensor of the given (constant) shape filled with the
/// one element of `value` (default: float32 0).
LogicalResult importConstantOfShape(NodeImporter &n) {
  const onnx::TensorProto *tensor = n.attrs().getTensor("value");
  if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = n.constantInts(0, "input");
  if (failed(shape))
    return failure();
  if (!checkedNumElements(*shape))
    return n.error() << "shape has a negative or too large entry";
  DenseElementsAttr fill = DenseElementsAttr::get(
      RankedTensorType::get({}, n.b().getF32Type()), 0.0f);
  if (tensor) {
    FailureOr<DenseElementsAttr> v =
        n.tensors().read(*tensor, n.loc(), "ConstantOfShape: attribute 'value'");
    if (failed(v))
      return failure();
    if (v->getNumElements() != 1)
      return n.error() << "attribute 'value' must hold one element, got "
                       << v->getType();
    fill = *v;
  }
  auto type = RankedTensorType::get(*shape, fill.getElementType());
  n.setOutput(0, n.constant(DenseElementsAttr::get(
                     type, *fill.getValues<Attribute>().begin())));
  return success();
}

/// Shape: the input's (static) dims, from opset 15 the slice [start, end)
/// of them, with negative bounds counting from the end and clamping.
LogicalResult importShape(NodeImporter &n) {
  int64_t start = 0;
  std::optional<int64_t> end;
  if (n.opset() >= 15) {
    start = n.attrs().getInt("start", 0);
    end = n.attrs().getOptionalInt("end");
  }
  if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
    return failure();
  ArrayRef<int64_t> dims = n.inputType(0).getShape();
  int64_t rank = static_cast<int64_t>(dims.size());
  auto clampBound = [rank](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t lo = clampBound(start), hi = clampBound(end.value_or(rank));
  if (llvm::any_of(dims, ShapedType::isDynamic))
    return n.error() << "the input's shape " << n.inputType(0)
                     << " is not static";
  n.setOutput(0, n.i64Vector(hi > lo ? dims.slice(lo, hi - lo)
                                     : ArrayRef<int64_t>()));
  return success();
}

LogicalResult importSize(NodeImporter &n) {
  if (failed(n.checkArity(1, 1)))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (!type.hasStaticShape())
    return n.error() << "the input's shape " << type << " is not static";
  n.setOutput(0, n.constant(DenseElementsAttr::get(
                     RankedTensorType::get({}, n.b().getI64Type()),
                     static_cast<int64_t>(type.getNumElements()))));
  return success();
}

/// Range: start, start + delta, ... while before limit; all three are
/// constant scalars of one type.
LogicalResult importRange(NodeImporter &n) {
  if (failed(n.checkArity(3, 3)))
    return failure();
  Type et = n.inputType(0).getElementType();
  for (unsigned i = 1; i < 3; ++i)
    if (n.inputType(i).getElementType() != et)
      return n.error() << "start, limit and delta must have one type, got "
                       << n.inputType(0) << ", " << n.inputType(1) << " and "
                       << n.inputType(2);
  const char *names[] = {"start", "limit", "delta"};
  DenseElementsAttr values[3];
  for (unsigned i = 0; i < 3; ++i) {
    FailureOr<DenseElementsAttr> v = n.constantInput(i, names[i]);
    if (failed(v))
      return failure();
    if (v->getNumElements() != 1)
      return n.error() << "input '" << names[i] << "' must be a scalar, got "
                       << v->getType();
    values[i] = *v;
  }
  auto tooMany = [&](double count) {
    return n.error() << "produces " << count << " elements; Kiln computes "
                     << "ranges of at most " << kMaxComputedElements;
  };
  if (auto ft = dyn_cast<FloatType>(et)) {
    double start = (*values[0].getValues<APFloat>().begin()).convertToDouble();
    double limit = (*values[1].getValues<APFloat>().begin()).convertToDouble();
    double delta = (*values[2].getValues<APFloat>().begin()).convertToDouble();
    if (delta == 0 || !std::isfinite(start) || !std::isfinite(limit) ||
        !std::isfinite(delta))
      return n.error() << "start, limit and delta must be finite and delta "
                          "non-zero";
    double count = std::max(std::ceil((limit - start) / delta), 0.0);
    if (count > static_cast<double>(kMaxComputedElements))
      return tooMany(count);
    // Opset 27's stash_type: float16/bfloat16 ranges are computed in float32
    // (start + k * delta, each step rounded to float) before rounding to T.
    bool inFloat32 = false;
    if (n.opset() >= 27) {
      int64_t stash = n.attrs().getInt("stash_type", 1);
      if (stash != 1)
        return n.error() << "attribute 'stash_type' is " << stash
                         << ", which is not supported (expected 1, float)";
      inFloat32 = et.isF16() || et.isBF16();
    }
    SmallVector<double> out;
    for (int64_t k = 0; k < static_cast<int64_t>(count); ++k) {
      if (inFloat32) {
        float step = static_cast<float>(k) * static_cast<float>(delta);
        out.push_back(static_cast<float>(start) + step);
        continue;
      }
      out.push_back(start + static_cast<double>(k) * delta);
    }
    FailureOr<DenseElementsAttr> attr = elementsFromDoubles(
        n.loc(), RankedTensorType::get({static_cast<int64_t>(out.size())}, et),
        out, "Range");
    if (failed(attr))
      return failure();
    n.setOutput(0, n.constant(*attr));
    return success();
  }
  if (!isa<IntegerType>(et) || et.isInteger(1))
    return n.error() << "unsupported input type " << n.inputType(0);
  int64_t start = (*values[0].getValues<APInt>().begin()).getSExtValue();
  int64_t limit = (*values[1].getValues<APInt>().begin()).getSExtValue();
  int64_t delta = (*values[2].getValues<APInt>().begin()).getSExtValue();
  if (delta == 0)
    return n.error() << "delta must not be 0";
  // In 128 bits, so extreme int64 bounds cannot overflow.
  __int128 span = static_cast<__int128>(limit) - start;
  __int128 count = 0;
  if ((span > 0 && delta > 0) || (span < 0 && delta < 0)) {
    __int128 step = delta;
    count = (span + step - (delta > 0 ? 1 : -1)) / step;
  }
  if (count > kMaxComputedElements)
    return tooMany(static_cast<double>(count));
  unsigned width = et.getIntOrFloatBitWidth();
  SmallVector<APInt> out;
  for (int64_t k = 0; k < static_cast<int64_t>(count); ++k)
    // Unsigned arithmetic wraps instead of overflowing; the values
    // themselves lie between start and limit.
    out.push_back(APInt(width,
                        static_cast<uint64_t>(start) +
                            static_cast<uint64_t>(k) * static_cast<uint64_t>(delta),
                        /*isSigned=*/true));
  n.setOutput(0, n.constant(DenseElementsAttr::get(
                     RankedTensorType::get({static_cast<int64_t>(count)}, et),
                     out)));
  return success();
}

/// EyeLike: a 2-D constant of the input's shape with ones on diagonal `k`
/// (above the main one for k > 0), of type `dtype` (default: the input's).
LogicalResult importEyeLike(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  std::optional<int64_t> dtype = a.getOptionalInt("dtype");
  int64_t k = a.getInt("k", 0);
  if (failed(n.checkArity(1, 1)) || failed(a.status()))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (type.getRank() != 2 || !type.hasStaticShape())
    return n.error() << "expects a static 2-D input, got " << type;
  Type et = dtype ? elementTypeFor(n.context(), static_cast<int32_t>(*dtype))
                  : type.getElementType();
  if (!et)
    return n.error() << "attribute 'dtype' is "
                     << onnxTypeName(static_cast<int32_t>(*dtype))
                     << ", which Kiln does not support";
  auto attrOf = [&](int64_t v) -> Attribute {
    if (isa<FloatType>(et))
      return FloatAttr::get(et, static_cast<double>(v));
    return IntegerAttr::get(et, v);
  };
  Attribute one = attrOf(1), zero = attrOf(0);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < type.getDimSize(0); ++i)
    for (int64_t j = 0; j < type.getDimSize(1); ++j)
      values.push_back(j - i == k ? one : zero);
  n.setOutput(0, n.constant(DenseElementsAttr::get(
                     RankedTensorType::get(type.getShape(), et), values)));
  return success();
}

/// NonZero: the indices of the nonzero elements, [rank, count]. The count
/// decides the output's shape, so the input must be known at compile time.
LogicalResult importNonZero(NodeImporter &n) {
  if (failed(n.checkArity(1, 1)))
    return failure();
  FailureOr<DenseElementsAttr> x = n.constantInput(0, "X");
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  SmallVector<bool> nonzero;
  if (isa<FloatType>(type.getElementType()))
    for (const APFloat &v : x->getValues<APFloat>())
      nonzero.push_back(!v.isZero());
  else
    for (const APInt &v : x->getValues<APInt>())
      nonzero.push_back(!v.isZero());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = shape.size(), count = llvm::count(nonzero, true);
  SmallVector<int64_t> indices(rank * count);
  int64_t found = 0;
  for (auto [flat, isNonzero] : llvm::enumerate(nonzero)) {
    if (!isNonzero)
      continue;
    int64_t rest = flat;
    for (int64_t d = rank - 1; d >= 0; --d) {
      indices[d * count + found] = rest % shape[d];
      rest /= shape[d];
    }
    ++found;
  }
  n.setOutput(0, n.constant(DenseElementsAttr::get(
                     RankedTensorType::get({rank, count}, n.b().getI64Type()),
                     ArrayRef(indices))));
  return success();
}

enum class WindowKind { hann, hamming, blackman };

/// HannWindow, HammingWindow and BlackmanWindow: constants of `size` values
/// (an input known at compile time), as the operator text computes them (in
/// float64, then output_datatype), periodic (denominator size) or symmetric
/// (size - 1).
OpHandler window(WindowKind kind) {
  return [kind](NodeImporter &n) -> LogicalResult {
    AttributeReader &a = n.attrs();
    int64_t dtype = a.getInt("output_datatype", 1);
    bool periodic = a.getBool("periodic", true);
    if (failed(n.checkArity(1, 1)) || failed(a.status()))
      return failure();
    Type et = elementTypeFor(n.context(), static_cast<int32_t>(dtype));
    if (!et || et.isInteger(1))
      return n.error() << "attribute 'output_datatype' is "
                       << onnxTypeName(static_cast<int32_t>(dtype))
                       << ", which Kiln does not support here";
    FailureOr<SmallVector<int64_t>> size = n.constantInts(0, "size");
    if (failed(size))
      return failure();
    if (size->size() != 1 || size->front() < 0 ||
        size->front() > kMaxComputedElements)
      return n.error() << "input 'size' must be one value in [0, "
                       << kMaxComputedElements << "]";
    int64_t length = size->front();
    double denom = static_cast<double>(periodic ? length : length - 1);
    SmallVector<Attribute> values;
    for (int64_t i = 0; i < length; ++i) {
      double t = 2 * M_PI * static_cast<double>(i) / denom, v;
      switch (kind) {
      case WindowKind::hann:
        v = std::pow(std::sin(M_PI * static_cast<double>(i) / denom), 2);
        break;
      case WindowKind::hamming:
        v = 25.0 / 46.0 - (1 - 25.0 / 46.0) * std::cos(t);
        break;
      case WindowKind::blackman:
        v = 0.42 - 0.5 * std::cos(t) + 0.08 * std::cos(2 * t);
        break;
      }
      values.push_back(isa<FloatType>(et)
                           ? Attribute(FloatAttr::get(et, v))
                           : Attribute(IntegerAttr::get(
                                 et, static_cast<int64_t>(v))));
    }
    n.setOutput(0, n.constant(DenseElementsAttr::get(
                       RankedTensorType::get({length}, et), values)));
    return success();
  };
}

} // namespace

void onnx_import::registerConstantOps(OpTable &t) {
  t.add("Constant", 1, importConstant);
  t.add("ConstantOfShape", 9, importConstantOfShape);
  t.add("BlackmanWindow", 17, window(WindowKind::blackman));
  t.add("EyeLike", 9, importEyeLike);
  t.add("HammingWindow", 17, window(WindowKind::hamming));
  t.add("HannWindow", 17, window(WindowKind::hann));
  t.add("NonZero", 9, importNonZero);
  t.add("Range", 11, importRange);
  t.add("Shape", 1, importShape);
  t.add("Size", 1, importSize);
}
