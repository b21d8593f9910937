//===- Passes.td - Kiln lowering passes -------------------*- tablegen -*-===//
//
// From the kiln dialect down to LLVM. Grouped by stage under banners,
// alphabetical within a stage.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_PASSES_TD
#define KILN_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// kiln -> linalg on tensors
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
    "::mlir::tensor::TensorDialect",
  ];
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
// Bufferized code
//===----------------------------------------------------------------------===//

def KilnOutlineKernels : Pass<"kiln-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Move each compute op of an entry function into a function of its own";
  let description = [{
    After bufferization and memory planning, every op with regions at the top
    level of an entry function (`kiln.entry`: linalg ops, loops) moves into a
    private function, `<entry>_kernel<N>`, marked `kiln.kernel` and
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
