//===- Differentiate.cpp - Reverse-mode differentiation of the model ------===//
//
// Builds `@<model>_grad` from the model function (Passes.td says what it
// takes and returns). The gradient function starts as a copy of the model
// function, so the forward values the backward code reads are computed once
// in the same function and the memory plan covers them like any other
// value. The backward code is appended before the return, op by op in
// reverse order, by each op's VJP rule (ir/vjp/).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/KilnOps.h"
#include "passes/Gradient.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNDIFFERENTIATE
#include "passes/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

StringRef argName(func::FuncOp fn, unsigned i) {
  auto name = fn.getArgAttrOfType<StringAttr>(i, kTensorNameAttr);
  return name ? name.getValue() : StringRef();
}

std::string resultName(func::FuncOp fn, unsigned i) {
  auto name = fn.getResultAttrOfType<StringAttr>(i, kTensorNameAttr);
  return name ? name.str() : "output" + std::to_string(i);
}

struct KilnDifferentiate
    : kiln::impl::KilnDifferentiateBase<KilnDifferentiate> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp model = findModelFunction(module);
    if (!model || model.isExternal()) {
      module.emitError("kiln-differentiate: the module has no model function "
                       "(@main, or one marked kiln.entry_point = \"run\")");
      return signalPassFailure();
    }
    if (failed(differentiate(module, model)))
      signalPassFailure();
  }

  /// The arguments `wrt` names, in argument order: a comma-separated list
  /// of the keywords params (every float weight) and inputs (every float
  /// graph input) and names of inputs and weights.
  FailureOr<SmallVector<unsigned>> chooseArguments(func::FuncOp fn) {
    SmallVector<bool> picked(fn.getNumArguments(), false);
    SmallVector<StringRef> items;
    StringRef(wrt).split(items, ',', -1, /*KeepEmpty=*/false);
    llvm::StringSet<> wanted;
    for (StringRef item : items) {
      item = item.trim();
      if (item != "params" && item != "inputs") {
        wanted.insert(item);
        continue;
      }
      bool params = item == "params", any = false;
      for (unsigned i = 0; i < fn.getNumArguments(); ++i)
        if (isFloatTensor(fn.getArgument(i).getType()) &&
            static_cast<bool>(fn.getArgAttr(i, kParameterAttr)) == params)
          picked[i] = any = true;
      if (!any)
        return fn.emitError("kiln-differentiate: the model has no floating-point ")
               << (params ? "weights (parameters)" : "inputs")
               << " to differentiate with respect to";
    }
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      if (!wanted.erase(argName(fn, i)))
        continue;
      if (!isFloatTensor(fn.getArgument(i).getType()))
        return fn.emitError("kiln-differentiate: '")
               << argName(fn, i) << "' has type " << fn.getArgument(i).getType()
               << "; only floating-point tensors (not float8) have gradients";
      picked[i] = true;
    }
    if (!wanted.empty())
      return fn.emitError("kiln-differentiate: the model has no input or "
                          "weight named '")
             << wanted.begin()->getKey()
             << "' (--wrt takes params, inputs or names of inputs and weights, comma-separated)";
    SmallVector<unsigned> chosen;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      if (picked[i])
        chosen.push_back(i);
    if (chosen.empty())
      return fn.emitError("kiln-differentiate: --wrt names no tensor");
    return chosen;
  }

  LogicalResult differentiate(ModuleOp module, func::FuncOp model) {
    if (!model.getBody().hasOneBlock())
      return model.emitError("kiln-differentiate: the model function has "
                             "more than one block");
    FailureOr<SmallVector<unsigned>> chosen = chooseArguments(model);
    if (failed(chosen))
      return failure();
    std::string gradName = (model.getName() + "_grad").str();
    if (module.lookupSymbol(gradName))
      return model.emitError("kiln-differentiate: @")
             << gradName << " already exists";

    MLIRContext *ctx = module.getContext();
    OpBuilder builder(ctx);
    if (!model->hasAttr(kEntryPointAttr))
      model->setAttr(kEntryPointAttr, builder.getStringAttr("run"));
    builder.setInsertionPointAfter(model);
    auto grad = cast<func::FuncOp>(builder.clone(*model));
    grad.setName(gradName);
    grad->setAttr(kEntryPointAttr, builder.getStringAttr(entry));

    Block &body = grad.getBody().front();
    Operation *ret = body.getTerminator();
    for (Type t : grad.getArgumentTypes())
      if (!cast<ShapedType>(t).hasStaticShape())
        return grad.emitError("kiln-differentiate: argument of type ")
               << t << " is not static; bind it with --shape";

    // Seeds: a cotangent argument per float output of more than one element,
    // 1 for an output of one element.
    builder.setInsertionPoint(ret);
    Location loc = grad.getLoc();
    SmallVector<std::pair<Value, Value>> seeds;
    for (auto [i, value] : llvm::enumerate(ret->getOperands())) {
      auto type = dyn_cast<RankedTensorType>(value.getType());
      if (!type || !isFloatTensor(type))
        continue;
      if (!type.hasStaticShape())
        return grad.emitError("kiln-differentiate: output '")
               << resultName(model, i) << "' has type " << type
               << "; the gradient needs static shapes";
      Value seed;
      if (type.getNumElements() == 1) {
        seed = builder.create<ConstantOp>(
            loc, DenseElementsAttr::get(type, FloatAttr::get(type.getElementType(), 1.0)));
      } else {
        unsigned n = grad.getNumArguments();
        (void)grad.insertArgument(n, type, {}, loc);
        grad.setArgAttr(n, kTensorNameAttr,
                        builder.getStringAttr(resultName(model, i) + ".cotangent"));
        seed = grad.getArgument(n);
      }
      seeds.push_back({value, seed});
    }

    std::optional<RecomputePolicy> policy = parseRecomputePolicy(recompute);
    if (!policy)
      return model.emitError("kiln-differentiate: recompute must be elementwise or none, got '")
             << recompute << "'";
    FailureOr<SmallVector<Value>> grads = appendGradients(grad, seeds, *chosen, *policy);
    if (failed(grads))
      return failure();

    // Outputs, then a gradient per chosen argument.
    SmallVector<Value> results(ret->getOperands());
    SmallVector<Type> resultTypes(grad.getResultTypes());
    for (Value g : *grads) {
      results.push_back(g);
      resultTypes.push_back(g.getType());
    }
    ret->setOperands(results);
    SmallVector<DictionaryAttr> resultAttrs;
    grad.getAllResultAttrs(resultAttrs);
    for (unsigned i : *chosen)
      resultAttrs.push_back(builder.getDictionaryAttr(builder.getNamedAttr(
          kTensorNameAttr,
          builder.getStringAttr((argName(model, i) + ".grad").str()))));
    grad.setType(FunctionType::get(ctx, grad.getArgumentTypes(), resultTypes));
    grad.setAllResultAttrs(resultAttrs);
    return success();
  }
};

} // namespace
