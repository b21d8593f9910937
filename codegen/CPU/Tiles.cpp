//===- Tiles.cpp - How a contraction is tiled on the CPU ------------------===//

#include "codegen/CPU/Tiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::kiln;

DictionaryAttr ContractionTiles::toAttr(MLIRContext *ctx) const {
  Builder b(ctx);
  SmallVector<NamedAttribute> entries;
  if (llvm::any_of(parallel, [](int64_t s) { return s != 0; }))
    entries.push_back(b.getNamedAttr("parallel", b.getDenseI64ArrayAttr(parallel)));
  entries.append({
      b.getNamedAttr("cache", b.getDenseI64ArrayAttr(cache)),
      b.getNamedAttr("cache_order", b.getDenseI64ArrayAttr(cacheOrder)),
      b.getNamedAttr("register", b.getDenseI64ArrayAttr(reg)),
      b.getNamedAttr("register_order", b.getDenseI64ArrayAttr(regOrder)),
  });
  return b.getDictionaryAttr(entries);
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
  if (auto parallel = get("parallel")) {
    if (parallel.size() != numLoops)
      return std::nullopt;
    t.parallel.assign(parallel.asArrayRef().begin(), parallel.asArrayRef().end());
    for (unsigned d = 0; d < numLoops; ++d)
      if (t.parallel[d] < 0 || (t.parallel[d] > 0 && t.parallel[d] < t.cache[d]))
        return std::nullopt;
  }
  return t;
}

std::optional<RegisterTile> mlir::kiln::selectRegisterTile(int64_t m, int64_t n,
                                                           int64_t vectorBits,
                                                           int64_t vectorRegisters) {
  int64_t lanes = std::max<int64_t>(1, vectorBits / 32);
  if (n < lanes || m < 1)
    return std::nullopt;
  int64_t cols = n >= 2 * lanes ? 2 * lanes : lanes;
  int64_t rows = std::min<int64_t>(8, std::max<int64_t>(1, (vectorRegisters - 3) / 2));
  if (m < rows) {
    // The largest power of two <= m.
    int64_t p = 1;
    while (p * 2 <= m)
      p *= 2;
    rows = p;
  }
  return RegisterTile{rows, cols};
}

double mlir::kiln::registerTileCoverage(int64_t m, int64_t n, int64_t vectorBits,
                                        int64_t vectorRegisters) {
  std::optional<RegisterTile> tile = selectRegisterTile(m, n, vectorBits, vectorRegisters);
  if (!tile)
    return 0.0;
  double full = static_cast<double>(m / tile->rows * tile->rows) *
                static_cast<double>(n / tile->cols * tile->cols);
  return full / (static_cast<double>(m) * static_cast<double>(n));
}

int64_t mlir::kiln::blockedConvBlock(int64_t vectorBits) {
  int64_t lanes = vectorBits / 32;
  return lanes > 1 ? 2 * lanes : 1;
}

std::optional<BlockedConv> mlir::kiln::matchBlockedConv(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumLoops() != BlockedConv::numLoops || generic.getNumDpsInputs() != 2 ||
      generic.getNumDpsInits() != 1)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = generic.getIteratorTypesArray();
  for (unsigned d = 0; d < BlockedConv::numLoops; ++d)
    if ((d < BlockedConv::co) != (iterators[d] == utils::IteratorType::parallel))
      return std::nullopt;
  MLIRContext *ctx = op->getContext();
  auto dims = [&](ArrayRef<unsigned> ds) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d : ds)
      exprs.push_back(getAffineDimExpr(d, ctx));
    return AffineMap::get(BlockedConv::numLoops, 0, exprs, ctx);
  };
  using L = BlockedConv;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (maps[1] != dims({L::fo, L::co, L::kh, L::kw, L::ci, L::fi}) ||
      maps[2] != dims({L::n, L::fo, L::oh, L::ow, L::fi}))
    return std::nullopt;
  AffineMap input = maps[0];
  if (input.getNumResults() != 5 || input.getResult(0) != getAffineDimExpr(L::n, ctx) ||
      input.getResult(1) != getAffineDimExpr(L::co, ctx) || input.getResult(4) != getAffineDimExpr(L::ci, ctx))
    return std::nullopt;
  // The window dims: linear in (oh, kh) and (ow, kw) alone.
  auto at = [&](ArrayRef<std::pair<unsigned, int64_t>> values) {
    SmallVector<int64_t> point(L::numLoops, 0);
    for (auto [d, v] : values)
      point[d] = v;
    return input.compose(point);
  };
  SmallVector<int64_t> origin = at({});
  SmallVector<int64_t> stepOW = at({{L::ow, 1}});
  if (origin[2] != 0 || origin[3] != 0 || !input.getResult(2).isFunctionOfDim(L::oh) ||
      !input.getResult(3).isFunctionOfDim(L::ow) || stepOW[3] < 1)
    return std::nullopt;
  for (unsigned d = 0; d < L::numLoops; ++d) {
    bool h = d == L::oh || d == L::kh, w = d == L::ow || d == L::kw;
    if ((!h && input.getResult(2).isFunctionOfDim(d)) || (!w && input.getResult(3).isFunctionOfDim(d)))
      return std::nullopt;
  }
  // The body: out + in * filter.
  Block &body = generic.getRegion().front();
  if (body.getOperations().size() != 3)
    return std::nullopt;
  auto mul = dyn_cast<arith::MulFOp>(body.getOperations().front());
  auto add = dyn_cast<arith::AddFOp>(*std::next(body.begin()));
  if (!mul || !add || mul.getLhs() != body.getArgument(0) || mul.getRhs() != body.getArgument(1) ||
      add.getLhs() != body.getArgument(2) || add.getRhs() != mul.getResult() ||
      body.getTerminator()->getOperand(0) != add.getResult())
    return std::nullopt;
  return BlockedConv{stepOW[3]};
}
