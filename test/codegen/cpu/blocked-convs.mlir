// RUN: kiln-opt --split-input-file --kiln-cpu-blocked-convs %s | FileCheck %s
// RUN: kiln-opt --split-input-file --kiln-cpu-blocked-convs=vector-bits=64 %s | FileCheck %s --check-prefix=TINY

// AVX-512's block of 32 channels: the input packed, the filter re-laid out
// now, the bias broadcast made blocked, the result unpacked to NCHW.
// CHECK-LABEL: func.func @blocked
// CHECK-DAG: %[[W:.+]] = arith.constant dense<5.000000e-01> : tensor<2x1x3x3x32x32xf32>
// CHECK-DAG: %[[X:.+]] = tensor.pack %{{.+}} inner_dims_pos = [1] inner_tiles = [32] into %{{.+}} : tensor<1x32x9x9xf32> -> tensor<1x1x9x9x32xf32>
// CHECK-DAG: %[[B:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [2, 32] : tensor<64xf32> into tensor<2x32xf32>
// CHECK: %[[INIT:.+]] = linalg.broadcast ins(%[[B]] : tensor<2x32xf32>) outs(%{{.+}} : tensor<1x2x4x4x32xf32>) dimensions = [0, 2, 3]
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[W]] : tensor<1x1x9x9x32xf32>, tensor<2x1x3x3x32x32xf32>) outs(%[[INIT]] : tensor<1x2x4x4x32xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.unpack %[[Y]] inner_dims_pos = [1] inner_tiles = [32] into %{{.+}} : tensor<1x2x4x4x32xf32> -> tensor<1x64x4x4xf32>
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @blocked(%x: tensor<1x32x9x9xf32>, %b: tensor<64xf32>) -> tensor<1x64x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<64x32x3x3xf32>
  %e = tensor.empty() : tensor<1x64x4x4xf32>
  %init = linalg.broadcast ins(%b : tensor<64xf32>) outs(%e : tensor<1x64x4x4xf32>) dimensions = [0, 2, 3]
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%x, %w : tensor<1x32x9x9xf32>, tensor<64x32x3x3xf32>) outs(%init : tensor<1x64x4x4xf32>) -> tensor<1x64x4x4xf32>
  return %y : tensor<1x64x4x4xf32>
}

// -----

// An image's 3 channels are not a block: the input stays NCHW, read as
// [N, C, H, W, 1] (no copy); the window's map carries the dilation.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d5, d2 + d6 * 2, d3 + d7 * 2, d8)>
// CHECK-LABEL: func.func @image
// CHECK-NOT: tensor.pack
// CHECK: %[[X:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0], [1], [2], [3, 4]] output_shape [2, 3, 12, 12, 1]
// CHECK: %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2x1x8x8x32xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[IN]],
// CHECK-SAME: ins(%[[X]], %{{.+}} : tensor<2x3x12x12x1xf32>, tensor<1x3x3x3x1x32xf32>) outs(%[[INIT]] : tensor<2x1x8x8x32xf32>)
func.func @image(%x: tensor<2x3x12x12xf32>) -> tensor<2x32x8x8xf32> {
  %w = arith.constant dense<1.0> : tensor<32x3x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x32x8x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x32x8x8xf32>) -> tensor<2x32x8x8xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<2x3x12x12xf32>, tensor<32x3x3x3xf32>) outs(%init : tensor<2x32x8x8xf32>) -> tensor<2x32x8x8xf32>
  return %y : tensor<2x32x8x8xf32>
}

// -----

