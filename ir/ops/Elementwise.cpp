//===- Elementwise.cpp - Unary, binary, compare, select, clip, cast -------===//

#include "ir/KilnOps.h"
#include "ir/Shapes.h"
#include "ir/ops/Folding.h"
#include "ir/ops/OpUtils.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;
using llvm::APInt;

//===----------------------------------------------------------------------===//
// Broadcasting inference
//===----------------------------------------------------------------------===//

/// Result type of an op whose operands broadcast together; the element type
/// is `elementType`, or the first operand's when null.
static LogicalResult inferBroadcast(std::optional<Location> loc,
                                    StringRef opName, ValueRange operands,
                                    Type elementType,
                                    SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, opName);
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : operands) {
    RankedTensorType t = getRanked(v);
    if (!t)
      return diag("operands must be ranked tensors");
    shapes.push_back(t.getShape());
  }
  int64_t failedDim = 0;
  std::optional<SmallVector<int64_t>> shape =
      broadcastShapes(shapes, &failedDim);
  if (!shape) {
    std::string list;
    for (auto [i, s] : llvm::enumerate(shapes))
      list += (i ? ", " : "") + formatShape(s);
    return diag("operand shapes ", list,
                " do not broadcast (dim ", failedDim,
                " from the right differs and is not 1)");
  }
  Type et = elementType ? elementType
                        : cast<RankedTensorType>(operands[0].getType())
                              .getElementType();
  types.push_back(RankedTensorType::get(*shape, et));
  return success();
}

#define KILN_BROADCAST_INFER(OP)                                               \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc,\
                                     OP::Adaptor adaptor,                      \
                                     SmallVectorImpl<Type> &types) {           \
    return inferBroadcast(loc, OP::getOperationName(), adaptor.getOperands(),  \
                          Type(), types);                                      \
  }
KILN_BROADCAST_INFER(AddOp)
KILN_BROADCAST_INFER(SubOp)
KILN_BROADCAST_INFER(MulOp)
KILN_BROADCAST_INFER(DivOp)
KILN_BROADCAST_INFER(PowOp)
KILN_BROADCAST_INFER(MaxOp)
KILN_BROADCAST_INFER(MinOp)
KILN_BROADCAST_INFER(AndOp)
KILN_BROADCAST_INFER(OrOp)
#undef KILN_BROADCAST_INFER

LogicalResult CompareOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferBroadcast(loc, getOperationName(),
                        {adaptor.getLhs(), adaptor.getRhs()},
                        IntegerType::get(ctx, 1), types);
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType t = getRanked(adaptor.getTrueValue());
  if (!t)
    return InferDiag(loc, getOperationName())("operands must be ranked tensors");
  return inferBroadcast(loc, getOperationName(), adaptor.getOperands(),
                        t.getElementType(), types);
}

//===----------------------------------------------------------------------===//
// Unary folders
//===----------------------------------------------------------------------===//

static bool isBool(Type t) {
  return cast<ShapedType>(t).getElementType().isInteger(1);
}

// Folds must compute what the generated code computes, and codegen lowers
// max, min, relu, clip and the hard_* clamps to arith.maximumf/minimumf:
// IEEE 754-2019 maximum/minimum, where NaN wins and -0 < +0. std::max and
// std::min instead return their first argument for NaN or equal zeros, so
// relu(NaN) folded to 0 and hard_sigmoid(NaN) to 1.
static double maximumf(double x, double y) {
  if (std::isnan(x))
    return x;
  if (std::isnan(y))
    return y;
  if (x == y) // +0 and -0
    return std::signbit(x) ? y : x;
  return x > y ? x : y;
}

