//===- PrefetchFilters.cpp - Fetch a blocked filter's next chunk early ----===//
//
// See KilnCPUPrefetchFilters in codegen/CPU/Passes.td. Upstream has the op
// (memref.prefetch) but no policy that places it, and LLVM's loop data
// prefetch pass is off for x86 and would prefetch every strided stream.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUPREFETCHFILTERS
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The blocked filter layout kiln-cpu-blocked-convs makes: [F/fb, C/cb, KH,
/// KW, cb, fb], with static sizes.
constexpr int64_t kFilterRank = 6;
constexpr int64_t kChunkDim = 1;

/// Bytes of the buffer a chain of subviews starts from; 0 if not static.
int64_t rootBytes(Value memref) {
  while (auto view = memref.getDefiningOp<memref::SubViewOp>())
    memref = view.getSource();
  auto type = cast<MemRefType>(memref.getType());
  if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return 0;
  return type.getNumElements() * type.getElementTypeBitWidth() / 8;
}

/// A chunk of a blocked filter: a subview that takes `step` channel blocks
/// at the induction variable of an enclosing loop stepping by `step`, and
/// the whole of every inner dim.
struct Chunk {
  memref::SubViewOp view;
  scf::ForOp loop;
};

std::optional<Chunk> matchChunk(memref::SubViewOp view) {
  auto source = cast<MemRefType>(view.getSource().getType());
  if (source.getRank() != kFilterRank || !source.hasStaticShape() ||
      view.getType().getRank() != kFilterRank || !view.hasUnitStride())
    return std::nullopt;
  SmallVector<OpFoldResult> offsets = view.getMixedOffsets();
  auto iv = dyn_cast_if_present<BlockArgument>(offsets[kChunkDim].dyn_cast<Value>());
  if (!iv)
    return std::nullopt;
  auto loop = dyn_cast<scf::ForOp>(iv.getOwner()->getParentOp());
  if (!loop || loop.getInductionVar() != iv)
    return std::nullopt;
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  ArrayRef<int64_t> sizes = view.getStaticSizes();
  if (!step || sizes[kChunkDim] != *step)
    return std::nullopt;
  for (int64_t d = kChunkDim + 1; d < kFilterRank; ++d)
    if (sizes[d] != source.getDimSize(d) || getConstantIntValue(offsets[d]) != 0)
      return std::nullopt;
  return Chunk{view, loop};
}

struct KilnCPUPrefetchFilters : kiln::impl::KilnCPUPrefetchFiltersBase<KilnCPUPrefetchFilters> {
  using Base::Base;

  /// The next-chunk subview made for each chunk subview (nextChunk).
  DenseMap<Operation *, Value> nextChunks;

  void runOnOperation() override {
    nextChunks.clear();
    SmallVector<vector::TransferReadOp> reads;
    getOperation().walk([&](vector::TransferReadOp read) { reads.push_back(read); });
    for (vector::TransferReadOp read : reads)
      prefetchNextChunk(read);
  }

  /// The chunk the loop takes after `chunk`, or the last chunk itself (a
  /// prefetch of what is already there costs one issue slot), so that the
  /// prefetches stay in bounds: a subview made once per chunk, next to it,
  /// for every read of the chunk.
  Value nextChunk(Chunk chunk) {
    Value &next = nextChunks[chunk.view];
    if (next)
      return next;
    OpBuilder b(chunk.view->getContext());
    b.setInsertionPointAfter(chunk.view);
    Location loc = chunk.view.getLoc();
    scf::ForOp loop = chunk.loop;
    Value iv = loop.getInductionVar();
    Value start = b.create<arith::AddIOp>(loc, iv, loop.getStep());
    Value last = b.create<arith::SubIOp>(loc, loop.getUpperBound(), loop.getStep());
    start = b.create<arith::MaxSIOp>(loc, b.create<arith::MinSIOp>(loc, start, last), iv);
    SmallVector<OpFoldResult> offsets = chunk.view.getMixedOffsets();
    offsets[kChunkDim] = start;
    next = b.create<memref::SubViewOp>(loc, chunk.view.getType(), chunk.view.getSource(), offsets,
                                       chunk.view.getMixedSizes(), chunk.view.getMixedStrides());
    return next;
  }

  /// Before `read`, if it reads a chunk of a blocked filter too large to
  /// stay in L2: prefetch, into L2, the elements at the same place in the
  /// chunk the loop takes next.
  void prefetchNextChunk(vector::TransferReadOp read) {
    auto memrefType = dyn_cast<MemRefType>(read.getSource().getType());
    if (!memrefType || !read.getPermutationMap().isMinorIdentity() ||
        read.getVectorType().getRank() != 1)
      return;
    // The subviews from the chunk down to the read, innermost first.
    SmallVector<memref::SubViewOp> chain;
    std::optional<Chunk> chunk;
    auto view = read.getSource().getDefiningOp<memref::SubViewOp>();
    for (; view && !(chunk = matchChunk(view)); view = view.getSource().getDefiningOp<memref::SubViewOp>())
      chain.push_back(view);
    if (!chunk || rootBytes(chunk->view.getSource()) < minBytes)
      return;

    // The read's subviews again, on the next chunk.
    OpBuilder b(read);
    Location loc = read.getLoc();
    Value next = nextChunk(*chunk);
    IRMapping mapping;
    mapping.map(chunk->view.getResult(), next);
    for (memref::SubViewOp inner : llvm::reverse(chain))
      next = b.clone(*inner, mapping)->getResult(0);
    // One prefetch per cache line the vector spans.
    int64_t elementBytes = memrefType.getElementTypeBitWidth() / 8;
    int64_t bytes = read.getVectorType().getNumElements() * elementBytes;
    SmallVector<Value> indices(read.getIndices());
    Value lastIndex = indices.back();
    for (int64_t offset = 0; offset < bytes; offset += lineBytes) {
      int64_t lane = offset / elementBytes;
      if (offset != 0) {
        std::optional<int64_t> first = getConstantIntValue(lastIndex);
        indices.back() = first ? b.create<arith::ConstantIndexOp>(loc, *first + lane).getResult()
                               : b.create<arith::AddIOp>(loc, lastIndex,
                                                         b.create<arith::ConstantIndexOp>(loc, lane));
      }
      b.create<memref::PrefetchOp>(loc, next, indices, /*isWrite=*/false, /*localityHint=*/2,
                                   /*isDataCache=*/true);
    }
  }
};

} // namespace
