//===- ElementwiseOps.cpp - ONNX elementwise ops -> kiln ------------------===//
//
// Unary math, activations, binary arithmetic with NumPy broadcasting (the
// only kind opsets 7+ have), comparisons, logic, Clip, Cast and Where, and
// SwiGLU (Swish(A) * B, as its function body).
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "compiler/import/KilnBuilder.h"

#include "ir/ElementValues.h"
#include "ir/KilnOps.h"

#include <cfloat>
#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// Two inputs with NumPy broadcasting, no attributes.
OpHandler binary(StringRef kilnOp) {
  return [kilnOp = kilnOp.str()](NodeImporter &n) -> LogicalResult {
    if (failed(n.checkArity(2, 2)))
      return failure();
    FailureOr<Value> y = n.create(kilnOp, {n.input(0), n.input(1)});
    if (failed(y))
      return failure();
    n.setOutput(0, *y);
    return success();
  };
}

Attribute predicateAttr(NodeImporter &n, ComparePredicate p) {
  return n.b().getI32IntegerAttr(static_cast<int32_t>(p));
}

OpHandler compare(ComparePredicate predicate) {
  return [predicate](NodeImporter &n) -> LogicalResult {
    if (failed(n.checkArity(2, 2)))
      return failure();
    FailureOr<Value> y = n.create(
        "kiln.compare", {n.input(0), n.input(1)},
        {n.b().getNamedAttr("predicate", predicateAttr(n, predicate))});
    if (failed(y))
      return failure();
    n.setOutput(0, *y);
    return success();
  };
}

/// Max, Min, Sum (and Mean) take one or more inputs (opset 8+; opset 7
/// already broadcasts) and fold them pairwise.
OpHandler variadic(StringRef kilnOp, bool mean = false) {
  return [kilnOp = kilnOp.str(), mean](NodeImporter &n) -> LogicalResult {
    if (failed(n.checkArity(1, std::numeric_limits<unsigned>::max())))
      return failure();
    Value acc = n.input(0);
    for (unsigned i = 1; i < n.numInputs(); ++i) {
      if (!n.hasInput(i))
        return n.error() << "input " << i << " is omitted";
      FailureOr<Value> next = n.create(kilnOp, {acc, n.input(i)});
      if (failed(next))
        return failure();
      acc = *next;
    }
    if (mean && n.numInputs() > 1) {
      Type et = cast<RankedTensorType>(acc.getType()).getElementType();
      FailureOr<Value> count = n.scalar(et, static_cast<double>(n.numInputs()));
      if (failed(count))
        return failure();
      FailureOr<Value> div = n.create("kiln.div", {acc, *count});
      if (failed(div))
        return failure();
      acc = *div;
    }
    n.setOutput(0, acc);
    return success();
  };
}

