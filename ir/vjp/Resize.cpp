//===- Resize.cpp - VJP rule of kiln.resize --------------------------------===//
//
// kiln.resize is separable and linear in its input: along each dim, output
// coordinate x is sum_j w[x, j] * in[idx[x, j]] with the taps of
// ir/ResizeTaps.h, the same tables the lowering embeds (nearest: one tap of
// weight 1; linear and cubic: their kernel's weights; coordinates
// tf_crop_and_resize extrapolates: none). So the cotangent goes back one dim
// at a time through the transposed tap matrix W [out, in] (W[x, idx[x, j]]
// += w[x, j], in the tensor's element type as the forward weights are): the
// dim moved last, a kiln.matmul by W, moved back.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/ResizeTaps.h"
#include "ir/VJPBuilder.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <numeric>

using namespace mlir;
using namespace mlir::kiln;

/// Dense tap matrices beyond this many elements are refused.
static constexpr int64_t kMaxTapMatrix = int64_t(1) << 24;

LogicalResult ResizeOp::buildVJP(VJPBuilder &vjp) {
  Value g = vjp.resultGrad();
  if (!g)
    return success();
  auto type = cast<RankedTensorType>(getInput().getType());
  Type et = type.getElementType();
  if (!isa<FloatType>(et))
    return success();
  int64_t rank = type.getRank();
  for (int64_t d = rank - 1; d >= 0; --d) {
    ResizeAxisSpec spec = getResizeAxisSpec(*this, d);
    if (static_cast<double>(spec.out) * static_cast<double>(spec.in) > kMaxTapMatrix)
      return emitOpError("has no gradient for resizing a dim of ")
             << spec.in << " to " << spec.out
             << " elements: its tap matrix would exceed 2^24 elements";
    ResizeTaps taps = computeResizeTaps(spec);
    if (taps.isIdentity())
      continue;
    SmallVector<double> matrix(spec.out * spec.in, 0.0);
    for (int64_t x = 0; x < spec.out; ++x) {
      if (taps.outside[x])
        continue;
      for (int64_t j = 0; j < taps.width; ++j)
        matrix[x * spec.in + taps.indices[x * taps.width + j]] +=
            taps.weights[x * taps.width + j];
    }
    SmallVector<Attribute> values;
    for (double v : matrix)
      values.push_back(FloatAttr::get(et, v));
    auto matrixType = RankedTensorType::get({spec.out, spec.in}, et);
    Value w = vjp.create<ConstantOp>(DenseElementsAttr::get(matrixType, values));
    // g [.., out, ..] -> [.., .., out] -> [M, out] x W -> [M, in] -> back.
    SmallVector<int64_t> perm(rank);
    std::iota(perm.begin(), perm.end(), 0);
    perm.erase(perm.begin() + d);
    perm.push_back(d);
    SmallVector<int64_t> inverse(rank);
    for (int64_t i = 0; i < rank; ++i)
      inverse[perm[i]] = i;
    Value moved = vjp.transpose(g, perm);
    SmallVector<int64_t> movedShape(shapeOf(moved));
    int64_t rows = 1;
    for (int64_t i = 0; i + 1 < rank; ++i)
      rows *= movedShape[i];
    Value product = vjp.create<MatmulOp>(vjp.reshape(moved, {rows, spec.out}), w);
    movedShape.back() = spec.in;
    g = vjp.transpose(vjp.reshape(product, movedShape), inverse);
  }
  vjp.setOperandGrad(0, g);
  return success();
}
