// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of kiln.matmul: one case per message.

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

func.func @matmul_rank(%a: tensor<8xf32>, %b: tensor<8x4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.matmul' op operands must have rank >= 2, got 1 and 2}}
  %0 = kiln.matmul %a, %b : tensor<8xf32>, tensor<8x4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @matmul_contraction(%a: tensor<2x8xf32>, %b: tensor<7x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'kiln.matmul' op contraction dims differ: lhs [2, 8] has K = 8, rhs [7, 4] has K = 7}}
  %0 = kiln.matmul %a, %b : tensor<2x8xf32>, tensor<7x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_batch(%a: tensor<3x2x2x8xf32>, %b: tensor<4x1x8x4xf32>) -> tensor<3x2x2x4xf32> {
  // expected-error @+1 {{'kiln.matmul' op batch dims [3, 2] and [4, 1] do not broadcast (dim 1 from the right differs and is not 1)}}
  %0 = kiln.matmul %a, %b : tensor<3x2x2x8xf32>, tensor<4x1x8x4xf32> -> tensor<3x2x2x4xf32>
  return %0 : tensor<3x2x2x4xf32>
}

// -----

func.func @matmul_result_shape(%a: tensor<2x8xf32>, %b: tensor<8x4xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'kiln.matmul' op result type 'tensor<4x2xf32>' incompatible with the inferred 'tensor<2x4xf32>'}}
  %0 = kiln.matmul %a, %b : tensor<2x8xf32>, tensor<8x4xf32> -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @matmul_element_types(%a: tensor<2x8xf32>, %b: tensor<8x4xf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'kiln.matmul' op requires the same element type for all operands and results}}
  %0 = kiln.matmul %a, %b : tensor<2x8xf32>, tensor<8x4xf16> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_bool(%a: tensor<2x2xi1>) -> tensor<2x2xi1> {
  // expected-error @+1 {{'kiln.matmul' op operand #0 must be ranked tensor of numeric values, but got 'tensor<2x2xi1>'}}
  %0 = kiln.matmul %a, %a : tensor<2x2xi1>, tensor<2x2xi1> -> tensor<2x2xi1>
  return %0 : tensor<2x2xi1>
}