// 24 filters are not whole blocks of 32, and a 1x1 filter passed at run
// time would be copied where conv-to-matmul copies nothing: both are left
// to kiln-cpu-conv-to-matmul.
// CHECK-LABEL: func.func @left
// CHECK-COUNT-2: linalg.conv_2d_nchw_fchw
// CHECK-NOT: tensor.pack
func.func @left(%x: tensor<1x32x4x4xf32>, %w2: tensor<32x32x1x1xf32>, %i1: tensor<1x24x4x4xf32>, %i2: tensor<1x32x4x4xf32>) -> (tensor<1x24x4x4xf32>, tensor<1x32x4x4xf32>) {
  %w1 = arith.constant dense<1.0> : tensor<24x32x1x1xf32>
  %y1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w1 : tensor<1x32x4x4xf32>, tensor<24x32x1x1xf32>) outs(%i1 : tensor<1x24x4x4xf32>) -> tensor<1x24x4x4xf32>
  %y2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w2 : tensor<1x32x4x4xf32>, tensor<32x32x1x1xf32>) outs(%i2 : tensor<1x32x4x4xf32>) -> tensor<1x32x4x4xf32>
  return %y1, %y2 : tensor<1x24x4x4xf32>, tensor<1x32x4x4xf32>
}

// -----

// A 3x3 filter passed at run time (training, --weights external) is packed
// on every call, [F, C, KH, KW] -> [F/32, C/32, KH, KW, 32, 32], where that
// copy (64 x 32 x 9 elements) is smaller than the im2col copy it saves
// (32 x 9 x 8 x 8). A deep filter over few pixels is not: 64 x 32 x 9
// elements against 32 x 9 x 2 x 2.
// CHECK-LABEL: func.func @runtime_filter
// CHECK: %[[W:.+]] = tensor.pack %arg1 inner_dims_pos = [1, 0] inner_tiles = [32, 32] into %{{.+}} : tensor<64x32x3x3xf32> -> tensor<2x1x3x3x32x32xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %[[W]] : tensor<1x1x10x10x32xf32>, tensor<2x1x3x3x32x32xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%arg2, %arg1 : tensor<1x32x4x4xf32>, tensor<64x32x3x3xf32>)
func.func @runtime_filter(%x: tensor<1x32x10x10xf32>, %w: tensor<64x32x3x3xf32>, %small: tensor<1x32x4x4xf32>,
                          %i1: tensor<1x64x8x8xf32>, %i2: tensor<1x64x2x2xf32>) -> (tensor<1x64x8x8xf32>, tensor<1x64x2x2xf32>) {
  %y1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x32x10x10xf32>, tensor<64x32x3x3xf32>) outs(%i1 : tensor<1x64x8x8xf32>) -> tensor<1x64x8x8xf32>
  %y2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%small, %w : tensor<1x32x4x4xf32>, tensor<64x32x3x3xf32>) outs(%i2 : tensor<1x64x2x2xf32>) -> tensor<1x64x2x2xf32>
  return %y1, %y2 : tensor<1x64x8x8xf32>, tensor<1x64x2x2xf32>
}

// -----

// With 64-bit vectors the block is 4 (two vectors of two lanes). The
// filter w[f, c] = 10 f + c becomes [fo, co, kh, kw, ci, fi]: rows of
// the block's 4 filters for each input channel.
// TINY-LABEL: func.func @relayout
// TINY: arith.constant dense<{{\[\[\[\[\[\[}}0.000000e+00, 1.000000e+01, 2.000000e+01, 3.000000e+01], [1.000000e+00, 1.100000e+01, 2.100000e+01, 3.100000e+01], [2.000000e+00, 1.200000e+01, 2.200000e+01, 3.200000e+01], [3.000000e+00, 1.300000e+01, 2.300000e+01, 3.300000e+01]]]]]]> : tensor<1x1x1x1x4x4xf32>
// TINY: tensor.pack %{{.+}} inner_dims_pos = [1] inner_tiles = [4]
func.func @relayout(%x: tensor<1x4x2x2xf32>, %init: tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %w = arith.constant dense<[[[[0.0]], [[1.0]], [[2.0]], [[3.0]]], [[[10.0]], [[11.0]], [[12.0]], [[13.0]]],
                              [[[20.0]], [[21.0]], [[22.0]], [[23.0]]], [[[30.0]], [[31.0]], [[32.0]], [[33.0]]]]> : tensor<4x4x1x1xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x4x2x2xf32>, tensor<4x4x1x1xf32>) outs(%init : tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}
