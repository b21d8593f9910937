//===- RecurrentOps.cpp - ONNX RNN, GRU, LSTM -----------------------------===//
//
// The three recurrent ops of ONNX (versions 7, 14 and 22), for a static
// sequence length, unrolled at import into kiln ops. Why a composition: kiln
// has no loop op, the number of steps is known at compile time, and each step
// is a matmul and elementwise ops that already lower through linalg (and
// fuse). The input projection of every step is one matmul up front,
// X [S, B, I] x W^T [I, G*H], with both biases added once; each step then
// adds H_{t-1} x R^T and applies the gates the operator text gives:
//
//   RNN:  H = f(x + H R^T)
//   GRU:  z = f(xz + H Rz^T), r = f(xr + H Rr^T),
//         h = g(xh + (r . H) Rh^T + Rbh)          linear_before_reset = 0
//         h = g(xh + r . (H Rh^T + Rbh))          linear_before_reset = 1
//         H = (1 - z) . h + z . H
//   LSTM: i = f(xi + H Ri^T + Pi . C), f = f(xf + H Rf^T + Pf . C)
//         (f = 1 - i with input_forget), c = g(xc + H Rc^T),
//         C = f . C + i . c, o = f(xo + H Ro^T + Po . C), H = o . h(C)
//
// clip bounds the input of every gate activation (f and g) to
// [-clip, clip], as onnxruntime does. sequence_lens is accepted only when it
// is a constant holding the full length for every batch entry.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/ElementValues.h"
#include "ir/KilnOps.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

enum class Cell { RNN, GRU, LSTM };

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

// clang-format off
enum class ActKind {
  Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh,
  HardSigmoid, Elu, Softsign, Softplus
};
// clang-format on

/// An activation the operator text lists, how many of activation_alpha and
/// activation_beta it takes, and their defaults (those of the ONNX op of the
/// same name).
struct ActSpec {
  const char *name;
  ActKind kind;
  bool takesAlpha, takesBeta;
  double alpha, beta;
};

const ActSpec kActivations[] = {
    {"Relu", ActKind::Relu, false, false, 0, 0},
    {"Tanh", ActKind::Tanh, false, false, 0, 0},
    {"Sigmoid", ActKind::Sigmoid, false, false, 0, 0},
    {"Affine", ActKind::Affine, true, true, 1.0, 0.0},
    {"LeakyRelu", ActKind::LeakyRelu, true, false, 0.01, 0},
    {"ThresholdedRelu", ActKind::ThresholdedRelu, true, false, 1.0, 0},
    {"ScaledTanh", ActKind::ScaledTanh, true, true, 1.0, 1.0},
    {"HardSigmoid", ActKind::HardSigmoid, true, true, 0.2, 0.5},
    {"Elu", ActKind::Elu, true, false, 1.0, 0},
    {"Softsign", ActKind::Softsign, false, false, 0, 0},
    {"Softplus", ActKind::Softplus, false, false, 0, 0},
};

struct Activation {
  ActKind kind;
  double alpha, beta;
};

