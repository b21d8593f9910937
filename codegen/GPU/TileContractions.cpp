//===- TileContractions.cpp - Contractions as tiled GEMM kernels ----------===//
//
// See KilnGPUTileContractions in codegen/GPU/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/Common/Outlining.h"
#include "codegen/GPU/GPUPasses.h"
#include "codegen/GPU/Kernels.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPUTILECONTRACTIONS
#include "codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Elements added to each row of a shared tile: rows 16 bytes apart more
/// than a multiple of 128, so that threads writing down a column hit
/// different banks, and 128-bit reads along a row stay aligned.
constexpr int64_t kPad = 4;
/// A thread's outputs come in groups of this many consecutive rows
/// (columns), the groups spread over the block's tile.
constexpr int64_t kGroup = 4;

struct Tile {
  int64_t bm, bn, bk, tm, tn;
  int64_t threadsX() const { return bn / tn; }
  int64_t threadsY() const { return bm / tm; }
  int64_t threads() const { return threadsX() * threadsY(); }
  int64_t rowGroup() const { return std::min(kGroup, tm); }
  int64_t colGroup() const { return std::min(kGroup, tn); }
  int64_t sharedBytes(int64_t aBytes, int64_t bBytes) const {
    return bk * (bm + kPad) * aBytes + bk * (bn + kPad) * bBytes;
  }
};

/// A linalg contraction the kernel can take: static sizes, two inputs read
/// through projections of the loops, one output.
struct Contraction {
  linalg::LinalgOp op;
  linalg::ContractionDimensions dims;
  SmallVector<int64_t> ranges;
  int64_t m = 1, n = 1, k = 1, batch = 1;
  /// The linalg.fill of a constant that initializes the output just before
  /// the op, if any: the accumulators start from the constant instead, and
  /// the fill goes (the kernel writes every output element).
  linalg::FillOp fill;
};

FailureOr<Contraction> matchContraction(linalg::LinalgOp op) {
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

int64_t elementBytes(Value memref) {
  return std::max<int64_t>(1, cast<MemRefType>(memref.getType()).getElementTypeBitWidth() / 8);
}

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

/// Writes the SIMT program of one block of the tiled contraction into a
/// gpu.launch that replaces the op.
class KernelBuilder {
public:
  KernelBuilder(RewriterBase &rewriter, Contraction c, Tile tile)
      : rewriter(rewriter), c(c), tile(tile), loc(c.op.getLoc()), ivs(c.ranges.size()) {}

  void build(StringRef name) {
    linalg::LinalgOp op = c.op;
    MLIRContext *ctx = op.getContext();
    Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1];
    auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    auto sharedType = [&](Value operand, int64_t rows) {
      return MemRefType::get({tile.bk, rows + kPad},
                             cast<MemRefType>(operand.getType()).getElementType(),
                             MemRefLayoutAttrInterface{}, workgroup);
    };
    rewriter.setInsertionPoint(op);
    auto launch = rewriter.create<gpu::LaunchOp>(
        loc, constant(llvm::divideCeil(c.n, tile.bn)), constant(llvm::divideCeil(c.m, tile.bm)),
        constant(c.batch), constant(tile.threadsX()), constant(tile.threadsY()), constant(1),
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/ValueRange{},
        TypeRange{sharedType(a, tile.bm), sharedType(b, tile.bn)});
    launch->setAttr("kiln.kernel_name", rewriter.getStringAttr(name));
    // Two blocks per multiprocessor: ptxas keeps a thread's registers to
    // what that leaves (128 at 256 threads), so that one block's loads
    // overlap the other's arithmetic.
    launch->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(), rewriter.getI32IntegerAttr(2));
    rewriter.setInsertionPointToEnd(&launch.getBody().front());
    rewriter.create<gpu::TerminatorOp>(loc);
    rewriter.setInsertionPointToStart(&launch.getBody().front());
    aTile = launch.getWorkgroupAttributions()[0];
    bTile = launch.getWorkgroupAttributions()[1];
    tx = launch.getThreadIds().x;
    ty = launch.getThreadIds().y;
    tid = add(mul(ty, constant(tile.threadsX())), tx);
    m0 = mul(launch.getBlockIds().y, constant(tile.bm));
    n0 = mul(launch.getBlockIds().x, constant(tile.bn));
    setIvs(c.dims.batch, launch.getBlockIds().z);
    rowBase = mul(ty, constant(tile.rowGroup()));
    colBase = mul(tx, constant(tile.colGroup()));

    // Each thread's outputs start from the output's initial values.
    SmallVector<Value> acc;
    for (int64_t i = 0; i < tile.tm; ++i)
      for (int64_t j = 0; j < tile.tn; ++j)
        acc.push_back(c.fill ? c.fill.getInputs()[0] : loadOutput(i, j));

    int64_t fullTiles = c.k / tile.bk, tail = c.k % tile.bk;
    if (fullTiles > 0) {
      auto loop = rewriter.create<scf::ForOp>(
          loc, constant(0), constant(fullTiles), constant(1), acc,
          [&](OpBuilder &builder, Location, Value t, ValueRange carried) {
            OpBuilder::InsertionGuard guard(rewriter);
            rewriter.setInsertionPointToStart(builder.getInsertionBlock());
            SmallVector<Value> next =
                kStep(mul(t, constant(tile.bk)), tile.bk, /*checkK=*/false, carried);
            rewriter.create<scf::YieldOp>(loc, next);
          });
      acc.assign(loop.getResults().begin(), loop.getResults().end());
    }
    if (tail > 0)
      acc = kStep(constant(fullTiles * tile.bk), tail, /*checkK=*/true, acc);
    for (int64_t i = 0; i < tile.tm; ++i)
      for (int64_t j = 0; j < tile.tn; ++j)
        storeOutput(i, j, acc[i * tile.tn + j]);
    rewriter.eraseOp(op);
    if (c.fill)
      rewriter.eraseOp(c.fill);
  }

