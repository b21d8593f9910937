// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// kiln.conv -> zero tensor.pad (only when a pad is non-zero) + a named linalg
// convolution with strides/dilations attributes, accumulating into the bias
// broadcast (or zeros).

// CHECK-LABEL: func.func @conv_bias_pads
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<16x3x3x3xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 0] high[0, 0, 0, 2]
// CHECK: tensor.yield %[[Z]] : f32
// CHECK: } : tensor<1x3x8x8xf32> to tensor<1x3x9x10xf32>
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B]] : tensor<16xf32>) outs(%{{.*}} : tensor<1x16x4x4xf32>) dimensions = [0, 2, 3]
// CHECK: %[[R:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
// CHECK-SAME: ins(%[[P]], %[[W]] : tensor<1x3x9x10xf32>, tensor<16x3x3x3xf32>) outs(%[[INIT]] : tensor<1x16x4x4xf32>)
// CHECK: return %[[R]]
func.func @conv_bias_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>) -> tensor<1x16x4x4xf32> {
  %y = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 0, 0, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x4x4xf32>
  return %y : tensor<1x16x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv_no_pads
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[2, 1]> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
// CHECK-SAME: ins(%[[X]], %[[W]] : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<1x4x4x6xf32>)
func.func @conv_no_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x4x6xf32> {
  %y = kiln.conv %x, %w {dilations = array<i64: 2, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x6xf32>
  return %y : tensor<1x4x4x6xf32>
}

// -----

// groups == C == F: depthwise, filter [C, 1, kh, kw] -> [C, kh, kw].
// CHECK-LABEL: func.func @conv_depthwise
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x8x8xf32>, %[[W:.*]]: tensor<8x1x3x3xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 0, 2]
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B]] : tensor<8xf32>)
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[W]] {{\[}}[0], [1, 2], [3]] : tensor<8x1x3x3xf32> into tensor<8x3x3xf32>
// CHECK: linalg.depthwise_conv_2d_nchw_chw {dilations = dense<[1, 2]> : vector<2xi64>, strides = dense<[2, 1]> : vector<2xi64>}
// CHECK-SAME: ins(%[[P]], %[[F]] : tensor<1x8x9x11xf32>, tensor<8x3x3xf32>) outs(%[[INIT]] : tensor<1x8x4x7xf32>)
func.func @conv_depthwise(%x: tensor<1x8x8x8xf32>, %w: tensor<8x1x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x4x7xf32> {
  %y = kiln.conv %x, %w, %b {dilations = array<i64: 1, 2>, groups = 8 : i64, pads = array<i64: 1, 1, 0, 2>, strides = array<i64: 2, 1>} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x7xf32>
  return %y : tensor<1x8x4x7xf32>
}

// -----

// Other groups: input [N, G, C/G, H, W], filter [G, F/G, C/G, kh, kw] and
// output [N, G, F/G, OH, OW] are pure reshapes of kiln's layouts.
// CHECK-LABEL: func.func @conv_grouped
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x6x6xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>)
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK: %[[X5:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 2, 6, 6]
// CHECK: %[[W5:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3]
// CHECK: %[[I5:.*]] = tensor.expand_shape %[[INIT]] {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 3, 4, 4]
// CHECK: %[[R:.*]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
// CHECK-SAME: ins(%[[X5]], %[[W5]] : tensor<2x2x2x6x6xf32>, tensor<2x3x2x3x3xf32>) outs(%[[I5]] : tensor<2x2x3x4x4xf32>)
// CHECK: tensor.collapse_shape %[[R]] {{\[}}[0], [1, 2], [3], [4]] : tensor<2x2x3x4x4xf32> into tensor<2x6x4x4xf32>
func.func @conv_grouped(%x: tensor<2x4x6x6xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x6x4x4xf32> {
  %y = kiln.conv %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x4x6x6xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x4x4xf32>
  return %y : tensor<2x6x4x4xf32>
}

// -----

// 1-D runs as 2-D with H = 1: stride/dilation 1 and no pads along H.
// CHECK-LABEL: func.func @conv1d
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x9xf32>, %[[W:.*]]: tensor<6x4x3xf32>, %[[B:.*]]: tensor<6xf32>)
// CHECK: %[[X4:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1], [2, 3]] output_shape [2, 4, 1, 9]
// CHECK: %[[W4:.*]] = tensor.expand_shape %[[W]] {{\[}}[0], [1], [2, 3]] output_shape [6, 4, 1, 3]
// CHECK: %[[P:.*]] = tensor.pad %[[X4]] low[0, 0, 0, 2] high[0, 0, 0, 1]
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B]] : tensor<6xf32>) outs(%{{.*}} : tensor<2x6x1x4xf32>)
// CHECK: %[[R:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : vector<2xi64>, strides = dense<[1, 2]> : vector<2xi64>}
// CHECK-SAME: ins(%[[P]], %[[W4]] : tensor<2x4x1x12xf32>, tensor<6x4x1x3xf32>) outs(%[[INIT]] : tensor<2x6x1x4xf32>)
// CHECK: tensor.collapse_shape %[[R]] {{\[}}[0], [1], [2, 3]] : tensor<2x6x1x4xf32> into tensor<2x6x4xf32>
func.func @conv1d(%x: tensor<2x4x9xf32>, %w: tensor<6x4x3xf32>, %b: tensor<6xf32>) -> tensor<2x6x4xf32> {
  %y = kiln.conv %x, %w, %b {dilations = array<i64: 2>, groups = 1 : i64, pads = array<i64: 2, 1>, strides = array<i64: 2>} : (tensor<2x4x9xf32>, tensor<6x4x3xf32>, tensor<6xf32>) -> tensor<2x6x4xf32>
  return %y : tensor<2x6x4xf32>
}

