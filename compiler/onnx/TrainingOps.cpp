//===- TrainingOps.cpp - ai.onnx.preview.training optimizers -> kiln ------===//
//
// Adagrad, Adam and Momentum (domain ai.onnx.preview.training, opset 1):
// one optimizer step, elementwise, as the operator text's pseudo code
// writes it. Inputs are R (the learning rate, a scalar), T (the update
// count, an int64 scalar), then n tensors X, n gradients G and n of each
// state (Adagrad: H; Adam: V, H; Momentum: V); outputs the n new X, then
// the n new values of each state, in that order. T is a run-time value:
// its cases (T > 0) are selects, its powers kiln.pow. Everything is computed
// in X's type, R and T cast to it.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// The node's inputs in groups: R and T (rank 0 in X's type, T also as
/// int64), then for each optimized tensor its X, G and states.
struct Groups {
  Value r, t, tInt;
  int64_t count;
  /// inputs(j, i): input j (0: X, 1: G, 2..: states) of tensor i.
  std::function<Value(unsigned, int64_t)> inputs;
};

/// A one-element input (R or T) as a rank-0 tensor.
FailureOr<Value> scalarInput(NodeImporter &n, unsigned i, StringRef what,
                             bool integer) {
  RankedTensorType type = n.inputType(i);
  Type et = type.getElementType();
  bool ok = type.hasStaticShape() && type.getNumElements() == 1 &&
            (integer ? et.isSignlessInteger(64) : isa<FloatType>(et));
  if (!ok)
    return n.error() << "expects '" << what << "' to be one "
                     << (integer ? "int64" : "floating-point") << " value, got "
                     << type;
  return n.reshape(n.input(i), {});
}

/// Checks the arity (2 + perTensor * n inputs, `outputsPer` * n outputs)
/// and that every X, G and state has the first X's element type and its
/// tensor's X's shape.
FailureOr<Groups> readGroups(NodeImporter &n, unsigned perTensor,
                             unsigned outputsPer, StringRef layout) {
  size_t inputs = n.numInputs();
  if (inputs < 2 + perTensor || (inputs - 2) % perTensor)
    return n.error() << "expects inputs R, T, then " << layout << ", got "
                     << inputs << " inputs";
  int64_t count = (inputs - 2) / perTensor;
  if (n.numOutputs() != size_t(outputsPer * count))
    return n.error() << "expects " << outputsPer * count << " outputs for its "
                     << count << " optimized tensors, got " << n.numOutputs();
  for (unsigned i = 0; i < inputs; ++i)
    if (!n.hasInput(i))
      return n.error() << "input " << i << " must be given";
  Type et = n.inputType(2).getElementType();
  if (!isa<FloatType>(et))
    return n.error() << "expects floating-point tensors to optimize, got "
                     << n.inputType(2);
  for (int64_t i = 0; i < count; ++i)
    for (unsigned j = 1; j < perTensor; ++j) {
      RankedTensorType x = n.inputType(2 + i),
                       other = n.inputType(2 + j * count + i);
      if (other != x)
        return n.error() << "expects input '" << n.inputName(2 + j * count + i)
                         << "' of the type of '" << n.inputName(2 + i) << "', "
                         << x << ", got " << other;
    }
  Groups g;
  g.count = count;
  FailureOr<Value> r = scalarInput(n, 0, "R", false);
  FailureOr<Value> t = scalarInput(n, 1, "T", true);
  if (failed(r) || failed(t))
    return failure();
  FailureOr<Value> rCast = n.cast(*r, et), tCast = n.cast(*t, et);
  if (failed(rCast) || failed(tCast))
    return failure();
  g.r = *rCast;
  g.t = *tCast;
  g.tInt = *t;
  g.inputs = [&n, count](unsigned j, int64_t i) {
    return n.input(2 + j * count + i);
  };
  return g;
}

/// T > 0, a rank-0 bool.
Value positive(OpChain &c, const Groups &g) {
  return c.compare(static_cast<uint32_t>(ComparePredicate::gt), g.tInt,
                   c.scalar(c.n.b().getI64Type(), 0));
}

Type typeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

LogicalResult importAdagrad(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  double decay = a.getFloat("decay_factor", 0.0);
  double epsilon = a.getFloat("epsilon", 1e-6);
  double norm = a.getFloat("norm_coefficient", 0.0);
  if (failed(a.status()))
    return failure();
  FailureOr<Groups> g = readGroups(n, 3, 2, "X..., G..., H...");
  if (failed(g))
    return failure();
  OpChain c{n};
  Type t = typeOf(g->r);
  // r = R / (1 + T * decay_factor)
  Value r = c.op(
      "kiln.div",
      {g->r, c.op("kiln.add", {c.scalar(t, 1),
                               c.op("kiln.mul", {g->t, c.scalar(t, decay)})})});
  for (int64_t i = 0; i < g->count; ++i) {
    Value x = g->inputs(0, i), grad = g->inputs(1, i), h = g->inputs(2, i);
    Value reg =
        c.op("kiln.add", {c.op("kiln.mul", {c.scalar(t, norm), x}), grad});
    Value hNew = c.op("kiln.add", {h, c.op("kiln.mul", {reg, reg})});
    Value adaptive =
        c.op("kiln.add", {c.op("kiln.sqrt", hNew), c.scalar(t, epsilon)});
    Value xNew =
        c.op("kiln.sub",
             {x, c.op("kiln.div", {c.op("kiln.mul", {r, reg}), adaptive})});
    if (failed(c.output(i, xNew)) || failed(c.output(g->count + i, hNew)))
      return failure();
  }
  return success();
}

