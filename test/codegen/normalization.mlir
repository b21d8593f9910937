// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// softmax / log_softmax subtract the max first; layer_norm uses a two-pass
// variance; batch_norm folds its statistics per channel; statistics are in
// f32 for f16/bf16.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<2x5xf32>)
// CHECK: %[[MAX:.*]] = linalg.reduce { arith.maximumf } ins(%[[X]] : tensor<2x5xf32>) outs(%{{.*}} : tensor<2xf32>) dimensions = [1]
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[MAX]] : tensor<2x5xf32>, tensor<2xf32>)
// CHECK: ^bb0(%[[A:.*]]: f32, %[[M:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[D:.*]] = arith.subf %[[A]], %[[M]] : f32
// CHECK: %[[E:.*]] = math.exp %[[D]] : f32
// CHECK: arith.addf %[[ACC]], %[[E]] : f32
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[MAX]], %[[SUM]] : tensor<2x5xf32>, tensor<2xf32>, tensor<2xf32>)
// CHECK: ^bb0(%[[A2:.*]]: f32, %[[M2:.*]]: f32, %[[S2:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[D2:.*]] = arith.subf %[[A2]], %[[M2]] : f32
// CHECK: %[[E2:.*]] = math.exp %[[D2]] : f32
// CHECK: arith.divf %[[E2]], %[[S2]] : f32
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %y = kiln.softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @log_softmax
// CHECK: linalg.reduce { arith.maximumf } {{.*}} dimensions = [0]
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]
// CHECK: math.exp
// CHECK: ^bb0(%[[A:.*]]: f32, %[[M:.*]]: f32, %[[S:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[D:.*]] = arith.subf %[[A]], %[[M]] : f32
// CHECK: %[[L:.*]] = math.log %[[S]] : f32
// CHECK: arith.subf %[[D]], %[[L]] : f32
func.func @log_softmax(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %y = kiln.log_softmax %x {axis = 0 : i64} : tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// On f16 (and bf16) each step of ONNX's function body is rounded to the
// element type: x - max, exp, the sum (accumulated in f32), then the quotient;
// log_softmax also rounds the log.
// CHECK-LABEL: func.func @softmax_f16
// CHECK: linalg.reduce ins(%{{.*}} : tensor<2x5xf16>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: ^bb0(%[[A:.*]]: f16, %[[M:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[D:.*]] = arith.subf %{{.*}}, %[[M]] : f32
// CHECK: %[[DH:.*]] = arith.truncf %[[D]] : f32 to f16
// CHECK: %[[DW:.*]] = arith.extf %[[DH]] : f16 to f32
// CHECK: %[[E:.*]] = math.exp %[[DW]] : f32
// CHECK: %[[EH:.*]] = arith.truncf %[[E]] : f32 to f16
// CHECK: %[[EW:.*]] = arith.extf %[[EH]] : f16 to f32
// CHECK: arith.addf %[[ACC]], %[[EW]] : f32
// CHECK: ^bb0(%{{.*}}: f16, %{{.*}}: f32, %[[S:.*]]: f32, %{{.*}}: f16):
// CHECK: %[[SH:.*]] = arith.truncf %[[S]] : f32 to f16
// CHECK: %[[SW:.*]] = arith.extf %[[SH]] : f16 to f32
// CHECK: math.exp
// CHECK: arith.truncf
// CHECK: %[[EW2:.*]] = arith.extf
// CHECK: %[[Q:.*]] = arith.divf %[[EW2]], %[[SW]] : f32
// CHECK: arith.truncf %[[Q]] : f32 to f16
func.func @softmax_f16(%x: tensor<2x5xf16>) -> tensor<2x5xf16> {
  %y = kiln.softmax %x {axis = 1 : i64} : tensor<2x5xf16>
  return %y : tensor<2x5xf16>
}

// -----

// CHECK-LABEL: func.func @log_softmax_bf16
// CHECK: %[[L:.*]] = math.log %{{.*}} : f32
// CHECK: %[[LH:.*]] = arith.truncf %[[L]] : f32 to bf16
// CHECK: %[[LW:.*]] = arith.extf %[[LH]] : bf16 to f32
// CHECK: %[[R:.*]] = arith.subf %{{.*}}, %[[LW]] : f32
// CHECK: arith.truncf %[[R]] : f32 to bf16
func.func @log_softmax_bf16(%x: tensor<3x4xbf16>) -> tensor<3x4xbf16> {
  %y = kiln.log_softmax %x {axis = 0 : i64} : tensor<3x4xbf16>
  return %y : tensor<3x4xbf16>
}

// -----

// Normalizes over [axis, rank) = dims 1, 2; scale [4] and bias [3, 4]
// broadcast to them; statistics in f32; the normalized value, its product
// with scale and the sum with bias each rounded to f16 (ONNX's function body).
// CHECK-DAG: #[[V:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[STAT:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[SCALE:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf16>, %[[G:.*]]: tensor<4xf16>, %[[B:.*]]: tensor<3x4xf16>)
// CHECK: %[[SUM:.*]] = linalg.reduce ins(%[[X]] : tensor<2x3x4xf16>) outs(%{{.*}} : tensor<2xf32>) dimensions = [1, 2]
// CHECK: %[[MEAN:.*]] = linalg.generic {indexing_maps = [#[[V]], #[[V]]]{{.*}} ins(%[[SUM]] : tensor<2xf32>)
// CHECK: arith.constant 1.200000e+01 : f32
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[STAT]], #[[STAT]]], iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[MEAN]] : tensor<2x3x4xf16>, tensor<2xf32>)
// CHECK: %[[XW:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK: %[[DEV:.*]] = arith.subf %[[XW]], %{{.*}} : f32
// CHECK: arith.mulf %[[DEV]], %[[DEV]] : f32
// CHECK: %[[RSTD:.*]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<2xf32>)
// CHECK: arith.constant 9.99999974E-6 : f32
// CHECK: math.sqrt
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[STAT]], #[[STAT]], #[[SCALE]], #[[BIAS]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %[[MEAN]], %[[RSTD]], %[[G]], %[[B]] : tensor<2x3x4xf16>, tensor<2xf32>, tensor<2xf32>, tensor<4xf16>, tensor<3x4xf16>)
// CHECK: %[[NORM:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: %[[NH:.*]] = arith.truncf %[[NORM]] : f32 to f16
// CHECK: %[[NW:.*]] = arith.extf %[[NH]] : f16 to f32
// CHECK: %[[SCALED:.*]] = arith.mulf %[[NW]], %{{.*}} : f32
// CHECK: %[[SH:.*]] = arith.truncf %[[SCALED]] : f32 to f16
// CHECK: %[[SW:.*]] = arith.extf %[[SH]] : f16 to f32
// CHECK: %[[BIASED:.*]] = arith.addf %[[SW]], %{{.*}} : f32
// CHECK: arith.truncf %[[BIASED]] : f32 to f16
func.func @layer_norm(%x: tensor<2x3x4xf16>, %g: tensor<4xf16>, %b: tensor<3x4xf16>) -> tensor<2x3x4xf16> {
  %y = kiln.layer_norm %x, %g, %b {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x3x4xf16>, tensor<4xf16>, tensor<3x4xf16>) -> tensor<2x3x4xf16>
  return %y : tensor<2x3x4xf16>
}

