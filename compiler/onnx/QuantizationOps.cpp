//===- QuantizationOps.cpp - ONNX quantized ops -> kiln ---------------------===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// QLinearMatMul, ConvInteger and QLinearConv as compositions of kiln ops, in
// integer arithmetic where the operator text computes in integers: zero
// points are subtracted and added in int32, products accumulate in int32
// (kiln.matmul and kiln.conv on i32), and only the
// scaling by a float scale and its rounding (half to even) happen in floats.
// Quantized types are int8, uint8, int16, uint16, int4, uint4, int2, uint2
// and the float8 types (QuantizeLinear and DequantizeLinear only); float4e2m1
// is refused by name where the tensors are read.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// Past this magnitude a rounded value saturates whatever the zero point
/// (at most 65535 in magnitude) adds: clamping to it keeps int32 exact.
constexpr double kSaturationGuard = 1 << 24;

/// int8, uint8, int16, uint16, int4, uint4, int2 or uint2.
bool isQuantizedType(Type t) {
  auto it = dyn_cast<IntegerType>(t);
  return it && llvm::is_contained({2u, 4u, 8u, 16u}, it.getWidth());
}

std::pair<double, double> rangeOf(IntegerType t) {
  unsigned w = t.getWidth();
  if (t.isUnsigned())
    return {0.0, std::ldexp(1.0, w) - 1};
  return {-std::ldexp(1.0, w - 1), std::ldexp(1.0, w - 1) - 1};
}

Value clip(OpChain &c, Value v, double lo, double hi) {
  return c.op("kiln.clip", v, {c.n.namedF64("min", lo), c.n.namedF64("max", hi)});
}

/// saturate(round(real) + zeroPoint) as `to`: the rounding in `real`'s float
/// type, the zero point added in int32.
Value requantize(OpChain &c, Value real, Value zeroPoint, IntegerType to) {
  Type i32 = c.n.b().getI32Type();
  Value rounded = roundHalfToEven(c, real);
  Value q = c.cast(clip(c, rounded, -kSaturationGuard, kSaturationGuard), i32);
  if (zeroPoint)
    q = c.op("kiln.add", {q, c.cast(zeroPoint, i32)});
  auto [lo, hi] = rangeOf(to);
  return c.cast(clip(c, q, lo, hi), to);
}

/// How a scale or zero point lines up with x: per tensor (one element), per
/// axis (1-D along `axis`) or per block of `blockSize` along `axis` (x's rank,
/// x's dims but ceil(dim / blockSize) along `axis`).
struct QuantAxis {
  int64_t axis = 1;
  int64_t blockSize = 0;
};

/// `v` (a scale or zero point) reshaped or repeated to broadcast against `x`.
FailureOr<Value> alongAxis(OpChain &c, Value v, RankedTensorType x,
                           const QuantAxis &q, unsigned input) {
  NodeImporter &n = c.n;
  auto type = cast<RankedTensorType>(v.getType());
  if (!type.hasStaticShape())
    return n.error() << "input '" << n.inputName(input)
                     << "' must have a static shape, got " << type;
  if (type.getNumElements() == 1 && q.blockSize == 0)
    return type.getRank() == 0 ? v : c.reshape(v, {});
  int64_t rank = x.getRank();
  FailureOr<int64_t> axis = n.normalizeAxis(q.axis, rank);
  if (failed(axis))
    return failure();
  int64_t dim = x.getDimSize(*axis);
  if (q.blockSize == 0) {
    if (type.getRank() != 1 || type.getDimSize(0) != dim)
      return n.error() << "input '" << n.inputName(input)
                       << "' must have one element or " << dim
                       << " (along axis " << *axis << "), got " << type;
    SmallVector<int64_t> shape(rank, 1);
    shape[*axis] = dim;
    return c.reshape(v, shape);
  }
  if (q.blockSize < 0 || dim % q.blockSize != 0)
    return n.error() << "attribute 'block_size' = " << q.blockSize
                     << " must divide dim " << *axis << " (" << dim
                     << ") of the input";
  SmallVector<int64_t> blocks(x.getShape());
  blocks[*axis] = dim / q.blockSize;
  if (type.getShape() != ArrayRef<int64_t>(blocks))
    return n.error() << "input '" << n.inputName(input)
                     << "' must have one entry per block, got " << type;
  SmallVector<int64_t> split(blocks);
  split.insert(split.begin() + *axis + 1, 1);
  Value expanded = c.reshape(v, split);
  split[*axis + 1] = q.blockSize;
  expanded = c.op("kiln.expand", expanded, {n.namedI64s("shape", split)});
  return c.reshape(expanded, x.getShape());
}

