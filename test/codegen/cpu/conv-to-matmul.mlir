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

// A batch: the filter [F, C*KH*KW] times each image's im2col matrix, one
// contraction whose filter operand has no image dim, into the output read
// as [N, F, OH*OW].
// CHECK-DAG: #[[$FK:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[$IKP:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[$IFP:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batch_two
// CHECK: %[[W:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0], [1, 2, 3]] : tensor<64x3x3x3xf32> into tensor<64x27xf32>
// CHECK: %[[COLS:.+]] = linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<2x3x3x3x4x4xf32>)
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[COLS]] {{\[\[}}0], [1, 2, 3], [4, 5]] : tensor<2x3x3x3x4x4xf32> into tensor<2x27x16xf32>
// CHECK: %[[INIT:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]] : tensor<2x64x4x4xf32> into tensor<2x64x16xf32>
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[$FK]], #[[$IKP]], #[[$IFP]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[W]], %[[C]] : tensor<64x27xf32>, tensor<2x27x16xf32>) outs(%[[INIT]] : tensor<2x64x16xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.expand_shape %[[P]] {{\[\[}}0], [1], [2, 3]]
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @batch_two(%x: tensor<2x3x6x6xf32>, %w: tensor<64x3x3x3xf32>, %init: tensor<2x64x4x4xf32>) -> tensor<2x64x4x4xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<2x3x6x6xf32>, tensor<64x3x3x3xf32>) outs(%init : tensor<2x64x4x4xf32>) -> tensor<2x64x4x4xf32>
  return %y : tensor<2x64x4x4xf32>
}

// -----

// A batch of 1x1 convolutions with unit strides reads its input as it is;
// the bias broadcast is made in the product's shape.
// CHECK-LABEL: func.func @batch_pointwise_bias
// CHECK: %[[X:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]] : tensor<4x8x4x8xf32> into tensor<4x8x32xf32>
// CHECK: %[[B:.+]] = linalg.broadcast ins(%{{.+}} : tensor<16xf32>) outs(%{{.+}} : tensor<4x16x32xf32>) dimensions = [0, 2]
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %[[X]] : tensor<16x8xf32>, tensor<4x8x32xf32>) outs(%[[B]] : tensor<4x16x32xf32>)
func.func @batch_pointwise_bias(%x: tensor<4x8x4x8xf32>, %w: tensor<16x8x1x1xf32>, %bias: tensor<16xf32>) -> tensor<4x16x4x8xf32> {
  %e = tensor.empty() : tensor<4x16x4x8xf32>
  %init = linalg.broadcast ins(%bias : tensor<16xf32>) outs(%e : tensor<4x16x4x8xf32>) dimensions = [0, 2, 3]
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<4x8x4x8xf32>, tensor<16x8x1x1xf32>) outs(%init : tensor<4x16x4x8xf32>) -> tensor<4x16x4x8xf32>
  return %y : tensor<4x16x4x8xf32>
}

// -----

// A batch whose im2col copies would exceed 32 MB (64 x 9 x 56 x 56 floats,
// 7.2 MB per image) is split into groups of 4 images, each with its own
// copy, product and fill, inserted into the output.
// CHECK-LABEL: func.func @batch_groups
// CHECK-COUNT-3: linalg.generic {{.+}} outs(%{{.+}} : tensor<4x64x3x3x56x56xf32>)
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<2x64x3x3x56x56xf32>)
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[12, 0, 0] [2, 64, 3136] [1, 1, 1] : tensor<2x64x3136xf32> into tensor<14x64x3136xf32>
func.func @batch_groups(%x: tensor<14x64x58x58xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<14x64x56x56xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<14x64x56x56xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<14x64x56x56xf32>) -> tensor<14x64x56x56xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<14x64x58x58xf32>, tensor<64x64x3x3xf32>) outs(%init : tensor<14x64x56x56xf32>) -> tensor<14x64x56x56xf32>
  return %y : tensor<14x64x56x56xf32>
}

// -----

// A batch of images whose product would rather be transposed (49 pixels by
// 32 filters, as @ragged_pixels): the images' pixels x filters, one matmul
// of [2*49, 2] by the filter transposed now, transposed back image by image.
// CHECK-LABEL: func.func @batch_ragged_pixels
// CHECK: %[[COLS:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<2x7x7x1x2x1xf32>)
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[COLS]] {{\[\[}}0, 1, 2], [3, 4, 5]] : tensor<2x7x7x1x2x1xf32> into tensor<98x2xf32>
// CHECK: %[[P:.+]] = linalg.matmul ins(%[[C]], %{{.+}} : tensor<98x2xf32>, tensor<2x32xf32>) outs(%{{.+}} : tensor<98x32xf32>)
// CHECK: %[[E:.+]] = tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2]] {{.+}} into tensor<2x49x32xf32>
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[E]] : tensor<2x49x32xf32>) outs(%{{.+}} : tensor<2x32x49xf32>) permutation = [0, 2, 1]
// CHECK: tensor.expand_shape %[[T]] {{\[\[}}0], [1], [2, 3]]
func.func @batch_ragged_pixels(%x: tensor<2x1x8x7xf32>, %init: tensor<2x32x7x7xf32>) -> tensor<2x32x7x7xf32> {
  %w = arith.constant dense<[[[[0.0], [1.0]]], [[[2.0], [3.0]]], [[[4.0], [5.0]]], [[[6.0], [7.0]]], [[[8.0], [9.0]]], [[[10.0], [11.0]]], [[[12.0], [13.0]]], [[[14.0], [15.0]]], [[[16.0], [17.0]]], [[[18.0], [19.0]]], [[[20.0], [21.0]]], [[[22.0], [23.0]]], [[[24.0], [25.0]]], [[[26.0], [27.0]]], [[[28.0], [29.0]]], [[[30.0], [31.0]]], [[[32.0], [33.0]]], [[[34.0], [35.0]]], [[[36.0], [37.0]]], [[[38.0], [39.0]]], [[[40.0], [41.0]]], [[[42.0], [43.0]]], [[[44.0], [45.0]]], [[[46.0], [47.0]]], [[[48.0], [49.0]]], [[[50.0], [51.0]]], [[[52.0], [53.0]]], [[[54.0], [55.0]]], [[[56.0], [57.0]]], [[[58.0], [59.0]]], [[[60.0], [61.0]]], [[[62.0], [63.0]]]]> : tensor<32x1x2x1xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<2x1x8x7xf32>, tensor<32x1x2x1xf32>) outs(%init : tensor<2x32x7x7xf32>) -> tensor<2x32x7x7xf32>
  return %y : tensor<2x32x7x7xf32>
}
