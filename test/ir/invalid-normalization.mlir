// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of softmax, log_softmax, layer_norm and batch_norm.

func.func @softmax_axis(%x: tensor<2x10xf32>) -> tensor<2x10xf32> {
  // expected-error @+1 {{'kiln.softmax' op axis 2 is out of range [0, 2)}}
  %0 = kiln.softmax %x {axis = 2 : i64} : tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

// -----

func.func @softmax_integer(%x: tensor<2x10xi32>) -> tensor<2x10xi32> {
  // expected-error @+1 {{'kiln.softmax' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<2x10xi32>'}}
  %0 = kiln.softmax %x {axis = 1 : i64} : tensor<2x10xi32>
  return %0 : tensor<2x10xi32>
}

// -----

func.func @log_softmax_negative_axis(%x: tensor<2x10xf16>) -> tensor<2x10xf16> {
  // expected-error @+1 {{'kiln.log_softmax' op axis -1 is out of range [0, 2)}}
  %0 = kiln.log_softmax %x {axis = -1 : i64} : tensor<2x10xf16>
  return %0 : tensor<2x10xf16>
}

// -----

func.func @log_softmax_result_type(%x: tensor<2x10xf32>) -> tensor<2x10xf64> {
  // expected-error @+1 {{'kiln.log_softmax' op requires the same type for all operands and results}}
  %0 = "kiln.log_softmax"(%x) {axis = 1 : i64} : (tensor<2x10xf32>) -> tensor<2x10xf64>
  return %0 : tensor<2x10xf64>
}

// -----

//===----------------------------------------------------------------------===//
// layer_norm
//===----------------------------------------------------------------------===//

func.func @layer_norm_axis(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.layer_norm' op axis 2 is out of range [0, 2)}}
  %0 = kiln.layer_norm %x, %g {axis = 2 : i64} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.layer_norm' op epsilon must be >= 0, got -1.000000e-05}}
  %0 = kiln.layer_norm %x, %g {axis = 1 : i64, epsilon = -1.0e-05 : f64} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<2x8xf32>, %g: tensor<4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.layer_norm' op scale [4] does not broadcast to the normalized shape [8]}}
  %0 = kiln.layer_norm %x, %g {axis = 1 : i64} : (tensor<2x8xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Scale may not stretch the normalized shape by having more dims.
func.func @layer_norm_scale_rank(%x: tensor<2x8xf32>, %g: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.layer_norm' op scale [2, 8] does not broadcast to the normalized shape [8]}}
  %0 = kiln.layer_norm %x, %g {axis = 1 : i64} : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_bias_shape(%x: tensor<2x8x4xf32>, %g: tensor<4xf32>, %b: tensor<3x4xf32>) -> tensor<2x8x4xf32> {
  // expected-error @+1 {{'kiln.layer_norm' op bias [3, 4] does not broadcast to the normalized shape [8, 4]}}
  %0 = kiln.layer_norm %x, %g, %b {axis = 1 : i64} : (tensor<2x8x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> tensor<2x8x4xf32>
  return %0 : tensor<2x8x4xf32>
}

// -----

func.func @layer_norm_bias_element_type(%x: tensor<2x8xf32>, %g: tensor<8xf32>, %b: tensor<8xbf16>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.layer_norm' op bias element type 'bf16' differs from the input's 'f32'}}
  %0 = kiln.layer_norm %x, %g, %b {axis = 1 : i64} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xbf16>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_scale_element_type(%x: tensor<2x8xf32>, %g: tensor<8xf16>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.layer_norm' op failed to verify that all of {input, scale, output} have same element type}}
  %0 = kiln.layer_norm %x, %g {axis = 1 : i64} : (tensor<2x8xf32>, tensor<8xf16>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_result_shape(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x9xf32> {
  // expected-error @+1 {{'kiln.layer_norm' op result type 'tensor<2x9xf32>' incompatible with the inferred 'tensor<2x8xf32>'}}
  %0 = kiln.layer_norm %x, %g {axis = 1 : i64} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x9xf32>
  return %0 : tensor<2x9xf32>
}

// -----

//===----------------------------------------------------------------------===//
// batch_norm
//===----------------------------------------------------------------------===//

func.func @batch_norm_rank(%x: tensor<4xf32>, %p: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op input must be [N, C, ...], got rank 1}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @batch_norm_epsilon(%x: tensor<1x4xf32>, %p: tensor<4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op epsilon must be >= 0, got -1.000000e+00}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {epsilon = -1.0 : f64} : (tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @batch_norm_mean_shape(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>, %m: tensor<3xf32>) -> tensor<1x4x2x2xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op mean must be [4] (one per channel), got [3]}}
  %0 = kiln.batch_norm %x, %p, %p, %m, %p : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

// With unknown channels the parameters must still be vectors.
func.func @batch_norm_variance_rank(%x: tensor<1x?xf32>, %p: tensor<4xf32>, %v: tensor<1x4xf32>) -> tensor<1x?xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op variance must be [?] (one per channel), got [1, 4]}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %v : (tensor<1x?xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<1x4xf32>) -> tensor<1x?xf32>
  return %0 : tensor<1x?xf32>
}

// -----

func.func @batch_norm_element_types(%x: tensor<1x4xf32>, %p: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op requires the same element type for all operands}}
  %0 = kiln.batch_norm %x, %p, %b, %p, %p : (tensor<1x4xf32>, tensor<4xf32>, tensor<4xf16>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @batch_norm_result_shape(%x: tensor<1x4xf32>, %p: tensor<4xf32>) -> tensor<4x1xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op result type 'tensor<4x1xf32>' incompatible with the inferred 'tensor<1x4xf32>'}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p : (tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}
