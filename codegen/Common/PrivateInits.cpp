//===- PrivateInits.cpp - One initial value per accumulating op -----------===//
//
// See KilnPrivateInits in Passes.td. One-shot bufferization writes an op
// into its init's buffer only when nothing else still needs that value;
// an init shared by two ops (CSE merges equal bias broadcasts: every conv
// of a model whose folded biases are all zero) costs a copy of the whole
// output per op, and three when the op is split into parallel tasks and a
// rest. Upstream has no pass that undoes CSE for this.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNPRIVATEINITS
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

constexpr StringLiteral kPrivateInitAttr = "kiln.private_init";

/// A producer cheap enough to compute once per user: a fill, or an
/// all-parallel op into a fresh tensor whose inputs all have a lower rank
/// than its result (a broadcast, e.g. of a bias).
bool isCheapInit(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() || op->getNumResults() != 1 ||
      linalgOp.getNumLoops() != linalgOp.getNumParallelLoops())
    return false;
  for (Value init : linalgOp.getDpsInits())
    if (!init.getDefiningOp<tensor::EmptyOp>())
      return false;
  if (isa<linalg::FillOp>(op))
    return true;
  int64_t rank = cast<ShapedType>(op->getResult(0).getType()).getRank();
  return llvm::all_of(linalgOp.getDpsInputs(), [&](Value in) {
    auto shaped = dyn_cast<ShapedType>(in.getType());
    return !shaped || shaped.getRank() < rank;
  });
}

struct KilnPrivateInits : kiln::impl::KilnPrivateInitsBase<KilnPrivateInits> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<OpOperand *> shared;
    getOperation().walk([&](DestinationStyleOpInterface user) {
      for (OpOperand &init : user.getDpsInitsMutable())
        if (isCheapInit(init.get().getDefiningOp()) && !init.get().hasOneUse())
          shared.push_back(&init);
    });
    OpBuilder builder(&getContext());
    int64_t next = 0;
    for (OpOperand *init : shared) {
      Operation *producer = init->get().getDefiningOp();
      if (init->get().hasOneUse())
        continue; // the last user keeps the original
      builder.setInsertionPoint(producer);
      IRMapping mapping;
      for (Value dest : cast<DestinationStyleOpInterface>(producer).getDpsInits())
        mapping.map(dest, builder.clone(*dest.getDefiningOp())->getResult(0));
      Operation *copy = builder.clone(*producer, mapping);
      // Distinct, so CSE does not merge the copies back.
      copy->setAttr(kPrivateInitAttr, builder.getI64IntegerAttr(next++));
      init->set(copy->getResult(0));
    }
  }
};

} // namespace
