//===- Passes.td - CPU code generation passes -------------*- tablegen -*-===//
//
// Passes of the CPU target that upstream MLIR has no equivalent for.
// Alphabetical.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PASSES_TD
#define KILN_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnCPUApproximateMath : Pass<"kiln-cpu-approximate-math", "::mlir::func::FuncOp"> {
  let summary = "f32 transcendental functions as polynomials, so loops of them vectorize";
  let description = [{
    Rewrites f32 math.exp, expm1, log, log1p, log2, erf and tanh (scalar or
    vector) into arith polynomials with upstream's approximations
    (populateMathPolynomialApproximationPatterns). Left alone they would
    become scalar calls into libm, which LLVM cannot vectorize (38% of a
    BERT encoder's time was in `erff`). The polynomials are accurate to a
    few ulp over the whole f32 range (Cephes-style range reduction), as are
    the ones onnxruntime uses. f64 math keeps libm, and so do sin and cos:
    upstream's polynomials for them have no range reduction for large
    arguments (sin(1e30) would be -inf).

    ```mlir
    %y = math.erf %x : f32
    // becomes a rational polynomial in %x with clamps, selects and FMAs
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def KilnCPUWindowsAsElementwise : Pass<"kiln-cpu-windows-as-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Rewrite NCHW depthwise convolutions and pooling as elementwise ops over their windows";
  let description = [{
    A linalg.depthwise_conv_2d_nchw_chw, linalg.pooling_nchw_max or
    linalg.pooling_nchw_sum (of any batch), with a window of at most
    `max-window` taps, becomes one all-parallel linalg.generic over the
    output [N, C, OH, OW], e.g. for the depthwise convolution

      y[n, c, i, j] = init[n, c, i, j] + sum over taps (p, q) of
                   x[n, c, i*sh + p*dh, j*sw + q*dw] * w[c, p, q]

    (max pooling: init max x..., with arith.maximumf as the pool; sum
    pooling: init + x...), whose operands are the KH*KW strided windows of x
    (tensor.extract_slice, views after bufferization) and, for the
    convolution, the filter's columns. The window's reduction is unrolled
    into the body in the op's own order (p outer, q inner), so the results
    are the same. Left as they are, these ops have no dim that walks every
    operand with unit stride and stay scalar loop nests (upstream vectorizes
    them only in channels-last 1-D forms); as elementwise ops they are
    vectorized along the output row by kiln-cpu-vectorize-ops (a strided
    window's row is one contiguous read and a shuffle) and split into
    parallel tasks.

    ```mlir
    %y = linalg.depthwise_conv_2d_nchw_chw {strides = dense<1> : vector<2xi64>, ...}
           ins(%x, %w : tensor<1x32x114x114xf32>, tensor<32x3x3xf32>) outs(%init : tensor<1x32x112x112xf32>)
    // becomes nine windows %x[0, 0, p, q] [1, 32, 112, 112] [1, 1, 1, 1], nine
    // columns %w[0, p, q] [32, 1, 1] (as tensor<32xf32>), and
    %y = linalg.generic {...all parallel...} ins(%init, %x00, %w00, ..., %x22, %w22 : ...)
           outs(%empty : tensor<1x32x112x112xf32>)
    ```
  }];
  let options = [
    Option<"maxWindow", "max-window", "int64_t", "25",
           "Largest window (KH*KW taps) unrolled into one op">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def KilnCPUExpandBF16 : Pass<"kiln-cpu-expand-bf16", "::mlir::func::FuncOp"> {
  let summary = "Convert to and from bf16 with integer ops, not libgcc or AVX512-BF16";
  let description = [{
    LLVM lowers conversions to bfloat in one of two ways on x86, both wrong
    for Kiln: a call to `__truncsfbf2` / `__truncdfbf2`, which libgcc 12
    (Debian 12) does not have, so no bf16 model links for a CPU without
    AVX512-BF16 and no f64 -> bf16 cast links at all; or, with AVX512-BF16,
    `vcvtneps2bf16`, which flushes subnormals to zero where the folders (and
    PyTorch, and onnxruntime) round them. Integers go through f32 rounded to
    nearest, which rounds twice. This pass expands the conversions into
    integer arithmetic that rounds once, to nearest even, everywhere:

    - f32 -> bf16 and bf16 -> f32: upstream's arith-expand bf16 patterns;
    - f64 -> bf16: f64 -> f32 rounded to odd (toward zero, last bit set when
      inexact), then f32 -> bf16 as above. Rounding to nearest twice would
      differ: 1 + 2^-8 + 2^-30 would become the tie 1 + 2^-8, then 1;
    - integer -> bf16: through f32 or f64, whichever holds the integer
      exactly (i64 magnitudes from 2^53 rounded to odd on a grid of 2^11).

    ```mlir
    %b = arith.truncf %x : f64 to bf16
    // becomes
    %n = arith.truncf %x : f64 to f32
    ...                          // the last bit set if %n is inexact
    %b = ...                     // (bits + 0x7fff + lsb) >> 16, NaN -> 0x7fc0
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
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

def KilnCPUBlockedConvs : Pass<"kiln-cpu-blocked-convs", "::mlir::func::FuncOp"> {
  let summary = "Rewrite f32 NCHW convolutions as direct convolutions on channel blocks (NCHWc)";
  let description = [{
    A linalg.conv_2d_nchw_fchw on f32 with static shapes and F a multiple
    of the block b (two vectors of f32: 32 with AVX-512, 16 with AVX2)
    becomes, for any batch, stride and dilation,

      y[n, fo, oh, ow, fi] = init + sum over (co, kh, kw, ci) of
          x[n, co, oh*sh + kh*dh, ow*sw + kw*dw, ci] * w[fo, co, kh, kw, ci, fi]

    a linalg.generic on the blocked layouts: the input packed to
    [N, C/b, H, W, b] (tensor.pack; C not a multiple of b, such as an
    image's 3 channels, stays NCHW as [N, C, H, W, 1]), the filter re-laid
    out to [F/b, C/cb, KH, KW, cb, b], and the result unpacked to NCHW
    (tensor.unpack). A constant filter is re-laid out now; one computed at
    run time (weights passed in: `--weights external`, training) by a
    tensor.pack on every call, only where that copy is smaller than the
    im2col copy kiln-cpu-conv-to-matmul would make instead (never for 1x1
    convolutions with unit strides, which make none). The bias or fill is made in the blocked shape.
    There is no im2col copy: kiln-cpu-select-tiles gives the op register
    tiles of a few output pixels (along ow) by b filters, whose k loops read
    each tap of the window in place, one broadcast per pixel, and one
    contiguous row of b filters. kiln-cpu-propagate-layouts then removes
    the unpack/pack pairs between convolutions.

    This is the direct convolution of onnxruntime's MLAS (NCHWc) and
    oneDNN (nChw16c), which upstream MLIR has no lowering for. Convolutions
    that do not qualify are left to kiln-cpu-conv-to-matmul.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "512",
           "Width of the target's vector registers in bits (0 or 32: no blocking)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def KilnCPUPrefetchFilters : Pass<"kiln-cpu-prefetch-filters", "::mlir::func::FuncOp"> {
  let summary = "Prefetch the next chunk of a large blocked filter while the current one is in use";
  let description = [{
    After bufferization. A blocked convolution's register tiles read the
    filter chunk of one cache tile (a few channel blocks of
    [F/fb, C/cb, KH, KW, cb, fb], sized to stay in L1) once per output row
    of pixels: with few pixels (ResNet's last layers at batch 1: 7x7) the
    first tile of each chunk waits for the chunk to arrive from memory, as
    a filter of megabytes does not stay in L2 between runs (ResNet-18's
    last layers spent about half of their time on those loads). Each vector
    read of such a chunk gets a memref.prefetch (into L2: the current chunk
    still fills L1) of the same element in the chunk the enclosing loop
    takes next, so the next chunk streams in while this one is reused.
    Only filters of at least `min-bytes` (half of L2: smaller ones stay
    cached) are prefetched; the last chunk prefetches itself, so every
    prefetch stays in bounds.

    ```mlir
    scf.for %co = %c0 to %c16 step %c1 {
      %chunk = memref.subview %filter[0, %co, 0, 0, 0, 0] [1, 1, 3, 3, 32, 32] [1, 1, 1, 1, 1, 1]
      ...  %row = memref.subview %chunk[0, 0, %kh, %kw, %ci, 0] ...
      %w = vector.transfer_read %row[%c0, %c0] ...
    // gains, before the read, with %next = min(%co + 1, 15):
      %nchunk = memref.subview %filter[0, %next, 0, 0, 0, 0] ...
      %nrow = memref.subview %nchunk[0, 0, %kh, %kw, %ci, 0] ...
      memref.prefetch %nrow[%c0, %c0], read, locality<2>, data
      memref.prefetch %nrow[%c0, %c16], read, locality<2>, data
    ```
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t", "1048576",
           "Filters smaller than this many bytes are left alone (about half of L2)">,
    Option<"lineBytes", "line-bytes", "int64_t", "64", "Cache line, bytes">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect"];
}

def KilnCPUPropagateLayouts : Pass<"kiln-cpu-propagate-layouts", "::mlir::func::FuncOp"> {
  let summary = "Carry blocked layouts through elementwise ops and pads; lower the rest of pack/unpack";
  let description = [{
    Pushes each tensor.unpack down through the elementwise linalg.generic
    ops and tensor.pad ops that use it (upstream's data layout propagation,
    plus elementwise ops with several unpacked operands of one layout, such
    as a residual add), so that a convolution's blocked result reaches the
    next convolution's tensor.pack, and the pair folds away:

      %u = tensor.unpack %y ...   // [1, 2, 56, 56, 32] -> [1, 64, 56, 56]
      %r = relu(%u)
      %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1]
      %x = tensor.pack %p ...     // -> [1, 2, 58, 58, 32]
    // becomes
      %r = relu(%y)               // on [1, 2, 56, 56, 32]
      %x = tensor.pad %r low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0]

    Packs are not bubbled up. The packs and unpacks that remain (the
    graph's inputs and outputs, ops that take no blocked operands such as
    pooling) are lowered to tensor.pad, reshapes and linalg.transpose.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def KilnCPUPadsInPlace : Pass<"kiln-cpu-pads-in-place", "::mlir::func::FuncOp"> {
  let summary = "Make the producer of a padded tensor write into the padded buffer's interior";
  let description = [{
    A tensor.pad with a constant value whose source an op writes into a
    tensor.empty (a convolution's tasks, an elementwise op, the loop of a
    contraction run as one task) becomes a padded buffer whose border alone
    is filled (per padded dim a slab below and one above the interior, each
    a fill of its own inserted into the buffer) and whose interior slice
    the op writes, inserted back in place:

      %y = scf.forall ... shared_outs(%o = %empty) ...   // [1, 2, 56, 56, 32]
      %p = tensor.pad %y low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0] { tensor.yield %zero }
    // becomes
      %t = linalg.fill ins(%zero) outs(tensor.empty() : tensor<1x2x1x58x32xf32>)
      %f1 = tensor.insert_slice %t into tensor.empty() : tensor<1x2x58x58x32xf32> at row 0
      ... the bottom row, then the left and right columns of rows 1..56 ...
      %i = tensor.extract_slice %f[0, 0, 1, 1, 0] [1, 2, 56, 56, 32] [1, 1, 1, 1, 1]
      %y = scf.forall ... shared_outs(%o = %i) ...
      %p = tensor.insert_slice %y into %f[0, 0, 1, 1, 0] [1, 2, 56, 56, 32] [1, 1, 1, 1, 1]

    One-shot bufferization writes %y in place into the padded buffer, and
    the insert of the same slice of the same buffer copies nothing: the
    pad's copy of its source, a pass over each convolution's and each
    depthwise convolution's input, is gone (MobileNetV2: 4.5 -> 4.1 ms).
    Filling only the border, not the whole buffer first, saves a write of
    each padded buffer (a 114x114 image padded by one pixel has 3.5% of its
    elements in the border; MobileNetV2 at 1 thread 8.91 -> 8.48 ms on an
    AVX-512 Xeon).
    Runs last before bufferization, after every CSE, which would merge the
    equal fills of different pads so that their producers shared one
    buffer; kiln-entry-points does not give such a fill one copy per use as
    it does an accumulator's. Upstream's empty-tensor elimination does this
    and more, but Kiln does not run it (codegen/Pipeline.cpp says why).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def KilnCPUConvToMatmul : Pass<"kiln-cpu-conv-to-matmul", "::mlir::func::FuncOp"> {
  let summary = "Rewrite NCHW convolutions as im2col + GEMM-shaped contractions";
  let description = [{
    A linalg.conv_2d_nchw_fchw of one image becomes a matmul of the filter,
    read as the [F, C*KH*KW] matrix it already is, with the im2col matrix
    [C*KH*KW, OH*OW] of the (already padded) input, into the output read as
    [F, OH*OW]: the reshapes are free, and the product is NCHW as it stands,
    so the register-blocked GEMM tiles serve every convolution. The im2col
    matrix is one copy (strided windows of the input); 1x1 convolutions
    with unit strides need none. When full register tiles (see
    kiln-cpu-select-tiles) would cover more of the product transposed
    (7x7 = 49 pixels by 512 filters), and the filter is a constant, the
    product is computed transposed (pixels x filters, from the transposed
    im2col matrix and the filter transposed at compile time) and transposed
    back, so its vectors run along the filters.

    A convolution of a batch of N images becomes one linalg.generic: the
    filter [F, C*KH*KW] times the images' im2col matrices
    [N, C*KH*KW, OH*OW] into the output read as [N, F, OH*OW], a
    contraction whose left-hand operand has no image dim; kiln-cpu-select-tiles
    tiles the images like a batch dim. Batches whose im2col copies would
    exceed 32 MB are split into groups of images, one product each. Grouped
    and depthwise convolutions are left as they are.

    Before:
    ```mlir
    %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x64x58x58xf32>, tensor<64x64x3x3xf32>)
           outs(%init : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    ```
    After:
    ```mlir
    %cols = linalg.generic ...  // [64, 3, 3, 56, 56] windows of %x
    %y2 = linalg.matmul ins(%w2, %cols2 : tensor<64x576xf32>, tensor<576x3136xf32>)
            outs(%init2 : tensor<64x3136xf32>) -> tensor<64x3136xf32>
    %y = tensor.expand_shape %y2 [[0, 1], [2, 3]] ... -> tensor<1x64x56x56xf32>
    ```
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "512",
           "Widest vector register, in bits">,
    Option<"vectorRegisters", "vector-registers", "int64_t", "32",
           "Number of vector registers">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def KilnCPUPackOperands : Pass<"kiln-cpu-pack-operands", "::mlir::func::FuncOp"> {
  let summary = "Pack each matmul's right operand into the register tile's panels";
  let description = [{
    The register tile of a matmul (see kiln-cpu-select-tiles) reads, per k
    step, one row of `nr` columns of B. Row-major, those rows lie N floats
    apart: at N = 1024, each k step touches a new 4 KB page in the same L1
    set, and the GEMM runs at 60-70% of the FMA ceiling however it is tiled
    (../shared/docs/CPU-GEMM.md). This pass lays B out as panels, B[K, N]
    -> Bp[N/nr, K, nr] (Bp[j, k, c] = B[k, j*nr + c]), so a register tile
    streams one contiguous panel, as every BLAS does. The matmul becomes the
    equivalent linalg.generic over (m, panel, column, k) into the output
    viewed as [M, N/nr, nr] (a free reshape).

    A constant B (the weights of a linear layer, or a convolution's filter
    in its transposed form) is packed now, at compile time. Another B is
    packed at run time by a copy (a linalg.transpose of its panels) only
    when the product has at least `min-rows-to-pack` rows: the copy reads
    and writes B once, which pays only when the register tiles read B many
    times. One cache block of rows (64) is enough: its register tiles read
    each panel 8 times, and an unpacked B whose rows are a few KB apart
    maps a panel's rows to a few L1 sets, so each tile fetches it again
    from L2 (128 x 384 by 384 x 1536: 2.15 -> 1.91 ms at 1 thread on an
    AVX-512 Xeon; 5-17% for every run-time B of 128 to 256 rows measured,
    at 1 and 2 threads). Matmuls whose N is not a whole number of panels, or is a single
    panel, are left as they are.

    ```mlir
    %c = linalg.matmul ins(%a, %b : tensor<256x64xf32>, tensor<64x128xf32>) ...
    // becomes, with 32-column panels
    %bp = arith.constant dense<...> : tensor<4x64x32xf32>
    %c4 = tensor.expand_shape %init [[0], [1, 2]] ... : tensor<256x4x32xf32>
    %r = linalg.generic {indexing_maps = [(m, j, c, k) -> (m, k), (m, j, c, k) -> (j, k, c),
                                          (m, j, c, k) -> (m, j, c)], ...}
    %c = tensor.collapse_shape %r [[0], [1, 2]] : tensor<256x128xf32>
    ```
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "512",
           "Widest vector register, in bits">,
    Option<"vectorRegisters", "vector-registers", "int64_t", "32",
           "Number of vector registers">,
    Option<"minRowsToPack", "min-rows-to-pack", "int64_t", "64",
           "Fewest rows of A for which a B that is not a constant is packed "
           "at run time">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def KilnCPUSelectTiles : Pass<"kiln-cpu-select-tiles", "::mlir::func::FuncOp"> {
  let summary = "Choose cache and register tiles for each contraction from the machine";
  let description = [{
    Annotates each f32 contraction on tensors (linalg.matmul, batch_matmul, a
    matmul-like linalg.generic with one m, n and k dim, the packed form
    of kiln-cpu-pack-operands, whose n is panels x columns, or a filter
    applied to a batch of images, whose outer n the filter lacks and which
    is tiled like a batch dim) with `kiln.tiles`
    (codegen/CPU/Tiles.h): the register tile is two vectors along n by as
    many rows of m as keep every accumulator in a register (8 x 32 with
    AVX-512's 32 zmm registers, 6 x 16 with AVX2's 16), and the cache tiles
    (m 64, n 256, k 256 or 128) keep B's panel in L1 and A's block in L2.
    Nothing is hard-coded for one CPU: the sizes come from the options, which
    the CPU target fills from its TargetDescription. kiln-cpu-tile-
    contractions applies them; lit tests can write the attribute directly.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "512",
           "Widest vector register, in bits">,
    Option<"vectorRegisters", "vector-registers", "int64_t", "32",
           "Number of vector registers">,
    Option<"l1Bytes", "l1-bytes", "int64_t", "32768", "L1 data cache, bytes">,
    Option<"cores", "cores", "int64_t", "1",
           "Cores the code will run on: the batch dims and n are split into "
           "at least two tasks per core (parallel tiles) when there is more "
           "than one">,
  ];
}

def KilnCPUSplitBufferTasks : Pass<"kiln-cpu-split-buffer-tasks", "::mlir::func::FuncOp"> {
  let summary = "Split the large linalg ops left serial into parallel tasks, on buffers";
  let description = [{
    After bufferization, each linalg op at a function's top level (not yet
    inside a loop or task) with static shapes and at least 64K iterations
    is tiled along its outermost parallel dim that has at least two
    iterations per core into an scf.forall of about four tasks per core,
    which kiln-parallel-tasks turns into a parallel launch. These are the
    ops the tensor-level passes leave on one thread: the pad copies
    bufferization makes, pooling windows and strided depthwise
    convolutions that accumulate into another op's buffer. On tensors,
    one-shot bufferization would give each task its own buffer for them,
    allocated inside the task; on buffers, the tasks write disjoint views of
    the op's own output, so splitting a parallel dim is always correct.

    ```mlir
    linalg.copy ins(%x : memref<32x112x112xf32>) outs(%padded_view : memref<32x112x112xf32, strided<...>>)
    // becomes, with 2 cores
    scf.forall (%i) = (0) to (32) step (4) {
      linalg.copy ins(%x_i : ...) outs(%padded_view_i : ...)   // 4 channels each
    }
    ```
  }];
  let options = [
    Option<"cores", "cores", "int64_t", "1",
           "Cores the code will run on; nothing is split for one">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def KilnCPUTileContractions : Pass<"kiln-cpu-tile-contractions", "::mlir::func::FuncOp"> {
  let summary = "Tile, peel and vectorize the contractions annotated with kiln.tiles";
  let description = [{
    For each op with `kiln.tiles`: tiles it for the caches (scf.for, in the
    attribute's loop order), tiles each cache tile for the registers, peels
    the register loops so every tile but the last is static, vectorizes the
    static tiles (vector.contract on transfers of the tensor slices), hoists
    each output tile's read and write out of its k loop so the accumulators
    stay in registers, and lowers the contractions to outer products (one
    vector FMA per row of A and vector of B). Peeling goes on into the
    partial copies, so with static shapes every register tile, the last
    partial ones included, is a vector tile of static shape. The outermost
    tile loop keeps `kiln.tiles`.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "512",
           "Widest vector register, in bits: a partial tile wider than one "
           "vector is split into whole vectors and a narrow rest">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def KilnCPUVectorizeOps : Pass<"kiln-cpu-vectorize-ops", "::mlir::func::FuncOp"> {
  let summary = "Vectorize the linalg ops that are not contractions along one unit-stride dim";
  let description = [{
    For each static linalg op at the function's top level that upstream's
    vectorizer accepts (elementwise ops, broadcasts, fills, reductions,
    softmax and layer-norm pieces), picks the loop to vectorize along:

    - the output's innermost dim, if every operand walks it with unit
      stride (or not at all): each lane is one output element, tiles of up
      to 8 vectors;
    - else the inputs' innermost dim if it is a reduction walked with unit
      stride (softmax's max and sum over the last axis): a row up to 16
      vectors long is one tile, longer rows go in tiles of 4 vectors, each
      reduced across lanes at its end.

    Every other dim gets tiles of 1. The last, partial tile is peeled so
    all tiles have static shapes, and each tile is vectorized
    (linalg::vectorize) and lowered to 1-D vectors. Ops with no such dim
    (transposes, windows of im2col and pooling) are left to
    kiln-cpu-loop-order and LLVM's loop vectorizer.

    With more than one core, an op of 64K iterations or more is first split
    into parallel tasks (one scf.forall) along its outermost parallel dim,
    about four per core.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "512",
           "Widest vector register, in bits">,
    Option<"cores", "cores", "int64_t", "1",
           "Cores the code will run on; more than one splits large ops into "
           "parallel tasks">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // KILN_CODEGEN_CPU_PASSES_TD