/// Reads axis (opset 13+) and block_size (21+).
QuantAxis readQuantAxis(NodeImporter &n) {
  QuantAxis q;
  if (n.opset() >= 13)
    q.axis = n.attrs().getInt("axis", 1);
  if (n.opset() >= 21)
    q.blockSize = n.attrs().getInt("block_size", 0);
  return q;
}

/// The element type an `output_dtype` attribute names (0: none).
FailureOr<Type> outputDtype(NodeImporter &n, int64_t code) {
  if (code == 0)
    return Type();
  Type t = elementTypeFor(n.context(), static_cast<int32_t>(code));
  if (!t)
    return n.error() << "attribute 'output_dtype' is "
                     << onnxTypeName(static_cast<int32_t>(code))
                     << ", which Kiln does not support";
  return t;
}

LogicalResult importQuantizeLinear(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  QuantAxis q = readQuantAxis(n);
  // saturate changes only float8 outputs.
  bool saturate = n.opset() >= 19 ? a.getBool("saturate", true) : true;
  int64_t dtypeCode = n.opset() >= 21 ? a.getInt("output_dtype", 0) : 0;
  int64_t precision = n.opset() >= 23 ? a.getInt("precision", 0) : 0;
  if (failed(n.checkArity(2, 3)) || failed(a.status()))
    return failure();
  if (precision != 0)
    return n.error() << "attribute 'precision' = " << precision
                     << " is not supported (only 0: divide in the scale's type)";
  FailureOr<Type> dtype = outputDtype(n, dtypeCode);
  if (failed(dtype))
    return failure();
  Type out = n.hasInput(2) ? n.inputType(2).getElementType()
             : *dtype      ? *dtype
                           : Type(IntegerType::get(n.context(), 8,
                                                   IntegerType::Unsigned));
  if (*dtype && *dtype != out)
    return n.error() << "attribute 'output_dtype' disagrees with the zero "
                        "point's type "
                     << out;
  Type scaleType = n.inputType(1).getElementType();
  if (!(isQuantizedType(out) || isFloat8(out)) || !isa<FloatType>(scaleType) ||
      isFloat8(scaleType) || !isa<FloatType>(n.inputType(0).getElementType()))
    return n.error() << "expects a float input and scale and an int8, uint8, "
                        "int16, uint16, int4, uint4, int2, uint2 or float8 "
                        "output, got "
                     << n.inputType(0) << ", " << n.inputType(1) << " -> "
                     << out;
  OpChain c{n};
  RankedTensorType xType = n.inputType(0);
  FailureOr<Value> scale = alongAxis(c, n.input(1), xType, q, 1);
  if (failed(scale))
    return failure();
  Value zp;
  if (n.hasInput(2)) {
    FailureOr<Value> z = alongAxis(c, n.input(2), xType, q, 2);
    if (failed(z))
      return failure();
    zp = *z;
  }
  Value real = c.op("kiln.div", {c.cast(n.input(0), scaleType), *scale});
  if (isFloat8(out)) {
    // x / scale + zero point, rounded once to the float8 type (saturating
    // as the attribute says); the zero point is usually 0.
    if (zp)
      real = c.op("kiln.add", {real, c.cast(zp, scaleType)});
    if (!c.ok)
      return failure();
    FailureOr<Value> y = n.cast(real, out, saturate);
    return failed(y) ? failure() : c.output(0, *y);
  }
  return c.output(0, requantize(c, real, zp, cast<IntegerType>(out)));
}

