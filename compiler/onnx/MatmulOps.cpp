//===- MatmulOps.cpp - ONNX MatMul and Gemm -> kiln ----------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/Shapes.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// MatMul has NumPy's semantics: a 1-D lhs is a row vector and a 1-D rhs a
/// column vector, and the added dim is removed from the result again.
/// kiln.matmul wants rank >= 2, hence the reshapes.
LogicalResult importMatMul(NodeImporter &n) {
  if (failed(n.checkArity(2, 2)))
    return failure();
  RankedTensorType lhsType = n.inputType(0), rhsType = n.inputType(1);
  if (lhsType.getRank() == 0 || rhsType.getRank() == 0)
    return n.error() << "operands must have rank >= 1, got " << lhsType
                     << " and " << rhsType;
  bool lhsVector = lhsType.getRank() == 1, rhsVector = rhsType.getRank() == 1;
  FailureOr<Value> lhs = lhsVector
                             ? n.reshape(n.input(0), {1, lhsType.getDimSize(0)})
                             : FailureOr<Value>(n.input(0));
  FailureOr<Value> rhs = rhsVector
                             ? n.reshape(n.input(1), {rhsType.getDimSize(0), 1})
                             : FailureOr<Value>(n.input(1));
  if (failed(lhs) || failed(rhs))
    return failure();
  FailureOr<Value> y = n.create("kiln.matmul", {*lhs, *rhs});
  if (failed(y))
    return failure();
  if (lhsVector || rhsVector) {
    SmallVector<int64_t> shape(cast<RankedTensorType>(y->getType()).getShape());
    if (rhsVector)
      shape.pop_back();
    if (lhsVector)
      shape.erase(shape.end() - (rhsVector ? 1 : 2));
    y = n.reshape(*y, shape);
    if (failed(y))
      return failure();
  }
  n.setOutput(0, *y);
  return success();
}

/// Gemm: alpha * A' B' + beta * C, where A' and B' may be transposed and C
/// broadcasts (one way) to [M, N]. C became optional in opset 11.
LogicalResult importGemm(NodeImporter &n) {
  double alpha = n.attrs().getFloat("alpha", 1.0);
  double beta = n.attrs().getFloat("beta", 1.0);
  bool transA = n.attrs().getBool("transA", false);
  bool transB = n.attrs().getBool("transB", false);
  if (failed(n.checkArity(n.opset() >= 11 ? 2 : 3, 3)) ||
      failed(n.attrs().status()))
    return failure();
  RankedTensorType aType = n.inputType(0), bType = n.inputType(1);
  if (aType.getRank() != 2 || bType.getRank() != 2)
    return n.error() << "A and B must be matrices, got " << aType << " and "
                     << bType;
  auto transpose = [&](Value v, bool t) -> FailureOr<Value> {
    if (!t)
      return v;
    return n.create("kiln.transpose", v, {n.namedI64s("perm", {1, 0})});
  };
  FailureOr<Value> a = transpose(n.input(0), transA);
  FailureOr<Value> b = transpose(n.input(1), transB);
  if (failed(a) || failed(b))
    return failure();
  FailureOr<Value> y = n.create("kiln.matmul", {*a, *b});
  if (failed(y))
    return failure();
  auto resultType = cast<RankedTensorType>(y->getType());
  Type et = resultType.getElementType();
  auto scale = [&](Value v, double factor) -> FailureOr<Value> {
    if (factor == 1.0)
      return v;
    FailureOr<Value> s = n.scalar(et, factor);
    if (failed(s))
      return failure();
    return n.create("kiln.mul", {v, *s});
  };
  y = scale(*y, alpha);
  if (failed(y))
    return failure();
  // With beta = 0 the C term vanishes.
  if (n.hasInput(2) && beta != 0.0) {
    FailureOr<Value> c = scale(n.input(2), beta);
    if (failed(c))
      return failure();
    FailureOr<Value> sum = n.create("kiln.add", {*y, *c});
    if (failed(sum))
      return failure();
    if (sum->getType() != resultType)
      return n.error() << "C " << n.inputType(2)
                       << " does not broadcast to the result " << resultType;
    y = sum;
  }
  n.setOutput(0, *y);
  return success();
}

} // namespace

void onnx_import::registerMatmulOps(OpTable &t) {
  t.add("Gemm", 1, importGemm);
  t.add("MatMul", 1, importMatMul);
}
