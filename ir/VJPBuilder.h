//===- VJPBuilder.h - What a VJP rule receives and records -------*- C++ -*-===//
//
// A VJP rule (VJPOpInterface::buildVJP, ir/vjp/<Family>.cpp) is handed one
// VJPBuilder per op: the cotangents of the op's results, which operands need
// a cotangent, and an OpBuilder placed where the backward code goes. It
// records one cotangent per operand it differentiates.
//
// Shapes: the pass differentiates functions whose shapes are all static
// (after the graph stage), so every helper here assumes static ranked
// tensors. A cotangent has its value's exact type; setOperandGrad accepts
// the op's broadcast shape too and sums it back (NumPy broadcasting: leading
// dims and stretched size-1 dims), so rules of broadcasting ops never do it
// themselves.
//
// The helpers create kiln ops at the forward op's location with their result
// types inferred. Their operands are built by the rules from valid IR, so
// inference cannot fail; a rule that breaks this is a compiler bug (ODS's
// inferring builders abort on it).
//
// Each helper call creates ops where it stands, so a rule never passes two
// arguments that both create ops to one call (`vjp.mul(vjp.neg(a), vjp.mul(b,
// b))`): C++ leaves their order unspecified, GCC and clang differ, and the
// backward code would come out in another order with each compiler. Such
// values get statements of their own.
//
// Not thread-safe; lives for one rule application.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_VJPBUILDER_H
#define KILN_IR_VJPBUILDER_H

#include "ir/KilnOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::kiln {

class VJPBuilder {
public:
  /// `resultGrads[i]`: the cotangent of result i, null when it is zero.
  /// `wanted[i]`: whether operand i needs a cotangent.
  VJPBuilder(OpBuilder &builder, Operation *op, ArrayRef<Value> resultGrads,
             ArrayRef<bool> wanted);

  Operation *getOp() const { return op; }
  Location getLoc() const { return loc; }
  OpBuilder &getBuilder() { return builder; }

  /// The cotangent of result `i`, or null when it is zero.
  Value resultGrad(unsigned i = 0) const { return resultGrads[i]; }
  /// The cotangent of result `i`, zeros when none was given.
  Value resultGradOrZero(unsigned i);
  bool wantsGrad(unsigned operand) const { return wanted[operand]; }

  /// Records operand `operand`'s cotangent. `grad` has the operand's shape
  /// or one the operand broadcasts to; the latter is summed back.
  void setOperandGrad(unsigned operand, Value grad);
  /// The cotangents recorded so far (null: zero), one per operand.
  ArrayRef<Value> getOperandGrads() const { return operandGrads; }

  //===--------------------------------------------------------------------===//
  // Building blocks
  //===--------------------------------------------------------------------===//

  /// Any kiln op with an inferring builder; returns its first result.
  template <typename OpT, typename... Args> Value create(Args &&...args) {
    return builder.create<OpT>(loc, std::forward<Args>(args)...)
        ->getResult(0);
  }

  /// A rank-0 constant of `elementType` (broadcasts against anything).
  Value scalar(Type elementType, double value);
  /// A rank-0 constant of `like`'s element type.
  Value scalarLike(Value like, double value);
  /// A splat of `value` with `like`'s type.
  Value splatLike(Value like, double value);
  Value zerosLike(Value like) { return splatLike(like, 0.0); }

  Value add(Value a, Value b);
  Value sub(Value a, Value b);
  Value mul(Value a, Value b);
  Value div(Value a, Value b);
  Value neg(Value a);
  /// a * c for a constant c.
  Value scale(Value a, double c);
  Value compare(ComparePredicate predicate, Value a, Value b);
  /// condition ? a : b, broadcasting all three.
  Value select(Value condition, Value a, Value b);
  /// condition ? a : 0.
  Value selectOrZero(Value condition, Value a);
  Value cast(Value v, Type elementType);

  Value reshape(Value v, ArrayRef<int64_t> shape);
  Value transpose(Value v, ArrayRef<int64_t> perm);
  /// `v` broadcast to `shape` (kiln.expand); `v` itself if it has it.
  Value expandTo(Value v, ArrayRef<int64_t> shape);
  Value reduceSum(Value v, ArrayRef<int64_t> axes, bool keepdims);
  Value reduceMean(Value v, ArrayRef<int64_t> axes, bool keepdims);

  /// `v`, a tensor of a shape `shape` broadcasts to, summed back to `shape`:
  /// the cotangent of a broadcast. `v` itself when the shapes agree.
  Value sumToShape(Value v, ArrayRef<int64_t> shape);

  /// A positive-step slice of `v` along `dim`: `[start, end)` by `step`.
  Value sliceDim(Value v, int64_t dim, int64_t start, int64_t end,
                 int64_t step = 1);
  /// `v` with `dim` reversed.
  Value sliceReversed(Value v, int64_t dim);
  /// Zero padding of `v`: `pads` as kiln.pad's (all begins, then all ends).
  Value padZeros(Value v, ArrayRef<int64_t> pads);
  /// The adjoint of a positive-step slice along `dim`: a tensor whose `dim`
  /// has `size` elements, element j of `v` at `start + j * step` and zeros
  /// elsewhere. Built from reshape and pad, so every backend that lowers
  /// those runs it.
  Value insertStrided(Value v, int64_t dim, int64_t start, int64_t step,
                      int64_t size);

private:
  OpBuilder &builder;
  Operation *op;
  Location loc;
  SmallVector<Value> resultGrads;
  SmallVector<bool> wanted;
  SmallVector<Value> operandGrads;
};

/// The static shape of a ranked tensor value.
ArrayRef<int64_t> shapeOf(Value v);

} // namespace mlir::kiln

#endif // KILN_IR_VJPBUILDER_H
