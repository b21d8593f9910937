//===- ConstantFolding.cpp - Constant evaluation for kiln folders ---------===//

#include "ir/ops/Folding.h"
#include "ir/ElementValues.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cmath>

using namespace mlir;
using llvm::APFloat;
using llvm::APInt;

namespace mlir::kiln::fold {
namespace {

/// The elements of a constant, expanded from a splat if need be. Integers
/// (including i1) are APInts, floats APFloats.
struct Elements {
  RankedTensorType type;
  SmallVector<APInt> ints;
  SmallVector<APFloat> floats;
  bool isFloat() const { return isa<FloatType>(type.getElementType()); }
};

/// `t` as a static tensor type of at most `limit` elements, else null.
RankedTensorType staticType(Type t, int64_t limit) {
  auto r = dyn_cast_or_null<RankedTensorType>(t);
  if (!r || !r.hasStaticShape() || r.getNumElements() > limit)
    return {};
  return r;
}

DenseElementsAttr asDense(Attribute a, int64_t limit) {
  auto d = dyn_cast_or_null<DenseElementsAttr>(a);
  if (!d || !staticType(d.getType(), limit))
    return {};
  return d;
}

std::optional<Elements> read(Attribute a, int64_t limit) {
  DenseElementsAttr d = asDense(a, limit);
  if (!d)
    return std::nullopt;
  Elements e{llvm::cast<RankedTensorType>(d.getType()), {}, {}};
  if (e.isFloat())
    e.floats.append(d.value_begin<APFloat>(), d.value_end<APFloat>());
  else
    e.ints.append(d.value_begin<APInt>(), d.value_end<APInt>());
  return e;
}

double toDouble(APFloat v) {
  bool lost;
  v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return v.convertToDouble();
}

SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// Maps flat indices of `outShape` to flat indices of `inShape`, where
/// `inShape` broadcasts to `outShape` NumPy-style.
class BroadcastMap {
public:
  BroadcastMap(ArrayRef<int64_t> inShape, ArrayRef<int64_t> outShape)
      : outStrides(rowMajorStrides(outShape)) {
    SmallVector<int64_t> inStrides = rowMajorStrides(inShape);
    size_t offset = outShape.size() - inShape.size();
    srcStrides.assign(outShape.size(), 0);
    for (size_t i = 0; i < inShape.size(); ++i)
      srcStrides[offset + i] = inShape[i] == 1 ? 0 : inStrides[i];
  }
  int64_t operator()(int64_t flat) const {
    int64_t src = 0;
    for (size_t d = 0; d < outStrides.size(); ++d) {
      src += (flat / outStrides[d]) * srcStrides[d];
      flat %= outStrides[d];
    }
    return src;
  }

private:
  SmallVector<int64_t> outStrides, srcStrides;
};

/// Builds the result by picking, for each output element, an input element
/// (`src(i) >= 0`) or the fill value (`src(i) < 0`).
DenseElementsAttr pick(const Elements &in, RankedTensorType resultType,
                       llvm::function_ref<int64_t(int64_t)> src,
                       std::optional<Attribute> fill = std::nullopt) {
  int64_t n = resultType.getNumElements();
  if (in.isFloat()) {
    SmallVector<APFloat> out;
    out.reserve(n);
    for (int64_t i = 0; i < n; ++i) {
      int64_t s = src(i);
      out.push_back(s >= 0 ? in.floats[s] : llvm::cast<FloatAttr>(*fill).getValue());
    }
    return DenseElementsAttr::get(resultType, out);
  }
  SmallVector<APInt> out;
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t s = src(i);
    out.push_back(s >= 0 ? in.ints[s] : llvm::cast<IntegerAttr>(*fill).getValue());
  }
  return DenseElementsAttr::get(resultType, out);
}

/// Splat in, splat out: data movement of a splat only changes the shape.
Attribute splatAs(DenseElementsAttr d, RankedTensorType resultType) {
  return DenseElementsAttr::get(resultType, d.getSplatValue<Attribute>());
}

} // namespace

