// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// Pooling -> tensor.pad + linalg.pooling_nchw_{max,sum} (3-D: a linalg.generic). ceil_mode's last
// window is covered by extra end padding; avg_pool divides by a per-window
// count computed at compile time.

// 6 + 1 + 1 rows, k3 s2, ceil: 4 windows need 9 rows, so 1 extra end pad.
// Max pooling pads with -inf so that padding never wins.
// CHECK-LABEL: func.func @maxpool_ceil
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x6x6xf32>)
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: tensor.yield %[[NEGINF]] : f32
// CHECK: } : tensor<1x2x6x6xf32> to tensor<1x2x9x9xf32>
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: %[[LOW:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[LOW]] : f32) outs(%{{.*}} : tensor<1x2x4x4xf32>)
// CHECK: %[[R:.*]] = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
// CHECK-SAME: ins(%[[P]], %[[WIN]] : tensor<1x2x9x9xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<1x2x4x4xf32>)
// CHECK: return %[[R]]
func.func @maxpool_ceil(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x4x4xf32> {
  %y = kiln.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Integers pad and start from INT_MIN; dilations go to the named op.
// CHECK-LABEL: func.func @maxpool_i32_dilated
// CHECK: %[[MIN:.*]] = arith.constant -2147483648 : i32
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 0] high[0, 0, 0, 0]
// CHECK: tensor.yield %[[MIN]] : i32
// CHECK: linalg.fill ins(%{{.*}} : i32)
// CHECK: linalg.pooling_nchw_max {dilations = dense<2> : vector<2xi64>, strides = dense<[1, 2]> : vector<2xi64>}
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x6x3xi32>)
func.func @maxpool_i32_dilated(%x: tensor<1x1x7x7xi32>) -> tensor<1x1x6x3xi32> {
  %y = kiln.max_pool %x {ceil_mode = false, dilations = array<i64: 2, 2>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 0, 0, 0>, strides = array<i64: 1, 2>} : tensor<1x1x7x7xi32> -> tensor<1x1x6x3xi32>
  return %y : tensor<1x1x6x3xi32>
}

// -----

// count_include_pad: windows count the explicit padding, but the 4th (ceil)
// window stops at the end of it: 3 x 3, 3 x 2, 2 x 2.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[HW:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-LABEL: func.func @avgpool_ceil_incl
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: tensor.yield %[[ZERO]] : f32
// CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
// CHECK-SAME: ins(%[[P]], %{{.*}} : tensor<1x1x9x9xf32>, tensor<3x3xf32>)
// CHECK: %[[DIV:.*]] = arith.constant dense<{{\[}}[9.000000e+00, 9.000000e+00, 9.000000e+00, 6.000000e+00], [9.000000e+00, 9.000000e+00, 9.000000e+00, 6.000000e+00], [9.000000e+00, 9.000000e+00, 9.000000e+00, 6.000000e+00], [6.000000e+00, 6.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<4x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[HW]], #[[ID]]]
// CHECK-SAME: ins(%[[SUM]], %[[DIV]] : tensor<1x1x4x4xf32>, tensor<4x4xf32>)
// CHECK: ^bb0(%[[S:.*]]: f32, %[[D:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.divf %[[S]], %[[D]] : f32
func.func @avgpool_ceil_incl(%x: tensor<1x1x6x6xf32>) -> tensor<1x1x4x4xf32> {
  %y = kiln.avg_pool %x {ceil_mode = true, count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x1x6x6xf32> -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

// Without count_include_pad only input elements count: 2, 3, 3, 1 per dim.
// CHECK-LABEL: func.func @avgpool_ceil_excl
// CHECK: linalg.pooling_nchw_sum
// CHECK: arith.constant dense<{{\[}}[4.000000e+00, 6.000000e+00, 6.000000e+00, 2.000000e+00], [6.000000e+00, 9.000000e+00, 9.000000e+00, 3.000000e+00], [6.000000e+00, 9.000000e+00, 9.000000e+00, 3.000000e+00], [2.000000e+00, 3.000000e+00, 3.000000e+00, 1.000000e+00]]> : tensor<4x4xf32>
// CHECK: arith.divf
func.func @avgpool_ceil_excl(%x: tensor<1x1x6x6xf32>) -> tensor<1x1x4x4xf32> {
  %y = kiln.avg_pool %x {ceil_mode = true, count_include_pad = false, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x1x6x6xf32> -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

// 1-D runs as 2-D with H = 1; f16 sums accumulate in f32.
// CHECK-LABEL: func.func @avgpool1d_f16
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x7xf16>)
// CHECK: %[[X4:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1], [2, 3]] output_shape [1, 2, 1, 7]
// CHECK-NOT: tensor.pad
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x1x3xf32>)
// CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<[1, 2]> : vector<2xi64>}
// CHECK-SAME: ins(%[[X4]], %{{.*}} : tensor<1x2x1x7xf16>, tensor<1x3xf16>) outs(%[[INIT]] : tensor<1x2x1x3xf32>)
// CHECK: %[[DIV:.*]] = arith.constant dense<3.000000e+00> : tensor<1x3xf32>
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]], %[[DIV]] : tensor<1x2x1x3xf32>, tensor<1x3xf32>) outs(%{{.*}} : tensor<1x2x1x3xf16>)
// CHECK: arith.divf
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: tensor.collapse_shape %[[MEAN]] {{\[}}[0], [1], [2, 3]] : tensor<1x2x1x3xf16> into tensor<1x2x3xf16>
func.func @avgpool1d_f16(%x: tensor<1x2x7xf16>) -> tensor<1x2x3xf16> {
  %y = kiln.avg_pool %x {ceil_mode = false, count_include_pad = false, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : tensor<1x2x7xf16> -> tensor<1x2x3xf16>
  return %y : tensor<1x2x3xf16>
}

// -----

// Global pooling is a mean / max reduction over the spatial dims, keepdims.
// CHECK-LABEL: func.func @global
// CHECK: %[[SUM:.*]] = linalg.reduce { arith.addf } ins(%{{.*}} : tensor<2x3x4x5xf32>) outs(%{{.*}} : tensor<2x3xf32>) dimensions = [2, 3]
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<2x3xf32>)
// CHECK: %[[N:.*]] = arith.constant 2.000000e+01 : f32
// CHECK: arith.divf %{{.*}}, %[[N]] : f32
// CHECK: tensor.expand_shape %[[MEAN]] {{\[}}[0], [1, 2, 3]] output_shape [2, 3, 1, 1]
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[MAX:.*]] = linalg.reduce { arith.maximumf } ins(%{{.*}} : tensor<2x3x4x5xf32>) outs(%[[INIT]] : tensor<2x3xf32>) dimensions = [2, 3]
// CHECK: tensor.expand_shape %[[MAX]] {{\[}}[0], [1, 2, 3]] output_shape [2, 3, 1, 1]
func.func @global(%x: tensor<2x3x4x5xf32>) -> (tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>) {
  %0 = kiln.global_avg_pool %x : tensor<2x3x4x5xf32> -> tensor<2x3x1x1xf32>
  %1 = kiln.global_max_pool %x : tensor<2x3x4x5xf32> -> tensor<2x3x1x1xf32>
  return %0, %1 : tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>
}

