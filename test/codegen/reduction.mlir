// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// Reductions -> linalg.reduce from the identity; keepdims via expand_shape;
// argmax -> one generic with (value, index) outputs.

// CHECK-LABEL: func.func @sum_keepdims
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: %[[R:.*]] = linalg.reduce { arith.addf } ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>) dimensions = [1]
// CHECK: %[[K:.*]] = tensor.expand_shape %[[R]] {{\[}}[0], [1, 2]] output_shape [2, 1, 4] : tensor<2x4xf32> into tensor<2x1x4xf32>
// CHECK: return %[[K]]
func.func @sum_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %y = kiln.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %y : tensor<2x1x4xf32>
}

// -----

// f16 accumulates in f32; the mean divides by the count (2 * 4) and rounds
// once. Axes are sorted for linalg.reduce.
// CHECK-LABEL: func.func @mean_f16
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK: %[[R:.*]] = linalg.reduce ins(%{{.*}} : tensor<2x3x4xf16>) outs(%{{.*}} : tensor<3xf32>) dimensions = [0, 2]
// CHECK: (%[[IN:.*]]: f16, %[[ACC:.*]]: f32) {
// CHECK: %[[W:.*]] = arith.extf %[[IN]] : f16 to f32
// CHECK: arith.addf %[[ACC]], %[[W]] : f32
// CHECK: linalg.generic {{.*}} ins(%[[R]] : tensor<3xf32>) outs(%{{.*}} : tensor<3xf16>)
// CHECK: %[[N:.*]] = arith.constant 8.000000e+00 : f32
// CHECK: %[[M:.*]] = arith.divf %{{.*}}, %[[N]] : f32
// CHECK: arith.truncf %[[M]] : f32 to f16
func.func @mean_f16(%x: tensor<2x3x4xf16>) -> tensor<3xf16> {
  %y = kiln.reduce_mean %x {axes = array<i64: 2, 0>, keepdims = false} : tensor<2x3x4xf16> -> tensor<3xf16>
  return %y : tensor<3xf16>
}

// -----

// Identities: INT_MIN for max, INT_MAX / +inf for min, 1 for prod.
// CHECK-LABEL: func.func @identities
// CHECK: arith.constant -2147483648 : i32
// CHECK: linalg.reduce { arith.maxsi }
// CHECK: arith.constant 2147483647 : i32
// CHECK: linalg.reduce { arith.minsi }
// CHECK: arith.constant 0x7F800000 : f32
// CHECK: linalg.reduce { arith.minimumf }
// CHECK: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ONE]] : i32) outs(%{{.*}} : tensor<i32>)
// CHECK: linalg.reduce { arith.muli {{.*}} } ins(%{{.*}} : tensor<2x3xi32>) outs(%[[INIT]] : tensor<i32>) dimensions = [0, 1]
func.func @identities(%x: tensor<2x3xi32>, %f: tensor<2x3xf32>) -> (tensor<2xi32>, tensor<2xi32>, tensor<3xf32>, tensor<i32>) {
  %0 = kiln.reduce_max %x {axes = array<i64: 1>, keepdims = false} : tensor<2x3xi32> -> tensor<2xi32>
  %1 = kiln.reduce_min %x {axes = array<i64: 1>, keepdims = false} : tensor<2x3xi32> -> tensor<2xi32>
  %2 = kiln.reduce_min %f {axes = array<i64: 0>, keepdims = false} : tensor<2x3xf32> -> tensor<3xf32>
  %3 = kiln.reduce_prod %x {axes = array<i64: 0, 1>, keepdims = false} : tensor<2x3xi32> -> tensor<i32>
  return %0, %1, %2, %3 : tensor<2xi32>, tensor<2xi32>, tensor<3xf32>, tensor<i32>
}

// -----

// argmax: x wins if greater (NaN above numbers) or equal with a smaller
// index (first) / larger index (select_last_index), so any loop order gives
// the same answer.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @argmax
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[VINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[IINIT:.*]] = linalg.fill ins(%{{.*}} : i64)
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: outs(%[[VINIT]], %[[IINIT]] : tensor<2xf32>, tensor<2xi64>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[BEST:.*]]: f32, %[[BESTI:.*]]: i64):
// CHECK: %[[IDX:.*]] = linalg.index 1 : index
// CHECK: %[[I:.*]] = arith.index_cast %[[IDX]] : index to i64
// CHECK: %[[XNAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[X]], %[[BEST]] : f32
// CHECK: %[[GREATER:.*]] = arith.ori %[[GT]], %{{.*}} : i1
// CHECK: %[[EQ:.*]] = arith.cmpf oeq, %[[X]], %[[BEST]] : f32
// CHECK: %[[EQUAL:.*]] = arith.ori %[[EQ]], %{{.*}} : i1
// CHECK: %[[TIE:.*]] = arith.cmpi slt, %[[I]], %[[BESTI]] : i64
// CHECK: %[[T:.*]] = arith.andi %[[EQUAL]], %[[TIE]] : i1
// CHECK: %[[WINS:.*]] = arith.ori %[[GREATER]], %[[T]] : i1
// CHECK: %[[V:.*]] = arith.select %[[WINS]], %[[X]], %[[BEST]] : f32
// CHECK: %[[NI:.*]] = arith.select %[[WINS]], %[[I]], %[[BESTI]] : i64
// CHECK: linalg.yield %[[V]], %[[NI]] : f32, i64
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[COL]]], iterator_types = ["reduction", "parallel"]}
// CHECK: linalg.index 0 : index
// CHECK: arith.cmpi sgt, %{{.*}}, %{{.*}} : i64
// CHECK: %[[K:.*]] = tensor.expand_shape %{{.*}}#1 {{\[}}[0, 1]] output_shape [1, 5] : tensor<5xi64> into tensor<1x5xi64>
// CHECK: return %[[R]]#1, %[[K]]
func.func @argmax(%x: tensor<2x5xf32>) -> (tensor<2xi64>, tensor<1x5xi64>) {
  %0 = kiln.argmax %x {axis = 1 : i64, keepdims = false} : tensor<2x5xf32> -> tensor<2xi64>
  %1 = kiln.argmax %x {axis = 0 : i64, keepdims = true, select_last_index = true} : tensor<2x5xf32> -> tensor<1x5xi64>
  return %0, %1 : tensor<2xi64>, tensor<1x5xi64>
}

// -----

// CHECK-LABEL: func.func @argmax_i8
// CHECK: arith.constant -128 : i8
// CHECK: ^bb0(%[[X:.*]]: i8, %[[BEST:.*]]: i8, %{{.*}}: i64):
// CHECK: arith.cmpi sgt, %[[X]], %[[BEST]] : i8
// CHECK: arith.cmpi eq, %[[X]], %[[BEST]] : i8
func.func @argmax_i8(%x: tensor<2x5xi8>) -> tensor<2xi64> {
  %0 = kiln.argmax %x {axis = 1 : i64, keepdims = false} : tensor<2x5xi8> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}
