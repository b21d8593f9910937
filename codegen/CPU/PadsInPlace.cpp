//===- PadsInPlace.cpp - Producers that write into their padded buffer ----===//
//
// See KilnCPUPadsInPlace in codegen/CPU/Passes.td. Upstream's empty-tensor
// elimination would do this, but Kiln does not run it (codegen/Pipeline.cpp
// says why); this is the one case of it that pays, applied where it is safe
// by construction: the pad's source is written into a tensor.empty.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUPADSINPLACE
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The init of the op computing `value` when it is a tensor.empty (possibly
/// merged by CSE with other ops' empty inits): the op may write `value`
/// into any buffer of its type.
/// (An scf.for's result is its loop-carried value's: a tiled op that runs
/// as one task.)
OpOperand *freshDestination(Value value) {
  auto result = dyn_cast<OpResult>(value);
  if (!result)
    return nullptr;
  OpOperand *init = nullptr;
  if (auto loop = dyn_cast<scf::ForOp>(result.getOwner()))
    init = loop.getTiedLoopInit(result);
  else if (auto dps = dyn_cast<DestinationStyleOpInterface>(result.getOwner()); dps && dps.hasPureTensorSemantics())
    init = dps.getTiedOpOperand(result);
  return init && init->get().getDefiningOp<tensor::EmptyOp>() ? init : nullptr;
}

/// `buffer` with every element outside the box [low, low + interior)
/// set to `value`, and the box left to be written: per padded dim, a slab
/// below and one above the box (within the box along the dims before, whole
/// along the dims after), each a fill of its own inserted into the buffer.
/// Filling the whole buffer instead would write it twice: a depthwise
/// convolution's 114x114 input padded by one pixel has 3.5% of its
/// elements in the border (MobileNetV2 spent 6% of its time in those
/// fills). Each slab is filled in a tensor of its own, not in a slice of
/// `buffer`: the buffer keeps one use, the padded tensor.empty that
/// kiln-entry-points would otherwise give each use a copy of.
Value fillBorder(RewriterBase &rewriter, Location loc, Value buffer, Value value, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> interior) {
  auto type = cast<RankedTensorType>(buffer.getType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = rewriter.getContext();
  SmallVector<OpFoldResult> ones = getAsIndexOpFoldResult(ctx, SmallVector<int64_t>(rank, 1));
  for (int64_t d = 0; d < rank; ++d) {
    int64_t high = type.getDimSize(d) - low[d] - interior[d];
    for (auto [start, extent] : {std::pair(int64_t(0), low[d]), std::pair(low[d] + interior[d], high)}) {
      if (extent == 0)
        continue;
      SmallVector<int64_t> offsets(rank, 0), sizes(type.getShape());
      for (int64_t e = 0; e < d; ++e) {
        offsets[e] = low[e];
        sizes[e] = interior[e];
      }
      offsets[d] = start;
      sizes[d] = extent;
      Value slab = rewriter.create<tensor::EmptyOp>(loc, sizes, type.getElementType());
      slab = rewriter.create<linalg::FillOp>(loc, value, slab).getResult(0);
      buffer = rewriter.create<tensor::InsertSliceOp>(loc, slab, buffer, getAsIndexOpFoldResult(ctx, offsets),
                                                      getAsIndexOpFoldResult(ctx, sizes), ones);
    }
  }
  return buffer;
}

struct KilnCPUPadsInPlace : kiln::impl::KilnCPUPadsInPlaceBase<KilnCPUPadsInPlace> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::pair<tensor::PadOp, OpOperand *>> pads;
    llvm::SmallPtrSet<OpOperand *, 8> claimed; // a value padded twice: the first pad
    getOperation().walk([&](tensor::PadOp pad) {
      if (!pad.getResultType().hasStaticShape() || !pad.getSourceType().hasStaticShape() || pad.getNofold())
        return;
      Value value = pad.getConstantPaddingValue();
      OpOperand *destination = freshDestination(pad.getSource());
      if (!value || !destination || destination->getOwner()->getBlock() != pad->getBlock())
        return;
      // The value must be available before the producer.
      if (value.getParentBlock() == pad.getBody() ? !value.getDefiningOp()
                                                   : value.getDefiningOp() && value.getParentBlock() == pad->getBlock() &&
                                                         destination->getOwner()->isBeforeInBlock(value.getDefiningOp()))
        return;
      if (claimed.insert(destination).second)
        pads.push_back({pad, destination});
    });
    IRRewriter rewriter(&getContext());
    for (auto [pad, destination] : pads) {
      Location loc = pad.getLoc();
      Operation *producer = destination->getOwner();
      Value value = pad.getConstantPaddingValue();
      // The padded buffer's border, filled, before the producer, which then
      // writes its interior.
      rewriter.setInsertionPoint(producer);
      if (value.getParentBlock() == pad.getBody())
        value = rewriter.clone(*value.getDefiningOp())->getResult(0);
      RankedTensorType type = pad.getResultType();
      Value empty = rewriter.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
      Value filled = fillBorder(rewriter, loc, empty, value, pad.getStaticLow(), pad.getSourceType().getShape());
      MLIRContext *ctx = &getContext();
      SmallVector<OpFoldResult> offsets = getAsIndexOpFoldResult(ctx, pad.getStaticLow());
      SmallVector<OpFoldResult> sizes = getAsIndexOpFoldResult(ctx, pad.getSourceType().getShape());
      SmallVector<OpFoldResult> ones = getAsIndexOpFoldResult(ctx, SmallVector<int64_t>(type.getRank(), 1));
      Value interior = rewriter.create<tensor::ExtractSliceOp>(loc, filled, offsets, sizes, ones);
      Operation *fresh = destination->get().getDefiningOp();
      rewriter.modifyOpInPlace(producer, [&] { destination->set(interior); });
      if (fresh->use_empty())
        rewriter.eraseOp(fresh);
      // The source back in place: one-shot bufferization sees the same
      // slice of the same buffer and copies nothing.
      rewriter.setInsertionPoint(pad);
      rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(pad, pad.getSource(), filled, offsets, sizes, ones);
    }
  }
};

} // namespace