LogicalResult importLeakyRelu(NodeImporter &n) {
  double alpha = n.attrs().getFloat("alpha", 0.01);
  if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
    return failure();
  FailureOr<Value> y =
      n.create("kiln.leaky_relu", n.input(0), {n.namedF64("alpha", alpha)});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult importHardSigmoid(NodeImporter &n) {
  double alpha = n.attrs().getFloat("alpha", 0.2);
  double beta = n.attrs().getFloat("beta", 0.5);
  if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
    return failure();
  FailureOr<Value> y =
      n.create("kiln.hard_sigmoid", n.input(0),
               {n.namedF64("alpha", alpha), n.namedF64("beta", beta)});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult importGelu(NodeImporter &n) {
  unsigned approximate = n.attrs().getChoice("approximate", "none",
                                             {"none", "tanh"});
  if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
    return failure();
  GeluApproximation mode =
      approximate == 0 ? GeluApproximation::none : GeluApproximation::tanh;
  FailureOr<Value> y = n.create(
      "kiln.gelu", n.input(0),
      {n.b().getNamedAttr("approximate", n.b().getI32IntegerAttr(
                                             static_cast<int32_t>(mode)))});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

/// PRelu: x < 0 ? slope * x : x, with `slope` broadcast to x's shape.
LogicalResult importPRelu(NodeImporter &n) {
  if (failed(n.checkArity(2, 2)))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = n.inputType(0);
  FailureOr<Value> zero = n.scalar(type.getElementType(), 0);
  if (failed(zero))
    return failure();
  FailureOr<Value> negative = n.create(
      "kiln.compare", {x, *zero},
      {n.b().getNamedAttr("predicate",
                          predicateAttr(n, ComparePredicate::lt))});
  if (failed(negative))
    return failure();
  FailureOr<Value> scaled = n.create("kiln.mul", {x, n.input(1)});
  if (failed(scaled))
    return failure();
  if (scaled->getType() != type)
    return n.error() << "slope " << n.inputType(1)
                     << " does not broadcast to the input " << type;
  FailureOr<Value> y = n.create("kiln.select", {*negative, *scaled, x});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

/// Clip's bounds: attributes before opset 11, optional inputs from 11 on. A
/// missing bound is unbounded. Constant bounds become kiln.clip's attributes;
/// bounds known only at run time are max(x, min), then min(., max), which is
/// ONNX's rule (min > max gives max) as it stands.
LogicalResult importClip(NodeImporter &n) {
  std::optional<double> lo, hi;
  Value runtimeLo, runtimeHi;
  if (n.opset() < 11) {
    lo = n.attrs().getOptionalFloat("min");
    hi = n.attrs().getOptionalFloat("max");
    if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
      return failure();
  } else {
    if (failed(n.checkArity(1, 3)))
      return failure();
    for (unsigned i : {1u, 2u}) {
      if (!n.hasInput(i))
        continue;
      if (!n.knownValue(i)) {
        RankedTensorType t = n.inputType(i);
        if (!t || t.getNumElements() != 1)
          return n.error() << "input '" << (i == 1 ? "min" : "max")
                           << "' must hold one value, got " << t;
        FailureOr<Value> scalar = n.reshape(n.input(i), {});
        if (failed(scalar))
          return failure();
        (i == 1 ? runtimeLo : runtimeHi) = *scalar;
        continue;
      }
      FailureOr<double> v = n.constantScalar(i, i == 1 ? "min" : "max");
      if (failed(v))
        return failure();
      (i == 1 ? lo : hi) = *v;
    }
  }
  if (runtimeLo || runtimeHi) {
    // Constant bounds join the run-time ones as scalars of the input's type.
    Type et = n.inputType(0).getElementType();
    for (auto [bound, value] : {std::pair{&lo, &runtimeLo}, {&hi, &runtimeHi}})
      if (*bound && !*value) {
        FailureOr<Value> c = n.scalar(et, **bound);
        if (failed(c))
          return failure();
        *value = *c;
      }
    Value y = n.input(0);
    if (runtimeLo) {
      FailureOr<Value> r = n.create("kiln.max", {y, runtimeLo});
      if (failed(r))
        return failure();
      y = *r;
    }
    if (runtimeHi) {
      FailureOr<Value> r = n.create("kiln.min", {y, runtimeHi});
      if (failed(r))
        return failure();
      y = *r;
    }
    n.setOutput(0, y);
    return success();
  }
  // ONNX: when min > max, every value becomes max.
  if (lo && hi && *lo > *hi)
    lo = hi;
  SmallVector<NamedAttribute> attrs;
  if (lo)
    attrs.push_back(n.namedF64("min", *lo));
  if (hi)
    attrs.push_back(n.namedF64("max", *hi));
  FailureOr<Value> y = n.create("kiln.clip", n.input(0), attrs);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult castTo(NodeImporter &n, Type to, bool saturate) {
  FailureOr<Value> y = n.cast(n.input(0), to, saturate);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

/// `saturate` (opset 19) changes only conversions to float8 types;
/// `round_mode` (opset 24) only those to float8e8m0, which Kiln refuses as a
/// dtype (MLIR 19 has no such type), so its value is only checked.
bool readCastAttributes(NodeImporter &n) {
  bool saturate = n.opset() >= 19 ? n.attrs().getBool("saturate", true) : true;
  if (n.opset() >= 24)
    n.attrs().getChoice("round_mode", "up", {"up", "down", "nearest"});
  return saturate;
}

/// The element type Cast's or BitCast's required attribute 'to' names; null
/// after reporting at the node when it is missing or not a Kiln dtype.
Type targetElementType(NodeImporter &n, std::optional<int64_t> to) {
  if (!to) {
    n.error() << "attribute 'to' is required";
    return {};
  }
  Type et = elementTypeFor(n.context(), static_cast<int32_t>(*to));
  if (!et)
    n.error() << "attribute 'to' is " << unsupportedDType(static_cast<int32_t>(*to));
  return et;
}

LogicalResult importCast(NodeImporter &n) {
  std::optional<int64_t> to = n.attrs().getOptionalInt("to");
  bool saturate = readCastAttributes(n);
  if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
    return failure();
  Type et = targetElementType(n, to);
  if (!et)
    return failure();
  return castTo(n, et, saturate);
}

LogicalResult importCastLike(NodeImporter &n) {
  bool saturate = readCastAttributes(n);
  if (failed(n.checkArity(2, 2)) || failed(n.attrs().status()))
    return failure();
  return castTo(n, n.inputType(1).getElementType(), saturate);
}

/// BitCast (opset 26): the same bits as another type of the same width.
LogicalResult importBitCast(NodeImporter &n) {
  std::optional<int64_t> to = n.attrs().getOptionalInt("to");
  if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
    return failure();
  Type et = targetElementType(n, to);
  if (!et)
    return failure();
  RankedTensorType type = n.inputType(0);
  Type from = type.getElementType();
  // ONNX stores a bool in a byte; so does Kiln, but only ever 0 or 1.
  auto width = [](Type t) { return t.isInteger(1) ? 8u : t.getIntOrFloatBitWidth(); };
  if (width(from) != width(et))
    return n.error() << "input type " << onnxTypeName(onnxTypeCode(from)) << " ("
                     << width(from) << " bits) and attribute 'to' "
                     << onnxTypeName(static_cast<int32_t>(*to)) << " (" << width(et)
                     << " bits) differ in width";
  if (et.isInteger(1) && !from.isInteger(1))
    return n.error() << "attribute 'to' is bool, which Kiln does not reinterpret "
                     << onnxTypeName(onnxTypeCode(from))
                     << " bytes as: its bools hold only 0 or 1";
  if (from == et) {
    n.setOutput(0, n.input(0));
    return success();
  }
  FailureOr<Value> y = n.create("kiln.bitcast", n.input(0), {}, type.clone(et));
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

/// Pow: the exponent may have another dtype (opset 12+); it is cast to the
/// base's. Integer bases are computed in f64 and cast back, since kiln.pow
/// is float-only.
LogicalResult importPow(NodeImporter &n) {
  if (failed(n.checkArity(2, 2)))
    return failure();
  Type baseType = n.inputType(0).getElementType();
  Type computeType = isa<FloatType>(baseType) ? baseType
                                              : n.b().getF64Type();
  FailureOr<Value> base = n.cast(n.input(0), computeType);
  FailureOr<Value> exponent = n.cast(n.input(1), computeType);
  if (failed(base) || failed(exponent))
    return failure();
  FailureOr<Value> y = n.create("kiln.pow", {*base, *exponent});
  if (failed(y))
    return failure();
  FailureOr<Value> result = n.cast(*y, baseType);
  if (failed(result))
    return failure();
  n.setOutput(0, *result);
  return success();
}

/// Xor of bools is "not equal".
LogicalResult importXor(NodeImporter &n) {
  if (failed(n.checkArity(2, 2)))
    return failure();
  if (!n.inputType(0).getElementType().isInteger(1) ||
      !n.inputType(1).getElementType().isInteger(1))
    return n.error() << "inputs must be bool tensors";
  return compare(ComparePredicate::ne)(n);
}

LogicalResult importWhere(NodeImporter &n) {
  if (failed(n.checkArity(3, 3)))
    return failure();
  FailureOr<Value> y =
      n.create("kiln.select", {n.input(0), n.input(1), n.input(2)});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

/// OpChain with ComparePredicate comparisons.
struct Steps : OpChain {
  Value cmp(ComparePredicate p, Value x, Value y) {
    return compare(static_cast<uint32_t>(p), x, y);
  }
  LogicalResult output(Value v) { return OpChain::output(0, v); }
};

Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// IsNaN: x != x.
LogicalResult importIsNaN(NodeImporter &n) {
  if (failed(n.checkArity(1, 1)))
    return failure();
  if (!isa<FloatType>(n.inputType(0).getElementType()))
    return n.error() << "expects a floating-point input, got " << n.inputType(0);
  Steps s{n};
  Value x = n.input(0);
  return s.output(s.cmp(ComparePredicate::ne, x, x));
}

/// IsInf: x == +inf (detect_positive), x == -inf (detect_negative).
LogicalResult importIsInf(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  bool negative = a.getBool("detect_negative", true);
  bool positive = a.getBool("detect_positive", true);
  if (failed(n.checkArity(1, 1)) || failed(a.status()))
    return failure();
  Type et = n.inputType(0).getElementType();
  if (!isa<FloatType>(et))
    return n.error() << "expects a floating-point input, got " << n.inputType(0);
  Steps s{n};
  Value x = n.input(0);
  double inf = std::numeric_limits<double>::infinity();
  Value result;
  auto orWith = [&](Value v) {
    result = result ? s.op("kiln.or", {result, v}) : v;
  };
  if (positive)
    orWith(s.cmp(ComparePredicate::eq, x, s.scalar(et, inf)));
  if (negative)
    orWith(s.cmp(ComparePredicate::eq, x, s.scalar(et, -inf)));
  if (!positive && !negative && !n.inputType(0).hasStaticShape())
    return n.error() << "needs a static shape when nothing is detected, got "
                     << n.inputType(0);
  if (!positive && !negative)
    result = n.constant(DenseElementsAttr::get(
        RankedTensorType::get(n.inputType(0).getShape(), n.b().getI1Type()),
        false));
  return s.output(result);
}

/// Sign: 1 for x > 0, -1 for x < 0, else x itself (0, -0 and NaN).
LogicalResult importSign(NodeImporter &n) {
  if (failed(n.checkArity(1, 1)))
    return failure();
  Steps s{n};
  Value x = n.input(0);
  Type et = elementTypeOf(x);
  if (et.isInteger(1))
    return n.error() << "bool inputs are not supported";
  Value zero = s.scalar(et, 0);
  Value positive = s.cmp(ComparePredicate::gt, x, zero);
  Value result = x;
  if (!et.isUnsignedInteger()) {
    Value negative = s.cmp(ComparePredicate::lt, x, zero);
    result = s.op("kiln.select", {negative, s.scalar(et, -1), x});
  }
  return s.output(s.op("kiln.select", {positive, s.scalar(et, 1), result}));
}

/// Mod: the remainder r = x - trunc(x / y) * y, with the sign of x (fmod = 1,
/// C's fmod) or, with fmod = 0, of y (Python's %: r + y when r is non-zero
/// and its sign differs from y's). Integer x % 0 gives x (kiln's x / 0 is 0;
/// ONNX leaves it undefined). Floats take fmod = 0 from opset 28 (before, the
/// operator text requires fmod = 1), with its special cases: r = x for an
/// infinite y and a finite x (before the sign fix: so -3 mod inf is inf), a
/// zero r signed as x (fmod = 1) or y (fmod = 0), and NaN for an infinite x
/// or a zero y as the formula gives it.
LogicalResult importMod(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  bool fmod = a.getBool("fmod", false);
  if (failed(n.checkArity(2, 2)) || failed(a.status()))
    return failure();
  Steps s{n};
  Value x = n.input(0), y = n.input(1);
  Type et = elementTypeOf(x);
  if (et.isInteger(1))
    return n.error() << "bool inputs are not supported";
  bool isFloat = isa<FloatType>(et);
  if (isFloat && !fmod && n.opset() < 28)
    return n.error() << "attribute 'fmod' must be 1 for floating-point "
                        "inputs before opset 28, got 0";
  Value q = s.op("kiln.div", {x, y});
  Value zero = s.scalar(et, 0);
  if (isFloat) {
    // Toward zero: floor for q >= 0, ceil below.
    Value below = s.cmp(ComparePredicate::lt, q, zero);
    q = s.op("kiln.select", {below, s.op("kiln.ceil", q),
                             s.op("kiln.floor", q)});
  }
  Value r = s.op("kiln.sub", {x, s.op("kiln.mul", {q, y})});
  if (isFloat) {
    double inf = std::numeric_limits<double>::infinity();
    auto isInf = [&](Value v) {
      return s.cmp(ComparePredicate::eq, s.op("kiln.abs", v),
                   s.scalar(et, inf));
    };
    Value keepX = s.op("kiln.and", {isInf(y), s.op("kiln.not", isInf(x))});
    r = s.op("kiln.select", {keepX, x, r});
  }
  if (!fmod && !et.isUnsignedInteger()) {
    Value rNegative = s.cmp(ComparePredicate::lt, r, zero);
    Value yNegative = s.cmp(ComparePredicate::lt, y, zero);
    Value signsDiffer = s.cmp(ComparePredicate::ne, rNegative, yNegative);
    Value nonZero = s.cmp(ComparePredicate::ne, r, zero);
    Value fix = s.op("kiln.and", {signsDiffer, nonZero});
    r = s.op("kiln.select", {fix, s.op("kiln.add", {r, y}), r});
  }
  if (isFloat) {
    // A zero remainder takes x's sign (x * 0, x finite here) or y's.
    Value signedZero =
        fmod ? s.op("kiln.mul", {x, zero})
             : s.op("kiln.select", {s.cmp(ComparePredicate::lt, y, zero),
                                    s.scalar(et, -0.0), zero});
    r = s.op("kiln.select",
             {s.cmp(ComparePredicate::eq, r, zero), signedZero, r});
  }
  return s.output(r);
}

/// The activations ONNX defines by formula, as elementwise kiln ops on a
/// floating-point input; `build` gets the input, the chain and the
/// attributes it reads.
using ActivationBuilder =
    std::function<Value(Steps &s, Value x, Type et, AttributeReader &a)>;

OpHandler activation(ActivationBuilder build, bool floatOnly = true) {
  return [build, floatOnly](NodeImporter &n) -> LogicalResult {
    if (failed(n.checkArity(1, 1)))
      return failure();
    Type et = n.inputType(0).getElementType();
    if (floatOnly ? !isa<FloatType>(et) : et.isInteger(1))
      return n.error() << "expects a " << (floatOnly ? "floating-point" : "numeric")
                       << " input, got " << n.inputType(0);
    // float16/bfloat16 compute in float32 and round once at the end, as
    // kiln's own elementwise ops do, not after every step of the formula.
    Value x = n.input(0);
    Type compute = getComputeType(et);
    if (compute != et) {
      FailureOr<Value> wide = n.cast(x, compute);
      if (failed(wide))
        return failure();
      x = *wide;
    }
    Steps s{n};
    Value y = build(s, x, compute, n.attrs());
    if (failed(n.attrs().status()) || !s.ok)
      return failure();
    if (compute != et) {
      FailureOr<Value> narrow = n.cast(y, et);
      if (failed(narrow))
        return failure();
      y = *narrow;
    }
    return s.output(y);
  };
}

/// Elu: x for x >= 0, alpha * (e^x - 1) below.
Value elu(Steps &s, Value x, Type et, AttributeReader &a) {
  double alpha = a.getFloat("alpha", 1.0);
  Value em1 = s.op("kiln.sub", {s.op("kiln.exp", x), s.scalar(et, 1)});
  Value neg = s.op("kiln.mul", {s.scalar(et, alpha), em1});
  Value nonNegative = s.cmp(ComparePredicate::ge, x, s.scalar(et, 0));
  return s.op("kiln.select", {nonNegative, x, neg});
}

/// Selu: gamma * x for x > 0, gamma * (alpha * e^x - alpha) else.
Value selu(Steps &s, Value x, Type et, AttributeReader &a) {
  double alpha = a.getFloat("alpha", 1.67326319217681884765625);
  double gamma = a.getFloat("gamma", 1.05070102214813232421875);
  Value ax = s.op("kiln.mul", {s.scalar(et, alpha), s.op("kiln.exp", x)});
  Value neg = s.op("kiln.sub", {ax, s.scalar(et, alpha)});
  Value positive = s.cmp(ComparePredicate::gt, x, s.scalar(et, 0));
  Value inner = s.op("kiln.select", {positive, x, neg});
  return s.op("kiln.mul", {s.scalar(et, gamma), inner});
}

/// Celu: max(0, x) + min(0, alpha * (e^(x / alpha) - 1)).
Value celu(Steps &s, Value x, Type et, AttributeReader &a) {
  double alpha = a.getFloat("alpha", 1.0);
  Value scaled = s.op("kiln.div", {x, s.scalar(et, alpha)});
  Value em1 = s.op("kiln.sub", {s.op("kiln.exp", scaled), s.scalar(et, 1)});
  Value zero = s.scalar(et, 0);
  Value low = s.op("kiln.min", {zero, s.op("kiln.mul", {s.scalar(et, alpha), em1})});
  return s.op("kiln.add", {s.op("kiln.max", {zero, x}), low});
}

/// ln(1 + e^x) as max(x, 0) + ln(1 + e^-|x|): the same where e^x is finite,
/// and x (not inf) where it overflows.
Value softplusOf(Steps &s, Value x, Type et) {
  Value negAbs = s.op("kiln.neg", s.op("kiln.abs", x));
  Value tail = s.op("kiln.log", s.op("kiln.add", {s.scalar(et, 1),
                                                  s.op("kiln.exp", negAbs)}));
  return s.op("kiln.add", {s.op("kiln.max", {x, s.scalar(et, 0)}), tail});
}

Value softplus(Steps &s, Value x, Type et, AttributeReader &) {
  return softplusOf(s, x, et);
}

/// Softsign: x / (1 + |x|).
Value softsign(Steps &s, Value x, Type et, AttributeReader &) {
  Value denom = s.op("kiln.add", {s.scalar(et, 1), s.op("kiln.abs", x)});
  return s.op("kiln.div", {x, denom});
}

/// ThresholdedRelu: x for x > alpha, else 0.
Value thresholdedRelu(Steps &s, Value x, Type et, AttributeReader &a) {
  double alpha = a.getFloat("alpha", 1.0);
  Value above = s.cmp(ComparePredicate::gt, x, s.scalar(et, alpha));
  return s.op("kiln.select", {above, x, s.scalar(et, 0)});
}

/// Mish: x * tanh(softplus(x)).
Value mish(Steps &s, Value x, Type et, AttributeReader &) {
  return s.op("kiln.mul", {x, s.op("kiln.tanh", softplusOf(s, x, et))});
}

/// Swish (opset 24): x * sigmoid(alpha * x).
Value swish(Steps &s, Value x, Type et, AttributeReader &a) {
  double alpha = a.getFloat("alpha", 1.0);
  Value scaled = s.op("kiln.mul", {x, s.scalar(et, alpha)});
  return s.op("kiln.mul", {x, s.op("kiln.sigmoid", scaled)});
}

/// SwiGLU (opset 28): Swish_alpha(A) * B, A and B of one shape (the
/// operator does not broadcast). As the function body's two nodes: the gate
/// is imported as Swish is (float16/bfloat16 in float32, rounded once), and
/// multiplied by B in the inputs' type.
LogicalResult importSwiGLU(NodeImporter &n) {
  double alpha = n.attrs().getFloat("alpha", 1.0);
  if (failed(n.checkArity(2, 2)) || failed(n.attrs().status()))
    return failure();
  RankedTensorType a = n.inputType(0), b = n.inputType(1);
  Type et = a.getElementType();
  if (!isa<FloatType>(et) || b.getElementType() != et)
    return n.error() << "expects A and B of one floating-point type, got " << a
                     << " and " << b;
  if (a.getShape() != b.getShape())
    return n.error() << "expects A and B of one shape (SwiGLU does not "
                        "broadcast), got "
                     << a << " and " << b;
  Type compute = getComputeType(et);
  Steps s{n};
  Value x = s.cast(n.input(0), compute);
  Value scaled = s.op("kiln.mul", {x, s.scalar(compute, alpha)});
  Value gate = s.op("kiln.mul", {x, s.op("kiln.sigmoid", scaled)});
  return s.output(s.op("kiln.mul", {s.cast(gate, et), n.input(1)}));
}

/// Shrink: x + bias below -lambd, x - bias above lambd, 0 between.
Value shrink(Steps &s, Value x, Type et, AttributeReader &a) {
  double bias = a.getFloat("bias", 0.0);
  double lambd = a.getFloat("lambd", 0.5);
  Value below = s.cmp(ComparePredicate::lt, x, s.scalar(et, -lambd));
  Value above = s.cmp(ComparePredicate::gt, x, s.scalar(et, lambd));
  Value b = s.scalar(et, bias);
  Value inner = s.op("kiln.select", {above, s.op("kiln.sub", {x, b}),
                                     s.scalar(et, 0)});
  return s.op("kiln.select", {below, s.op("kiln.add", {x, b}), inner});
}

Value roundHalfEven(Steps &s, Value x, Type, AttributeReader &) {
  return roundHalfToEven(s, x);
}

} // namespace

/// f = floor(x), d = x - f: f + 1 when d > 1/2, f when d < 1/2, and on a tie
/// whichever of f and f + 1 is even (f - 2 floor(f / 2) == 0).
Value onnx_import::roundHalfToEven(OpChain &s, Value x) {
  if (!x) {
    s.ok = false;
    return {};
  }
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  auto cmp = [&](ComparePredicate p, Value a, Value b) {
    return s.compare(static_cast<uint32_t>(p), a, b);
  };
  Value f = s.op("kiln.floor", x);
  Value d = s.op("kiln.sub", {x, f});
  Value half = s.scalar(et, 0.5);
  Value up = s.op("kiln.add", {f, s.scalar(et, 1)});
  Value halfF = s.op("kiln.floor", s.op("kiln.mul", {f, half}));
  Value parity = s.op("kiln.sub", {f, s.op("kiln.mul", {halfF, s.scalar(et, 2)})});
  Value even = cmp(ComparePredicate::eq, parity, s.scalar(et, 0));
  Value tie = s.op("kiln.select", {even, f, up});
  Value low = s.op("kiln.select", {cmp(ComparePredicate::lt, d, half), f, tie});
  return s.op("kiln.select", {cmp(ComparePredicate::gt, d, half), up, low});
}

void onnx_import::registerElementwiseOps(OpTable &t) {
  t.add("Abs", 6, oneToOne("kiln.abs"));
  t.add("Acos", 7, oneToOne("kiln.acos"));
  t.add("Acosh", 9, oneToOne("kiln.acosh"));
  t.add("Asin", 7, oneToOne("kiln.asin"));
  t.add("Asinh", 9, oneToOne("kiln.asinh"));
  t.add("Atan", 7, oneToOne("kiln.atan"));
  t.add("Atanh", 9, oneToOne("kiln.atanh"));
  t.add("Ceil", 6, oneToOne("kiln.ceil"));
  t.add("Cos", 7, oneToOne("kiln.cos"));
  t.add("Cosh", 9, oneToOne("kiln.cosh"));
  t.add("Erf", 9, oneToOne("kiln.erf"));
  t.add("Exp", 6, oneToOne("kiln.exp"));
  t.add("Floor", 6, oneToOne("kiln.floor"));
  t.add("HardSwish", 14, oneToOne("kiln.hard_swish"));
  t.add("Log", 6, oneToOne("kiln.log"));
  t.add("Neg", 6, oneToOne("kiln.neg"));
  t.add("Not", 1, oneToOne("kiln.not"));
  t.add("Reciprocal", 6, oneToOne("kiln.reciprocal"));
  t.add("Relu", 6, oneToOne("kiln.relu"));
  t.add("Sigmoid", 6, oneToOne("kiln.sigmoid"));
  t.add("Sin", 7, oneToOne("kiln.sin"));
  t.add("Sinh", 9, oneToOne("kiln.sinh"));
  t.add("Sqrt", 6, oneToOne("kiln.sqrt"));
  t.add("Tan", 7, oneToOne("kiln.tan"));
  t.add("Tanh", 6, oneToOne("kiln.tanh"));

  t.add("Gelu", 20, importGelu);
  t.add("HardSigmoid", 6, importHardSigmoid);
  t.add("LeakyRelu", 6, importLeakyRelu);
  t.add("PRelu", 7, importPRelu);
  t.add("Clip", 6, importClip);
  t.add("Cast", 6, importCast);
  t.add("CastLike", 15, importCastLike);
  t.add("BitCast", 26, importBitCast);

  t.add("Add", 7, binary("kiln.add"));
  t.add("Sub", 7, binary("kiln.sub"));
  t.add("Mul", 7, binary("kiln.mul"));
  t.add("Div", 7, binary("kiln.div"));
  t.add("Pow", 7, importPow);
  t.add("And", 7, binary("kiln.and"));
  t.add("Or", 7, binary("kiln.or"));
  t.add("Xor", 7, importXor);

  t.add("Equal", 7, compare(ComparePredicate::eq));
  t.add("Less", 7, compare(ComparePredicate::lt));
  t.add("Greater", 7, compare(ComparePredicate::gt));
  t.add("LessOrEqual", 12, compare(ComparePredicate::le));
  t.add("GreaterOrEqual", 12, compare(ComparePredicate::ge));

  t.add("Max", 6, variadic("kiln.max"));
  t.add("Min", 6, variadic("kiln.min"));
  t.add("Sum", 6, variadic("kiln.add"));
  t.add("Mean", 6, variadic("kiln.add", /*mean=*/true));
  t.add("Where", 9, importWhere);
  t.add("IsNaN", 9, importIsNaN);
  t.add("Elu", 6, activation(elu));
  t.add("Selu", 6, activation(selu));
  t.add("Celu", 12, activation(celu));
  t.add("Softplus", 1, activation(softplus));
  t.add("Softsign", 1, activation(softsign));
  t.add("ThresholdedRelu", 10, activation(thresholdedRelu));
  t.add("Mish", 18, activation(mish));
  t.add("Swish", 24, activation(swish));
  t.add("SwiGLU", 28, importSwiGLU);
  t.add("Shrink", 9, activation(shrink, /*floatOnly=*/false));
  t.add("Round", 11, activation(roundHalfEven));
  t.add("IsInf", 10, importIsInf);
  t.add("Sign", 9, importSign);
  t.add("Mod", 10, importMod);
}
