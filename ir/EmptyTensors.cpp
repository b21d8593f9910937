//===- EmptyTensors.cpp - Tensors with a zero-length dim carry no data ----===//
//
// The dialect's canonicalization patterns for zero-element tensors (legal in
// ONNX: a 4x0 input, a Reshape to 0x3, a Split piece of size 0).
//
// Code generation never sees such a tensor inside a computation: every op
// result with no elements becomes an empty kiln.constant, and every op that
// reads one but still produces elements (a concat, a matmul whose K is 0, a
// reduction over an empty axis, padding of an empty input) is replaced by
// what it computes without it. What remains are the function's arguments
// and results, which the entry point gives 0-byte buffers. That both makes
// the work a no-op, as it is, and keeps memrefs with a zero-length inner dim
// (which MLIR's strided-layout machinery cannot describe) out of the
// pipeline.
//
//===----------------------------------------------------------------------===//

#include "ir/ElementValues.h"
#include "ir/KilnDialect.h"
#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "mlir/IR/PatternMatch.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;

namespace {

bool isEmpty(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() && tensor.getNumElements() == 0;
}

bool isEmpty(Value value) { return isEmpty(value.getType()); }

/// A constant of `type` with every element `value`, converted as attributes
/// are (ir/ElementValues.h).
Value splat(PatternRewriter &rewriter, Location loc, RankedTensorType type,
            double value) {
  Type element = type.getElementType();
  Attribute scalar;
  if (auto ft = dyn_cast<FloatType>(element))
    scalar = FloatAttr::get(ft, getFloatElement(ft, value));
  else
    scalar = IntegerAttr::get(
        element, getIntElement(cast<IntegerType>(element), value));
  return rewriter.create<ConstantOp>(loc, DenseElementsAttr::get(type, scalar));
}

/// The most negative (`lowest`) or most positive value of an element type:
/// -inf/+inf for floats, the integer limits otherwise. The identity of max
/// (min) over an empty set, as ONNX's ReduceMax (ReduceMin) defines it.
Value extremeSplat(PatternRewriter &rewriter, Location loc,
                   RankedTensorType type, bool lowest) {
  Type element = type.getElementType();
  if (auto ft = dyn_cast<FloatType>(element))
    return rewriter.create<ConstantOp>(
        loc, DenseElementsAttr::get(
                 type, rewriter.getFloatAttr(
                           ft, APFloat::getInf(ft.getFloatSemantics(), lowest))));
  unsigned width = element.getIntOrFloatBitWidth();
  // uiN order unsigned: 0 and 2^N - 1 (bools as 0 < 1).
  bool isUnsigned = width == 1 || element.isUnsignedInteger();
  APInt extreme = isUnsigned ? (lowest ? APInt::getMinValue(width)
                                       : APInt::getMaxValue(width))
                  : lowest   ? APInt::getSignedMinValue(width)
                             : APInt::getSignedMaxValue(width);
  return rewriter.create<ConstantOp>(
      loc, DenseElementsAttr::get(type, rewriter.getIntegerAttr(element, extreme)));
}

/// Every result without elements becomes an empty constant, so the op that
/// produced it dies (all kiln ops are pure).
struct EmptyResultsToConstants : RewritePattern {
  EmptyResultsToConstants(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/2, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<KilnDialect>(op->getDialect()) || isa<ConstantOp>(op))
      return failure();
    bool changed = false;
    for (Value result : op->getResults()) {
      if (!isEmpty(result) || result.use_empty())
        continue;
      auto type = cast<RankedTensorType>(result.getType());
      Value empty = rewriter.create<ConstantOp>(
          op->getLoc(), DenseElementsAttr::get(type, ArrayRef<Attribute>()));
      rewriter.replaceAllUsesWith(result, empty);
      changed = true;
    }
    return success(changed);
  }
};

/// Ops that read a tensor without elements and still produce elements.
struct EmptyOperandsToValues : RewritePattern {
  EmptyOperandsToValues(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<KilnDialect>(op->getDialect()) || op->getNumResults() != 1 ||
        isEmpty(op->getResult(0)) ||
        llvm::none_of(op->getOperands(), [](Value v) { return isEmpty(v); }))
      return failure();
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return failure();
    Location loc = op->getLoc();
    Value replacement;
    if (auto concat = dyn_cast<ConcatOp>(op)) {
      SmallVector<Value> kept;
      for (Value input : concat.getInputs())
        if (!isEmpty(input))
          kept.push_back(input);
      replacement = kept.size() == 1
                        ? kept.front()
                        : rewriter.create<ConcatOp>(loc, type, kept,
                                                    concat.getAxisAttr());
    } else if (isa<MatmulOp>(op)) {
      // [.., M, 0] x [.., 0, N]: every sum is empty.
      replacement = splat(rewriter, loc, type, 0.0);
    } else if (auto conv = dyn_cast<ConvOp>(op)) {
      // No input channels: every output is the bias (or 0).
      replacement = splat(rewriter, loc, type, 0.0);
      if (Value bias = conv.getBias()) {
        SmallVector<int64_t> shape(type.getRank(), 1);
        shape[1] = type.getDimSize(1);
        Value column = rewriter.create<ReshapeOp>(
            loc, RankedTensorType::get(shape, type.getElementType()), bias,
            rewriter.getDenseI64ArrayAttr(shape));
        replacement = rewriter.create<AddOp>(loc, type, replacement, column);
      }
    } else if (isa<ReduceSumOp>(op)) {
      replacement = splat(rewriter, loc, type, 0.0);
    } else if (isa<ReduceProdOp>(op)) {
      replacement = splat(rewriter, loc, type, 1.0);
    } else if (isa<ReduceMeanOp, GlobalAvgPoolOp>(op)) {
      // 0 / 0, as onnxruntime and NumPy give.
      replacement = splat(rewriter, loc, type,
                          std::numeric_limits<double>::quiet_NaN());
    } else if (isa<ReduceMaxOp, GlobalMaxPoolOp>(op)) {
      replacement = extremeSplat(rewriter, loc, type, /*lowest=*/true);
    } else if (isa<ReduceMinOp>(op)) {
      replacement = extremeSplat(rewriter, loc, type, /*lowest=*/false);
    } else if (auto pad = dyn_cast<PadOp>(op)) {
      // Only constant padding accepts an empty input (the verifier).
      replacement = splat(rewriter, loc, type, pad.getValue().convertToDouble());
    } else {
      return failure();
    }
    rewriter.replaceOp(op, replacement);
    return success();
  }
};

} // namespace

void KilnDialect::getCanonicalizationPatterns(RewritePatternSet &results) const {
  results.add<EmptyResultsToConstants, EmptyOperandsToValues>(getContext());
}
