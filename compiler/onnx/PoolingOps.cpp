//===- PoolingOps.cpp - ONNX pooling -> kiln, and sliding-window attributes ===//
//
// MaxPool and AveragePool map onto kiln.max_pool and kiln.avg_pool (1-D to
// 3-D), MaxPool's Indices onto kiln.max_pool_indices and MaxUnpool onto
// kiln.max_unpool. LpPool is composed of them: (sum over the window of |x|^p)^(1/p),
// the sum being kiln.avg_pool's mean of |x|^p with count_include_pad times
// its divisor (ir/Shapes.h), which for each window counts the elements read
// in the input and the explicit (zero) padding.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {
enum AutoPad : unsigned { NotSet, Valid, SameUpper, SameLower };

/// An int-list attribute with one entry per spatial dim (`count`), each in
/// [min, kMaxElements]; `fallback` fills it when absent.
LogicalResult windowList(NodeImporter &n, StringRef name,
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
      return n.error() << "attribute '" << name << "' " << formatList(*value)
                       << " has an entry outside [" << min << ", "
                       << kMaxElements << "]";
  out = *value;
  return success();
}
} // namespace

FailureOr<Window>
onnx_import::readWindow(NodeImporter &n, RankedTensorType input,
                        std::optional<ArrayRef<int64_t>> weightsKernel,
                        bool readDilations) {
  AttributeReader &a = n.attrs();
  unsigned autoPad = a.getChoice("auto_pad", "NOTSET",
                                 {"NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"});
  std::optional<SmallVector<int64_t>> pads = a.getInts("pads");
  std::optional<SmallVector<int64_t>> strides = a.getInts("strides");
  std::optional<SmallVector<int64_t>> kernel = a.getInts("kernel_shape");
  std::optional<SmallVector<int64_t>> dilations;
  if (readDilations)
    dilations = a.getInts("dilations");
  if (failed(a.status()))
    return failure();

  if (input.getRank() < 3)
    return n.error() << "input must be [N, C, spatial...], got " << input;
  int64_t spatial = input.getRank() - 2;
  Window w;
  if (weightsKernel) {
    if (static_cast<int64_t>(weightsKernel->size()) != spatial)
      return n.error() << "weights have " << weightsKernel->size()
                       << " spatial dims, the input " << spatial;
    if (kernel && ArrayRef<int64_t>(*kernel) != *weightsKernel)
      return n.error() << "attribute 'kernel_shape' " << formatList(*kernel)
                       << " differs from the weights' kernel "
                       << formatList(*weightsKernel);
    kernel = SmallVector<int64_t>(*weightsKernel);
  } else if (!kernel) {
    return n.error() << "attribute 'kernel_shape' is required";
  }
  if (failed(windowList(n, "kernel_shape", kernel, spatial, 1, 1, w.kernel)) ||
      failed(windowList(n, "strides", strides, spatial, 1, 1, w.strides)) ||
      failed(windowList(n, "dilations", dilations, spatial, 1, 1, w.dilations)) ||
      failed(windowList(n, "pads", pads, 2 * spatial, 0, 0, w.pads)))
    return failure();
  // The window's extent, dilation * (kernel - 1) + 1, stays within the
  // element limit too, so shape arithmetic on it cannot overflow.
  for (int64_t i = 0; i < spatial; ++i)
    if (w.kernel[i] > 1 && w.dilations[i] > (kMaxElements - 1) / (w.kernel[i] - 1))
      return n.error() << "kernel " << formatList(w.kernel) << " with dilations "
                       << formatList(w.dilations) << " spans more than "
                       << kMaxElements << " elements";
  if (autoPad == NotSet || autoPad == Valid) {
    if (autoPad == Valid && llvm::any_of(w.pads, [](int64_t p) { return p; }))
      return n.error() << "attribute 'pads' cannot be combined with auto_pad "
                          "'VALID'";
    if (autoPad == Valid)
      w.pads.assign(2 * spatial, 0);
    return w;
  }
  if (llvm::any_of(w.pads, [](int64_t p) { return p; }))
    return n.error() << "attribute 'pads' cannot be combined with auto_pad '"
                     << (autoPad == SameUpper ? "SAME_UPPER" : "SAME_LOWER")
                     << "'";
  // SAME_*: the output has ceil(in / stride) elements; the padding this
  // needs is split evenly, the odd one at the end (UPPER) or begin (LOWER).
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(2 + i);
    if (ShapedType::isDynamic(in))
      return n.error() << "auto_pad needs static spatial dims, got " << input;
    int64_t stride = w.strides[i];
    int64_t out = (in + stride - 1) / stride;
    int64_t window = w.dilations[i] * (w.kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * stride + window - in);
    int64_t small = total / 2, large = total - small;
    w.pads[i] = autoPad == SameUpper ? small : large;
    w.pads[spatial + i] = autoPad == SameUpper ? large : small;
  }
  return w;
}

