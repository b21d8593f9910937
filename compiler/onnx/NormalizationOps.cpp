//===- NormalizationOps.cpp - ONNX softmax and normalizations -> kiln -----===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/Shapes.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// Softmax and LogSoftmax. Before opset 13 the input is coerced to 2-D at
/// `axis` ([d0 * .. * d(axis-1), d(axis) * .. * dn]) and the op runs over the
/// flattened tail; from 13 on it runs along `axis` alone, default -1.
OpHandler softmax(StringRef kilnOp) {
  return [kilnOp = kilnOp.str()](NodeImporter &n) -> LogicalResult {
    bool coerce = n.opset() < 13;
    int64_t axisAttr = n.attrs().getInt("axis", coerce ? 1 : -1);
    if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
      return failure();
    RankedTensorType type = n.inputType(0);
    int64_t rank = type.getRank();
    FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, rank);
    if (failed(axis))
      return failure();
    // Over the last dim alone, both definitions agree.
    if (!coerce || *axis == rank - 1) {
      FailureOr<Value> y = n.create(kilnOp, n.input(0), {n.namedI64("axis", *axis)});
      if (failed(y))
        return failure();
      n.setOutput(0, *y);
      return success();
    }
    ArrayRef<int64_t> shape = type.getShape();
    FailureOr<Value> flat = n.reshape(
        n.input(0), {numElements(shape.take_front(*axis)),
                     numElements(shape.drop_front(*axis))});
    if (failed(flat))
      return failure();
    FailureOr<Value> y = n.create(kilnOp, *flat, {n.namedI64("axis", 1)});
    if (failed(y))
      return failure();
    FailureOr<Value> back = n.reshape(*y, shape);
    if (failed(back))
      return failure();
    n.setOutput(0, *back);
    return success();
  };
}

LogicalResult importBatchNormalization(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  double epsilon = a.getFloat("epsilon", 1e-5);
  // momentum only updates the running statistics during training; inference
  // reads them as they are.
  a.accept("momentum");
  if (n.opset() < 9 && a.getInt("spatial", 1) != 1)
    return n.error() << "attribute 'spatial' = 0 (per-activation statistics) "
                        "is not supported";
  if (n.opset() >= 14 && a.getBool("training_mode", false))
    return n.error() << "attribute 'training_mode' = 1 is not supported; Kiln "
                        "compiles inference only";
  // Opset 7-13 name up to four training outputs, 14+ two.
  if (failed(n.checkArity(5, 5, 1, n.opset() >= 14 ? 3 : 5)) ||
      failed(a.status()))
    return failure();
  for (unsigned i = 1; i < n.numOutputs(); ++i)
    if (failed(n.rejectOutputIfUsed(i, "training statistics")))
      return failure();
  // From opset 15, scale/bias and mean/var may have other float types than
  // the input; kiln.batch_norm wants one.
  Type et = n.inputType(0).getElementType();
  SmallVector<Value> operands = {n.input(0)};
  for (unsigned i = 1; i < 5; ++i) {
    FailureOr<Value> v = n.cast(n.input(i), et);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  FailureOr<Value> y = n.create("kiln.batch_norm", operands,
                                {n.namedF64("epsilon", epsilon)});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult importLayerNormalization(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t axisAttr = a.getInt("axis", -1);
  double epsilon = a.getFloat("epsilon", 1e-5);
  int64_t stash = a.getInt("stash_type", 1);
  if (failed(n.checkArity(2, 3, 1, 3)) || failed(a.status()))
    return failure();
  // stash_type is the precision of the mean and variance. kiln.layer_norm
  // leaves that to its lowering, so only the default, 1 (float32 statistics,
  // what exporters write), is accepted; anything else would be ignored.
  if (stash != 1)
    return n.error() << "attribute 'stash_type' = " << stash
                     << " is not supported (only 1, float32 statistics)";
  if (failed(n.rejectOutputIfUsed(1, "Mean")) ||
      failed(n.rejectOutputIfUsed(2, "InvStdDev")))
    return failure();
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, n.inputType(0).getRank());
  if (failed(axis))
    return failure();
  SmallVector<Value> operands = {n.input(0), n.input(1)};
  if (n.hasInput(2))
    operands.push_back(n.input(2));
  FailureOr<Value> y =
      n.create("kiln.layer_norm", operands,
               {n.namedI64("axis", *axis), n.namedF64("epsilon", epsilon)});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

} // namespace

void onnx_import::registerNormalizationOps(OpTable &t) {
  t.add("BatchNormalization", 1, importBatchNormalization);
  t.add("LayerNormalization", 17, importLayerNormalization);
  t.add("LogSoftmax", 1, softmax("kiln.log_softmax"));
  t.add("Softmax", 1, softmax("kiln.softmax"));
}
