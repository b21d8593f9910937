//===- Pooling.cpp - max/avg pooling and global pooling -------------------===//

#include "ir/KilnOps.h"
#include "ir/Shapes.h"
#include "ir/ops/OpUtils.h"

#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

/// Shared by max and avg pooling; `dilations` is std::nullopt for avg
/// pooling without the (optional) attribute (an empty `dilations` is an
/// error, not "no dilations").
static LogicalResult inferPool(InferDiag diag, RankedTensorType input,
                               ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> pads,
                               std::optional<ArrayRef<int64_t>> dilations,
                               bool ceilMode, SmallVectorImpl<Type> &types) {
  if (!input)
    return diag("input must be a ranked tensor");
  int64_t spatial = input.getRank() - 2;
  if (spatial < 1 || spatial > 3)
    return diag("input must be [N, C, W], [N, C, H, W] or [N, C, D, H, W], "
                "got rank ",
                input.getRank());
  if (static_cast<int64_t>(kernel.size()) != spatial)
    return diag("kernel_shape has ", kernel.size(), " entries, expected ",
                spatial);
  if (static_cast<int64_t>(strides.size()) != spatial)
    return diag("strides has ", strides.size(), " entries, expected ", spatial);
  if (static_cast<int64_t>(pads.size()) != 2 * spatial)
    return diag("pads has ", pads.size(), " entries, expected ", 2 * spatial,
                " (all begins, then all ends)");
  if (dilations && static_cast<int64_t>(dilations->size()) != spatial)
    return diag("dilations has ", dilations->size(), " entries, expected ",
                spatial);
  SmallVector<int64_t> out(input.getShape().take_front(2));
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t dilation = dilations ? (*dilations)[i] : 1;
    if (kernel[i] < 1)
      return diag("kernel_shape must be >= 1, got ", formatShape(kernel));
    if (strides[i] < 1)
      return diag("strides must be >= 1, got ", formatShape(strides));
    if (dilation < 1)
      return diag("dilations must be >= 1, got ", formatShape(*dilations));
    std::optional<int64_t> window = llvm::checkedMulAdd<int64_t>(dilation, kernel[i] - 1, 1);
    if (!window)
      return diag("kernel_shape ", formatShape(kernel), " with dilation ",
                  dilation, " is too large");
    for (int64_t p : {pads[i], pads[spatial + i]})
      if (p < 0 || p >= *window)
        return diag("pads of spatial dim ", i, " must be in [0, ", *window,
                    ") (a window may not lie wholly in the padding), got ", p);
    int64_t o = windowOutputSize(input.getDimSize(2 + i), kernel[i],
                                 strides[i], pads[i], pads[spatial + i],
                                 dilation, ceilMode);
    if (!ShapedType::isDynamic(o) && o < 1)
      return diag("kernel_shape ", formatShape(kernel),
                  " does not fit the padded input ",
                  formatShape(input.getShape().drop_front(2)));
    out.push_back(o);
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferPool(InferDiag(loc, getOperationName()),
                   getRanked(adaptor.getInput()), adaptor.getKernelShape(),
                   adaptor.getStrides(), adaptor.getPads(),
                   adaptor.getDilations(), adaptor.getCeilMode(), types);
}

LogicalResult MaxPoolGradOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  SmallVector<Type> pooled;
  if (failed(inferPool(diag, input, adaptor.getKernelShape(),
                       adaptor.getStrides(), adaptor.getPads(),
                       adaptor.getDilations(), adaptor.getCeilMode(), pooled)))
    return failure();
  RankedTensorType grad = getRanked(adaptor.getGrad());
  if (!grad || !areRefinementCompatible(TypeRange{pooled[0]}, TypeRange{grad}))
    return diag("grad must have max_pool's output type ", pooled[0], ", got ",
                adaptor.getGrad().getType());
  types.push_back(input);
  return success();
}

LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  std::optional<ArrayRef<int64_t>> dilations;
  if (adaptor.getDilations())
    dilations = *adaptor.getDilations();
  return inferPool(InferDiag(loc, getOperationName()),
                   getRanked(adaptor.getInput()), adaptor.getKernelShape(),
                   adaptor.getStrides(), adaptor.getPads(), dilations,
                   adaptor.getCeilMode(), types);
}

static LogicalResult inferGlobalPool(InferDiag diag, RankedTensorType input,
                                     SmallVectorImpl<Type> &types) {
  if (!input || input.getRank() < 3)
    return diag("input must be [N, C, spatial...] with at least one spatial "
                "dim");
  SmallVector<int64_t> out(input.getShape());
  std::fill(out.begin() + 2, out.end(), 1);
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

LogicalResult GlobalAvgPoolOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  return inferGlobalPool(InferDiag(loc, getOperationName()),
                         getRanked(adaptor.getInput()), types);
}

LogicalResult GlobalMaxPoolOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  return inferGlobalPool(InferDiag(loc, getOperationName()),
                         getRanked(adaptor.getInput()), types);
}

LogicalResult MaxPoolIndicesOp::inferReturnTypes(MLIRContext *ctx,
                                                 std::optional<Location> loc,
                                                 Adaptor adaptor,
                                                 SmallVectorImpl<Type> &types) {
  SmallVector<Type> pooled;
  if (failed(inferPool(InferDiag(loc, getOperationName()),
                       getRanked(adaptor.getInput()), adaptor.getKernelShape(),
                       adaptor.getStrides(), adaptor.getPads(),
                       adaptor.getDilations(), adaptor.getCeilMode(), pooled)))
    return failure();
  types.push_back(cast<RankedTensorType>(pooled[0]).clone(IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult MaxUnpoolOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  RankedTensorType indices = getRanked(adaptor.getIndices());
  if (!input || !indices)
    return diag("operands must be ranked tensors");
  if (indices.getRank() != input.getRank() ||
      llvm::any_of(llvm::zip(input.getShape(), indices.getShape()),
                   [](auto dims) {
                     return dimsConflict(std::get<0>(dims), std::get<1>(dims));
                   }))
    return diag("indices ", indices, " must have the input's shape ",
                formatShape(input.getShape()));
  ArrayRef<int64_t> shape = adaptor.getShape();
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return diag("shape must not have negative dims, got ", formatShape(shape));
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}
