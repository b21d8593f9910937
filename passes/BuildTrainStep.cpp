//===- BuildTrainStep.cpp - A whole training step as kiln IR --------------===//
//
// Builds `@<model>_train_step` and `@<model>_init_state` from the model
// function (Passes.td says what they take and return): forward, loss,
// backward (passes/Gradient.h) and the optimizer update, all ordinary kiln
// IR in one function. The optimizers follow PyTorch's torch.optim formulas
// (SGD with L2 weight decay, heavy-ball momentum without dampening whose
// buffer starts as the first gradient, Adam with bias corrections), so a
// compiled step follows PyTorch's loss curve.
//
// Weights and optimizer state come in as arguments and leave, updated, as
// results of the same names, all marked kiln.state: kiln-entry-points turns
// them into one caller-visible state buffer that train_step reads and then
// updates in place (its layout: abi::layoutState), and that init_state fills.
//
//===----------------------------------------------------------------------===//

#include "passes/Gradient.h"
#include "passes/Passes.h"

#include "ir/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNBUILDTRAINSTEP
#include "passes/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The training state's step counter of the dropouts' random masks.
constexpr llvm::StringLiteral kDropoutStepName = "dropout.step";
constexpr llvm::StringLiteral kDropoutSeedName = "dropout.seed";

/// Small helpers over an OpBuilder at one location, for the loss and the
/// update formulas.
struct Math {
  OpBuilder &b;
  Location loc;

  Value scalar(Type elementType, double v) {
    auto type = RankedTensorType::get({}, elementType);
    return b.create<ConstantOp>(loc,
                                DenseElementsAttr::get(type, FloatAttr::get(elementType, v)));
  }
  Value like(Value v, double c) {
    return scalar(cast<RankedTensorType>(v.getType()).getElementType(), c);
  }
  Value add(Value x, Value y) { return b.create<AddOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<SubOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<MulOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.create<DivOp>(loc, x, y); }
  Value scale(Value x, double c) { return mul(x, like(x, c)); }
  Value meanAll(Value x) {
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    if (rank == 0)
      return x;
    SmallVector<int64_t> axes(rank);
    for (int64_t i = 0; i < rank; ++i)
      axes[i] = i;
    return b.create<ReduceMeanOp>(loc, x, axes, false);
  }
};

