//===- SelectTiles.cpp - Tile sizes for contractions, from the machine ----===//
//
// See KilnCPUSelectTiles in codegen/CPU/Passes.td. Upstream has the tiling
// machinery but no policy: this is the policy, from the target description.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"
#include "codegen/CPU/Tiles.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/Builders.h"

#include <algorithm>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUSELECTTILES
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// `tile` if it divides `range`; else the largest multiple of `unit`
/// between max(`least`, tile / 4) and `tile` that does; else none.
std::optional<int64_t> dividingTile(int64_t range, int64_t tile, int64_t unit, int64_t least) {
  if (range % tile == 0)
    return tile;
  for (int64_t d = tile / unit * unit; d >= std::max(least, tile / 4); d -= unit)
    if (range % d == 0)
      return d;
  return std::nullopt;
}

struct KilnCPUSelectTiles
    : kiln::impl::KilnCPUSelectTilesBase<KilnCPUSelectTiles> {
  using Base::Base;

  void runOnOperation() override {
    getOperation().walk([&](linalg::LinalgOp op) {
      std::optional<ContractionTiles> tiles = selectTiles(op);
      if (tiles)
        op->setAttr(kTilesAttr, tiles->toAttr(op.getContext()));
    });
  }

  /// Tiles for `op` if it is a contraction the tiler handles: one m, one n
  /// and one k dim (plus batch dims), f32, static shapes, n the innermost
  /// dim of the output and of the right-hand operand. Or two n dims, the
  /// inner one innermost in the output and the right-hand operand:
  ///  - the packed form kiln-cpu-pack-operands makes: n split into panels
  ///    and the columns of one panel, one panel as wide as the register
  ///    tile, the operand laid out [panels, k, columns];
  ///  - otherwise the outer n is a batch that the left-hand operand does
  ///    not have (a filter applied to each image of a batch: [F, K] times
  ///    [N, K, pixels]). It is tiled like a batch dim: one image per cache
  ///    and register tile, images split among the tasks.
  std::optional<ContractionTiles> selectTiles(linalg::LinalgOp op) {
    if (std::optional<BlockedConv> conv = matchBlockedConv(op))
      return selectBlockedConvTiles(op, *conv);
    if (!op.hasPureTensorSemantics() || op.hasDynamicShape() ||
        op->hasAttr(kTilesAttr) || !linalg::isaContractionOpInterface(op) ||
        op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
      return std::nullopt;
    FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
    if (failed(dims) || dims->m.size() != 1 || dims->n.empty() || dims->n.size() > 2 ||
        dims->k.size() != 1)
      return std::nullopt;
    auto outType = cast<ShapedType>(op.getDpsInits()[0].getType());
    if (!outType.getElementType().isF32())
      return std::nullopt;
    for (OpOperand &operand : op->getOpOperands())
      if (!cast<ShapedType>(operand.get().getType()).getElementType().isF32())
        return std::nullopt;
    // Vectors run along the innermost n dim: it must be the innermost dim
    // of the output and of the operand that has no m. Packed, the other n
    // dim (the panels) is outermost in that operand.
    unsigned m = dims->m[0], k = dims->k[0];
    unsigned n = dims->n.size() == 2 ? dims->n[1] : dims->n[0];
    std::optional<unsigned> panels, images;
    if (dims->n.size() == 2)
      panels = dims->n[0];
    MLIRContext *ctx = op.getContext();
    AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    if (outMap.getResults().back() != getAffineDimExpr(n, ctx))
      return std::nullopt;
    bool rhsIsInnerN = false, panelLayout = false;
    for (OpOperand *in : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(in);
      if (!map.isFunctionOfDim(n))
        continue;
      rhsIsInnerN = map.getResults().back() == getAffineDimExpr(n, ctx);
      panelLayout = panels && map.getNumResults() == 3 &&
                    map.getResult(0) == getAffineDimExpr(*panels, ctx) &&
                    map.getResult(1) == getAffineDimExpr(k, ctx);
    }
    if (!rhsIsInnerN)
      return std::nullopt;

    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    // Panels are as wide as the register tile the whole n would get; any
    // other outer n is a batch of images.
    if (panels) {
      std::optional<RegisterTile> whole = selectRegisterTile(
          ranges[m], ranges[*panels] * ranges[n], vectorBits, vectorRegisters);
      if (!panelLayout || !whole || whole->cols != ranges[n]) {
        images = panels;
        panels.reset();
      }
    }
    // Policy on the whole n (panels x columns when packed); the tiles of
    // a packed n are then whole panels.
    int64_t width = panels ? ranges[*panels] * ranges[n] : ranges[n];
    std::optional<RegisterTile> reg =
        selectRegisterTile(ranges[m], width, vectorBits, vectorRegisters);
    if (!reg)
      return std::nullopt; // narrower than one vector: loops serve it as well
    int64_t mr = reg->rows, nr = reg->cols;

    // Cache tiles: a kc x nc panel of B is reused across the m tiles of a
    // block, and kc rows of A and B stream through L1 per register tile
    // (measured on AVX-512 and AVX2 machines: ../shared/docs/CPU-GEMM.md).
    int64_t kc = std::min<int64_t>(ranges[k], l1Bytes >= (32 << 10) ? 256 : 128);
    int64_t nc = std::min<int64_t>(width, 256);
    int64_t mc = std::min<int64_t>(ranges[m], 64);

    // Tasks: the batch dims and n split for the cores, each task a whole
    // number of cache tiles along n (in the cache loops' order, B's panel
    // stays shared by A's blocks within a task). At least two tasks per core
    // so the thread pool can balance them; small contractions (under ~20 us
    // of one core's work) stay one task. Work is counted in flops and in
    // the bytes the operands bring in: a matrix-vector product (a
    // classifier at batch 1: 2048 x 1000 floats, 8 MB, for 4 MFLOP) is
    // bound by reading its weights, which two cores do faster than one.
    SmallVector<int64_t> parallel(ranges.size(), 0);
    int64_t flops = 2;
    for (int64_t r : ranges)
      flops *= r;
    int64_t operandBytes = 0;
    for (OpOperand *in : op.getDpsInputOperands())
      operandBytes += cast<ShapedType>(in->get().getType()).getNumElements() * 4;
    if (cores > 1 && (flops >= (int64_t(1) << 22) || operandBytes >= (int64_t(1) << 20))) {
      int64_t batches = 1;
      for (unsigned b : dims->batch) {
        parallel[b] = 1;
        batches *= ranges[b];
      }
      if (images) {
        parallel[*images] = 1;
        batches *= ranges[*images];
      }
      int64_t wanted = 2 * cores;
      int64_t nChunks = (wanted + batches - 1) / batches;
      int64_t nTiles = (width + nc - 1) / nc;
      int64_t rowChunk = (ranges[m] + nChunks - 1) / nChunks;
      rowChunk = (rowChunk + mr - 1) / mr * mr;
      if (nChunks > 1 && width < nChunks * nr && !panels && rowChunk < ranges[m]) {
        // Too narrow to split into whole register tiles per task (a deep
        // convolution's 49 pixels by 512 filters, its filter a run-time
        // operand): the rows are split instead, each task reading all of B.
        parallel[m] = rowChunk;
        mc = std::min(mc, rowChunk);
      } else if (nTiles < nChunks) {
        // Narrower cache tiles, a multiple of the register tile's width.
        int64_t chunk = (width + nChunks - 1) / nChunks;
        nc = std::max(nr, (chunk + nr - 1) / nr * nr);
      }
      if (parallel[m] == 0 && width > nc)
        parallel[panels ? *panels : n] = panels ? nc / nr : nc;
      int64_t rowTasks = parallel[m] ? (ranges[m] + parallel[m] - 1) / parallel[m] : 1;
      if (batches * rowTasks * ((width + nc - 1) / nc) < 2)
        parallel.assign(ranges.size(), 0);
    }

    // Prefer a cache (and task) tile along n that divides n: a ragged last
    // tile is split off as an op of its own (kiln-cpu-tile-contractions), and
    // the elementwise ops around a contraction fuse only into evenly tiled
    // loops. 3136 columns: 14 tiles of 224 instead of 12 of 256 and 64.
    // Whole panels when packed, else whole vectors; never narrower than the
    // register tile.
    int64_t unit = panels ? nr : std::max<int64_t>(1, vectorBits / 32);
    if (std::optional<int64_t> d = dividingTile(width, nc, unit, nr)) {
      unsigned taskDim = panels ? *panels : n;
      if (parallel[taskDim] != 0)
        parallel[taskDim] = panels ? *d / nr : *d;
      nc = *d;
    }

    // The same along m, in whole register tiles: 96 rows in two tiles of
    // 48, not 64 and a ragged 32.
    mc = dividingTile(ranges[m], mc, mr, mr).value_or(mc);

    ContractionTiles tiles;
    tiles.parallel = parallel;
    tiles.cache.assign(ranges.size(), 1);
    tiles.reg.assign(ranges.size(), 1);
    tiles.cache[m] = mc;
    tiles.cache[k] = kc;
    tiles.reg[m] = mr;
    tiles.reg[k] = 1;
    if (panels) {
      // A packed cache tile is nc / nr whole panels, a register tile one.
      if (nc % nr != 0)
        nc = std::max(nr, nc / nr * nr);
      tiles.cache[*panels] = std::min(ranges[*panels], nc / nr);
      tiles.cache[n] = nr;
      tiles.reg[n] = nr;
    } else {
      tiles.cache[n] = nc;
      tiles.reg[n] = nr;
    }
    // Cache loops: batch dims, then n, k, m (B's panel outside A's block);
    // register loops: m, n, then k innermost, so the accumulators of one
    // register tile stay in registers across k.
    for (unsigned b : dims->batch)
      tiles.cacheOrder.push_back(b);
    if (images)
      tiles.cacheOrder.push_back(*images);
    if (panels)
      tiles.cacheOrder.append({*panels, k, m, n});
    else
      tiles.cacheOrder.append({n, k, m});
    for (unsigned b : dims->batch)
      tiles.regOrder.push_back(b);
    if (images)
      tiles.regOrder.push_back(*images);
    if (panels)
      tiles.regOrder.append({m, *panels, n, k});
    else
      tiles.regOrder.append({m, n, k});
    tiles.vectorDims = {m, n};
    return tiles;
  }

  /// Tiles for a convolution in the blocked layout (kiln-cpu-blocked-convs).
  /// A register tile is R output pixels along ow by the fb filters of one
  /// block, the accumulators of a matmul register tile: its k loops (co,
  /// kh, kw, ci) read one tap of the R pixels' windows (R broadcasts) and
  /// one row of fb filters per step. R divides OW where it can (ResNet's
  /// 56, 28, 14 and 7 have no ragged tile). The cache tiles keep a chunk of
  /// the filter block (co blocks) in L1 while the register tiles sweep the
  /// output block's pixels; the tasks split the images, the filter blocks
  /// and, when those are too few for the cores, the output rows.
  std::optional<ContractionTiles> selectBlockedConvTiles(linalg::LinalgOp op, const BlockedConv &) {
    using L = BlockedConv;
    if (!op.hasPureTensorSemantics() || op.hasDynamicShape() || op->hasAttr(kTilesAttr))
      return std::nullopt;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t lanes = std::max<int64_t>(1, vectorBits / 32);
    int64_t fb = ranges[L::fi];
    if (fb % lanes != 0)
      return std::nullopt;
    // Accumulators (fb / lanes per pixel), a row of the filter block and
    // the broadcast, within the vector registers; at most 8 pixels.
    int64_t vectorsPerRow = fb / lanes;
    int64_t maxRows = std::min<int64_t>(8, (vectorRegisters - vectorsPerRow - 1) / vectorsPerRow);
    maxRows = std::max<int64_t>(1, std::min(maxRows, ranges[L::ow]));
    // R divides OW: a ragged last register tile (OW = 11 in tiles of 8)
    // failed kiln-cpu-tile-contractions' accumulator hoisting with "operand
    // does not dominate this use" when the tasks split the output rows.
    // The largest divisor, however small (a prime OW gets tiles of one
    // pixel: correct, not fast).
    int64_t rows = 1;
    for (int64_t r = maxRows; r >= 1; --r)
      if (ranges[L::ow] % r == 0) {
        rows = r;
        break;
      }
    // The filter chunk in L1: co blocks of cb * KH * KW rows of fb floats,
    // in three quarters of it (the rest holds the windows being read).
    int64_t rowBytes = 4 * fb * ranges[L::ci] * ranges[L::kh] * ranges[L::kw];
    int64_t chunk = std::clamp<int64_t>(l1Bytes * 3 / 4 / rowBytes, 1, ranges[L::co]);
    while (ranges[L::co] % chunk != 0)
      --chunk;

    ContractionTiles tiles;
    tiles.parallel.assign(L::numLoops, 0);
    int64_t flops = 2;
    for (int64_t r : ranges)
      flops *= r;
    int64_t rowsPerTask = ranges[L::oh];
    if (cores > 1 && flops >= (int64_t(1) << 22)) {
      int64_t blocks = ranges[L::n] * ranges[L::fo];
      if (ranges[L::n] > 1)
        tiles.parallel[L::n] = 1;
      if (ranges[L::fo] > 1)
        tiles.parallel[L::fo] = 1;
      int64_t wanted = 2 * cores;
      if (blocks < wanted) {
        int64_t pieces = std::min<int64_t>((wanted + blocks - 1) / blocks, ranges[L::oh]);
        rowsPerTask = (ranges[L::oh] + pieces - 1) / pieces;
        rowsPerTask = dividingTile(ranges[L::oh], rowsPerTask, 1, 1).value_or(rowsPerTask);
        tiles.parallel[L::oh] = rowsPerTask;
      }
      if (blocks * ((ranges[L::oh] + rowsPerTask - 1) / rowsPerTask) < 2) {
        tiles.parallel.assign(L::numLoops, 0);
        rowsPerTask = ranges[L::oh];
      }
    }
    tiles.cache.assign(L::numLoops, 1);
    tiles.cache[L::oh] = rowsPerTask;
    tiles.cache[L::ow] = ranges[L::ow];
    tiles.cache[L::fi] = fb;
    tiles.cache[L::co] = chunk;
    tiles.cache[L::kh] = ranges[L::kh];
    tiles.cache[L::kw] = ranges[L::kw];
    tiles.cache[L::ci] = ranges[L::ci];
    tiles.reg.assign(L::numLoops, 1);
    tiles.reg[L::ow] = rows;
    tiles.reg[L::fi] = fb;
    // Cache loops: the filter chunk (co) outside the pixels; register loops:
    // the pixels, then every reduction loop innermost, around one tile.
    tiles.cacheOrder = {L::n, L::fo, L::co, L::oh, L::ow, L::fi, L::kh, L::kw, L::ci};
    tiles.regOrder = {L::n, L::fo, L::oh, L::ow, L::fi, L::co, L::kh, L::kw, L::ci};
    tiles.vectorDims = {L::ow, L::fi};
    return tiles;
  }
};

} // namespace
