// RUN: kiln-opt %s --kiln-gpu-conv-to-matmul --canonicalize | FileCheck %s

// One image: the shared rewrite (kiln-cpu-conv-to-matmul's), never
// transposed on the GPU, even for 7x7 = 49 pixels by 512 filters: the im2col
// copy [64, 3, 3, 7, 7] as [576, 49], the filter as [512, 576], the fill made
// in the matmul's shape.
// CHECK-LABEL: func.func @one_image
// CHECK:         %[[COLS:.*]] = linalg.generic
// CHECK:         %[[COLS2:.*]] = tensor.collapse_shape %[[COLS]] {{\[}}[0, 1, 2], [3, 4]] : tensor<64x3x3x7x7xf32> into tensor<576x49xf32>
// CHECK:         %[[W:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : tensor<512x64x3x3xf32> into tensor<512x576xf32>
// CHECK:         %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<512x49xf32>)
// CHECK:         linalg.matmul ins(%[[W]], %[[COLS2]] : tensor<512x576xf32>, tensor<576x49xf32>) outs(%[[INIT]] : tensor<512x49xf32>)
// CHECK-NOT:     linalg.transpose
func.func @one_image(%x: tensor<1x64x9x9xf32>, %w: tensor<512x64x3x3xf32>) -> tensor<1x512x7x7xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x512x7x7xf32>
  %o = linalg.fill ins(%zero : f32) outs(%e : tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32>
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<1x64x9x9xf32>, tensor<512x64x3x3xf32>) outs(%o : tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32>
  return %r : tensor<1x512x7x7xf32>
}

// Two images: upstream's im2col, the gather [2, 27, 81] and a contraction
// whose n dims are the image and the pixel (d0, d2).
// CHECK-LABEL: func.func @batch
// CHECK:         %[[G:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x27x81xf32>)
// CHECK:           tensor.extract
// CHECK:         linalg.generic {indexing_maps = [#[[W:.*]], #[[C:.*]], #[[O:.*]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[G]] : tensor<4x27xf32>, tensor<2x27x81xf32>) outs(%{{.*}} : tensor<2x4x81xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @batch(%x: tensor<2x3x11x11xf32>, %w: tensor<4x3x3x3xf32>, %o: tensor<2x4x9x9xf32>) -> tensor<2x4x9x9xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<2x3x11x11xf32>, tensor<4x3x3x3xf32>) outs(%o : tensor<2x4x9x9xf32>) -> tensor<2x4x9x9xf32>
  return %r : tensor<2x4x9x9xf32>
}

// Upstream's im2col needs unit dilations: a dilated batch stays a
// convolution.
// CHECK-LABEL: func.func @batch_dilated
// CHECK:         linalg.conv_2d_nchw_fchw
func.func @batch_dilated(%x: tensor<2x3x11x11xf32>, %w: tensor<4x3x3x3xf32>, %o: tensor<2x4x7x7xf32>) -> tensor<2x4x7x7xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<2> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<2x3x11x11xf32>, tensor<4x3x3x3xf32>) outs(%o : tensor<2x4x7x7xf32>) -> tensor<2x4x7x7xf32>
  return %r : tensor<2x4x7x7xf32>
}
