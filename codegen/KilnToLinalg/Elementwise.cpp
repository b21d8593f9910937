//===- Elementwise.cpp - kiln elementwise ops -> linalg.generic -----------===//
//
// Every elementwise kiln op becomes the same thing: one linalg.generic over
// the result shape whose operands are read through NumPy broadcasting maps.
// Only the scalar body differs, and that is the op's row of the elementwise
// table (ir/ElementwiseSemantics.h) emitted through ScalarBuilder: the same
// semantics the folders evaluate. The table also marks the ops illegal.
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/ScalarBuilder.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/ElementwiseSemantics.h"
#include "ir/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

using ElementwiseLowering = ElementwiseSemantics<ScalarBuilder>;

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

namespace {

/// Any table op -> one broadcasting linalg.generic whose body is its row.
struct ElementwiseToGeneric : ConversionPattern {
  ElementwiseToGeneric(const ElementwiseLowering &lowering, MLIRContext *ctx)
      : ConversionPattern(lowering.opName, /*benefit=*/1, ctx),
        lowering(lowering) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (!resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic result shape");
    if (!lowering.appliesTo(getElementTypeOrSelf(operands.back())))
      return rewriter.notifyMatchFailure(op, "element type not in the table");
    MLIRContext *ctx = op->getContext();
    ArrayRef<int64_t> shape = resultType.getShape();
    SmallVector<AffineMap> maps;
    for (Value v : operands)
      maps.push_back(getBroadcastMap(
          ctx, cast<RankedTensorType>(v.getType()).getShape(), shape));
    maps.push_back(AffineMap::getMultiDimIdentityMap(shape.size(), ctx));

    Location loc = op->getLoc();
    Type resultElement = resultType.getElementType();
    Value init = createEmpty(rewriter, loc, shape, resultElement);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, resultType, operands, init, maps,
        getParallelIterators(shape.size()),
        [&](OpBuilder &b, Location nloc, ValueRange blockArgs) {
          ScalarBuilder scalars(b, nloc);
          SmallVector<Value> args(blockArgs.drop_back());
          b.create<linalg::YieldOp>(
              nloc, applyElementwise(lowering, scalars, op, args, resultElement));
        });
    // A recomputed copy stays apart from the forward op it copies: CSE
    // would merge them back. The mark on its tensor.empty keeps every later
    // form apart too (the loop nests tiling makes of the two ops differ in
    // their init), after vectorization has replaced the generic itself.
    if (op->hasAttr(kRecomputedAttr)) {
      generic->setAttr(kRecomputedAttr, rewriter.getUnitAttr());
      init.getDefiningOp()->setAttr(kRecomputedAttr, rewriter.getUnitAttr());
    }
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }

  ElementwiseLowering lowering;
};

/// kiln.constant -> arith.constant of the same attribute.
struct ConstantToArith : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = cast<TypedAttr>(op.getValue());
    if (value.getType() != op.getType())
      return rewriter.notifyMatchFailure(op, "value type differs from result");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

} // namespace

void mlir::kiln::populateElementwisePatterns(RewritePatternSet &patterns,
                                             ConversionTarget &target) {
  MLIRContext *ctx = patterns.getContext();
  for (const ElementwiseLowering &lowering :
       kElementwiseSemantics<ScalarBuilder>) {
    patterns.add<ElementwiseToGeneric>(lowering, ctx);
    target.addIllegalOp(OperationName(lowering.opName, ctx));
  }
  patterns.add<ConstantToArith>(ctx);
  target.addIllegalOp<ConstantOp>();
}
