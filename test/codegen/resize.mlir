// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// kiln.resize -> linalg.generic ops over constant tap tables computed at
// compile time: nearest is one gather (tensor.extract at table indices, dims
// copied unchanged use linalg.index), linear and cubic one weighted sum per
// resized dim with a reduction over its taps.

// The detector's 2x nearest upsample: one index table per resized dim.
// CHECK-DAG: #[[H:.*]] = affine_map<(d0, d1, d2, d3) -> (d2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @nearest_2x
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x3xf32>)
// CHECK-DAG: %[[IH:.*]] = arith.constant dense<[0, 0, 1, 1, 2, 2]> : tensor<6xi64>
// CHECK-DAG: %[[IW:.*]] = arith.constant dense<[0, 0, 1, 1, 2, 2]> : tensor<6xi64>
// CHECK: linalg.generic {indexing_maps = [#[[H]], #[[W]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[IH]], %[[IW]] : tensor<6xi64>, tensor<6xi64>)
// CHECK: ^bb0(%[[A:.*]]: i64, %[[B:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[N:.*]] = linalg.index 0
// CHECK: %[[C:.*]] = linalg.index 1
// CHECK: %[[AI:.*]] = arith.index_cast %[[A]] : i64 to index
// CHECK: %[[BI:.*]] = arith.index_cast %[[B]] : i64 to index
// CHECK: tensor.extract %[[X]][%[[N]], %[[C]], %[[AI]], %[[BI]]]
func.func @nearest_2x(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %y = kiln.resize nearest %x coordinate_mode asymmetric nearest_mode floor {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 2, 6, 6>} : tensor<1x2x3x3xf32> -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

// Linear: the shrinking dim (H, 4 -> 3) first, then W (2 -> 4); each pass a
// reduction over two taps per coordinate, rows of (index, weight).
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x4x2xf32>)
// CHECK-DAG: %[[IH:.*]] = arith.constant dense<{{\[\[}}0, 1], [1, 2], [2, 3]]> : tensor<3x2xi64>
// CHECK-DAG: %[[WH:.*]] = arith.constant dense<{{\[\[}}0.833333313, 0.166666687], [5.000000e-01, 5.000000e-01], [0.166666746, 0.833333254]]> : tensor<3x2xf32>
// CHECK: %[[R1:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[IH]], %[[WH]] : tensor<3x2xi64>, tensor<3x2xf32>) outs(%{{.*}} : tensor<1x1x3x2xf32>)
// CHECK: tensor.extract %[[X]]
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-DAG: %[[IW:.*]] = arith.constant dense<{{\[\[}}0, 0], [0, 1], [0, 1], [1, 0]]> : tensor<4x2xi64>
// CHECK-DAG: %[[WW:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 0.000000e+00], [7.500000e-01, 2.500000e-01], [2.500000e-01, 7.500000e-01], [1.000000e+00, 0.000000e+00]]> : tensor<4x2xf32>
// CHECK: %[[R2:.*]] = linalg.generic {{.*}} ins(%[[IW]], %[[WW]] : tensor<4x2xi64>, tensor<4x2xf32>) outs(%{{.*}} : tensor<1x1x3x4xf32>)
// CHECK: tensor.extract %[[R1]]
// CHECK: return %[[R2]]
func.func @linear(%x: tensor<1x1x4x2xf32>) -> tensor<1x1x3x4xf32> {
  %y = kiln.resize linear %x {scales = array<f64: 1.0, 1.0, 0.75, 2.0>, sizes = array<i64: 1, 1, 3, 4>} : tensor<1x1x4x2xf32> -> tensor<1x1x3x4xf32>
  return %y : tensor<1x1x3x4xf32>
}

// -----

// tf_crop_and_resize: coordinates outside the crop come from a mask table
// (here W's last two), selected to extrapolation_value after the sums; f16
// accumulates in f32 and rounds in that last pass.
// CHECK-LABEL: func.func @crop_extrapolate_f16
// CHECK: %[[M:.*]] = arith.constant dense<[false, false, true, true]> : tensor<4xi1>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[M]] : tensor<1x4xf32>, tensor<4xi1>) outs(%{{.*}} : tensor<1x4xf16>)
// CHECK: arith.truncf
// CHECK: arith.select
func.func @crop_extrapolate_f16(%x: tensor<1x3xf16>) -> tensor<1x4xf16> {
  %y = kiln.resize linear %x coordinate_mode tf_crop_and_resize {extrapolation_value = 5.0 : f64, roi = array<f64: 0.0, 0.5, 1.0, 2.0>, scales = array<f64: 1.0, 1.0>, sizes = array<i64: 1, 4>} : tensor<1x3xf16> -> tensor<1x4xf16>
  return %y : tensor<1x4xf16>
}

// -----

// Every dim copied unchanged: no code.
// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = kiln.resize cubic %x coordinate_mode align_corners {scales = array<f64: 1.0, 1.0>, sizes = array<i64: 2, 3>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
