//===- OutlineKernels.cpp - One function per compute op -------------------===//
//
// See KilnOutlineKernels in codegen/Passes.td.
//
// Upstream outlines regions into functions for the GPU (gpu.launch ->
// gpu.func) and for single-block SCF regions, but not a bufferized linalg op
// with the view chains of its operands; this pass does that, cloning the
// chains so that every kernel argument is one of the entry function's own
// buffers (identity layout, so the bare-pointer calling convention holds).
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/Common/Outlining.h"
#include "codegen/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNOUTLINEKERNELS
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct KilnOutlineKernels
    : kiln::impl::KilnOutlineKernelsBase<KilnOutlineKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto fn : module.getOps<func::FuncOp>())
      if (abi::isEntryFunction(fn))
        entries.push_back(fn);
    for (func::FuncOp fn : entries)
      outlineFunction(fn);
  }

  void outlineFunction(func::FuncOp fn) {
    Block &block = fn.getBody().front();
    SmallVector<Operation *> computeOps;
    // Ops with results stay (a loop that carries a register tile's
    // accumulators out to the function's level, when all its enclosing
    // tile loops had one trip): a kernel returns nothing.
    for (Operation &op : block)
      if (op.getNumRegions() != 0 && op.getNumResults() == 0)
        computeOps.push_back(&op);
    unsigned index = 0;
    Operation *insertAfter = fn; // kernels follow their entry function, in order
    for (Operation *op : computeOps) {
      SetVector<Operation *> recompute;
      SmallVector<BlockArgument> params;
      if (failed(collectOutlineInputs(op, block, recompute, params)))
        continue;
      SmallVector<Type> types;
      SmallVector<Value> args;
      for (BlockArgument p : params) {
        types.push_back(p.getType());
        args.push_back(p);
      }

      OpBuilder b(fn);
      b.setInsertionPointAfter(insertAfter);
      auto kernel = b.create<func::FuncOp>(
          op->getLoc(),
          (fn.getSymName() + "_kernel" + Twine(index++) + "_" + describeForSymbol(op)).str(),
          b.getFunctionType(types, {}));
      kernel.setPrivate();
      insertAfter = kernel;
      kernel->setAttr(abi::kKernelAttr, b.getUnitAttr());
      // LLVM would inline a function with one caller back into the entry
      // function, and its loop passes are superlinear in a function's size.
      kernel->setAttr("no_inline", b.getUnitAttr());
      Block *body = kernel.addEntryBlock();
      IRMapping map;
      for (auto [p, arg] : llvm::zip(params, body->getArguments()))
        map.map(p, arg);
      OpBuilder inside = OpBuilder::atBlockBegin(body);
      for (Operation *def : recompute)
        inside.clone(*def, map);
      inside.clone(*op, map);
      inside.create<func::ReturnOp>(op->getLoc());

      OpBuilder call(op);
      call.create<func::CallOp>(op->getLoc(), kernel, args);
      op->erase();
    }
    // Views and constants that only the outlined ops used.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
      if (op.use_empty() && isMemoryEffectFree(&op) && op.getNumRegions() == 0 &&
          !op.hasTrait<OpTrait::IsTerminator>())
        op.erase();
  }
};

} // namespace
