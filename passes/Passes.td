//===- Passes.td - Kiln graph-level passes ----------------*- tablegen -*-===//
//
// kiln -> kiln transformations. Grouped by purpose under banners, alphabetical
// within a group. Flags are `kiln-<verb>-<noun>` or `kiln-<noun>`.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_TD
#define KILN_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Cleanup and analysis
//===----------------------------------------------------------------------===//

def KilnCanonicalize : Pass<"kiln-canonicalize", "::mlir::func::FuncOp"> {
  let summary = "Apply the kiln dialect's folds and canonicalization patterns";
  let description = [{
    Runs every kiln op's folder and canonicalization patterns to a fixpoint:
    constant folding of small tensors (so Shape -> Gather -> Concat -> Reshape
    subgraphs become constants), `x + 0 -> x`, `x * 1 -> x`,
    transpose(transpose) merging, reshape(reshape) merging, and
    flatten/squeeze/unsqueeze -> reshape.

    Unlike the upstream `-canonicalize`, it uses only kiln's patterns (so it is
    safe to run on a module that also holds other dialects mid-lowering) and it
    fails, naming the function, if the rewrite does not converge.

    Before:
    ```mlir
    %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
    %1 = kiln.transpose %0 {perm = array<i64: 1, 0>} : tensor<3x2xf32> -> tensor<2x3xf32>
    ```
    After: `%1` is replaced by `%x`.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
  let options = [
    Option<"maxIterations", "max-iterations", "int64_t", "10",
           "Give up (and fail) after this many sweeps over the function">,
  ];
}

def KilnShapeInference : Pass<"kiln-shape-inference", "::mlir::func::FuncOp"> {
  let summary = "Refine result shapes from operand shapes through a function";
  let description = [{
    Walks the function in order and, for every kiln op, intersects each
    result type with what the op's type inference derives from its (already
    refined) operands, so static dims flow from the function's arguments to
    its results. Other ops keep the types they were built with: a refined
    value they use reaches them through a `tensor.cast` back to its old type.
    Finally a public function's result types are updated to match its
    `return`. A private function keeps its signature, since calls to it
    elsewhere in the module (which a function pass cannot update) rely on it:
    refined results are returned through a `tensor.cast` to the declared
    type. Fails with the op's own diagnostic if an op's shapes turn out
    inconsistent.

    Before:
    ```mlir
    func.func @f(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
      %0 = kiln.relu %x : tensor<2x3xf32>
      %1 = kiln.transpose %0 {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<?x?xf32>
      return %1 : tensor<?x?xf32>
    }
    ```
    After: `%1` is `tensor<3x2xf32>` and so is the function's result.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect",
                           "::mlir::tensor::TensorDialect"];
}

//===----------------------------------------------------------------------===//
// Differentiation
//===----------------------------------------------------------------------===//

def KilnBuildTrainStep : Pass<"kiln-build-train-step", "::mlir::ModuleOp"> {
  let summary = "Build a training step (forward, loss, backward, optimizer)";
  let description = [{
    From the model function (entry point "run", or `@main`) builds two entry
    points:

    - `@<name>_train_step` (`train_step`): takes the model's inputs and
      every float weight (now a plain input, by its name; batch norm's
      running statistics excepted: they are not trained), then `target`
      (cross_entropy: int64 class indices `[N, d...]` for logits
      `[N, C, d...]`; mse: a float tensor of the output's shape), then the
      optimizer state
      (`W.momentum`; `adam.step`, then `W.adam_m`, `W.adam_v`). Returns
      `loss` (a scalar, mean reduction as PyTorch's CrossEntropyLoss and
      MSELoss), the model's outputs (from the weights before the update),
      then each weight updated, then the state updated, with the inputs'
      names. Weights and optimizer state, arguments and results, are marked
      `kiln.state`: kiln-entry-points makes them one caller-visible state
      buffer, read at the start of the step and updated in place at its end.
    - `@<name>_init_state` (`init_state`): no inputs but the trained and
      updated weights as parameters (the model's own, `kiln.parameter`
      with their `kiln.value`, so embedded again or read from the external
      weights like `run`'s); returns them and a zero state, named as above
      and marked `kiln.state` (it fills the state buffer).

    Model results marked `kiln.state_update` (the running statistics of
    BatchNormalization in training mode, which the ONNX frontend adds with
    `--train`) name a weight the step updates itself: that weight is not
    trained by gradient but is state too, and its result is its next value
    (after the trained weights in the results). The model's own entry point
    loses these results.

    Dropouts (`kiln.dropout` without a step, as the ONNX frontend imports
    training-mode Dropout with a positive ratio) draw fresh masks every step
    in `train_step`: they get a stream number each (0, 1, ... in the step
    function's order), the step counter `dropout.step` and the seed
    `dropout.seed` (both i64, rank 0, state tensors after the other weights;
    `init_state` starts the counter at 0 and the seed at `seed`, which a
    program may overwrite in the state buffer to draw other masks without
    recompiling); the step returns the counter plus one and the seed as it
    is. Saving and restoring the state buffer therefore replays the same
    masks. Elsewhere (`run`, `grad`) a dropout stays the identity.

    The loss reads `target-output` (default: the first float output).
    Updates follow torch.optim: sgd `w -= lr * g`; momentum
    `b = momentum * b + g, w -= lr * b`; adam with bias corrections; with
    `weight-decay`, `g += weight_decay * w` first (L2, as torch.optim).
    The backward code is passes/Gradient.h's sweep, the same as
    kiln-differentiate's.

    Before: `func.func @main(%x, %w {kiln.parameter}) -> (%y)`.
    After, besides `@main`:
    ```mlir
    func.func @main_train_step(%x, %w: {kiln.name = "w", kiln.state}, %target)
        -> (tensor<f32> {kiln.name = "loss"}, ... {kiln.name = "y"},
            ... {kiln.name = "w", kiln.state})
        attributes {kiln.entry_point = "train_step"}
    func.func @main_init_state(%w {kiln.parameter}) -> (... {kiln.name = "w", kiln.state})
        attributes {kiln.entry_point = "init_state"}
    ```
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
  let options = [
    Option<"loss", "loss", "std::string", "\"cross_entropy\"",
           "cross_entropy or mse">,
    Option<"targetOutput", "target-output", "std::string", "\"\"",
           "The output the loss reads (default: the first float output)">,
    Option<"optimizer", "optimizer", "std::string", "\"sgd\"",
           "sgd, momentum or adam">,
    Option<"lr", "lr", "double", "0.01", "Learning rate">,
    Option<"momentum", "momentum", "double", "0.9", "momentum's factor">,
    Option<"beta1", "beta1", "double", "0.9", "Adam's beta1">,
    Option<"beta2", "beta2", "double", "0.999", "Adam's beta2">,
    Option<"eps", "eps", "double", "1e-8", "Adam's epsilon">,
    Option<"weightDecay", "weight-decay", "double", "0.0",
           "L2 weight decay added to each gradient">,
    Option<"seed", "seed", "uint64_t", "0",
           "The initial dropout.seed: the key of kiln.dropout's random masks "
           "in the training step">,
    Option<"recompute", "recompute", "std::string", "\"elementwise\"",
           "Forward values the backward code recomputes instead of keeping: "
           "elementwise (ops whose operands are kept anyway) or none">,
  ];
}

def KilnDifferentiate : Pass<"kiln-differentiate", "::mlir::ModuleOp"> {
  let summary = "Build the gradient function of the model function";
  let description = [{
    Reverse-mode differentiation on the kiln dialect. For the model function
    (the one marked `kiln.entry_point = "run"`, or else `@main`) it adds
    `@<name>_grad`, marked `kiln.entry_point = "<entry>"`, which takes the
    model's arguments and then one cotangent per floating-point output with
    more than one element (named `<output>.cotangent`; an output of one
    element is seeded with 1), and returns the model's outputs and then the
    gradient of `sum(cotangent * output)` with respect to each chosen
    argument (named `<argument>.grad`).

    `wrt` chooses the arguments, a comma-separated list of `params` (every
    floating-point argument marked `kiln.parameter`, i.e. the model's
    weights), `inputs` (the other floating-point arguments) and argument
    names: `inputs,params` differentiates with respect to all of them.

    Each op on a path from a chosen argument to an output contributes its
    vector-Jacobian product through `VJPOpInterface` (ir/KilnInterfaces.td,
    rules in ir/vjp/). The backward code reuses the forward values it needs
    and is ordinary kiln IR, so every later stage applies. An op on such a
    path without a rule fails the pass, naming the op at its location (the
    model's node). Shapes must be static: run it after the graph stage.

    `recompute` is the recompute-vs-save policy: with `elementwise` (the
    default), a forward value made by an elementwise op whose operands the
    backward code keeps anyway (or arguments, constants) is computed again
    just before its first backward reader instead of staying live from the
    forward pass (relu's output, when its input is kept for the mask), which
    lowers the memory plan's peak; `none` keeps every forward value the
    backward code reads. passes/Gradient.h says exactly which values qualify.

    Before:
    ```mlir
    func.func @main(%x: tensor<3xf32> {kiln.name = "x"},
                    %w: tensor<3xf32> {kiln.name = "w", kiln.parameter})
        -> (tensor<3xf32> {kiln.name = "y"}) {
      %y = kiln.mul %x, %w : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
      return %y : tensor<3xf32>
    }
    ```
    After, besides `@main` (now marked `kiln.entry_point = "run"`):
    ```mlir
    func.func @main_grad(%x: tensor<3xf32> {kiln.name = "x"},
                         %w: tensor<3xf32> {kiln.name = "w", kiln.parameter},
                         %dy: tensor<3xf32> {kiln.name = "y.cotangent"})
        -> (tensor<3xf32> {kiln.name = "y"}, tensor<3xf32> {kiln.name = "w.grad"})
        attributes {kiln.entry_point = "grad"} {
      %y = kiln.mul %x, %w : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
      %dw = kiln.mul %dy, %x : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
      return %y, %dw : tensor<3xf32>, tensor<3xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
  let options = [
    Option<"wrt", "wrt", "std::string", "\"params\"",
           "params, inputs, or comma-separated argument names">,
    Option<"entry", "entry", "std::string", "\"grad\"",
           "The entry point name of the gradient function">,
    Option<"recompute", "recompute", "std::string", "\"elementwise\"",
           "Forward values the backward code recomputes instead of keeping: "
           "elementwise (ops whose operands are kept anyway) or none">,
  ];
}

def KilnEmbedParameters : Pass<"kiln-embed-parameters", "::mlir::ModuleOp"> {
  let summary = "Turn weight arguments back into constants";
  let description = [{
    Replaces every argument marked `kiln.parameter` of every function by a
    `kiln.constant` of its `kiln.value` and drops the argument, so the
    weights are embedded in the library. `kiln compile --grad` imports the
    weights as parameters (so kiln-differentiate can tell them apart) and
    embeds them afterwards unless `--weights external` was asked for.

    Before:
    ```mlir
    func.func @main(%x: tensor<2xf32>,
                    %w: tensor<2xf32> {kiln.parameter, kiln.value = dense<[1.0, 2.0]> : tensor<2xf32>})
    ```
    After: `func.func @main(%x: tensor<2xf32>)` and
    `%w = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>` in its body.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
}

#endif // KILN_PASSES_TD
