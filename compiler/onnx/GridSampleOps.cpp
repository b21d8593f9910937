//===- GridSampleOps.cpp - ONNX GridSample -> kiln.grid_sample ------------===//
//
// GridSample-16 samples 4-D inputs by modes bilinear, nearest and bicubic;
// GridSample-20 renamed them linear, nearest and cubic and allowed any number
// of spatial dims (the volumetric 5-D form among them); 22 widened the types.
// Every version maps onto kiln.grid_sample's attributes one to one.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

LogicalResult importGridSample(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  bool since20 = n.opset() >= 20;
  // The same three interpolations under both spellings, in ResizeMode's
  // order (nearest, linear, cubic).
  unsigned mode =
      since20 ? a.getChoice("mode", "linear", {"nearest", "linear", "cubic"})
              : a.getChoice("mode", "bilinear",
                            {"nearest", "bilinear", "bicubic"});
  unsigned padding = a.getChoice("padding_mode", "zeros",
                                 {"zeros", "border", "reflection"});
  bool align = a.getBool("align_corners", false);
  if (failed(n.checkArity(2, 2)) || failed(a.status()))
    return failure();
  RankedTensorType x = n.inputType(0), grid = n.inputType(1);
  if (!since20 && x.getRank() != 4)
    return n.error() << "input 'X' " << x
                     << " must be 4-D (N, C, H, W) before opset 20, which "
                        "adds other ranks";
  if (grid.getRank() != x.getRank())
    return n.error() << "input 'grid' " << grid << " must have the rank of "
                     << "input 'X' " << x;

  OpBuilder &b = n.b();
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("mode", b.getI32IntegerAttr(mode))};
  if (padding != 0)
    attrs.push_back(
        b.getNamedAttr("padding_mode", b.getI32IntegerAttr(padding)));
  if (align)
    attrs.push_back(n.namedBool("align_corners", true));
  FailureOr<Value> y =
      n.create("kiln.grid_sample", ValueRange{n.input(0), n.input(1)}, attrs);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

} // namespace

void onnx_import::registerGridSampleOps(OpTable &t) {
  t.add("GridSample", 16, importGridSample);
}
