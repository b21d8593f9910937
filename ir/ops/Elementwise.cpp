//===- Elementwise.cpp - Unary, binary, compare, select, clip, cast -------===//

#include "ir/ElementwiseSemantics.h"
#include "ir/KilnOps.h"
#include "ir/ScalarEvaluator.h"
#include "ir/Shapes.h"
#include "ir/ops/Folding.h"
#include "ir/ops/OpUtils.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

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
KILN_BROADCAST_INFER(BitwiseAndOp)
KILN_BROADCAST_INFER(BitwiseOrOp)
KILN_BROADCAST_INFER(BitwiseXorOp)
KILN_BROADCAST_INFER(ShiftLeftOp)
KILN_BROADCAST_INFER(ShiftRightOp)
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
// Evaluation by the ops' semantics
//===----------------------------------------------------------------------===//

/// `op` evaluated on its constant operands by its row of the elementwise
/// table, so that the fold computes what the generated code computes.
static OpFoldResult evaluate(Operation *op, ArrayRef<Attribute> operands,
                             int64_t limit = fold::kMaxMathElements) {
  const auto *row = lookupElementwiseSemantics<ScalarEvaluator>(
      op->getName().getStringRef());
  assert(row && "an elementwise op without semantics");
  if (!row->appliesTo(getElementTypeOrSelf(op->getOperands().back())))
    return {};
  Type resultType = op->getResult(0).getType();
  Type resultElement = getElementTypeOrSelf(resultType);
  return fold::elementwise(
      operands, resultType,
      [&](ArrayRef<Scalar> x) -> std::optional<Scalar> {
        ScalarEvaluator eval;
        Scalar r = applyElementwise(*row, eval, op, x, resultElement);
        if (eval.hitUndefined())
          return std::nullopt;
        return r;
      },
      limit);
}

//===----------------------------------------------------------------------===//
// Unary folders
//===----------------------------------------------------------------------===//

#define KILN_EVALUATE_FOLD(OP)                                                 \
  OpFoldResult OP::fold(FoldAdaptor a) {                                       \
    return evaluate(*this, a.getOperands());                                   \
  }
KILN_EVALUATE_FOLD(NegOp)
KILN_EVALUATE_FOLD(AbsOp)
KILN_EVALUATE_FOLD(ReluOp)
KILN_EVALUATE_FOLD(ExpOp)
KILN_EVALUATE_FOLD(LogOp)
KILN_EVALUATE_FOLD(SqrtOp)
KILN_EVALUATE_FOLD(RsqrtOp)
KILN_EVALUATE_FOLD(ReciprocalOp)
KILN_EVALUATE_FOLD(TanhOp)
KILN_EVALUATE_FOLD(SigmoidOp)
KILN_EVALUATE_FOLD(ErfOp)
KILN_EVALUATE_FOLD(SinOp)
KILN_EVALUATE_FOLD(CosOp)
KILN_EVALUATE_FOLD(TanOp)
KILN_EVALUATE_FOLD(AcosOp)
KILN_EVALUATE_FOLD(AsinOp)
KILN_EVALUATE_FOLD(AtanOp)
KILN_EVALUATE_FOLD(SinhOp)
KILN_EVALUATE_FOLD(CoshOp)
KILN_EVALUATE_FOLD(AcoshOp)
KILN_EVALUATE_FOLD(AsinhOp)
KILN_EVALUATE_FOLD(AtanhOp)
KILN_EVALUATE_FOLD(BitwiseNotOp)
// Binary ops without identities worth folding.
KILN_EVALUATE_FOLD(BitwiseAndOp)
KILN_EVALUATE_FOLD(BitwiseOrOp)
KILN_EVALUATE_FOLD(BitwiseXorOp)
KILN_EVALUATE_FOLD(ShiftLeftOp)
KILN_EVALUATE_FOLD(ShiftRightOp)
KILN_EVALUATE_FOLD(FloorOp)
KILN_EVALUATE_FOLD(CeilOp)
KILN_EVALUATE_FOLD(HardSwishOp)
KILN_EVALUATE_FOLD(GeluOp)
KILN_EVALUATE_FOLD(LeakyReluOp)
KILN_EVALUATE_FOLD(HardSigmoidOp)
#undef KILN_EVALUATE_FOLD

