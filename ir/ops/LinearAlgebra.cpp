//===- LinearAlgebra.cpp - kiln.matmul and kiln.conv ----------------------===//

#include "ir/KilnOps.h"
#include "ir/Shapes.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

static bool dimsConflict(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

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

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  RankedTensorType filter = getRanked(adaptor.getFilter());
  if (!input || !filter)
    return diag("operands must be ranked tensors");
  int64_t rank = input.getRank();
  int64_t spatial = rank - 2;
  if (spatial != 1 && spatial != 2)
    return diag("input must be [N, C, W] or [N, C, H, W], got rank ", rank);
  if (filter.getRank() != rank)
    return diag("filter rank ", filter.getRank(), " differs from input rank ",
                rank);
  ArrayRef<int64_t> strides = adaptor.getStrides();
  ArrayRef<int64_t> pads = adaptor.getPads();
  ArrayRef<int64_t> dilations = adaptor.getDilations();
  int64_t groups = adaptor.getGroups();
  if (static_cast<int64_t>(strides.size()) != spatial)
    return diag("strides has ", strides.size(), " entries, expected ", spatial);
  if (static_cast<int64_t>(dilations.size()) != spatial)
    return diag("dilations has ", dilations.size(), " entries, expected ",
                spatial);
  if (static_cast<int64_t>(pads.size()) != 2 * spatial)
    return diag("pads has ", pads.size(), " entries, expected ", 2 * spatial,
                " (all begins, then all ends)");
  for (int64_t i = 0; i < spatial; ++i) {
    if (strides[i] < 1)
      return diag("strides must be >= 1, got ", formatShape(strides));
    if (dilations[i] < 1)
      return diag("dilations must be >= 1, got ", formatShape(dilations));
  }
  for (int64_t p : pads)
    if (p < 0)
      return diag("pads must be >= 0, got ", formatShape(pads));
  if (groups < 1)
    return diag("groups must be >= 1, got ", groups);

  ArrayRef<int64_t> in = input.getShape(), w = filter.getShape();
  int64_t channels = in[1], filters = w[0];
  if (!ShapedType::isDynamic(filters) && filters % groups != 0)
    return diag("groups (", groups, ") does not divide the filter count ",
                filters);
  // Also checked on its own: with a dynamic filter dim 1 the check below
  // cannot catch it.
  if (!ShapedType::isDynamic(channels) && channels % groups != 0)
    return diag("groups (", groups,
                ") does not divide the input channel count ", channels);
  if (!ShapedType::isDynamic(channels) && !ShapedType::isDynamic(w[1]) &&
      w[1] * groups != channels)
    return diag("filter ", formatShape(w), " expects ", w[1] * groups,
                " input channels (", w[1], " per group x ", groups,
                " groups), input ", formatShape(in), " has ", channels);
  if (Value bias = adaptor.getBias()) {
    RankedTensorType b = getRanked(bias);
    if (!b || b.getRank() != 1 || dimsConflict(b.getDimSize(0), filters))
      return diag("bias must be ", formatShape({filters}),
                  " (one per filter), got ",
                  b ? formatShape(b.getShape()) : std::string("non-tensor"));
    if (b.getElementType() != input.getElementType())
      return diag("bias element type ", b.getElementType(),
                  " differs from the input's ", input.getElementType());
  }

  for (int64_t kernel : w.drop_front(2))
    if (!ShapedType::isDynamic(kernel) && kernel < 1)
      return diag("filter ", formatShape(w), " has an empty kernel");

  SmallVector<int64_t> out = {in[0], filters};
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t kernel = w[2 + i];
    if (ShapedType::isDynamic(kernel)) {
      out.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t o = windowOutputSize(in[2 + i], kernel, strides[i], pads[i],
                                 pads[spatial + i], dilations[i], false);
    if (!ShapedType::isDynamic(o) && o < 1)
      return diag("kernel ", formatShape(w.drop_front(2)),
                  " with dilations does not fit the padded input ",
                  formatShape(in.drop_front(2)));
    out.push_back(o);
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}
