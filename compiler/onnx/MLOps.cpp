//===- MLOps.cpp - ai.onnx.ml ops -> kiln ---------------------------------===//
//
// The classical-ML domain (ai.onnx.ml):
//  - Binarizer (opset 1), elementwise: Y = X > threshold ? 1 : 0 in X's
//    type. Integer X compares with floor(threshold), which picks the same
//    elements (x > t <=> x > floor(t) for integers x) without converting X.
//  - ArrayFeatureExtractor (opset 1): X's last dim gathered at the indices Y
//    (any shape, read flattened), as kiln.gather; a 1-D X gives [1, K] as
//    onnxruntime does (the text does not say). Indices outside the last dim
//    are clamped by kiln.gather where onnxruntime fails the run.
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

LogicalResult importArrayFeatureExtractor(NodeImporter &n) {
  if (failed(n.checkArity(2, 2)))
    return failure();
  RankedTensorType x = n.inputType(0), y = n.inputType(1);
  if (!x.hasStaticShape() || x.getRank() < 1 || !y.hasStaticShape())
    return n.error() << "expects static X of rank >= 1 and static Y, got " << x
                     << " and " << y;
  if (!y.getElementType().isSignlessInteger(64))
    return n.error() << "expects int64 indices Y, got " << y;
  OpChain c{n};
  int64_t count = y.getNumElements();
  Value picked = c.op("kiln.gather", {n.input(0), c.reshape(n.input(1), {count})},
                      {n.namedI64("axis", x.getRank() - 1)});
  if (x.getRank() == 1)
    picked = c.reshape(picked, {1, count});
  return c.output(0, picked);
}

} // namespace

void onnx_import::registerMLOps(OpTable &t) {
  t.add("ArrayFeatureExtractor", 1, importArrayFeatureExtractor, kMLDomain);
  t.add("Binarizer", 1, importBinarizer, kMLDomain);
}
