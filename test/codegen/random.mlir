// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// kiln.dropout with a step -> one linalg.generic writing the output and the
// mask: each element's linear index, Philox 4x32-10's ten rounds
// (arith.mului_extended by M0 = 0xD2511F53 = -766435501 and
// M1 = 0xCD9E8D57 = -845247145), the first word compared with
// ceil(ratio * 2^32) (0.25: 1073741824), the kept ones scaled by 1 / (1 - 0.25).
// Without a step: the input and an all-true mask.

// CHECK-LABEL: func.func @dropout
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xf32>, %[[S:.*]]: tensor<i64>)
// CHECK:         %[[G:.*]]:2 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[S]] : tensor<4x8xf32>, tensor<i64>)
// CHECK-SAME:      outs(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4x8xi1>)
// CHECK:           linalg.index 0
// CHECK:           linalg.index 1
// CHECK-COUNT-20:  arith.mului_extended
// CHECK:           %[[K:.*]] = arith.cmpi uge, %{{.*}}, %{{.*}} : i64
// CHECK:           arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:           %[[Y:.*]] = arith.select %[[K]]
// CHECK:           linalg.yield %[[Y]], %[[K]] : f32, i1
// CHECK:         return %[[G]]#0, %[[G]]#1
func.func @dropout(%x: tensor<4x8xf32>, %step: tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xi1>) {
  %y, %m = kiln.dropout %x step %step {ratio = 0.25 : f64, seed = 7 : i64, stream = 1 : i64}
      : (tensor<4x8xf32>, tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xi1>)
  return %y, %m : tensor<4x8xf32>, tensor<4x8xi1>
}

// -----

// A run-time key: a third rank-0 input, split into its two words (trunci and
// shrui by 32) instead of the seed's constants.
// CHECK-LABEL: func.func @dropout_key
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xf32>, %[[S:.*]]: tensor<i64>, %[[K:.*]]: tensor<i64>)
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[X]], %[[S]], %[[K]] : tensor<4x8xf32>, tensor<i64>, tensor<i64>)
// CHECK:         ^bb0(%{{.*}}: f32, %{{.*}}: i64, %[[KEY:.*]]: i64, %{{.*}}: f32, %{{.*}}: i1):
// CHECK-DAG:       arith.trunci %[[KEY]] : i64 to i32
// CHECK-DAG:       arith.shrui %[[KEY]], %{{.*}} : i64
// CHECK-COUNT-20:  arith.mului_extended
func.func @dropout_key(%x: tensor<4x8xf32>, %step: tensor<i64>, %key: tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xi1>) {
  %y, %m = kiln.dropout %x step %step key %key {ratio = 0.25 : f64, stream = 1 : i64}
      : (tensor<4x8xf32>, tensor<i64>, tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xi1>)
  return %y, %m : tensor<4x8xf32>, tensor<4x8xi1>
}

// -----

// CHECK-LABEL: func.func @inference
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xf32>)
// CHECK:         %[[T:.*]] = arith.constant dense<true> : tensor<4x8xi1>
// CHECK:         return %[[X]], %[[T]]
func.func @inference(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xi1>) {
  %y, %m = kiln.dropout %x {ratio = 0.25 : f64} : (tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xi1>)
  return %y, %m : tensor<4x8xf32>, tensor<4x8xi1>
}
