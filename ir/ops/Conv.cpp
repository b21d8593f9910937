//===- Conv.cpp - kiln.conv, its backward ops and kiln.conv_transpose -----===//

#include "ir/KilnOps.h"
#include "ir/Shapes.h"
#include "ir/ops/OpUtils.h"

#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

/// kiln.conv's shape rule, on shapes: the input and filter shapes, the
/// bias (or null) and the attributes give the output type. Shared with the
/// backward ops, which check that their operands are a convolution's.
static LogicalResult inferConv(const InferDiag &diag, ArrayRef<int64_t> in,
                               ArrayRef<int64_t> w, Type elementType,
                               Value bias, ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> pads,
                               ArrayRef<int64_t> dilations, int64_t groups,
                               SmallVectorImpl<Type> &types) {
  int64_t rank = in.size();
  int64_t spatial = rank - 2;
  if (spatial < 1 || spatial > 3)
    return diag("input must be [N, C, W], [N, C, H, W] or [N, C, D, H, W], got rank ", rank);
  if (static_cast<int64_t>(w.size()) != rank)
    return diag("filter rank ", w.size(), " differs from input rank ", rank);
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
  if (bias) {
    RankedTensorType b = getRanked(bias);
    if (!b || b.getRank() != 1 || dimsConflict(b.getDimSize(0), filters))
      return diag("bias must be ", formatShape({filters}),
                  " (one per filter), got ",
                  b ? formatShape(b.getShape()) : std::string("non-tensor"));
    if (b.getElementType() != elementType)
      return diag("bias element type ", b.getElementType(),
                  " differs from the input's ", elementType);
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
  types.push_back(RankedTensorType::get(out, elementType));
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
  return inferConv(diag, input.getShape(), filter.getShape(),
                   input.getElementType(), adaptor.getBias(),
                   adaptor.getStrides(), adaptor.getPads(),
                   adaptor.getDilations(), adaptor.getGroups(), types);
}

/// Checks that `grad` has the type of kiln.conv's output for an input of
/// shape `in` and a filter of shape `w`.
static LogicalResult checkConvGrad(const InferDiag &diag, ArrayRef<int64_t> in,
                                   ArrayRef<int64_t> w, RankedTensorType grad,
                                   ArrayRef<int64_t> strides,
                                   ArrayRef<int64_t> pads,
                                   ArrayRef<int64_t> dilations, int64_t groups) {
  SmallVector<Type> conv;
  if (failed(inferConv(diag, in, w, grad.getElementType(), Value(), strides,
                       pads, dilations, groups, conv)))
    return failure();
  if (!areRefinementCompatible(TypeRange{conv[0]}, TypeRange{grad}))
    return diag("grad must have conv's output type ", conv[0], ", got ",
                grad);
  return success();
}

LogicalResult ConvBackwardDataOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType grad = getRanked(adaptor.getGrad());
  RankedTensorType filter = getRanked(adaptor.getFilter());
  if (!grad || !filter)
    return diag("operands must be ranked tensors");
  ArrayRef<int64_t> in = adaptor.getInputShape();
  if (in.size() != static_cast<size_t>(grad.getRank()))
    return diag("input_shape ", formatShape(in), " must have grad's rank ",
                grad.getRank());
  for (int64_t d : in)
    if (d < 1)
      return diag("input_shape must be static and non-empty, got ",
                  formatShape(in));
  if (failed(checkConvGrad(diag, in, filter.getShape(), grad,
                           adaptor.getStrides(), adaptor.getPads(),
                           adaptor.getDilations(), adaptor.getGroups())))
    return failure();
  types.push_back(RankedTensorType::get(in, grad.getElementType()));
  return success();
}

