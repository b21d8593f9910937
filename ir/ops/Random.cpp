//===- Random.cpp - kiln.dropout -------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

LogicalResult DropoutOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  double ratio = adaptor.getRatio().convertToDouble();
  if (!(ratio >= 0 && ratio <= 1))
    return diag("ratio must be in [0, 1], got ", ratio);
  if (RankedTensorType step = getRanked(adaptor.getStep()))
    if (step.getRank() != 0)
      return diag("step must be a rank-0 tensor, got ", step);
  if (RankedTensorType key = getRanked(adaptor.getKey())) {
    if (key.getRank() != 0)
      return diag("key must be a rank-0 tensor, got ", key);
    if (!adaptor.getStep())
      return diag("a key needs a step (without one the op is the identity)");
  }
  // The element index is one 32-bit counter word.
  if (input.hasStaticShape() && input.getNumElements() > (int64_t(1) << 32))
    return diag("input has ", input.getNumElements(),
                " elements; the random counter holds at most 2^32");
  types.push_back(input);
  types.push_back(input.clone(IntegerType::get(input.getContext(), 1)));
  return success();
}
