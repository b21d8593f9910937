//===- KilnInterfaces.td - Op interfaces of the kiln dialect -*- tablegen -*-===//
//
// Behaviour that generic passes need from every op, declared once here and
// implemented per family beside the ops: the VJP rules live in
// ir/vjp/<Family>.cpp, next to ir/ops/<Family>.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_INTERFACES_TD
#define KILN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Kiln_VJPOpInterface : OpInterface<"VJPOpInterface"> {
  let cppNamespace = "::mlir::kiln";
  let description = [{
    The op's vector-Jacobian product, the rule reverse-mode differentiation
    (`kiln-differentiate`) applies to it: given the cotangent of each result
    (the gradient of a scalar function of the model's outputs with respect
    to that result), build kiln ops that compute the cotangent of each
    operand the pass asks for.

    A rule reads its request and records its answer through a `VJPBuilder`
    (ir/VJPBuilder.h): `resultGrad(i)` is null where the result's cotangent
    is zero, `wantsGrad(i)` says which operands need one, and
    `setOperandGrad(i, g)` records `g`, summed back to the operand's shape
    when the op broadcast it. Operands it leaves unset get a zero gradient:
    that is the whole rule of ops whose gradient is zero almost everywhere
    (comparisons, floor, argmax). Rules create ops at the forward op's
    location, so an error in the backward code still names the model node.

    An op without this interface has no rule: differentiating through it is
    an error naming the op and its node. A rule may also refuse an attribute
    it cannot differentiate (an error at the op, and failure).

    For an op `y = f(x)` and a result cotangent `dy`, the operand cotangent
    is `dx = J_f(x)^T dy`. For example kiln.mul:

    ```mlir
    %y = kiln.mul %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
    // da = dy * b; db = reduce_sum(dy * a, axes = [0]) reshaped to [3]
    ```
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the operand cotangents `vjp` asks for, after the builder's
        insertion point. Fails (after reporting at the op) only when the
        rule cannot differentiate this op's attributes.
      }],
      "::mlir::LogicalResult", "buildVJP",
      (ins "::mlir::kiln::VJPBuilder &":$vjp)>,
  ];
}

#endif // KILN_INTERFACES_TD
