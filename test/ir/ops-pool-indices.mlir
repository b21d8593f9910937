// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of kiln.max_pool_indices (ONNX MaxPool's Indices) and
// kiln.max_unpool (ONNX MaxUnpool).

// CHECK-LABEL: func.func @max_pool_indices
func.func @max_pool_indices(%x: tensor<2x3x7x7xf32>, %u: tensor<1x2x9xui8>) {
  // CHECK: kiln.max_pool_indices %{{.*}} {ceil_mode = true, column_major = true, dilations = array<i64: 2, 1>, kernel_shape = array<i64: 2, 3>, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 2, 2>} : tensor<2x3x7x7xf32> -> tensor<2x3x4x4xi64>
  %0 = kiln.max_pool_indices %x {ceil_mode = true, column_major = true, dilations = array<i64: 2, 1>,
         kernel_shape = array<i64: 2, 3>, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 2, 2>}
       : tensor<2x3x7x7xf32> -> tensor<2x3x4x4xi64>
  // The defaults (ceil_mode, column_major false) do not print.
  // CHECK: kiln.max_pool_indices %{{.*}} {dilations = array<i64: 1>, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>, strides = array<i64: 3>} : tensor<1x2x9xui8> -> tensor<1x2x3xi64>
  %1 = kiln.max_pool_indices %u {dilations = array<i64: 1>, kernel_shape = array<i64: 3>,
         pads = array<i64: 0, 0>, strides = array<i64: 3>} : tensor<1x2x9xui8> -> tensor<1x2x3xi64>
  return
}

// CHECK-LABEL: func.func @max_unpool
func.func @max_unpool(%x: tensor<1x2x2x2xf32>, %i: tensor<1x2x2x2xi64>) -> tensor<1x2x4x5xf32> {
  // CHECK: kiln.max_unpool %{{.*}}, %{{.*}} {shape = array<i64: 1, 2, 4, 5>} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) -> tensor<1x2x4x5xf32>
  %0 = kiln.max_unpool %x, %i {shape = array<i64: 1, 2, 4, 5>}
       : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) -> tensor<1x2x4x5xf32>
  return %0 : tensor<1x2x4x5xf32>
}
