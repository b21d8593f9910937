//===- ControlFlowOps.cpp - ONNX If, Loop, Scan ---------------------------===//
//
// Kiln's graphs have no run-time control flow, so these ops are resolved at
// import, when what they do is known then, by importing their subgraphs
// inline (NodeImporter::importSubgraph) into kiln ops that lower through
// linalg like any others:
//   If    its condition is a compile-time constant: only the taken branch
//         is imported; the other is never compiled.
//   Loop  unrolled: the trip count is a constant, and the condition (the
//         initial one and each iteration's) folds to a constant.
//   Scan  unrolled over the static length of its scan inputs.
// A condition or trip count computed at run time is refused, naming the
// input and the graph inputs to freeze with --constant.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "compiler/import/KilnBuilder.h"

#include "ir/KilnOps.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <climits>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// Loops and scans longer than this are refused: each iteration is a copy
/// of the body.
constexpr int64_t kMaxIterations = 4096;

/// The truth of a one-element constant.
bool isTrue(DenseElementsAttr v) {
  if (isa<FloatType>(v.getElementType()))
    return !(*v.getValues<APFloat>().begin()).isZero();
  return !(*v.getValues<APInt>().begin()).isZero();
}

/// Stacks `values` (all of one shape) along a new dim `axis`.
Value stack(OpChain &c, ArrayRef<Value> values, int64_t axis) {
  SmallVector<Value> parts;
  for (Value v : values) {
    if (!v) {
      c.ok = false;
      return {};
    }
    SmallVector<int64_t> shape(cast<RankedTensorType>(v.getType()).getShape());
    shape.insert(shape.begin() + axis, 1);
    parts.push_back(c.reshape(v, shape));
  }
  return c.op("kiln.concat", parts, {c.n.namedI64("axis", axis)});
}

LogicalResult importIf(NodeImporter &n) {
  if (failed(n.checkArity(1, 1, 1, UINT_MAX)))
    return failure();
  AttributeReader &a = n.attrs();
  const onnx::GraphProto *thenBranch = a.getGraph("then_branch");
  const onnx::GraphProto *elseBranch = a.getGraph("else_branch");
  if (failed(a.status()))
    return failure();
  if (!thenBranch || !elseBranch)
    return n.error() << "attribute '"
                     << (thenBranch ? "else_branch" : "then_branch")
                     << "' is required";
  // No run-time branches: the condition must be known, and only the taken
  // branch is imported.
  FailureOr<DenseElementsAttr> cond = n.constantInput(0, "cond");
  if (failed(cond))
    return failure();
  if (cond->getNumElements() != 1)
    return n.error() << "input 'cond' must hold one value, got "
                     << cond->getType();
  bool taken = isTrue(*cond);
  FailureOr<SmallVector<Value>> outs =
      n.importSubgraph(taken ? *thenBranch : *elseBranch, {});
  if (failed(outs))
    return failure();
  if (outs->size() != n.numOutputs())
    return n.error() << "the taken branch ('"
                     << (taken ? "then_branch" : "else_branch") << "') has "
                     << outs->size() << " outputs, the node " << n.numOutputs();
  for (auto [i, v] : llvm::enumerate(*outs))
    n.setOutput(i, v);
  return success();
}

/// A scalar constant of the type body input `i` declares (rank 0 unless it
/// declares [1]).
Value bodyScalar(NodeImporter &n, const onnx::GraphProto &body, int i, Type et,
                 int64_t value) {
  SmallVector<int64_t> shape;
  const onnx::ValueInfoProto &in = body.input(i);
  if (in.type().has_tensor_type() && in.type().tensor_type().has_shape() &&
      in.type().tensor_type().shape().dim_size() == 1)
    shape.push_back(1);
  auto type = RankedTensorType::get(shape, et);
  Attribute v = et.isInteger(1) ? Attribute(n.b().getBoolAttr(value != 0))
                                : Attribute(n.b().getIntegerAttr(et, value));
  return n.constant(DenseElementsAttr::get(type, v));
}

