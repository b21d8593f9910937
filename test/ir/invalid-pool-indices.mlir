// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of kiln.max_pool_indices and kiln.max_unpool: one case per message.

func.func @max_pool_indices_type(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xi32> {
  // expected-error @+1 {{'kiln.max_pool_indices' op result #0 must be ranked tensor of 64-bit signless integer values, but got 'tensor<1x1x2x2xi32>'}}
  %0 = kiln.max_pool_indices %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xi32>
  return %0 : tensor<1x1x2x2xi32>
}

// -----

func.func @max_pool_indices_kernel(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xi64> {
  // expected-error @+1 {{'kiln.max_pool_indices' op kernel_shape has 1 entries, expected 2}}
  %0 = kiln.max_pool_indices %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xi64>
  return %0 : tensor<1x1x2x2xi64>
}

// -----

func.func @max_unpool_indices(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x3xi64>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{'kiln.max_unpool' op indices 'tensor<1x1x2x3xi64>' must have the input's shape [1, 1, 2, 2]}}
  %0 = kiln.max_unpool %x, %i {shape = array<i64: 1, 1, 4, 4>}
       : (tensor<1x1x2x2xf32>, tensor<1x1x2x3xi64>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @max_unpool_shape(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{'kiln.max_unpool' op shape must not have negative dims, got [1, 1, -4, 4]}}
  %0 = kiln.max_unpool %x, %i {shape = array<i64: 1, 1, -4, 4>}
       : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}
