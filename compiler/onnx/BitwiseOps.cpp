//===- BitwiseOps.cpp - ONNX bitwise ops and BitShift -> kiln -------------===//
//
// BitwiseAnd/Or/Xor/Not (opset 18) and BitShift (opset 11) on integer
// tensors, one kiln op each. BitShift's RIGHT is logical on the unsigned
// types ONNX allows; a shift by the bit width or more gives 0, as NumPy's.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// `kilnOp` on the node's `arity` inputs.
OpHandler integerOp(StringRef kilnOp, unsigned arity) {
  return [kilnOp = kilnOp.str(), arity](NodeImporter &n) -> LogicalResult {
    if (failed(n.checkArity(arity, arity)))
      return failure();
    SmallVector<Value> operands;
    for (unsigned i = 0; i < arity; ++i) {
      RankedTensorType type = n.inputType(i);
      Type et = type.getElementType();
      if (!et.isInteger() || et.isInteger(1))
        return n.error() << "expects integer inputs, got " << type << " for '"
                         << n.inputName(i) << "'";
      operands.push_back(n.input(i));
    }
    FailureOr<Value> y = n.create(kilnOp, operands);
    if (failed(y))
      return failure();
    n.setOutput(0, *y);
    return success();
  };
}

LogicalResult importBitShift(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  if (!a.has("direction"))
    return n.error() << "attribute 'direction' is required (LEFT or RIGHT)";
  unsigned direction = a.getChoice("direction", "LEFT", {"LEFT", "RIGHT"});
  if (failed(a.status()))
    return failure();
  return integerOp(direction == 0 ? "kiln.shift_left" : "kiln.shift_right",
                   2)(n);
}

} // namespace

void onnx_import::registerBitwiseOps(OpTable &t) {
  t.add("BitShift", 11, importBitShift);
  t.add("BitwiseAnd", 18, integerOp("kiln.bitwise_and", 2));
  t.add("BitwiseNot", 18, integerOp("kiln.bitwise_not", 1));
  t.add("BitwiseOr", 18, integerOp("kiln.bitwise_or", 2));
  t.add("BitwiseXor", 18, integerOp("kiln.bitwise_xor", 2));
}
