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

#endif // KILN_PASSES_TD
