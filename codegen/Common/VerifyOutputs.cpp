//===- VerifyOutputs.cpp - No output's value is lost in a shared buffer ---===//
//
// See KilnVerifyOutputs in codegen/Passes.td. A check, not a transformation: it turns
// a bufferization mistake that would give a silent wrong answer into a
// failed compile.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNVERIFYOUTPUTS
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// How one top-level op touches one output buffer.
struct Access {
  bool reads = false;
  /// Writes the whole buffer without reading it: the value it held before
  /// is gone.
  bool overwrites = false;
  bool writes = false;
};

/// The buffer `value` views, and whether it views all of it (casts and
/// reshapes do; subviews and other views may not).
std::pair<Value, bool> rootOf(Value value) {
  bool whole = true;
  while (Operation *def = value.getDefiningOp()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      whole &= isa<memref::CastOp, memref::CollapseShapeOp,
                   memref::ExpandShapeOp>(def);
      value = view.getViewSource();
      continue;
    }
    break;
  }
  return {value, whole};
}

/// The accesses of `op` (and everything nested in it) to `buffers`.
void collectAccesses(Operation *op, const DenseMap<Value, unsigned> &buffers,
                     SmallVectorImpl<Access> &accesses) {
  op->walk([&](Operation *nested) {
    auto note = [&](Value value, bool read, bool write, bool overwrite) {
      auto [root, whole] = rootOf(value);
      auto it = buffers.find(root);
      if (it == buffers.end())
        return;
      Access &a = accesses[it->second];
      a.reads |= read;
      a.writes |= write;
      a.overwrites |= overwrite && whole && !read;
    };
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(nested)) {
      for (OpOperand *in : linalgOp.getDpsInputOperands())
        note(in->get(), /*read=*/true, false, false);
      for (OpOperand &init : linalgOp.getDpsInitsMutable()) {
        bool read = linalgOp.payloadUsesValueFromOperand(&init);
        note(init.get(), read, /*write=*/true, /*overwrite=*/true);
      }
      return;
    }
    if (auto copy = dyn_cast<memref::CopyOp>(nested)) {
      note(copy.getSource(), true, false, false);
      note(copy.getTarget(), false, true, true);
      return;
    }
    // Anything else that touches memory: a read and a partial write of each
    // memref operand (never an overwrite, so never a false alarm).
    if (isMemoryEffectFree(nested))
      return;
    for (Value operand : nested->getOperands())
      if (isa<BaseMemRefType>(operand.getType()))
        note(operand, true, true, false);
  });
}

struct KilnVerifyOutputs
    : kiln::impl::KilnVerifyOutputsBase<KilnVerifyOutputs> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (failed(verifyFunction(fn)))
        return signalPassFailure();
  }

  /// Walks the top-level ops in order, tracking for each output buffer the
  /// op that last wrote it and whether anything has read that value since.
  /// Overwriting a value nobody read means two values were given one
  /// buffer: the first is lost.
  LogicalResult verifyFunction(func::FuncOp fn) {
    auto outputs = abi::getOutputArguments(fn);
    if (outputs.empty())
      return success();
    DenseMap<Value, unsigned> buffers;
    for (auto [i, output] : llvm::enumerate(outputs))
      buffers[output.first] = i;
    SmallVector<Operation *> lastWriter(outputs.size(), nullptr);
    SmallVector<bool> readSinceWrite(outputs.size(), false);
    for (Operation &op : fn.getBody().front()) {
      SmallVector<Access> accesses(outputs.size());
      collectAccesses(&op, buffers, accesses);
      for (auto [i, a] : llvm::enumerate(accesses)) {
        if (a.reads)
          readSinceWrite[i] = true;
        if (a.overwrites && lastWriter[i] && !readSinceWrite[i]) {
          InFlightDiagnostic diag =
              op.emitError("internal error: the buffer of output '")
              << outputs[i].second
              << "' is overwritten before the value written into it was "
                 "read: two values share that output's storage";
          diag.attachNote(lastWriter[i]->getLoc()) << "the lost value is written here";
          return diag;
        }
        if (a.writes) {
          lastWriter[i] = &op;
          readSinceWrite[i] = false;
        }
      }
    }
    return success();
  }
};

} // namespace
