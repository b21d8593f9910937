//===- Tiles.cpp - How a contraction is tiled on the CPU ------------------===//

#include "codegen/CPU/Tiles.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::kiln;

DictionaryAttr ContractionTiles::toAttr(MLIRContext *ctx) const {
  Builder b(ctx);
  return b.getDictionaryAttr({
      b.getNamedAttr("cache", b.getDenseI64ArrayAttr(cache)),
      b.getNamedAttr("cache_order", b.getDenseI64ArrayAttr(cacheOrder)),
      b.getNamedAttr("register", b.getDenseI64ArrayAttr(reg)),
      b.getNamedAttr("register_order", b.getDenseI64ArrayAttr(regOrder)),
  });
}

/// True if `order` is a permutation of [0, n).
static bool isPermutation(ArrayRef<int64_t> order, unsigned n) {
  if (order.size() != n)
    return false;
  SmallVector<bool> seen(n, false);
  for (int64_t d : order) {
    if (d < 0 || d >= n || seen[d])
      return false;
    seen[d] = true;
  }
  return true;
}

std::optional<ContractionTiles> ContractionTiles::fromAttr(Attribute attr,
                                                           unsigned numLoops) {
  auto dict = dyn_cast_or_null<DictionaryAttr>(attr);
  if (!dict)
    return std::nullopt;
  auto get = [&](StringRef name) {
    return dyn_cast_or_null<DenseI64ArrayAttr>(dict.get(name));
  };
  auto cache = get("cache"), reg = get("register");
  auto cacheOrder = get("cache_order"), regOrder = get("register_order");
  if (!cache || !reg || !cacheOrder || !regOrder || cache.size() != numLoops ||
      reg.size() != numLoops || !isPermutation(cacheOrder, numLoops) ||
      !isPermutation(regOrder, numLoops))
    return std::nullopt;
  ContractionTiles t;
  t.cache.assign(cache.asArrayRef().begin(), cache.asArrayRef().end());
  t.reg.assign(reg.asArrayRef().begin(), reg.asArrayRef().end());
  t.cacheOrder.assign(cacheOrder.asArrayRef().begin(), cacheOrder.asArrayRef().end());
  t.regOrder.assign(regOrder.asArrayRef().begin(), regOrder.asArrayRef().end());
  for (unsigned d = 0; d < numLoops; ++d)
    if (t.cache[d] < 1 || t.reg[d] < 1 || t.reg[d] > t.cache[d])
      return std::nullopt;
  return t;
}
