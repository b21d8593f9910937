//===- Contractions.cpp - Contractions as tiled GPU kernels ---------------===//

#include "codegen/GPU/Contractions.h"

#include "codegen/GPU/Kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Whether the contiguous dim of `operand` (stride 1) is one of `dims`.
bool isContiguousAlong(linalg::LinalgOp op, OpOperand &operand, ArrayRef<unsigned> dims) {
  auto type = cast<MemRefType>(operand.get().getType());
  int64_t offset;
  SmallVector<int64_t> strides;
  if (failed(getStridesAndOffset(type, strides, offset)))
    return false;
  AffineMap map = op.getMatchingIndexingMap(&operand);
  for (unsigned i = 0; i < strides.size(); ++i)
    if (strides[i] == 1 && type.getDimSize(i) > 1)
      return llvm::is_contained(dims, cast<AffineDimExpr>(map.getResult(i)).getPosition());
  return false;
}

/// `value` is block argument `index` of `body`, seen through an arith.extf.
bool isArgument(Value value, Block &body, unsigned index) {
  if (auto ext = value.getDefiningOp<arith::ExtFOp>())
    value = ext.getIn();
  return value == body.getArgument(index);
}

} // namespace

FailureOr<Contraction> mlir::kiln::matchContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return failure();
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.hasStaticShape() || !op.getMatchingIndexingMap(&operand).isProjectedPermutation())
      return failure();
  }
  Contraction c;
  c.op = op;
  c.dims = *dims;
  c.ranges = op.getStaticLoopRanges();
  if (llvm::any_of(c.ranges, ShapedType::isDynamic))
    return failure();
  auto product = [&](ArrayRef<unsigned> ds) {
    int64_t p = 1;
    for (unsigned d : ds)
      p *= c.ranges[d];
    return p;
  };
  c.m = product(c.dims.m);
  c.n = product(c.dims.n);
  c.k = product(c.dims.k);
  c.batch = product(c.dims.batch);
  if (c.m == 0 || c.n == 0 || c.batch == 0)
    return failure();
  c.fill = initializingFill(op, op.getDpsInits()[0]);
  return c;
}

int64_t mlir::kiln::elementBytes(Value memref) {
  return std::max<int64_t>(1, cast<MemRefType>(memref.getType()).getElementTypeBitWidth() / 8);
}

std::optional<MMAKind> mlir::kiln::mmaKind(Contraction c, bool allowTF32) {
  auto elementType = [&](Value v) { return cast<MemRefType>(v.getType()).getElementType(); };
  Type a = elementType(c.op.getDpsInputs()[0]), b = elementType(c.op.getDpsInputs()[1]);
  if (a != b || !elementType(c.op.getDpsInits()[0]).isF32())
    return std::nullopt;
  // The body must be exactly out + a * b (in either order), the operands
  // extended to f32: the instruction's products are exact and its sums f32.
  Block &body = *c.op.getBlock();
  auto add = body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return std::nullopt;
  Value product = add.getRhs();
  if (add.getLhs() != body.getArgument(2))
    product = add.getRhs() == body.getArgument(2) ? add.getLhs() : Value();
  auto mulf = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mulf || !((isArgument(mulf.getLhs(), body, 0) && isArgument(mulf.getRhs(), body, 1)) ||
                 (isArgument(mulf.getLhs(), body, 1) && isArgument(mulf.getRhs(), body, 0))))
    return std::nullopt;
  if (a.isF16())
    return MMAKind::F16;
  if (a.isBF16())
    return MMAKind::BF16;
  if (a.isF32() && allowTF32)
    return MMAKind::TF32;
  return std::nullopt;
}

gpu::LaunchOp ContractionKernelBuilder::createLaunch(int64_t gridX, int64_t gridY,
                                                     int64_t threadsX, int64_t threadsY,
                                                     TypeRange workgroup, StringRef name) {
  rewriter.setInsertionPoint(c.op);
  auto launch = rewriter.create<gpu::LaunchOp>(
      loc, constant(gridX), constant(gridY), constant(c.batch), constant(threadsX),
      constant(threadsY), constant(1),
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{}, workgroup);
  launch->setAttr("kiln.kernel_name", rewriter.getStringAttr(name));
  // Two blocks per multiprocessor: ptxas keeps a thread's registers to what
  // that leaves (128 at 256 threads), so that one block's loads overlap the
  // other's arithmetic.
  launch->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(), rewriter.getI32IntegerAttr(2));
  rewriter.setInsertionPointToEnd(&launch.getBody().front());
  rewriter.create<gpu::TerminatorOp>(loc);
  rewriter.setInsertionPointToStart(&launch.getBody().front());
  setIvs(c.dims.batch, launch.getBlockIds().z);
  return launch;
}

Value ContractionKernelBuilder::constant(int64_t v) {
  return rewriter.create<arith::ConstantIndexOp>(loc, v);
}
Value ContractionKernelBuilder::add(Value x, Value y) {
  return rewriter.create<arith::AddIOp>(loc, x, y);
}
Value ContractionKernelBuilder::mul(Value x, Value y) {
  return rewriter.create<arith::MulIOp>(loc, x, y);
}
Value ContractionKernelBuilder::lessThan(Value x, int64_t bound) {
  return rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, x, constant(bound));
}
Value ContractionKernelBuilder::clamp(Value x, int64_t bound) {
  return rewriter.create<arith::MinUIOp>(loc, x, constant(bound - 1));
}
Value ContractionKernelBuilder::both(Value x, Value y) {
  if (!x || !y)
    return x ? x : y;
  return rewriter.create<arith::AndIOp>(loc, x, y);
}

