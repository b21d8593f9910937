//===- Gradient.cpp - Reverse-mode sweep shared by the autodiff passes ----===//

#include "passes/Gradient.h"

#include "ir/DTypes.h"
#include "ir/KilnOps.h"
#include "ir/VJPBuilder.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseSet.h"

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

FailureOr<SmallVector<Value>>
mlir::kiln::appendGradients(func::FuncOp fn,
                            ArrayRef<std::pair<Value, Value>> seeds,
                            ArrayRef<unsigned> wrt) {
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
  return grads;
}