LogicalResult importLoop(NodeImporter &n) {
  if (n.numInputs() < 2)
    return n.error() << "expects 2 or more inputs, got " << n.numInputs();
  AttributeReader &a = n.attrs();
  const onnx::GraphProto *body = a.getGraph("body");
  if (failed(a.status()))
    return failure();
  if (!body)
    return n.error() << "attribute 'body' is required";
  int64_t carried = static_cast<int64_t>(n.numInputs()) - 2;
  int64_t scans = body->output_size() - 1 - carried;
  if (body->input_size() != carried + 2 || scans < 0)
    return n.error() << "the body has " << body->input_size() << " inputs and "
                     << body->output_size() << " outputs; with " << carried
                     << " loop-carried values it needs " << carried + 2
                     << " inputs and at least " << carried + 1 << " outputs";
  if (static_cast<int64_t>(n.numOutputs()) > carried + scans)
    return n.error() << "has " << n.numOutputs() << " outputs; the body gives "
                     << carried + scans;

  // Unrolled: the trip count and the conditions must be known.
  bool useCond = n.hasInput(1);
  bool cond = true;
  if (useCond) {
    FailureOr<DenseElementsAttr> c = n.constantInput(1, "cond");
    if (failed(c))
      return failure();
    cond = isTrue(*c);
  }
  std::optional<int64_t> tripCount;
  if (n.hasInput(0)) {
    FailureOr<double> m = n.constantScalar(0, "M");
    if (failed(m))
      return failure();
    // Exporters write while-loops as a huge M with a condition: the
    // condition ends them.
    if (*m > static_cast<double>(kMaxIterations) && !useCond)
      return n.error() << "trip count "
                       << (*m < 9.2e18
                               ? std::to_string(static_cast<int64_t>(*m))
                               : std::to_string(*m))
                       << " is above the " << kMaxIterations
                       << " iterations Kiln unrolls";
    if (*m <= static_cast<double>(kMaxIterations))
      tripCount = static_cast<int64_t>(*m);
  }
  if (!n.hasInput(0) && !useCond)
    return n.error() << "has neither a trip count nor a condition: it never "
                        "ends";

  SmallVector<Value> state;
  for (int64_t k = 0; k < carried; ++k) {
    if (!n.hasInput(2 + k))
      return n.error() << "input " << 2 + k << " is required but omitted";
    state.push_back(n.input(2 + k));
  }
  SmallVector<SmallVector<Value>> scanned(scans);
  Type i64 = n.b().getI64Type(), i1 = n.b().getI1Type();
  int64_t iter = 0;
  for (; cond && (!tripCount || iter < *tripCount); ++iter) {
    if (iter >= kMaxIterations)
      return n.error() << "runs more than the " << kMaxIterations
                       << " iterations Kiln unrolls";
    SmallVector<Value> inputs{bodyScalar(n, *body, 0, i64, iter),
                              bodyScalar(n, *body, 1, i1, 1)};
    inputs.append(state);
    FailureOr<SmallVector<Value>> outs = n.importSubgraph(*body, inputs);
    if (failed(outs))
      return failure();
    for (int64_t k = 0; k < carried; ++k)
      state[k] = (*outs)[1 + k];
    for (int64_t k = 0; k < scans; ++k)
      scanned[k].push_back((*outs)[1 + carried + k]);
    if (useCond) {
      DenseElementsAttr next = getConstantValue((*outs)[0]);
      if (!next || next.getNumElements() != 1)
        return n.error() << "the body's condition output ('"
                         << body->output(0).name()
                         << "') is not known at compile time; Kiln unrolls "
                            "Loop, so it must fold to a constant";
      cond = isTrue(next);
    }
  }
  for (int64_t k = 0; k < carried; ++k)
    n.setOutput(k, state[k]);
  OpChain c{n};
  for (int64_t k = 0;
       k < scans && carried + k < static_cast<int64_t>(n.numOutputs()); ++k) {
    if (!n.isOutputUsed(carried + k))
      continue;
    if (iter == 0)
      return n.error() << "runs no iteration, so its scan output "
                       << carried + k << " has no known shape";
    if (failed(c.output(carried + k, stack(c, scanned[k], 0))))
      return failure();
  }
  return success();
}

/// One attribute list of Scan: `count` entries, 0 each by default.
FailureOr<SmallVector<int64_t>> scanList(NodeImporter &n, StringRef name,
                                         int64_t count) {
  std::optional<SmallVector<int64_t>> v = n.attrs().getInts(name);
  if (!v)
    return SmallVector<int64_t>(count, 0);
  if (static_cast<int64_t>(v->size()) != count)
    return n.error() << "attribute '" << name << "' has " << v->size()
                     << " entries; " << count << " expected";
  return *v;
}

/// x[at] along `axis`, without that dim.
Value takeAlong(OpChain &c, Value x, int64_t axis, int64_t at) {
  if (!c.ok || !x) {
    c.ok = false;
    return {};
  }
  auto shape = cast<RankedTensorType>(x.getType()).getShape();
  SmallVector<int64_t> starts(shape.size(), 0), ends(shape),
      steps(shape.size(), 1), sliceShape(shape);
  starts[axis] = at;
  ends[axis] = at + 1;
  sliceShape.erase(sliceShape.begin() + axis);
  return c.reshape(
      c.op("kiln.slice", x,
           {c.n.namedI64s("starts", starts), c.n.namedI64s("ends", ends),
            c.n.namedI64s("steps", steps)}),
      sliceShape);
}

