//===- ConvOps.cpp - ONNX Conv and ConvTranspose -> kiln -----------------===//
//
// Conv and ConvTranspose map onto kiln.conv and kiln.conv_transpose,
// DeformConv (2-D) onto kiln.deform_conv.
// CausalConvWithState (opset 27) is composed as its function body computes
// it: past_state (or k - 1 zeros) before the input along the length, a
// depthwise kiln.conv (groups = channels) without padding, SiLU in float32
// when asked, and the last k - 1 positions of the padded input as
// present_state.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

#include "ir/Shapes.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

LogicalResult importConv(NodeImporter &n) {
  int64_t group = n.attrs().getInt("group", 1);
  if (failed(n.checkArity(2, 3)))
    return failure();
  RankedTensorType input = n.inputType(0), weights = n.inputType(1);
  if (weights.getRank() != input.getRank())
    return n.error() << "weights " << weights << " and input " << input
                     << " differ in rank";
  if (weights.getRank() < 3)
    return n.error() << "weights must be [F, C / group, kernel...], got "
                     << weights;
  FailureOr<Window> w = readWindow(n, input, weights.getShape().drop_front(2),
                                   /*readDilations=*/true);
  if (failed(w))
    return failure();
  SmallVector<Value> operands = {n.input(0), n.input(1)};
  if (n.hasInput(2))
    operands.push_back(n.input(2));
  FailureOr<Value> y = n.create(
      "kiln.conv", operands,
      {n.namedI64s("strides", w->strides), n.namedI64s("pads", w->pads),
       n.namedI64s("dilations", w->dilations), n.namedI64("groups", group)});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

/// An int-list attribute of ConvTranspose with `count` entries in [min,
/// kMaxElements]; `fallback` fills it when absent.
LogicalResult convTransposeList(NodeImporter &n, StringRef name,
                                const std::optional<SmallVector<int64_t>> &value,
                                int64_t count, int64_t fallback, int64_t min,
                                SmallVector<int64_t> &out) {
  if (!value) {
    out.assign(count, fallback);
    return success();
  }
  if (static_cast<int64_t>(value->size()) != count)
    return n.error() << "attribute '" << name << "' has " << value->size()
                     << " entries, expected " << count;
  for (int64_t x : *value)
    if (x < min || x > kMaxElements)
      return n.error() << "attribute '" << name << "' " << formatShape(*value)
                       << " has an entry outside [" << min << ", "
                       << kMaxElements << "]";
  out = *value;
  return success();
}

int64_t floorHalf(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

/// ConvTranspose. With output_shape or auto_pad SAME_*, the pads come from
/// the operator text's formulas: total_padding = stride * (in - 1) +
/// output_padding + (kernel - 1) * dilation + 1 - output_shape (output_shape
/// = in * stride for SAME_*), split with the odd one at the end for
/// SAME_UPPER and at the begin otherwise. A negative total (an output larger
/// than the full result) splits the same way, with floor division as ONNX's
/// reference implementation; onnxruntime clamps it to 0 instead.
LogicalResult importConvTranspose(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t group = a.getInt("group", 1);
  const StringRef autoPadNames[] = {"NOTSET", "VALID", "SAME_UPPER",
                                    "SAME_LOWER"};
  unsigned autoPad = a.getChoice("auto_pad", "NOTSET", autoPadNames);
  std::optional<SmallVector<int64_t>> padsAttr = a.getInts("pads");
  std::optional<SmallVector<int64_t>> stridesAttr = a.getInts("strides");
  std::optional<SmallVector<int64_t>> dilationsAttr = a.getInts("dilations");
  std::optional<SmallVector<int64_t>> kernelAttr = a.getInts("kernel_shape");
  std::optional<SmallVector<int64_t>> outputPaddingAttr = a.getInts("output_padding");
  std::optional<SmallVector<int64_t>> outputShapeAttr = a.getInts("output_shape");
  if (failed(n.checkArity(2, 3)) || failed(a.status()))
    return failure();
  RankedTensorType input = n.inputType(0), weights = n.inputType(1);
  if (weights.getRank() != input.getRank())
    return n.error() << "weights " << weights << " and input " << input
                     << " differ in rank";
  if (weights.getRank() < 3)
    return n.error() << "weights must be [C, M / group, kernel...], got "
                     << weights;
  int64_t spatial = input.getRank() - 2;
  if (spatial > 3)
    return n.error() << spatial
                     << "-D ConvTranspose is not supported (only 1-D, 2-D and 3-D)";
  ArrayRef<int64_t> kernel = weights.getShape().drop_front(2);
  if (llvm::any_of(kernel, [](int64_t k) { return ShapedType::isDynamic(k); }))
    return n.error() << "weights " << weights << " need a static kernel";
  if (kernelAttr && ArrayRef<int64_t>(*kernelAttr) != kernel)
    return n.error() << "attribute 'kernel_shape' " << formatShape(*kernelAttr)
                     << " differs from the weights' kernel "
                     << formatShape(kernel);
  SmallVector<int64_t> strides, dilations, outputPadding, pads;
  if (failed(convTransposeList(n, "strides", stridesAttr, spatial, 1, 1, strides)) ||
      failed(convTransposeList(n, "dilations", dilationsAttr, spatial, 1, 1,
                               dilations)) ||
      failed(convTransposeList(n, "output_padding", outputPaddingAttr, spatial,
                               0, 0, outputPadding)) ||
      failed(convTransposeList(n, "pads", padsAttr, 2 * spatial, 0, 0, pads)))
    return failure();
  for (int64_t i = 0; i < spatial; ++i)
    if (outputPadding[i] >= std::max(strides[i], dilations[i]))
      return n.error() << "attribute 'output_padding' "
                       << formatShape(outputPadding)
                       << " must be less than the stride or the dilation of "
                          "each dim";
  bool samePad = autoPad == 2 || autoPad == 3;
  if ((samePad || autoPad == 1) && padsAttr &&
      llvm::any_of(*padsAttr, [](int64_t p) { return p != 0; }))
    return n.error() << "attribute 'pads' cannot be combined with auto_pad '"
                     << autoPadNames[autoPad] << "'";

  if (outputShapeAttr || samePad) {
    SmallVector<int64_t> target;
    if (outputShapeAttr) {
      // Either the spatial dims or the whole shape [N, M, spatial...].
      ArrayRef<int64_t> shape = *outputShapeAttr;
      if (static_cast<int64_t>(shape.size()) == spatial + 2)
        shape = shape.drop_front(2);
      if (static_cast<int64_t>(shape.size()) != spatial)
        return n.error() << "attribute 'output_shape' "
                         << formatShape(*outputShapeAttr) << " has "
                         << outputShapeAttr->size() << " entries, expected "
                         << spatial;
      for (int64_t d : shape)
        if (d < 1 || d > kMaxElements)
          return n.error() << "attribute 'output_shape' "
                           << formatShape(*outputShapeAttr)
                           << " has an entry outside [1, " << kMaxElements
                           << "]";
      target.assign(shape.begin(), shape.end());
    }
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = input.getDimSize(2 + i);
      if (ShapedType::isDynamic(in))
        return n.error() << "output_shape and auto_pad need static spatial "
                            "dims, got "
                         << input;
      // Every factor is at most kMaxElements (2^40): beyond that the
      // products below could overflow.
      if (in > kMaxElements / strides[i] ||
          (kernel[i] > 1 && dilations[i] > kMaxElements / (kernel[i] - 1)))
        return n.error() << "input " << input << " with strides "
                         << formatShape(strides) << " and dilations "
                         << formatShape(dilations) << " is too large";
      if (!outputShapeAttr)
        target.push_back(in * strides[i]);
      int64_t total = strides[i] * (in - 1) + outputPadding[i] +
                      (kernel[i] - 1) * dilations[i] + 1 - target[i];
      int64_t half = floorHalf(total);
      pads[i] = autoPad == 2 ? half : total - half;
      pads[spatial + i] = total - pads[i];
    }
  } else if (autoPad == 1) {
    pads.assign(2 * spatial, 0);
  }
  SmallVector<Value> operands = {n.input(0), n.input(1)};
  if (n.hasInput(2))
    operands.push_back(n.input(2));
  FailureOr<Value> y = n.create(
      "kiln.conv_transpose", operands,
      {n.namedI64s("strides", strides), n.namedI64s("pads", pads),
       n.namedI64s("dilations", dilations),
       n.namedI64s("output_padding", outputPadding), n.namedI64("groups", group)});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult importCausalConvWithState(NodeImporter &n) {
  // silu and swish are one activation under two names.
  unsigned activation =
      n.attrs().getChoice("activation", "none", {"none", "silu", "swish"});
  if (failed(n.checkArity(2, 4, 1, 2)) || failed(n.attrs().status()))
    return failure();
  RankedTensorType x = n.inputType(0), w = n.inputType(1);
  Type t = x.getElementType();
  if (!x.hasStaticShape() || x.getRank() != 3 || !isa<FloatType>(t))
    return n.error() << "expects a float input of static shape [B, C, L], got "
                     << x;
  int64_t batch = x.getDimSize(0), channels = x.getDimSize(1),
          length = x.getDimSize(2);
  int64_t k = w.getRank() == 3 ? w.getDimSize(2) : 0;
  if (!w.hasStaticShape() || w.getElementType() != t || k < 1 ||
      w.getShape() != ArrayRef<int64_t>{channels, 1, k})
    return n.error() << "expects 'weight' of " << t << " [" << channels
                     << ", 1, k], got " << w;
  if (n.hasInput(2) &&
      n.inputType(2) != RankedTensorType::get({channels}, t))
    return n.error() << "expects 'bias' of " << t << " [" << channels
                     << "], got " << n.inputType(2);
  if (n.hasInput(3) &&
      n.inputType(3) != RankedTensorType::get({batch, channels, k - 1}, t))
    return n.error() << "expects 'past_state' of " << t << " [" << batch
                     << ", " << channels << ", " << k - 1 << "], got "
                     << n.inputType(3);
  OpChain c{n};
  Value padded = n.input(0);
  if (n.hasInput(3))
    padded = c.op("kiln.concat", {n.input(3), padded}, {n.namedI64("axis", 2)});
  else if (k > 1)
    padded = c.op("kiln.pad", padded,
                  {n.namedI64s("pads", {0, 0, k - 1, 0, 0, 0}),
                   n.b().getNamedAttr("mode",
                                      n.b().getI32IntegerAttr(static_cast<int32_t>(
                                          PadMode::constant))),
                   n.namedF64("value", 0.0)});
  SmallVector<Value> operands = {padded, n.input(1)};
  if (n.hasInput(2))
    operands.push_back(n.input(2));
  Value y = c.op("kiln.conv", operands,
                 {n.namedI64s("strides", {1}), n.namedI64s("pads", {0, 0}),
                  n.namedI64s("dilations", {1}), n.namedI64("groups", channels)});
  if (activation != 0) {
    Value wide = c.cast(y, n.b().getF32Type());
    y = c.cast(c.op("kiln.mul", {wide, c.op("kiln.sigmoid", wide)}), t);
  }
  if (failed(c.output(0, y)))
    return failure();
  if (n.numOutputs() < 2)
    return success();
  int64_t total = length + k - 1;
  return c.output(
      1, c.op("kiln.slice", padded,
              {n.namedI64s("starts", {0, 0, total - (k - 1)}),
               n.namedI64s("ends", {batch, channels, total}),
               n.namedI64s("steps", {1, 1, 1})}));
}

/// DeformConv (opset 19) in 2-D onto kiln.deform_conv. Without a mask every
/// tap counts fully: the mask is a splat of ones of the offset's layout.
LogicalResult importDeformConv(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t group = a.getInt("group", 1);
  int64_t offsetGroup = a.getInt("offset_group", 1);
  // readWindow also reads auto_pad, which DeformConv does not define.
  if (failed(a.rejectIfPresent("auto_pad", "is not an attribute of DeformConv")) ||
      failed(n.checkArity(3, 5)) || failed(a.status()))
    return failure();
  RankedTensorType input = n.inputType(0), weights = n.inputType(1),
                   offset = n.inputType(2);
  if (input.getRank() != 4)
    return n.error() << input.getRank() - 2
                     << "-D DeformConv is not supported (only 2-D), input "
                     << input;
  if (!input.hasStaticShape() || !weights.hasStaticShape() ||
      !offset.hasStaticShape() || input.getNumElements() == 0)
    return n.error() << "expects static X (not empty), W and offset, got "
                     << input << ", " << weights << ", " << offset;
  if (weights.getRank() != 4)
    return n.error() << "weights must be [M, C / group, kH, kW], got " << weights;
  FailureOr<Window> w = readWindow(n, input, weights.getShape().drop_front(2),
                                   /*readDilations=*/true);
  if (failed(w))
    return failure();
  if (offsetGroup < 1 || offsetGroup > input.getDimSize(1))
    return n.error() << "attribute 'offset_group' = " << offsetGroup
                     << " must be in [1, " << input.getDimSize(1)
                     << "] (the input channels)";
  Type et = input.getElementType();
  for (unsigned i : {1u, 2u, 3u, 4u})
    if (n.hasInput(i) && n.inputType(i).getElementType() != et)
      return n.error() << "input '" << n.inputName(i) << "' " << n.inputType(i)
                       << " must have X's element type " << et;
  Value mask = n.input(4);
  if (!mask) {
    if (offset.getRank() != 4)
      return n.error() << "offset must be [N, offset_group * kH * kW * 2, oH, "
                          "oW], got "
                       << offset;
    int64_t taps = offsetGroup * weights.getDimSize(2) * weights.getDimSize(3);
    auto type = RankedTensorType::get(
        {offset.getDimSize(0), taps, offset.getDimSize(2), offset.getDimSize(3)},
        et);
    if (!checkedNumElements(type.getShape()))
      return n.error() << "the mask of ones " << type << " would be too large";
    mask = n.constant(DenseElementsAttr::get(type, n.b().getFloatAttr(et, 1.0)));
  }
  SmallVector<Value> operands = {n.input(0), n.input(1), n.input(2), mask};
  if (n.hasInput(3))
    operands.push_back(n.input(3));
  FailureOr<Value> y = n.create(
      "kiln.deform_conv", operands,
      {n.namedI64s("strides", w->strides), n.namedI64s("pads", w->pads),
       n.namedI64s("dilations", w->dilations), n.namedI64("groups", group),
       n.namedI64("offset_groups", offsetGroup)});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

} // namespace

void onnx_import::registerConvOps(OpTable &t) {
  t.add("Conv", 1, importConv);
  t.add("ConvTranspose", 1, importConvTranspose);
  t.add("CausalConvWithState", 27, importCausalConvWithState);
  t.add("DeformConv", 19, importDeformConv);
}
