//===- Elementwise.cpp - VJP rules of the elementwise ops -----------------===//
//
// Each rule states the derivative as PyTorch's autograd formula for the same
// function does (tools/autograd/derivatives.yaml), so both agree also where
// the function is not differentiable: relu'(0) = 0, abs'(0) = 0, clip passes
// the gradient at its bounds, max/min split it between equal operands.
// Broadcast operands get the cotangent in the result's shape; the builder
// sums it back (VJPBuilder::setOperandGrad).
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/VJPBuilder.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

/// Ops whose gradient is zero wherever it exists (piecewise constant, or
/// bool/integer results): the rule records nothing.
#define KILN_ZERO_VJP(OP)                                                      \
  LogicalResult OP::buildVJP(VJPBuilder &) { return success(); }
KILN_ZERO_VJP(FloorOp)
KILN_ZERO_VJP(CeilOp)
KILN_ZERO_VJP(NotOp)
KILN_ZERO_VJP(AndOp)
KILN_ZERO_VJP(OrOp)
KILN_ZERO_VJP(CompareOp)
KILN_ZERO_VJP(BitwiseNotOp)
KILN_ZERO_VJP(BitwiseAndOp)
KILN_ZERO_VJP(BitwiseOrOp)
KILN_ZERO_VJP(BitwiseXorOp)
KILN_ZERO_VJP(ShiftLeftOp)
KILN_ZERO_VJP(ShiftRightOp)
#undef KILN_ZERO_VJP

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

LogicalResult NegOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, vjp.neg(g));
  return success();
}

LogicalResult AbsOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), x = getInput();
  if (!g)
    return success();
  // g * sign(x), sign(0) = 0.
  Value zero = vjp.scalarLike(x, 0.0);
  Value positive = vjp.compare(ComparePredicate::gt, x, zero);
  Value negative = vjp.compare(ComparePredicate::lt, x, zero);
  vjp.setOperandGrad(
      0, vjp.select(positive, g, vjp.selectOrZero(negative, vjp.neg(g))));
  return success();
}

LogicalResult ReluOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), x = getInput();
  if (g)
    vjp.setOperandGrad(0, vjp.selectOrZero(vjp.compare(ComparePredicate::gt, x,
                                                       vjp.scalarLike(x, 0.0)),
                                           g));
  return success();
}

LogicalResult ExpOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, vjp.mul(g, getOutput()));
  return success();
}

LogicalResult LogOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, vjp.div(g, getInput()));
  return success();
}

LogicalResult SqrtOp::buildVJP(VJPBuilder &vjp) {
  // g / (2 sqrt(x))
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, vjp.div(g, vjp.scale(getOutput(), 2.0)));
  return success();
}

LogicalResult RsqrtOp::buildVJP(VJPBuilder &vjp) {
  // d/dx x^-1/2 = -1/2 x^-3/2 = -1/2 y^3
  Value g = vjp.resultGrad(), y = getOutput();
  if (g) {
    Value halfG = vjp.scale(g, -0.5);
    vjp.setOperandGrad(0, vjp.mul(halfG, vjp.mul(vjp.mul(y, y), y)));
  }
  return success();
}

LogicalResult ReciprocalOp::buildVJP(VJPBuilder &vjp) {
  // d/dx 1/x = -1/x^2 = -y^2
  Value g = vjp.resultGrad(), y = getOutput();
  if (g)
    vjp.setOperandGrad(0, vjp.neg(vjp.mul(g, vjp.mul(y, y))));
  return success();
}

LogicalResult TanhOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), y = getOutput();
  if (g) {
    Value one = vjp.scalarLike(y, 1.0);
    vjp.setOperandGrad(0, vjp.mul(g, vjp.sub(one, vjp.mul(y, y))));
  }
  return success();
}

LogicalResult SigmoidOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), y = getOutput();
  if (g)
    vjp.setOperandGrad(
        0, vjp.mul(g, vjp.mul(y, vjp.sub(vjp.scalarLike(y, 1.0), y))));
  return success();
}

