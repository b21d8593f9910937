//===- PlanMemory.cpp - One scratch buffer for all temporaries ------------===//
//
// Static memory planning: every buffer the bufferized model allocates gets a
// fixed offset in one scratch buffer, chosen so that buffers live at the same
// time never overlap. See codegen/Passes.td for why this is Kiln's own pass.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/Passes.h"
#include "ir/Shapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNPLANMEMORY
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

int64_t alignTo(int64_t n, int64_t a) { return (n + a - 1) / a * a; }

/// A buffer to place: its size and the positions (in the entry block) of its
/// first and last use, inclusive.
struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes;
  int64_t first, last;
  int64_t offset = -1;
};

/// Bytes of a statically shaped memref (sub-byte elements take a byte each,
/// as in the LLVM lowering).
int64_t sizeInBytes(MemRefType t) {
  int64_t elementBytes = (t.getElementTypeBitWidth() + 7) / 8;
  return t.getNumElements() * elementBytes;
}

/// The position of the last op in `block` that uses `root` or a value
/// derived from it. Any op with memref results that consumes an alias is
/// conservatively taken to produce aliases too (views, casts, selects).
int64_t lastUse(Value root, Block &block,
                const DenseMap<Operation *, int64_t> &position) {
  int64_t last = -1;
  SetVector<Value> aliases;
  aliases.insert(root);
  for (size_t i = 0; i < aliases.size(); ++i) {
    for (OpOperand &use : aliases[i].getUses()) {
      Operation *user = block.findAncestorOpInBlock(*use.getOwner());
      if (user)
        last = std::max(last, position.lookup(user));
      for (Value r : use.getOwner()->getResults())
        if (isa<BaseMemRefType>(r.getType()))
          aliases.insert(r);
    }
  }
  return last;
}

/// Greedy placement: largest first, each at the lowest aligned offset free
/// of every already-placed buffer whose live range intersects its own.
int64_t place(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &b : buffers)
    order.push_back(&b);
  llvm::stable_sort(order, [](Buffer *a, Buffer *b) { return a->bytes > b->bytes; });
  SmallVector<Buffer *> placed;
  int64_t total = 0;
  for (Buffer *b : order) {
    SmallVector<std::pair<int64_t, int64_t>> busy; // [begin, end) in bytes
    for (Buffer *p : placed)
      if (p->first <= b->last && b->first <= p->last)
        busy.push_back({p->offset, p->offset + p->bytes});
    llvm::sort(busy);
    int64_t offset = 0;
    for (auto [begin, end] : busy) {
      if (offset + b->bytes <= begin)
        break;
      offset = std::max(offset, alignTo(end, KILN_SCRATCH_ALIGNMENT));
    }
    b->offset = offset;
    total = std::max(total, offset + b->bytes);
    placed.push_back(b);
  }
  return alignTo(total, KILN_SCRATCH_ALIGNMENT);
}

struct KilnPlanMemory : kiln::impl::KilnPlanMemoryBase<KilnPlanMemory> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (!abi::isEntryFunction(fn))
        continue;
      FailureOr<int64_t> bytes = planFunction(fn);
      if (failed(bytes))
        return signalPassFailure();
      fn->setAttr(abi::kScratchBytesAttr,
                  IntegerAttr::get(IntegerType::get(&getContext(), 64), *bytes));
    }
  }

  FailureOr<int64_t> planFunction(func::FuncOp fn) {
    Block &block = fn.getBody().front();
    DenseMap<Operation *, int64_t> position;
    int64_t index = 0;
    for (Operation &op : block)
      position[&op] = index++;

    SmallVector<Buffer> buffers;
    WalkResult walk = fn.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (alloc->getBlock() != &block) {
        alloc.emitOpError("allocates inside a loop or region; kiln-plan-memory "
                          "needs every allocation at the function's top level");
        return WalkResult::interrupt();
      }
      if (!type.hasStaticShape() || !type.getLayout().isIdentity()) {
        alloc.emitOpError("needs a static shape and identity layout to be "
                          "planned, got ")
            << type;
        return WalkResult::interrupt();
      }
      int64_t first = position.lookup(alloc);
      buffers.push_back({alloc, sizeInBytes(type), first,
                         std::max(first, lastUse(alloc, block, position))});
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    if (buffers.empty())
      return 0;

    int64_t total = place(buffers);
    if (total > maxBytes) {
      Buffer largest = *llvm::max_element(
          buffers, [](const Buffer &a, const Buffer &b) { return a.bytes < b.bytes; });
      // The alloc carries the location of the op whose result it holds.
      return emitError(largest.alloc.getLoc())
             << "the model needs " << formatBytes(total)
             << " of scratch memory, over the memory limit of "
             << formatBytes(maxBytes) << " (--memory-limit); the largest buffer, "
             << formatBytes(largest.bytes) << " (" << largest.alloc.getType()
             << "), holds the result of this node";
    }
    MLIRContext *ctx = &getContext();
    auto scratchType = MemRefType::get({total}, IntegerType::get(ctx, 8));
    fn.insertArgument(fn.getNumArguments(), scratchType, DictionaryAttr(),
                      fn.getLoc());
    BlockArgument scratch = block.getArguments().back();

    for (Buffer &b : buffers) {
      OpBuilder builder(b.alloc);
      Value offset = builder.create<arith::ConstantIndexOp>(b.alloc.getLoc(),
                                                            b.offset);
      Value view = builder.create<memref::ViewOp>(
          b.alloc.getLoc(), b.alloc.getType(), scratch, offset, ValueRange());
      for (Operation *user : llvm::make_early_inc_range(b.alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      b.alloc.replaceAllUsesWith(view);
      b.alloc.erase();
    }
    return total;
  }
};

} // namespace
