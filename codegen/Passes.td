//===- Passes.td - Kiln's target-independent codegen passes -*- tablegen -*-===//
//
// From the kiln dialect down to the target's IR, the passes every target
// shares: the lowering to linalg (codegen/KilnToLinalg), and the ABI,
// memory and kernel passes (codegen/Common). Target-specific passes live
// with their target (codegen/CPU/Passes.td). Grouped by pipeline stage under
// banners, alphabetical within a stage.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_PASSES_TD
#define KILN_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Stage "linalg": kiln -> linalg on tensors
//===----------------------------------------------------------------------===//

def ConvertKilnToLinalg : Pass<"convert-kiln-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Lower kiln ops to linalg on tensors (+ tensor, arith, math)";
  let description = [{
    Rewrites every kiln op into linalg structured ops on tensors, with tensor
    ops for data movement and arith/math for scalar bodies; one pattern file
    per op family in codegen/KilnToLinalg/. Matmul, convolution and pooling
    stay named linalg ops (linalg.matmul, linalg.conv_2d_nchw_fchw, ...).

    Requires static shapes: a kiln op with a dynamic dim is an error on that
    op, before anything is rewritten. An op without a lowering, or one every
    pattern refused, is an error naming the op too.

    Before:
    ```mlir
    %0 = kiln.relu %x : tensor<4xf32>
    ```
    After:
    ```mlir
    %e = tensor.empty() : tensor<4xf32>
    %0 = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %c0 = arith.constant 0.0 : f32
      %m = arith.maximumf %in, %c0 : f32
      linalg.yield %m : f32
    } -> tensor<4xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def KilnFuseElementwise : Pass<"kiln-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Fuse elementwise producers into consumers that read each element once";
  let description = [{
    Upstream's elementwise fusion (linalg::populateElementwiseOpsFusionPatterns,
    reshape propagation by expansion, constant folding of linalg ops), with
    two rules upstream's pass does not have:

    - A producer is fused into its consumer only if the consumer reads each
      of its elements once: the operand's indexing map is a permutation of
      the consumer's loops. Fused into a matmul's operand A[m, k] (whose map
      drops n) it would be recomputed for every column: GELU's erf 384
      times per element in a BERT encoder. A producer with other users is
      not fused either (it would be computed twice).
    - Reshapes move only through elementwise (all-parallel) ops. Moved
      through a contraction they turn linalg.matmul into a generic with two
      n dims, which the targets' contraction tiling does not take.

    Splat constants are folded into the bodies that read them.

    With `producers-only`, only the producer -> consumer fusion runs (no
    reshape propagation, no constant folding): the CPU target runs it again
    after its loop-level rewrites made new elementwise ops (depthwise
    convolutions and pools over their windows), where moving reshapes would
    undo the matmuls' layouts. With `broadcasts`, a linalg.broadcast whose one
    user is an elementwise generic becomes a generic first, so that it fuses
    too (a convolution's bias broadcast into its accumulator's start).
  }];
  let options = [
    Option<"producersOnly", "producers-only", "bool", "false",
           "Only fuse producers into consumers (no reshape propagation or constant folding)">,
    Option<"broadcasts", "broadcasts", "bool", "false",
           "Fuse linalg.broadcast producers of elementwise generics too">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def KilnSplatsToFills : Pass<"kiln-splats-to-fills", "::mlir::func::FuncOp"> {
  let summary = "Turn splat tensor constants into linalg.fill";
  let description = [{
    A splat constant (every element the same, as ConstantOfShape or a
    broadcast constant makes) that elementwise fusion did not fold into its
    users' bodies would otherwise become a global of its full size in the
    object file: 40 GB for a 100000x100000 ConstantOfShape, which held the
    compiler for minutes. As a `linalg.fill` into a `tensor.empty` it costs a
    buffer the memory plan accounts for (and limits), and nothing in the
    artifact. Runs after elementwise fusion, which folds splat operands of
    `linalg.generic` into the payload.

    Before:
    ```mlir
    %c = arith.constant dense<2.0> : tensor<64x64xf32>
    ```
    After:
    ```mlir
    %s = arith.constant 2.0 : f32
    %e = tensor.empty() : tensor<64x64xf32>
    %c = linalg.fill ins(%s : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

//===----------------------------------------------------------------------===//
// Stage "loops": before the target's loop-level passes
//===----------------------------------------------------------------------===//

def KilnPrivateInits : Pass<"kiln-private-inits", "::mlir::func::FuncOp"> {
  let summary = "Give each op that accumulates into a shared cheap initial value its own copy";
  let description = [{
    An op's init (DPS `outs`) that is a fill or a broadcast into a fresh
    tensor and has other uses besides (CSE merges equal bias broadcasts:
    every convolution of a model whose folded biases are all zero shares
    one) is recomputed for that op: a clone of the producer, marked
    `kiln.private_init = N` with N distinct so that CSE keeps the clones
    apart. One-shot bufferization writes an op into its init's buffer only
    when nothing else needs the value; with a shared init it copies the
    whole output per op (three copies when the op is split into parallel
    tasks and a rest). Recomputing a fill or a broadcast costs one write of
    the output, which the op would read anyway.

    Before:
    ```mlir
    %b = linalg.broadcast ins(%bias : tensor<64xf32>) outs(%e : tensor<1x64x56x56xf32>) dimensions = [0, 2, 3]
    %y1 = linalg.conv_2d_nchw_fchw ins(%x1, %w1 : ...) outs(%b : tensor<1x64x56x56xf32>)
    %y2 = linalg.conv_2d_nchw_fchw ins(%x2, %w2 : ...) outs(%b : tensor<1x64x56x56xf32>)
    ```
    After:
    ```mlir
    %b0 = linalg.broadcast ins(%bias : ...) outs(%e0 : ...) dimensions = [0, 2, 3] {kiln.private_init = 0 : i64}
    %y1 = linalg.conv_2d_nchw_fchw ins(%x1, %w1 : ...) outs(%b0 : tensor<1x64x56x56xf32>)
    %b = linalg.broadcast ins(%bias : ...) outs(%e : ...) dimensions = [0, 2, 3]
    %y2 = linalg.conv_2d_nchw_fchw ins(%x2, %w2 : ...) outs(%b : tensor<1x64x56x56xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

//===----------------------------------------------------------------------===//
// Stage "memref": the ABI, bufferization and memory
//===----------------------------------------------------------------------===//

def KilnEntryPoints : Pass<"kiln-entry-points", "::mlir::ModuleOp"> {
  let summary = "Give each model function the destination-passing memref ABI";
  let description = [{
    Rewrites every model function (those marked `kiln.entry_point = "E"`, or
    else `@main` as the entry point `run`; on tensors, returning tensors)
    into `<name>_E_impl`, which takes one memref per argument (inputs and
    parameters, in their order), then one per output, and returns nothing.
    Arguments enter the tensor world through `bufferization.to_tensor
    restrict`; each result is written into its output buffer with
    `bufferization.materialize_in_destination`, so that one-shot
    bufferization and kiln-place-outputs compute results directly into the
    caller's buffers. A tensor without elements gets a 0-element buffer that
    nothing touches.

    Arguments marked `kiln.parameter` are weights: each distinct name gets a
    64-byte aligned slot of the weights blob (module attribute
    `kiln.weights`), shared by all entry points. The ABI the C entry points
    need later, when types no longer say what an argument is, is kept in
    attributes (codegen/Common/ABI.h): `kiln.entry`, `kiln.arg_weights`,
    `kiln.num_outputs`, `kiln.output_names`, `kiln.buffer_bytes`,
    `kiln.signature`; the module gets `kiln.symbol_prefix`.

    Arguments and results marked `kiln.state` (kiln-build-train-step's
    weights and optimizer state) are one training state buffer instead
    (layout: abi::layoutState; module attribute `kiln.state_signature`): the
    function's last output, `state`, a `memref<Bxi8>` of which each state
    tensor is a `memref.view`. State arguments are read from their views;
    each state result is computed into scratch memory and copied into its
    view only at the end, after every read, so the buffer is updated in
    place. Finally every
    `tensor.empty`, and every `linalg.fill` of one, with several uses is
    split into one per use: each op gets its own destination, and a fill per
    use is cheaper than one fill and a copy per use.

    Before:
    ```mlir
    func.func @main(%x: tensor<4xf32> {kiln.name = "x"}) -> (tensor<4xf32> {kiln.name = "y"})
    ```
    After:
    ```mlir
    func.func @net_run_impl(%x: memref<4xf32>, %y: memref<4xf32>)
        attributes {kiln.entry = "run", kiln.arg_weights = array<i64: -1>, ...} {
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
           "C symbol prefix: entry point E becomes <name>_E_impl">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def KilnPlaceOutputs : Pass<"kiln-place-outputs", "::mlir::ModuleOp"> {
  let summary = "Compute results directly in the caller's output buffers";
  let description = [{
    After bufferization, a result that was not computed in its output buffer
    lives in a temporary allocation and is copied into the output at the end.
    Where the copy is the output's only use, the source is a whole allocation
    of the same type in the function's top block (or a reshape of one:
    `memref.collapse_shape`/`expand_shape` of plain buffers, as a product
    computed in panels and read as a matrix is), and nothing touches that
    allocation after the copy, the allocation is replaced by the output
    buffer (seen through the inverse reshapes) and the copy disappears. Under those conditions every access the
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
    together share memory. The scratch size is recorded on the function as
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

//===----------------------------------------------------------------------===//
// Stage "llvm": kernels and C entry points
//===----------------------------------------------------------------------===//

def KilnCEntryPoints : Pass<"kiln-c-entry-points", "::mlir::ModuleOp"> {
  let summary = "Add the artifact's C entry points around each entry function";
  let description = [{
    On the LLVM dialect, after the functions have been converted: for each
    entry function `<name>_E_impl` (attribute `kiln.entry = "E"`) it builds
    `int <name>_E_ctx(const kiln_context_t *ctx, const void *const *inputs,
    void *const *outputs)` and `int <name>_E(inputs, outputs)` (the same
    with a NULL context), and once per module `const char
    *<name>_signature(void)`, exactly as docs/artifact-format.md and
    runtime/kiln_abi.h state them: NULL checks of every non-empty buffer, the
    context's version and size, the caller's scratch (alignment, size) or
    one allocated with aligned_alloc and freed after the call, weights read
    at their offsets in `ctx->weights`, and the return codes KILN_CODE_*.
    Everything but these exported functions gets internal linkage. A
    declaration of one of them already in the module (a test driver calling
    it) is given its body. The whole signature string is also left on the
    module as `kiln.signature`, for the manifest.

    Upstream has `llvm.emit_c_interface`, which wraps a function taking
    memref descriptors; the artifact ABI takes arrays of bare pointers and a
    context instead, so the wrappers are Kiln's own.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def KilnExpandFloat8 : Pass<"kiln-expand-float8"> {
  let summary = "Convert to and from float8 with integer ops, which LLVM has none for";
  let description = [{
    MLIR 19 has the float8 types (f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ)
    and arith.extf / arith.truncf on them, but no lowering: the LLVM dialect
    stores them as i8, so `llvm.fpext` / `llvm.fptrunc` on an i8 is invalid,
    and LLVM itself has no float8 type (upstream's arith-expand handles only
    bf16 in 19, and f8E8M0 from 20). This pass, on any op (the CPU runs it on
    each function, the CUDA target on each GPU module), rewrites every
    conversion involving a float8 type into integer and f32 arithmetic, so
    that only loads, stores, constants, selects and bitcasts of float8 values
    remain, all of which lower as i8:

    - float8 -> f32: the bits re-biased into an f32 (subnormals as m * 2^-k
      in f32, exact), each format's infinities and NaNs; then extf or truncf
      (exact) to the result type;
    - f16, bf16 -> float8: extf to f32 (exact) first; f64 -> float8: f64 ->
      f32 rounded to odd first, so the result rounds once;
    - f32 -> float8: round to nearest even on the f32 bits (float8
      subnormals by adding 2^23 to |x| scaled to units of the smallest
      subnormal), then each format's overflow: infinity for f8E5M2, NaN for
      the others, which have none; -0 becomes +0 in the fnuz formats.

    Saturation (kiln.cast's `saturate`) is a clamp before the truncf, in the
    semantics; these conversions are those of APFloat, which the folders use.
    Any other arith or math op left on a float8 value (there is no float8
    arithmetic in kiln) is an error here rather than a crash in LLVM.

    ```mlir
    %y = arith.truncf %x : f32 to f8E4M3FN
    // becomes
    %u = arith.bitcast %x : f32 to i32
    ...                               // sign, rounding, overflow to NaN
    %y = arith.bitcast %code : i8 to f8E4M3FN
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def KilnParallelTasks : Pass<"kiln-parallel-tasks", "::mlir::ModuleOp"> {
  let summary = "Turn each top-level scf.forall of an entry function into a task function and a launch";
  let description = [{
    Gives every entry function a last argument, the caller's
    `kiln_context_t *` (null when there is none), and marks it
    `kiln.takes_context`. Each scf.forall at an entry function's top level
    (with constant bounds, on buffers) becomes:

    - a private `no_inline` task function `<entry>_task<N>_<op>[__<node>]
      (index i, buffers...)` that runs the loop's body for the i-th point
      of its iteration space (the last dim fastest), the views and constants
      its body uses recomputed inside, as kiln-outline-kernels does;
    - a declaration `<task>_launch(context, buffers...)` with
      `kiln.launch_task` and `kiln.launch_count` (the number of points),
      called in the loop's place. kiln-parallel-launches defines it in the
      LLVM dialect: through the context's parallel_for when the context has
      one and more than one thread, else a loop on the calling thread.

    Any other scf.forall (nested, or with dynamic bounds) becomes
    sequential scf.for loops.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::scf::SCFDialect"];
}

def KilnParallelLaunches : Pass<"kiln-parallel-launches", "::mlir::ModuleOp"> {
  let summary = "Define the launchers of kiln-parallel-tasks in the LLVM dialect";
  let description = [{
    After the conversion to the LLVM dialect, gives each declaration marked
    `kiln.launch_task` its body:

    ```c
    void launch(kiln_context_t *ctx, args...) {
      if (ctx && ctx->parallel_for && ctx->num_threads > 1) {
        struct { args... } packed = {args...};
        ctx->parallel_for(ctx->pool, COUNT, trampoline, &packed);
      } else {
        for (size_t i = 0; i < COUNT; ++i) task(i, args...);
      }
    }
    void trampoline(void *packed, size_t i) { task(i, unpacked args...); }
    ```

    The packed arguments live on the caller's stack: parallel_for returns
    only when every task has run (runtime/kiln_abi.h).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def KilnOutlineKernels : Pass<"kiln-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Move each compute op of an entry function into a function of its own";
  let description = [{
    After bufferization and memory planning, every op with regions at the top
    level of an entry function (`kiln.entry`: linalg ops, loops) moves into a
    private function, `<entry>_kernel<N>_<op>[__<node>]` (named after the
    op and the model node it came from, for profiles), marked `kiln.kernel` and
    `no_inline`, which the entry function calls. A kernel's parameters are
    the entry function's own buffers that the op reaches; the views and
    constants between them and the op are recomputed inside the kernel, so
    every parameter keeps its identity layout.

    A model compiles to many small functions instead of one with thousands
    of loop nests: LLVM's loop passes take time superlinear in a function's
    size (a chain of 3,000 small matmuls and softmaxes took over ten minutes
    in one function), and kernels are what a thread pool can call.

    Before:
    ```mlir
    func.func @m_impl(%x: memref<4xf32>, %y: memref<4xf32>) attributes {kiln.entry} {
      linalg.exp ins(%x : memref<4xf32>) outs(%y : memref<4xf32>)
      return
    }
    ```
    After:
    ```mlir
    func.func @m_impl(%x: memref<4xf32>, %y: memref<4xf32>) attributes {kiln.entry} {
      call @m_impl_kernel0(%x, %y) : (memref<4xf32>, memref<4xf32>) -> ()
      return
    }
    func.func private @m_impl_kernel0(%x: memref<4xf32>, %y: memref<4xf32>)
        attributes {kiln.kernel, no_inline} {
      linalg.exp ins(%x : memref<4xf32>) outs(%y : memref<4xf32>)
      return
    }
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // KILN_CODEGEN_PASSES_TD
