// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of kiln.dropout, with a step and a run-time key, a step only, and neither.

// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<4x8xf32>, %[[S:[a-z0-9]+]]: tensor<i64>, %[[K:[a-z0-9]+]]: tensor<i64>)
func.func @dropout(%x: tensor<4x8xf32>, %step: tensor<i64>, %key: tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xi1>, tensor<4x8xf32>) {
  // CHECK: %[[Y:.*]], %[[M:.*]] = kiln.dropout %[[X]] step %[[S]] {ratio = 2.500000e-01 : f64, seed = 7 : i64, stream = 1 : i64} : (tensor<4x8xf32>, tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xi1>)
  %y, %m = kiln.dropout %x step %step {ratio = 0.25 : f64, seed = 7 : i64, stream = 1 : i64}
      : (tensor<4x8xf32>, tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xi1>)
  // CHECK: kiln.dropout %[[X]] step %[[S]] key %[[K]] {ratio = 2.500000e-01 : f64} : (tensor<4x8xf32>, tensor<i64>, tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xi1>)
  %k0, %k1 = kiln.dropout %x step %step key %key {ratio = 0.25 : f64}
      : (tensor<4x8xf32>, tensor<i64>, tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xi1>)
  // CHECK: kiln.dropout %[[X]] {ratio = 5.000000e-01 : f64} : (tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xi1>)
  %z, %n = kiln.dropout %x {ratio = 0.5 : f64} : (tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xi1>)
  return %y, %m, %z : tensor<4x8xf32>, tensor<4x8xi1>, tensor<4x8xf32>
}
