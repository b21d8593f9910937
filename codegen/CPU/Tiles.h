//===- Tiles.h - How a contraction is tiled on the CPU -----------*- C++ -*-===//
//
// The tile sizes kiln-cpu-select-tiles chooses for a contraction and
// kiln-cpu-tile-contractions applies, kept on the op (and then on its
// outermost tile loop) as the `kiln.tiles` attribute, so `--emit=loops`
// shows them and lit tests can pin them:
//
//   kiln.tiles = {cache = array<i64: 64, 256, 256>, cache_order = array<i64: 1, 2, 0>,
//                 register = array<i64: 8, 32, 1>, register_order = array<i64: 0, 1, 2>}
//
// Sizes are per loop of the op (its iteration space, in loop order); the
// orders are the loop nests' orders, outermost first.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_TILES_H
#define KILN_CODEGEN_CPU_TILES_H

#include "mlir/IR/BuiltinAttributes.h"

#include <optional>

namespace mlir::kiln {

inline constexpr llvm::StringLiteral kTilesAttr = "kiln.tiles";

struct ContractionTiles {
  /// Cache-level tiles (one loop nest over the whole op) and register-level
  /// tiles (one nest within a cache tile; its shape is the vector shape).
  SmallVector<int64_t> cache, reg;
  SmallVector<int64_t> cacheOrder, regOrder;
  /// Not kept in the attribute: the dims vectors span (m, n).
  SmallVector<unsigned> vectorDims;

  DictionaryAttr toAttr(MLIRContext *ctx) const;
  /// Nullopt if `attr` is not a valid kiln.tiles for an op with `numLoops`
  /// loops.
  static std::optional<ContractionTiles> fromAttr(Attribute attr, unsigned numLoops);
};

} // namespace mlir::kiln

#endif // KILN_CODEGEN_CPU_TILES_H