static double minimumf(double x, double y) {
  if (std::isnan(x))
    return x;
  if (std::isnan(y))
    return y;
  if (x == y)
    return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

/// min(max(x, 0), 1), as codegen clamps hard_sigmoid and hard_swish.
static double clamp01(double x) { return minimumf(maximumf(x, 0.0), 1.0); }

OpFoldResult NegOp::fold(FoldAdaptor a) {
  return fold::unary(a.getInput(), getType(), [](double x) { return -x; },
                     [](const APInt &x) -> std::optional<APInt> { return -x; });
}

OpFoldResult AbsOp::fold(FoldAdaptor a) {
  return fold::unary(a.getInput(), getType(),
                     [](double x) { return std::fabs(x); },
                     [](const APInt &x) -> std::optional<APInt> { return x.abs(); });
}

OpFoldResult ReluOp::fold(FoldAdaptor a) {
  return fold::unary(
      a.getInput(), getType(), [](double x) { return maximumf(x, 0.0); },
      [](const APInt &x) -> std::optional<APInt> {
        return x.isNegative() ? APInt::getZero(x.getBitWidth()) : x;
      });
}

#define KILN_FLOAT_UNARY_FOLD(OP, EXPR)                                        \
  OpFoldResult OP::fold(FoldAdaptor a) {                                       \
    return fold::unary(a.getInput(), getType(),                                \
                       [](double x) -> double { return EXPR; });               \
  }
KILN_FLOAT_UNARY_FOLD(ExpOp, std::exp(x))
KILN_FLOAT_UNARY_FOLD(LogOp, std::log(x))
KILN_FLOAT_UNARY_FOLD(SqrtOp, std::sqrt(x))
KILN_FLOAT_UNARY_FOLD(RsqrtOp, 1.0 / std::sqrt(x))
KILN_FLOAT_UNARY_FOLD(ReciprocalOp, 1.0 / x)
KILN_FLOAT_UNARY_FOLD(TanhOp, std::tanh(x))
KILN_FLOAT_UNARY_FOLD(SigmoidOp, 1.0 / (1.0 + std::exp(-x)))
KILN_FLOAT_UNARY_FOLD(ErfOp, std::erf(x))
KILN_FLOAT_UNARY_FOLD(SinOp, std::sin(x))
KILN_FLOAT_UNARY_FOLD(CosOp, std::cos(x))
KILN_FLOAT_UNARY_FOLD(FloorOp, std::floor(x))
KILN_FLOAT_UNARY_FOLD(CeilOp, std::ceil(x))
KILN_FLOAT_UNARY_FOLD(HardSwishOp,
                      x * clamp01(x / 6.0 + 0.5))
#undef KILN_FLOAT_UNARY_FOLD

OpFoldResult NotOp::fold(FoldAdaptor a) {
  // not(not(x)) -> x
  if (auto inner = getInput().getDefiningOp<NotOp>())
    return inner.getInput();
  return fold::unary(a.getInput(), getType(), [](double x) { return x; },
                     [](const APInt &x) -> std::optional<APInt> { return ~x; });
}

OpFoldResult GeluOp::fold(FoldAdaptor a) {
  if (getApproximate() == GeluApproximation::tanh)
    return fold::unary(a.getInput(), getType(), [](double x) {
      return 0.5 * x *
             (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    });
  return fold::unary(a.getInput(), getType(), [](double x) {
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  });
}

OpFoldResult LeakyReluOp::fold(FoldAdaptor a) {
  double alpha = getAlpha().convertToDouble();
  return fold::unary(a.getInput(), getType(),
                     [&](double x) { return x >= 0 ? x : alpha * x; });
}

OpFoldResult HardSigmoidOp::fold(FoldAdaptor a) {
  double alpha = getAlpha().convertToDouble();
  double beta = getBeta().convertToDouble();
  return fold::unary(a.getInput(), getType(), [&](double x) {
    return clamp01(alpha * x + beta);
  });
}

LogicalResult ClipOp::verify() {
  std::optional<double> lo, hi;
  if (getMin())
    lo = getMin()->convertToDouble();
  if (getMax())
    hi = getMax()->convertToDouble();
  auto intType = dyn_cast<IntegerType>(getType().getElementType());
  for (auto [name, bound] : {std::pair{"min", lo}, std::pair{"max", hi}}) {
    if (!bound)
      continue;
    if (std::isnan(*bound))
      return emitOpError(name) << " must not be NaN";
    // On integer tensors a bound is compared as an integer of the element
    // type (ONNX gives it the input's type), so it must be one.
    if (intType && !isExactInteger(*bound, intType))
      return emitOpError(name)
             << " " << *bound << " is not representable in the element type "
             << intType;
  }
  if (lo && hi && *lo > *hi)
    return emitOpError("min ") << *lo << " is greater than max " << *hi;
  return success();
}

OpFoldResult ClipOp::fold(FoldAdaptor a) {
  // No bounds: the identity.
  if (!getMin() && !getMax())
    return getInput();
  double lo = getMin() ? getMin()->convertToDouble() : -INFINITY;
  double hi = getMax() ? getMax()->convertToDouble() : INFINITY;
  return fold::unary(
      a.getInput(), getType(),
      [&](double x) { return minimumf(maximumf(x, lo), hi); },
      [&](const APInt &x) -> std::optional<APInt> {
        // In APInt, not double: i64 values beyond 2^53 must stay exact. The
        // verifier made the bounds representable in the element type.
        auto asInt = [&](double v) {
          return APInt(x.getBitWidth(), static_cast<int64_t>(v), true);
        };
        APInt r = x;
        if (getMin())
          r = llvm::APIntOps::smax(r, asInt(lo));
        if (getMax())
          r = llvm::APIntOps::smin(r, asInt(hi));
        return r;
      });
}

OpFoldResult CastOp::fold(FoldAdaptor a) {
  if (getInput().getType() == getType())
    return getInput();
  return fold::cast(a.getInput(), getType());
}

//===----------------------------------------------------------------------===//
// Binary folders
//===----------------------------------------------------------------------===//

/// True if `other` provably broadcasts against `x` without stretching it, so
/// that an op whose result has `x`'s type can be replaced by `x`. The types
/// being equal is not enough: with x : tensor<?xf32> and other : tensor<4xf32>
/// the result may be declared tensor<?xf32>, yet x may have one element.
static bool keepsShape(Value x, Value other, Type resultType) {
  auto xt = cast<RankedTensorType>(x.getType());
  if (xt != resultType)
    return false;
  return x == other ||
         isBroadcastNoOp(cast<RankedTensorType>(other.getType()).getShape(),
                         xt.getShape());
}

/// `x op identity -> x`, when the identity operand does not change the
/// result type through broadcasting.
static Value foldIdentity(Value x, Value other, Attribute otherValue,
                          double identity, Type resultType) {
  if (fold::isSplatOf(otherValue, identity) && keepsShape(x, other, resultType))
    return x;
  return {};
}

/// `op(x, x) -> x` for idempotent ops; the result may be declared more
/// refined than x, and then x cannot replace it.
static Value foldSame(Value lhs, Value rhs, Type resultType) {
  return lhs == rhs && lhs.getType() == resultType ? lhs : Value();
}

OpFoldResult AddOp::fold(FoldAdaptor a) {
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 0, getType()))
    return v;
  if (Value v = foldIdentity(getRhs(), getLhs(), a.getLhs(), 0, getType()))
    return v;
  return fold::binary(
      a.getLhs(), a.getRhs(), getType(), [](double x, double y) { return x + y; },
      [](const APInt &x, const APInt &y) -> std::optional<APInt> { return x + y; });
}

