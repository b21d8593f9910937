// RUN: kiln-opt %s -kiln-shape-inference -split-input-file -verify-diagnostics
// Shapes that verify while unknown but conflict once inference makes them
// static: the pass fails with the op's own message.

// The transpose makes %0 3x2, which does not broadcast with 2x3.
func.func @broadcast_conflict(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<?x?xf32>
  // expected-error @+1 {{'kiln.add' op operand shapes [3, 2], [2, 3] do not broadcast (dim 0 from the right differs and is not 1)}}
  %1 = kiln.add %0, %x : tensor<?x?xf32>, tensor<2x3xf32> -> tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}

// -----

// Inference gives 6 elements where the result says 5.
func.func @result_conflict(%x: tensor<2x3xf32>) -> tensor<5xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<?x?xf32>
  // expected-error @+1 {{'kiln.reshape' op result type 'tensor<5xf32>' conflicts with the inferred 'tensor<6xf32>'}}
  %1 = kiln.reshape %0 {shape = array<i64: -1>} : tensor<?x?xf32> -> tensor<5xf32>
  return %1 : tensor<5xf32>
}

// -----

// A matmul whose K only becomes known through an earlier op.
func.func @contraction_conflict(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<?x?xf32> {
  %0 = kiln.transpose %b {perm = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<?x?xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  // expected-error @+1 {{'kiln.matmul' op contraction dims differ: lhs [4, 8] has K = 8, rhs [4, 8] has K = 4}}
  %2 = kiln.matmul %a, %1 : tensor<4x8xf32>, tensor<?x?xf32> -> tensor<?x?xf32>
  return %2 : tensor<?x?xf32>
}
