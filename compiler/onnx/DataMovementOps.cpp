//===- DataMovementOps.cpp - ONNX data movement -> kiln -------------------------===//
//
// Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice,
// Gather, Expand, Pad, CenterCropPad, Identity and Dropout. Their shape-like inputs
// (Reshape's shape, Slice's starts, ...) must be constants after folding;
// the ONNX forms of each opset (attributes before some opset, inputs after)
// are turned into kiln's normalized attributes here.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "compiler/import/KilnBuilder.h"

#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "llvm/Support/xxhash.h"

#include <limits>
#include <sstream>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// Creates kiln.flatten/squeeze/unsqueeze. Those have no folders (they
/// canonicalize to kiln.reshape), so for a constant input the op is replaced
/// by the equivalent reshape, which folds: shape subgraphs such as
/// Gather -> Unsqueeze -> Concat must become constants while importing.
FailureOr<Value> createReshapeLike(NodeImporter &n, StringRef kilnOp,
                                   ArrayRef<NamedAttribute> attrs) {
  FailureOr<Value> y = n.create(kilnOp, n.input(0), attrs);
  if (failed(y) || !getConstantValue(n.input(0)))
    return y;
  Operation *op = y->getDefiningOp();
  FailureOr<Value> folded =
      n.reshape(n.input(0), cast<RankedTensorType>(y->getType()).getShape());
  if (succeeded(folded) && op->use_empty())
    op->erase();
  return folded;
}

LogicalResult setResult(NodeImporter &n, FailureOr<Value> y) {
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

//===----------------------------------------------------------------------===//
// Reshape, Flatten, Squeeze, Unsqueeze
//===----------------------------------------------------------------------===//

/// Reshape: 0 copies the input's dim at that index unless `allowzero`
/// (opset 14) makes it a literal 0; one -1 is inferred.
LogicalResult importReshape(NodeImporter &n) {
  bool allowZero = n.opset() >= 14 && n.attrs().getBool("allowzero", false);
  if (failed(n.checkArity(2, 2)) || failed(n.attrs().status()))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = n.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  ArrayRef<int64_t> in = n.inputType(0).getShape();
  SmallVector<int64_t> known;
  for (size_t i = 0; i < shape->size(); ++i) {
    int64_t &d = (*shape)[i];
    if (d == 0 && !allowZero) {
      if (i >= in.size())
        return n.error() << "shape " << formatList(*shape) << " copies dim "
                         << i << " (0), but the input has rank " << in.size();
      d = in[i];
    }
    if (d < -1)
      return n.error() << "shape " << formatList(*shape)
                       << " has the invalid entry " << d;
    if (d != -1)
      known.push_back(d);
  }
  std::optional<int64_t> knownCount = checkedNumElements(known);
  if (!knownCount)
    return n.error() << "shape " << formatList(*shape) << " is too large";
  // Resolve the -1 here, so the IR carries the static shape; kiln.reshape
  // reports a -1 that cannot be inferred (or several).
  int64_t count = n.inputType(0).getNumElements();
  if (llvm::count(*shape, -1) == 1 && *knownCount > 0 &&
      count % *knownCount == 0)
    *llvm::find(*shape, -1) = count / *knownCount;
  return setResult(n, n.create("kiln.reshape", n.input(0),
                               {n.namedI64s("shape", *shape)}));
}

/// Flatten: axis in [-rank, rank] (negative from opset 11).
LogicalResult importFlatten(NodeImporter &n) {
  int64_t axis = n.attrs().getInt("axis", 1);
  if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
    return failure();
  int64_t rank = n.inputType(0).getRank();
  if (axis < -rank || axis > rank)
    return n.error() << "axis " << axis << " is out of range [" << -rank
                     << ", " << rank << "]";
  if (axis < 0)
    axis += rank;
  return setResult(n, createReshapeLike(n, "kiln.flatten",
                                        {n.namedI64("axis", axis)}));
}

/// Squeeze: axes as an attribute before opset 13, an optional constant
/// input from 13. Without axes, every size-1 dim goes.
LogicalResult importSqueeze(NodeImporter &n) {
  bool axesAsInput = n.opset() >= 13;
  std::optional<SmallVector<int64_t>> axes;
  if (!axesAsInput)
    axes = n.attrs().getInts("axes");
  if (failed(n.checkArity(1, axesAsInput ? 2 : 1)) ||
      failed(n.attrs().status()))
    return failure();
  if (axesAsInput && n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> v = n.constantInts(1, "axes");
    if (failed(v))
      return failure();
    axes = *v;
  }
  RankedTensorType type = n.inputType(0);
  SmallVector<int64_t> normalized;
  if (!axes || axes->empty()) {
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.getDimSize(d) == 1)
        normalized.push_back(d);
  } else {
    FailureOr<SmallVector<int64_t>> v = n.normalizeAxes(*axes, type.getRank());
    if (failed(v))
      return failure();
    normalized = *v;
  }
  if (normalized.empty()) {
    n.setOutput(0, n.input(0));
    return success();
  }
  return setResult(n, createReshapeLike(n, "kiln.squeeze",
                                        {n.namedI64s("axes", normalized)}));
}

