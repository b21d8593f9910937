//===- NormalizationOps.cpp - ONNX softmax and normalizations -> kiln -----===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"
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

/// BatchNormalization with training_mode = 1: the batch's mean and (biased)
/// variance normalize the input; the running statistics move by
/// 1 - momentum towards the batch's statistics. Composed of kiln ops, so the
/// gradient flows through the batch statistics. Outputs 1 and 2 follow the
/// operator text (the biased variance); the state updates of inputs 3 and 4
/// (ImportOptions::stateUpdates), which a compiled training step applies,
/// follow PyTorch, whose exports these models are: the unbiased variance.
static LogicalResult importTrainingBatchNorm(NodeImporter &n, double epsilon,
                                             double momentum) {
  RankedTensorType type = n.inputType(0);
  if (!type.hasStaticShape() || type.getRank() < 2)
    return n.error() << "training mode needs an input of static shape [N, C, ...], got "
                     << type;
  Type et = type.getElementType();
  int64_t channels = type.getDimSize(1);
  int64_t count = type.getNumElements() / std::max<int64_t>(channels, 1);
  if (count < 2)
    return n.error() << "training mode needs more than one value per channel "
                        "(the unbiased variance divides by count - 1), got "
                     << type;
  SmallVector<int64_t> axes = {0}, channelShape(type.getRank() - 1, 1);
  for (int64_t d = 2; d < type.getRank(); ++d)
    axes.push_back(d);
  channelShape[0] = channels;
  OpChain s{n};
  auto namedAxes = n.namedI64s("axes", axes);
  auto keep = n.namedBool("keepdims", true);
  SmallVector<Value> operands;
  for (unsigned i = 1; i < 5; ++i) {
    FailureOr<Value> v = n.cast(n.input(i), et);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  Value x = n.input(0);
  Value mean = s.op("kiln.reduce_mean", {x}, {namedAxes, keep});
  Value centered = s.op("kiln.sub", {x, mean});
  Value variance = s.op("kiln.reduce_mean", {s.op("kiln.mul", {centered, centered})},
                        {namedAxes, keep});
  Value rstd = s.op("kiln.rsqrt", {s.op("kiln.add", {variance, s.scalar(et, epsilon)})});
  Value y = s.op("kiln.add", {s.op("kiln.mul", {s.op("kiln.mul", {centered, rstd}),
                                                s.reshape(operands[0], channelShape)}),
                              s.reshape(operands[1], channelShape)});
  // running = momentum * running + (1 - momentum) * batch statistic.
  SmallVector<int64_t> vectorShape = {channels};
  auto update = [&](Value running, Value batch) {
    return s.op("kiln.add", {s.op("kiln.mul", {running, s.scalar(et, momentum)}),
                             s.op("kiln.mul", {s.reshape(batch, vectorShape),
                                               s.scalar(et, 1.0 - momentum)})});
  };
  Value unbiased = s.op("kiln.mul", {variance, s.scalar(et, double(count) / double(count - 1))});
  Value runningMean = update(operands[2], mean);
  Value runningVar = update(operands[3], variance);
  Value trainedVar = update(operands[3], unbiased);
  if (failed(s.output(0, y)))
    return failure();
  n.setOutput(1, runningMean);
  n.setOutput(2, runningVar);
  n.updateState(n.input(3), runningMean);
  n.updateState(n.input(4), trainedVar);
  return success();
}

LogicalResult importBatchNormalization(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  double epsilon = a.getFloat("epsilon", 1e-5);
  // momentum only updates the running statistics during training; inference
  // reads them as they are.
  double momentum = a.getFloat("momentum", 0.9);
  if (n.opset() < 9 && a.getInt("spatial", 1) != 1)
    return n.error() << "attribute 'spatial' = 0 (per-activation statistics) "
                        "is not supported";
  bool training = n.opset() >= 14 && a.getBool("training_mode", false);
  // Opset 7-13 name up to four training outputs, 14+ two.
  if (failed(n.checkArity(5, 5, 1, n.opset() >= 14 ? 3 : 5)) ||
      failed(a.status()))
    return failure();
  if (training)
    return importTrainingBatchNorm(n, epsilon, momentum);
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

/// kiln.reduce_mean over `axes`, keeping them.
Value meanOver(OpChain &c, Value x, ArrayRef<int64_t> axes) {
  return c.op("kiln.reduce_mean", x,
              {c.n.namedI64s("axes", axes), c.n.namedBool("keepdims", true)});
}

/// The axes from `axis` to the last of a rank-`rank` tensor.
SmallVector<int64_t> axesFrom(int64_t axis, int64_t rank) {
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < rank; ++d)
    axes.push_back(d);
  return axes;
}

/// LayerNormalization's optional outputs, in float32 (stash_type 1) as the
/// operator's function body computes them: Mean = mean(X) over the axes
/// from `axis` on (kept as 1s), InvStdDev = 1 / sqrt(mean((X - Mean)^2) +
/// epsilon).
LogicalResult layerNormStatistics(NodeImporter &n, int64_t axis,
                                  double epsilon) {
  OpChain c{n};
  Type f32 = n.b().getF32Type();
  SmallVector<int64_t> axes = axesFrom(axis, n.inputType(0).getRank());
  Value x = c.cast(n.input(0), f32);
  Value mean = meanOver(c, x, axes);
  Value d = c.op("kiln.sub", {x, mean});
  Value var = meanOver(c, c.op("kiln.mul", {d, d}), axes);
  Value std =
      c.op("kiln.sqrt", c.op("kiln.add", {var, c.scalar(f32, epsilon)}));
  Value invStdDev = c.op("kiln.reciprocal", std);
  if (failed(c.output(1, mean)))
    return failure();
  return c.output(2, invStdDev);
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
  if (!n.isOutputUsed(1) && !n.isOutputUsed(2))
    return success();
  return layerNormStatistics(n, *axis, epsilon);
}

/// RMSNormalization (opset 23), as its function body: in float32 (stash_type
/// 1), X / sqrt(mean(X^2) + epsilon) over the axes from `axis` on, cast
/// back to X's type, times scale.
LogicalResult importRMSNormalization(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t axisAttr = a.getInt("axis", -1);
  double epsilon = a.getFloat("epsilon", 1e-5);
  int64_t stash = a.getInt("stash_type", 1);
  if (failed(n.checkArity(2, 2)) || failed(a.status()))
    return failure();
  if (stash != 1)
    return n.error() << "attribute 'stash_type' = " << stash
                     << " is not supported (only 1, float32 statistics)";
  RankedTensorType type = n.inputType(0);
  if (!isa<FloatType>(type.getElementType()))
    return n.error() << "expects a floating-point input, got " << type;
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, type.getRank());
  if (failed(axis))
    return failure();
  OpChain c{n};
  Type f32 = n.b().getF32Type();
  Value x = c.cast(n.input(0), f32);
  Value meanSquare =
      meanOver(c, c.op("kiln.mul", {x, x}), axesFrom(*axis, type.getRank()));
  Value rms =
      c.op("kiln.sqrt", c.op("kiln.add", {meanSquare, c.scalar(f32, epsilon)}));
  Value y = c.cast(c.op("kiln.div", {x, rms}), type.getElementType());
  return c.output(0, c.op("kiln.mul", {y, n.input(1)}));
}

