// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of reduce_{sum,mean,max,min,prod} and argmax.

// keepdims = true is the default and not printed.
// CHECK-LABEL: func.func @reduce_sum
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3x4xf32>)
func.func @reduce_sum(%x: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<3xf32>) {
  // CHECK: %[[KEEP:.*]] = kiln.reduce_sum %[[X]] {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // Several axes, in any order, dropped.
  // CHECK: %[[DROP:.*]] = kiln.reduce_sum %[[X]] {axes = array<i64: 2, 0>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  %1 = kiln.reduce_sum %x {axes = array<i64: 2, 0>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  // CHECK: return %[[KEEP]], %[[DROP]]
  return %0, %1 : tensor<2x1x4xf32>, tensor<3xf32>
}

// All axes of a tensor: a scalar, or all-ones with keepdims.
// CHECK-LABEL: func.func @reduce_all
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3xi32>)
func.func @reduce_all(%x: tensor<2x3xi32>) {
  // CHECK: kiln.reduce_sum %[[X]] {axes = array<i64: 0, 1>, keepdims = false} : tensor<2x3xi32> -> tensor<i32>
  %0 = kiln.reduce_sum %x {axes = array<i64: 0, 1>, keepdims = false} : tensor<2x3xi32> -> tensor<i32>
  // CHECK: kiln.reduce_prod %[[X]] {axes = array<i64: 0, 1>} : tensor<2x3xi32> -> tensor<1x1xi32>
  %1 = kiln.reduce_prod %x {axes = array<i64: 0, 1>} : tensor<2x3xi32> -> tensor<1x1xi32>
  return
}

// CHECK-LABEL: func.func @reduce_kinds
// CHECK-SAME: (%[[F:[a-z0-9]+]]: tensor<?x8xf16>, %[[B:[a-z0-9]+]]: tensor<4x?xbf16>, %[[D:[a-z0-9]+]]: tensor<3x5xf64>, %[[I8:[a-z0-9]+]]: tensor<4x4xi8>, %[[I64:[a-z0-9]+]]: tensor<?x?xi64>)
func.func @reduce_kinds(%f: tensor<?x8xf16>, %b: tensor<4x?xbf16>, %d: tensor<3x5xf64>,
                        %i8: tensor<4x4xi8>, %i64: tensor<?x?xi64>) {
  // CHECK: kiln.reduce_mean %[[F]] {axes = array<i64: 1>} : tensor<?x8xf16> -> tensor<?x1xf16>
  %0 = kiln.reduce_mean %f {axes = array<i64: 1>} : tensor<?x8xf16> -> tensor<?x1xf16>
  // CHECK: kiln.reduce_mean %[[B]] {axes = array<i64: 1>, keepdims = false} : tensor<4x?xbf16> -> tensor<4xbf16>
  %1 = kiln.reduce_mean %b {axes = array<i64: 1>, keepdims = false} : tensor<4x?xbf16> -> tensor<4xbf16>
  // CHECK: kiln.reduce_max %[[D]] {axes = array<i64: 0>} : tensor<3x5xf64> -> tensor<1x5xf64>
  %2 = kiln.reduce_max %d {axes = array<i64: 0>} : tensor<3x5xf64> -> tensor<1x5xf64>
  // CHECK: kiln.reduce_max %[[I8]] {axes = array<i64: 1>, keepdims = false} : tensor<4x4xi8> -> tensor<4xi8>
  %3 = kiln.reduce_max %i8 {axes = array<i64: 1>, keepdims = false} : tensor<4x4xi8> -> tensor<4xi8>
  // CHECK: kiln.reduce_min %[[I64]] {axes = array<i64: 0>} : tensor<?x?xi64> -> tensor<1x?xi64>
  %4 = kiln.reduce_min %i64 {axes = array<i64: 0>} : tensor<?x?xi64> -> tensor<1x?xi64>
  // CHECK: kiln.reduce_min %[[F]] {axes = array<i64: 0>, keepdims = false} : tensor<?x8xf16> -> tensor<8xf16>
  %5 = kiln.reduce_min %f {axes = array<i64: 0>, keepdims = false} : tensor<?x8xf16> -> tensor<8xf16>
  // CHECK: kiln.reduce_prod %[[D]] {axes = array<i64: 1>, keepdims = false} : tensor<3x5xf64> -> tensor<3xf64>
  %6 = kiln.reduce_prod %d {axes = array<i64: 1>, keepdims = false} : tensor<3x5xf64> -> tensor<3xf64>
  return
}

// argmax always gives i64; keepdims defaults to true, select_last_index to false.
// CHECK-LABEL: func.func @argmax
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x10xf32>, %[[I:[a-z0-9]+]]: tensor<?x3x4xi8>)
func.func @argmax(%x: tensor<2x10xf32>, %i: tensor<?x3x4xi8>) -> tensor<2xi64> {
  // CHECK: %[[R:.*]] = kiln.argmax %[[X]] {axis = 1 : i64, keepdims = false} : tensor<2x10xf32> -> tensor<2xi64>
  %0 = kiln.argmax %x {axis = 1 : i64, keepdims = false} : tensor<2x10xf32> -> tensor<2xi64>
  // CHECK: kiln.argmax %[[X]] {axis = 0 : i64} : tensor<2x10xf32> -> tensor<1x10xi64>
  %1 = kiln.argmax %x {axis = 0 : i64, keepdims = true, select_last_index = false} : tensor<2x10xf32> -> tensor<1x10xi64>
  // CHECK: kiln.argmax %[[I]] {axis = 2 : i64, select_last_index = true} : tensor<?x3x4xi8> -> tensor<?x3x1xi64>
  %2 = kiln.argmax %i {axis = 2 : i64, select_last_index = true} : tensor<?x3x4xi8> -> tensor<?x3x1xi64>
  // CHECK: return %[[R]]
  return %0 : tensor<2xi64>
}
