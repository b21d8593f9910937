//===- Passes.td - GPU code generation passes -------------*- tablegen -*-===//
//
// Passes of the GPU targets that upstream MLIR has no equivalent for, in
// pipeline order.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_GPU_PASSES_TD
#define KILN_CODEGEN_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnGPUConvToMatmul : Pass<"kiln-gpu-conv-to-matmul", "::mlir::func::FuncOp"> {
  let summary = "Rewrite NCHW convolutions as im2col + contractions, for kiln-gpu-tile-contractions";
  let description = [{
    On tensors, in the loop stage. A linalg.conv_2d_nchw_fchw of one image
    becomes the im2col copy and a linalg.matmul, as on the CPU (the rewrite
    of kiln-cpu-conv-to-matmul, shared through codegen/Common; never
    transposed: the GPU tiles take either shape alike; 1x1 convolutions with
    unit strides need no copy). Batches go through upstream's
    linalg::rewriteInIm2Col: the im2col gather [N, C*KH*KW, OH*OW] and a
    contraction generic whose n dims are the image and the pixel, which
    kiln-gpu-tile-contractions linearizes (upstream needs unit dilations).
    Grouped, depthwise and dilated batched convolutions stay as they are,
    one thread per output.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def KilnGPUTileContractions : Pass<"kiln-gpu-tile-contractions", "::mlir::func::FuncOp"> {
  let summary = "Run each contraction as a tiled kernel: shared-memory k tiles, register tiles per thread";
  let description = [{
    Every top-level linalg contraction of an entry function (linalg.matmul,
    batch_matmul, the matmuls convolutions become, any generic whose body
    multiplies and adds) with static shapes becomes one gpu.launch: the
    classic SGEMM structure.

    - A block computes a `block-m` x `block-n` tile of the output (m and n
      dims linearized when there are several; the batch dims are the grid's
      z), with (block-n / thread-n) x (block-m / thread-m) threads.
    - The reduction runs in k tiles of `block-k`: the block's threads copy
      the A tile [block-m, block-k] and the B tile [block-k, block-n] into
      workgroup memory (both k-major, padded by 4 elements per row against
      bank conflicts; the copy walks along each operand's contiguous dim so
      that neighbouring threads load neighbouring elements), zero outside
      the operands, between gpu.barrier's.
    - Each thread accumulates `thread-m` x `thread-n` outputs in registers
      (scf.for iteration arguments), reading its rows and columns of the
      tiles in groups of 4 spread over the block (4 consecutive elements per
      thread, so that the loads can be 128-bit and a warp's are free of
      bank conflicts), starting from the output's initial value and adding
      the products in k order (the op's own order, so each element is
      summed as the loop nest sums it). A partial last k tile is one more
      step of its exact length. When a linalg.fill of a constant
      initializes the output before the op (no op between them touching a
      view of the output's buffer), the accumulators start from the
      constant and the fill goes (the kernel writes every output).
    - Threads write their outputs where they fall inside the output.

    Tiles are options (the target description's, largest first): the first
    that makes at least `multiprocessors` blocks, else the last. Upstream's
    tiling (scf.forall with #gpu.block / #gpu.thread mappings, promotion,
    mapNestedForallToThreads) puts a barrier after every thread-level
    forall, so a value can live across a barrier only in memory: a register
    tile accumulated across the k loop's barriers cannot be expressed there
    (IREE adds its own vector distribution for it). This pass writes the
    block's program directly, with upstream's gpu ops.

    Tensor cores: a contraction whose body is out + a * b with f32
    accumulators and f16 or bf16 operands (extended to f32), or f32 operands
    when `allow-tf32`, gets a kernel of warp-level nvgpu.mma.sync instead
    (m16n8k16; m16n8k8 for tf32), when `mma-tiles` has one that fits:
    - a block computes a `block-m` x `block-n` tile with `warps-m` x `warps-n`
      warps, each warp a (block-m / warps-m) x (block-n / warps-n) tile of
      m16 x n8 fragments whose f32 accumulators (vector<2x2xf32> per
      fragment and lane) stay in registers across the k loop;
    - each k tile of `block-k` is copied into two k-contiguous workgroup
      tiles ([block-m, block-k + pad] and [block-n, block-k + pad], padded
      by 16 bytes per row so that the fragment loads of a warp hit 32
      different banks), zero outside the operands, between gpu.barrier's;
      B contiguous along n (a plain MatMul's [K, N]) is kept n-contiguous
      instead, [block-k, block-n + 8], its fragments loaded element by
      element; an operand contiguous along the tile's contiguous dim (one
      dim, a multiple of 16 bytes) whose buffer is 16-byte aligned at run
      time is copied in 16-byte pieces:
      cp.async (nvgpu.device_async_copy, zero-filled outside, waited for
      before the barrier) for 16-bit operands, 128-bit loads and stores for
      tf32 ones (rounded on the way); other operands element by element;
    - each lane loads its fragments from the tiles with the PTX ISA's
      layout (for m16n8k16: A's row groupID and groupID + 8, k columns
      2 * threadID_in_group + {0, 1} and + 8; B's column groupID) as
      vector.load's of two consecutive k elements.
    The products are exact and the sums f32, in the instruction's order:
    results differ from the op's loop in the last bits of f32. Operands
    read as tf32 keep 10 bits of mantissa (the hardware ignores the rest).
  }];
  let options = [
    ListOption<"tiles", "tiles", "int64_t",
               "Tiles, largest first, 5 numbers each: block M, block N, block K, thread M, thread N">,
    ListOption<"mmaTiles", "mma-tiles", "int64_t",
               "Tensor-core tiles, largest first, 5 numbers each: block M, block N, block K, "
               "warps M, warps N; none: no tensor cores">,
    Option<"allowTF32", "allow-tf32", "bool", "false",
           "Run f32 contractions on tensor cores as tf32 (10-bit mantissa operands)">,
    Option<"multiprocessors", "multiprocessors", "int64_t", "108",
           "Multiprocessors of the device: the blocks a tile should make at least">,
    Option<"sharedBytes", "shared-bytes", "int64_t", "49152",
           "Static shared memory a block may use">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def KilnGPUReduceRows : Pass<"kiln-gpu-reduce-rows", "::mlir::func::FuncOp"> {
  let summary = "Run each row reduction as warp or block reductions, one row per warp or block";
  let description = [{
    A top-level linalg reduction (linalg.reduce, or a generic with one
    output) whose reduced dims come after its parallel ones and run along its
    inputs' contiguous dim, at least `min-row-length` elements long, with one
    combiner upstream's gpu.subgroup_reduce knows (add, mul, min, max, and,
    or, xor) on f32 or i32: the reductions of softmax, layer norm, ReduceSum,
    ReduceMax, ReduceMean over the last axes.

    Each row (one output element) gets a group of threads: a warp for rows
    up to 256 elements, more warps (up to `block-threads`) for longer rows,
    about 8 elements per thread; a block of `block-threads` threads holds as
    many rows as fit. Each thread folds every group-size-th element of its
    row into a partial value with the op's own body (starting from the
    combiner's neutral element), the warp combines its partials with
    gpu.subgroup_reduce, and with several warps per row, lane 0 of each
    writes its result to workgroup memory, gpu.barrier, and every warp
    combines the row's warp results the same way. Thread 0 of the row
    combines the output's initial value with the total and stores it (a
    constant fill of the output before the op is folded in, as in
    kiln-gpu-tile-contractions). Rows
    past the last reduce nothing but reach the barrier and shuffles.

    The gpu.subgroup_reduce ops are lowered right away with upstream's
    butterfly of xor gpu.shuffle's (populateGpuLowerSubgroupReduceToShuffle
    Patterns), so that kiln-gpu-launches-as-loops runs on the CPU the
    shuffles the GPU runs. Upstream's gpu.all_reduce lowering would do the
    whole block reduction, but only inside an outlined gpu.func, where the
    CPU emulation cannot see it.

    The sum is in a different order than the op's loop (per thread, then a
    tree): float results may differ from the CPU target's in the last bits.
  }];
  let options = [
    Option<"blockThreads", "block-threads", "int64_t", "256",
           "Threads per block (a power of two from 32 to 1024)">,
    Option<"minRowLength", "min-row-length", "int64_t", "16",
           "Rows shorter than this stay one thread per output">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def KilnGPUMapLoops : Pass<"kiln-gpu-map-loops", "::mlir::func::FuncOp"> {
  let summary = "Run each top-level loop nest of bufferized code as a gpu.launch, one thread per iteration";
  let description = [{
    After bufferization and convert-linalg-to-parallel-loops, an entry
    function is a sequence of loop nests between buffer views. Every
    top-level scf.parallel becomes a gpu.launch over its iteration space,
    linearized row-major (the last dimension fastest, so neighbouring
    threads touch neighbouring elements): `threadsPerBlock` threads per
    block (fewer, rounded up to a warp, for small loops), as many blocks as
    it takes, and a bounds check when the last block is partial. Reduction
    loops inside stay sequential per thread. Any other top-level op that
    reads or writes memory (a reduction with no parallel dimension, a
    scalar store) runs as a one-thread launch; pure ops (constants, views)
    stay on the host. A value the host would need from device memory is an
    error naming the op.

    Upstream's gpu-map-parallel-loops and convert-parallel-loops-to-gpu map
    loops dimension by dimension and need them tiled to the block shape
    first; one linear index covers every rank and size with one launch
    shape rule.

    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c100) step (%c1, %c1) { ... }
    // becomes
    gpu.launch blocks(%bx, ...) in (%gx = %c2, ...) threads(%tx, ...) in (%x = %c256, ...) {
      // %id = %bx * 256 + %tx; if %id < 400: %i = %id / 100, %j = %id % 100
    }
    ```
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t", "256",
           "Threads per block (a multiple of 32)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect"];
}

def KilnGPULaunchKernels : Pass<"kiln-gpu-launch-kernels", "::mlir::ModuleOp"> {
  let summary = "Outline every gpu.launch into one gpu.module and launch it through ctx->device";
  let description = [{
    Each gpu.launch of an entry function becomes a kernel (a gpu.func named
    `<prefix>_k<index>_<what it computes>`) in one gpu.module,
    `@<prefix>_kernels`, with an #nvvm.target per architecture. Constants,
    global constants and buffer views are sunk into the kernel first, so
    its parameters are the entry function's buffers (inputs, outputs,
    weights, scratch), each passed as a device pointer (the bare-pointer
    convention); referenced memref.globals are copied into the gpu.module.

    On the host, the launch becomes a call through the artifact ABI
    (runtime/kiln_abi.h): `ctx->device->launch(ctx->device, ctx->stream,
    index, grid, block, 0, args)` with `args` pointing to each buffer's
    address. The entry function gets the context and a status pointer as
    its last arguments; a non-zero launch result is stored there and the
    later launches are skipped. Upstream's gpu-to-llvm instead calls MLIR's
    CUDA runtime wrappers (mgpuLaunchKernel, module loads in global
    constructors), a link-time dependency on libcuda and global state that
    the artifact must not have.

    The module gets `kiln.device = "cuda"` and `kiln.gpu_kernels`, the
    kernel table the manifest lists.
  }];
  let options = [
    ListOption<"architectures", "architectures", "std::string",
               "The GPU architectures (sm_80, sm_90, ...) the kernels are for">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::scf::SCFDialect"];
}

def KilnGPUMathToLibdevice : Pass<"kiln-gpu-math-to-libdevice", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Call libdevice for the math ops convert-gpu-to-nvvm leaves alone";
  let description = [{
    LLVM 19's convert-gpu-to-nvvm maps exp, log, sin, tanh, erf, pow and a
    dozen more math ops to libdevice (`__nv_expf`, ...), but not acos,
    asin, acosh, asinh, atanh, cosh, sinh, copysign, fma, round, roundeven,
    trunc or fpowi, which would then fail to translate. This pass calls
    libdevice's functions for those (`__nv_acosf` for f32, `__nv_acos` for
    f64; f16 and bf16 through f32, as upstream does for the others), before
    convert-gpu-to-nvvm; kiln-gpu-serialize-kernels links libdevice.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::LLVM::LLVMDialect"];
}

def KilnGPUBF16MMAToNVVM : Pass<"kiln-gpu-bf16-mma-to-nvvm", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Lower bf16 nvgpu.mma.sync to NVVM's intrinsic, which upstream's nvgpu-to-nvvm lacks";
  let description = [{
    MLIR 19's convert-nvgpu-to-nvvm (and its NVVM dialect's nvvm.mma.sync)
    knows f16, tf32 and integer operands but not bf16, though PTX has
    mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 from sm_80 and LLVM
    19 its intrinsic `llvm.nvvm.mma.m16n8k16.row.col.bf16`. This pass calls
    that intrinsic for every m16n8k16 nvgpu.mma.sync on bf16 operands with
    f32 accumulators, before convert-nvgpu-to-nvvm: each lane's pairs of
    bf16 become the 32-bit registers the instruction takes (A: 4, B: 2, in
    the fragment's order), and the four f32 results its vector<2x2xf32>.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::vector::VectorDialect"];
}

def KilnGPUSerializeKernels : Pass<"kiln-gpu-serialize-kernels", "::mlir::ModuleOp"> {
  let summary = "Turn the gpu.module (NVVM) into PTX and cubin images on the module";
  let description = [{
    Serializes each target of the (already NVVM-lowered) gpu.module through
    upstream's NVVM target: a cubin per architecture (ptxas, from
    `toolkit`/bin) when `cubins` is set, and PTX for the newest
    architecture always, so newer GPUs can compile it. libdevice (for math
    functions) is linked from `toolkit`/nvvm/libdevice. The images go into
    the module's `kiln.gpu_images` and the gpu.module is erased, leaving
    host code only. Upstream's gpu-module-to-binary makes one format per
    run and keeps the images in a gpu.binary for an LLVM translation that
    loads them with global constructors.
  }];
  let options = [
    Option<"toolkit", "toolkit", "std::string", "\"\"",
           "The CUDA toolkit's root folder">,
    Option<"cubins", "cubins", "bool", "true",
           "Also assemble a cubin per architecture with ptxas">,
  ];
}

def KilnGPULaunchesAsLoops : Pass<"kiln-gpu-launches-as-loops", "::mlir::func::FuncOp"> {
  let summary = "Run each gpu.launch on the host: blocks in turn, threads in turn between barriers";
  let description = [{
    For checking kernels on a machine without a GPU: each gpu.launch becomes
    `scf.for` loops over its grid (z outermost), and inside, its body cut at
    every synchronization point (gpu.barrier, and before each gpu.shuffle and
    nvgpu.mma.sync),
    each piece a loop over the block's threads (x fastest). This is loop
    fission at barriers, as CUDA-on-CPU compilers do it, so that the CPU
    target can compile and run the kernels with their barriers, shared
    memory and warp shuffles meaning what they mean on the GPU
    (test/lib/cuda_testing.py compares the results with onnxruntime).

    - A value computed before a cut and used after it is computed again if
      its op is pure (indices, views, constants); otherwise each thread
      stores it in its slot of an array with one slot per thread of the
      block (`memref.alloca`, made once before the block loops).
    - gpu.shuffle reads the slot of the lane it names (PTX's `shfl`
      semantics: a lane outside [0, width) reads its own value).
    - nvgpu.device_async_copy (cp.async) copies at once where it is (zeros
      past its source size); its groups and waits go.
    - nvgpu.mma.sync (m16n8k16 on f16/bf16, m16n8k8 on tf32, f32
      accumulators) reads its warp's A and B fragments from their slots with
      the PTX ISA's fragment layouts: each lane sums the exact products of
      its accumulators' rows and columns in f32 (the hardware's order of the
      sums is unspecified; tf32 operands keep their top 19 bits).
    - An scf.for or scf.if with a synchronization point inside stays one
      loop or if around the thread loops of its body; its bounds or
      condition must be the same for every thread of the block (an error
      otherwise), and its iteration arguments and results live in slot
      arrays.
    - Workgroup memory attributions are one buffer each, filled with NaN
      (floats) as each block starts, so a kernel that reads shared memory no
      thread of its block wrote computes NaN.

    What it cannot show: races between threads that CUDA would allow to run
    in any order (here the threads of a segment always run in index order),
    timing, and NVVM's code generation.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // KILN_CODEGEN_GPU_PASSES_TD
