//===- DataMovement.cpp - reshape, transpose, concat, slice, gather, ... --===//

#include "ir/KilnOps.h"
#include "ir/Shapes.h"
#include "ir/ops/Folding.h"
#include "ir/ops/OpUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

static bool isPermutation(ArrayRef<int64_t> perm) {
  return areValidAxes(perm, static_cast<int64_t>(perm.size()));
}

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  ArrayRef<int64_t> shape = adaptor.getShape();
  int64_t inferredAt = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == -1) {
      if (inferredAt >= 0)
        return diag("shape ", formatShape(shape), " has more than one -1");
      inferredAt = static_cast<int64_t>(i);
    } else if (d < 0) {
      return diag("shape entries must be >= 0 or -1, got ", d);
    } else {
      known *= d;
    }
  }
  SmallVector<int64_t> out(shape);
  int64_t count = numElements(input.getShape());
  if (inferredAt >= 0) {
    if (ShapedType::isDynamic(count)) {
      out[inferredAt] = ShapedType::kDynamic;
    } else if (known == 0 || count % known != 0) {
      return diag("cannot infer the -1 in ", formatShape(shape), ": ", count,
                  " elements are not a multiple of ", known);
    } else {
      out[inferredAt] = count / known;
    }
  } else if (!ShapedType::isDynamic(count) && count != known) {
    return diag("input ", formatShape(input.getShape()), " has ", count,
                " elements but shape ", formatShape(shape), " has ", known);
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

/// True if reshaping `input` with `shape` provably keeps its shape: every
/// entry is the -1 (which then takes the one remaining dim) or equals the
/// static input dim. Equal types alone do not prove it: tensor<?x?xf32> with
/// shape [2, -1] may turn 4x3 into 2x6.
static bool reshapeKeepsShape(ArrayRef<int64_t> input,
                              ArrayRef<int64_t> shape) {
  if (input.size() != shape.size())
    return false;
  for (auto [in, s] : llvm::zip(input, shape))
    if (s != -1 && (ShapedType::isDynamic(in) || in != s))
      return false;
  return true;
}

OpFoldResult ReshapeOp::fold(FoldAdaptor a) {
  if (getInput().getType() == getType() &&
      reshapeKeepsShape(getInput().getType().getShape(), getShape()))
    return getInput();
  return fold::reshape(a.getInput(), getType());
}

namespace {
/// reshape(reshape(x)) -> reshape(x): only the last shape matters.
struct MergeReshapes : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a reshape");
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), inner.getInput(),
                                           op.getShapeAttr());
    return success();
  }
};

/// The static result shape as a reshape `shape` attribute, with -1 for the
/// one dynamic dim, or failure if there are several.
FailureOr<SmallVector<int64_t>> shapeAttrFor(RankedTensorType type) {
  SmallVector<int64_t> shape(type.getShape());
  if (llvm::count_if(shape, ShapedType::isDynamic) > 1)
    return failure();
  for (int64_t &d : shape)
    if (ShapedType::isDynamic(d))
      d = -1;
  return shape;
}

/// flatten/squeeze/unsqueeze are reshapes with a friendlier interface;
/// canonical IR has only kiln.reshape.
template <typename OpTy>
struct ToReshape : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    FailureOr<SmallVector<int64_t>> shape = shapeAttrFor(op.getType());
    if (failed(shape))
      return rewriter.notifyMatchFailure(op, "more than one dynamic dim");
    rewriter.replaceOpWithNewOp<ReshapeOp>(
        op, op.getType(), op.getInput(),
        rewriter.getDenseI64ArrayAttr(*shape));
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<MergeReshapes>(context);
}

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (static_cast<int64_t>(perm.size()) != input.getRank())
    return diag("perm has ", perm.size(), " entries but the input has rank ",
                input.getRank());
  if (!isPermutation(perm))
    return diag("perm ", formatShape(perm), " is not a permutation of [0, ",
                input.getRank(), ")");
  SmallVector<int64_t> out;
  for (int64_t p : perm)
    out.push_back(input.getDimSize(p));
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor a) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = llvm::all_of(llvm::enumerate(perm), [](auto it) {
    return static_cast<int64_t>(it.index()) == it.value();
  });
  if (identity && getInput().getType() == getType())
    return getInput();
  return fold::transpose(a.getInput(), perm, getType());
}