private:
  Value constant(int64_t v) { return rewriter.create<arith::ConstantIndexOp>(loc, v); }
  Value add(Value x, Value y) { return rewriter.create<arith::AddIOp>(loc, x, y); }
  Value mul(Value x, Value y) { return rewriter.create<arith::MulIOp>(loc, x, y); }
  Value lessThan(Value x, int64_t bound) {
    return rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, x, constant(bound));
  }
  Value clamp(Value x, int64_t bound) {
    return rewriter.create<arith::MinUIOp>(loc, x, constant(bound - 1));
  }

  /// Sets the induction variables of `dims` from their linearized index
  /// (row-major: the last dim fastest).
  void setIvs(ArrayRef<unsigned> dims, Value linear) {
    for (unsigned d : llvm::reverse(dims)) {
      if (d == dims.front()) {
        ivs[d] = linear;
        break;
      }
      Value size = constant(c.ranges[d]);
      ivs[d] = rewriter.create<arith::RemUIOp>(loc, linear, size);
      linear = rewriter.create<arith::DivUIOp>(loc, linear, size);
    }
  }

  Value load(OpOperand &operand) {
    SmallVector<Value> indices;
    for (AffineExpr result : c.op.getMatchingIndexingMap(&operand).getResults())
      indices.push_back(ivs[cast<AffineDimExpr>(result).getPosition()]);
    return rewriter.create<memref::LoadOp>(loc, operand.get(), indices);
  }

  /// The row (column) of the block's tile of a thread's i-th output row
  /// (column): groups of consecutive ones, spread over the tile.
  Value rowOf(int64_t i) {
    int64_t g = tile.rowGroup();
    return add(rowBase, constant((i / g) * (tile.threadsY() * g) + i % g));
  }
  Value colOf(int64_t j) {
    int64_t g = tile.colGroup();
    return add(colBase, constant((j / g) * (tile.threadsX() * g) + j % g));
  }

  Value loadOutput(int64_t i, int64_t j) {
    // Rows and columns outside the output read its last one (not stored).
    setIvs(c.dims.m, clamp(add(m0, rowOf(i)), c.m));
    setIvs(c.dims.n, clamp(add(n0, colOf(j)), c.n));
    return load(c.op.getDpsInitsMutable()[0]);
  }

  void storeOutput(int64_t i, int64_t j, Value value) {
    Value m = add(m0, rowOf(i)), n = add(n0, colOf(j));
    OpBuilder::InsertionGuard guard(rewriter);
    Value inside;
    auto both = [&](Value cond) {
      inside = inside ? rewriter.create<arith::AndIOp>(loc, inside, cond).getResult() : cond;
    };
    if (c.m % tile.bm != 0)
      both(lessThan(m, c.m));
    if (c.n % tile.bn != 0)
      both(lessThan(n, c.n));
    if (inside)
      rewriter.setInsertionPointToStart(
          &rewriter.create<scf::IfOp>(loc, inside, /*withElseRegion=*/false).getThenRegion().front());
    setIvs(c.dims.m, m);
    setIvs(c.dims.n, n);
    OpOperand &out = c.op.getDpsInitsMutable()[0];
    SmallVector<Value> indices;
    for (AffineExpr result : c.op.getMatchingIndexingMap(&out).getResults())
      indices.push_back(ivs[cast<AffineDimExpr>(result).getPosition()]);
    rewriter.create<memref::StoreOp>(loc, value, out.get(), indices);
  }

  /// Copies the operand's tile of `rows` (m or n) x bk elements at
  /// (`rowStart`, `k0`) into `shared` [bk, rows + pad], zero outside the
  /// operand; the block's threads take consecutive elements along the
  /// operand's contiguous dim.
  void copyTile(OpOperand &operand, ArrayRef<unsigned> rowDims, Value rowStart, int64_t rows,
                int64_t rowLimit, Value k0, bool checkK, Value shared) {
    bool rowsContiguous = isContiguousAlong(c.op, operand, rowDims);
    int64_t elements = rows * tile.bk, threads = tile.threads();
    Type type = cast<MemRefType>(operand.get().getType()).getElementType();
    Value zero = rewriter.create<arith::ConstantOp>(loc, rewriter.getZeroAttr(type));
    for (int64_t r = 0; r * threads < elements; ++r) {
      OpBuilder::InsertionGuard guard(rewriter);
      Value e = add(tid, constant(r * threads));
      if ((r + 1) * threads > elements)
        rewriter.setInsertionPointToStart(
            &rewriter.create<scf::IfOp>(loc, lessThan(e, elements), false).getThenRegion().front());
      Value row, kk;
      if (rowsContiguous) {
        row = rewriter.create<arith::RemUIOp>(loc, e, constant(rows));
        kk = rewriter.create<arith::DivUIOp>(loc, e, constant(rows));
      } else {
        kk = rewriter.create<arith::RemUIOp>(loc, e, constant(tile.bk));
        row = rewriter.create<arith::DivUIOp>(loc, e, constant(tile.bk));
      }
      Value globalRow = add(rowStart, row), globalK = add(k0, kk);
      Value inside;
      if (rowLimit % rows != 0)
        inside = lessThan(globalRow, rowLimit);
      if (checkK) {
        Value kInside = lessThan(globalK, c.k);
        inside = inside ? rewriter.create<arith::AndIOp>(loc, inside, kInside).getResult() : kInside;
      }
      // Outside the operand: read its last row or k (always in bounds),
      // store zero.
      setIvs(rowDims, rowLimit % rows != 0 ? clamp(globalRow, rowLimit) : globalRow);
      setIvs(c.dims.k, checkK ? clamp(globalK, c.k) : globalK);
      Value value = load(operand);
      if (inside)
        value = rewriter.create<arith::SelectOp>(loc, inside, value, zero);
      rewriter.create<memref::StoreOp>(loc, value, shared, ValueRange{kk, row});
    }
  }

  /// One k tile: the block copies it to shared memory, then each thread
  /// adds its `steps` products to its accumulators.
  SmallVector<Value> kStep(Value k0, int64_t steps, bool checkK, ValueRange acc) {
    // The tiles may be overwritten only once every thread has read them.
    rewriter.create<gpu::BarrierOp>(loc);
    copyTile(*c.op.getDpsInputOperands()[0], c.dims.m, m0, tile.bm, c.m, k0, checkK, aTile);
    copyTile(*c.op.getDpsInputOperands()[1], c.dims.n, n0, tile.bn, c.n, k0, checkK, bTile);
    rewriter.create<gpu::BarrierOp>(loc);
    SmallVector<Value> rows, cols, result(acc.begin(), acc.end());
    for (int64_t i = 0; i < tile.tm; ++i)
      rows.push_back(rowOf(i));
    for (int64_t j = 0; j < tile.tn; ++j)
      cols.push_back(colOf(j));
    Block &body = *c.op.getBlock();
    for (int64_t kk = 0; kk < steps; ++kk) {
      Value kIndex = constant(kk);
      SmallVector<Value> as, bs;
      for (Value row : rows)
        as.push_back(rewriter.create<memref::LoadOp>(loc, aTile, ValueRange{kIndex, row}));
      for (Value col : cols)
        bs.push_back(rewriter.create<memref::LoadOp>(loc, bTile, ValueRange{kIndex, col}));
      for (int64_t i = 0; i < tile.tm; ++i)
        for (int64_t j = 0; j < tile.tn; ++j) {
          IRMapping map;
          map.map(body.getArgument(0), as[i]);
          map.map(body.getArgument(1), bs[j]);
          map.map(body.getArgument(2), result[i * tile.tn + j]);
          for (Operation &bodyOp : body.without_terminator())
            rewriter.clone(bodyOp, map);
          result[i * tile.tn + j] = map.lookup(body.getTerminator()->getOperand(0));
        }
    }
    return result;
  }

  RewriterBase &rewriter;
  Contraction c;
  Tile tile;
  Location loc;
  SmallVector<Value> ivs;
  Value aTile, bTile, tx, ty, tid, m0, n0, rowBase, colBase;
};