/// (x - mean) / sqrt(var + epsilon) over `axes` (biased variance, as the
/// normalization ops define it).
Value normalizeOver(OpChain &c, Value x, ArrayRef<int64_t> axes, double epsilon) {
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  Value d = c.op("kiln.sub", {x, meanOver(c, x, axes)});
  Value var = meanOver(c, c.op("kiln.mul", {d, d}), axes);
  Value denom =
      c.op("kiln.sqrt", c.op("kiln.add", {var, c.scalar(et, epsilon)}));
  return c.op("kiln.div", {d, denom});
}

/// A [K] tensor as [1, K, 1, ...] of rank `rank`, to scale dim 1.
Value alongDim1(OpChain &c, Value v, int64_t rank) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(rank, 1);
  shape[1] = type.getNumElements();
  return c.reshape(v, shape);
}

/// InstanceNormalization: each (n, c) normalized over the spatial dims,
/// then scale[c] * y + B[c].
LogicalResult importInstanceNormalization(NodeImporter &n) {
  double epsilon = n.attrs().getFloat("epsilon", 1e-5);
  if (failed(n.checkArity(3, 3)) || failed(n.attrs().status()))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 3 || !type.hasStaticShape() ||
      !isa<FloatType>(type.getElementType()))
    return n.error() << "expects a static floating-point input of rank 3 or "
                        "more, got "
                     << type;
  int64_t rank = type.getRank();
  SmallVector<int64_t> spatial;
  for (int64_t d = 2; d < rank; ++d)
    spatial.push_back(d);
  OpChain c{n};
  Value y = normalizeOver(c, n.input(0), spatial, epsilon);
  y = c.op("kiln.mul", {y, alongDim1(c, n.input(1), rank)});
  return c.output(0, c.op("kiln.add", {y, alongDim1(c, n.input(2), rank)}));
}

