//===- Matmul.cpp - VJP rule of kiln.matmul --------------------------------===//
//
// For C = A B on the last two dims: dA = dC B^T, dB = A^T dC. Both products
// broadcast over the batch dims as the forward one did, and the builder sums
// each back to its operand's batch shape.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/VJPBuilder.h"

#include <numeric>

using namespace mlir;
using namespace mlir::kiln;

/// `v` with its last two dims swapped.
static Value transposeMatrices(VJPBuilder &vjp, Value v) {
  int64_t rank = static_cast<int64_t>(shapeOf(v).size());
  SmallVector<int64_t> perm(rank);
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[rank - 1], perm[rank - 2]);
  return vjp.transpose(v, perm);
}

LogicalResult MatmulOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  if (vjp.wantsGrad(0))
    vjp.setOperandGrad(0, vjp.create<MatmulOp>(g, transposeMatrices(vjp, getRhs())));
  if (vjp.wantsGrad(1))
    vjp.setOperandGrad(1, vjp.create<MatmulOp>(transposeMatrices(vjp, getLhs()), g));
  return success();
}
