//===- GridSample.cpp - kiln.grid_sample ----------------------------------===//
//
// The result is (N, C) of the input followed by the grid's point dims; the
// grid's last dim holds one coordinate per spatial dim of the input.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

LogicalResult GridSampleOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  RankedTensorType grid = getRanked(adaptor.getGrid());
  if (!input || !grid)
    return diag("input and grid must be ranked tensors");
  int64_t rank = input.getRank();
  if (rank < 3)
    return diag("input must have rank >= 3 (N, C, spatial dims), got ", input);
  if (grid.getRank() != rank)
    return diag("grid ", grid, " must have the input's rank ", rank);
  int64_t spatial = rank - 2;
  if (dimsConflict(grid.getDimSize(rank - 1), spatial))
    return diag("the last dim of grid ", grid, " must be ", spatial,
                " (one coordinate per spatial dim)");
  if (dimsConflict(grid.getDimSize(0), input.getDimSize(0)))
    return diag("grid ", grid, " and input ", input,
                " differ in the batch dim");
  Type et = input.getElementType();
  if (adaptor.getMode() != ResizeMode::nearest && !isa<FloatType>(et))
    return diag("mode ", stringifyResizeMode(adaptor.getMode()),
                " needs a floating-point input, got ", et);
  if (adaptor.getPaddingMode() != GridSamplePaddingMode::zeros)
    for (int64_t d = 2; d < rank; ++d)
      if (input.getDimSize(d) == 0)
        return diag("padding_mode ",
                    stringifyGridSamplePaddingMode(adaptor.getPaddingMode()),
                    " needs elements to read, but dim ", d, " of ", input,
                    " is empty");
  SmallVector<int64_t> shape = {input.getDimSize(0), input.getDimSize(1)};
  if (ShapedType::isDynamic(shape[0]))
    shape[0] = grid.getDimSize(0);
  for (int64_t d = 1; d <= spatial; ++d)
    shape.push_back(grid.getDimSize(d));
  types.push_back(RankedTensorType::get(shape, et));
  return success();
}
