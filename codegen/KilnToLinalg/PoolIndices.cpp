//===- PoolIndices.cpp - max_pool_indices and max_unpool -> linalg/scf ----===//
//
//   max_pool_indices -> one linalg.generic over (n, c, o..., k...) whose
//                       reduction over the kernel dims keeps the best value
//                       and its flattened input position, replaced only by a
//                       strictly greater value (so the first maximum in
//                       row-major kernel order wins) and never by padding.
//                       The input is read with tensor.extract at clamped
//                       coordinates, so it needs no padded copy.
//   max_unpool       -> an scf.for over the input's elements writing each
//                       into a zero tensor at its index (tensor.insert; a
//                       position outside the result rewrites the element at 0
//                       with itself). A loop because the indices are run-time
//                       data: linalg cannot scatter, and tensor.scatter has
//                       no lowering in MLIR 19.
// 1-D pooling runs as 2-D with H = 1, which leaves every flattened position
// as it is.
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/KilnToLinalg/ScalarBuilder.h"
#include "codegen/KilnToLinalg/Utils.h"
#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::lowering;

namespace {

/// `x > y` for kiln element type `type` (unsigned compares for uiN).
Value greaterThan(OpBuilder &b, Location loc, Type type, Value x, Value y) {
  ScalarBuilder s(b, loc);
  if (isa<FloatType>(type))
    return s.cmpf(ComparePredicate::gt, x, y);
  if (type.isUnsignedInteger())
    return s.cmpui(ComparePredicate::gt, x, y);
  return s.cmpsi(ComparePredicate::gt, x, y);
}

struct MaxPoolIndicesToLinalg : OpConversionPattern<MaxPoolIndicesOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type elementType = inputType.getElementType();
    Type i64 = rewriter.getI64Type();
    SmallVector<int64_t> in(inputType.getShape()), out(op.getType().getShape());
    SmallVector<int64_t> kernel(op.getKernelShape()), strides(op.getStrides()),
        dilations(op.getDilations());
    SmallVector<int64_t> padBegin(op.getPads().take_front(kernel.size()));
    if (kernel.size() == 1) {
      in.insert(in.begin() + 2, 1);
      out.insert(out.begin() + 2, 1);
      for (SmallVector<int64_t> *v : {&kernel, &strides, &dilations})
        v->insert(v->begin(), 1);
      padBegin.insert(padBegin.begin(), 0);
    }
    int64_t spatial = kernel.size(), parallel = 2 + spatial;
    int64_t loops = parallel + spatial;
    Value input = reshapeTo(rewriter, loc, adaptor.getInput(), in);
    bool columnMajor = op.getColumnMajor();

    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> kernelDims, outDims;
    for (int64_t i = 0; i < spatial; ++i)
      kernelDims.push_back(d(parallel + i));
    for (int64_t i = 0; i < parallel; ++i)
      outDims.push_back(d(i));
    SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, kernelDims, ctx),
                                   AffineMap::get(loops, 0, outDims, ctx),
                                   AffineMap::get(loops, 0, outDims, ctx)};
    // The kernel dims' extents come from a window operand (as for
    // linalg.pooling_*): nothing else the generic reads has them.
    Value window = createEmpty(rewriter, loc, kernel, elementType);
    SmallVector<utils::IteratorType> iterators = getParallelIterators(parallel);
    iterators.append(spatial, utils::IteratorType::reduction);
    Value bestInit = createFilled(rewriter, loc, out, getLowestAttr(elementType));
    Value indexInit = createFilled(rewriter, loc, out, rewriter.getI64IntegerAttr(-1));
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{bestInit.getType(), indexInit.getType()}, ValueRange{window},
        ValueRange{bestInit, indexInit}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto index = [&](int64_t v) -> Value {
            return b.create<arith::ConstantIndexOp>(l, v);
          };
          Value n = b.create<linalg::IndexOp>(l, 0);
          Value c = b.create<linalg::IndexOp>(l, 1);
          SmallVector<Value> at = {n, c}, positions;
          Value valid;
          for (int64_t i = 0; i < spatial; ++i) {
            // The input coordinate o * stride + k * dilation - pad; outside
            // [0, size) it is padding. (One op per statement: the order of a
            // call's arguments, and so of the ops, differs between compilers.)
            Value o = b.create<linalg::IndexOp>(l, 2 + i);
            Value start = b.create<arith::MulIOp>(l, o, index(strides[i]));
            Value k = b.create<linalg::IndexOp>(l, parallel + i);
            Value offset = b.create<arith::MulIOp>(l, k, index(dilations[i]));
            Value reach = b.create<arith::AddIOp>(l, start, offset);
            Value pos = b.create<arith::SubIOp>(l, reach, index(padBegin[i]));
            Value fromStart =
                b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sge, pos, index(0));
            Value beforeEnd =
                b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, pos, index(in[2 + i]));
            Value inside = b.create<arith::AndIOp>(l, fromStart, beforeEnd);
            valid = valid ? b.create<arith::AndIOp>(l, valid, inside).getResult() : inside;
            positions.push_back(pos);
            at.push_back(b.create<arith::SelectOp>(l, inside, pos, index(0)));
          }
          Value x = b.create<tensor::ExtractOp>(l, input, at);
          // The flattened position: (n, c) row-major, then the spatial dims
          // row-major, or in reverse order for column_major.
          Value flat = b.create<arith::MulIOp>(l, n, index(in[1]));
          flat = b.create<arith::AddIOp>(l, flat, c);
          Value spatialFlat = index(0);
          for (int64_t j = 0; j < spatial; ++j) {
            int64_t i = columnMajor ? spatial - 1 - j : j;
            Value scaled = b.create<arith::MulIOp>(l, spatialFlat, index(in[2 + i]));
            spatialFlat = b.create<arith::AddIOp>(l, scaled, positions[i]);
          }
          Value base = b.create<arith::MulIOp>(
              l, flat, index(numElements(ArrayRef<int64_t>(in).drop_front(2))));
          flat = b.create<arith::AddIOp>(l, base, spatialFlat);
          flat = b.create<arith::IndexCastOp>(l, i64, flat);
          // args: the window's element (unused), the best, its position.
          Value none = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, args[2],
                                               createScalar(b, l, i64, 0));
          Value greater = greaterThan(b, l, elementType, x, args[1]);
          Value better = b.create<arith::OrIOp>(l, none, greater);
          Value take = b.create<arith::AndIOp>(l, valid, better);
          ScalarBuilder s(b, l);
          Value best = s.select(take, x, args[1]);
          Value position = b.create<arith::SelectOp>(l, take, flat, args[2]);
          b.create<linalg::YieldOp>(l, ValueRange{best, position});
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, generic.getResult(1),
                                     op.getType().getShape()));
    return success();
  }
};

