//===- ReductionOps.cpp - ONNX Reduce* and ArgMax -> kiln -----------------===//

#include "compiler/onnx/ONNXImporter.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// Reduce*: `axes` is an attribute before `axesInputSince` (13 for
/// ReduceSum, 18 for the others) and an optional constant input from then on,
/// together with `noop_with_empty_axes`. No or empty axes reduce every dim,
/// unless noop_with_empty_axes makes the op the identity.
OpHandler reduce(StringRef kilnOp, int64_t axesInputSince) {
  return [kilnOp = kilnOp.str(), axesInputSince](NodeImporter &n) -> LogicalResult {
    AttributeReader &a = n.attrs();
    bool axesAsInput = n.opset() >= axesInputSince;
    bool keepdims = a.getBool("keepdims", true);
    bool noop = axesAsInput && a.getBool("noop_with_empty_axes", false);
    std::optional<SmallVector<int64_t>> axes;
    if (!axesAsInput)
      axes = a.getInts("axes");
    if (failed(n.checkArity(1, axesAsInput ? 2 : 1)) || failed(a.status()))
      return failure();
    if (axesAsInput && n.hasInput(1)) {
      FailureOr<SmallVector<int64_t>> v = n.constantInts(1, "axes");
      if (failed(v))
        return failure();
      axes = *v;
    }
    int64_t rank = n.inputType(0).getRank();
    SmallVector<int64_t> normalized;
    if (!axes || axes->empty()) {
      if (noop) {
        n.setOutput(0, n.input(0));
        return success();
      }
      for (int64_t d = 0; d < rank; ++d)
        normalized.push_back(d);
    } else {
      FailureOr<SmallVector<int64_t>> v = n.normalizeAxes(*axes, rank);
      if (failed(v))
        return failure();
      normalized = *v;
      llvm::sort(normalized); // the order of axes does not matter
    }
    // A rank-0 input has nothing to reduce.
    if (normalized.empty()) {
      n.setOutput(0, n.input(0));
      return success();
    }
    FailureOr<Value> y =
        n.create(kilnOp, n.input(0),
                 {n.namedI64s("axes", normalized), n.namedBool("keepdims", keepdims)});
    if (failed(y))
      return failure();
    n.setOutput(0, *y);
    return success();
  };
}

LogicalResult importArgMax(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t axisAttr = a.getInt("axis", 0);
  bool keepdims = a.getBool("keepdims", true);
  bool selectLast = n.opset() >= 12 && a.getBool("select_last_index", false);
  if (failed(n.checkArity(1, 1)) || failed(a.status()))
    return failure();
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, n.inputType(0).getRank());
  if (failed(axis))
    return failure();
  FailureOr<Value> y = n.create(
      "kiln.argmax", n.input(0),
      {n.namedI64("axis", *axis), n.namedBool("keepdims", keepdims),
       n.namedBool("select_last_index", selectLast)});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

} // namespace

void onnx_import::registerReductionOps(OpTable &t) {
  t.add("ArgMax", 1, importArgMax);
  t.add("ReduceMax", 1, reduce("kiln.reduce_max", 18));
  t.add("ReduceMean", 1, reduce("kiln.reduce_mean", 18));
  t.add("ReduceMin", 1, reduce("kiln.reduce_min", 18));
  t.add("ReduceProd", 1, reduce("kiln.reduce_prod", 18));
  t.add("ReduceSum", 1, reduce("kiln.reduce_sum", 13));
}
