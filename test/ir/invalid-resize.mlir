// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of kiln.resize: one case per message.

func.func @resize_sizes_count(%x: tensor<2x4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'kiln.resize' op sizes has 1 entries, expected 2}}
  %0 = kiln.resize nearest %x {scales = array<f64: 1.0, 2.0>, sizes = array<i64: 8>} : tensor<2x4xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @resize_scales_count(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.resize' op scales has 1 entries, expected 2}}
  %0 = kiln.resize nearest %x {scales = array<f64: 2.0>, sizes = array<i64: 2, 8>} : tensor<2x4xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @resize_scale_zero(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.resize' op scales must be positive and finite, got [1, 0]}}
  %0 = kiln.resize nearest %x {scales = array<f64: 1.0, 0.0>, sizes = array<i64: 2, 8>} : tensor<2x4xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @resize_size_negative(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.resize' op sizes must be >= 0, got [2, -8]}}
  %0 = kiln.resize nearest %x {scales = array<f64: 1.0, 2.0>, sizes = array<i64: 2, -8>} : tensor<2x4xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @resize_empty_dim(%x: tensor<2x0xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.resize' op dim 1 is empty and cannot be resized to 3}}
  %0 = kiln.resize nearest %x {scales = array<f64: 1.0, 2.0>, sizes = array<i64: 2, 3>} : tensor<2x0xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @resize_linear_integer(%x: tensor<2x4xi32>) -> tensor<2x8xi32> {
  // expected-error @+1 {{'kiln.resize' op mode linear needs a floating-point input, got 'i32'}}
  %0 = kiln.resize linear %x {scales = array<f64: 1.0, 2.0>, sizes = array<i64: 2, 8>} : tensor<2x4xi32> -> tensor<2x8xi32>
  return %0 : tensor<2x8xi32>
}

// -----

func.func @resize_nearest_antialias(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.resize' op antialias applies to linear and cubic modes only}}
  %0 = kiln.resize nearest %x {antialias = true, scales = array<f64: 1.0, 2.0>, sizes = array<i64: 2, 8>} : tensor<2x4xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @resize_cubic_coeff(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.resize' op cubic_coeff_a must be finite}}
  %0 = kiln.resize cubic %x {cubic_coeff_a = 0x7FF0000000000000 : f64, scales = array<f64: 1.0, 2.0>, sizes = array<i64: 2, 8>} : tensor<2x4xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @resize_crop_without_roi(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.resize' op coordinate_mode tf_crop_and_resize needs roi}}
  %0 = kiln.resize linear %x coordinate_mode tf_crop_and_resize {scales = array<f64: 1.0, 2.0>, sizes = array<i64: 2, 8>} : tensor<2x4xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @resize_roi_without_crop(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.resize' op roi is only used by coordinate_mode tf_crop_and_resize}}
  %0 = kiln.resize linear %x {roi = array<f64: 0.0, 0.0, 1.0, 1.0>, scales = array<f64: 1.0, 2.0>, sizes = array<i64: 2, 8>} : tensor<2x4xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @resize_roi_count(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.resize' op roi has 2 entries, expected 4 (all starts, then all ends)}}
  %0 = kiln.resize linear %x coordinate_mode tf_crop_and_resize {roi = array<f64: 0.0, 1.0>, scales = array<f64: 1.0, 2.0>, sizes = array<i64: 2, 8>} : tensor<2x4xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @resize_roi_nan(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.resize' op roi must be finite, got [0, nan, 1, 1]}}
  %0 = kiln.resize linear %x coordinate_mode tf_crop_and_resize {roi = array<f64: 0.0, 0x7FF8000000000000, 1.0, 1.0>, scales = array<f64: 1.0, 2.0>, sizes = array<i64: 2, 8>} : tensor<2x4xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @resize_extrapolation_integer(%x: tensor<2x4xi32>) -> tensor<2x8xi32> {
  // expected-error @+1 {{'kiln.resize' op extrapolation_value 5.000000e-01 is not representable in the element type 'i32'}}
  %0 = kiln.resize nearest %x coordinate_mode tf_crop_and_resize {extrapolation_value = 0.5 : f64, roi = array<f64: 0.0, 0.0, 1.0, 1.0>, scales = array<f64: 1.0, 2.0>, sizes = array<i64: 2, 8>} : tensor<2x4xi32> -> tensor<2x8xi32>
  return %0 : tensor<2x8xi32>
}

// -----

func.func @resize_result_shape(%x: tensor<2x4xf32>) -> tensor<2x9xf32> {
  // expected-error @+1 {{'kiln.resize' op result type 'tensor<2x9xf32>' incompatible with the inferred 'tensor<2x8xf32>'}}
  %0 = kiln.resize nearest %x {scales = array<f64: 1.0, 2.0>, sizes = array<i64: 2, 8>} : tensor<2x4xf32> -> tensor<2x9xf32>
  return %0 : tensor<2x9xf32>
}