void ContractionKernelBuilder::setIvs(ArrayRef<unsigned> dims, Value linear) {
  delinearizeLoops(rewriter, loc, c.ranges, dims, linear, ivs);
}

SmallVector<Value> ContractionKernelBuilder::indicesOf(OpOperand &operand) {
  return indicesAt(c.op.getMatchingIndexingMap(&operand), ivs);
}

Value ContractionKernelBuilder::load(OpOperand &operand) {
  return rewriter.create<memref::LoadOp>(loc, operand.get(), indicesOf(operand));
}

Value ContractionKernelBuilder::loadOutput(Value m, Value n) {
  setIvs(c.dims.m, clamp(m, c.m));
  setIvs(c.dims.n, clamp(n, c.n));
  return load(c.op.getDpsInitsMutable()[0]);
}

void ContractionKernelBuilder::storeOutput(Value m, Value n, Value value, bool checkM,
                                           bool checkN) {
  OpBuilder::InsertionGuard guard(rewriter);
  Value inside = both(checkM ? lessThan(m, c.m) : Value(), checkN ? lessThan(n, c.n) : Value());
  if (inside)
    rewriter.setInsertionPointToStart(
        &rewriter.create<scf::IfOp>(loc, inside, /*withElseRegion=*/false).getThenRegion().front());
  setIvs(c.dims.m, m);
  setIvs(c.dims.n, n);
  OpOperand &out = c.op.getDpsInitsMutable()[0];
  rewriter.create<memref::StoreOp>(loc, value, out.get(), indicesOf(out));
}

void ContractionKernelBuilder::copyTile(OpOperand &operand, ArrayRef<unsigned> rowDims,
                                        Value rowStart, int64_t rows, int64_t rowLimit, Value k0,
                                        int64_t bk, bool checkK, Value shared, bool kMajor,
                                        Value tid, int64_t threads,
                                        function_ref<Value(Value)> convert) {
  bool rowsContiguous = isContiguousAlong(c.op, operand, rowDims);
  int64_t elements = rows * bk;
  Type type = cast<MemRefType>(operand.get().getType()).getElementType();
  Value zero = rewriter.create<arith::ConstantOp>(loc, rewriter.getZeroAttr(type));
  distribute(elements, tid, threads, [&](Value e) {
    Value row, kk;
    if (rowsContiguous) {
      row = rewriter.create<arith::RemUIOp>(loc, e, constant(rows));
      kk = rewriter.create<arith::DivUIOp>(loc, e, constant(rows));
    } else {
      kk = rewriter.create<arith::RemUIOp>(loc, e, constant(bk));
      row = rewriter.create<arith::DivUIOp>(loc, e, constant(bk));
    }
    Value globalRow = add(rowStart, row), globalK = add(k0, kk);
    Value inside = both(rowLimit % rows != 0 ? lessThan(globalRow, rowLimit) : Value(),
                        checkK ? lessThan(globalK, c.k) : Value());
    // Outside the operand: read its last row or k (always in bounds), store
    // zero.
    setIvs(rowDims, rowLimit % rows != 0 ? clamp(globalRow, rowLimit) : globalRow);
    setIvs(c.dims.k, checkK ? clamp(globalK, c.k) : globalK);
    Value value = load(operand);
    if (convert)
      value = convert(value);
    if (inside)
      value = rewriter.create<arith::SelectOp>(loc, inside, value, zero);
    rewriter.create<memref::StoreOp>(loc, value, shared,
                                     kMajor ? ValueRange{kk, row} : ValueRange{row, kk});
  });
}

void ContractionKernelBuilder::distribute(int64_t items, Value tid, int64_t threads,
                                          function_ref<void(Value)> body) {
  for (int64_t r = 0; r * threads < items; ++r) {
    OpBuilder::InsertionGuard guard(rewriter);
    Value item = add(tid, constant(r * threads));
    if ((r + 1) * threads > items)
      rewriter.setInsertionPointToStart(
          &rewriter.create<scf::IfOp>(loc, lessThan(item, items), false).getThenRegion().front());
    body(item);
  }
}

SmallVector<Value>
ContractionKernelBuilder::kLoop(int64_t tiles, int64_t bk, ValueRange acc,
                               function_ref<SmallVector<Value>(Value, ValueRange)> step) {
  if (tiles == 0)
    return SmallVector<Value>(acc.begin(), acc.end());
  auto loop = rewriter.create<scf::ForOp>(
      loc, constant(0), constant(tiles), constant(1), acc,
      [&](OpBuilder &builder, Location, Value t, ValueRange carried) {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointToStart(builder.getInsertionBlock());
        SmallVector<Value> next = step(mul(t, constant(bk)), carried);
        rewriter.create<scf::YieldOp>(loc, next);
      });
  return SmallVector<Value>(loop.getResults().begin(), loop.getResults().end());
}

void ContractionKernelBuilder::eraseContraction() {
  rewriter.eraseOp(c.op);
  if (c.fill)
    rewriter.eraseOp(c.fill);
}
