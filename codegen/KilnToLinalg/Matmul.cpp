//===- Matmul.cpp - kiln.matmul -> linalg.matmul / batch_matmul -----------===//
//
// The matmul stays a named linalg.matmul or linalg.batch_matmul (the CPU
// pipeline tiles and vectorizes exactly those), reshaped around:
//   [M,K] x [K,N]                   -> linalg.matmul
//   [B..,M,K] x [K,N] (or 1.. batch) -> collapse to [B*M,K], linalg.matmul,
//                                      expand (no copy of either operand)
//   equal batch dims                -> collapse them to one, batch_matmul
//   other broadcast batch dims      -> linalg.broadcast the operand(s) whose
//                                      batch dims differ, then batch_matmul
// f16/bf16 accumulate in f32 (the named ops widen their operands to the
// output type) and are rounded once at the end.
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {
struct MatmulToLinalg : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    Type accType = getComputeType(elementType);

    ArrayRef<int64_t> out = resultType.getShape();
    ArrayRef<int64_t> outBatch = out.drop_back(2);
    int64_t m = out[out.size() - 2], n = out.back();
    int64_t k = lhsType.getShape().back();
    int64_t batch = numElements(outBatch);
    ArrayRef<int64_t> rhsBatch = rhsType.getShape().drop_back(2);
    auto init = [&](ArrayRef<int64_t> shape) {
      return createFilled(rewriter, loc, shape,
                          cast<TypedAttr>(rewriter.getZeroAttr(accType)));
    };

    Value product;
    if (numElements(rhsBatch) == 1) {
      // rhs is one matrix: fold every batch dim of lhs into its rows.
      Value a = reshapeTo(rewriter, loc, lhs, {batch * m, k});
      Value b = reshapeTo(rewriter, loc, rhs, {k, n});
      product = rewriter
                    .create<linalg::MatmulOp>(loc, ValueRange{a, b},
                                              init({batch * m, n}))
                    .getResult(0);
    } else {
      // Broadcast operands whose batch dims differ from the result's (a
      // copy, but the matmul stays a batch_matmul), then collapse the batch
      // dims into one.
      auto withBatch = [&](Value v, int64_t rows, int64_t cols) {
        SmallVector<int64_t> shape(outBatch);
        shape.append({rows, cols});
        return reshapeTo(rewriter, loc, broadcastTo(rewriter, loc, v, shape),
                         {batch, rows, cols});
      };
      Value a = withBatch(lhs, m, k);
      Value b = withBatch(rhs, k, n);
      product = rewriter
                    .create<linalg::BatchMatmulOp>(loc, ValueRange{a, b},
                                                   init({batch, m, n}))
                    .getResult(0);
    }
    product = reshapeTo(rewriter, loc, product, out);
    rewriter.replaceOp(op, convertTensor(rewriter, loc, product, elementType));
    return success();
  }
};
} // namespace

void mlir::kiln::populateMatmulPatterns(RewritePatternSet &patterns,
                                        ConversionTarget &target) {
  patterns.add<MatmulToLinalg>(patterns.getContext());
  target.addIllegalOp<MatmulOp>();
}