LogicalResult ErfOp::buildVJP(VJPBuilder &vjp) {
  // 2 / sqrt(pi) * exp(-x^2)
  Value g = vjp.resultGrad(), x = getInput();
  if (!g)
    return success();
  Value density = vjp.create<ExpOp>(vjp.neg(vjp.mul(x, x)));
  vjp.setOperandGrad(0, vjp.mul(vjp.scale(g, 2.0 / std::sqrt(M_PI)), density));
  return success();
}

LogicalResult SinOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, vjp.mul(g, vjp.create<CosOp>(getInput())));
  return success();
}

LogicalResult CosOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, vjp.neg(vjp.mul(g, vjp.create<SinOp>(getInput()))));
  return success();
}

LogicalResult TanOp::buildVJP(VJPBuilder &vjp) {
  // 1 + tan(x)^2
  Value g = vjp.resultGrad(), y = getOutput();
  if (g) {
    Value one = vjp.scalarLike(y, 1.0);
    vjp.setOperandGrad(0, vjp.mul(g, vjp.add(one, vjp.mul(y, y))));
  }
  return success();
}

LogicalResult SinhOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, vjp.mul(g, vjp.create<CoshOp>(getInput())));
  return success();
}

LogicalResult CoshOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, vjp.mul(g, vjp.create<SinhOp>(getInput())));
  return success();
}

/// g / sqrt(sign * x^2 + c): the derivatives of asin (-1, 1), acosh (1, -1)
/// and asinh (1, 1).
static Value overSqrt(VJPBuilder &vjp, Value g, Value x, double sign,
                      double c) {
  Value x2 = vjp.scale(vjp.mul(x, x), sign);
  Value root = vjp.create<SqrtOp>(vjp.add(x2, vjp.scalarLike(x, c)));
  return vjp.div(g, root);
}

LogicalResult AsinOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, overSqrt(vjp, g, getInput(), -1.0, 1.0));
  return success();
}

LogicalResult AcosOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, vjp.neg(overSqrt(vjp, g, getInput(), -1.0, 1.0)));
  return success();
}

LogicalResult AcoshOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, overSqrt(vjp, g, getInput(), 1.0, -1.0));
  return success();
}

LogicalResult AsinhOp::buildVJP(VJPBuilder &vjp) {
  if (Value g = vjp.resultGrad())
    vjp.setOperandGrad(0, overSqrt(vjp, g, getInput(), 1.0, 1.0));
  return success();
}

LogicalResult AtanOp::buildVJP(VJPBuilder &vjp) {
  // g / (1 + x^2)
  Value g = vjp.resultGrad(), x = getInput();
  if (g) {
    Value one = vjp.scalarLike(x, 1.0);
    vjp.setOperandGrad(0, vjp.div(g, vjp.add(one, vjp.mul(x, x))));
  }
  return success();
}

LogicalResult AtanhOp::buildVJP(VJPBuilder &vjp) {
  // g / (1 - x^2)
  Value g = vjp.resultGrad(), x = getInput();
  if (g) {
    Value one = vjp.scalarLike(x, 1.0);
    vjp.setOperandGrad(0, vjp.div(g, vjp.sub(one, vjp.mul(x, x))));
  }
  return success();
}

LogicalResult HardSwishOp::buildVJP(VJPBuilder &vjp) {
  // x < -3: 0; x <= 3: x / 3 + 1/2; else 1 (PyTorch's boundaries).
  Value g = vjp.resultGrad(), x = getInput();
  if (!g)
    return success();
  Value third = vjp.scale(x, 1.0 / 3.0);
  Value middle = vjp.mul(g, vjp.add(third, vjp.scalarLike(x, 0.5)));
  Value upper = vjp.select(
      vjp.compare(ComparePredicate::le, x, vjp.scalarLike(x, 3.0)), middle, g);
  Value lower = vjp.compare(ComparePredicate::lt, x, vjp.scalarLike(x, -3.0));
  vjp.setOperandGrad(0, vjp.select(lower, vjp.zerosLike(upper), upper));
  return success();
}