OpFoldResult SubOp::fold(FoldAdaptor a) {
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 0, getType()))
    return v;
  return fold::binary(
      a.getLhs(), a.getRhs(), getType(), [](double x, double y) { return x - y; },
      [](const APInt &x, const APInt &y) -> std::optional<APInt> { return x - y; });
}

OpFoldResult MulOp::fold(FoldAdaptor a) {
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 1, getType()))
    return v;
  if (Value v = foldIdentity(getRhs(), getLhs(), a.getLhs(), 1, getType()))
    return v;
  return fold::binary(
      a.getLhs(), a.getRhs(), getType(), [](double x, double y) { return x * y; },
      [](const APInt &x, const APInt &y) -> std::optional<APInt> { return x * y; });
}

OpFoldResult DivOp::fold(FoldAdaptor a) {
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 1, getType()))
    return v;
  return fold::binary(
      a.getLhs(), a.getRhs(), getType(), [](double x, double y) { return x / y; },
      [](const APInt &x, const APInt &y) -> std::optional<APInt> {
        // kiln.div defines what C leaves undefined, as codegen computes it:
        // x / 0 is 0 and INT_MIN / -1 wraps to INT_MIN.
        if (y.isZero())
          return APInt::getZero(x.getBitWidth());
        if (x.isMinSignedValue() && y.isAllOnes())
          return x;
        return x.sdiv(y);
      });
}