/// Reads activations, activation_alpha and activation_beta: `perDirection`
/// functions per direction (forward first), defaults when absent. Alphas and
/// betas are consumed in order by the functions that take them.
FailureOr<SmallVector<Activation>> readActivations(NodeImporter &n,
                                                   ArrayRef<StringRef> defaults,
                                                   int64_t directions) {
  AttributeReader &a = n.attrs();
  std::optional<SmallVector<std::string>> names = a.getStrings("activations");
  std::optional<SmallVector<double>> alphas = a.getFloats("activation_alpha");
  std::optional<SmallVector<double>> betas = a.getFloats("activation_beta");
  if (failed(a.status()))
    return failure();
  SmallVector<std::string> list;
  if (names) {
    list = *names;
    size_t want = defaults.size() * directions;
    if (list.size() != want)
      return n.error() << "attribute 'activations' has " << list.size()
                       << " functions; " << want << " expected ("
                       << defaults.size() << " per direction)";
  } else {
    for (int64_t d = 0; d < directions; ++d)
      for (StringRef name : defaults)
        list.push_back(name.str());
  }
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<Activation> out;
  for (const std::string &name : list) {
    const ActSpec *spec = nullptr;
    for (const ActSpec &s : kActivations)
      if (StringRef(s.name).equals_insensitive(name))
        spec = &s;
    if (!spec) {
      SmallVector<StringRef> known;
      for (const ActSpec &s : kActivations)
        known.push_back(s.name);
      return n.error() << "attribute 'activations' names '" << name
                       << "', which is not a recurrent activation (expected "
                       << llvm::join(known, ", ") << ")";
    }
    Activation act{spec->kind, spec->alpha, spec->beta};
    if (spec->takesAlpha && alphas && nextAlpha < alphas->size())
      act.alpha = (*alphas)[nextAlpha++];
    if (spec->takesBeta && betas && nextBeta < betas->size())
      act.beta = (*betas)[nextBeta++];
    out.push_back(act);
  }
  if (alphas && nextAlpha != alphas->size())
    return n.error() << "attribute 'activation_alpha' has " << alphas->size()
                     << " values, but the activations take " << nextAlpha;
  if (betas && nextBeta != betas->size())
    return n.error() << "attribute 'activation_beta' has " << betas->size()
                     << " values, but the activations take " << nextBeta;
  return out;
}