struct KilnGPUTileContractions
    : kiln::impl::KilnGPUTileContractionsBase<KilnGPUTileContractions> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (!abi::isEntryFunction(fn))
      return;
    SmallVector<Tile> candidates;
    if (tiles.size() % 5 != 0) {
      fn.emitError("kiln-gpu-tile-contractions: tiles must be groups of 5 numbers");
      return signalPassFailure();
    }
    for (size_t i = 0; i < tiles.size(); i += 5) {
      Tile t{tiles[i], tiles[i + 1], tiles[i + 2], tiles[i + 3], tiles[i + 4]};
      if (t.bm <= 0 || t.bn <= 0 || t.bk <= 0 || t.tm <= 0 || t.tn <= 0 || t.bm % t.tm ||
          t.bn % t.tn || t.tm % t.rowGroup() || t.tn % t.colGroup() || t.threads() > 1024) {
        fn.emitError("kiln-gpu-tile-contractions: tile ")
            << t.bm << "x" << t.bn << "x" << t.bk << " with " << t.tm << "x" << t.tn
            << " per thread does not divide evenly or needs more than 1024 threads";
        return signalPassFailure();
      }
      candidates.push_back(t);
    }
    if (candidates.empty())
      return;
    SmallVector<Contraction> work;
    for (Operation &op : fn.getBody().front())
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
        if (FailureOr<Contraction> contraction = matchContraction(linalgOp); succeeded(contraction))
          work.push_back(*contraction);
    IRRewriter rewriter(&getContext());
    for (Contraction &contraction : work) {
      std::optional<Tile> tile = choose(contraction, candidates);
      if (!tile)
        continue;
      KernelBuilder(rewriter, contraction, *tile).build(describeForSymbol(contraction.op));
    }
  }

  /// The first tile that makes enough blocks to fill the device, else the
  /// last; none if the grid would be too large or no tile fits the shared
  /// memory (the op then gets kiln-gpu-map-loops' mapping).
  std::optional<Tile> choose(Contraction c, ArrayRef<Tile> candidates) {
    int64_t aBytes = elementBytes(c.op.getDpsInputs()[0]),
            bBytes = elementBytes(c.op.getDpsInputs()[1]);
    std::optional<Tile> chosen;
    for (const Tile &t : candidates) {
      if (t.sharedBytes(aBytes, bBytes) > sharedBytes)
        continue;
      int64_t rowsOfBlocks = llvm::divideCeil(c.m, t.bm), colsOfBlocks = llvm::divideCeil(c.n, t.bn);
      if (rowsOfBlocks > 65535 || c.batch > 65535 || colsOfBlocks > std::numeric_limits<int32_t>::max())
        continue;
      chosen = t;
      if (rowsOfBlocks * colsOfBlocks * c.batch >= multiprocessors)
        break;
    }
    return chosen;
  }
};

} // namespace
