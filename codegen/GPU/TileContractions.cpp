//===- TileContractions.cpp - Contractions as tiled GEMM kernels ----------===//
//
// See KilnGPUTileContractions in codegen/GPU/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/Common/Outlining.h"
#include "codegen/GPU/Contractions.h"
#include "codegen/GPU/GPUPasses.h"

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

/// Writes the SIMT program of one block of the tiled contraction into a
/// gpu.launch that replaces the op.
class KernelBuilder : public ContractionKernelBuilder {
public:
  KernelBuilder(RewriterBase &rewriter, const Contraction &c, Tile tile)
      : ContractionKernelBuilder(rewriter, c), tile(tile) {}

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
    gpu::LaunchOp launch = createLaunch(
        llvm::divideCeil(c.n, tile.bn), llvm::divideCeil(c.m, tile.bm), tile.threadsX(),
        tile.threadsY(), {sharedType(a, tile.bm), sharedType(b, tile.bn)}, name);
    aTile = launch.getWorkgroupAttributions()[0];
    bTile = launch.getWorkgroupAttributions()[1];
    tx = launch.getThreadIds().x;
    ty = launch.getThreadIds().y;
    tid = add(mul(ty, constant(tile.threadsX())), tx);
    m0 = mul(launch.getBlockIds().y, constant(tile.bm));
    n0 = mul(launch.getBlockIds().x, constant(tile.bn));
    rowBase = mul(ty, constant(tile.rowGroup()));
    colBase = mul(tx, constant(tile.colGroup()));

    // Each thread's outputs start from the output's initial values.
    SmallVector<Value> acc;
    for (int64_t i = 0; i < tile.tm; ++i)
      for (int64_t j = 0; j < tile.tn; ++j)
        acc.push_back(c.fill ? c.fill.getInputs()[0]
                             : loadOutput(add(m0, rowOf(i)), add(n0, colOf(j))));

    int64_t fullTiles = c.k / tile.bk, tail = c.k % tile.bk;
    acc = kLoop(fullTiles, tile.bk, acc, [&](Value k0, ValueRange carried) {
      return kStep(k0, tile.bk, /*checkK=*/false, carried);
    });
    if (tail > 0)
      acc = kStep(constant(fullTiles * tile.bk), tail, /*checkK=*/true, acc);
    for (int64_t i = 0; i < tile.tm; ++i)
      for (int64_t j = 0; j < tile.tn; ++j)
        storeOutput(add(m0, rowOf(i)), add(n0, colOf(j)), acc[i * tile.tn + j],
                    c.m % tile.bm != 0, c.n % tile.bn != 0);
    eraseContraction();
  }

private:
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

  /// One k tile: the block copies it to shared memory, then each thread
  /// adds its `steps` products to its accumulators.
  SmallVector<Value> kStep(Value k0, int64_t steps, bool checkK, ValueRange acc) {
    // The tiles may be overwritten only once every thread has read them.
    rewriter.create<gpu::BarrierOp>(loc);
    copyTile(*c.op.getDpsInputOperands()[0], c.dims.m, m0, tile.bm, c.m, k0, tile.bk, checkK,
             aTile, /*kMajor=*/true, tid, tile.threads());
    copyTile(*c.op.getDpsInputOperands()[1], c.dims.n, n0, tile.bn, c.n, k0, tile.bk, checkK,
             bTile, /*kMajor=*/true, tid, tile.threads());
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

  Tile tile;
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
    SmallVector<MMATile> mmaCandidates;
    if (mmaTiles.size() % 5 != 0) {
      fn.emitError("kiln-gpu-tile-contractions: mma-tiles must be groups of 5 numbers");
      return signalPassFailure();
    }
    for (size_t i = 0; i < mmaTiles.size(); i += 5) {
      MMATile t{mmaTiles[i], mmaTiles[i + 1], mmaTiles[i + 2], mmaTiles[i + 3], mmaTiles[i + 4]};
      // Every warp takes whole m16 x n8 fragments; a k tile is whole k16
      // steps (two k8 steps for tf32).
      if (t.warpsM <= 0 || t.warpsN <= 0 || t.bm <= 0 || t.bn <= 0 || t.bk <= 0 ||
          t.bm % (16 * t.warpsM) || t.bn % (8 * t.warpsN) || t.bk % 16 ||
          t.warpsM * t.warpsN * 32 > 1024) {
        fn.emitError("kiln-gpu-tile-contractions: mma tile ")
            << t.bm << "x" << t.bn << "x" << t.bk << " with " << t.warpsM << "x" << t.warpsN
            << " warps does not split into m16 x n8 x k16 fragments or needs more than 1024 "
               "threads";
        return signalPassFailure();
      }
      mmaCandidates.push_back(t);
    }
    if (candidates.empty() && mmaCandidates.empty())
      return;
    SmallVector<Contraction> work;
    for (Operation &op : fn.getBody().front())
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
        if (FailureOr<Contraction> contraction = matchContraction(linalgOp); succeeded(contraction))
          work.push_back(*contraction);
    IRRewriter rewriter(&getContext());
    for (Contraction &contraction : work) {
      std::string name = describeForSymbol(contraction.op);
      if (std::optional<MMAKind> kind = mmaKind(contraction, allowTF32);
          kind && !mmaCandidates.empty()) {
        std::optional<MMATile> tile = choose<MMATile>(contraction, mmaCandidates, [&](MMATile t) {
          return mmaSharedBytes(t, *kind);
        });
        if (tile) {
          buildMMAKernel(rewriter, contraction, *tile, *kind, name);
          continue;
        }
      }
      std::optional<Tile> tile = choose<Tile>(contraction, candidates, [&](Tile t) {
        return t.sharedBytes(elementBytes(contraction.op.getDpsInputs()[0]),
                             elementBytes(contraction.op.getDpsInputs()[1]));
      });
      if (tile)
        KernelBuilder(rewriter, contraction, *tile).build(name);
    }
  }

  /// The first tile that makes enough blocks to fill the device, else the
  /// last; none if the grid would be too large or no tile fits the shared
  /// memory (the op then gets another kernel, or kiln-gpu-map-loops'
  /// mapping).
  template <typename T>
  std::optional<T> choose(const Contraction &c, ArrayRef<T> candidates,
                          function_ref<int64_t(T)> bytes) {
    std::optional<T> chosen;
    for (const T &t : candidates) {
      if (bytes(t) > sharedBytes)
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