/// `act` of `x`, after clipping x to [-clip, clip] when `clip` is set.
Value activate(OpChain &c, const Activation &act, Value x, Type et,
               std::optional<double> clip) {
  NodeImporter &n = c.n;
  if (clip)
    x = c.op("kiln.clip", x,
             {n.namedF64("min", -*clip), n.namedF64("max", *clip)});
  auto lt = [&](ComparePredicate p, Value lhs, Value rhs) {
    return c.compare(static_cast<uint32_t>(p), lhs, rhs);
  };
  switch (act.kind) {
  case ActKind::Relu:
    return c.op("kiln.relu", x);
  case ActKind::Tanh:
    return c.op("kiln.tanh", x);
  case ActKind::Sigmoid:
    return c.op("kiln.sigmoid", x);
  case ActKind::Affine:
    return c.op("kiln.add", {c.op("kiln.mul", {x, c.scalar(et, act.alpha)}),
                             c.scalar(et, act.beta)});
  case ActKind::LeakyRelu:
    return c.op("kiln.leaky_relu", x, {n.namedF64("alpha", act.alpha)});
  case ActKind::ThresholdedRelu:
    return c.op("kiln.select",
                {lt(ComparePredicate::ge, x, c.scalar(et, act.alpha)), x,
                 c.scalar(et, 0)});
  case ActKind::ScaledTanh:
    return c.op(
        "kiln.mul",
        {c.scalar(et, act.alpha),
         c.op("kiln.tanh", c.op("kiln.mul", {x, c.scalar(et, act.beta)}))});
  case ActKind::HardSigmoid:
    return c.op("kiln.hard_sigmoid", x,
                {n.namedF64("alpha", act.alpha), n.namedF64("beta", act.beta)});
  case ActKind::Elu: {
    Value em1 = c.op("kiln.sub", {c.op("kiln.exp", x), c.scalar(et, 1)});
    Value neg = c.op("kiln.mul", {c.scalar(et, act.alpha), em1});
    return c.op("kiln.select",
                {lt(ComparePredicate::ge, x, c.scalar(et, 0)), x, neg});
  }
  case ActKind::Softsign:
    return c.op("kiln.div",
                {x, c.op("kiln.add", {c.scalar(et, 1), c.op("kiln.abs", x)})});
  case ActKind::Softplus: {
    // max(x, 0) + ln(1 + e^-|x|): ln(1 + e^x) without overflow.
    Value negAbs = c.op("kiln.neg", c.op("kiln.abs", x));
    Value tail =
        c.op("kiln.log",
             c.op("kiln.add", {c.scalar(et, 1), c.op("kiln.exp", negAbs)}));
    return c.op("kiln.add", {c.op("kiln.max", {x, c.scalar(et, 0)}), tail});
  }
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

/// v[start:end] along `axis`, every other dim whole.
Value sliceAxis(OpChain &c, Value v, int64_t axis, int64_t start, int64_t end) {
  if (!c.ok || !v) {
    c.ok = false;
    return {};
  }
  auto shape = cast<RankedTensorType>(v.getType()).getShape();
  SmallVector<int64_t> starts(shape.size(), 0), ends(shape),
      steps(shape.size(), 1);
  starts[axis] = start;
  ends[axis] = end;
  return c.op("kiln.slice", v,
              {c.n.namedI64s("starts", starts), c.n.namedI64s("ends", ends),
               c.n.namedI64s("steps", steps)});
}

/// v[d] of a [D, ...] tensor, without the leading dim.
Value direction(OpChain &c, Value v, int64_t d) {
  if (!v)
    return {};
  auto shape = cast<RankedTensorType>(v.getType()).getShape();
  return c.reshape(sliceAxis(c, v, 0, d, d + 1), shape.drop_front());
}

Value transpose(OpChain &c, Value v, ArrayRef<int64_t> perm) {
  return c.op("kiln.transpose", v, {c.n.namedI64s("perm", perm)});
}

Value zeros(NodeImporter &n, ArrayRef<int64_t> shape, Type et) {
  Attribute zero = n.b().getFloatAttr(et, 0.0);
  return n.constant(
      DenseElementsAttr::get(RankedTensorType::get(shape, et), zero));
}

/// Gate pieces of a [B, k*H] tensor.
SmallVector<Value> splitGates(OpChain &c, Value v, unsigned count, int64_t h) {
  if (!c.ok || !v) {
    c.ok = false;
    return SmallVector<Value>(count);
  }
  FailureOr<SmallVector<Value>> parts =
      c.n.createN("kiln.split", v,
                  {c.n.namedI64("axis", 1),
                   c.n.namedI64s("sizes", SmallVector<int64_t>(count, h))},
                  count);
  if (failed(parts)) {
    c.ok = false;
    return SmallVector<Value>(count);
  }
  return *parts;
}

//===----------------------------------------------------------------------===//
// The ops
//===----------------------------------------------------------------------===//

/// What one direction computes: every step's H (in time order) and the
/// final H and C.
struct DirectionResult {
  SmallVector<Value> steps;
  Value lastH, lastC;
};

struct Recurrence {
  Cell cell;
  int64_t seq, batch, hidden, gates;
  Type et;
  std::optional<double> clip;
  bool linearBeforeReset = false, inputForget = false;
};

DirectionResult runDirection(OpChain &c, const Recurrence &rc, bool reverse,
                             ArrayRef<Activation> acts, Value x, Value w,
                             Value r, Value bias, Value h0, Value c0,
                             Value peep) {
  NodeImporter &n = c.n;
  int64_t H = rc.hidden, GH = rc.gates * rc.hidden, B = rc.batch;
  Type et = rc.et;
  Value xw = c.op("kiln.matmul", {x, transpose(c, w, {1, 0})}); // [S, B, GH]
  Value rt = transpose(c, r, {1, 0});                           // [H, GH]
  Value rbh; // GRU's Rbh when it applies after the reset gate
  if (bias) {
    Value wb = sliceAxis(c, bias, 0, 0, GH);
    Value rb = sliceAxis(c, bias, 0, GH, 2 * GH);
    if (rc.cell == Cell::GRU && rc.linearBeforeReset) {
      rbh = sliceAxis(c, rb, 0, 2 * H, 3 * H);
      rb = c.op("kiln.concat",
                {sliceAxis(c, rb, 0, 0, 2 * H), zeros(n, {H}, et)},
                {n.namedI64("axis", 0)});
    }
    xw = c.op("kiln.add", {xw, c.op("kiln.add", {wb, rb})});
  }
  Value rzr, rh; // GRU: R^T of the update and reset gates, of the hidden gate
  if (rc.cell == Cell::GRU) {
    rzr = sliceAxis(c, rt, 1, 0, 2 * H);
    rh = sliceAxis(c, rt, 1, 2 * H, 3 * H);
  }
  Value pi, po, pf;
  if (peep) {
    SmallVector<Value> p = splitGates(c, c.reshape(peep, {1, 3 * H}), 3, H);
    pi = p[0], po = p[1], pf = p[2];
  }
  Value one = c.scalar(et, 1);

  Value hPrev = h0 ? h0 : zeros(n, {B, H}, et);
  Value cPrev =
      rc.cell == Cell::LSTM ? (c0 ? c0 : zeros(n, {B, H}, et)) : Value();
  DirectionResult out;
  out.steps.resize(rc.seq);
  for (int64_t step = 0; step < rc.seq && c.ok; ++step) {
    int64_t t = reverse ? rc.seq - 1 - step : step;
    Value xt = c.reshape(sliceAxis(c, xw, 0, t, t + 1), {B, GH});
    switch (rc.cell) {
    case Cell::RNN:
      hPrev = activate(c, acts[0],
                       c.op("kiln.add", {xt, c.op("kiln.matmul", {hPrev, rt})}),
                       et, rc.clip);
      break;
    case Cell::GRU: {
      SmallVector<Value> xg = splitGates(c, xt, 3, H);
      SmallVector<Value> hg =
          splitGates(c, c.op("kiln.matmul", {hPrev, rzr}), 2, H);
      Value z =
          activate(c, acts[0], c.op("kiln.add", {xg[0], hg[0]}), et, rc.clip);
      Value rg =
          activate(c, acts[0], c.op("kiln.add", {xg[1], hg[1]}), et, rc.clip);
      Value recur;
      if (rc.linearBeforeReset) {
        Value hr = c.op("kiln.matmul", {hPrev, rh});
        if (rbh)
          hr = c.op("kiln.add", {hr, rbh});
        recur = c.op("kiln.mul", {rg, hr});
      } else {
        recur = c.op("kiln.matmul", {c.op("kiln.mul", {rg, hPrev}), rh});
      }
      Value hh =
          activate(c, acts[1], c.op("kiln.add", {xg[2], recur}), et, rc.clip);
      Value keep = c.op("kiln.mul", {z, hPrev});
      Value take = c.op("kiln.mul", {c.op("kiln.sub", {one, z}), hh});
      hPrev = c.op("kiln.add", {take, keep});
      break;
    }
    case Cell::LSTM: {
      Value g = c.op("kiln.add", {xt, c.op("kiln.matmul", {hPrev, rt})});
      SmallVector<Value> gs = splitGates(c, g, 4, H); // i, o, f, c
      Value gi = gs[0], go = gs[1], gf = gs[2], gc = gs[3];
      if (peep) {
        gi = c.op("kiln.add", {gi, c.op("kiln.mul", {pi, cPrev})});
        gf = c.op("kiln.add", {gf, c.op("kiln.mul", {pf, cPrev})});
      }
      Value i = activate(c, acts[0], gi, et, rc.clip);
      Value f = rc.inputForget ? c.op("kiln.sub", {one, i})
                               : activate(c, acts[0], gf, et, rc.clip);
      Value cc = activate(c, acts[1], gc, et, rc.clip);
      cPrev = c.op("kiln.add",
                   {c.op("kiln.mul", {f, cPrev}), c.op("kiln.mul", {i, cc})});
      if (peep)
        go = c.op("kiln.add", {go, c.op("kiln.mul", {po, cPrev})});
      Value o = activate(c, acts[0], go, et, rc.clip);
      hPrev =
          c.op("kiln.mul", {o, activate(c, acts[2], cPrev, et, std::nullopt)});
      break;
    }
    }
    out.steps[t] = hPrev;
  }
  out.lastH = hPrev;
  out.lastC = cPrev;
  return out;
}

/// Checks that input `i`, when given, is `shape` of `et`.
LogicalResult checkShape(NodeImporter &n, unsigned i, StringRef what,
                         ArrayRef<int64_t> shape, Type et) {
  if (!n.hasInput(i))
    return success();
  RankedTensorType type = n.inputType(i);
  if (type.getElementType() == et && type.getShape() == shape)
    return success();
  InFlightDiagnostic diag = n.error() << "input '" << what << "' is " << type
                                      << ", expected [";
  llvm::interleave(shape, diag, ", ");
  return diag << "] of " << et;
}

/// sequence_lens must be a constant holding `seq` for every batch entry.
LogicalResult checkSequenceLens(NodeImporter &n, int64_t seq, int64_t batch) {
  if (!n.hasInput(4))
    return success();
  // Kiln runs every sequence to the full length: the lengths must be known
  // (a graph input can be frozen with --constant, as the error says).
  FailureOr<DenseElementsAttr> known = n.constantInput(4, "sequence_lens");
  if (failed(known))
    return failure();
  DenseElementsAttr lens = *known;
  auto type = cast<RankedTensorType>(lens.getType());
  if (!type.getElementType().isSignlessInteger(32) || type.getRank() != 1 ||
      type.getDimSize(0) != batch)
    return n.error() << "input 'sequence_lens' is " << type << ", expected ["
                     << batch << "] of i32";
  for (auto [k, v] : llvm::enumerate(lens.getValues<APInt>()))
    if (v.getSExtValue() != seq)
      return n.error() << "input 'sequence_lens' gives batch entry " << k
                       << " length " << v.getSExtValue()
                       << "; Kiln supports only sequences of the full length "
                       << seq;
  return success();
}

LogicalResult importRecurrent(NodeImporter &n, Cell cell) {
  bool lstm = cell == Cell::LSTM;
  if (failed(n.checkArity(3, lstm ? 8 : 6, 0, lstm ? 3 : 2)))
    return failure();
  AttributeReader &a = n.attrs();
  unsigned dir = a.getChoice("direction", "forward",
                             {"forward", "reverse", "bidirectional"});
  int64_t numDirs = dir == 2 ? 2 : 1;
  std::optional<int64_t> hiddenAttr = a.getOptionalInt("hidden_size");
  Recurrence rc;
  rc.cell = cell;
  rc.gates = cell == Cell::RNN ? 1 : cell == Cell::GRU ? 3 : 4;
  rc.clip = a.getOptionalFloat("clip");
  // layout exists from version 14; before, checkAllRead refuses it by name.
  bool batchFirst = n.opset() >= 14 && a.getBool("layout", false);
  if (cell == Cell::GRU)
    rc.linearBeforeReset = a.getBool("linear_before_reset", false);
  if (lstm)
    rc.inputForget = a.getBool("input_forget", false);
  SmallVector<StringRef> defaults =
      cell == Cell::RNN   ? SmallVector<StringRef>{"Tanh"}
      : cell == Cell::GRU ? SmallVector<StringRef>{"Sigmoid", "Tanh"}
                          : SmallVector<StringRef>{"Sigmoid", "Tanh", "Tanh"};
  FailureOr<SmallVector<Activation>> acts =
      readActivations(n, defaults, numDirs);
  if (failed(a.status()) || failed(acts))
    return failure();
  // onnxruntime requires hidden_size too; it is never inferred from W.
  if (!hiddenAttr)
    return n.error() << "attribute 'hidden_size' is required";
  if (*hiddenAttr <= 0)
    return n.error() << "attribute 'hidden_size' must be positive, got "
                     << *hiddenAttr;
  if (rc.clip && !(*rc.clip > 0))
    return n.error() << "attribute 'clip' must be positive, got " << *rc.clip;

  RankedTensorType xType = n.inputType(0);
  Type et = xType.getElementType();
  if (!isa<FloatType>(et) || xType.getRank() != 3 || !xType.hasStaticShape())
    return n.error()
           << "expects X to be a static 3-D floating-point tensor, got "
           << xType;
  int64_t H = *hiddenAttr, G = rc.gates;
  rc.seq = xType.getDimSize(batchFirst ? 1 : 0);
  rc.batch = xType.getDimSize(batchFirst ? 0 : 1);
  rc.hidden = H;
  int64_t I = xType.getDimSize(2), S = rc.seq, B = rc.batch;
  if (S == 0)
    return n.error() << "X has no time steps";
  // Each step is a copy of the cell: as for Loop and Scan, 4096 at most.
  constexpr int64_t kMaxSteps = 4096;
  if (S > kMaxSteps)
    return n.error() << "sequence length " << S << " is above the " << kMaxSteps
                     << " steps Kiln unrolls";
  SmallVector<int64_t> stateShape = batchFirst
                                        ? SmallVector<int64_t>{B, numDirs, H}
                                        : SmallVector<int64_t>{numDirs, B, H};
  if (failed(checkShape(n, 1, "W", {numDirs, G * H, I}, et)) ||
      failed(checkShape(n, 2, "R", {numDirs, G * H, H}, et)) ||
      failed(checkShape(n, 3, "B", {numDirs, 2 * G * H}, et)) ||
      failed(checkShape(n, 5, "initial_h", stateShape, et)) ||
      (lstm && failed(checkShape(n, 6, "initial_c", stateShape, et))) ||
      (lstm && failed(checkShape(n, 7, "P", {numDirs, 3 * H}, et))) ||
      failed(checkSequenceLens(n, S, B)))
    return failure();

  // float16/bfloat16 compute in float32, rounded once at the end.
  rc.et = getComputeType(et);
  OpChain c{n};
  auto in = [&](unsigned i) {
    return n.hasInput(i) ? c.cast(n.input(i), rc.et) : Value();
  };
  Value x = in(0), w = in(1), r = in(2), bias = in(3), h0 = in(5);
  Value c0 = lstm ? in(6) : Value(), peep = lstm ? in(7) : Value();
  if (batchFirst) {
    x = transpose(c, x, {1, 0, 2});
    h0 = h0 ? transpose(c, h0, {1, 0, 2}) : Value();
    c0 = c0 ? transpose(c, c0, {1, 0, 2}) : Value();
  }

  size_t perDir = defaults.size();
  SmallVector<DirectionResult> results;
  for (int64_t d = 0; d < numDirs; ++d) {
    // In order, one statement each: a call's arguments are evaluated in an
    // unspecified order, which would order the slices by compiler.
    Value wd = direction(c, w, d), rd = direction(c, r, d), bd = direction(c, bias, d),
          h0d = direction(c, h0, d), c0d = direction(c, c0, d), pd = direction(c, peep, d);
    results.push_back(runDirection(c, rc, dir == 1 || d == 1,
                                   ArrayRef<Activation>(*acts).slice(d * perDir, perDir), x,
                                   wd, rd, bd, h0d, c0d, pd));
  }
  if (!c.ok)
    return failure();

  auto finish = [&](Value v, unsigned i) -> LogicalResult {
    return c.output(i, c.cast(v, et));
  };
  // Y: [S, D, B, H] (layout 1: [B, S, D, H]).
  if (n.isOutputUsed(0)) {
    SmallVector<Value> dirs;
    for (DirectionResult &res : results) {
      SmallVector<Value> steps;
      for (Value h : res.steps)
        steps.push_back(c.reshape(h, {1, 1, B, H}));
      dirs.push_back(c.op("kiln.concat", steps, {n.namedI64("axis", 0)}));
    }
    Value y = c.op("kiln.concat", dirs, {n.namedI64("axis", 1)});
    if (batchFirst)
      y = transpose(c, y, {2, 0, 1, 3});
    if (failed(finish(y, 0)))
      return failure();
  }
  // Y_h and Y_c: [D, B, H] (layout 1: [B, D, H]).
  auto last = [&](Value DirectionResult::*field, unsigned i) -> LogicalResult {
    if (!n.isOutputUsed(i))
      return success();
    SmallVector<Value> dirs;
    for (DirectionResult &res : results)
      dirs.push_back(c.reshape(res.*field, {1, B, H}));
    Value v = c.op("kiln.concat", dirs, {n.namedI64("axis", 0)});
    if (batchFirst)
      v = transpose(c, v, {1, 0, 2});
    return finish(v, i);
  };
  if (failed(last(&DirectionResult::lastH, 1)) ||
      (lstm && failed(last(&DirectionResult::lastC, 2))))
    return failure();
  return success();
}

} // namespace

void onnx_import::registerRecurrentOps(OpTable &t) {
  t.add("RNN", 1,
        [](NodeImporter &n) { return importRecurrent(n, Cell::RNN); });
  t.add("GRU", 1,
        [](NodeImporter &n) { return importRecurrent(n, Cell::GRU); });
  t.add("LSTM", 1,
        [](NodeImporter &n) { return importRecurrent(n, Cell::LSTM); });
}
