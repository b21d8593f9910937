// RUN: kiln-opt --split-input-file --kiln-cpu-conv-to-matmul %s | FileCheck %s

// 64 filters by 4x4 = 16 pixels: filters x pixels, the filter read as it is.
// CHECK-LABEL: func.func @plain
// CHECK: %[[COLS:.+]] = linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<3x3x3x4x4xf32>)
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[COLS]] {{\[\[}}0, 1, 2], [3, 4]]
// CHECK: %[[W:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0], [1, 2, 3]] : tensor<64x3x3x3xf32> into tensor<64x27xf32>
// CHECK: linalg.matmul ins(%[[W]], %[[C]] : tensor<64x27xf32>, tensor<27x16xf32>)
// CHECK-NOT: linalg.transpose
func.func @plain(%x: tensor<1x3x6x6xf32>, %w: tensor<64x3x3x3xf32>, %init: tensor<1x64x4x4xf32>) -> tensor<1x64x4x4xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x3x6x6xf32>, tensor<64x3x3x3xf32>) outs(%init : tensor<1x64x4x4xf32>) -> tensor<1x64x4x4xf32>
  return %y : tensor<1x64x4x4xf32>
}

// -----

// A 1x1 convolution with unit strides reads its input as the im2col matrix.
// CHECK-LABEL: func.func @pointwise
// CHECK-NOT: linalg.generic
// CHECK: %[[X:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2, 3]] : tensor<1x8x4x8xf32> into tensor<8x32xf32>
// CHECK: linalg.matmul ins(%{{.+}}, %[[X]] : tensor<16x8xf32>, tensor<8x32xf32>)
func.func @pointwise(%x: tensor<1x8x4x8xf32>, %w: tensor<16x8x1x1xf32>, %init: tensor<1x16x4x8xf32>) -> tensor<1x16x4x8xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x8x4x8xf32>, tensor<16x8x1x1xf32>) outs(%init : tensor<1x16x4x8xf32>) -> tensor<1x16x4x8xf32>
  return %y : tensor<1x16x4x8xf32>
}

// -----

// 7x7 = 49 pixels by 32 filters: full 8 x 32 register tiles cover 98% of
// the product as pixels x filters and 65% as filters x pixels, so it is
// computed transposed, with the constant filter transposed now
// ([32, 2] -> [2, 32]) and the im2col copy written pixels-major.
// CHECK-LABEL: func.func @ragged_pixels
// CHECK-DAG: %[[WT:.+]] = arith.constant dense<{{\[\[}}0.000000e+00, 2.000000e+00, 4.000000e+00
// CHECK-SAME: {{\]}}, {{\[}}1.000000e+00, 3.000000e+00
// CHECK-SAME: tensor<2x32xf32>
// CHECK-DAG: %[[COLS:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<7x7x1x2x1xf32>)
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[COLS]] {{\[\[}}0, 1], [2, 3, 4]] : tensor<7x7x1x2x1xf32> into tensor<49x2xf32>
// CHECK: %[[INIT:.+]] = linalg.transpose ins(%{{.+}} : tensor<32x49xf32>)
// CHECK: %[[P:.+]] = linalg.matmul ins(%[[C]], %[[WT]] : tensor<49x2xf32>, tensor<2x32xf32>) outs(%[[INIT]] : tensor<49x32xf32>)
// CHECK: %[[Y:.+]] = linalg.transpose ins(%[[P]] : tensor<49x32xf32>)
// CHECK: tensor.expand_shape %[[Y]]
func.func @ragged_pixels(%x: tensor<1x1x8x7xf32>, %init: tensor<1x32x7x7xf32>) -> tensor<1x32x7x7xf32> {
  %w = arith.constant dense<[[[[0.0], [1.0]]], [[[2.0], [3.0]]], [[[4.0], [5.0]]], [[[6.0], [7.0]]], [[[8.0], [9.0]]], [[[10.0], [11.0]]], [[[12.0], [13.0]]], [[[14.0], [15.0]]], [[[16.0], [17.0]]], [[[18.0], [19.0]]], [[[20.0], [21.0]]], [[[22.0], [23.0]]], [[[24.0], [25.0]]], [[[26.0], [27.0]]], [[[28.0], [29.0]]], [[[30.0], [31.0]]], [[[32.0], [33.0]]], [[[34.0], [35.0]]], [[[36.0], [37.0]]], [[[38.0], [39.0]]], [[[40.0], [41.0]]], [[[42.0], [43.0]]], [[[44.0], [45.0]]], [[[46.0], [47.0]]], [[[48.0], [49.0]]], [[[50.0], [51.0]]], [[[52.0], [53.0]]], [[[54.0], [55.0]]], [[[56.0], [57.0]]], [[[58.0], [59.0]]], [[[60.0], [61.0]]], [[[62.0], [63.0]]]]> : tensor<32x1x2x1xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x1x8x7xf32>, tensor<32x1x2x1xf32>) outs(%init : tensor<1x32x7x7xf32>) -> tensor<1x32x7x7xf32>
  return %y : tensor<1x32x7x7xf32>
}

// -----

// The same shapes with the filter passed at run time stay filters x pixels:
// transposing the filter on every call would cost more than it saves.
// CHECK-LABEL: func.func @ragged_pixels_runtime_filter
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<32x2xf32>, tensor<2x49xf32>)
// CHECK-NOT: linalg.transpose
func.func @ragged_pixels_runtime_filter(%x: tensor<1x1x8x7xf32>, %w: tensor<32x1x2x1xf32>, %init: tensor<1x32x7x7xf32>) -> tensor<1x32x7x7xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x1x8x7xf32>, tensor<32x1x2x1xf32>) outs(%init : tensor<1x32x7x7xf32>) -> tensor<1x32x7x7xf32>
  return %y : tensor<1x32x7x7xf32>
}

// -----

// Batches other than one are left to the loops.
// CHECK-LABEL: func.func @batch_two
// CHECK: linalg.conv_2d_nchw_fchw
func.func @batch_two(%x: tensor<2x3x6x6xf32>, %w: tensor<64x3x3x3xf32>, %init: tensor<2x64x4x4xf32>) -> tensor<2x64x4x4xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<2x3x6x6xf32>, tensor<64x3x3x3xf32>) outs(%init : tensor<2x64x4x4xf32>) -> tensor<2x64x4x4xf32>
  return %y : tensor<2x64x4x4xf32>
}