namespace {
/// transpose(transpose(x, p1), p2) -> transpose(x, p1 o p2).
struct MergeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    SmallVector<int64_t> perm;
    for (int64_t p : op.getPerm())
      perm.push_back(inner.getPerm()[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, op.getType(), inner.getInput(), rewriter.getDenseI64ArrayAttr(perm));
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<MergeTransposes>(context);
}

//===----------------------------------------------------------------------===//
// concat, split
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return diag("needs at least one input");
  RankedTensorType first = getRanked(inputs[0]);
  if (!first)
    return diag("inputs must be ranked tensors");
  int64_t rank = first.getRank(), axis = adaptor.getAxis();
  if (axis < 0 || axis >= rank)
    return diag("axis ", axis, " is out of range [0, ", rank, ")");
  SmallVector<int64_t> out(first.getShape());
  out[axis] = 0;
  for (auto [i, v] : llvm::enumerate(inputs)) {
    RankedTensorType t = getRanked(v);
    if (!t || t.getRank() != rank)
      return diag("input ", i, " has rank ",
                  t ? t.getRank() : -1, ", expected ", rank);
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = t.getDimSize(d);
      if (d == axis) {
        out[d] = ShapedType::isDynamic(out[d]) || ShapedType::isDynamic(size)
                     ? ShapedType::kDynamic
                     : out[d] + size;
      } else if (ShapedType::isDynamic(out[d])) {
        out[d] = size;
      } else if (!ShapedType::isDynamic(size) && size != out[d]) {
        return diag("input ", i, " ", formatShape(t.getShape()),
                    " differs from input 0 ", formatShape(first.getShape()),
                    " at dim ", d, ", which is not the concat axis");
      }
    }
  }
  types.push_back(RankedTensorType::get(out, first.getElementType()));
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor a) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  return fold::concat(a.getInputs(), getAxis(), getType());
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank())
    return diag("axis ", axis, " is out of range [0, ", input.getRank(), ")");
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  if (sizes.empty())
    return diag("sizes must not be empty");
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return diag("sizes must be >= 0, got ", s);
    total += s;
  }
  int64_t dim = input.getDimSize(axis);
  if (!ShapedType::isDynamic(dim) && total != dim)
    return diag("sizes ", formatShape(sizes), " sum to ", total,
                " but dim ", axis, " has size ", dim);
  for (int64_t s : sizes) {
    SmallVector<int64_t> out(input.getShape());
    out[axis] = s;
    types.push_back(RankedTensorType::get(out, input.getElementType()));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  ArrayRef<int64_t> starts = adaptor.getStarts(), ends = adaptor.getEnds(),
                    steps = adaptor.getSteps();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(starts.size()) != rank ||
      static_cast<int64_t>(ends.size()) != rank ||
      static_cast<int64_t>(steps.size()) != rank)
    return diag("starts, ends and steps need one entry per dim (", rank,
                "), got ", starts.size(), ", ", ends.size(), " and ",
                steps.size());
  SmallVector<int64_t> out;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = input.getDimSize(d);
    int64_t start = starts[d], end = ends[d], step = steps[d];
    if (step == 0)
      return diag("steps must not be 0 (dim ", d, ")");
    bool dyn = ShapedType::isDynamic(size);
    // A non-empty slice must read only elements of the dim; an empty one
    // (start == end) may sit at either end.
    bool ok = step > 0
                  ? (start >= 0 && start <= end && (dyn || end <= size))
                  : (end >= -1 && end <= start &&
                     (dyn || start < size || (start == end && start <= size)));
    if (!ok) {
      std::string sizeStr = dyn ? std::string("?") : std::to_string(size);
      return diag("dim ", d, " of size ", sizeStr, ": start ", start, ", end ",
                  end, ", step ", step, " are not normalized (a ",
                  step > 0 ? "positive step needs 0 <= start <= end <= "
                           : "negative step needs -1 <= end <= start < ",
                  sizeStr, ")");
    }
    out.push_back(sliceSize(start, end, step));
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor a) {
  // The whole tensor: every dim from 0 to its (static) size by 1. With a
  // dynamic dim, `end` may be less than the size even if the types agree.
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  bool whole = getInput().getType() == getType();
  for (auto [size, start, end, step] :
       llvm::zip(shape, getStarts(), getEnds(), getSteps()))
    whole &= !ShapedType::isDynamic(size) && start == 0 && end == size &&
             step == 1;
  if (whole)
    return getInput();
  return fold::slice(a.getInput(), getStarts(), getSteps(), getType());
}