struct MaxUnpoolToLoop : OpConversionPattern<MaxUnpoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxUnpoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    int64_t size = numElements(type.getShape());
    int64_t count = numElements(
        cast<RankedTensorType>(adaptor.getInput().getType()).getShape());
    Value zeros = createFilled(rewriter, loc, {size},
                               cast<TypedAttr>(rewriter.getZeroAttr(elementType)));
    // With no element to write to, every index is out of range.
    if (size == 0 || count == 0) {
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, zeros, type.getShape()));
      return success();
    }
    Value input = reshapeTo(rewriter, loc, adaptor.getInput(), {count});
    Value indices = reshapeTo(rewriter, loc, adaptor.getIndices(), {count});
    Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
    Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    Value end = rewriter.create<arith::ConstantIndexOp>(loc, count);
    auto loop = rewriter.create<scf::ForOp>(
        loc, zero, end, one, ValueRange{zeros},
        [&](OpBuilder &b, Location l, Value k, ValueRange carried) {
          Value acc = carried[0];
          Type i64 = b.getI64Type();
          Value i = b.create<tensor::ExtractOp>(l, indices, k);
          Value fromStart = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sge, i,
                                                    createScalar(b, l, i64, 0));
          Value beforeEnd = b.create<arith::CmpIOp>(
              l, arith::CmpIPredicate::slt, i,
              createScalar(b, l, i64, static_cast<double>(size)));
          Value inRange = b.create<arith::AndIOp>(l, fromStart, beforeEnd);
          Value clamped = b.create<arith::SelectOp>(l, inRange, i,
                                                    createScalar(b, l, i64, 0));
          Value at = b.create<arith::IndexCastOp>(l, b.getIndexType(), clamped);
          Value x = b.create<tensor::ExtractOp>(l, input, k);
          Value old = b.create<tensor::ExtractOp>(l, acc, at);
          ScalarBuilder s(b, l);
          Value written = s.select(inRange, x, old);
          b.create<scf::YieldOp>(
              l, b.create<tensor::InsertOp>(l, written, acc, at).getResult());
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, loop.getResult(0), type.getShape()));
    return success();
  }
};

} // namespace

void mlir::kiln::populatePoolIndicesPatterns(RewritePatternSet &patterns,
                                             ConversionTarget &target) {
  patterns.add<MaxPoolIndicesToLinalg, MaxUnpoolToLoop>(patterns.getContext());
  target.addIllegalOp<MaxPoolIndicesOp, MaxUnpoolOp>();
}
