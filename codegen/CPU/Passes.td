//===- Passes.td - CPU code generation passes -------------*- tablegen -*-===//
//
// Passes of the CPU target that upstream MLIR has no equivalent for.
// Alphabetical.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PASSES_TD
#define KILN_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

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

#endif // KILN_CODEGEN_CPU_PASSES_TD