//===----------------------------------------------------------------------===//
// gather, expand, pad
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType data = getRanked(adaptor.getData());
  RankedTensorType indices = getRanked(adaptor.getIndices());
  if (!data || !indices)
    return diag("operands must be ranked tensors");
  int64_t axis = adaptor.getAxis();
  if (data.getRank() < 1 || axis < 0 || axis >= data.getRank())
    return diag("axis ", axis, " is out of range [0, ", data.getRank(), ")");
  SmallVector<int64_t> out(data.getShape().take_front(axis));
  llvm::append_range(out, indices.getShape());
  llvm::append_range(out, data.getShape().drop_front(axis + 1));
  int64_t count = numElements(out);
  if (data.getDimSize(axis) == 0 && count > 0)
    return diag("gathers from dim ", axis,
                " of size 0, where no index is in range");
  types.push_back(RankedTensorType::get(out, data.getElementType()));
  return success();
}

OpFoldResult GatherOp::fold(FoldAdaptor a) {
  return fold::gather(a.getData(), a.getIndices(), getAxis(), getType());
}

LogicalResult ScatterAddOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType dest = getRanked(adaptor.getDest());
  RankedTensorType indices = getRanked(adaptor.getIndices());
  RankedTensorType updates = getRanked(adaptor.getUpdates());
  if (!dest || !indices || !updates)
    return diag("operands must be ranked tensors");
  int64_t axis = adaptor.getAxis();
  if (dest.getRank() < 1 || axis < 0 || axis >= dest.getRank())
    return diag("axis ", axis, " is out of range [0, ", dest.getRank(), ")");
  // updates has kiln.gather's output shape for (dest, indices).
  SmallVector<int64_t> expected(dest.getShape().take_front(axis));
  llvm::append_range(expected, indices.getShape());
  llvm::append_range(expected, dest.getShape().drop_front(axis + 1));
  auto expectedType = RankedTensorType::get(expected, dest.getElementType());
  if (!areRefinementCompatible(TypeRange{expectedType}, TypeRange{updates}))
    return diag("updates must have kiln.gather's output shape ",
                formatShape(expected), ", got ",
                formatShape(updates.getShape()));
  types.push_back(dest);
  return success();
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  ArrayRef<int64_t> shape = adaptor.getShape();
  for (int64_t d : shape)
    if (d < 0)
      return diag("shape entries must be >= 0, got ", d);
  std::optional<SmallVector<int64_t>> out =
      broadcastShapes({input.getShape(), shape});
  if (!out)
    return diag("input ", formatShape(input.getShape()),
                " does not broadcast with shape ", formatShape(shape));
  types.push_back(RankedTensorType::get(*out, input.getElementType()));
  return success();
}