/// Unsqueeze: axes (positions in the result) as an attribute before opset
/// 13, a required constant input from 13.
LogicalResult importUnsqueeze(NodeImporter &n) {
  bool axesAsInput = n.opset() >= 13;
  std::optional<SmallVector<int64_t>> axes;
  if (!axesAsInput)
    axes = n.attrs().getInts("axes");
  if (failed(n.checkArity(axesAsInput ? 2 : 1, axesAsInput ? 2 : 1)) ||
      failed(n.attrs().status()))
    return failure();
  if (axesAsInput) {
    FailureOr<SmallVector<int64_t>> v = n.constantInts(1, "axes");
    if (failed(v))
      return failure();
    axes = *v;
  }
  if (!axes || axes->empty())
    return n.error() << "needs at least one axis";
  int64_t outRank = n.inputType(0).getRank() + static_cast<int64_t>(axes->size());
  FailureOr<SmallVector<int64_t>> normalized = n.normalizeAxes(*axes, outRank);
  if (failed(normalized))
    return failure();
  return setResult(n, createReshapeLike(n, "kiln.unsqueeze",
                                        {n.namedI64s("axes", *normalized)}));
}

//===----------------------------------------------------------------------===//
// Transpose, Concat, Split
//===----------------------------------------------------------------------===//

LogicalResult importTranspose(NodeImporter &n) {
  std::optional<SmallVector<int64_t>> perm = n.attrs().getInts("perm");
  if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
    return failure();
  if (!perm) {
    // The default reverses the dims.
    perm.emplace();
    for (int64_t d = n.inputType(0).getRank() - 1; d >= 0; --d)
      perm->push_back(d);
  }
  return setResult(n, n.create("kiln.transpose", n.input(0),
                               {n.namedI64s("perm", *perm)}));
}

LogicalResult importConcat(NodeImporter &n) {
  std::optional<int64_t> axis = n.attrs().getOptionalInt("axis");
  if (failed(n.checkArity(1, std::numeric_limits<unsigned>::max())) ||
      failed(n.attrs().status()))
    return failure();
  if (!axis)
    return n.error() << "attribute 'axis' is required";
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < n.numInputs(); ++i) {
    if (!n.hasInput(i))
      return n.error() << "input " << i << " is omitted";
    inputs.push_back(n.input(i));
  }
  FailureOr<int64_t> normalized =
      n.normalizeAxis(*axis, n.inputType(0).getRank());
  if (failed(normalized))
    return failure();
  return setResult(n, n.create("kiln.concat", inputs,
                               {n.namedI64("axis", *normalized)}));
}

/// Split's sizes: the `split` attribute (before opset 13), the optional
/// `split` input (13+), or `num_outputs` (18+), where every chunk has
/// ceil(size / n) elements but the last, which has what is left. With none
/// of them the dim is split evenly over the outputs.
LogicalResult importSplit(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t axisAttr = a.getInt("axis", 0);
  std::optional<SmallVector<int64_t>> sizes;
  if (n.opset() < 13)
    sizes = a.getInts("split");
  std::optional<int64_t> numOutputs;
  if (n.opset() >= 18)
    numOutputs = a.getOptionalInt("num_outputs");
  unsigned maxInputs = n.opset() >= 13 ? 2 : 1;
  if (failed(n.checkArity(1, maxInputs, 1, std::numeric_limits<unsigned>::max())) ||
      failed(a.status()))
    return failure();
  if (n.hasInput(1)) {
    if (numOutputs)
      return n.error() << "the 'split' input and attribute 'num_outputs' "
                          "cannot both be given";
    FailureOr<SmallVector<int64_t>> v = n.constantInts(1, "split");
    if (failed(v))
      return failure();
    sizes = *v;
  }
  RankedTensorType type = n.inputType(0);
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, type.getRank());
  if (failed(axis))
    return failure();
  int64_t dim = type.getDimSize(*axis);
  int64_t outputs = static_cast<int64_t>(n.numOutputs());
  if (numOutputs && *numOutputs != outputs)
    return n.error() << "attribute 'num_outputs' is " << *numOutputs
                     << " but the node has " << outputs << " outputs";
  if (sizes) {
    if (static_cast<int64_t>(sizes->size()) != outputs)
      return n.error() << "split sizes " << formatList(*sizes) << " give "
                       << sizes->size() << " pieces for " << outputs
                       << " outputs";
  } else if (numOutputs) {
    int64_t chunk = (dim + outputs - 1) / outputs;
    if (chunk * (outputs - 1) > dim)
      return n.error() << "dim " << *axis << " of size " << dim
                       << " cannot be split into " << outputs << " chunks";
    sizes.emplace(outputs - 1, chunk);
    sizes->push_back(dim - chunk * (outputs - 1));
  } else {
    if (dim % outputs != 0)
      return n.error() << "dim " << *axis << " of size " << dim
                       << " does not split evenly into " << outputs
                       << " outputs";
    sizes.emplace(outputs, dim / outputs);
  }
  SmallVector<Value> results;
  if (getConstantValue(n.input(0))) {
    // kiln.split has no folder; slices of a constant fold.
    int64_t start = 0;
    for (int64_t size : *sizes) {
      if (size < 0 || start + size > dim)
        return n.error() << "split sizes " << formatList(*sizes)
                         << " do not fit dim " << *axis << " of size " << dim;
      SmallVector<int64_t> starts(type.getRank(), 0), steps(type.getRank(), 1);
      SmallVector<int64_t> ends(type.getShape());
      starts[*axis] = start;
      ends[*axis] = start + size;
      start += size;
      FailureOr<Value> piece = n.create(
          "kiln.slice", n.input(0),
          {n.namedI64s("starts", starts), n.namedI64s("ends", ends),
           n.namedI64s("steps", steps)});
      if (failed(piece))
        return failure();
      results.push_back(*piece);
    }
    if (start != dim)
      return n.error() << "split sizes " << formatList(*sizes) << " sum to "
                       << start << " but dim " << *axis << " has size " << dim;
  } else {
    FailureOr<SmallVector<Value>> pieces = n.createN(
        "kiln.split", n.input(0),
        {n.namedI64("axis", *axis), n.namedI64s("sizes", *sizes)}, outputs);
    if (failed(pieces))
      return failure();
    results = *pieces;
  }
  for (auto [i, v] : llvm::enumerate(results))
    n.setOutput(i, v);
  return success();
}

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