struct KilnBuildTrainStep
    : kiln::impl::KilnBuildTrainStepBase<KilnBuildTrainStep> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp model = findModelFunction(module);
    if (!model || model.isExternal() || !model.getBody().hasOneBlock()) {
      module.emitError("kiln-build-train-step: the module has no model "
                       "function (@main, or one marked kiln.entry_point = \"run\")");
      return signalPassFailure();
    }
    if (failed(build(module, model)))
      signalPassFailure();
  }

  /// The output the loss reads: `targetOutput`, or the first float one.
  FailureOr<unsigned> chooseOutput(func::FuncOp fn) {
    for (unsigned i = 0; i < fn.getNumResults(); ++i) {
      if (fn.getResultAttr(i, kStateUpdateAttr))
        continue; // a running statistic's next value, not an output
      auto name = fn.getResultAttrOfType<StringAttr>(i, kTensorNameAttr);
      bool named = name && name.getValue() == targetOutput;
      if (targetOutput.empty() ? isFloatTensor(fn.getResultTypes()[i]) : named) {
        if (!isFloatTensor(fn.getResultTypes()[i]))
          return fn.emitError("kiln-build-train-step: output '")
                 << targetOutput << "' is not a floating-point tensor";
        return i;
      }
    }
    if (targetOutput.empty())
      return fn.emitError("kiln-build-train-step: the model has no "
                          "floating-point output for the loss");
    return fn.emitError("kiln-build-train-step: the model has no output named '")
           << targetOutput << "'";
  }

  /// The target argument's type and the scalar loss, built before the return.
  FailureOr<Value> buildLoss(func::FuncOp fn, Math &m, Value y) {
    auto yType = cast<RankedTensorType>(y.getType());
    Location loc = fn.getLoc();
    unsigned n = fn.getNumArguments();
    if (loss == "mse") {
      (void)fn.insertArgument(n, yType, {}, loc);
      fn.setArgAttr(n, kTensorNameAttr, m.b.getStringAttr("target"));
      Value d = m.sub(y, fn.getArgument(n));
      return m.meanAll(m.mul(d, d));
    }
    if (loss != "cross_entropy")
      return fn.emitError("kiln-build-train-step: unknown loss '")
             << loss << "' (expected cross_entropy or mse)";
    // PyTorch's CrossEntropyLoss (mean): logits [N, C, d...], class indices
    // [N, d...] (int64); loss = -mean(log_softmax(y)[n, t[n, ...], ...]).
    if (yType.getRank() < 2)
      return fn.emitError("kiln-build-train-step: cross_entropy needs logits "
                          "of rank >= 2 ([N, C, ...]), the output is ")
             << yType;
    SmallVector<int64_t> targetShape(yType.getShape());
    int64_t classes = targetShape[1];
    targetShape.erase(targetShape.begin() + 1);
    auto i64 = m.b.getI64Type();
    (void)fn.insertArgument(n, RankedTensorType::get(targetShape, i64), {}, loc);
    fn.setArgAttr(n, kTensorNameAttr, m.b.getStringAttr("target"));
    Value logp = m.b.create<LogSoftmaxOp>(loc, y, 1);
    SmallVector<int64_t> kept(yType.getShape());
    kept[1] = 1;
    Value target = m.b.create<ReshapeOp>(loc, fn.getArgument(n), kept);
    SmallVector<int64_t> iotaShape(yType.getRank(), 1);
    iotaShape[1] = classes;
    SmallVector<int64_t> iota(classes);
    for (int64_t c = 0; c < classes; ++c)
      iota[c] = c;
    Value positions = m.b.create<ConstantOp>(
        loc, DenseElementsAttr::get(RankedTensorType::get(iotaShape, i64),
                                    ArrayRef<int64_t>(iota)));
    Value hit = m.b.create<CompareOp>(loc, ComparePredicate::eq, target, positions);
    Value oneHot = m.b.create<CastOp>(
        loc, RankedTensorType::get(yType.getShape(), yType.getElementType()), hit);
    Value picked = m.b.create<ReduceSumOp>(loc, m.mul(logp, oneHot),
                                           ArrayRef<int64_t>{1}, false);
    return m.b.create<NegOp>(loc, m.meanAll(picked)).getResult();
  }

  LogicalResult build(ModuleOp module, func::FuncOp model) {
    std::string stepName = (model.getName() + "_train_step").str();
    std::string initName = (model.getName() + "_init_state").str();
    if (module.lookupSymbol(stepName) || module.lookupSymbol(initName))
      return model.emitError("kiln-build-train-step: @")
             << stepName << " or @" << initName << " already exists";
    if (optimizer != "sgd" && optimizer != "momentum" && optimizer != "adam")
      return model.emitError("kiln-build-train-step: unknown optimizer '")
             << optimizer << "' (expected sgd, momentum or adam)";
    std::optional<RecomputePolicy> policy = parseRecomputePolicy(recompute);
    if (!policy)
      return model.emitError("kiln-build-train-step: recompute must be elementwise or none, got '")
             << recompute << "'";
    FailureOr<unsigned> output = chooseOutput(model);
    if (failed(output))
      return failure();

    MLIRContext *ctx = module.getContext();
    OpBuilder builder(ctx);
    if (!model->hasAttr(kEntryPointAttr))
      model->setAttr(kEntryPointAttr, builder.getStringAttr("run"));
    builder.setInsertionPointAfter(model);
    auto step = cast<func::FuncOp>(builder.clone(*model));
    step.setName(stepName);
    step->setAttr(kEntryPointAttr, builder.getStringAttr("train_step"));

    // Results marked kiln.state_update: weights the step updates itself
    // (running statistics), by name; the model's own entry point drops them.
    llvm::BitVector updateResults(model.getNumResults());
    llvm::StringMap<Value> updates;
    SmallVector<std::string> updateOrder;
    Operation *stepRet = step.getBody().front().getTerminator();
    for (unsigned i = 0; i < model.getNumResults(); ++i) {
      if (!model.getResultAttr(i, kStateUpdateAttr))
        continue;
      updateResults.set(i);
      std::string name = model.getResultAttrOfType<StringAttr>(i, kTensorNameAttr).str();
      updates[name] = stepRet->getOperand(i);
      updateOrder.push_back(name);
    }
    SmallVector<std::pair<Value, Attribute>> modelOutputs; // the step's, with names
    for (unsigned i = 0; i < model.getNumResults(); ++i)
      if (!updateResults.test(i))
        modelOutputs.push_back({stepRet->getOperand(i), model.getResultAttr(i, kTensorNameAttr)});
    if (updateResults.any()) {
      model.getBody().front().getTerminator()->eraseOperands(updateResults);
      model.eraseResults(updateResults);
    }

    // The weights: every float parameter, from now on plain inputs. Batch
    // norm's running statistics (weights only read as kiln.batch_norm's mean
    // and variance) are not trained, as PyTorch does not train them either:
    // they stay weights of the artifact. Nor are weights the model only read
    // at compile time (Dropout's ratio, Resize's scales): no op reads them.
    auto isRunningStatistic = [](Value v) {
      return !v.use_empty() && llvm::all_of(v.getUses(), [](OpOperand &use) {
        return isa<BatchNormOp>(use.getOwner()) && use.getOperandNumber() >= 3;
      });
    };
    auto nameOf = [&](unsigned i) {
      auto name = step.getArgAttrOfType<StringAttr>(i, kTensorNameAttr);
      return name ? name.str() : std::string();
    };
    SmallVector<unsigned> params, updated;
    for (unsigned i = 0; i < step.getNumArguments(); ++i) {
      if (!step.getArgAttr(i, kParameterAttr))
        continue;
      if (updates.count(nameOf(i)))
        updated.push_back(i);
      else if (isFloatTensor(step.getArgument(i).getType()) &&
               !step.getArgument(i).use_empty() &&
               !isRunningStatistic(step.getArgument(i)))
        params.push_back(i);
    }
    if (updated.size() != updates.size())
      return model.emitError("kiln-build-train-step: a state update names no "
                             "weight of the model");
    if (params.empty())
      return model.emitError("kiln-build-train-step: the model has no "
                             "floating-point weights to train");
    SmallVector<std::string> paramNames;
    // The updated weights become state too, after the trained ones (in
    // init_state's order; their results follow the trained weights').
    SmallVector<std::pair<std::string, DenseElementsAttr>> updatedValues;
    for (const std::string &name : updateOrder)
      for (unsigned i : updated)
        if (nameOf(i) == name) {
          updatedValues.push_back(
              {name, step.getArgAttrOfType<DenseElementsAttr>(i, kValueAttr)});
          step.removeArgAttr(i, kParameterAttr);
          step.removeArgAttr(i, kValueAttr);
          step.setArgAttr(i, kStateAttr, builder.getUnitAttr());
        }
    for (unsigned i : params) {
      paramNames.push_back(
          step.getArgAttrOfType<StringAttr>(i, kTensorNameAttr).str());
      step.removeArgAttr(i, kParameterAttr);
      step.removeArgAttr(i, kValueAttr);
      step.setArgAttr(i, kStateAttr, builder.getUnitAttr());
    }

    Block &body = step.getBody().front();
    Operation *ret = body.getTerminator();
    builder.setInsertionPoint(ret);
    Location loc = step.getLoc();
    Math m{builder, loc};
    FailureOr<Value> lossValue = buildLoss(step, m, ret->getOperand(*output));
    if (failed(lossValue))
      return failure();

    // Optimizer state: inputs after the target, outputs after the weights.
    SmallVector<std::pair<std::string, Type>> state;
    auto addState = [&](const std::string &name, Type type) {
      unsigned n = step.getNumArguments();
      (void)step.insertArgument(n, type, {}, loc);
      step.setArgAttr(n, kTensorNameAttr, builder.getStringAttr(name));
      step.setArgAttr(n, kStateAttr, builder.getUnitAttr());
      state.push_back({name, type});
      return step.getArgument(n);
    };
    SmallVector<Value> newState;
    // Dropouts draw from the step counter, before the backward code reads
    // their masks.
    SmallVector<DropoutOp> dropouts;
    step.walk([&](DropoutOp op) {
      if (!op.getStep())
        dropouts.push_back(op);
    });
    if (!dropouts.empty()) {
      auto i64 = RankedTensorType::get({}, builder.getI64Type());
      Value counter = addState(kDropoutStepName.str(), i64);
      // The seed is state too: init_state writes the compile-time one, a
      // program may overwrite it, the step leaves it as it is.
      Value key = addState(kDropoutSeedName.str(), i64);
      for (auto [k, op] : llvm::enumerate(dropouts)) {
        op.getStepMutable().assign(counter);
        op.getKeyMutable().assign(key);
        op.setSeed(static_cast<int64_t>(seed));
        op.setStream(static_cast<int64_t>(k));
      }
      Value one = builder.create<ConstantOp>(
          loc, DenseElementsAttr::get(i64, builder.getI64IntegerAttr(1)));
      newState.push_back(builder.create<AddOp>(loc, counter, one));
      newState.push_back(key);
    }
    FailureOr<SmallVector<Value>> grads = appendGradients(
        step, {{*lossValue, m.like(*lossValue, 1.0)}}, params, *policy);
    if (failed(grads))
      return failure();

    Value stepCount, bias1, bias2;
    if (optimizer == "adam") {
      // The step count and bias corrections in the weights' type.
      Type f32 = cast<RankedTensorType>(body.getArgument(params[0]).getType())
                     .getElementType();
      Value count = addState("adam.step", RankedTensorType::get({}, f32));
      stepCount = m.add(count, m.scalar(f32, 1.0));
      bias1 = m.sub(m.scalar(f32, 1.0),
                    builder.create<PowOp>(loc, m.scalar(f32, beta1), stepCount));
      bias2 = m.sub(m.scalar(f32, 1.0),
                    builder.create<PowOp>(loc, m.scalar(f32, beta2), stepCount));
    }
    SmallVector<Value> newParams;
    if (stepCount)
      newState.push_back(stepCount);
    for (auto [k, i] : llvm::enumerate(params)) {
      Value p = body.getArgument(i), g = (*grads)[k];
      Type type = p.getType();
      if (weightDecay != 0.0)
        g = m.add(g, m.scale(p, weightDecay));
      if (optimizer == "sgd") {
        newParams.push_back(m.sub(p, m.scale(g, lr)));
      } else if (optimizer == "momentum") {
        Value buf = addState(paramNames[k] + ".momentum", type);
        Value next = m.add(m.scale(buf, momentum), g);
        newState.push_back(next);
        newParams.push_back(m.sub(p, m.scale(next, lr)));
      } else {
        Value first = addState(paramNames[k] + ".adam_m", type);
        Value second = addState(paramNames[k] + ".adam_v", type);
        Value mNext = m.add(m.scale(first, beta1), m.scale(g, 1.0 - beta1));
        Value vNext = m.add(m.scale(second, beta2), m.scale(m.mul(g, g), 1.0 - beta2));
        newState.push_back(mNext);
        newState.push_back(vNext);
        // p -= lr / bias1 * m / (sqrt(v) / sqrt(bias2) + eps), torch's order.
        Value sqrtBias2 = builder.create<SqrtOp>(loc, bias2);
        Value denom = m.add(m.div(builder.create<SqrtOp>(loc, vNext), sqrtBias2),
                            m.like(p, eps));
        Value stepSize = m.div(m.like(bias1, lr), bias1);
        newParams.push_back(m.sub(p, m.mul(stepSize, m.div(mNext, denom))));
      }
    }
    // Results: the loss, the model's outputs (computed with the weights
    // before the update: a caller can read predictions from the same call),
    // the weights, the state (names as the inputs').
    SmallVector<Value> results{*lossValue};
    SmallVector<Attribute> names{builder.getStringAttr("loss")};
    for (auto [v, name] : modelOutputs) {
      results.push_back(v);
      names.push_back(name);
    }
    for (auto [k, v] : llvm::enumerate(newParams)) {
      results.push_back(v);
      names.push_back(builder.getStringAttr(paramNames[k]));
    }
    for (auto &[name, value] : updatedValues) {
      results.push_back(updates[name]);
      names.push_back(builder.getStringAttr(name));
    }
    for (auto [k, v] : llvm::enumerate(newState)) {
      results.push_back(v);
      names.push_back(builder.getStringAttr(state[k].first));
    }
    setResults(step, ret, results, names, /*firstState=*/1 + modelOutputs.size());

    // init_state: the model's weights and a zero state. The weights are
    // the model's own parameters (same names, types and values), so they
    // are embedded again with the others, or read from NAME.weights.bin
    // with --weights external: never a second copy in the library.
    builder.setInsertionPointAfter(step);
    auto init = builder.create<func::FuncOp>(loc, initName,
                                             FunctionType::get(ctx, {}, {}));
    init->setAttr(kEntryPointAttr, builder.getStringAttr("init_state"));
    Block *initBody = init.addEntryBlock();
    builder.setInsertionPointToStart(initBody);
    SmallVector<Value> initResults;
    SmallVector<Attribute> initNames;
    auto initialWeight = [&](StringRef name) -> Value {
      for (unsigned i = 0; i < model.getNumArguments(); ++i) {
        auto argName = model.getArgAttrOfType<StringAttr>(i, kTensorNameAttr);
        if (!argName || argName.getValue() != name ||
            !model.getArgAttr(i, kParameterAttr) ||
            !model.getArgAttrOfType<DenseElementsAttr>(i, kValueAttr))
          continue;
        unsigned n = init.getNumArguments();
        (void)init.insertArgument(n, model.getArgument(i).getType(),
                                  model.getArgAttrDict(i), loc);
        return init.getArgument(n);
      }
      return Value();
    };
    SmallVector<std::string> initialNames(paramNames);
    for (auto &[name, value] : updatedValues)
      initialNames.push_back(name);
    for (const std::string &name : initialNames) {
      Value weight = initialWeight(name);
      if (!weight)
        return model.emitError("kiln-build-train-step: weight '") << name << "' has no value";
      initResults.push_back(weight);
      initNames.push_back(builder.getStringAttr(name));
    }
    for (auto &[name, type] : state) {
      auto t = cast<RankedTensorType>(type);
      // Zeros, but the dropout seed starts as the compile-time one.
      Attribute initial = name == kDropoutSeedName
                              ? Attribute(builder.getI64IntegerAttr(
                                    static_cast<int64_t>(seed)))
                              : builder.getZeroAttr(t.getElementType());
      initResults.push_back(builder.create<ConstantOp>(
          loc, DenseElementsAttr::get(t, initial)));
      initNames.push_back(builder.getStringAttr(name));
    }
    Operation *initRet = builder.create<func::ReturnOp>(loc, initResults);
    setResults(init, initRet, initResults, initNames, /*firstState=*/0);
    return success();
  }

  /// Sets `fn`'s results and their names; those from `firstState` on are
  /// state tensors.
  static void setResults(func::FuncOp fn, Operation *ret, ArrayRef<Value> results,
                         ArrayRef<Attribute> names, unsigned firstState) {
    ret->setOperands(results);
    SmallVector<Type> types;
    for (Value v : results)
      types.push_back(v.getType());
    fn.setType(FunctionType::get(fn.getContext(), fn.getArgumentTypes(), types));
    OpBuilder b(fn.getContext());
    SmallVector<DictionaryAttr> attrs;
    for (auto [i, name] : llvm::enumerate(names)) {
      SmallVector<NamedAttribute> attr{b.getNamedAttr(kTensorNameAttr, name)};
      if (i >= firstState)
        attr.push_back(b.getNamedAttr(kStateAttr, b.getUnitAttr()));
      attrs.push_back(b.getDictionaryAttr(attr));
    }
    fn.setAllResultAttrs(attrs);
  }
};

} // namespace
