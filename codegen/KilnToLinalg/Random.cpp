//===- Random.cpp - kiln.dropout -> linalg ---------------------------------===//
//
// kiln.dropout with a step becomes one linalg.generic over the input that
// computes each element's Philox 4x32-10 draw from its linear index, the
// step and the key (the run-time `key` operand, or the `seed` attribute as a
// constant, which folds) (the
// steps of ir/Philox.h, as arith ops on i32 with arith.mului_extended for
// the 32x32 -> 64-bit products), and writes the output and the mask. The
// draw is recomputed wherever it is needed, nothing random is stored. A
// dropout without a step is the identity with an all-true mask.
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"
#include "ir/Philox.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {

/// Philox 4x32-10 of counter `c` under the key (i32 values), as arith ops.
static Value philoxFirstWord(OpBuilder &b, Location loc,
                             std::array<Value, 4> c, Value key0, Value key1) {
  Type i32 = b.getI32Type();
  auto constant = [&](uint32_t v) -> Value {
    return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(i32, int32_t(v)));
  };
  Value m0 = constant(philox::kM0), m1 = constant(philox::kM1);
  Value w0 = constant(philox::kW0), w1 = constant(philox::kW1);
  for (int round = 0; round < philox::kRounds; ++round) {
    if (round > 0) {
      key0 = b.create<arith::AddIOp>(loc, key0, w0);
      key1 = b.create<arith::AddIOp>(loc, key1, w1);
    }
    auto p0 = b.create<arith::MulUIExtendedOp>(loc, m0, c[0]);
    auto p1 = b.create<arith::MulUIExtendedOp>(loc, m1, c[2]);
    // One op per statement: the order of a call's arguments is unspecified.
    Value h1 = b.create<arith::XOrIOp>(loc, p1.getHigh(), c[1]);
    Value x0 = b.create<arith::XOrIOp>(loc, h1, key0);
    Value h0 = b.create<arith::XOrIOp>(loc, p0.getHigh(), c[3]);
    Value x2 = b.create<arith::XOrIOp>(loc, h0, key1);
    c = {x0, p1.getLow(), x2, p0.getLow()};
  }
  return c[0];
}

/// The low and high i32 words of an i64 value.
static std::pair<Value, Value> splitWords(OpBuilder &b, Location loc, Value v) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  return {b.create<arith::TruncIOp>(loc, i32, v),
          b.create<arith::TruncIOp>(
              loc, i32,
              b.create<arith::ShRUIOp>(loc, v, createScalar(b, loc, i64, 32)))};
}

struct DropoutToLinalg : OpConversionPattern<DropoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto type = cast<RankedTensorType>(op.getOutput().getType());
    auto maskType = cast<RankedTensorType>(op.getMask().getType());
    if (!adaptor.getStep()) {
      Value ones = rewriter.create<arith::ConstantOp>(
          loc, DenseElementsAttr::get(maskType, true));
      rewriter.replaceOp(op, SmallVector<Value>{adaptor.getInput(), ones});
      return success();
    }
    int64_t rank = type.getRank();
    ArrayRef<int64_t> shape = type.getShape();
    double ratio = op.getRatio().convertToDouble();
    uint64_t threshold = philox::keepThreshold(ratio);
    auto seed = static_cast<uint64_t>(op.getSeed());
    auto stream = static_cast<uint32_t>(op.getStream());
    // Inputs: the tensor, the step and (a run-time seed) the key, the last
    // two rank-0.
    SmallVector<Value> inputs = {adaptor.getInput(), adaptor.getStep()};
    if (adaptor.getKey())
      inputs.push_back(adaptor.getKey());
    SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx)};
    maps.append(inputs.size() - 1, AffineMap::get(rank, 0, {}, ctx));
    maps.append(2, AffineMap::getMultiDimIdentityMap(rank, ctx));
    Type et = type.getElementType();
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{type, maskType}, inputs,
        ValueRange{createEmpty(rewriter, loc, shape, et),
                   createEmpty(rewriter, loc, shape, rewriter.getI1Type())},
        maps, getParallelIterators(rank),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Type i32 = b.getI32Type(), i64 = b.getI64Type();
          // The row-major linear index of the element.
          Value index = b.create<arith::ConstantIndexOp>(l, 0);
          for (int64_t d = 0; d < rank; ++d) {
            Value size = b.create<arith::ConstantIndexOp>(l, shape[d]);
            Value scaled = b.create<arith::MulIOp>(l, index, size);
            Value position = b.create<linalg::IndexOp>(l, d);
            index = b.create<arith::AddIOp>(l, scaled, position);
          }
          Value i = b.create<arith::IndexCastUIOp>(l, i32, index);
          auto [stepLo, stepHi] = splitWords(b, l, args[1]);
          Value streamWord = b.create<arith::ConstantOp>(
              l, b.getIntegerAttr(i32, int32_t(stream)));
          Value key = inputs.size() > 2
                          ? args[2]
                          : b.create<arith::ConstantOp>(
                                l, b.getIntegerAttr(i64, int64_t(seed)));
          auto [key0, key1] = splitWords(b, l, key);
          Value r0 = philoxFirstWord(b, l, {i, streamWord, stepLo, stepHi},
                                     key0, key1);
          Value wide = b.create<arith::ExtUIOp>(l, i64, r0);
          Value keep = b.create<arith::CmpIOp>(
              l, arith::CmpIPredicate::uge, wide,
              b.create<arith::ConstantOp>(
                  l, b.getIntegerAttr(i64, int64_t(threshold))));
          Value scaleValue =
              createScalar(b, l, et, ratio < 1 ? 1.0 / (1.0 - ratio) : 0.0);
          Value scaled = b.create<arith::MulFOp>(l, args[0], scaleValue);
          Value zero = createScalar(b, l, et, 0.0);
          Value y = b.create<arith::SelectOp>(l, keep, scaled, zero);
          b.create<linalg::YieldOp>(l, ValueRange{y, keep});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void mlir::kiln::populateRandomPatterns(RewritePatternSet &patterns,
                                        ConversionTarget &target) {
  patterns.add<DropoutToLinalg>(patterns.getContext());
  target.addIllegalOp<DropoutOp>();
}
