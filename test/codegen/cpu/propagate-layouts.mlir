// RUN: kiln-opt --split-input-file --kiln-cpu-propagate-layouts --canonicalize %s | FileCheck %s

// A convolution's blocked result through a ReLU and the next one's padding
// into its pack: no unpack or pack is left between them. The residual add
// of two blocked values is blocked too; only the function's result is
// unpacked (a transpose and a reshape, no copy).
// CHECK-LABEL: func.func @chain
// CHECK-NOT: tensor.pack
// CHECK-NOT: tensor.unpack
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: ins(%{{.+}} : tensor<1x2x6x6x32xf32>) outs(%{{.+}} : tensor<1x2x6x6x32xf32>)
// CHECK: arith.maximumf
// CHECK: %[[P:.+]] = tensor.pad %[[R]] low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0]
// CHECK: %[[A:.+]] = linalg.generic
// CHECK-SAME: ins(%{{.+}}, %[[R]] : tensor<1x2x6x6x32xf32>, tensor<1x2x6x6x32xf32>) outs(%{{.+}} : tensor<1x2x6x6x32xf32>)
// CHECK: arith.addf
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[A]] : tensor<1x2x6x6x32xf32>) outs(%{{.+}} : tensor<1x2x32x6x6xf32>) permutation = [0, 1, 4, 2, 3]
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[T]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x32x6x6xf32> into tensor<1x64x6x6xf32>
// CHECK-NOT: linalg.copy
// CHECK: return %[[P]], %[[C]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @chain(%y1: tensor<1x2x6x6x32xf32>, %y2: tensor<1x2x6x6x32xf32>) -> (tensor<1x2x8x8x32xf32>, tensor<1x64x6x6xf32>) {
  %e = tensor.empty() : tensor<1x64x6x6xf32>
  %u1 = tensor.unpack %y1 inner_dims_pos = [1] inner_tiles = [32] into %e : tensor<1x2x6x6x32xf32> -> tensor<1x64x6x6xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel","parallel","parallel","parallel"]} ins(%u1 : tensor<1x64x6x6xf32>) outs(%e : tensor<1x64x6x6xf32>) {
  ^bb0(%a: f32, %b: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %a, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x64x6x6xf32>
  %c0 = arith.constant 0.0 : f32
  %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %c0 : f32
  } : tensor<1x64x6x6xf32> to tensor<1x64x8x8xf32>
  %e2 = tensor.empty() : tensor<1x2x8x8x32xf32>
  %pk = tensor.pack %p inner_dims_pos = [1] inner_tiles = [32] into %e2 : tensor<1x64x8x8xf32> -> tensor<1x2x8x8x32xf32>
  %u2 = tensor.unpack %y2 inner_dims_pos = [1] inner_tiles = [32] into %e : tensor<1x2x6x6x32xf32> -> tensor<1x64x6x6xf32>
  %a = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel","parallel","parallel","parallel"]} ins(%u2, %r : tensor<1x64x6x6xf32>, tensor<1x64x6x6xf32>) outs(%e : tensor<1x64x6x6xf32>) {
  ^bb0(%a0: f32, %a1: f32, %b: f32):
    %s = arith.addf %a0, %a1 : f32
    linalg.yield %s : f32
  } -> tensor<1x64x6x6xf32>
  return %pk, %a : tensor<1x2x8x8x32xf32>, tensor<1x64x6x6xf32>
}

// -----

// The windows of a pooling or depthwise convolution (strided slices that
// keep every channel) are taken in the blocked layout, and the [C] filter
// column is re-laid out now as [C/4, 4].
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4)>
// CHECK-LABEL: func.func @window
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[\[}}0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00]]> : tensor<2x4xf32>
// CHECK-DAG: %[[S0:.+]] = tensor.extract_slice %{{.+}}[0, 0, 0, 0, 0] [1, 2, 3, 3, 4] [1, 1, 2, 2, 1]
// CHECK-DAG: %[[S1:.+]] = tensor.extract_slice %{{.+}}[0, 0, 1, 1, 0] [1, 2, 3, 3, 4] [1, 1, 2, 2, 1]
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[CH]], #[[ID]]]
// CHECK-SAME: ins(%[[S0]], %[[S1]], %[[W]] : tensor<1x2x3x3x4xf32>, tensor<1x2x3x3x4xf32>, tensor<2x4xf32>)
// CHECK: linalg.transpose
// CHECK-NOT: tensor.unpack
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @window(%y: tensor<1x2x6x6x4xf32>) -> tensor<1x8x3x3xf32> {
  %e = tensor.empty() : tensor<1x8x6x6xf32>
  %u = tensor.unpack %y inner_dims_pos = [1] inner_tiles = [4] into %e : tensor<1x2x6x6x4xf32> -> tensor<1x8x6x6xf32>
  %s0 = tensor.extract_slice %u[0, 0, 0, 0] [1, 8, 3, 3] [1, 1, 2, 2] : tensor<1x8x6x6xf32> to tensor<1x8x3x3xf32>
  %s1 = tensor.extract_slice %u[0, 0, 1, 1] [1, 8, 3, 3] [1, 1, 2, 2] : tensor<1x8x6x6xf32> to tensor<1x8x3x3xf32>
  %w = arith.constant dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]> : tensor<8xf32>
  %e2 = tensor.empty() : tensor<1x8x3x3xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #ch, #id], iterator_types = ["parallel","parallel","parallel","parallel"]} ins(%s0, %s1, %w : tensor<1x8x3x3xf32>, tensor<1x8x3x3xf32>, tensor<8xf32>) outs(%e2 : tensor<1x8x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %m = arith.mulf %b, %c : f32
    %s = arith.addf %a, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x8x3x3xf32>
  return %r : tensor<1x8x3x3xf32>
}
