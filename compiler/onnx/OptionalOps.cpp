//===- OptionalOps.cpp - ONNX OptionalHasElement, OptionalGetElement ------===//
//
// Kiln has no optional type: every value a node sees is a tensor, so from
// opset 18 (which lets both ops take a plain tensor) their results are known
// at compile time. OptionalHasElement is false for an omitted input and true
// for a tensor; OptionalGetElement of a tensor is that tensor. Opset 15's
// versions take optional-typed values only, which no Kiln graph holds, and
// optional-typed graph inputs are refused where the graph's inputs are read.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

LogicalResult importOptionalHasElement(NodeImporter &n) {
  if (failed(n.checkArity(0, 1)))
    return failure();
  if (n.hasInput(0) && n.opset() < 18)
    return n.error() << "a tensor input ('" << n.inputName(0)
                     << "') needs opset 18; opset " << n.opset()
                     << " takes an optional-typed value only";
  auto type = RankedTensorType::get({}, n.b().getI1Type());
  n.setOutput(0, n.constant(DenseElementsAttr::get(type, n.hasInput(0))));
  return success();
}

LogicalResult importOptionalGetElement(NodeImporter &n) {
  if (failed(n.checkArity(1, 1)))
    return failure();
  if (n.opset() < 18)
    return n.error() << "a tensor input ('" << n.inputName(0)
                     << "') needs opset 18; opset " << n.opset()
                     << " takes an optional-typed value only";
  n.setOutput(0, n.input(0));
  return success();
}

} // namespace

void onnx_import::registerOptionalOps(OpTable &t) {
  t.add("OptionalHasElement", 15, importOptionalHasElement);
  t.add("OptionalGetElement", 15, importOptionalGetElement);
}
