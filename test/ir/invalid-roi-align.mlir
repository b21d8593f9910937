// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of kiln.roi_align: one case per message.

func.func @roi_align_input(%x: tensor<1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) -> tensor<2x1x1x1xf32> {
  // expected-error @+1 {{'kiln.roi_align' op input must be [N, C, H, W], got 'tensor<1x4x4xf32>'}}
  %0 = kiln.roi_align avg %x, %r, %b {half_pixel = true, output_height = 1 : i64, output_width = 1 : i64,
         sampling_ratio = 0 : i64, spatial_scale = 1.0 : f64}
       : (tensor<1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x1x1x1xf32>
  return %0 : tensor<2x1x1x1xf32>
}

// -----

func.func @roi_align_rois(%x: tensor<1x1x4x4xf32>, %r: tensor<2x5xf32>, %b: tensor<2xi64>) -> tensor<2x1x1x1xf32> {
  // expected-error @+1 {{'kiln.roi_align' op rois must be [R, 4], got 'tensor<2x5xf32>'}}
  %0 = kiln.roi_align avg %x, %r, %b {half_pixel = true, output_height = 1 : i64, output_width = 1 : i64,
         sampling_ratio = 0 : i64, spatial_scale = 1.0 : f64}
       : (tensor<1x1x4x4xf32>, tensor<2x5xf32>, tensor<2xi64>) -> tensor<2x1x1x1xf32>
  return %0 : tensor<2x1x1x1xf32>
}

// -----

func.func @roi_align_batch(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<3xi64>) -> tensor<2x1x1x1xf32> {
  // expected-error @+1 {{'kiln.roi_align' op batch_indices must be [R] with R = 2 as rois, got 'tensor<3xi64>'}}
  %0 = kiln.roi_align avg %x, %r, %b {half_pixel = true, output_height = 1 : i64, output_width = 1 : i64,
         sampling_ratio = 0 : i64, spatial_scale = 1.0 : f64}
       : (tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<3xi64>) -> tensor<2x1x1x1xf32>
  return %0 : tensor<2x1x1x1xf32>
}

// -----

func.func @roi_align_size(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) -> tensor<2x1x0x1xf32> {
  // expected-error @+1 {{'kiln.roi_align' op output_height and output_width must be >= 1, got 0 and 1}}
  %0 = kiln.roi_align avg %x, %r, %b {half_pixel = true, output_height = 0 : i64, output_width = 1 : i64,
         sampling_ratio = 0 : i64, spatial_scale = 1.0 : f64}
       : (tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x1x0x1xf32>
  return %0 : tensor<2x1x0x1xf32>
}

// -----

func.func @roi_align_ratio(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) -> tensor<2x1x1x1xf32> {
  // expected-error @+1 {{'kiln.roi_align' op sampling_ratio must be >= 0, got -2}}
  %0 = kiln.roi_align avg %x, %r, %b {half_pixel = true, output_height = 1 : i64, output_width = 1 : i64,
         sampling_ratio = -2 : i64, spatial_scale = 1.0 : f64}
       : (tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x1x1x1xf32>
  return %0 : tensor<2x1x1x1xf32>
}
