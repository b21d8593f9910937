//===- MLOps.cpp - ai.onnx.ml ops -> kiln ---------------------------------===//
//
// The classical-ML domain's elementwise Binarizer (ai.onnx.ml, opset 1):
// Y = X > threshold ? 1 : 0 in X's type. Integer X compares with
// floor(threshold), which picks the same elements (x > t <=> x > floor(t)
// for integers x) without converting X.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

LogicalResult importBinarizer(NodeImporter &n) {
  double threshold = n.attrs().getFloat("threshold", 0.0);
  if (failed(n.checkArity(1, 1)) || failed(n.attrs().status()))
    return failure();
  Type t = n.inputType(0).getElementType();
  bool isFloat = isa<FloatType>(t);
  if (!isFloat && !t.isSignlessInteger(32) && !t.isSignlessInteger(64))
    return n.error() << "expects X of a float, int32 or int64 type, got "
                     << n.inputType(0);
  if (!isFloat && !std::isfinite(threshold))
    return n.error() << "attribute 'threshold' = " << threshold
                     << " must be finite for integer X";
  OpChain c{n};
  Value above =
      c.compare(static_cast<uint32_t>(ComparePredicate::gt), n.input(0),
                c.scalar(t, isFloat ? threshold : std::floor(threshold)));
  return c.output(0,
                  c.op("kiln.select", {above, c.scalar(t, 1), c.scalar(t, 0)}));
}

} // namespace

void onnx_import::registerMLOps(OpTable &t) {
  t.add("Binarizer", 1, importBinarizer, kMLDomain);
}