// -----

// Per channel a = scale / sqrt(var + eps) and b = bias - mean * a in one
// small generic, then y = x * a[c] + b[c].
// CHECK-DAG: #[[V:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x8xf32>, %[[S:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>, %[[M:.*]]: tensor<4xf32>, %[[VAR:.*]]: tensor<4xf32>)
// CHECK: %[[AB:.*]]:2 = linalg.generic {indexing_maps = [#[[V]], #[[V]], #[[V]], #[[V]], #[[V]], #[[V]]]
// CHECK-SAME: ins(%[[S]], %[[B]], %[[M]], %[[VAR]] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[SC:.*]]: f32, %[[BI:.*]]: f32, %[[ME:.*]]: f32, %[[VA:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: %[[EPS:.*]] = arith.constant 1.000000e-03 : f32
// CHECK: %[[VE:.*]] = arith.addf %[[VA]], %[[EPS]] : f32
// CHECK: %[[SD:.*]] = math.sqrt %[[VE]] : f32
// CHECK: %[[A:.*]] = arith.divf %[[SC]], %[[SD]] : f32
// CHECK: %[[MA:.*]] = arith.mulf %[[ME]], %[[A]] : f32
// CHECK: %[[SH:.*]] = arith.subf %[[BI]], %[[MA]] : f32
// CHECK: linalg.yield %[[A]], %[[SH]] : f32, f32
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[C]], #[[C]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %[[AB]]#0, %[[AB]]#1 : tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @batch_norm(%x: tensor<1x4x8x8xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %y = kiln.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-03 : f64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %y : tensor<1x4x8x8xf32>
}