Attribute elementwise(ArrayRef<Attribute> operands, Type resultType,
                      ScalarFn fn, int64_t limit) {
  RankedTensorType rt = staticType(resultType, limit);
  if (!rt)
    return {};
  SmallVector<Elements> ins;
  SmallVector<BroadcastMap> maps;
  for (Attribute a : operands) {
    std::optional<Elements> e = read(a, limit);
    if (!e)
      return {};
    maps.emplace_back(e->type.getShape(), rt.getShape());
    ins.push_back(std::move(*e));
  }
  Type resultElement = rt.getElementType();
  int64_t n = rt.getNumElements();
  SmallVector<APFloat> floats;
  SmallVector<APInt> ints;
  if (isa<FloatType>(resultElement))
    floats.reserve(n);
  else
    ints.reserve(n);
  SmallVector<Scalar, 3> args;
  for (int64_t i = 0; i < n; ++i) {
    args.clear();
    for (auto [in, map] : llvm::zip_equal(ins, maps)) {
      Type et = in.type.getElementType();
      int64_t src = map(i);
      if (in.isFloat())
        args.emplace_back(cast<FloatType>(et), in.floats[src]);
      else
        args.emplace_back(cast<IntegerType>(et), in.ints[src]);
    }
    std::optional<Scalar> r = fn(args);
    if (!r)
      return {};
    assert(r->getType() == resultElement && "a value of another type");
    if (r->isFloat())
      floats.push_back(std::move(*r).takeFloat());
    else
      ints.push_back(std::move(*r).takeInt());
  }
  return isa<FloatType>(resultElement) ? DenseElementsAttr::get(rt, floats)
                                       : DenseElementsAttr::get(rt, ints);
}

Attribute reshape(Attribute operand, Type resultType) {
  RankedTensorType rt = staticType(resultType, kMaxDataElements);
  DenseElementsAttr d = asDense(operand, kMaxDataElements);
  if (!rt || !d || d.getNumElements() != rt.getNumElements())
    return {};
  return d.reshape(rt);
}

Attribute transpose(Attribute operand, ArrayRef<int64_t> perm,
                    Type resultType) {
  RankedTensorType rt = staticType(resultType, kMaxDataElements);
  DenseElementsAttr d = asDense(operand, kMaxDataElements);
  if (!rt || !d)
    return {};
  if (d.isSplat())
    return splatAs(d, rt);
  std::optional<Elements> in = read(d, kMaxDataElements);
  SmallVector<int64_t> inStrides = rowMajorStrides(in->type.getShape());
  SmallVector<int64_t> outStrides = rowMajorStrides(rt.getShape());
  return pick(*in, rt, [&](int64_t flat) {
    int64_t src = 0;
    for (size_t i = 0; i < perm.size(); ++i) {
      src += (flat / outStrides[i]) * inStrides[perm[i]];
      flat %= outStrides[i];
    }
    return src;
  });
}

Attribute concat(ArrayRef<Attribute> operands, int64_t axis,
                 Type resultType) {
  RankedTensorType rt = staticType(resultType, kMaxDataElements);
  if (!rt)
    return {};
  SmallVector<Elements> ins;
  for (Attribute a : operands) {
    std::optional<Elements> e = read(a, kMaxDataElements);
    if (!e)
      return {};
    ins.push_back(std::move(*e));
  }
  // Concatenation = for each outer index, append each input's inner block.
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= rt.getDimSize(i);
  Elements all{rt, {}, {}};
  for (int64_t o = 0; o < outer; ++o) {
    for (const Elements &e : ins) {
      int64_t block = e.type.getNumElements() / std::max<int64_t>(outer, 1);
      if (e.isFloat())
        all.floats.append(e.floats.begin() + o * block,
                          e.floats.begin() + (o + 1) * block);
      else
        all.ints.append(e.ints.begin() + o * block,
                        e.ints.begin() + (o + 1) * block);
    }
  }
  return all.isFloat() ? DenseElementsAttr::get(rt, all.floats)
                       : DenseElementsAttr::get(rt, all.ints);
}