// -----

// f16 accumulates in f32: the bias is widened into an f32 init, the result
// rounded once.
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @conv_f16
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[CH]], {{.*}}]{{.*}} ins(%{{.*}} : tensor<2xf16>) outs(%{{.*}} : tensor<1x2x2x2xf32>)
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: %[[R:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x4x4xf16>, tensor<2x2x3x3xf16>) outs(%[[INIT]] : tensor<1x2x2x2xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[R]] : tensor<1x2x2x2xf32>) outs(%{{.*}} : tensor<1x2x2x2xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @conv_f16(%x: tensor<1x2x4x4xf16>, %w: tensor<2x2x3x3xf16>, %b: tensor<2xf16>) -> tensor<1x2x2x2xf16> {
  %y = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf16>, tensor<2x2x3x3xf16>, tensor<2xf16>) -> tensor<1x2x2x2xf16>
  return %y : tensor<1x2x2x2xf16>
}

// -----

// conv_backward_filter in f32: a batched matmul over the groups, dy
// transposed to [G, F/G, N*OH*OW] times the im2col copy of the zero-padded
// input [G, N*OH*OW, C/G*KH*KW]:
// cols[g, n, i, j, c, a, b] = x[n, g, c, 2i + a, 2j + b].
// CHECK-DAG: #[[XP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d0, d4, d2 * 2 + d5, d3 * 2 + d6)>
// CHECK-LABEL: func.func @conv_backward_filter
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x6x5xf32>, %[[G:.*]]: tensor<2x6x3x3xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[XG:.*]] = tensor.expand_shape %[[P]] {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 2, 8, 7]
// CHECK: %[[GG:.*]] = tensor.expand_shape %[[G]] {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 3, 3, 3]
// CHECK: %[[COLS:.*]] = linalg.generic {indexing_maps = [#[[XP]], #{{.*}}]
// CHECK-SAME: ins(%[[XG]] : tensor<2x2x2x8x7xf32>) outs(%{{.*}} : tensor<2x2x3x3x2x3x3xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[COLS]] {{\[}}[0], [1, 2, 3], [4, 5, 6]] : tensor<2x2x3x3x2x3x3xf32> into tensor<2x18x18xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[GG]] : tensor<2x2x3x3x3xf32>) outs(%{{.*}} : tensor<2x3x2x3x3xf32>) permutation = [1, 2, 0, 3, 4]
// CHECK: %[[D:.*]] = tensor.collapse_shape %[[T]] {{\[}}[0], [1], [2, 3, 4]] : tensor<2x3x2x3x3xf32> into tensor<2x3x18xf32>
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: %[[R:.*]] = linalg.batch_matmul ins(%[[D]], %[[C]] : tensor<2x3x18xf32>, tensor<2x18x18xf32>) outs(%[[Z]] : tensor<2x3x18xf32>)
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[R]]
// CHECK: %[[W:.*]] = tensor.expand_shape %[[F]] {{.*}} output_shape [6, 2, 3, 3]
// CHECK: return %[[W]]
func.func @conv_backward_filter(%x: tensor<2x4x6x5xf32>, %g: tensor<2x6x3x3xf32>) -> tensor<6x2x3x3xf32> {
  %0 = kiln.conv_backward_filter %x, %g {dilations = array<i64: 1, 1>, groups = 2 : i64,
         kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<2x4x6x5xf32>, tensor<2x6x3x3xf32>) -> tensor<6x2x3x3xf32>
  return %0 : tensor<6x2x3x3xf32>
}