LogicalResult importDequantizeLinear(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  QuantAxis q = readQuantAxis(n);
  int64_t dtypeCode = n.opset() >= 23 ? a.getInt("output_dtype", 0) : 0;
  if (failed(n.checkArity(2, 3)) || failed(a.status()))
    return failure();
  Type scaleType = n.inputType(1).getElementType();
  FailureOr<Type> dtype = outputDtype(n, dtypeCode);
  if (failed(dtype))
    return failure();
  if (*dtype && *dtype != scaleType)
    return n.error() << "attribute 'output_dtype' must be the scale's type "
                     << scaleType;
  Type xElement = n.inputType(0).getElementType();
  bool int32Input = xElement.isSignlessInteger(32);
  if (!(isQuantizedType(xElement) || int32Input || isFloat8(xElement)) ||
      !isa<FloatType>(scaleType) || isFloat8(scaleType))
    return n.error() << "expects an int8, uint8, int16, uint16, int4, uint4, "
                        "int2, uint2, int32 or float8 input and a float "
                        "scale, got "
                     << n.inputType(0) << ", " << n.inputType(1);
  OpChain c{n};
  RankedTensorType xType = n.inputType(0);
  // (x - zero point) in int32 for integers; for float8 in the scale's type,
  // which holds every float8 value exactly (the zero point is usually 0).
  Type work = isFloat8(xElement) ? scaleType : Type(n.b().getI32Type());
  Value x = c.cast(n.input(0), work);
  if (n.hasInput(2)) {
    FailureOr<Value> zp = alongAxis(c, n.input(2), xType, q, 2);
    if (failed(zp))
      return failure();
    x = c.op("kiln.sub", {x, c.cast(*zp, work)});
  }
  FailureOr<Value> scale = alongAxis(c, n.input(1), xType, q, 1);
  if (failed(scale))
    return failure();
  return c.output(0, c.op("kiln.mul", {c.cast(x, scaleType), *scale}));
}

/// `v` - zero point `input` (if given) in int32. A 1-D zero point of a
/// matrix's rows (`perRow`) becomes a column.
FailureOr<Value> minusZeroPoint(OpChain &c, Value v, unsigned input,
                                bool perRow) {
  NodeImporter &n = c.n;
  Type i32 = n.b().getI32Type();
  Value x = c.cast(v, i32);
  if (!n.hasInput(input))
    return x;
  RankedTensorType zpType = n.inputType(input);
  Value zp = c.cast(n.input(input), i32);
  if (zpType.getRank() > 1)
    return n.error() << "input '" << n.inputName(input)
                     << "' must be a scalar or 1-D, got " << zpType;
  if (perRow && zpType.getRank() == 1 && zpType.getNumElements() != 1)
    zp = c.reshape(zp, {zpType.getNumElements(), 1});
  return c.op("kiln.sub", {x, zp});
}

/// The int32 product (A - a_zp) x (B - b_zp) of inputs `a` and `b` with zero
/// points at `aZp` and `bZp`.
FailureOr<Value> integerProduct(OpChain &c, unsigned a, unsigned aZp,
                                unsigned b, unsigned bZp) {
  NodeImporter &n = c.n;
  for (unsigned i : {a, b})
    if (!isQuantizedType(n.inputType(i).getElementType()) ||
        n.inputType(i).getElementType().getIntOrFloatBitWidth() != 8)
      return n.error() << "expects int8 or uint8 matrices, got "
                       << n.inputType(i) << " for '" << n.inputName(i) << "'";
  FailureOr<Value> lhs = minusZeroPoint(c, n.input(a), aZp, true);
  FailureOr<Value> rhs = minusZeroPoint(c, n.input(b), bZp, false);
  if (failed(lhs) || failed(rhs))
    return failure();
  return c.op("kiln.matmul", {*lhs, *rhs});
}

LogicalResult importMatMulInteger(NodeImporter &n) {
  if (failed(n.checkArity(2, 4)))
    return failure();
  OpChain c{n};
  FailureOr<Value> y = integerProduct(c, 0, 2, 1, 3);
  if (failed(y))
    return failure();
  return c.output(0, *y);
}

/// QLinearMatMul: saturate(round(acc * a_scale * b_scale / y_scale) + y_zp),
/// acc the int32 product; the scale factor in the scales' type, as the
/// operator's reference, the product with acc in float64 (exact for int32).
LogicalResult importQLinearMatMul(NodeImporter &n) {
  if (failed(n.checkArity(8, 8)))
    return failure();
  OpChain c{n};
  FailureOr<Value> acc = integerProduct(c, 0, 2, 3, 5);
  if (failed(acc))
    return failure();
  Type out = n.inputType(7).getElementType();
  if (!isQuantizedType(out))
    return n.error() << "expects an int8 or uint8 output zero point, got "
                     << n.inputType(7);
  for (unsigned i : {1u, 4u, 6u})
    if (!isa<FloatType>(n.inputType(i).getElementType()))
      return n.error() << "expects float scales, got " << n.inputType(i)
                       << " for '" << n.inputName(i) << "'";
  Value aScale = n.input(1);
  RankedTensorType aScaleType = n.inputType(1);
  if (aScaleType.getRank() == 1 && aScaleType.getNumElements() != 1)
    aScale = c.reshape(aScale, {aScaleType.getNumElements(), 1});
  Value factor = c.op("kiln.div", {c.op("kiln.mul", {aScale, n.input(4)}),
                                   n.input(6)});
  Type f64 = n.b().getF64Type();
  Value real = c.op("kiln.mul", {c.cast(*acc, f64), c.cast(factor, f64)});
  return c.output(0, requantize(c, real, n.input(7), cast<IntegerType>(out)));
}