/// Scan of opset 8: an optional sequence_lens first, every state and scan
/// input with a leading batch dim, scan inputs' time on dim 1; each batch
/// entry is scanned on its own, and outputs are stacked back on dim 0.
LogicalResult importScan8(NodeImporter &n, const onnx::GraphProto &body,
                          int64_t m) {
  int64_t first = 1; // input 0 is sequence_lens
  int64_t states = static_cast<int64_t>(n.numInputs()) - first - m;
  int64_t scans = body.output_size() - states;
  if (m < 1 || states < 0 || scans < 0 || body.input_size() != states + m ||
      static_cast<int64_t>(n.numOutputs()) != states + scans)
    return n.error() << "num_scan_inputs = " << m << ", " << n.numInputs()
                     << " inputs and " << n.numOutputs()
                     << " outputs do not fit the body's " << body.input_size()
                     << " inputs and " << body.output_size() << " outputs";
  FailureOr<SmallVector<int64_t>> dirs = scanList(n, "directions", m);
  if (failed(dirs))
    return failure();
  int64_t batch = -1, length = -1;
  for (int64_t i = first; i < first + states + m; ++i) {
    if (!n.hasInput(i))
      return n.error() << "input " << i << " is required but omitted";
    RankedTensorType type = n.inputType(i);
    bool scanned = i >= first + states;
    if (type.getRank() < (scanned ? 2 : 1) || !type.hasStaticShape())
      return n.error() << "input " << i << " (" << type << ") must be static "
                       << "with a batch dim"
                       << (scanned ? " and a time dim" : "");
    if (batch >= 0 && type.getDimSize(0) != batch)
      return n.error() << "inputs have batch sizes " << batch << " and "
                       << type.getDimSize(0);
    batch = type.getDimSize(0);
    if (scanned && length >= 0 && type.getDimSize(1) != length)
      return n.error() << "scan inputs have lengths " << length << " and "
                       << type.getDimSize(1);
    if (scanned)
      length = type.getDimSize(1);
  }
  if (n.hasInput(0)) {
    DenseElementsAttr lens = n.knownValue(0);
    if (!lens)
      return n.error() << "input 'sequence_lens' ('" << n.inputName(0)
                       << "') must be a compile-time constant holding the "
                          "full length "
                       << length << ": Kiln unrolls Scan";
    for (const APInt &v : lens.getValues<APInt>())
      if (v.getSExtValue() != length)
        return n.error() << "input 'sequence_lens' holds " << v.getSExtValue()
                         << "; Kiln supports only the full length " << length;
  }
  if (batch * length > kMaxIterations)
    return n.error() << "scans " << batch * length << " steps, more than the "
                     << kMaxIterations << " Kiln unrolls";
  if (batch == 0 || (length == 0 && scans > 0))
    return n.error() << "scans no step, so its outputs have no known shape";
  OpChain c{n};
  SmallVector<SmallVector<Value>> finalStates(states), scanOuts(scans);
  for (int64_t b = 0; b < batch; ++b) {
    SmallVector<Value> state;
    for (int64_t k = 0; k < states; ++k)
      state.push_back(takeAlong(c, n.input(first + k), 0, b));
    SmallVector<SmallVector<Value>> steps(scans);
    for (int64_t t = 0; t < length; ++t) {
      SmallVector<Value> inputs(state);
      for (int64_t j = 0; j < m; ++j) {
        Value row = takeAlong(c, n.input(first + states + j), 0, b);
        inputs.push_back(takeAlong(c, row, 0, (*dirs)[j] ? length - 1 - t : t));
      }
      if (!c.ok)
        return failure();
      FailureOr<SmallVector<Value>> outs = n.importSubgraph(body, inputs);
      if (failed(outs))
        return failure();
      for (int64_t k = 0; k < states; ++k)
        state[k] = (*outs)[k];
      for (int64_t k = 0; k < scans; ++k)
        steps[k].push_back((*outs)[states + k]);
    }
    for (int64_t k = 0; k < states; ++k)
      finalStates[k].push_back(state[k]);
    for (int64_t k = 0; k < scans; ++k)
      scanOuts[k].push_back(stack(c, steps[k], 0));
  }
  for (int64_t k = 0; k < states; ++k)
    if (failed(c.output(k, stack(c, finalStates[k], 0))))
      return failure();
  for (int64_t k = 0; k < scans; ++k)
    if (failed(c.output(states + k, stack(c, scanOuts[k], 0))))
      return failure();
  return success();
}

