// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of kiln.roi_align (ONNX RoiAlign).

// CHECK-LABEL: func.func @roi_align
func.func @roi_align(%x: tensor<2x3x8x8xf16>, %r: tensor<5x4xf16>, %b: tensor<5xi64>) -> tensor<5x3x2x4xf16> {
  // CHECK: kiln.roi_align max %{{.*}}, %{{.*}}, %{{.*}} {half_pixel = false, output_height = 2 : i64, output_width = 4 : i64, sampling_ratio = 0 : i64, spatial_scale = 2.500000e-01 : f64} : (tensor<2x3x8x8xf16>, tensor<5x4xf16>, tensor<5xi64>) -> tensor<5x3x2x4xf16>
  %0 = kiln.roi_align max %x, %r, %b {half_pixel = false, output_height = 2 : i64,
         output_width = 4 : i64, sampling_ratio = 0 : i64, spatial_scale = 0.25 : f64}
       : (tensor<2x3x8x8xf16>, tensor<5x4xf16>, tensor<5xi64>) -> tensor<5x3x2x4xf16>
  return %0 : tensor<5x3x2x4xf16>
}
