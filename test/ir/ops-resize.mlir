// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of kiln.resize: defaults (half_pixel, round_prefer_floor,
// cubic_coeff_a = -0.75, no antialias) do not print.

// CHECK-LABEL: func.func @resize_nearest
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x8x10x10xf32>, %[[I:[a-z0-9]+]]: tensor<2x3x4xi32>)
func.func @resize_nearest(%x: tensor<1x8x10x10xf32>, %i: tensor<2x3x4xi32>) {
  // CHECK: kiln.resize nearest %[[X]] coordinate_mode asymmetric nearest_mode floor {scales = array<f64: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>, sizes = array<i64: 1, 8, 20, 20>} : tensor<1x8x10x10xf32> -> tensor<1x8x20x20xf32>
  %0 = kiln.resize nearest %x coordinate_mode asymmetric nearest_mode floor
         {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 8, 20, 20>}
       : tensor<1x8x10x10xf32> -> tensor<1x8x20x20xf32>
  // CHECK: kiln.resize nearest %[[X]] {scales = array<f64: 1.000000e+00, 1.000000e+00, 5.000000e-01, 3.000000e-01>, sizes = array<i64: 1, 8, 5, 3>} : tensor<1x8x10x10xf32> -> tensor<1x8x5x3xf32>
  %1 = kiln.resize nearest %x {scales = array<f64: 1.0, 1.0, 0.5, 0.3>, sizes = array<i64: 1, 8, 5, 3>}
       : tensor<1x8x10x10xf32> -> tensor<1x8x5x3xf32>
  // Integers: nearest only, and every dim may be resized.
  // CHECK: kiln.resize nearest %[[I]] nearest_mode round_prefer_ceil {scales = array<f64: 2.000000e+00, 1.000000e+00, 5.000000e-01>, sizes = array<i64: 4, 3, 2>} : tensor<2x3x4xi32> -> tensor<4x3x2xi32>
  %2 = kiln.resize nearest %i nearest_mode round_prefer_ceil
         {scales = array<f64: 2.0, 1.0, 0.5>, sizes = array<i64: 4, 3, 2>}
       : tensor<2x3x4xi32> -> tensor<4x3x2xi32>
  return
}

// CHECK-LABEL: func.func @resize_interpolate
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x3x8x8xf16>)
func.func @resize_interpolate(%x: tensor<1x3x8x8xf16>) {
  // CHECK: kiln.resize linear %[[X]] coordinate_mode align_corners {antialias = true, scales = array<f64: 1.000000e+00, 1.000000e+00, 5.000000e-01, 5.000000e-01>, sizes = array<i64: 1, 3, 4, 4>} : tensor<1x3x8x8xf16> -> tensor<1x3x4x4xf16>
  %0 = kiln.resize linear %x coordinate_mode align_corners
         {antialias = true, scales = array<f64: 1.0, 1.0, 0.5, 0.5>, sizes = array<i64: 1, 3, 4, 4>}
       : tensor<1x3x8x8xf16> -> tensor<1x3x4x4xf16>
  // CHECK: kiln.resize cubic %[[X]] {cubic_coeff_a = -5.000000e-01 : f64, exclude_outside = true, scales = array<f64: 1.000000e+00, 1.000000e+00, 1.500000e+00, 1.500000e+00>, sizes = array<i64: 1, 3, 12, 12>} : tensor<1x3x8x8xf16> -> tensor<1x3x12x12xf16>
  %1 = kiln.resize cubic %x {cubic_coeff_a = -0.5 : f64, exclude_outside = true,
                             scales = array<f64: 1.0, 1.0, 1.5, 1.5>, sizes = array<i64: 1, 3, 12, 12>}
       : tensor<1x3x8x8xf16> -> tensor<1x3x12x12xf16>
  // CHECK: kiln.resize linear %[[X]] coordinate_mode tf_crop_and_resize {extrapolation_value = 1.000000e+01 : f64, roi = array<f64: 0.000000e+00, 0.000000e+00, 2.000000e-01, 2.000000e-01, 1.000000e+00, 1.000000e+00, 8.000000e-01, 8.000000e-01>, scales = array<f64: 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00>, sizes = array<i64: 1, 3, 6, 6>} : tensor<1x3x8x8xf16> -> tensor<1x3x6x6xf16>
  %2 = kiln.resize linear %x coordinate_mode tf_crop_and_resize
         {extrapolation_value = 10.0 : f64, roi = array<f64: 0.0, 0.0, 0.2, 0.2, 1.0, 1.0, 0.8, 0.8>,
          scales = array<f64: 1.0, 1.0, 1.0, 1.0>, sizes = array<i64: 1, 3, 6, 6>}
       : tensor<1x3x8x8xf16> -> tensor<1x3x6x6xf16>
  return
}

// The result is `sizes`, whatever the input's dims (here unknown).
// CHECK-LABEL: func.func @resize_dynamic_input
func.func @resize_dynamic_input(%x: tensor<?x3x?x?xf32>) -> tensor<1x3x6x6xf32> {
  // CHECK: kiln.resize nearest %{{.*}} coordinate_mode half_pixel_symmetric {scales = {{.*}}, sizes = array<i64: 1, 3, 6, 6>} : tensor<?x3x?x?xf32> -> tensor<1x3x6x6xf32>
  %0 = kiln.resize nearest %x coordinate_mode half_pixel_symmetric
         {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 3, 6, 6>}
       : tensor<?x3x?x?xf32> -> tensor<1x3x6x6xf32>
  return %0 : tensor<1x3x6x6xf32>
}
