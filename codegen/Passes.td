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

#endif // KILN_CODEGEN_PASSES_TD
