// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of max_pool, avg_pool, global_avg_pool, global_max_pool and
// max_pool_grad.

//===----------------------------------------------------------------------===//
// max_pool
//===----------------------------------------------------------------------===//

// ceil_mode = false is the default and not printed.
// CHECK-LABEL: func.func @max_pool_2d
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x8x16x16xf32>)
func.func @max_pool_2d(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32> {
  // CHECK: %[[R:.*]] = kiln.max_pool %[[X]] {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  // CHECK: return %[[R]]
  %0 = kiln.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>,
         kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
         strides = array<i64: 2, 2>} : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// ceil_mode keeps the partial last window: W (5 - 2) / 2 + 1 rounded up = 3;
// H with dilation 2 and pads 1/1: (7 + 2 - 2 * 2 - 1) / 1 + 1 = 5.
// CHECK-LABEL: func.func @max_pool_ceil_dilated
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3x7x5xf16>)
func.func @max_pool_ceil_dilated(%x: tensor<2x3x7x5xf16>) {
  // CHECK: kiln.max_pool %[[X]] {ceil_mode = true, dilations = array<i64: 2, 1>, kernel_shape = array<i64: 3, 2>, pads = array<i64: 1, 0, 1, 0>, strides = array<i64: 1, 2>} : tensor<2x3x7x5xf16> -> tensor<2x3x5x3xf16>
  %0 = kiln.max_pool %x {ceil_mode = true, dilations = array<i64: 2, 1>,
         kernel_shape = array<i64: 3, 2>, pads = array<i64: 1, 0, 1, 0>,
         strides = array<i64: 1, 2>} : tensor<2x3x7x5xf16> -> tensor<2x3x5x3xf16>
  return
}

// 1-D, integer elements and dynamic dims.
// CHECK-LABEL: func.func @max_pool_1d
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x4x10xi8>, %[[Y:[a-z0-9]+]]: tensor<1x2x?xi32>)
func.func @max_pool_1d(%x: tensor<?x4x10xi8>, %y: tensor<1x2x?xi32>) {
  // CHECK: kiln.max_pool %[[X]] {dilations = array<i64: 1>, kernel_shape = array<i64: 3>, pads = array<i64: 1, 1>, strides = array<i64: 2>} : tensor<?x4x10xi8> -> tensor<?x4x5xi8>
  %0 = kiln.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 3>,
         pads = array<i64: 1, 1>, strides = array<i64: 2>} : tensor<?x4x10xi8> -> tensor<?x4x5xi8>
  // CHECK: kiln.max_pool %[[Y]] {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : tensor<1x2x?xi32> -> tensor<1x2x?xi32>
  %1 = kiln.max_pool %y {dilations = array<i64: 1>, kernel_shape = array<i64: 2>,
         pads = array<i64: 0, 0>, strides = array<i64: 2>} : tensor<1x2x?xi32> -> tensor<1x2x?xi32>
  return
}

