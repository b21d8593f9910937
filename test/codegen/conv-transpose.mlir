// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// kiln.conv_transpose -> a stride-1 named linalg convolution over the input
// spread out with zeros (tensor.insert_slice with strides; a plain tensor.pad
// when every stride is 1 and no pad is cropped), with the filter's channel
// dims swapped and its kernel flipped by one generic.

// PaddleOCR's detector head: k2 s2. Element i lands at 2 * i + 1 in a
// [2 * 4 + 1] buffer; the kernel flips (1 - a).
// CHECK-DAG: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, -d3 + 1, -d4 + 1)>
// CHECK-LABEL: func.func @conv_transpose_k2s2
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x4x4xf32>, %[[W:.*]]: tensor<3x2x2x2xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<1x3x9x9xf32>
// CHECK: %[[S:.*]] = tensor.insert_slice %[[X]] into %[[Z]][0, 0, 1, 1] [1, 3, 4, 4] [1, 1, 2, 2] : tensor<1x3x4x4xf32> into tensor<1x3x9x9xf32>
// CHECK: %[[W5:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [1, 3, 2, 2, 2]
// CHECK: %[[F5:.*]] = linalg.generic {indexing_maps = [#[[FLIP]], #{{.*}}]{{.*}} ins(%[[W5]] : tensor<1x3x2x2x2xf32>) outs(%{{.*}} : tensor<1x2x3x2x2xf32>)
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[F5]] {{\[}}[0, 1], [2], [3], [4]] : tensor<1x2x3x2x2xf32> into tensor<2x3x2x2xf32>
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B]] : tensor<2xf32>)
// CHECK: %[[R:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
// CHECK-SAME: ins(%[[S]], %[[F]] : tensor<1x3x9x9xf32>, tensor<2x3x2x2xf32>) outs(%[[INIT]] : tensor<1x2x8x8xf32>)
// CHECK: return %[[R]]
func.func @conv_transpose_k2s2(%x: tensor<1x3x4x4xf32>, %w: tensor<3x2x2x2xf32>, %b: tensor<2xf32>) -> tensor<1x2x8x8xf32> {
  %y = kiln.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>, tensor<3x2x2x2xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>
  return %y : tensor<1x2x8x8xf32>
}

// -----

// Stride 1: the zeros around the input are tensor.pad's, dilation * (k - 1)
// - pad at the begin; the convolution keeps the dilation.
// CHECK-LABEL: func.func @conv_transpose_stride1
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>
// CHECK-NOT: tensor.insert_slice
// CHECK: tensor.pad %[[X]] low[0, 0, 3, 4] high[0, 0, 5, 3]
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[2, 4]> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
// CHECK-SAME: -> tensor<1x3x8x7xf32>
func.func @conv_transpose_stride1(%x: tensor<1x2x4x4xf32>, %w: tensor<2x3x3x2xf32>) -> tensor<1x3x8x7xf32> {
  %y = kiln.conv_transpose %x, %w {dilations = array<i64: 2, 4>, output_padding = array<i64: 1, 0>, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x3x3x2xf32>) -> tensor<1x3x8x7xf32>
  return %y : tensor<1x3x8x7xf32>
}

// -----

// A pad beyond dilation * (kernel - 1) crops the first input elements:
// H: element 0 would land at 2 - 3 = -1, so elements 1.. land from 1.
// Negative pads (W) put the input further in.
// CHECK-LABEL: func.func @conv_transpose_crop
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x5x5xf32>
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<1x1x9x20xf32>
// CHECK: %[[K:.*]] = tensor.extract_slice %[[X]][0, 0, 1, 0] [1, 1, 4, 5] [1, 1, 1, 1] : tensor<1x1x5x5xf32> to tensor<1x1x4x5xf32>
// CHECK: tensor.insert_slice %[[K]] into %[[Z]][0, 0, 1, 3] [1, 1, 4, 5] [1, 1, 2, 3]
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-SAME: -> tensor<1x1x7x18xf32>
func.func @conv_transpose_crop(%x: tensor<1x1x5x5xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x7x18xf32> {
  %y = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 3, -1, 1, -2>, strides = array<i64: 2, 3>} : (tensor<1x1x5x5xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x7x18xf32>
  return %y : tensor<1x1x7x18xf32>
}

// -----

// Groups: ONNX's [C, F / G, k] is read as [G, C / G, F / G, k] and written
// [G, F / G, C / G, k], then the grouped convolution of kiln.conv.
// CHECK-LABEL: func.func @conv_transpose_grouped
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 2, 3, 2, 2] : tensor<4x3x2x2xf32> into tensor<2x2x3x2x2xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x3x2x2x2xf32>)
// CHECK: tensor.collapse_shape {{.*}} : tensor<2x3x2x2x2xf32> into tensor<6x2x2x2xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
func.func @conv_transpose_grouped(%x: tensor<1x4x3x3xf32>, %w: tensor<4x3x2x2xf32>) -> tensor<1x6x6x6xf32> {
  %y = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x3x3xf32>, tensor<4x3x2x2xf32>) -> tensor<1x6x6x6xf32>
  return %y : tensor<1x6x6x6xf32>
}