/// MeanVarianceNormalization: (x - mean) / (sqrt(mean(x^2) - mean^2) + 1e-9)
/// over `axes` (default [0, 2, 3]), the operator's reference formula.
LogicalResult importMeanVarianceNormalization(NodeImporter &n) {
  std::optional<SmallVector<int64_t>> axesAttr = n.attrs().getInts("axes");
  if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
    return failure();
  RankedTensorType type = n.inputType(0);
  Type et = type.getElementType();
  if (!isa<FloatType>(et))
    return n.error() << "expects a floating-point input, got " << type;
  FailureOr<SmallVector<int64_t>> axes = n.normalizeAxes(
      axesAttr ? *axesAttr : SmallVector<int64_t>{0, 2, 3}, type.getRank());
  if (failed(axes))
    return failure();
  OpChain c{n};
  Value x = n.input(0);
  Value mean = meanOver(c, x, *axes);
  Value meanOfSquares = meanOver(c, c.op("kiln.mul", {x, x}), *axes);
  Value var = c.op("kiln.sub", {meanOfSquares, c.op("kiln.mul", {mean, mean})});
  Value std = c.op("kiln.add", {c.op("kiln.sqrt", var), c.scalar(et, 1e-9)});
  return c.output(0, c.op("kiln.div", {c.op("kiln.sub", {x, mean}), std}));
}

/// GroupNormalization: x as [N, G, C/G * spatial], normalized over the last
/// dim, back to x's shape, then scaled and shifted per channel (opset 21)
/// or per group (opset 18, where scale and bias have G entries).
LogicalResult importGroupNormalization(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  double epsilon = a.getFloat("epsilon", 1e-5);
  std::optional<int64_t> groups = a.getOptionalInt("num_groups");
  int64_t stash = n.opset() >= 21 ? a.getInt("stash_type", 1) : 1;
  if (failed(n.checkArity(3, 3)) || failed(a.status()))
    return failure();
  if (stash != 1)
    return n.error() << "attribute 'stash_type' = " << stash
                     << " is not supported (only 1, float32 statistics)";
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 3 || !type.hasStaticShape() ||
      !isa<FloatType>(type.getElementType()))
    return n.error() << "expects a static floating-point input of rank 3 or "
                        "more, got "
                     << type;
  int64_t batch = type.getDimSize(0), channels = type.getDimSize(1);
  if (!groups || *groups < 1 || channels % *groups)
    return n.error() << "attribute 'num_groups' must divide the " << channels
                     << " channels";
  int64_t rank = type.getRank();
  int64_t perGroup = type.getNumElements() / (batch * *groups);
  OpChain c{n};
  Value grouped = c.reshape(n.input(0), {batch, *groups, perGroup});
  Value y = normalizeOver(c, grouped, {2}, epsilon);
  if (n.opset() >= 21) {
    y = c.reshape(y, type.getShape());
    y = c.op("kiln.mul", {y, alongDim1(c, n.input(1), rank)});
    y = c.op("kiln.add", {y, alongDim1(c, n.input(2), rank)});
    return c.output(0, y);
  }
  y = c.op("kiln.mul", {y, alongDim1(c, n.input(1), 3)});
  y = c.op("kiln.add", {y, alongDim1(c, n.input(2), 3)});
  return c.output(0, c.reshape(y, type.getShape()));
}

/// Hardmax: 1 at the first largest element along the axis, 0 elsewhere:
/// argmax (keepdims) == iota along the axis. Before opset 13 the input is
/// coerced to 2-D at `axis`, as for Softmax.
LogicalResult importHardmax(NodeImporter &n) {
  bool coerce = n.opset() < 13;
  int64_t axisAttr = n.attrs().getInt("axis", coerce ? 1 : -1);
  if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (!type.hasStaticShape())
    return n.error() << "expects a static input, got " << type;
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, type.getRank());
  if (failed(axis))
    return failure();
  OpChain c{n};
  Value x = n.input(0);
  ArrayRef<int64_t> shape = type.getShape();
  int64_t along = *axis;
  if (coerce) {
    x = c.reshape(x, {numElements(shape.take_front(along)),
                      numElements(shape.drop_front(along))});
    along = 1;
  }
  auto xType = cast<RankedTensorType>(x ? x.getType() : type);
  int64_t length = xType.getDimSize(along);
  Value best = c.op("kiln.argmax", x,
                    {n.namedI64("axis", along), n.namedBool("keepdims", true),
                     n.namedBool("select_last_index", false)});
  SmallVector<int64_t> iotaShape(xType.getRank(), 1);
  iotaShape[along] = length;
  SmallVector<int64_t> iota;
  for (int64_t k = 0; k < length; ++k)
    iota.push_back(k);
  Value ids = n.constant(DenseElementsAttr::get(
      RankedTensorType::get(iotaShape, n.b().getI64Type()), ArrayRef(iota)));
  Value hot = c.compare(static_cast<uint32_t>(ComparePredicate::eq), best, ids);
  Type et = type.getElementType();
  Value y = c.op("kiln.select", {hot, c.scalar(et, 1), c.scalar(et, 0)});
  if (coerce)
    y = c.reshape(y, shape);
  return c.output(0, y);
}

