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
      // The padded buffer, filled, before the producer, which then writes
      // its interior.
      rewriter.setInsertionPoint(producer);
      if (value.getParentBlock() == pad.getBody())
        value = rewriter.clone(*value.getDefiningOp())->getResult(0);
      RankedTensorType type = pad.getResultType();
      Value empty = rewriter.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
      Value filled = rewriter.create<linalg::FillOp>(loc, value, empty).getResult(0);
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