/// Input `i` (int8 or uint8) minus zero point `zp` (if given: a scalar, or
/// with `perChannel` also one per output channel, dim 0 of a filter) in
/// int32, shaped to broadcast against the input.
FailureOr<Value> convOperand(OpChain &c, unsigned i, unsigned zp,
                             bool perChannel) {
  NodeImporter &n = c.n;
  RankedTensorType type = n.inputType(i);
  if (!isQuantizedType(type.getElementType()) ||
      type.getElementType().getIntOrFloatBitWidth() != 8)
    return n.error() << "expects int8 or uint8 for '" << n.inputName(i)
                     << "', got " << type;
  Value v = c.cast(n.input(i), n.b().getI32Type());
  if (!n.hasInput(zp))
    return v;
  RankedTensorType zpType = n.inputType(zp);
  if (zpType.getElementType() != type.getElementType())
    return n.error() << "zero point '" << n.inputName(zp) << "' " << zpType
                     << " must have the element type of '" << n.inputName(i)
                     << "' " << type;
  Value z = c.cast(n.input(zp), n.b().getI32Type());
  if (zpType.hasStaticShape() && zpType.getNumElements() == 1) {
    z = c.reshape(z, {});
  } else if (perChannel && zpType.getRank() == 1 &&
             zpType.getDimSize(0) == type.getDimSize(0)) {
    SmallVector<int64_t> shape(type.getRank(), 1);
    shape[0] = type.getDimSize(0);
    z = c.reshape(z, shape);
  } else {
    return n.error() << "zero point '" << n.inputName(zp) << "' must be a scalar"
                     << (perChannel ? " or one per output channel" : "")
                     << ", got " << zpType;
  }
  return c.op("kiln.sub", {v, z});
}

/// The int32 convolution of ConvInteger and QLinearConv: (x - x_zp) and
/// (w - w_zp) in int32 through kiln.conv on i32, with the window attributes
/// of Conv. Padding adds zeros to x - x_zp, so padded positions hold x_zp as
/// the operator text's reference computes it.
FailureOr<Value> integerConv(OpChain &c, unsigned x, unsigned xZp, unsigned w,
                             unsigned wZp, std::optional<unsigned> bias) {
  NodeImporter &n = c.n;
  int64_t group = n.attrs().getInt("group", 1);
  RankedTensorType input = n.inputType(x), weights = n.inputType(w);
  if (weights.getRank() != input.getRank() || weights.getRank() < 3)
    return n.error() << "weights " << weights << " must be [M, C / group, "
                     << "kernel...] of the rank of input " << input;
  FailureOr<Window> window = readWindow(
      n, input, weights.getShape().drop_front(2), /*readDilations=*/true);
  if (failed(window) || failed(n.attrs().status()))
    return failure();
  FailureOr<Value> lhs = convOperand(c, x, xZp, false);
  FailureOr<Value> rhs = convOperand(c, w, wZp, true);
  if (failed(lhs) || failed(rhs))
    return failure();
  SmallVector<Value> operands = {*lhs, *rhs};
  if (bias && n.hasInput(*bias)) {
    RankedTensorType b = n.inputType(*bias);
    if (!b.getElementType().isSignlessInteger(32))
      return n.error() << "expects an int32 bias, got " << b;
    operands.push_back(n.input(*bias));
  }
  return c.op("kiln.conv", operands,
              {n.namedI64s("strides", window->strides),
               n.namedI64s("pads", window->pads),
               n.namedI64s("dilations", window->dilations),
               n.namedI64("groups", group)});
}

LogicalResult importConvInteger(NodeImporter &n) {
  if (failed(n.checkArity(2, 4)))
    return failure();
  OpChain c{n};
  FailureOr<Value> y = integerConv(c, 0, 2, 1, 3, std::nullopt);
  if (failed(y))
    return failure();
  return c.output(0, *y);
}

