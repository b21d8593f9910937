//===- Col2ImOps.cpp - ONNX Col2Im -> kiln --------------------------------===//
//
// Col2Im (opset 18) as one kiln.scatter_add: column (c * K + k, l) of the
// input [N, C * K, L] (K block elements, L blocks in row-major order) adds
// to the image position l_i * stride_i + k_i * dilation_i - pad_begin_i of
// each spatial dim i. With the input viewed as [N, C, K * L] and the padded
// image flattened to [N, C, P], that is a scatter-add along the last axis by
// a constant index per (k, l); the pads are sliced off afterwards. Positions
// several blocks cover get the sum, those none covers stay 0. image_shape
// and block_shape must be compile-time constants (they give the result its
// shape).
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// An attribute with one value per spatial dim (`count`), all >= `min`;
/// `fill` for each when absent.
FailureOr<SmallVector<int64_t>> perDim(NodeImporter &n, StringRef name,
                                       size_t count, int64_t fill,
                                       int64_t min) {
  std::optional<SmallVector<int64_t>> v = n.attrs().getInts(name);
  if (!v)
    return SmallVector<int64_t>(count, fill);
  if (v->size() != count ||
      llvm::any_of(*v, [&](int64_t x) { return x < min; }))
    return n.error() << "attribute '" << name << "' must hold " << count
                     << " values of at least " << min;
  return *v;
}

/// The flat index in the padded image [P_0, P_1, ...] that block element
/// `k` (row-major in `block`) of block `l` (row-major in `blocks`) lands on.
int64_t landing(int64_t k, int64_t l, ArrayRef<int64_t> block,
                ArrayRef<int64_t> blocks, ArrayRef<int64_t> padded,
                ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  int64_t flat = 0;
  for (int64_t i = block.size() - 1, scale = 1; i >= 0; --i) {
    int64_t ki = k % block[i], li = l % blocks[i];
    k /= block[i];
    l /= blocks[i];
    flat += (li * strides[i] + ki * dilations[i]) * scale;
    scale *= padded[i];
  }
  return flat;
}

LogicalResult importCol2Im(NodeImporter &n) {
  if (failed(n.checkArity(3, 3)))
    return failure();
  FailureOr<SmallVector<int64_t>> image = n.constantInts(1, "image_shape");
  if (failed(image))
    return failure();
  FailureOr<SmallVector<int64_t>> block = n.constantInts(2, "block_shape");
  if (failed(block))
    return failure();
  size_t dims = image->size();
  if (dims < 1 || block->size() != dims ||
      llvm::any_of(*image, [](int64_t v) { return v < 1; }) ||
      llvm::any_of(*block, [](int64_t v) { return v < 1; }))
    return n.error() << "expects 'image_shape' and 'block_shape' of the same "
                        "length with positive values";
  FailureOr<SmallVector<int64_t>> dilations =
      perDim(n, "dilations", dims, 1, 1);
  if (failed(dilations))
    return failure();
  FailureOr<SmallVector<int64_t>> pads = perDim(n, "pads", 2 * dims, 0, 0);
  if (failed(pads))
    return failure();
  FailureOr<SmallVector<int64_t>> strides = perDim(n, "strides", dims, 1, 1);
  if (failed(strides) || failed(n.attrs().status()))
    return failure();

  RankedTensorType x = n.inputType(0);
  if (!x.hasStaticShape() || x.getRank() != 3 ||
      !isa<FloatType>(x.getElementType()))
    return n.error() << "expects a floating-point 'input' of static shape "
                        "[N, C * prod(block_shape), L] (Kiln's scatter-add "
                        "is float only), got "
                     << x;
  // Blocks per dim, as a convolution's output size.
  SmallVector<int64_t> blocks, padded;
  int64_t k = 1, l = 1, p = 1;
  for (size_t i = 0; i < dims; ++i) {
    padded.push_back((*image)[i] + (*pads)[i] + (*pads)[dims + i]);
    int64_t span = (*dilations)[i] * ((*block)[i] - 1) + 1;
    if (span > padded.back())
      return n.error() << "the dilated block " << span << " of spatial dim "
                       << i << " is larger than the padded image "
                       << padded.back();
    blocks.push_back((padded.back() - span) / (*strides)[i] + 1);
    k *= (*block)[i];
    l *= blocks.back();
    p *= padded.back();
  }
  if (k * l > kMaxComputedElements || p > kMaxElements)
    return n.error() << "the image or its " << k * l
                     << " block elements are too large";
  int64_t batch = x.getDimSize(0), rows = x.getDimSize(1);
  if (rows % k || x.getDimSize(2) != l)
    return n.error() << "expects 'input' [N, C * " << k << ", " << l
                     << "] for these shapes and attributes, got " << x;
  int64_t channels = rows / k;

  SmallVector<int64_t> indices;
  indices.reserve(k * l);
  for (int64_t ki = 0; ki < k; ++ki)
    for (int64_t li = 0; li < l; ++li)
      indices.push_back(
          landing(ki, li, *block, blocks, padded, *strides, *dilations));
  OpChain c{n};
  Type t = x.getElementType();
  Value zeros = n.constant(
      DenseElementsAttr::get(RankedTensorType::get({batch, channels, p}, t),
                             cast<TypedAttr>(n.b().getFloatAttr(t, 0.0))));
  Value where = n.constant(
      DenseElementsAttr::get(RankedTensorType::get({k * l}, n.b().getI64Type()),
                             ArrayRef<int64_t>(indices)));
  Value sums =
      c.op("kiln.scatter_add",
           {zeros, where, c.reshape(n.input(0), {batch, channels, k * l})},
           {n.namedI64("axis", 2)});
  SmallVector<int64_t> shape{batch, channels};
  shape.append(padded);
  Value y = c.reshape(sums, shape);
  if (llvm::any_of(*pads, [](int64_t v) { return v != 0; })) {
    SmallVector<int64_t> starts(2, 0), ends{batch, channels},
        steps(dims + 2, 1);
    for (size_t i = 0; i < dims; ++i) {
      starts.push_back((*pads)[i]);
      ends.push_back((*pads)[i] + (*image)[i]);
    }
    y = c.op("kiln.slice", y,
             {n.namedI64s("starts", starts), n.namedI64s("ends", ends),
              n.namedI64s("steps", steps)});
  }
  return c.output(0, y);
}

} // namespace

void onnx_import::registerCol2ImOps(OpTable &t) {
  t.add("Col2Im", 18, importCol2Im);
}