OpFoldResult ExpandOp::fold(FoldAdaptor a) {
  // Equal types do not prove a no-op: tensor<?xf32> expanded to [4] may
  // stretch a size-1 dim.
  if (getInput().getType() == getType() &&
      isBroadcastNoOp(getShape(), getInput().getType().getShape()))
    return getInput();
  return fold::broadcast(a.getInput(), getType());
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  int64_t rank = input.getRank();
  // The fill value becomes an element: on integer tensors it must be one.
  double value = adaptor.getValue().convertToDouble();
  if (auto intType = dyn_cast<IntegerType>(input.getElementType()))
    if (!isExactInteger(value, intType))
      return diag("value ", value, " is not representable in the element type ",
                  intType);
  ArrayRef<int64_t> pads = adaptor.getPads();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return diag("pads has ", pads.size(), " entries, expected ", 2 * rank,
                " (all begins, then all ends)");
  SmallVector<int64_t> out;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = input.getDimSize(d);
    int64_t before = pads[d], after = pads[rank + d];
    if (before < 0 || after < 0)
      return diag("pads must be >= 0, got ", formatShape(pads));
    if (!ShapedType::isDynamic(size)) {
      if (adaptor.getMode() == PadMode::reflect &&
          (before >= size || after >= size) && (before || after))
        return diag("reflect padding of dim ", d, " needs pads < size ", size,
                    ", got ", before, " and ", after);
      if ((adaptor.getMode() == PadMode::edge ||
           adaptor.getMode() == PadMode::wrap) &&
          size == 0 && (before || after))
        return diag(stringifyPadMode(adaptor.getMode()), " padding of dim ", d,
                    " needs a non-empty dim, got size 0 and pads ", before,
                    " and ", after);
    }
    out.push_back(ShapedType::isDynamic(size) ? size : size + before + after);
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

OpFoldResult PadOp::fold(FoldAdaptor a) {
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; }) &&
      getInput().getType() == getType())
    return getInput();
  if (getMode() != PadMode::constant)
    return {};
  return fold::padConstant(a.getInput(), getPads(),
                           getValue().convertToDouble(), getType());
}

//===----------------------------------------------------------------------===//
// flatten, squeeze, unsqueeze
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis > input.getRank())
    return diag("axis ", axis, " is out of range [0, ", input.getRank(), "]");
  ArrayRef<int64_t> shape = input.getShape();
  types.push_back(RankedTensorType::get(
      {numElements(shape.take_front(axis)), numElements(shape.drop_front(axis))},
      input.getElementType()));
  return success();
}

void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ToReshape<FlattenOp>>(context);
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  ArrayRef<int64_t> axes = adaptor.getAxes();
  // ONNX reads no axes as "every size-1 dim"; kiln wants them listed, so an
  // empty list is an error rather than a silent no-op.
  if (axes.empty() || !areValidAxes(axes, input.getRank()))
    return diag("axes ", formatShape(axes),
                " must be non-empty, unique and in [0, ", input.getRank(), ")");
  SmallVector<int64_t> out;
  for (auto [i, d] : llvm::enumerate(input.getShape())) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i))) {
      out.push_back(d);
      continue;
    }
    if (!ShapedType::isDynamic(d) && d != 1)
      return diag("cannot squeeze dim ", i, " of size ", d);
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

void SqueezeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ToReshape<SqueezeOp>>(context);
}

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferDiag diag(loc, getOperationName());
  RankedTensorType input = getRanked(adaptor.getInput());
  if (!input)
    return diag("input must be a ranked tensor");
  ArrayRef<int64_t> axes = adaptor.getAxes();
  int64_t outRank = input.getRank() + static_cast<int64_t>(axes.size());
  if (axes.empty() || !areValidAxes(axes, outRank))
    return diag("axes ", formatShape(axes),
                " must be non-empty, unique and in [0, ", outRank, ")");
  SmallVector<int64_t> out;
  ArrayRef<int64_t> in = input.getShape();
  for (int64_t i = 0; i < outRank; ++i) {
    if (llvm::is_contained(axes, i)) {
      out.push_back(1);
    } else {
      out.push_back(in.front());
      in = in.drop_front();
    }
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

void UnsqueezeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<ToReshape<UnsqueezeOp>>(context);
}
