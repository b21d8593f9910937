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

LogicalResult ConstantOp::verify() {
  // Stricter than the refinement rule of other ops: the folder returns the
  // value, whose type must then be the result's.
  if (getType() != getValue().getType())
    return emitOpError("result type ")
           << getType() << " differs from the value's type "
           << getValue().getType();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }
