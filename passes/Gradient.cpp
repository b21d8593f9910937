//===- Gradient.cpp - Reverse-mode sweep shared by the autodiff passes ----===//

#include "passes/Gradient.h"

#include "ir/DTypes.h"
#include "ir/KilnOps.h"
#include "ir/VJPBuilder.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <functional>

using namespace mlir;
using namespace mlir::kiln;

bool mlir::kiln::isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType()) &&
         !isFloat8(tensor.getElementType());
}

func::FuncOp mlir::kiln::findModelFunction(ModuleOp module) {
  bool anyMarked = false;
  for (auto fn : module.getOps<func::FuncOp>())
    if (auto entry = fn->getAttrOfType<StringAttr>(kEntryPointAttr)) {
      anyMarked = true;
      if (entry.getValue() == "run")
        return fn;
    }
  if (anyMarked)
    return {};
  return module.lookupSymbol<func::FuncOp>("main");
}

static bool isStatic(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && shaped.hasStaticShape();
}

std::optional<RecomputePolicy> mlir::kiln::parseRecomputePolicy(StringRef name) {
  if (name == "none")
    return RecomputePolicy::None;
  if (name == "elementwise")
    return RecomputePolicy::Elementwise;
  return std::nullopt;
}

unsigned mlir::kiln::recomputeCheapValues(func::FuncOp fn, Operation *firstBackward) {
  Block &body = fn.getBody().front();
  if (!firstBackward || firstBackward->getBlock() != &body)
    return 0;
  DenseMap<Operation *, int64_t> position;
  int64_t index = 0;
  for (Operation &op : body)
    position[&op] = index++;
  int64_t backwardStart = position.lookup(firstBackward);
  Operation *ret = body.getTerminator();
  auto isBackward = [&](Operation *user) {
    Operation *top = body.findAncestorOpInBlock(*user);
    return top && top != ret && position.lookup(top) >= backwardStart;
  };
  // Kept anyway: arguments, constants, and values a backward op reads.
  auto keptAnyway = [&](Value v) {
    if (isa<BlockArgument>(v) || matchPattern(v, m_Constant()))
      return true;
    return llvm::any_of(v.getUsers(), isBackward);
  };

  SmallVector<Operation *> forward;
  for (Operation &op : body) {
    if (&op == firstBackward)
      break;
    forward.push_back(&op);
  }
  // Whether `v` can be had in the backward code without keeping anything new
  // alive: kept anyway, or made by an elementwise op (a chain of at most
  // kMaxChain) from such values.
  constexpr int kMaxChain = 8;
  std::function<bool(Value, int)> available = [&](Value v, int depth) {
    if (keptAnyway(v))
      return true;
    Operation *def = v.getDefiningOp();
    return def && depth < kMaxChain && def->hasTrait<Elementwise>() &&
           def->getNumResults() == 1 && def->getBlock() == &body &&
           llvm::all_of(def->getOperands(), [&](Value o) { return available(o, depth + 1); });
  };
  // A clone, before the builder's insertion point, of `def` and of the chain
  // of operands that are not kept anyway (memoized in `clones`).
  unsigned recomputed = 0;
  std::function<Value(Operation *, OpBuilder &, IRMapping &)> cloneChain =
      [&](Operation *def, OpBuilder &builder, IRMapping &clones) -> Value {
    for (Value o : def->getOperands())
      if (!keptAnyway(o) && !clones.contains(o))
        clones.map(o, cloneChain(o.getDefiningOp(), builder, clones));
    ++recomputed;
    Operation *clone = builder.clone(*def, clones);
    clone->setAttr(kRecomputedAttr, builder.getUnitAttr());
    return clone->getResult(0);
  };

  llvm::SmallPtrSet<Operation *, 16> hadReaders;
  for (Operation *op : forward)
    if (!op->use_empty())
      hadReaders.insert(op);

  // Latest first: a clone makes its operands backward reads, which lets an
  // earlier op whose result feeds it qualify in turn.
  for (Operation *op : llvm::reverse(forward)) {
    if (!op->hasTrait<Elementwise>() || op->getNumResults() != 1)
      continue;
    Value result = op->getResult(0);
    SmallVector<OpOperand *> backwardReads;
    bool returned = false;
    for (OpOperand &use : result.getUses()) {
      if (use.getOwner() == ret)
        returned = true;
      else if (isBackward(use.getOwner()))
        backwardReads.push_back(&use);
    }
    // A returned value is live to the end anyway.
    if (backwardReads.empty() || returned)
      continue;
    if (!llvm::all_of(op->getOperands(), [&](Value o) { return available(o, 1); }))
      continue;
    Operation *first = body.findAncestorOpInBlock(*backwardReads.front()->getOwner());
    for (OpOperand *use : backwardReads) {
      Operation *top = body.findAncestorOpInBlock(*use->getOwner());
      if (position.lookup(top) < position.lookup(first))
        first = top;
    }
    OpBuilder builder(first);
    IRMapping clones;
    Value again = cloneChain(op, builder, clones);
    // Clones are not in `position`; each takes its reader's slot, so later
    // comparisons still order it before that reader.
    for (Operation *it = first->getPrevNode(); it && !position.count(it); it = it->getPrevNode())
      position[it] = position.lookup(first);
    for (OpOperand *use : backwardReads)
      use->set(again);
  }
  // Forward elementwise ops left without readers by the redirection (the
  // backward code was their only reader), and then their operands' makers
  // that are left without readers; never an op that had no reader to begin
  // with (a caller may still hold its result, as kiln-build-train-step does
  // with the state updates it returns later).
  for (Operation *op : llvm::reverse(forward))
    if (op->hasTrait<Elementwise>() && op->use_empty() && hadReaders.contains(op))
      op->erase();
  return recomputed;
}

FailureOr<SmallVector<Value>>
mlir::kiln::appendGradients(func::FuncOp fn,
                            ArrayRef<std::pair<Value, Value>> seeds,
                            ArrayRef<unsigned> wrt, RecomputePolicy recompute) {
  Block &body = fn.getBody().front();
  Operation *ret = body.getTerminator();
  SmallVector<Operation *> forward;
  for (Operation &op : body.without_terminator())
    forward.push_back(&op);

  // Values that depend on a wanted argument: only they need cotangents.
  llvm::DenseSet<Value> active;
  for (unsigned i : wrt)
    active.insert(body.getArgument(i));
  for (Operation *op : forward) {
    if (llvm::none_of(op->getOperands(),
                      [&](Value v) { return active.contains(v); }))
      continue;
    for (Value r : op->getResults())
      if (isFloatTensor(r.getType()))
        active.insert(r);
  }

  OpBuilder builder(ret);
  DenseMap<Value, Value> adjoints;
  auto accumulate = [&](Value v, Value grad, Location loc) {
    Value &slot = adjoints[v];
    slot = slot ? builder.create<AddOp>(loc, slot, grad).getResult() : grad;
  };
  for (auto [value, seed] : seeds)
    if (active.contains(value))
      accumulate(value, seed, fn.getLoc());

  for (Operation *op : llvm::reverse(forward)) {
    SmallVector<Value> resultGrads;
    bool any = false;
    for (Value r : op->getResults()) {
      resultGrads.push_back(adjoints.lookup(r));
      any |= static_cast<bool>(resultGrads.back());
    }
    SmallVector<bool> wanted;
    bool wantsAny = false;
    for (Value v : op->getOperands()) {
      wanted.push_back(active.contains(v));
      wantsAny |= wanted.back();
    }
    if (!any || !wantsAny)
      continue;
    auto rule = dyn_cast<VJPOpInterface>(op);
    if (!rule)
      return op->emitError("cannot differentiate through '")
             << op->getName() << "': it has no gradient rule (VJPOpInterface)";
    if (!llvm::all_of(op->getOperandTypes(), isStatic) ||
        !llvm::all_of(op->getResultTypes(), isStatic))
      return op->emitError("cannot differentiate '")
             << op->getName() << "' without static shapes";
    VJPBuilder vjp(builder, op, resultGrads, wanted);
    if (failed(rule.buildVJP(vjp)))
      return failure();
    for (auto [operand, g] :
         llvm::zip_equal(op->getOperands(), vjp.getOperandGrads()))
      if (g)
        accumulate(operand, g, op->getLoc());
  }

  SmallVector<Value> grads;
  for (unsigned i : wrt) {
    BlockArgument arg = body.getArgument(i);
    Value g = adjoints.lookup(arg);
    if (!g) {
      auto type = cast<RankedTensorType>(arg.getType());
      g = builder.create<ConstantOp>(
          fn.getLoc(),
          DenseElementsAttr::get(type, FloatAttr::get(type.getElementType(), 0.0)));
    }
    grads.push_back(g);
  }
  Operation *firstBackward = forward.empty() ? &body.front() : forward.back()->getNextNode();
  if (recompute == RecomputePolicy::Elementwise && firstBackward != ret)
    recomputeCheapValues(fn, firstBackward);
  return grads;
}
