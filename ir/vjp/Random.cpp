//===- Random.cpp - VJP rule of kiln.dropout -------------------------------===//
//
// The cotangent flows through the kept elements, scaled as the forward
// scaled them: dx = mask ? dy * scale : 0, with the forward op's own mask
// result (an ordinary value the backward code reads, so it is the same
// draw, never a new one). Without a step the op is the identity.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/VJPBuilder.h"

using namespace mlir;
using namespace mlir::kiln;

LogicalResult DropoutOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad(0);
  if (!g || !vjp.wantsGrad(0))
    return success();
  if (!getStep()) {
    vjp.setOperandGrad(0, g);
    return success();
  }
  double ratio = getRatio().convertToDouble();
  Value scaled = ratio < 1 ? vjp.scale(g, 1.0 / (1.0 - ratio)) : vjp.zerosLike(g);
  vjp.setOperandGrad(0, vjp.selectOrZero(getMask(), scaled));
  return success();
}
