//===- Passes.td - CPU code generation passes -------------*- tablegen -*-===//
//
// Passes of the CPU pipeline that upstream MLIR has no equivalent for.
// Alphabetical.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PASSES_TD
#define KILN_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnCPUEntryPoint : Pass<"kiln-cpu-entry-point", "::mlir::ModuleOp"> {
  let summary = "Give the model function the destination-passing memref ABI";
  let description = [{
    Rewrites the model function (`main`, on tensors, returning tensors) into
    `<name>_impl`, which takes one memref per input, then one per output, and
    returns nothing. Inputs enter the tensor world through
    `bufferization.to_tensor restrict`; each result is written into its
    output buffer with `bufferization.materialize_in_destination`, so that
    one-shot bufferization (after empty-tensor elimination) computes results
    directly into the caller's buffers. Argument and result attributes (the
    model's tensor names) are dropped: the driver has recorded them. Finally
    every `tensor.empty`, and every `linalg.fill` of one, with several uses
    is split into one per use, so that empty-tensor elimination cannot make
    two results share an output buffer.

    Before:
    ```mlir
    func.func @main(%x: tensor<4xf32>) -> tensor<4xf32>
    ```
    After:
    ```mlir
    func.func @net_impl(%x: memref<4xf32>, %y: memref<4xf32>) {
      %0 = bufferization.to_tensor %x restrict : memref<4xf32>
      ...
      bufferization.materialize_in_destination %r in restrict writable %y
        : (tensor<4xf32>, memref<4xf32>) -> ()
      return
    }
    ```
  }];
  let options = [
    Option<"symbolPrefix", "name", "std::string", "\"model\"",
           "C symbol prefix: the function becomes <name>_impl">,
    Option<"functionName", "function", "std::string", "\"main\"",
           "The model function to rewrite">,
  ];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def KilnPlanMemory : Pass<"kiln-plan-memory", "::mlir::ModuleOp"> {
  let summary = "Place every temporary buffer in one scratch buffer";
  let description = [{
    After bufferization, every `memref.alloc` at the top level of an entry
    function (one with the `kiln.entry` attribute) becomes a `memref.view`
    into a single scratch argument appended to the function. Offsets come
    from the buffers' live ranges (first to last use, through aliases), packed
    greedily, largest first, 64-byte aligned, so buffers that are never live
    together share memory. The scratch size is recorded on the module as
    `kiln.scratch_bytes`.

    Upstream MLIR has buffer deallocation and hoisting but no static memory
    planner; Kiln needs one so the generated code allocates at most once per
    call (or never, with a caller-provided scratch buffer) and so the manifest
    can state the memory a model needs.

    Fails on a `memref.alloc` nested in a loop or with a dynamic size: both
    would be unbounded.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def KilnCPULoopOrder : Pass<"kiln-cpu-loop-order", "::mlir::func::FuncOp"> {
  let summary = "Order each linalg op's loops so the innermost one is unit-stride";
  let description = [{
    linalg-to-loops nests loops in the op's iteration order, which for the
    named contractions puts a reduction innermost: `k` for matmul, `kw` for
    a convolution. Both walk memory with a large stride and carry a scalar
    dependence, so LLVM cannot vectorize them. This pass moves the loop that
    indexes the output's innermost (contiguous) dimension to the innermost
    position: matmul (i, j, k) becomes (i, k, j) and conv_2d_nchw_fchw
    (n, f, oh, ow, c, kh, kw) becomes (n, f, oh, c, kh, kw, ow). The loop
    body then reads and writes consecutive elements, which LLVM's loop
    vectorizer turns into SIMD code.

    It applies only where that loop indexes nothing but the innermost
    dimension of every operand it appears in (as `d` or `d * stride + e`),
    so no operand is walked against its layout; elementwise ops, transposes
    and reductions over the last axis are left alone. Named ops are
    generalized first, since only linalg.generic can be interchanged.

    This is the first step towards the tiled, vectorized pipeline of
    docs/architecture.md, not its replacement.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // KILN_CODEGEN_CPU_PASSES_TD