/// LRN: x / (bias + alpha / size * square_sum)^beta, square_sum over the
/// channels [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)] clipped to
/// the tensor. The windowed sum is an average pool of x^2 (as [N, 1, C,
/// rest], padding counted) times size.
LogicalResult importLRN(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  double alpha = a.getFloat("alpha", 1e-4);
  double beta = a.getFloat("beta", 0.75);
  double bias = a.getFloat("bias", 1.0);
  std::optional<int64_t> size = a.getOptionalInt("size");
  if (failed(n.checkArity(1, 1)) || failed(a.status()))
    return failure();
  if (!size || *size < 1)
    return n.error() << "attribute 'size' is required and must be positive";
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 3 || !type.hasStaticShape() ||
      !isa<FloatType>(type.getElementType()))
    return n.error() << "expects a static floating-point input of rank 3 or "
                        "more, got "
                     << type;
  ArrayRef<int64_t> shape = type.getShape();
  Type et = type.getElementType();
  OpChain c{n};
  Value x = n.input(0);
  Value squares =
      c.reshape(c.op("kiln.mul", {x, x}),
                {shape[0], 1, shape[1], numElements(shape.drop_front(2))});
  int64_t before = (*size - 1) / 2, after = *size - 1 - before;
  Value mean = c.op("kiln.avg_pool", squares,
                    {n.namedI64s("kernel_shape", {*size, 1}),
                     n.namedI64s("strides", {1, 1}),
                     n.namedI64s("pads", {before, 0, after, 0}),
                     n.namedBool("count_include_pad", true)});
  // alpha / size * (size * mean) = alpha * mean.
  Value base = c.op("kiln.add", {c.scalar(et, bias),
                                 c.op("kiln.mul", {c.scalar(et, alpha), mean})});
  Value denom = c.op("kiln.pow", {base, c.scalar(et, beta)});
  return c.output(0, c.op("kiln.div", {x, c.reshape(denom, shape)}));
}

/// LpNormalization: x / ||x||_p along `axis`, p 1 (sum of |x|) or 2; a zero
/// norm divides by 1 (its x are all 0), as the operator's reference.
LogicalResult importLpNormalization(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t axisAttr = a.getInt("axis", -1);
  int64_t p = a.getInt("p", 2);
  if (failed(n.checkArity(1, 1)) || failed(a.status()))
    return failure();
  if (p != 1 && p != 2)
    return n.error() << "attribute 'p' = " << p << " is not supported (1 or 2)";
  RankedTensorType type = n.inputType(0);
  if (!isa<FloatType>(type.getElementType()))
    return n.error() << "expects a floating-point input, got " << type;
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, type.getRank());
  if (failed(axis))
    return failure();
  OpChain c{n};
  Value x = n.input(0);
  Value norm = p == 1 ? c.sum(c.op("kiln.abs", x), {*axis}, true)
                      : c.op("kiln.sqrt", c.sum(c.op("kiln.mul", {x, x}),
                                                {*axis}, true));
  Type et = type.getElementType();
  Value isZero = c.compare(static_cast<uint32_t>(ComparePredicate::eq), norm,
                           c.scalar(et, 0));
  norm = c.op("kiln.select", {isZero, c.scalar(et, 1), norm});
  return c.output(0, c.op("kiln.div", {x, norm}));
}

} // namespace

void onnx_import::registerNormalizationOps(OpTable &t) {
  t.add("BatchNormalization", 1, importBatchNormalization);
  t.add("Hardmax", 1, importHardmax);
  t.add("GroupNormalization", 18, importGroupNormalization);
  t.add("InstanceNormalization", 6, importInstanceNormalization);
  t.add("MeanVarianceNormalization", 9, importMeanVarianceNormalization);
  t.add("LayerNormalization", 17, importLayerNormalization);
  t.add("LpNormalization", 1, importLpNormalization);
  t.add("LRN", 1, importLRN);
  t.add("LogSoftmax", 1, softmax("kiln.log_softmax"));
  t.add("RMSNormalization", 23, importRMSNormalization);
  t.add("Softmax", 1, softmax("kiln.softmax"));
}
