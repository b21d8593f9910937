//===- RoiAlign.cpp - kiln.roi_align --------------------------------------===//
//
// One [C, output_height, output_width] block per region: the result is
// [R, C, output_height, output_width], R from rois and batch_indices.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

LogicalResult RoiAlignOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  RankedTensorType rois = getRanked(adaptor.getRois());
  RankedTensorType batch = getRanked(adaptor.getBatchIndices());
  if (!input || !rois || !batch)
    return diag("operands must be ranked tensors");
  if (input.getRank() != 4)
    return diag("input must be [N, C, H, W], got ", input);
  if (rois.getRank() != 2 || dimsConflict(rois.getDimSize(1), 4))
    return diag("rois must be [R, 4], got ", rois);
  if (batch.getRank() != 1 ||
      dimsConflict(batch.getDimSize(0), rois.getDimSize(0)))
    return diag("batch_indices must be [R] with R = ", rois.getDimSize(0),
                " as rois, got ", batch);
  int64_t height = adaptor.getOutputHeight(), width = adaptor.getOutputWidth();
  if (height < 1 || width < 1)
    return diag("output_height and output_width must be >= 1, got ", height,
                " and ", width);
  // I64Attr reads back as uint64_t: the signed view sees negative values.
  int64_t ratio = adaptor.getSamplingRatio();
  if (ratio < 0)
    return diag("sampling_ratio must be >= 0, got ", ratio);
  int64_t regions = rois.getDimSize(0);
  if (ShapedType::isDynamic(regions))
    regions = batch.getDimSize(0);
  types.push_back(RankedTensorType::get(
      {regions, input.getDimSize(1), height, width}, input.getElementType()));
  return success();
}
