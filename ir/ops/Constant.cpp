//===- Constant.cpp - kiln.constant ---------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;
using namespace mlir::kiln;

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  auto type = dyn_cast<RankedTensorType>(adaptor.getValue().getType());
  if (!type)
    return detail::InferDiag(loc, getOperationName())(
        "value must have a ranked tensor type");
  types.push_back(type);
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }
