//===- RoiAlignOps.cpp - ONNX RoiAlign -> kiln.roi_align -------------------===//
//
// RoiAlign-10 always shifts boxes by no half pixel (what opset 16 calls
// output_half_pixel); RoiAlign-16 adds coordinate_transformation_mode with
// half_pixel as its default. Both map onto kiln.roi_align's attributes one to
// one; the sampling grid of sampling_ratio 0 is sized per region at run time
// by the lowering.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

LogicalResult importRoiAlign(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  bool halfPixel = false;
  if (n.opset() >= 16)
    halfPixel = a.getChoice("coordinate_transformation_mode", "half_pixel",
                            {"output_half_pixel", "half_pixel"}) == 1;
  unsigned mode = a.getChoice("mode", "avg", {"avg", "max"});
  int64_t height = a.getInt("output_height", 1);
  int64_t width = a.getInt("output_width", 1);
  int64_t ratio = a.getInt("sampling_ratio", 0);
  double scale = a.getFloat("spatial_scale", 1.0);
  if (failed(n.checkArity(3, 3)) || failed(a.status()))
    return failure();
  RankedTensorType x = n.inputType(0), rois = n.inputType(1),
                   batch = n.inputType(2);
  if (x.getRank() != 4 || !x.hasStaticShape() || x.getNumElements() == 0)
    return n.error() << "expects a static, non-empty input 'X' [N, C, H, W], "
                        "got "
                     << x;
  if (rois.getElementType() != x.getElementType())
    return n.error() << "expects 'rois' of X's type " << x.getElementType()
                     << ", got " << rois;
  if (!batch.getElementType().isSignlessInteger(64))
    return n.error() << "expects int64 'batch_indices', got " << batch;
  for (auto [name, v] : {std::pair<StringRef, int64_t>{"output_height", height},
                         {"output_width", width}})
    if (v < 1 || v > kMaxElements)
      return n.error() << "attribute '" << name << "' = " << v
                       << " must be in [1, " << kMaxElements << "]";
  if (rois.getRank() != 2)
    return n.error() << "expects 'rois' [num_rois, 4], got " << rois;
  if (rois.hasStaticShape() &&
      !checkedNumElements({rois.getDimSize(0), x.getDimSize(1), height, width}))
    return n.error() << "the result [" << rois.getDimSize(0) << ", "
                     << x.getDimSize(1) << ", " << height << ", " << width
                     << "] would have more than " << kMaxElements << " elements";
  if (ratio < 0)
    return n.error() << "attribute 'sampling_ratio' = " << ratio
                     << " must be >= 0 (0: adaptive)";
  OpBuilder &b = n.b();
  FailureOr<Value> y = n.create(
      "kiln.roi_align", ValueRange{n.input(0), n.input(1), n.input(2)},
      {b.getNamedAttr("mode", b.getI32IntegerAttr(mode)),
       n.namedI64("output_height", height), n.namedI64("output_width", width),
       n.namedI64("sampling_ratio", ratio), n.namedF64("spatial_scale", scale),
       n.namedBool("half_pixel", halfPixel)});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

} // namespace

void onnx_import::registerRoiAlignOps(OpTable &t) {
  t.add("RoiAlign", 10, importRoiAlign);
}
