//===- PlaceOutputs.cpp - Compute results in the caller's output buffers --===//
//
// See KilnPlaceOutputs in codegen/Passes.td.
//
// Upstream's empty-tensor elimination can put a result straight into its
// output buffer before bufferization, but for a memref destination it relies
// on `to_tensor restrict`, a promise the one-shot analysis cannot check: when
// a tensor on a result's destination chain has other users (CSE merges the
// zero fills of sibling matmuls), another result is computed into the same
// output buffer and overwritten (a silent wrong answer, seen). This pass
// makes the same saving after bufferization, on memrefs, where the condition
// for it is local and can be checked exactly.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNPLACEOUTPUTS
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// `value` and every memref derived from it (views, casts: any op taking an
/// alias and returning a memref is assumed to return one too).
SetVector<Value> aliasesOf(Value value) {
  SetVector<Value> aliases;
  aliases.insert(value);
  for (size_t i = 0; i < aliases.size(); ++i)
    for (Operation *user : aliases[i].getUsers())
      for (Value r : user->getResults())
        if (isa<BaseMemRefType>(r.getType()))
          aliases.insert(r);
  return aliases;
}

/// The single copy into `out`, if that is `out`'s only use: its source.
/// (Bufferization writes each result that is not computed in place with one
/// linalg.copy.)
Operation *soleCopyInto(BlockArgument out, Value &source) {
  if (!out.hasOneUse())
    return nullptr;
  Operation *user = *out.getUsers().begin();
  if (auto copy = dyn_cast<linalg::CopyOp>(user)) {
    if (copy.getOutputs().size() != 1 || copy.getOutputs()[0] != out)
      return nullptr;
    source = copy.getInputs()[0];
    return copy;
  }
  if (auto copy = dyn_cast<memref::CopyOp>(user)) {
    if (copy.getTarget() != out)
      return nullptr;
    source = copy.getSource();
    return copy;
  }
  return nullptr;
}

/// Whether `type` is a static memref with the identity layout: a reshape of
/// it keeps its elements in the same places.
bool isPlainBuffer(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getLayout().isIdentity();
}

/// Computes `out` in place of the buffer copied into it, when that is
/// exactly equivalent: the source is a whole, fresh allocation in the
/// function's top block, or a reshape of one (collapse_shape/expand_shape
/// of plain buffers: a product computed in panels [M, N/nr, nr] and read as
/// [M, N]), of `out`'s type; `out` has no other use, and nothing touches the
/// allocation (or any alias) after the copy. Every access to the allocation
/// then becomes an access to `out` (through the inverse reshapes), in the
/// same order; `out` overlaps no other buffer (the ABI's contract), so no
/// other access sees a difference, and `out` ends with the value the copy
/// would have given it.
bool placeOutput(BlockArgument out) {
  Value source;
  Operation *copy = soleCopyInto(out, source);
  if (!copy)
    return false;
  Block *block = out.getOwner();
  if (source.getType() != out.getType() || !isPlainBuffer(out.getType()))
    return false;
  // The reshapes between the allocation and the copy, the copy's side first.
  SmallVector<Operation *> reshapes;
  Value root = source;
  while (Operation *def = root.getDefiningOp()) {
    if (!isa<memref::CollapseShapeOp, memref::ExpandShapeOp>(def) || def->getBlock() != block ||
        !isPlainBuffer(def->getOperand(0).getType()) || !isPlainBuffer(def->getResult(0).getType()))
      break;
    reshapes.push_back(def);
    root = def->getOperand(0);
  }
  auto alloc = root.getDefiningOp<memref::AllocOp>();
  if (!alloc || alloc->getBlock() != block || copy->getBlock() != block)
    return false;
  for (Value alias : aliasesOf(alloc))
    for (Operation *user : alias.getUsers()) {
      if (user == copy || isa<memref::DeallocOp>(user))
        continue;
      Operation *top = block->findAncestorOpInBlock(*user);
      // Unknown control flow (a use outside this block), or a use after
      // the copy: the allocation outlives the copy; keep both.
      if (!top || !top->isBeforeInBlock(copy))
        return false;
    }
  // `out` seen as the allocation: each reshape undone, the copy's side first.
  OpBuilder builder(alloc);
  Value place = out;
  for (Operation *reshape : reshapes) {
    Type before = reshape->getOperand(0).getType();
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(reshape))
      place = builder.create<memref::ExpandShapeOp>(reshape->getLoc(), before, place,
                                                    collapse.getReassociationIndices());
    else
      place = builder.create<memref::CollapseShapeOp>(
          reshape->getLoc(), before, place,
          cast<memref::ExpandShapeOp>(reshape).getReassociationIndices());
  }
  for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
    if (isa<memref::DeallocOp>(user))
      user->erase();
  copy->erase();
  alloc.replaceAllUsesWith(place);
  alloc.erase();
  for (Operation *reshape : reshapes)
    if (reshape->use_empty())
      reshape->erase();
  return true;
}

struct KilnPlaceOutputs
    : kiln::impl::KilnPlaceOutputsBase<KilnPlaceOutputs> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>())
      for (auto [out, name] : abi::getOutputArguments(fn))
        placeOutput(out);
  }
};

} // namespace