OpFoldResult NotOp::fold(FoldAdaptor a) {
  // not(not(x)) -> x
  if (auto inner = getInput().getDefiningOp<NotOp>())
    return inner.getInput();
  return evaluate(*this, a.getOperands());
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
  return evaluate(*this, a.getOperands());
}

OpFoldResult CastOp::fold(FoldAdaptor a) {
  if (getInput().getType() == getType())
    return getInput();
  // A cast re-types weights (f16 models): data movement's limit.
  return evaluate(*this, a.getOperands(), fold::kMaxDataElements);
}

/// The width kiln.bitcast reinterprets: bools are bytes, as ONNX stores them.
static unsigned bitcastWidth(Type t) {
  return t.isInteger(1) ? 8 : t.getIntOrFloatBitWidth();
}

LogicalResult BitcastOp::verify() {
  Type from = getElementTypeOrSelf(getInput()), to = getElementTypeOrSelf(getType());
  if (bitcastWidth(from) != bitcastWidth(to))
    return emitOpError("element types ")
           << from << " and " << to << " differ in width ("
           << bitcastWidth(from) << " and " << bitcastWidth(to) << " bits)";
  if (to.isInteger(1) && !from.isInteger(1))
    return emitOpError("cannot reinterpret ")
           << from << " as bools, which hold only 0 or 1";
  return success();
}

OpFoldResult BitcastOp::fold(FoldAdaptor a) {
  if (getInput().getType() == getType())
    return getInput();
  return evaluate(*this, a.getOperands(), fold::kMaxDataElements);
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
  return evaluate(*this, a.getOperands());
}

OpFoldResult SubOp::fold(FoldAdaptor a) {
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 0, getType()))
    return v;
  return evaluate(*this, a.getOperands());
}

OpFoldResult MulOp::fold(FoldAdaptor a) {
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 1, getType()))
    return v;
  if (Value v = foldIdentity(getRhs(), getLhs(), a.getLhs(), 1, getType()))
    return v;
  return evaluate(*this, a.getOperands());
}

OpFoldResult DivOp::fold(FoldAdaptor a) {
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 1, getType()))
    return v;
  return evaluate(*this, a.getOperands());
}

OpFoldResult PowOp::fold(FoldAdaptor a) {
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 1, getType()))
    return v;
  return evaluate(*this, a.getOperands());
}

OpFoldResult MaxOp::fold(FoldAdaptor a) {
  if (Value v = foldSame(getLhs(), getRhs(), getType()))
    return v;
  return evaluate(*this, a.getOperands());
}

OpFoldResult MinOp::fold(FoldAdaptor a) {
  if (Value v = foldSame(getLhs(), getRhs(), getType()))
    return v;
  return evaluate(*this, a.getOperands());
}

OpFoldResult AndOp::fold(FoldAdaptor a) {
  if (Value v = foldSame(getLhs(), getRhs(), getType()))
    return v;
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 1, getType()))
    return v;
  return evaluate(*this, a.getOperands());
}

OpFoldResult OrOp::fold(FoldAdaptor a) {
  if (Value v = foldSame(getLhs(), getRhs(), getType()))
    return v;
  if (Value v = foldIdentity(getLhs(), getRhs(), a.getRhs(), 0, getType()))
    return v;
  return evaluate(*this, a.getOperands());
}

OpFoldResult CompareOp::fold(FoldAdaptor a) {
  return evaluate(*this, a.getOperands());
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
  return evaluate(*this, a.getOperands());
}
