//===- Passes.td - CPU code generation passes -------------*- tablegen -*-===//
//
// Passes of the CPU target that upstream MLIR has no equivalent for.
// Alphabetical.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PASSES_TD
#define KILN_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

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