// -----

// 1-D with dilation and f16: unit height, no pad, one contraction over
// (n, i, j) accumulating in f32.
// CHECK-DAG: #[[XP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d2, d6 + d3, d7 + d4 * 2)>
// CHECK-LABEL: func.func @conv_backward_filter_1d
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[XP]], #{{.*}}]
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<2x1x4x1x5xf16>, tensor<2x1x3x1x9xf16>) outs(%{{.*}} : tensor<1x4x3x1x3xf32>)
// CHECK: arith.extf
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: tensor<4x3x3xf16>
func.func @conv_backward_filter_1d(%x: tensor<2x3x9xf16>, %g: tensor<2x4x5xf16>) -> tensor<4x3x3xf16> {
  %0 = kiln.conv_backward_filter %x, %g {dilations = array<i64: 2>, kernel_shape = array<i64: 3>,
         pads = array<i64: 0, 0>, strides = array<i64: 1>}
       : (tensor<2x3x9xf16>, tensor<2x4x5xf16>) -> tensor<4x3x3xf16>
  return %0 : tensor<4x3x3xf16>
}

// -----

// 3-D, grouped, padded, strided and dilated: one contraction over (n, g,
// f, od, oh, ow | c, kd, kh, kw) on [N, G, C/G, D, H, W] views, into the
// bias broadcast along N, D, H and W.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d6, d3 + d7, d4 * 2 + d8, d5 + d9 * 2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d1, d2, d6, d7, d8, d9)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: func.func @conv3d
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 0, 1] high[0, 0, 0, 1, 1]
// CHECK: %[[B:.*]] = linalg.broadcast ins(%{{.*}} : tensor<6xf32>) outs(%{{.*}} : tensor<2x6x4x3x6xf32>) dimensions = [0, 2, 3, 4]
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[Y]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<2x2x2x5x7x8xf32>, tensor<2x3x2x2x3x2xf32>) outs(%{{.*}} : tensor<2x2x3x4x3x6xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor<2x6x4x3x6xf32>
func.func @conv3d(%x: tensor<2x4x4x6x6xf32>, %w: tensor<6x2x2x3x2xf32>, %b: tensor<6xf32>) -> tensor<2x6x4x3x6xf32> {
  %0 = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1, 2>, groups = 2 : i64,
         pads = array<i64: 1, 0, 1, 0, 1, 1>, strides = array<i64: 1, 2, 1>}
       : (tensor<2x4x4x6x6xf32>, tensor<6x2x2x3x2xf32>, tensor<6xf32>) -> tensor<2x6x4x3x6xf32>
  return %0 : tensor<2x6x4x3x6xf32>
}

// -----

// The 3-D filter cotangent: one contraction over (g, f, c, kd, kh, kw | n,
// od, oh, ow); integers (ConvInteger's i32 convolution) multiply and add as
// integers.
// CHECK-DAG: #[[XP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d6, d0, d2, d7 * 2 + d3, d8 + d4, d9 + d5)>
// CHECK-LABEL: func.func @conv3d_backward_filter
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 0, 0] high[0, 0, 1, 0, 0]
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[XP]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
// CHECK-SAME: outs(%{{.*}} : tensor<1x3x2x3x2x2xf32>)
// CHECK: tensor<3x2x3x2x2xf32>
// CHECK-LABEL: func.func @conv3d_i32
// CHECK: linalg.generic
// CHECK: arith.muli
// CHECK: arith.addi
func.func @conv3d_backward_filter(%x: tensor<1x2x5x3x3xf32>, %g: tensor<1x3x3x2x2xf32>) -> tensor<3x2x3x2x2xf32> {
  %0 = kiln.conv_backward_filter %x, %g {dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 3, 2, 2>,
         pads = array<i64: 1, 0, 0, 1, 0, 0>, strides = array<i64: 2, 1, 1>}
       : (tensor<1x2x5x3x3xf32>, tensor<1x3x3x2x2xf32>) -> tensor<3x2x3x2x2xf32>
  return %0 : tensor<3x2x3x2x2xf32>
}
func.func @conv3d_i32(%x: tensor<1x2x3x3x3xi32>, %w: tensor<2x2x2x2x2xi32>) -> tensor<1x2x2x2x2xi32> {
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>}
       : (tensor<1x2x3x3x3xi32>, tensor<2x2x2x2x2xi32>) -> tensor<1x2x2x2x2xi32>
  return %0 : tensor<1x2x2x2x2xi32>
}
