// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of kiln.grid_sample: one case per message.

func.func @grid_sample_rank(%x: tensor<2x4xf32>, %g: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'kiln.grid_sample' op input must have rank >= 3 (N, C, spatial dims), got 'tensor<2x4xf32>'}}
  %0 = kiln.grid_sample linear %x, %g : tensor<2x4xf32>, tensor<2x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @grid_sample_grid_rank(%x: tensor<1x2x4x4xf32>, %g: tensor<1x3x2xf32>) -> tensor<1x2x3xf32> {
  // expected-error @+1 {{'kiln.grid_sample' op grid 'tensor<1x3x2xf32>' must have the input's rank 4}}
  %0 = kiln.grid_sample linear %x, %g : tensor<1x2x4x4xf32>, tensor<1x3x2xf32> -> tensor<1x2x3xf32>
  return %0 : tensor<1x2x3xf32>
}

// -----

func.func @grid_sample_coordinates(%x: tensor<1x2x4x4xf32>, %g: tensor<1x3x3x3xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{'kiln.grid_sample' op the last dim of grid 'tensor<1x3x3x3xf32>' must be 2 (one coordinate per spatial dim)}}
  %0 = kiln.grid_sample linear %x, %g : tensor<1x2x4x4xf32>, tensor<1x3x3x3xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

func.func @grid_sample_batch(%x: tensor<1x2x4x4xf32>, %g: tensor<2x3x3x2xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{'kiln.grid_sample' op grid 'tensor<2x3x3x2xf32>' and input 'tensor<1x2x4x4xf32>' differ in the batch dim}}
  %0 = kiln.grid_sample linear %x, %g : tensor<1x2x4x4xf32>, tensor<2x3x3x2xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

func.func @grid_sample_int_linear(%x: tensor<1x2x4x4xi32>, %g: tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xi32> {
  // expected-error @+1 {{'kiln.grid_sample' op mode cubic needs a floating-point input, got 'i32'}}
  %0 = kiln.grid_sample cubic %x, %g : tensor<1x2x4x4xi32>, tensor<1x3x3x2xf32> -> tensor<1x2x3x3xi32>
  return %0 : tensor<1x2x3x3xi32>
}

// -----

func.func @grid_sample_empty(%x: tensor<1x2x0x4xf32>, %g: tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{'kiln.grid_sample' op padding_mode border needs elements to read, but dim 2 of 'tensor<1x2x0x4xf32>' is empty}}
  %0 = kiln.grid_sample linear %x, %g padding_mode border : tensor<1x2x0x4xf32>, tensor<1x3x3x2xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

func.func @grid_sample_result(%x: tensor<1x2x4x4xf32>, %g: tensor<1x3x3x2xf32>) -> tensor<1x2x3x4xf32> {
  // expected-error @+1 {{'kiln.grid_sample' op result type 'tensor<1x2x3x4xf32>' incompatible with the inferred 'tensor<1x2x3x3xf32>'}}
  %0 = kiln.grid_sample linear %x, %g : tensor<1x2x4x4xf32>, tensor<1x3x3x2xf32> -> tensor<1x2x3x4xf32>
  return %0 : tensor<1x2x3x4xf32>
}