Attribute slice(Attribute operand, ArrayRef<int64_t> starts,
                ArrayRef<int64_t> steps, Type resultType) {
  RankedTensorType rt = staticType(resultType, kMaxDataElements);
  DenseElementsAttr d = asDense(operand, kMaxDataElements);
  if (!rt || !d)
    return {};
  if (d.isSplat())
    return splatAs(d, rt);
  std::optional<Elements> in = read(d, kMaxDataElements);
  SmallVector<int64_t> inStrides = rowMajorStrides(in->type.getShape());
  SmallVector<int64_t> outStrides = rowMajorStrides(rt.getShape());
  return pick(*in, rt, [&](int64_t flat) {
    int64_t src = 0;
    for (size_t i = 0; i < starts.size(); ++i) {
      src += (starts[i] + (flat / outStrides[i]) * steps[i]) * inStrides[i];
      flat %= outStrides[i];
    }
    return src;
  });
}

Attribute gather(Attribute data, Attribute indices, int64_t axis,
                 Type resultType) {
  RankedTensorType rt = staticType(resultType, kMaxDataElements);
  std::optional<Elements> in = read(data, kMaxDataElements);
  std::optional<Elements> idx = read(indices, kMaxDataElements);
  if (!rt || !in || !idx)
    return {};
  ArrayRef<int64_t> dataShape = in->type.getShape();
  int64_t axisSize = dataShape[axis];
  SmallVector<int64_t> normalized;
  for (const APInt &v : idx->ints) {
    int64_t i = v.getSExtValue();
    if (i < 0)
      i += axisSize;
    if (i < 0 || i >= axisSize)
      return {}; // Out of range: leave it to the generated code's clamping.
    normalized.push_back(i);
  }
  int64_t inner = 1;
  for (size_t i = axis + 1; i < dataShape.size(); ++i)
    inner *= dataShape[i];
  int64_t numIdx = static_cast<int64_t>(normalized.size());
  return pick(*in, rt, [&](int64_t flat) {
    int64_t innerIdx = flat % inner;
    int64_t k = (flat / inner) % numIdx;
    int64_t outerIdx = flat / (inner * numIdx);
    return (outerIdx * axisSize + normalized[k]) * inner + innerIdx;
  });
}

Attribute broadcast(Attribute operand, Type resultType) {
  RankedTensorType rt = staticType(resultType, kMaxDataElements);
  DenseElementsAttr d = asDense(operand, kMaxDataElements);
  if (!rt || !d)
    return {};
  if (d.isSplat())
    return splatAs(d, rt);
  std::optional<Elements> in = read(d, kMaxDataElements);
  BroadcastMap map(in->type.getShape(), rt.getShape());
  return pick(*in, rt, [&](int64_t flat) { return map(flat); });
}

Attribute padConstant(Attribute operand, ArrayRef<int64_t> pads, double value,
                      Type resultType) {
  RankedTensorType rt = staticType(resultType, kMaxDataElements);
  std::optional<Elements> in = read(operand, kMaxDataElements);
  if (!rt || !in)
    return {};
  Type et = rt.getElementType();
  Attribute fill;
  if (auto ft = dyn_cast<FloatType>(et))
    fill = FloatAttr::get(ft, getFloatElement(ft, value));
  else
    fill = IntegerAttr::get(et, getIntElement(cast<IntegerType>(et), value));
  ArrayRef<int64_t> inShape = in->type.getShape();
  size_t rank = inShape.size();
  SmallVector<int64_t> inStrides = rowMajorStrides(inShape);
  SmallVector<int64_t> outStrides = rowMajorStrides(rt.getShape());
  return pick(
      *in, rt,
      [&](int64_t flat) -> int64_t {
        int64_t src = 0;
        for (size_t i = 0; i < rank; ++i) {
          int64_t coord = flat / outStrides[i] - pads[i];
          flat %= outStrides[i];
          if (coord < 0 || coord >= inShape[i])
            return -1;
          src += coord * inStrides[i];
        }
        return src;
      },
      fill);
}

bool isSplatOf(Attribute attr, double value) {
  auto d = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!d || !d.isSplat())
    return false;
  if (isa<FloatType>(d.getElementType()))
    return toDouble(d.getSplatValue<APFloat>()) == value;
  if (d.getElementType().isInteger(1) || d.getElementType().isUnsignedInteger())
    return d.getSplatValue<APInt>().getZExtValue() == value;
  return static_cast<double>(d.getSplatValue<APInt>().getSExtValue()) == value;
}

} // namespace mlir::kiln::fold