LogicalResult GeluOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), x = getInput();
  if (!g)
    return success();
  if (getApproximate() == GeluApproximation::none) {
    // Phi(x) + x * phi(x): the normal CDF and density.
    Value one = vjp.scalarLike(x, 1.0);
    Value cdf = vjp.scale(vjp.add(one, vjp.create<ErfOp>(vjp.scale(x, M_SQRT1_2))), 0.5);
    Value pdf = vjp.scale(vjp.create<ExpOp>(vjp.scale(vjp.mul(x, x), -0.5)),
                          0.5 * M_2_SQRTPI * M_SQRT1_2);
    vjp.setOperandGrad(0, vjp.mul(g, vjp.add(cdf, vjp.mul(x, pdf))));
    return success();
  }
  // y = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3):
  // y' = (1 + t)/2 + x/2 (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2).
  const double beta = M_SQRT2 * M_2_SQRTPI * 0.5, kappa = 0.044715;
  Value x2 = vjp.mul(x, x);
  Value inner = vjp.scale(vjp.add(x, vjp.scale(vjp.mul(x2, x), kappa)), beta);
  Value t = vjp.create<TanhOp>(inner);
  Value one = vjp.scalarLike(x, 1.0);
  Value left = vjp.scale(vjp.add(one, t), 0.5);
  Value innerDerivative =
      vjp.scale(vjp.add(one, vjp.scale(x2, 3.0 * kappa)), beta);
  Value halfX = vjp.scale(x, 0.5);
  Value right = vjp.mul(vjp.mul(halfX, vjp.sub(one, vjp.mul(t, t))), innerDerivative);
  vjp.setOperandGrad(0, vjp.mul(g, vjp.add(left, right)));
  return success();
}

LogicalResult LeakyReluOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), x = getInput();
  if (g) {
    Value positive = vjp.compare(ComparePredicate::gt, x, vjp.scalarLike(x, 0.0));
    vjp.setOperandGrad(0, vjp.select(positive, g, vjp.scale(g, getAlpha().convertToDouble())));
  }
  return success();
}

LogicalResult HardSigmoidOp::buildVJP(VJPBuilder &vjp) {
  // alpha where 0 < alpha x + beta < 1, else 0.
  Value g = vjp.resultGrad(), x = getInput();
  if (!g)
    return success();
  double alpha = getAlpha().convertToDouble();
  Value scaled = vjp.scale(x, alpha);
  Value t = vjp.add(scaled, vjp.scalarLike(x, getBeta().convertToDouble()));
  Value above = vjp.compare(ComparePredicate::gt, t, vjp.scalarLike(x, 0.0));
  Value below = vjp.compare(ComparePredicate::lt, t, vjp.scalarLike(x, 1.0));
  Value inside = vjp.create<AndOp>(above, below);
  vjp.setOperandGrad(0, vjp.selectOrZero(inside, vjp.scale(g, alpha)));
  return success();
}

LogicalResult ClipOp::buildVJP(VJPBuilder &vjp) {
  // The gradient passes where min <= x <= max (PyTorch's clamp).
  Value g = vjp.resultGrad(), x = getInput();
  if (!g)
    return success();
  Value inside;
  auto within = [&](ComparePredicate p, std::optional<APFloat> bound) {
    if (!bound)
      return;
    Value c = vjp.compare(p, x, vjp.scalarLike(x, bound->convertToDouble()));
    inside = inside ? vjp.create<AndOp>(inside, c) : c;
  };
  within(ComparePredicate::ge, getMin());
  within(ComparePredicate::le, getMax());
  vjp.setOperandGrad(0, inside ? vjp.selectOrZero(inside, g) : g);
  return success();
}

LogicalResult CastOp::buildVJP(VJPBuilder &vjp) {
  // Float to float passes the gradient back in the input's type; anything
  // through an integer or bool is piecewise constant.
  Value g = vjp.resultGrad();
  Type from = getInput().getType().getElementType();
  if (g && isa<FloatType>(from) && isa<FloatType>(getType().getElementType()))
    vjp.setOperandGrad(0, vjp.cast(g, from));
  return success();
}