LogicalResult importScan(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  const onnx::GraphProto *body = a.getGraph("body");
  std::optional<int64_t> numScanInputs = a.getOptionalInt("num_scan_inputs");
  if (failed(a.status()))
    return failure();
  if (!body || !numScanInputs)
    return n.error() << "attribute '" << (body ? "num_scan_inputs" : "body")
                     << "' is required";
  if (n.opset() < 9)
    return importScan8(n, *body, *numScanInputs);
  int64_t m = *numScanInputs, states = static_cast<int64_t>(n.numInputs()) - m;
  int64_t scans = body->output_size() - states;
  if (m < 1 || states < 0 || scans < 0 || body->input_size() != states + m ||
      static_cast<int64_t>(n.numOutputs()) != states + scans)
    return n.error() << "num_scan_inputs = " << m << ", " << n.numInputs()
                     << " inputs and " << n.numOutputs()
                     << " outputs do not fit the body's " << body->input_size()
                     << " inputs and " << body->output_size() << " outputs";
  for (unsigned i = 0; i < n.numInputs(); ++i)
    if (!n.hasInput(i))
      return n.error() << "input " << i << " is required but omitted";
  FailureOr<SmallVector<int64_t>> inAxes = scanList(n, "scan_input_axes", m);
  FailureOr<SmallVector<int64_t>> inDirs =
      scanList(n, "scan_input_directions", m);
  FailureOr<SmallVector<int64_t>> outAxes =
      scanList(n, "scan_output_axes", scans);
  FailureOr<SmallVector<int64_t>> outDirs =
      scanList(n, "scan_output_directions", scans);
  if (failed(inAxes) || failed(inDirs) || failed(outAxes) || failed(outDirs))
    return failure();

  // The scan inputs' length along their axes: static, and one for all.
  int64_t length = -1;
  for (int64_t j = 0; j < m; ++j) {
    RankedTensorType type = n.inputType(states + j);
    FailureOr<int64_t> axis =
        n.normalizeAxis((*inAxes)[j], type.getRank(), "scan_input_axes entry");
    if (failed(axis))
      return failure();
    (*inAxes)[j] = *axis;
    int64_t len = type.getDimSize(*axis);
    if (ShapedType::isDynamic(len))
      return n.error() << "scan input " << j << " (" << type
                       << ") has a dynamic length; Kiln unrolls Scan";
    if (length >= 0 && len != length)
      return n.error() << "scan inputs have lengths " << length << " and "
                       << len;
    length = len;
  }
  if (length > kMaxIterations)
    return n.error() << "scans " << length << " steps, more than the "
                     << kMaxIterations << " Kiln unrolls";
  if (length == 0 && scans > 0)
    return n.error() << "scans no step, so its scan outputs have no known "
                        "shape";
  for (int64_t d : llvm::concat<int64_t>(*inDirs, *outDirs))
    if (d != 0 && d != 1)
      return n.error() << "scan directions must be 0 or 1, got " << d;

  OpChain c{n};
  SmallVector<Value> state;
  for (int64_t k = 0; k < states; ++k)
    state.push_back(n.input(k));
  SmallVector<SmallVector<Value>> scanned(scans);
  for (int64_t t = 0; t < length; ++t) {
    SmallVector<Value> inputs(state);
    for (int64_t j = 0; j < m; ++j)
      inputs.push_back(takeAlong(c, n.input(states + j), (*inAxes)[j],
                                 (*inDirs)[j] ? length - 1 - t : t));
    if (!c.ok)
      return failure();
    FailureOr<SmallVector<Value>> outs = n.importSubgraph(*body, inputs);
    if (failed(outs))
      return failure();
    for (int64_t k = 0; k < states; ++k)
      state[k] = (*outs)[k];
    for (int64_t k = 0; k < scans; ++k)
      scanned[k].push_back((*outs)[states + k]);
  }
  for (int64_t k = 0; k < states; ++k)
    n.setOutput(k, state[k]);
  for (int64_t k = 0; k < scans; ++k) {
    if (!n.isOutputUsed(states + k))
      continue;
    SmallVector<Value> steps = scanned[k];
    if ((*outDirs)[k])
      std::reverse(steps.begin(), steps.end());
    int64_t rank = cast<RankedTensorType>(steps.front().getType()).getRank();
    FailureOr<int64_t> axis =
        n.normalizeAxis((*outAxes)[k], rank + 1, "scan_output_axes entry");
    if (failed(axis) || failed(c.output(states + k, stack(c, steps, *axis))))
      return failure();
  }
  return success();
}

} // namespace

void onnx_import::registerControlFlowOps(OpTable &t) {
  t.add("If", 1, importIf);
  t.add("Loop", 1, importLoop);
  t.add("Scan", 8, importScan);
}