// -----

// max_pool_grad: a generic over (n, c, oh, ow, kh, kw) finding each window's
// first maximum (never padding), then one over (n, c, ih, iw, kh, kw)
// gathering the cotangent of the window each element won.
// CHECK-LABEL: func.func @max_pool_grad
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x5x5xf32>, %[[G:.*]]: tensor<1x2x3x3xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[W:.*]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: ins(%[[P]], %{{.*}} : tensor<1x2x7x7xf32>, tensor<3x3xf32>)
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>)
// CHECK: arith.cmpf ogt
// CHECK: %[[D:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<1x2x5x5xf32>)
// CHECK: arith.remsi
// CHECK: tensor.extract %[[W]]#1
// CHECK: tensor.extract %[[G]]
// CHECK: return %[[D]]
func.func @max_pool_grad(%x: tensor<1x2x5x5xf32>, %g: tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %0 = kiln.max_pool_grad %x, %g {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x2x5x5xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// -----

// max_pool_grad whose windows tile the input (2x2, stride 2, no padding):
// the winners from the four taps as strided slices, all-parallel, then the
// cotangent over (n, c, oh, kh, ow, kw) collapsed back to NCHW.
// CHECK-LABEL: func.func @max_pool_grad_tiles
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x6xf32>, %[[G:.*]]: tensor<1x2x2x3xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[T0:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, 2, 3] [1, 1, 2, 2]
// CHECK: %[[T3:.*]] = tensor.extract_slice %[[X]][0, 0, 1, 1] [1, 2, 2, 3] [1, 1, 2, 2]
// CHECK: %[[W:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]{{.*}} outs(%{{.*}} : tensor<1x2x2x3xi64>)
// CHECK-COUNT-3: arith.cmpf ogt
// CHECK: %[[D:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[W]], %[[G]] : tensor<1x2x2x3xi64>, tensor<1x2x2x3xf32>) outs(%{{.*}} : tensor<1x2x2x2x3x2xf32>)
// CHECK: arith.cmpi eq
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[D]] {{\[\[}}0], [1], [2, 3], [4, 5]] : tensor<1x2x2x2x3x2xf32> into tensor<1x2x4x6xf32>
// CHECK: return %[[R]]
func.func @max_pool_grad_tiles(%x: tensor<1x2x4x6xf32>, %g: tensor<1x2x2x3xf32>) -> tensor<1x2x4x6xf32> {
  %0 = kiln.max_pool_grad %x, %g {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x2x4x6xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}

// -----

// Dilated average pooling: the named op takes the dilations, and the divisor
// counts only the elements a window reads: along H (k 2, dilation 2, pads
// 1/1) 1, 2, 2, 2, 2, 2, 1; along W (k 3) 2, 3, 3, 3, 2.
// CHECK-LABEL: func.func @avgpool_dilated
// CHECK: linalg.pooling_nchw_sum {dilations = dense<[2, 1]> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
// CHECK: arith.constant dense<{{\[}}[2.000000e+00, 3.000000e+00, 3.000000e+00, 3.000000e+00, 2.000000e+00], [4.000000e+00, 6.000000e+00, 6.000000e+00, 6.000000e+00, 4.000000e+00],
// CHECK-SAME: [4.000000e+00, 6.000000e+00, 6.000000e+00, 6.000000e+00, 4.000000e+00], [2.000000e+00, 3.000000e+00, 3.000000e+00, 3.000000e+00, 2.000000e+00]]> : tensor<7x5xf32>
func.func @avgpool_dilated(%x: tensor<1x1x7x5xf32>) -> tensor<1x1x7x5xf32> {
  %y = kiln.avg_pool %x {count_include_pad = false, dilations = array<i64: 2, 1>, kernel_shape = array<i64: 2, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x1x7x5xf32> -> tensor<1x1x7x5xf32>
  return %y : tensor<1x1x7x5xf32>
}

// -----

// 3-D pooling: one linalg.generic over (n, c, od, oh, ow, kd, kh, kw) reading
// the input at o * stride + k * dilation; max as kiln.max computes it, sums in
// f32 for f16, then the [OD, OH, OW] divisor (D 2, 2; H 2, 3, 2; W 2, 2, 2).
// CHECK-DAG: #[[MAXIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2 * 2 + d5, d3 * 2 + d6 * 2, d4 * 2 + d7)>
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d6, d7)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[SUMIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2 * 2 + d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-LABEL: func.func @pool3d
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[MAXIN]], #[[WIN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<1x2x4x5x6xf16>, tensor<2x2x2xf16>) outs(%{{.*}} : tensor<1x2x2x2x3xf16>)
// CHECK: arith.maximumf
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 0, 1, 0] high[0, 0, 0, 1, 0]
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[SUMIN]], #[[WIN]], #[[OUT]]]
// CHECK-SAME: ins(%[[P]], %{{.*}} : tensor<1x2x4x7x6xf16>, tensor<2x3x2xf16>) outs(%{{.*}} : tensor<1x2x2x3x3xf32>)
// CHECK: arith.extf
// CHECK: arith.addf
// CHECK: arith.constant dense<{{\[\[\[}}8.000000e+00, 8.000000e+00, 8.000000e+00], [1.200000e+01, 1.200000e+01, 1.200000e+01], [8.000000e+00, 8.000000e+00, 8.000000e+00]], {{.*}}> : tensor<2x3x3xf32>
// CHECK: arith.divf
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @pool3d(%x: tensor<1x2x4x5x6xf16>) -> (tensor<1x2x2x2x3xf16>, tensor<1x2x2x3x3xf16>) {
  %m = kiln.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 2, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : tensor<1x2x4x5x6xf16> -> tensor<1x2x2x2x3xf16>
  %a = kiln.avg_pool %x {ceil_mode = false, count_include_pad = false, kernel_shape = array<i64: 2, 3, 2>, pads = array<i64: 0, 1, 0, 0, 1, 0>, strides = array<i64: 2, 2, 2>} : tensor<1x2x4x5x6xf16> -> tensor<1x2x2x3x3xf16>
  return %m, %a : tensor<1x2x2x2x3xf16>, tensor<1x2x2x3x3xf16>
}

// -----

// max_pool_grad in 3-D: the same two generics over (n, c, o..., k...) and
// (n, c, i..., k...), the kernel position row-major over (kd, kh, kw).
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2 + d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-LABEL: func.func @max_pool_grad_3d
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 1, 1] high[0, 0, 0, 1, 1]
// CHECK: %[[W:.*]]:2 = linalg.generic {indexing_maps = [#[[IN]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK: %[[D:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x3x4x4xf32>)
// CHECK: tensor.extract %[[W]]#1
// CHECK: return %[[D]]
func.func @max_pool_grad_3d(%x: tensor<1x2x3x4x4xf32>, %g: tensor<1x2x2x2x2xf32>) -> tensor<1x2x3x4x4xf32> {
  %0 = kiln.max_pool_grad %x, %g {dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 3, 3>,
         pads = array<i64: 0, 1, 1, 0, 1, 1>, strides = array<i64: 1, 2, 2>}
       : (tensor<1x2x3x4x4xf32>, tensor<1x2x2x2x2xf32>) -> tensor<1x2x3x4x4xf32>
  return %0 : tensor<1x2x3x4x4xf32>
}