LogicalResult importAdam(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  double alpha = a.getFloat("alpha", 0.9);
  double beta = a.getFloat("beta", 0.999);
  double epsilon = a.getFloat("epsilon", 1e-6);
  double norm = a.getFloat("norm_coefficient", 0.0);
  double normPost = a.getFloat("norm_coefficient_post", 0.0);
  if (failed(a.status()))
    return failure();
  FailureOr<Groups> g = readGroups(n, 4, 3, "X..., G..., V..., H...");
  if (failed(g))
    return failure();
  OpChain c{n};
  Type t = typeOf(g->r);
  Value one = c.scalar(t, 1);
  // R_adjusted = T > 0 ? R * sqrt(1 - beta^T) / (1 - alpha^T) : R (the
  // division by zero at T = 0 is not selected).
  Value alphaT = c.op("kiln.pow", {c.scalar(t, alpha), g->t});
  Value betaT = c.op("kiln.pow", {c.scalar(t, beta), g->t});
  Value corrected =
      c.op("kiln.div",
           {c.op("kiln.mul",
                 {g->r, c.op("kiln.sqrt", c.op("kiln.sub", {one, betaT}))}),
            c.op("kiln.sub", {one, alphaT})});
  Value r = c.op("kiln.select", {positive(c, *g), corrected, g->r});
  for (int64_t i = 0; i < g->count; ++i) {
    Value x = g->inputs(0, i), grad = g->inputs(1, i), v = g->inputs(2, i),
          h = g->inputs(3, i);
    Value reg =
        c.op("kiln.add", {c.op("kiln.mul", {c.scalar(t, norm), x}), grad});
    Value vNew =
        c.op("kiln.add", {c.op("kiln.mul", {c.scalar(t, alpha), v}),
                          c.op("kiln.mul", {c.scalar(t, 1 - alpha), reg})});
    Value hNew =
        c.op("kiln.add", {c.op("kiln.mul", {c.scalar(t, beta), h}),
                          c.op("kiln.mul", {c.scalar(t, 1 - beta),
                                            c.op("kiln.mul", {reg, reg})})});
    Value hSqrt =
        c.op("kiln.add", {c.op("kiln.sqrt", hNew), c.scalar(t, epsilon)});
    Value xNew =
        c.op("kiln.sub",
             {x, c.op("kiln.mul", {r, c.op("kiln.div", {vNew, hSqrt})})});
    Value xFinal = c.op("kiln.mul", {c.scalar(t, 1 - normPost), xNew});
    if (failed(c.output(i, xFinal)) || failed(c.output(g->count + i, vNew)) ||
        failed(c.output(2 * g->count + i, hNew)))
      return failure();
  }
  return success();
}

LogicalResult importMomentum(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  // Every attribute is required (no defaults in the operator schema).
  for (StringRef name : {"alpha", "beta", "mode", "norm_coefficient"})
    if (!a.has(name))
      return n.error() << "expects attribute '" << name << "' (required)";
  double alpha = a.getFloat("alpha", 0.0);
  double beta = a.getFloat("beta", 0.0);
  bool nesterov =
      a.getChoice("mode", "standard", {"standard", "nesterov"}) == 1;
  double norm = a.getFloat("norm_coefficient", 0.0);
  if (failed(a.status()))
    return failure();
  FailureOr<Groups> g = readGroups(n, 3, 2, "X..., G..., V...");
  if (failed(g))
    return failure();
  OpChain c{n};
  Type t = typeOf(g->r);
  // beta_adjusted = T > 0 ? beta : 1
  Value betaAdjusted =
      c.op("kiln.select", {positive(c, *g), c.scalar(t, beta), c.scalar(t, 1)});
  for (int64_t i = 0; i < g->count; ++i) {
    Value x = g->inputs(0, i), grad = g->inputs(1, i), v = g->inputs(2, i);
    Value reg =
        c.op("kiln.add", {c.op("kiln.mul", {c.scalar(t, norm), x}), grad});
    Value vNew = c.op("kiln.add", {c.op("kiln.mul", {c.scalar(t, alpha), v}),
                                   c.op("kiln.mul", {betaAdjusted, reg})});
    // Standard: X - R * V_new; Nesterov: X - R * (G_regularized + alpha *
    // V_new).
    Value step = nesterov
                     ? c.op("kiln.add",
                            {reg, c.op("kiln.mul", {c.scalar(t, alpha), vNew})})
                     : vNew;
    Value xNew = c.op("kiln.sub", {x, c.op("kiln.mul", {g->r, step})});
    if (failed(c.output(i, xNew)) || failed(c.output(g->count + i, vNew)))
      return failure();
  }
  return success();
}

} // namespace

void onnx_import::registerTrainingOps(OpTable &t) {
  t.add("Adagrad", 1, importAdagrad, kTrainingDomain);
  t.add("Adam", 1, importAdam, kTrainingDomain);
  t.add("Momentum", 1, importMomentum, kTrainingDomain);
}