LogicalResult ConvBackwardFilterOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  RankedTensorType grad = getRanked(adaptor.getGrad());
  if (!input || !grad)
    return diag("operands must be ranked tensors");
  ArrayRef<int64_t> kernel = adaptor.getKernelShape();
  if (static_cast<int64_t>(kernel.size()) != input.getRank() - 2)
    return diag("kernel_shape has ", kernel.size(), " entries, expected ",
                input.getRank() - 2);
  int64_t groups = adaptor.getGroups();
  int64_t channels = input.getDimSize(1);
  if (groups < 1 || ShapedType::isDynamic(channels) || channels % groups != 0)
    return diag("groups (", groups, ") must divide the input channel count ",
                channels);
  if (grad.getRank() < 2)
    return diag("grad must be [N, F, out...], got ",
                formatShape(grad.getShape()));
  SmallVector<int64_t> w = {grad.getDimSize(1), channels / groups};
  w.append(kernel.begin(), kernel.end());
  if (failed(checkConvGrad(diag, input.getShape(), w, grad,
                           adaptor.getStrides(), adaptor.getPads(),
                           adaptor.getDilations(), groups)))
    return failure();
  types.push_back(RankedTensorType::get(w, input.getElementType()));
  return success();
}

/// One spatial dim of a transposed convolution, ONNX's formula:
/// stride * (in - 1) + output_padding + dilation * (kernel - 1) + 1 - pads.
/// std::nullopt on int64 overflow (absurd attributes in hand-written IR).
static std::optional<int64_t> transposedSize(int64_t in, int64_t kernel,
                                             int64_t stride, int64_t dilation,
                                             int64_t outputPadding,
                                             int64_t padBegin, int64_t padEnd) {
  std::optional<int64_t> spread = llvm::checkedMul<int64_t>(stride, in - 1);
  std::optional<int64_t> window = llvm::checkedMulAdd<int64_t>(dilation, kernel - 1, 1);
  if (!spread || !window)
    return std::nullopt;
  std::optional<int64_t> size = llvm::checkedAdd<int64_t>(*spread, *window);
  if (size)
    size = llvm::checkedAdd<int64_t>(*size, outputPadding);
  if (size)
    size = llvm::checkedSub<int64_t>(*size, padBegin);
  if (size)
    size = llvm::checkedSub<int64_t>(*size, padEnd);
  return size;
}