//===----------------------------------------------------------------------===//
// Binary
//===----------------------------------------------------------------------===//

LogicalResult AddOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  vjp.setOperandGrad(0, g);
  vjp.setOperandGrad(1, g);
  return success();
}

LogicalResult SubOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  vjp.setOperandGrad(0, g);
  if (vjp.wantsGrad(1))
    vjp.setOperandGrad(1, vjp.neg(g));
  return success();
}

LogicalResult MulOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  if (vjp.wantsGrad(0))
    vjp.setOperandGrad(0, vjp.mul(g, getRhs()));
  if (vjp.wantsGrad(1))
    vjp.setOperandGrad(1, vjp.mul(g, getLhs()));
  return success();
}

LogicalResult DivOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), a = getLhs(), b = getRhs();
  if (!g)
    return success();
  if (vjp.wantsGrad(0))
    vjp.setOperandGrad(0, vjp.div(g, b));
  // -g a / b^2
  if (vjp.wantsGrad(1)) {
    Value minusGA = vjp.neg(vjp.mul(g, a));
    vjp.setOperandGrad(1, vjp.div(minusGA, vjp.mul(b, b)));
  }
  return success();
}

LogicalResult PowOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), a = getLhs(), b = getRhs();
  if (!g)
    return success();
  Value zero = vjp.scalarLike(a, 0.0);
  // d/da = b a^(b-1), taken as 0 where b == 0 (even at a == 0).
  if (vjp.wantsGrad(0)) {
    Value power = vjp.create<PowOp>(a, vjp.sub(b, vjp.scalarLike(b, 1.0)));
    Value d = vjp.mul(vjp.mul(g, b), power);
    Value bIsZero = vjp.compare(ComparePredicate::eq, b, zero);
    vjp.setOperandGrad(0, vjp.select(bIsZero, vjp.zerosLike(d), d));
  }
  // d/db = a^b ln(a), taken as 0 where a == 0 and b >= 0.
  if (vjp.wantsGrad(1)) {
    Value gy = vjp.mul(g, getOutput());
    Value d = vjp.mul(gy, vjp.create<LogOp>(a));
    Value aIsZero = vjp.compare(ComparePredicate::eq, a, zero);
    Value bNotNegative = vjp.compare(ComparePredicate::ge, b, zero);
    Value atZero = vjp.create<AndOp>(aIsZero, bNotNegative);
    vjp.setOperandGrad(1, vjp.select(atZero, vjp.zerosLike(d), d));
  }
  return success();
}

/// max and min: the operand that wins takes the gradient; equal operands
/// take half each. `wins` is gt for max, lt for min.
static void buildExtremumVJP(VJPBuilder &vjp, Value a, Value b,
                             ComparePredicate wins) {
  Value g = vjp.resultGrad();
  if (!g)
    return;
  Value equal = vjp.compare(ComparePredicate::eq, a, b);
  Value half = vjp.selectOrZero(equal, vjp.scale(g, 0.5));
  if (vjp.wantsGrad(0))
    vjp.setOperandGrad(0, vjp.select(vjp.compare(wins, a, b), g, half));
  if (vjp.wantsGrad(1))
    vjp.setOperandGrad(1, vjp.select(vjp.compare(wins, b, a), g, half));
}

LogicalResult MaxOp::buildVJP(VJPBuilder &vjp) {
  buildExtremumVJP(vjp, getLhs(), getRhs(), ComparePredicate::gt);
  return success();
}

LogicalResult MinOp::buildVJP(VJPBuilder &vjp) {
  buildExtremumVJP(vjp, getLhs(), getRhs(), ComparePredicate::lt);
  return success();
}

LogicalResult SelectOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(), c = getCondition();
  if (!g)
    return success();
  if (vjp.wantsGrad(1))
    vjp.setOperandGrad(1, vjp.selectOrZero(c, g));
  if (vjp.wantsGrad(2))
    vjp.setOperandGrad(2, vjp.select(c, vjp.scalarLike(g, 0.0), g));
  return success();
}
