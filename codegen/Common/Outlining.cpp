//===- Outlining.cpp - Moving a compute op into a function of its own -----===//

#include "codegen/Common/Outlining.h"

#include "mlir/IR/Location.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

LogicalResult mlir::kiln::collectOutlineInputs(Operation *op, Block &block,
                                               llvm::SetVector<Operation *> &recompute,
                                               SmallVectorImpl<BlockArgument> &parameters) {
  llvm::SetVector<BlockArgument> arguments;
  llvm::SetVector<Value> used;
  for (Value v : op->getOperands())
    used.insert(v);
  for (Region &region : op->getRegions()) {
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(region, captured);
    used.insert(captured.begin(), captured.end());
  }
  SmallVector<Value> worklist(used.begin(), used.end());
  llvm::SetVector<Operation *> seen;
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() != &block)
        return failure();
      arguments.insert(arg);
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
  // Parameters in the block's argument order, so outlined signatures follow
  // the entry function's.
  parameters.assign(arguments.begin(), arguments.end());
  llvm::sort(parameters, [](BlockArgument a, BlockArgument b) {
    return a.getArgNumber() < b.getArgNumber();
  });
  return success();
}

std::string mlir::kiln::describeForSymbol(Operation *op) {
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
