//===- Tiles.h - How a contraction is tiled on the CPU -----------*- C++ -*-===//
//
// The tile sizes kiln-cpu-select-tiles chooses for a contraction and
// kiln-cpu-tile-contractions applies, kept on the op (and then on its
// outermost cache loop, or on its tasks' loop when it has no cache loop) as
// the `kiln.tiles` attribute, so `--emit=loops` and `--report` show them and
// lit tests can pin them:
//
//   kiln.tiles = {parallel = array<i64: 0, 96, 0>,
//                 cache = array<i64: 64, 96, 256>, cache_order = array<i64: 1, 2, 0>,
//                 register = array<i64: 8, 32, 1>, register_order = array<i64: 0, 1, 2>}
//
// Sizes are per loop of the op (its iteration space, in loop order); the
// orders are the loop nests' orders, outermost first. `parallel` (optional)
// tiles the op's parallel outer dims into the tasks of one scf.forall (0:
// that dim is not split); the cache tiles are then taken within each task.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_TILES_H
#define KILN_CODEGEN_CPU_TILES_H

#include "mlir/IR/BuiltinAttributes.h"

#include <optional>

namespace mlir::kiln {

inline constexpr llvm::StringLiteral kTilesAttr = "kiln.tiles";

struct ContractionTiles {
  /// Task-level tiles (one scf.forall over the whole op; empty or all 0:
  /// none), cache-level tiles (one loop nest within a task) and
  /// register-level tiles (one nest within a cache tile; its shape is the
  /// vector shape).
  SmallVector<int64_t> parallel, cache, reg;
  SmallVector<int64_t> cacheOrder, regOrder;
  /// Not kept in the attribute: the dims vectors span (m, n).
  SmallVector<unsigned> vectorDims;

  DictionaryAttr toAttr(MLIRContext *ctx) const;
  /// Nullopt if `attr` is not a valid kiln.tiles for an op with `numLoops`
  /// loops.
  static std::optional<ContractionTiles> fromAttr(Attribute attr, unsigned numLoops);
};

/// The register tile of an f32 matmul with `m` rows and `n` columns: two
/// vectors along n, and as many rows as keep every accumulator in a register
/// (2 per row) with two more registers for the rows of B and one for the
/// broadcast of A. 8 x 32 with AVX-512's 32 zmm registers, 6 x 16 with
/// AVX2's 16. Narrower than a vector (n < lanes) there is none: nullopt.
struct RegisterTile {
  int64_t rows, cols;
};
std::optional<RegisterTile> selectRegisterTile(int64_t m, int64_t n, int64_t vectorBits,
                                               int64_t vectorRegisters);

/// The fraction of an m x n output that full register tiles cover, the rest
/// being partial tiles (slower: fewer accumulators per load, or scalar).
double registerTileCoverage(int64_t m, int64_t n, int64_t vectorBits,
                            int64_t vectorRegisters);

/// The channel block of convolutions in the blocked layout
/// (kiln-cpu-blocked-convs): the register tile's width along the filters,
/// two vectors of f32 (32 with AVX-512, 16 with AVX2). 1 without vectors.
int64_t blockedConvBlock(int64_t vectorBits);

/// A convolution in the blocked layout, as kiln-cpu-blocked-convs builds
/// it: a linalg.generic with the loops below, over
///   input  [N, C/cb, H, W, cb]  at (n, co, oh*sh + kh*dh, ow*sw + kw*dw, ci),
///   filter [F/fb, C/cb, KH, KW, cb, fb] at (fo, co, kh, kw, ci, fi),
///   output [N, F/fb, OH, OW, fb] at (n, fo, oh, ow, fi),
/// that adds input * filter into the output.
struct BlockedConv {
  enum Loop : unsigned { n, fo, oh, ow, fi, co, kh, kw, ci, numLoops };
  /// The stride of ow in the input's W dim.
  int64_t strideW;
};
std::optional<BlockedConv> matchBlockedConv(Operation *op);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_CPU_TILES_H
