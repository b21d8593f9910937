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

/// The ops (in order) that compute the values `op` uses from outside, when
/// they can be recomputed inside a kernel: pure ops (constants, views,
/// casts) of `block`, back to block arguments, which become the kernel's
/// parameters. Fails if a value comes from anything else.
LogicalResult collectInputs(Operation *op, Block &block,
                            SetVector<Operation *> &recompute,
                            SetVector<BlockArgument> &parameters) {
  SetVector<Value> used;
  for (Value v : op->getOperands())
    used.insert(v);
  for (Region &region : op->getRegions()) {
    SetVector<Value> captured;
    getUsedValuesDefinedAbove(region, captured);
    used.insert(captured.begin(), captured.end());
  }
  SmallVector<Value> worklist(used.begin(), used.end());
  SetVector<Operation *> seen;
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() != &block)
        return failure();
      parameters.insert(arg);
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (def->getBlock() != &block || def->getNumRegions() != 0 ||
        !isMemoryEffectFree(def))
      return failure();
    if (!seen.insert(def))
      continue;
    for (Value operand : def->getOperands())
      worklist.push_back(operand);
  }
  // Recompute in the block's order, so every def precedes its uses.
  SmallVector<Operation *> ordered(seen.begin(), seen.end());
  llvm::sort(ordered, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  recompute.insert(ordered.begin(), ordered.end());
  return success();
}

/// A readable suffix for a kernel's symbol, so profiles and disassembly say
/// what it computes: the op's name and the model node it came from
/// ("_linalg_matmul__layer1_0_conv1_Conv").
std::string describe(Operation *op) {
  std::string text = op->getName().getStringRef().str();
  std::string node;
  op->getLoc()->walk([&](Location loc) {
    if (auto name = dyn_cast<NameLoc>(loc)) {
      node = name.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (!node.empty())
    text += "__" + node;
  std::string out;
  for (char c : text)
    out += llvm::isAlnum(c) ? c : '_';
  if (out.size() > 60)
    out.resize(60);
  return out;
}

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
      SetVector<BlockArgument> parameters;
      if (failed(collectInputs(op, block, recompute, parameters)))
        continue;
      SmallVector<BlockArgument> params(parameters.begin(), parameters.end());
      llvm::sort(params, [](BlockArgument a, BlockArgument b) {
        return a.getArgNumber() < b.getArgNumber();
      });
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
          (fn.getSymName() + "_kernel" + Twine(index++) + "_" + describe(op)).str(),
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