//===----------------------------------------------------------------------===//
// avg_pool
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @avg_pool_2d
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x8x4x4xf32>)
func.func @avg_pool_2d(%x: tensor<1x8x4x4xf32>) {
  // CHECK: kiln.avg_pool %[[X]] {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x8x4x4xf32> -> tensor<1x8x4x4xf32>
  %0 = kiln.avg_pool %x {ceil_mode = false, count_include_pad = false,
         kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>,
         strides = array<i64: 1, 1>} : tensor<1x8x4x4xf32> -> tensor<1x8x4x4xf32>
  // CHECK: kiln.avg_pool %[[X]] {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x8x4x4xf32> -> tensor<1x8x4x4xf32>
  %1 = kiln.avg_pool %x {count_include_pad = true, kernel_shape = array<i64: 3, 3>,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x8x4x4xf32> -> tensor<1x8x4x4xf32>
  // (4 - 3) / 2 + 1 = 1, rounded up 2.
  // CHECK: kiln.avg_pool %[[X]] {ceil_mode = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x8x4x4xf32> -> tensor<1x8x2x2xf32>
  %2 = kiln.avg_pool %x {ceil_mode = true, kernel_shape = array<i64: 3, 3>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x8x4x4xf32> -> tensor<1x8x2x2xf32>
  return
}

// CHECK-LABEL: func.func @avg_pool_1d
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x2x?xbf16>, %[[Y:[a-z0-9]+]]: tensor<1x2x9xf64>)
func.func @avg_pool_1d(%x: tensor<?x2x?xbf16>, %y: tensor<1x2x9xf64>) {
  // CHECK: kiln.avg_pool %[[X]] {kernel_shape = array<i64: 2>, pads = array<i64: 0, 1>, strides = array<i64: 2>} : tensor<?x2x?xbf16> -> tensor<?x2x?xbf16>
  %0 = kiln.avg_pool %x {kernel_shape = array<i64: 2>, pads = array<i64: 0, 1>,
         strides = array<i64: 2>} : tensor<?x2x?xbf16> -> tensor<?x2x?xbf16>
  // CHECK: kiln.avg_pool %[[Y]] {kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>, strides = array<i64: 3>} : tensor<1x2x9xf64> -> tensor<1x2x3xf64>
  %1 = kiln.avg_pool %y {kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>,
         strides = array<i64: 3>} : tensor<1x2x9xf64> -> tensor<1x2x3xf64>
  return
}

// 3-D, and dilations (optional: absent means all 1): (9 - 2 * (3 - 1) - 1) / 1 + 1 = 5.
// CHECK-LABEL: func.func @pool_3d
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x2x4x9x6xf32>)
func.func @pool_3d(%x: tensor<1x2x4x9x6xf32>) {
  // CHECK: kiln.avg_pool %[[X]] {count_include_pad = true, dilations = array<i64: 1, 2, 1>, kernel_shape = array<i64: 2, 3, 2>, pads = array<i64: 0, 0, 1, 0, 0, 1>, strides = array<i64: 2, 1, 2>} : tensor<1x2x4x9x6xf32> -> tensor<1x2x2x5x4xf32>
  %0 = kiln.avg_pool %x {count_include_pad = true, dilations = array<i64: 1, 2, 1>,
         kernel_shape = array<i64: 2, 3, 2>, pads = array<i64: 0, 0, 1, 0, 0, 1>,
         strides = array<i64: 2, 1, 2>} : tensor<1x2x4x9x6xf32> -> tensor<1x2x2x5x4xf32>
  // CHECK: kiln.max_pool %[[X]] {ceil_mode = true, dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 3, 3, 3>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : tensor<1x2x4x9x6xf32> -> tensor<1x2x2x4x3xf32>
  %1 = kiln.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1, 1>,
         kernel_shape = array<i64: 3, 3, 3>, pads = array<i64: 0, 0, 0, 0, 0, 0>,
         strides = array<i64: 2, 2, 2>} : tensor<1x2x4x9x6xf32> -> tensor<1x2x2x4x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// global pooling
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @global_avg_pool
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x64x7x7xf32>, %[[Y:[a-z0-9]+]]: tensor<?x8x?xf16>, %[[Z:[a-z0-9]+]]: tensor<2x4x3x3x3xbf16>)
func.func @global_avg_pool(%x: tensor<1x64x7x7xf32>, %y: tensor<?x8x?xf16>,
                           %z: tensor<2x4x3x3x3xbf16>) {
  // CHECK: kiln.global_avg_pool %[[X]] : tensor<1x64x7x7xf32> -> tensor<1x64x1x1xf32>
  %0 = kiln.global_avg_pool %x : tensor<1x64x7x7xf32> -> tensor<1x64x1x1xf32>
  // CHECK: kiln.global_avg_pool %[[Y]] : tensor<?x8x?xf16> -> tensor<?x8x1xf16>
  %1 = kiln.global_avg_pool %y : tensor<?x8x?xf16> -> tensor<?x8x1xf16>
  // Any number of spatial dims.
  // CHECK: kiln.global_avg_pool %[[Z]] : tensor<2x4x3x3x3xbf16> -> tensor<2x4x1x1x1xbf16>
  %2 = kiln.global_avg_pool %z : tensor<2x4x3x3x3xbf16> -> tensor<2x4x1x1x1xbf16>
  return
}

// CHECK-LABEL: func.func @global_max_pool
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x64x7x7xi8>, %[[Y:[a-z0-9]+]]: tensor<?x8x5xf64>)
func.func @global_max_pool(%x: tensor<1x64x7x7xi8>, %y: tensor<?x8x5xf64>) {
  // CHECK: kiln.global_max_pool %[[X]] : tensor<1x64x7x7xi8> -> tensor<1x64x1x1xi8>
  %0 = kiln.global_max_pool %x : tensor<1x64x7x7xi8> -> tensor<1x64x1x1xi8>
  // CHECK: kiln.global_max_pool %[[Y]] : tensor<?x8x5xf64> -> tensor<?x8x1xf64>
  %1 = kiln.global_max_pool %y : tensor<?x8x5xf64> -> tensor<?x8x1xf64>
  return
}

//===----------------------------------------------------------------------===//
// max_pool_grad
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @max_pool_grad
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x8x7x7xf32>, %[[G:[a-z0-9]+]]: tensor<1x8x4x4xf32>, %[[X1:[a-z0-9]+]]: tensor<2x3x9xf64>, %[[G1:[a-z0-9]+]]: tensor<2x3x4xf64>)
func.func @max_pool_grad(%x: tensor<1x8x7x7xf32>, %g: tensor<1x8x4x4xf32>, %x1: tensor<2x3x9xf64>, %g1: tensor<2x3x4xf64>) {
  // CHECK: kiln.max_pool_grad %[[X]], %[[G]] {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x8x7x7xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x7x7xf32>
  %0 = kiln.max_pool_grad %x, %g {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x8x7x7xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x7x7xf32>
  // CHECK: kiln.max_pool_grad %[[X1]], %[[G1]] {{.*}} : (tensor<2x3x9xf64>, tensor<2x3x4xf64>) -> tensor<2x3x9xf64>
  %1 = kiln.max_pool_grad %x1, %g1 {dilations = array<i64: 1>, kernel_shape = array<i64: 3>,
         pads = array<i64: 0, 0>, strides = array<i64: 2>}
       : (tensor<2x3x9xf64>, tensor<2x3x4xf64>) -> tensor<2x3x9xf64>
  return
}