namespace {

/// kiln.avg_pool of `x` over window `w`; dilations only where not all 1.
FailureOr<Value> avgPool(NodeImporter &n, Value x, const Window &w,
                         bool ceilMode, bool countPad) {
  SmallVector<NamedAttribute> attrs = {
      n.namedI64s("kernel_shape", w.kernel), n.namedI64s("strides", w.strides),
      n.namedI64s("pads", w.pads), n.namedBool("ceil_mode", ceilMode),
      n.namedBool("count_include_pad", countPad)};
  if (llvm::any_of(w.dilations, [](int64_t d) { return d != 1; }))
    attrs.push_back(n.namedI64s("dilations", w.dilations));
  return n.create("kiln.avg_pool", x, attrs);
}

/// MaxPool; its Indices output (opset 8 on) is kiln.max_pool_indices with
/// the same window, storage_order 1 being its column_major.
LogicalResult importMaxPool(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  bool ceilMode = n.opset() >= 10 ? a.getBool("ceil_mode", false) : false;
  bool columnMajor = n.opset() >= 8 ? a.getBool("storage_order", false) : false;
  if (failed(n.checkArity(1, 1, 1, n.opset() >= 8 ? 2 : 1)))
    return failure();
  FailureOr<Window> w =
      readWindow(n, n.inputType(0), std::nullopt, n.opset() >= 10);
  if (failed(w))
    return failure();
  SmallVector<NamedAttribute> attrs = {
      n.namedI64s("kernel_shape", w->kernel), n.namedI64s("strides", w->strides),
      n.namedI64s("pads", w->pads), n.namedI64s("dilations", w->dilations),
      n.namedBool("ceil_mode", ceilMode)};
  FailureOr<Value> y = n.create("kiln.max_pool", n.input(0), attrs);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  if (n.numOutputs() < 2 || !n.isOutputUsed(1))
    return success();
  attrs.push_back(n.namedBool("column_major", columnMajor));
  FailureOr<Value> indices = n.create("kiln.max_pool_indices", n.input(0), attrs);
  if (failed(indices))
    return failure();
  n.setOutput(1, *indices);
  return success();
}

/// MaxUnpool (opsets 9 and 11): kiln.max_unpool scatters X to the flat
/// positions I of a zero tensor of the unpooled shape, (in - 1) * stride +
/// kernel - pad_begin - pad_end per spatial dim. A larger output_shape (a
/// constant) zero-pads that tensor at the end of each dim, as ONNX's
/// reference implementation computes it (and the node tests expect): the
/// indices count positions in the unpooled shape, not in output_shape.
LogicalResult importMaxUnpool(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  std::optional<SmallVector<int64_t>> kernelAttr = a.getInts("kernel_shape");
  std::optional<SmallVector<int64_t>> padsAttr = a.getInts("pads");
  std::optional<SmallVector<int64_t>> stridesAttr = a.getInts("strides");
  if (failed(n.checkArity(2, 3)) || failed(a.status()))
    return failure();
  RankedTensorType x = n.inputType(0), indices = n.inputType(1);
  if (!x.hasStaticShape() || x.getRank() < 3 || x.getRank() > 5)
    return n.error() << "expects a static input [N, C, spatial...] with 1 to 3 "
                        "spatial dims, got "
                     << x;
  if (indices.getShape() != x.getShape() || !indices.getElementType().isInteger(64))
    return n.error() << "expects int64 indices of the input's shape "
                     << formatList(x.getShape()) << ", got " << indices;
  if (!kernelAttr)
    return n.error() << "attribute 'kernel_shape' is required";
  int64_t spatial = x.getRank() - 2;
  SmallVector<int64_t> kernel, strides, pads;
  if (failed(windowList(n, "kernel_shape", kernelAttr, spatial, 1, 1, kernel)) ||
      failed(windowList(n, "strides", stridesAttr, spatial, 1, 1, strides)) ||
      failed(windowList(n, "pads", padsAttr, 2 * spatial, 0, 0, pads)))
    return failure();
  SmallVector<int64_t> unpooled(x.getShape().take_front(2));
  for (int64_t i = 0; i < spatial; ++i) {
    // Each term is at most kMaxElements (2^40); their product is not, so it
    // is checked.
    std::optional<int64_t> span =
        llvm::checkedMul<int64_t>(x.getDimSize(2 + i) - 1, strides[i]);
    if (!span || *span > kMaxElements)
      return n.error() << "input " << x << " with strides " << formatList(strides)
                       << " unpools to more than " << kMaxElements
                       << " elements along spatial dim " << i;
    int64_t d = *span + kernel[i] - pads[i] - pads[spatial + i];
    if (d < 1)
      return n.error() << "kernel_shape " << formatList(kernel) << ", strides "
                       << formatList(strides) << " and pads " << formatList(pads)
                       << " leave no output along spatial dim " << i;
    unpooled.push_back(d);
  }
  if (!checkedNumElements(unpooled))
    return n.error() << "the unpooled shape " << formatList(unpooled)
                     << " has more than " << kMaxElements << " elements";
  SmallVector<int64_t> shape = unpooled;
  if (n.hasInput(2)) {
    FailureOr<SmallVector<int64_t>> given = n.constantInts(2, "output_shape");
    if (failed(given))
      return failure();
    bool fits = given->size() == unpooled.size();
    for (size_t i = 0; fits && i < unpooled.size(); ++i)
      fits = (*given)[i] >= unpooled[i] && (i >= 2 || (*given)[i] == unpooled[i]);
    if (!fits)
      return n.error() << "output_shape " << formatList(*given)
                       << " must keep N and C and be at least the unpooled "
                          "shape "
                       << formatList(unpooled) << " in each spatial dim";
    if (!checkedNumElements(*given))
      return n.error() << "output_shape " << formatList(*given) << " has more than "
                       << kMaxElements << " elements";
    shape = *given;
  }
  OpChain c{n};
  Value y = c.op("kiln.max_unpool", {n.input(0), n.input(1)},
                 {n.namedI64s("shape", unpooled)});
  if (shape != unpooled) {
    SmallVector<int64_t> padding(x.getRank(), 0);
    for (int64_t i = 0; i < x.getRank(); ++i)
      padding.push_back(shape[i] - unpooled[i]);
    y = c.op("kiln.pad", y, {n.namedI64s("pads", padding)});
  }
  return c.output(0, y);
}

LogicalResult importAveragePool(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  bool ceilMode = n.opset() >= 10 ? a.getBool("ceil_mode", false) : false;
  bool countPad = a.getBool("count_include_pad", false);
  if (failed(n.checkArity(1, 1)))
    return failure();
  FailureOr<Window> w =
      readWindow(n, n.inputType(0), std::nullopt, n.opset() >= 19);
  if (failed(w))
    return failure();
  FailureOr<Value> y = avgPool(n, n.input(0), *w, ceilMode, countPad);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

/// LpPool: p (an int from opset 2; opset 1's float p is older than Kiln's
/// opsets), ceil_mode and dilations from opset 18.
LogicalResult importLpPool(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  bool ceilMode = n.opset() >= 18 ? a.getBool("ceil_mode", false) : false;
  int64_t p = a.getInt("p", 2);
  if (failed(n.checkArity(1, 1)) || failed(a.status()))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (!isa<FloatType>(type.getElementType()))
    return n.error() << "expects a floating-point input, got " << type;
  if (p < 1)
    return n.error() << "attribute 'p' = " << p << " must be at least 1";
  FailureOr<Window> w = readWindow(n, type, std::nullopt, n.opset() >= 18);
  if (failed(w))
    return failure();
  if (!type.hasStaticShape())
    return n.error() << "expects an input of static shape, got " << type;
  Type et = type.getElementType();
  OpChain c{n};
  Value x = n.input(0);
  Value powered = p == 1   ? c.op("kiln.abs", x)
                  : p == 2 ? c.op("kiln.mul", {x, x})
                           : c.op("kiln.pow", {c.op("kiln.abs", x),
                                               c.scalar(et, double(p))});
  if (!c.ok)
    return failure();
  FailureOr<Value> mean = avgPool(n, powered, *w, ceilMode, true);
  if (failed(mean))
    return failure();
  // The sum: the mean times avg_pool's divisor, [O...] (a scalar when all
  // windows count alike, as without ceil_mode's cut-short windows).
  int64_t spatial = type.getRank() - 2;
  auto out = cast<RankedTensorType>(mean->getType()).getShape();
  SmallVector<double> counts(1, 1.0);
  for (int64_t i = 0; i < spatial; ++i) {
    SmallVector<double> next;
    for (double product : counts)
      for (int64_t count : avgPoolWindowCounts(
               type.getDimSize(2 + i), out[2 + i], w->kernel[i],
               w->strides[i], w->pads[i], w->pads[spatial + i],
               w->dilations[i], /*countIncludePad=*/true))
        next.push_back(product * static_cast<double>(count));
    counts = std::move(next);
  }
  Value divisor;
  if (llvm::all_equal(counts)) {
    divisor = c.scalar(et, counts.front());
  } else {
    SmallVector<APFloat> values;
    for (double v : counts) {
      APFloat f(v);
      bool lost;
      f.convert(cast<FloatType>(et).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      values.push_back(f);
    }
    divisor = n.constant(DenseElementsAttr::get(
        RankedTensorType::get(out.drop_front(2), et), values));
  }
  Value sum = c.op("kiln.mul", {*mean, divisor});
  Value y = p == 1   ? sum
            : p == 2 ? c.op("kiln.sqrt", sum)
                     : c.op("kiln.pow", {sum, c.scalar(et, 1.0 / double(p))});
  return c.output(0, y);
}

} // namespace

void onnx_import::registerPoolingOps(OpTable &t) {
  t.add("AveragePool", 1, importAveragePool);
  t.add("GlobalAveragePool", 1, oneToOne("kiln.global_avg_pool"));
  t.add("GlobalMaxPool", 1, oneToOne("kiln.global_max_pool"));
  t.add("LpPool", 2, importLpPool);
  t.add("MaxPool", 1, importMaxPool);
  t.add("MaxUnpool", 9, importMaxUnpool);
}