OpFoldResult PowOp::fold(FoldAdaptor a) {
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 1, getType()))
    return v;
  return fold::binary(a.getLhs(), a.getRhs(), getType(),
                      [](double x, double y) { return std::pow(x, y); },
                      nullptr);
}

OpFoldResult MaxOp::fold(FoldAdaptor a) {
  if (Value v = foldSame(getLhs(), getRhs(), getType()))
    return v;
  return fold::binary(
      a.getLhs(), a.getRhs(), getType(),
      [](double x, double y) { return maximumf(x, y); },
      [](const APInt &x, const APInt &y) -> std::optional<APInt> {
        return x.sgt(y) ? x : y;
      });
}

OpFoldResult MinOp::fold(FoldAdaptor a) {
  if (Value v = foldSame(getLhs(), getRhs(), getType()))
    return v;
  return fold::binary(
      a.getLhs(), a.getRhs(), getType(),
      [](double x, double y) { return minimumf(x, y); },
      [](const APInt &x, const APInt &y) -> std::optional<APInt> {
        return x.slt(y) ? x : y;
      });
}

OpFoldResult AndOp::fold(FoldAdaptor a) {
  if (Value v = foldSame(getLhs(), getRhs(), getType()))
    return v;
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 1, getType()))
    return v;
  return fold::binary(
      a.getLhs(), a.getRhs(), getType(), nullptr,
      [](const APInt &x, const APInt &y) -> std::optional<APInt> { return x & y; });
}

OpFoldResult OrOp::fold(FoldAdaptor a) {
  if (Value v = foldSame(getLhs(), getRhs(), getType()))
    return v;
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 0, getType()))
    return v;
  return fold::binary(
      a.getLhs(), a.getRhs(), getType(), nullptr,
      [](const APInt &x, const APInt &y) -> std::optional<APInt> { return x | y; });
}

OpFoldResult CompareOp::fold(FoldAdaptor a) {
  ComparePredicate p = getPredicate();
  bool boolOperands = isBool(getLhs().getType());
  auto floatPred = [p](double x, double y) {
    switch (p) {
    case ComparePredicate::eq: return x == y;
    case ComparePredicate::ne: return x != y;
    case ComparePredicate::lt: return x < y;
    case ComparePredicate::le: return x <= y;
    case ComparePredicate::gt: return x > y;
    case ComparePredicate::ge: return x >= y;
    }
    llvm_unreachable("unknown predicate");
  };
  auto intPred = [p, boolOperands](const APInt &x, const APInt &y) {
    // Bools compare as 0/1, other integers as signed.
    int c = boolOperands ? (x.ult(y) ? -1 : x == y ? 0 : 1)
                         : (x.slt(y) ? -1 : x == y ? 0 : 1);
    switch (p) {
    case ComparePredicate::eq: return c == 0;
    case ComparePredicate::ne: return c != 0;
    case ComparePredicate::lt: return c < 0;
    case ComparePredicate::le: return c <= 0;
    case ComparePredicate::gt: return c > 0;
    case ComparePredicate::ge: return c >= 0;
    }
    llvm_unreachable("unknown predicate");
  };
  return fold::compare(a.getLhs(), a.getRhs(), getType(), floatPred, intPred);
}

OpFoldResult SelectOp::fold(FoldAdaptor a) {
  Value t = getTrueValue(), f = getFalseValue(), c = getCondition();
  // The chosen value replaces the select only if the other two operands do
  // not stretch it.
  auto chosen = [&](Value v, Value other1, Value other2) {
    return keepsShape(v, other1, getType()) && keepsShape(v, other2, getType());
  };
  if (t == f && chosen(t, c, f))
    return t;
  if (fold::isSplatOf(a.getCondition(), 1) && chosen(t, c, f))
    return t;
  if (fold::isSplatOf(a.getCondition(), 0) && chosen(f, c, t))
    return f;
  return fold::select(a.getCondition(), a.getTrueValue(), a.getFalseValue(),
                      getType());
}
