// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of reduce_* and argmax: one case per message, and one
// case per op.

func.func @reduce_sum_no_axes(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.reduce_sum' op axes must not be empty}}
  %0 = kiln.reduce_sum %x {axes = array<i64>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reduce_mean_axis_range(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{'kiln.reduce_mean' op axes [2] must be unique and in [0, 2)}}
  %0 = kiln.reduce_mean %x {axes = array<i64: 2>} : tensor<2x3xf32> -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// Axes are normalized: negative ones are the frontend's job.
func.func @reduce_max_negative_axis(%x: tensor<2x3xi32>) -> tensor<2x1xi32> {
  // expected-error @+1 {{'kiln.reduce_max' op axes [-1] must be unique and in [0, 2)}}
  %0 = kiln.reduce_max %x {axes = array<i64: -1>} : tensor<2x3xi32> -> tensor<2x1xi32>
  return %0 : tensor<2x1xi32>
}

// -----

func.func @reduce_min_duplicate_axes(%x: tensor<2x3xf16>) -> tensor<2x1xf16> {
  // expected-error @+1 {{'kiln.reduce_min' op axes [1, 1] must be unique and in [0, 2)}}
  %0 = kiln.reduce_min %x {axes = array<i64: 1, 1>} : tensor<2x3xf16> -> tensor<2x1xf16>
  return %0 : tensor<2x1xf16>
}

// -----

func.func @reduce_prod_keepdims(%x: tensor<2x3xi64>) -> tensor<2x1xi64> {
  // expected-error @+1 {{'kiln.reduce_prod' op result type 'tensor<2x1xi64>' incompatible with the inferred 'tensor<2xi64>'}}
  %0 = kiln.reduce_prod %x {axes = array<i64: 1>, keepdims = false} : tensor<2x3xi64> -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

func.func @reduce_mean_integer(%x: tensor<2x3xi32>) -> tensor<2x1xi32> {
  // expected-error @+1 {{'kiln.reduce_mean' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<2x3xi32>'}}
  %0 = kiln.reduce_mean %x {axes = array<i64: 1>} : tensor<2x3xi32> -> tensor<2x1xi32>
  return %0 : tensor<2x1xi32>
}

// -----

func.func @reduce_sum_bool(%x: tensor<2x3xi1>) -> tensor<2x1xi1> {
  // expected-error @+1 {{'kiln.reduce_sum' op operand #0 must be ranked tensor of numeric values, but got 'tensor<2x3xi1>'}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>} : tensor<2x3xi1> -> tensor<2x1xi1>
  return %0 : tensor<2x1xi1>
}

// -----

func.func @reduce_sum_element_type(%x: tensor<2x3xi32>) -> tensor<2x1xi64> {
  // expected-error @+1 {{'kiln.reduce_sum' op requires the same element type for all operands and results}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>} : tensor<2x3xi32> -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

func.func @reduce_sum_rank_zero(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'kiln.reduce_sum' op axes [0] must be unique and in [0, 0)}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 0>} : tensor<f32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

//===----------------------------------------------------------------------===//
// argmax
//===----------------------------------------------------------------------===//

func.func @argmax_axis(%x: tensor<2x10xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{'kiln.argmax' op axis 2 is out of range [0, 2)}}
  %0 = kiln.argmax %x {axis = 2 : i64, keepdims = false} : tensor<2x10xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @argmax_empty_axis(%x: tensor<2x0xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{'kiln.argmax' op has no maximum to find: dim 1 has size 0}}
  %0 = kiln.argmax %x {axis = 1 : i64, keepdims = false} : tensor<2x0xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @argmax_scalar(%x: tensor<f32>) -> tensor<i64> {
  // expected-error @+1 {{'kiln.argmax' op axis 0 is out of range [0, 0)}}
  %0 = kiln.argmax %x {axis = 0 : i64, keepdims = false} : tensor<f32> -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

func.func @argmax_result_type(%x: tensor<2x10xf32>) -> tensor<2xi32> {
  // expected-error @+1 {{'kiln.argmax' op result #0 must be ranked tensor of 64-bit signless integer values, but got 'tensor<2xi32>'}}
  %0 = kiln.argmax %x {axis = 1 : i64, keepdims = false} : tensor<2x10xf32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @argmax_keepdims(%x: tensor<2x10xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{'kiln.argmax' op result type 'tensor<2xi64>' incompatible with the inferred 'tensor<2x1xi64>'}}
  %0 = kiln.argmax %x {axis = 1 : i64} : tensor<2x10xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @argmax_bool(%x: tensor<4xi1>) -> tensor<1xi64> {
  // expected-error @+1 {{'kiln.argmax' op operand #0 must be ranked tensor of numeric values, but got 'tensor<4xi1>'}}
  %0 = kiln.argmax %x {axis = 0 : i64} : tensor<4xi1> -> tensor<1xi64>
  return %0 : tensor<1xi64>
}