LogicalResult ConvTransposeOp::inferReturnTypes(MLIRContext *,
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
  if (spatial < 1 || spatial > 3)
    return diag("input must be [N, C, W], [N, C, H, W] or [N, C, D, H, W], got rank ", rank);
  if (filter.getRank() != rank)
    return diag("filter rank ", filter.getRank(), " differs from input rank ",
                rank);
  ArrayRef<int64_t> strides = adaptor.getStrides();
  ArrayRef<int64_t> pads = adaptor.getPads();
  ArrayRef<int64_t> dilations = adaptor.getDilations();
  ArrayRef<int64_t> outputPadding = adaptor.getOutputPadding();
  int64_t groups = adaptor.getGroups();
  if (static_cast<int64_t>(strides.size()) != spatial)
    return diag("strides has ", strides.size(), " entries, expected ", spatial);
  if (static_cast<int64_t>(dilations.size()) != spatial)
    return diag("dilations has ", dilations.size(), " entries, expected ",
                spatial);
  if (static_cast<int64_t>(outputPadding.size()) != spatial)
    return diag("output_padding has ", outputPadding.size(),
                " entries, expected ", spatial);
  if (static_cast<int64_t>(pads.size()) != 2 * spatial)
    return diag("pads has ", pads.size(), " entries, expected ", 2 * spatial,
                " (all begins, then all ends)");
  for (int64_t i = 0; i < spatial; ++i) {
    if (strides[i] < 1)
      return diag("strides must be >= 1, got ", formatShape(strides));
    if (dilations[i] < 1)
      return diag("dilations must be >= 1, got ", formatShape(dilations));
    if (outputPadding[i] < 0)
      return diag("output_padding must be >= 0, got ",
                  formatShape(outputPadding));
  }
  if (groups < 1)
    return diag("groups must be >= 1, got ", groups);

  ArrayRef<int64_t> in = input.getShape(), w = filter.getShape();
  int64_t channels = in[1];
  if (!ShapedType::isDynamic(channels) && channels % groups != 0)
    return diag("groups (", groups,
                ") does not divide the input channel count ", channels);
  if (dimsConflict(channels, w[0]))
    return diag("filter ", formatShape(w), " is for ", w[0],
                " input channels, input ", formatShape(in), " has ", channels);
  int64_t filters = ShapedType::isDynamic(w[1]) ? ShapedType::kDynamic
                                                : w[1] * groups;
  if (Value bias = adaptor.getBias()) {
    RankedTensorType b = getRanked(bias);
    if (!b || b.getRank() != 1 || dimsConflict(b.getDimSize(0), filters))
      return diag("bias must be ", formatShape({filters}),
                  " (one per output channel), got ",
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
    int64_t size = in[2 + i], kernel = w[2 + i];
    if (ShapedType::isDynamic(size) || ShapedType::isDynamic(kernel)) {
      out.push_back(ShapedType::kDynamic);
      continue;
    }
    if (size < 1)
      return diag("input ", formatShape(in), " has an empty spatial dim");
    std::optional<int64_t> o =
        transposedSize(size, kernel, strides[i], dilations[i], outputPadding[i],
                       pads[i], pads[spatial + i]);
    if (!o)
      return diag("output size of spatial dim ", i, " overflows");
    if (*o < 1)
      return diag("pads ", formatShape(pads), " leave no output in spatial dim ",
                  i, " (", *o, ")");
    out.push_back(*o);
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

/// kiln.deform_conv: kiln.conv's rule in 2-D, and the offset and mask
/// carry one (dy, dx) pair and one factor per offset group, kernel tap and
/// output pixel.
LogicalResult DeformConvOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  RankedTensorType filter = getRanked(adaptor.getFilter());
  RankedTensorType offset = getRanked(adaptor.getOffset());
  RankedTensorType mask = getRanked(adaptor.getMask());
  if (!input || !filter || !offset || !mask)
    return diag("operands must be ranked tensors");
  if (input.getRank() != 4)
    return diag("input must be [N, C, H, W], got ", input);
  if (!filter.hasStaticShape())
    return diag("filter must have a static shape, got ", filter);
  SmallVector<Type> conv;
  if (failed(inferConv(diag, input.getShape(), filter.getShape(),
                       input.getElementType(), adaptor.getBias(),
                       adaptor.getStrides(), adaptor.getPads(),
                       adaptor.getDilations(), adaptor.getGroups(), conv)))
    return failure();
  auto out = cast<RankedTensorType>(conv[0]);
  int64_t groups = adaptor.getOffsetGroups();
  if (groups < 1)
    return diag("offset_groups must be >= 1, got ", groups);
  int64_t channels = input.getDimSize(1);
  if (!ShapedType::isDynamic(channels) && channels % groups != 0)
    return diag("offset_groups (", groups,
                ") does not divide the input channel count ", channels);
  int64_t taps = groups * filter.getDimSize(2) * filter.getDimSize(3);
  auto expect = [&](RankedTensorType t, StringRef what,
                    int64_t perTap) -> LogicalResult {
    SmallVector<int64_t> want = {out.getDimSize(0), taps * perTap,
                                 out.getDimSize(2), out.getDimSize(3)};
    if (t.getRank() != 4 ||
        llvm::any_of(llvm::zip(want, t.getShape()), [](auto dims) {
          return dimsConflict(std::get<0>(dims), std::get<1>(dims));
        }))
      return diag(what, " must be ", formatShape(want), ", got ",
                  formatShape(t.getShape()));
    return success();
  };
  if (failed(expect(offset, "offset", 2)) || failed(expect(mask, "mask", 1)))
    return failure();
  types.push_back(out);
  return success();
}