/// Slice: starts/ends/axes as attributes before opset 10; from 10 constant
/// inputs starts, ends, axes (optional) and steps (optional). ONNX clamps
/// out-of-range bounds (INT64_MAX means "to the end", negative values count
/// from the end); kiln.slice wants them normalized, one entry per dim.
LogicalResult importSlice(NodeImporter &n) {
  SmallVector<int64_t> starts, ends, axes, steps;
  bool haveAxes = false, haveSteps = false;
  if (n.opset() < 10) {
    AttributeReader &a = n.attrs();
    std::optional<SmallVector<int64_t>> s = a.getInts("starts");
    std::optional<SmallVector<int64_t>> e = a.getInts("ends");
    std::optional<SmallVector<int64_t>> ax = a.getInts("axes");
    if (failed(n.checkArity(1, 1)) || failed(a.status()))
      return failure();
    if (!s || !e)
      return n.error() << "attributes 'starts' and 'ends' are required";
    starts = *s;
    ends = *e;
    if ((haveAxes = ax.has_value()))
      axes = *ax;
  } else {
    if (failed(n.checkArity(3, 5)))
      return failure();
    FailureOr<SmallVector<int64_t>> s = n.constantInts(1, "starts");
    if (failed(s))
      return failure();
    FailureOr<SmallVector<int64_t>> e = n.constantInts(2, "ends");
    if (failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if ((haveAxes = n.hasInput(3))) {
      FailureOr<SmallVector<int64_t>> v = n.constantInts(3, "axes");
      if (failed(v))
        return failure();
      axes = *v;
    }
    if ((haveSteps = n.hasInput(4))) {
      FailureOr<SmallVector<int64_t>> v = n.constantInts(4, "steps");
      if (failed(v))
        return failure();
      steps = *v;
    }
  }
  size_t count = starts.size();
  if (!haveAxes)
    for (size_t i = 0; i < count; ++i)
      axes.push_back(static_cast<int64_t>(i));
  if (!haveSteps)
    steps.assign(count, 1);
  if (ends.size() != count || axes.size() != count || steps.size() != count)
    return n.error() << "starts, ends, axes and steps have " << count << ", "
                     << ends.size() << ", " << axes.size() << " and "
                     << steps.size() << " entries; they must agree";

  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  FailureOr<SmallVector<int64_t>> normalized = n.normalizeAxes(axes, rank);
  if (failed(normalized))
    return failure();
  SmallVector<int64_t> kStarts(rank, 0), kEnds(type.getShape()),
      kSteps(rank, 1);
  for (size_t i = 0; i < count; ++i) {
    int64_t d = (*normalized)[i];
    int64_t size = type.getDimSize(d);
    int64_t start = starts[i], end = ends[i], step = steps[i];
    if (step == 0)
      return n.error() << "steps must not be 0 (axis " << d << ")";
    // A step beyond the dim selects one element, as a step of the dim's size
    // does; clamping it keeps all arithmetic small.
    int64_t maxStep = std::max<int64_t>(size, 1);
    step = std::clamp(step, -maxStep, maxStep);
    if (start < 0)
      start += size;
    if (end < 0)
      end += size;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, size);
      end = std::clamp<int64_t>(end, 0, size);
      end = std::max(end, start); // empty
    } else if (size == 0) {
      start = end = 0;
    } else {
      start = std::clamp<int64_t>(start, 0, size - 1);
      end = std::clamp<int64_t>(end, -1, size - 1);
      end = std::min(end, start); // empty
    }
    kStarts[d] = start;
    kEnds[d] = end;
    kSteps[d] = step;
  }
  return setResult(n, n.create("kiln.slice", n.input(0),
                               {n.namedI64s("starts", kStarts),
                                n.namedI64s("ends", kEnds),
                                n.namedI64s("steps", kSteps)}));
}

//===----------------------------------------------------------------------===//
// Gather, Expand, Pad
//===----------------------------------------------------------------------===//

