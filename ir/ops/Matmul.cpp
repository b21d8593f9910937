//===- Matmul.cpp - kiln.matmul ------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/Shapes.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType lhs = getRanked(adaptor.getLhs());
  RankedTensorType rhs = getRanked(adaptor.getRhs());
  if (!lhs || !rhs)
    return diag("operands must be ranked tensors");
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return diag("operands must have rank >= 2, got ", lhs.getRank(), " and ",
                rhs.getRank());
  ArrayRef<int64_t> a = lhs.getShape(), b = rhs.getShape();
  int64_t k1 = a[a.size() - 1], k2 = b[b.size() - 2];
  if (dimsConflict(k1, k2))
    return diag("contraction dims differ: lhs ", formatShape(a), " has K = ",
                k1, ", rhs ", formatShape(b), " has K = ", k2);
  int64_t failed = 0;
  std::optional<SmallVector<int64_t>> batch =
      broadcastShapes({a.drop_back(2), b.drop_back(2)}, &failed);
  if (!batch)
    return diag("batch dims ", formatShape(a.drop_back(2)), " and ",
                formatShape(b.drop_back(2)), " do not broadcast (dim ", failed,
                " from the right differs and is not 1)");
  batch->push_back(a[a.size() - 2]);
  batch->push_back(b[b.size() - 1]);
  types.push_back(RankedTensorType::get(*batch, lhs.getElementType()));
  return success();
}
