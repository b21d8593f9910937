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
    one-shot bufferization and kiln-place-outputs compute results directly
    into the caller's buffers. Argument and result attributes (the model's
    tensor names) are dropped: the driver has recorded them; the function
    keeps the number of inputs (`kiln.num_inputs`) and the output names
    (`kiln.output_names`) for later diagnostics. Finally every
    `tensor.empty`, and every `linalg.fill` of one, with several uses is
    split into one per use: each op gets its own destination, and a fill per
    use is cheaper than one fill and a copy per use.

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

def KilnPlaceOutputs : Pass<"kiln-place-outputs", "::mlir::ModuleOp"> {
  let summary = "Compute results directly in the caller's output buffers";
  let description = [{
    After bufferization, a result that was not computed in its output buffer
    lives in a temporary allocation and is copied into the output at the end.
    Where the copy is the output's only use, the source is a whole allocation
    of the same type in the function's top block, and nothing touches that
    allocation after the copy, the allocation is replaced by the output
    buffer and the copy disappears. Under those conditions every access the
    allocation saw happens, in the same order, to the output buffer, which by
    the ABI overlaps no other buffer: the rewrite cannot change any value.

    Upstream's empty-tensor elimination does this before bufferization, but
    for memref destinations it trusts `to_tensor restrict`, which the
    analysis cannot verify; when a tensor on a result's destination chain has
    other users, two results end up in one output buffer. Kiln runs that
    elimination only while the model function still returns tensors, and
    places outputs here instead.

    Before:
    ```mlir
    %a = memref.alloc() : memref<4xf32>
    linalg.fill ins(%zero : f32) outs(%a : memref<4xf32>)
    linalg.copy ins(%a : memref<4xf32>) outs(%out : memref<4xf32>)
    ```
    After:
    ```mlir
    linalg.fill ins(%zero : f32) outs(%out : memref<4xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
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
    would be unbounded; and when the plan needs more than `max-bytes`, with
    an error at the op whose buffer is the largest (its ONNX node), so a
    small model asking for a 40 GB intermediate is refused at compile time.
  }];
  let options = [
    Option<"maxBytes", "max-bytes", "int64_t", "int64_t(1) << 62",
           "The largest scratch buffer to plan, in bytes">,
  ];
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

def KilnVerifyOutputs : Pass<"kiln-verify-outputs", "::mlir::ModuleOp"> {
  let summary = "Fail if an output's value is overwritten before it is read";
  let description = [{
    A check after bufferization. For each output buffer of an entry function
    it follows the top-level ops in order and fails the compile (an internal
    error naming the output, with a note at the op whose value is lost) when
    an op overwrites the whole buffer while the value last written into it
    has not been read. In code from a correct bufferization that never
    happens: each value is written to a buffer because something reads it
    (the caller, for an output's final value). When it does happen, two
    values were given the same storage, and one of them would silently be
    lost, the kind of bug that once made sibling matmuls return one
    another's results.

    Linalg ops write their inits (reading them when the payload uses them);
    memref.copy overwrites its target; any other op that touches memory
    counts as a read and a partial write of each memref operand. Writes
    through subviews are partial: they never count as overwrites.
  }];
}

#endif // KILN_CODEGEN_CPU_PASSES_TD