LogicalResult importGather(NodeImporter &n) {
  int64_t axisAttr = n.attrs().getInt("axis", 0);
  if (failed(n.checkArity(2, 2)) || failed(n.attrs().status()))
    return failure();
  RankedTensorType type = n.inputType(0);
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, type.getRank());
  if (failed(axis))
    return failure();
  // Out-of-range indices are an error in ONNX; when they are known, say so.
  int64_t size = type.getDimSize(*axis);
  if (DenseElementsAttr indices = getConstantValue(n.input(1));
      indices && isa<IntegerType>(indices.getElementType()) &&
      !indices.getElementType().isInteger(1))
    for (const APInt &v : indices.getValues<APInt>()) {
      int64_t i = v.getSExtValue();
      if (i < -size || i >= size)
        return n.error() << "index " << i << " is out of range for dim "
                         << *axis << " of size " << size;
    }
  return setResult(n, n.create("kiln.gather", {n.input(0), n.input(1)},
                               {n.namedI64("axis", *axis)}));
}

LogicalResult importExpand(NodeImporter &n) {
  if (failed(n.checkArity(2, 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = n.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  if (!checkedNumElements(*shape))
    return n.error() << "shape " << formatList(*shape)
                     << " has a negative or too large entry";
  std::optional<SmallVector<int64_t>> result =
      broadcastShapes({n.inputType(0).getShape(), *shape});
  if (result && !checkedNumElements(*result))
    return n.error() << "the result " << formatList(*result) << " is too large";
  return setResult(n, n.create("kiln.expand", n.input(0),
                               {n.namedI64s("shape", *shape)}));
}

/// Pad: mode, pads and value as attributes before opset 11; from 11 pads
/// and constant_value are inputs, from 18 an `axes` input names the padded
/// dims. ONNX allows negative pads (they crop), which become a slice.
LogicalResult importPad(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  // wrap arrives in opset 19.
  SmallVector<StringRef> modes = {"constant", "reflect", "edge"};
  if (n.opset() >= 19)
    modes.push_back("wrap");
  unsigned mode = a.getChoice("mode", "constant", modes);
  SmallVector<int64_t> pads, axes;
  double value = 0.0;
  Value runtimeValue;
  RankedTensorType type = n.inputType(0);
  int64_t rank = type ? type.getRank() : 0;
  if (n.opset() < 11) {
    std::optional<SmallVector<int64_t>> p = a.getInts("pads");
    value = a.getFloat("value", 0.0);
    if (failed(n.checkArity(1, 1)) || failed(a.status()))
      return failure();
    if (!p)
      return n.error() << "attribute 'pads' is required";
    pads = *p;
  } else {
    if (failed(n.checkArity(2, n.opset() >= 18 ? 4 : 3)) || failed(a.status()))
      return failure();
    FailureOr<SmallVector<int64_t>> p = n.constantInts(1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    // constant_value matters in constant mode only; known only at run time,
    // it fills the border through a select (below).
    if (n.hasInput(2) && mode == 0) {
      if (n.knownValue(2)) {
        FailureOr<double> v = n.constantScalar(2, "constant_value");
        if (failed(v))
          return failure();
        value = *v;
      } else {
        RankedTensorType t = n.inputType(2);
        if (!t || t.getNumElements() != 1)
          return n.error() << "input 'constant_value' must hold one value, "
                              "got "
                           << t;
        FailureOr<Value> scalar = n.reshape(n.input(2), {});
        if (failed(scalar))
          return failure();
        runtimeValue = *scalar;
      }
    }
    if (n.hasInput(3)) {
      FailureOr<SmallVector<int64_t>> ax = n.constantInts(3, "axes");
      if (failed(ax))
        return failure();
      FailureOr<SmallVector<int64_t>> norm = n.normalizeAxes(*ax, rank);
      if (failed(norm))
        return failure();
      axes = *norm;
    }
  }
  if (axes.empty() && !(n.opset() >= 18 && n.hasInput(3)))
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  int64_t count = static_cast<int64_t>(axes.size());
  if (static_cast<int64_t>(pads.size()) != 2 * count)
    return n.error() << "pads " << formatList(pads) << " has " << pads.size()
                     << " entries, expected " << 2 * count
                     << " (begin and end for each padded dim)";
  SmallVector<int64_t> begins(rank, 0), endPads(rank, 0);
  for (int64_t i = 0; i < count; ++i) {
    for (int64_t p : {pads[i], pads[count + i]})
      if (p < -kMaxElements || p > kMaxElements)
        return n.error() << "pads " << formatList(pads)
                         << " has an entry out of range";
    begins[axes[i]] = pads[i];
    endPads[axes[i]] = pads[count + i];
  }

  Value x = n.input(0);
  bool crops = llvm::any_of(llvm::concat<int64_t>(begins, endPads),
                            [](int64_t p) { return p < 0; });
  if (crops) {
    // Cropping first gives the same result as padding first for constant and
    // edge modes; for reflect and wrap it would not, so negative pads stay an
    // error.
    if (mode == 1 || mode == 3)
      return n.error() << "negative pads " << formatList(pads)
                       << " are not supported with mode '" << modes[mode]
                       << "'";
    SmallVector<int64_t> starts(rank), ends(rank), steps(rank, 1);
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = type.getDimSize(d);
      starts[d] = std::max<int64_t>(0, -begins[d]);
      ends[d] = size - std::max<int64_t>(0, -endPads[d]);
      if (ends[d] < starts[d])
        return n.error() << "negative pads " << formatList(pads)
                         << " remove more than dim " << d << " of size "
                         << size;
    }
    FailureOr<Value> cropped = n.create(
        "kiln.slice", x,
        {n.namedI64s("starts", starts), n.namedI64s("ends", ends),
         n.namedI64s("steps", steps)});
    if (failed(cropped))
      return failure();
    x = *cropped;
  }
  SmallVector<int64_t> kPads;
  for (int64_t p : llvm::concat<int64_t>(begins, endPads))
    kPads.push_back(std::max<int64_t>(p, 0));
  PadMode padMode = mode == 0   ? PadMode::constant
                    : mode == 1 ? PadMode::reflect
                    : mode == 2 ? PadMode::edge
                                : PadMode::wrap;
  auto pad = [&](Value v, double fill) {
    return n.create("kiln.pad", v,
                    {n.namedI64s("pads", kPads),
                     n.b().getNamedAttr("mode",
                                        n.b().getI32IntegerAttr(
                                            static_cast<int32_t>(padMode))),
                     n.namedF64("value", fill)});
  };
  if (!runtimeValue)
    return setResult(n, pad(x, value));
  // select(inside, pad(x), value): `inside` is a constant once folded.
  auto xType = cast<RankedTensorType>(x.getType());
  if (!xType.hasStaticShape())
    return n.error() << "a run-time constant_value needs the input's static "
                        "shape, got "
                     << xType;
  Value ones = n.constant(DenseElementsAttr::get(
      RankedTensorType::get(xType.getShape(), n.b().getI1Type()), true));
  FailureOr<Value> inside = pad(ones, 0.0);
  FailureOr<Value> padded = pad(x, 0.0);
  if (failed(inside) || failed(padded))
    return failure();
  return setResult(n, n.create("kiln.select", {*inside, *padded, runtimeValue}));
}

/// CenterCropPad (opset 18), as its function body: along each axis named by
/// `axes` (all axes without it), a dim longer than its entry of `shape` is
/// cropped to the window starting at floor((dim - target) / 2), and a
/// shorter one is padded with zeros, floor((target - dim) / 2) before and
/// the rest after. `shape` must be a compile-time constant.
LogicalResult importCenterCropPad(NodeImporter &n) {
  std::optional<SmallVector<int64_t>> axesAttr = n.attrs().getInts("axes");
  if (failed(n.checkArity(2, 2)) || failed(n.attrs().status()))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (!type.hasStaticShape())
    return n.error() << "expects an input of static shape, got " << type;
  int64_t rank = type.getRank();
  SmallVector<int64_t> axes;
  if (axesAttr) {
    FailureOr<SmallVector<int64_t>> norm = n.normalizeAxes(*axesAttr, rank);
    if (failed(norm))
      return failure();
    axes = *norm;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  FailureOr<SmallVector<int64_t>> shape = n.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  if (shape->size() != axes.size())
    return n.error() << "input 'shape' " << formatList(*shape) << " has "
                     << shape->size() << " entries, expected " << axes.size()
                     << (axesAttr ? " (one per entry of attribute 'axes')"
                                  : " (one per dim of the input)");
  SmallVector<int64_t> starts(rank, 0), ends(type.getShape()),
      steps(rank, 1), pads(2 * rank, 0);
  for (auto [axis, target] : llvm::zip_equal(axes, *shape)) {
    int64_t dim = type.getDimSize(axis);
    if (target < 0 || target > kMaxElements)
      return n.error() << "input 'shape' " << formatList(*shape)
                       << " has an entry out of range";
    if (target < dim) {
      starts[axis] = (dim - target) / 2;
      ends[axis] = starts[axis] + target;
    } else {
      pads[axis] = (target - dim) / 2;
      pads[rank + axis] = target - dim - pads[axis];
    }
  }
  OpChain c{n};
  Value x = n.input(0);
  if (ends != type.getShape() || llvm::any_of(starts, [](int64_t s) { return s; }))
    x = c.op("kiln.slice", x,
             {n.namedI64s("starts", starts), n.namedI64s("ends", ends),
              n.namedI64s("steps", steps)});
  if (llvm::any_of(pads, [](int64_t p) { return p; }))
    x = c.op("kiln.pad", x,
             {n.namedI64s("pads", pads),
              n.b().getNamedAttr("mode",
                                 n.b().getI32IntegerAttr(
                                     static_cast<int32_t>(PadMode::constant))),
              n.namedF64("value", 0.0)});
  return c.output(0, x);
}

//===----------------------------------------------------------------------===//
// Identity, Dropout
//===----------------------------------------------------------------------===//

LogicalResult importIdentity(NodeImporter &n) {
  if (failed(n.checkArity(1, 1)))
    return failure();
  n.setOutput(0, n.input(0));
  return success();
}

/// Dropout in inference is the identity; its mask is all ones. So is
/// Dropout in training mode with ratio 0 (what PyTorch exports for
/// nn.Dropout(0.0) with TrainingMode.TRAINING). In training mode with a
/// positive ratio it is a kiln.dropout without a step: the identity in
/// `run` and `grad`, while kiln-build-train-step gives the training step's
/// dropouts the step counter that draws their masks (kiln.dropout in
/// KilnOps.td says how). The node's `seed` is not used: `kiln compile
/// --train --seed N` keys every mask (the state's `dropout.seed`, which a
/// program may change at run time).
LogicalResult importDropout(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  // The drop ratio (an attribute before opset 12, an input after) and the
  // seed only matter in training.
  if (n.opset() < 12)
    a.accept("ratio");
  else
    a.accept("seed");
  if (failed(n.checkArity(1, n.opset() >= 12 ? 3 : 1, 1, 2)) ||
      failed(a.status()))
    return failure();
  double ratio = 0;
  if (n.hasInput(2)) {
    FailureOr<double> training = n.constantScalar(2, "training_mode");
    if (failed(training))
      return failure();
    ratio = 0.5; // ONNX's default
    if (*training != 0 && n.hasInput(1)) {
      FailureOr<double> given = n.constantScalar(1, "ratio");
      if (failed(given))
        return failure();
      ratio = *given;
    }
    if (*training == 0)
      ratio = 0;
    if (!(ratio >= 0 && ratio <= 1))
      return n.error() << "ratio must be in [0, 1], got "
                       << (std::ostringstream() << ratio).str();
  }
  if (ratio != 0) {
    if (!isa<FloatType>(n.inputType(0).getElementType()))
      return n.error() << "expects a floating-point input in training mode, got "
                       << n.inputType(0);
    // A stream number of the node's own (from its name), only so that two
    // dropouts of one tensor stay two ops (CSE); the training step numbers
    // them again.
    auto name = dyn_cast<NameLoc>(n.loc());
    int64_t stream = static_cast<int64_t>(
        llvm::xxh3_64bits(name ? name.getName().getValue() : StringRef()) & 0x7fffffff);
    FailureOr<SmallVector<Value>> results = n.createN(
        "kiln.dropout", {n.input(0)},
        {n.b().getNamedAttr("ratio", n.b().getF64FloatAttr(ratio)),
         n.b().getNamedAttr("stream", n.b().getI64IntegerAttr(stream)),
         // The input; no step, no key (the training step adds them).
         n.b().getNamedAttr("operandSegmentSizes",
                            n.b().getDenseI32ArrayAttr({1, 0, 0}))},
        2);
    if (failed(results))
      return failure();
    n.setOutput(0, (*results)[0]);
    if (n.isOutputUsed(1))
      n.setOutput(1, (*results)[1]);
    return success();
  }
  n.setOutput(0, n.input(0));
  if (n.isOutputUsed(1)) {
    // The mask is bool from opset 10, the data's type before.
    RankedTensorType type = n.inputType(0);
    Type et = n.opset() >= 10 ? n.b().getI1Type() : type.getElementType();
    FailureOr<DenseElementsAttr> ones = elementsFromDoubles(
        n.loc(), RankedTensorType::get({}, et), {1.0}, "Dropout mask");
    if (failed(ones))
      return failure();
    n.setOutput(1, n.constant(DenseElementsAttr::get(
                       type.clone(et), ones->getSplatValue<Attribute>())));
  }
  return success();
}

/// GatherElements: out[i..] = data[i.. with index[i..] at `axis`]. A one-hot
/// select over the axis: index (negative ones counted from the end), as
/// [.., I(axis), 1, ..], == iota [.., 1, L, ..] picks from data (cut to the
/// index's extent in the other dims) as [.., 1, L, ..]; the sum over L is
/// the gathered element. Out-of-range indices (an error in ONNX) give 0.
LogicalResult importGatherElements(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t axisAttr = a.getInt("axis", 0);
  if (failed(n.checkArity(2, 2)) || failed(a.status()))
    return failure();
  RankedTensorType data = n.inputType(0), index = n.inputType(1);
  if (!data.hasStaticShape() || !index.hasStaticShape() ||
      data.getRank() != index.getRank())
    return n.error() << "expects static data and indices of one rank, got "
                     << data << " and " << index;
  Type it = index.getElementType();
  if (!(it.isSignlessInteger(32) || it.isSignlessInteger(64)))
    return n.error() << "expects int32 or int64 indices, got " << index;
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, data.getRank());
  if (failed(axis))
    return failure();
  int64_t rank = data.getRank(), length = data.getDimSize(*axis);
  SmallVector<int64_t> starts(rank, 0), ends(data.getShape()), steps(rank, 1);
  for (int64_t d = 0; d < rank; ++d) {
    if (d == *axis)
      continue;
    if (index.getDimSize(d) > data.getDimSize(d))
      return n.error() << "indices " << index << " exceed data " << data
                       << " in dim " << d;
    ends[d] = index.getDimSize(d);
  }
  OpChain c{n};
  Value cut = n.input(0);
  if (ArrayRef<int64_t>(ends) != data.getShape())
    cut = c.op("kiln.slice", cut,
               {n.namedI64s("starts", starts), n.namedI64s("ends", ends),
                n.namedI64s("steps", steps)});
  SmallVector<int64_t> dataShape(ends), indexShape(index.getShape()),
      iotaShape(rank + 1, 1);
  dataShape.insert(dataShape.begin() + *axis, 1);
  indexShape.insert(indexShape.begin() + *axis + 1, 1);
  iotaShape[*axis + 1] = length;
  SmallVector<APInt> iota;
  for (int64_t k = 0; k < length; ++k)
    iota.push_back(APInt(it.getIntOrFloatBitWidth(), k));
  Value ids = n.constant(
      DenseElementsAttr::get(RankedTensorType::get(iotaShape, it), iota));
  Value idx = n.input(1);
  Value zero = c.scalar(it, 0);
  Value negative = c.compare(static_cast<uint32_t>(ComparePredicate::lt), idx, zero);
  idx = c.op("kiln.select",
             {negative, c.op("kiln.add", {idx, c.scalar(it, length)}), idx});
  Value mask = c.compare(static_cast<uint32_t>(ComparePredicate::eq),
                         c.reshape(idx, indexShape), ids);
  Value picked = c.op("kiln.select",
                      {mask, c.reshape(cut, dataShape),
                       c.scalar(data.getElementType(), 0)});
  return c.output(0, c.sum(picked, {*axis + 1}, false));
}

/// DepthToSpace (DCR or CRD) and SpaceToDepth: a reshape to 6-D, a
/// transpose, a reshape back, as the operator text writes them.
LogicalResult importDepthToSpace(NodeImporter &n, bool toSpace) {
  AttributeReader &a = n.attrs();
  std::optional<int64_t> blocksize = a.getOptionalInt("blocksize");
  // `mode` arrived in opset 11 for DepthToSpace, 28 for SpaceToDepth;
  // before it, DCR.
  bool crd = n.opset() >= (toSpace ? 11 : 28) &&
             a.getChoice("mode", "DCR", {"DCR", "CRD"}) == 1;
  if (failed(n.checkArity(1, 1)) || failed(a.status()))
    return failure();
  if (!blocksize || *blocksize < 1)
    return n.error() << "attribute 'blocksize' is required and must be "
                        "positive";
  RankedTensorType type = n.inputType(0);
  if (type.getRank() != 4 || !type.hasStaticShape())
    return n.error() << "expects a static 4-D input, got " << type;
  int64_t bs = *blocksize, b = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  SmallVector<int64_t> split, perm, result;
  if (toSpace) {
    if (c % (bs * bs))
      return n.error() << "channels " << c << " are not a multiple of "
                       << "blocksize^2 = " << bs * bs;
    split = crd ? SmallVector<int64_t>{b, c / (bs * bs), bs, bs, h, w}
                : SmallVector<int64_t>{b, bs, bs, c / (bs * bs), h, w};
    perm = crd ? SmallVector<int64_t>{0, 1, 4, 2, 5, 3}
               : SmallVector<int64_t>{0, 3, 4, 1, 5, 2};
    result = {b, c / (bs * bs), h * bs, w * bs};
  } else {
    if (h % bs || w % bs)
      return n.error() << "spatial dims " << h << "x" << w
                       << " are not multiples of blocksize " << bs;
    split = {b, c, h / bs, bs, w / bs, bs};
    perm = crd ? SmallVector<int64_t>{0, 1, 3, 5, 2, 4}
               : SmallVector<int64_t>{0, 3, 5, 1, 2, 4};
    result = {b, c * bs * bs, h / bs, w / bs};
  }
  OpChain ch{n};
  Value y = ch.op("kiln.transpose", ch.reshape(n.input(0), split),
                  {n.namedI64s("perm", perm)});
  return ch.output(0, ch.reshape(y, result));
}

/// Tile: reshape to [1, d0, 1, d1, ..], expand to [r0, d0, r1, d1, ..],
/// reshape to [r0 * d0, r1 * d1, ..] (repeats must be constant).
LogicalResult importTile(NodeImporter &n) {
  if (failed(n.checkArity(2, 2)))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (!type.hasStaticShape())
    return n.error() << "expects a static input, got " << type;
  FailureOr<SmallVector<int64_t>> repeats = n.constantInts(1, "repeats");
  if (failed(repeats))
    return failure();
  if (static_cast<int64_t>(repeats->size()) != type.getRank())
    return n.error() << "repeats " << formatList(*repeats) << " has "
                     << repeats->size() << " entries for a rank-"
                     << type.getRank() << " input";
  SmallVector<int64_t> spread, expanded, result;
  for (auto [r, d] : llvm::zip(*repeats, type.getShape())) {
    if (r < 0)
      return n.error() << "repeats " << formatList(*repeats)
                       << " has a negative entry";
    spread.append({1, d});
    expanded.append({r, d});
    result.push_back(r * d);
  }
  if (!checkedNumElements(expanded))
    return n.error() << "the result is too large";
  OpChain c{n};
  Value y = c.op("kiln.expand", c.reshape(n.input(0), spread),
                 {n.namedI64s("shape", expanded)});
  return c.output(0, c.reshape(y, result));
}

/// OneHot: values[1] where indices (negative ones counted from depth) ==
/// iota over a new dim at `axis`, values[0] elsewhere. depth decides the
/// shape, so it must be a constant.
LogicalResult importOneHot(NodeImporter &n) {
  int64_t axisAttr = n.attrs().getInt("axis", -1);
  if (failed(n.checkArity(3, 3)) || failed(n.attrs().status()))
    return failure();
  FailureOr<DenseElementsAttr> depthValue = n.constantInput(1, "depth");
  if (failed(depthValue))
    return failure();
  if (depthValue->getNumElements() != 1)
    return n.error() << "input 'depth' must hold one value";
  double depthD = isa<FloatType>(depthValue->getElementType())
                      ? (*depthValue->getValues<APFloat>().begin()).convertToDouble()
                      : static_cast<double>(
                            (*depthValue->getValues<APInt>().begin()).getSExtValue());
  int64_t depth = static_cast<int64_t>(depthD);
  if (depth < 1 || depth > kMaxComputedElements)
    return n.error() << "depth " << depthD << " is out of range";
  RankedTensorType indices = n.inputType(0), values = n.inputType(2);
  if (!indices.hasStaticShape() || values.getNumElements() != 2)
    return n.error() << "expects static indices and two values, got " << indices
                     << " and " << values;
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, indices.getRank() + 1);
  if (failed(axis))
    return failure();
  Type it = indices.getElementType();
  if (!isa<IntegerType>(it) && !isa<FloatType>(it))
    return n.error() << "unsupported indices " << indices;
  OpChain c{n};
  // Indices of any numeric type compare as int64 (float ones truncated, as
  // ONNX casts them).
  Value idx = n.input(0);
  if (it != n.b().getI64Type()) {
    FailureOr<Value> cast = n.cast(idx, n.b().getI64Type());
    if (failed(cast))
      return failure();
    idx = *cast;
  }
  Type i64 = n.b().getI64Type();
  Value negative = c.compare(static_cast<uint32_t>(ComparePredicate::lt), idx,
                             c.scalar(i64, 0));
  idx = c.op("kiln.select",
             {negative, c.op("kiln.add", {idx, c.scalar(i64, depth)}), idx});
  SmallVector<int64_t> idxShape(indices.getShape()), iotaShape(indices.getRank() + 1, 1);
  idxShape.insert(idxShape.begin() + *axis, 1);
  iotaShape[*axis] = depth;
  SmallVector<int64_t> iota;
  for (int64_t k = 0; k < depth; ++k)
    iota.push_back(k);
  Value ids = n.constant(DenseElementsAttr::get(
      RankedTensorType::get(iotaShape, i64), ArrayRef(iota)));
  Value hot = c.compare(static_cast<uint32_t>(ComparePredicate::eq),
                        c.reshape(idx, idxShape), ids);
  // values[0] (off) and values[1] (on) as scalars.
  Value flat = c.reshape(n.input(2), {2});
  auto element = [&](int64_t k) {
    return c.reshape(c.op("kiln.slice", flat,
                          {n.namedI64s("starts", {k}), n.namedI64s("ends", {k + 1}),
                           n.namedI64s("steps", {1})}),
                     {});
  };
  Value off = element(0), on = element(1);
  return c.output(0, c.op("kiln.select", {hot, on, off}));
}

/// Trilu: the upper (j - i >= k) or lower (j - i <= k) triangle of the last
/// two dims, zero elsewhere: a select with a constant mask (k must be a
/// constant; it decides no shape but the mask).
LogicalResult importTrilu(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  bool upper = a.getBool("upper", true);
  if (failed(n.checkArity(1, 2)) || failed(a.status()))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 2 || !type.hasStaticShape())
    return n.error() << "expects a static input of rank 2 or more, got " << type;
  int64_t k = 0;
  if (n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> v = n.constantInts(1, "k");
    if (failed(v))
      return failure();
    if (v->size() != 1)
      return n.error() << "input 'k' must hold one value";
    k = v->front();
  }
  int64_t rows = type.getDimSize(type.getRank() - 2);
  int64_t cols = type.getDimSize(type.getRank() - 1);
  SmallVector<bool> mask;
  mask.reserve(rows * cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      // j - i in 128 bits: k may be anything int64 holds.
      __int128 d = static_cast<__int128>(j) - i;
      mask.push_back(upper ? d >= k : d <= k);
    }
  Value maskValue = n.constant(DenseElementsAttr::get(
      RankedTensorType::get({rows, cols}, n.b().getI1Type()), ArrayRef(mask)));
  FailureOr<Value> zero = n.scalar(type.getElementType(), 0.0);
  if (failed(zero))
    return failure();
  return setResult(n, n.create("kiln.select", {maskValue, n.input(0), *zero}));
}

} // namespace

void onnx_import::registerDataMovementOps(OpTable &t) {
  t.add("Trilu", 14, importTrilu);
  t.add("DepthToSpace", 1,
        [](NodeImporter &n) { return importDepthToSpace(n, true); });
  t.add("SpaceToDepth", 1,
        [](NodeImporter &n) { return importDepthToSpace(n, false); });
  t.add("Tile", 6, importTile);
  t.add("OneHot", 9, importOneHot);
  t.add("GatherElements", 11, importGatherElements);
  t.add("Concat", 1, importConcat);
  t.add("Dropout", 1, importDropout);
  t.add("Expand", 8, importExpand);
  t.add("Flatten", 1, importFlatten);
  t.add("Gather", 1, importGather);
  t.add("Identity", 1, importIdentity);
  t.add("Pad", 1, importPad);
  t.add("CenterCropPad", 18, importCenterCropPad);
  t.add("Reshape", 5, importReshape);
  t.add("Slice", 1, importSlice);
  t.add("Split", 1, importSplit);
  t.add("Squeeze", 1, importSqueeze);
  t.add("Transpose", 1, importTranspose);
  t.add("Unsqueeze", 1, importUnsqueeze);
}