/// QLinearConv: saturate(round((acc + B) * x_scale * w_scale / y_scale) +
/// y_zp), acc the int32 convolution; w_scale and w_zero_point per tensor or
/// per output channel. As for QLinearMatMul, the scale factor is computed in
/// the scales' type and its product with the int32 sum in float64.
LogicalResult importQLinearConv(NodeImporter &n) {
  if (failed(n.checkArity(8, 9)))
    return failure();
  OpChain c{n};
  FailureOr<Value> acc = integerConv(c, 0, 2, 3, 5, 8u);
  if (failed(acc))
    return failure();
  // y's type is y_zero_point's, independent of x's and w's (T3 of the text).
  Type out = n.inputType(7).getElementType();
  if (!isQuantizedType(out) || out.getIntOrFloatBitWidth() != 8)
    return n.error() << "expects an int8 or uint8 y_zero_point, got "
                     << n.inputType(7);
  for (unsigned i : {1u, 4u, 6u})
    if (!isa<FloatType>(n.inputType(i).getElementType()) ||
        !n.inputType(i).hasStaticShape())
      return n.error() << "expects static float scales, got " << n.inputType(i)
                       << " for '" << n.inputName(i) << "'";
  for (unsigned i : {1u, 6u, 7u})
    if (n.inputType(i).getNumElements() != 1)
      return n.error() << "expects a scalar '" << n.inputName(i) << "', got "
                       << n.inputType(i);
  // w_scale: a scalar, or one per output channel along dim 1 of the result.
  Value wScale = n.input(4);
  RankedTensorType wScaleType = n.inputType(4);
  int64_t channels = n.inputType(3).getDimSize(0);
  int64_t rank = n.inputType(0).getRank();
  if (wScaleType.getNumElements() == 1) {
    wScale = c.reshape(wScale, {});
  } else if (wScaleType.getRank() == 1 && wScaleType.getDimSize(0) == channels) {
    SmallVector<int64_t> shape(rank - 1, 1);
    shape[0] = channels;
    wScale = c.reshape(wScale, shape);
  } else {
    return n.error() << "expects w_scale to be a scalar or one per output "
                        "channel ("
                     << channels << "), got " << wScaleType;
  }
  Value xScale = c.reshape(n.input(1), {});
  Value yScale = c.reshape(n.input(6), {});
  Value factor = c.op("kiln.div", {c.op("kiln.mul", {xScale, wScale}), yScale});
  Type f64 = n.b().getF64Type();
  Value real = c.op("kiln.mul", {c.cast(*acc, f64), c.cast(factor, f64)});
  Value zp = c.reshape(n.input(7), {});
  return c.output(0, requantize(c, real, zp, cast<IntegerType>(out)));
}

/// DynamicQuantizeLinear: uint8 with the scale and zero point of x's range
/// extended to include 0, as the operator text computes them in float32.
LogicalResult importDynamicQuantizeLinear(NodeImporter &n) {
  if (failed(n.checkArity(1, 1, 3, 3)))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (!type.getElementType().isF32() || !type.hasStaticShape())
    return n.error() << "expects a static float32 input, got " << type;
  OpChain c{n};
  Type f32 = n.b().getF32Type();
  auto u8 = IntegerType::get(n.context(), 8, IntegerType::Unsigned);
  SmallVector<int64_t> all;
  for (int64_t d = 0; d < type.getRank(); ++d)
    all.push_back(d);
  auto reduce = [&](StringRef op) {
    return c.op(op, n.input(0),
                {n.namedI64s("axes", all), n.namedBool("keepdims", false)});
  };
  Value zero = c.scalar(f32, 0);
  Value hi = c.op("kiln.max", {reduce("kiln.reduce_max"), zero});
  Value lo = c.op("kiln.min", {reduce("kiln.reduce_min"), zero});
  Value scale = c.op("kiln.div", {c.op("kiln.sub", {hi, lo}), c.scalar(f32, 255)});
  Value initialZp = c.op("kiln.sub", {zero, c.op("kiln.div", {lo, scale})});
  Value zp = c.cast(clip(c, roundHalfToEven(c, initialZp), 0, 255), u8);
  Value y = requantize(c, c.op("kiln.div", {n.input(0), scale}), zp, u8);
  if (failed(c.output(1, scale)) || failed(c.output(2, zp)))
    return failure();
  return c.output(0, y);
}

} // namespace

void onnx_import::registerQuantizationOps(OpTable &t) {
  t.add("ConvInteger", 10, importConvInteger);
  t.add("DequantizeLinear", 10, importDequantizeLinear);
  t.add("DynamicQuantizeLinear", 11, importDynamicQuantizeLinear);
  t.add("MatMulInteger", 10, importMatMulInteger);
  t.add("QLinearConv", 10, importQLinearConv);
  t.add("QLinearMatMul", 10, importQLinearMatMul);
  t.add("QuantizeLinear", 10, importQuantizeLinear);
}
