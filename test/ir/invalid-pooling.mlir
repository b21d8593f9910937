// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of the pooling ops: one case per message.

//===----------------------------------------------------------------------===//
// max_pool
//===----------------------------------------------------------------------===//

func.func @max_pool_rank(%x: tensor<8x16xf32>) -> tensor<8x8xf32> {
  // expected-error @+1 {{'kiln.max_pool' op input must be [N, C, W], [N, C, H, W] or [N, C, D, H, W], got rank 2}}
  %0 = kiln.max_pool %x {dilations = array<i64>, kernel_shape = array<i64>, pads = array<i64>, strides = array<i64>}
       : tensor<8x16xf32> -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}

// -----

func.func @max_pool_kernel_count(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{'kiln.max_pool' op kernel_shape has 1 entries, expected 2}}
  %0 = kiln.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @max_pool_strides_count(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{'kiln.max_pool' op strides has 3 entries, expected 2}}
  %0 = kiln.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>}
       : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @max_pool_pads_count(%x: tensor<1x8x16xf32>) -> tensor<1x8x8xf32> {
  // expected-error @+1 {{'kiln.max_pool' op pads has 1 entries, expected 2 (all begins, then all ends)}}
  %0 = kiln.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0>, strides = array<i64: 2>}
       : tensor<1x8x16xf32> -> tensor<1x8x8xf32>
  return %0 : tensor<1x8x8xf32>
}

// -----

// An empty dilations array is not "no dilations".
func.func @max_pool_dilations_empty(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{'kiln.max_pool' op dilations has 0 entries, expected 2}}
  %0 = kiln.max_pool %x {dilations = array<i64>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @max_pool_kernel_zero(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{'kiln.max_pool' op kernel_shape must be >= 1, got [0, 2]}}
  %0 = kiln.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 0, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @max_pool_stride_zero(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{'kiln.max_pool' op strides must be >= 1, got [2, 0]}}
  %0 = kiln.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 0>}
       : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @max_pool_dilation_zero(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{'kiln.max_pool' op dilations must be >= 1, got [1, -1]}}
  %0 = kiln.max_pool %x {dilations = array<i64: 1, -1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

// A pad as wide as the (dilated) window would give a window of padding only.
func.func @max_pool_pad_too_wide(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x10x9xf32> {
  // expected-error @+1 {{'kiln.max_pool' op pads of spatial dim 1 must be in [0, 2) (a window may not lie wholly in the padding), got 2}}
  %0 = kiln.max_pool %x {dilations = array<i64: 2, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 2, 0, 2, 2>, strides = array<i64: 2, 2>}
       : tensor<1x8x16x16xf32> -> tensor<1x8x10x9xf32>
  return %0 : tensor<1x8x10x9xf32>
}

// -----

func.func @max_pool_negative_pad(%x: tensor<1x8x16xf32>) -> tensor<1x8x8xf32> {
  // expected-error @+1 {{'kiln.max_pool' op pads of spatial dim 0 must be in [0, 2) (a window may not lie wholly in the padding), got -1}}
  %0 = kiln.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: -1, 0>, strides = array<i64: 2>}
       : tensor<1x8x16xf32> -> tensor<1x8x8xf32>
  return %0 : tensor<1x8x8xf32>
}

// -----

func.func @max_pool_does_not_fit(%x: tensor<1x8x2x16xf32>) -> tensor<1x8x1x8xf32> {
  // expected-error @+1 {{'kiln.max_pool' op kernel_shape [3, 2] does not fit the padded input [2, 16]}}
  %0 = kiln.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 2>}
       : tensor<1x8x2x16xf32> -> tensor<1x8x1x8xf32>
  return %0 : tensor<1x8x1x8xf32>
}

// -----

func.func @max_pool_result_shape(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32> {
  // expected-error @+1 {{'kiln.max_pool' op result type 'tensor<1x8x16x16xf32>' incompatible with the inferred 'tensor<1x8x8x8xf32>'}}
  %0 = kiln.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : tensor<1x8x16x16xf32> -> tensor<1x8x16x16xf32>
  return %0 : tensor<1x8x16x16xf32>
}

// -----

func.func @max_pool_bool(%x: tensor<1x8x16xi1>) -> tensor<1x8x8xi1> {
  // expected-error @+1 {{'kiln.max_pool' op operand #0 must be ranked tensor of numeric values, but got 'tensor<1x8x16xi1>'}}
  %0 = kiln.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>}
       : tensor<1x8x16xi1> -> tensor<1x8x8xi1>
  return %0 : tensor<1x8x8xi1>
}

// -----

func.func @max_pool_element_types(%x: tensor<1x8x16xf32>) -> tensor<1x8x8xf16> {
  // expected-error @+1 {{'kiln.max_pool' op requires the same element type for all operands and results}}
  %0 = kiln.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>}
       : tensor<1x8x16xf32> -> tensor<1x8x8xf16>
  return %0 : tensor<1x8x8xf16>
}

// -----

//===----------------------------------------------------------------------===//
// avg_pool
//===----------------------------------------------------------------------===//

func.func @avg_pool_integer(%x: tensor<1x8x16xi32>) -> tensor<1x8x8xi32> {
  // expected-error @+1 {{'kiln.avg_pool' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<1x8x16xi32>'}}
  %0 = kiln.avg_pool %x {kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 2>}
       : tensor<1x8x16xi32> -> tensor<1x8x8xi32>
  return %0 : tensor<1x8x8xi32>
}

// -----

func.func @avg_pool_stride_zero(%x: tensor<1x8x16xf32>) -> tensor<1x8x8xf32> {
  // expected-error @+1 {{'kiln.avg_pool' op strides must be >= 1, got [0]}}
  %0 = kiln.avg_pool %x {kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 0>}
       : tensor<1x8x16xf32> -> tensor<1x8x8xf32>
  return %0 : tensor<1x8x8xf32>
}

// -----

// ceil_mode changes the inferred size: (6 - 3) / 2 + 1 = 2, rounded up 3.
func.func @avg_pool_ceil_mode(%x: tensor<1x8x6xf32>) -> tensor<1x8x2xf32> {
  // expected-error @+1 {{'kiln.avg_pool' op result type 'tensor<1x8x2xf32>' incompatible with the inferred 'tensor<1x8x3xf32>'}}
  %0 = kiln.avg_pool %x {ceil_mode = true, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>, strides = array<i64: 2>}
       : tensor<1x8x6xf32> -> tensor<1x8x2xf32>
  return %0 : tensor<1x8x2xf32>
}

// -----

func.func @avg_pool_dilations_count(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{'kiln.avg_pool' op dilations has 1 entries, expected 2}}
  %0 = kiln.avg_pool %x {dilations = array<i64: 2>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @avg_pool_rank(%x: tensor<1x1x2x4x4x4xf32>) -> tensor<1x1x2x4x4x4xf32> {
  // expected-error @+1 {{'kiln.avg_pool' op input must be [N, C, W], [N, C, H, W] or [N, C, D, H, W], got rank 6}}
  %0 = kiln.avg_pool %x {kernel_shape = array<i64: 1, 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1, 1>}
       : tensor<1x1x2x4x4x4xf32> -> tensor<1x1x2x4x4x4xf32>
  return %0 : tensor<1x1x2x4x4x4xf32>
}

// -----

func.func @avg_pool_missing_kernel(%x: tensor<1x8x16xf32>) -> tensor<1x8x8xf32> {
  // expected-error @+1 {{'kiln.avg_pool' op requires attribute 'kernel_shape'}}
  %0 = kiln.avg_pool %x {pads = array<i64: 0, 0>, strides = array<i64: 2>}
       : tensor<1x8x16xf32> -> tensor<1x8x8xf32>
  return %0 : tensor<1x8x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// global pooling
//===----------------------------------------------------------------------===//

func.func @global_avg_pool_rank(%x: tensor<1x64xf32>) -> tensor<1x64xf32> {
  // expected-error @+1 {{'kiln.global_avg_pool' op input must be [N, C, spatial...] with at least one spatial dim}}
  %0 = kiln.global_avg_pool %x : tensor<1x64xf32> -> tensor<1x64xf32>
  return %0 : tensor<1x64xf32>
}

// -----

func.func @global_avg_pool_integer(%x: tensor<1x64x7x7xi8>) -> tensor<1x64x1x1xi8> {
  // expected-error @+1 {{'kiln.global_avg_pool' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<1x64x7x7xi8>'}}
  %0 = kiln.global_avg_pool %x : tensor<1x64x7x7xi8> -> tensor<1x64x1x1xi8>
  return %0 : tensor<1x64x1x1xi8>
}

// -----

func.func @global_max_pool_result(%x: tensor<1x64x7x7xf32>) -> tensor<1x64xf32> {
  // expected-error @+1 {{'kiln.global_max_pool' op result type 'tensor<1x64xf32>' incompatible with the inferred 'tensor<1x64x1x1xf32>'}}
  %0 = kiln.global_max_pool %x : tensor<1x64x7x7xf32> -> tensor<1x64xf32>
  return %0 : tensor<1x64xf32>
}

// -----

func.func @global_max_pool_rank(%x: tensor<64xi32>) -> tensor<64xi32> {
  // expected-error @+1 {{'kiln.global_max_pool' op input must be [N, C, spatial...] with at least one spatial dim}}
  %0 = kiln.global_max_pool %x : tensor<64xi32> -> tensor<64xi32>
  return %0 : tensor<64xi32>
}

// -----

// A dilation whose window overflows int64 is refused, not wrapped around.
func.func @max_pool_dilation_overflow(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{'kiln.max_pool' op kernel_shape [3, 3] with dilation 4611686018427387904 is too large}}
  %0 = kiln.max_pool %x {dilations = array<i64: 4611686018427387904, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// max_pool_grad
//===----------------------------------------------------------------------===//

func.func @max_pool_grad_shape(%x: tensor<1x2x6x6xf32>, %g: tensor<1x2x4x4xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{'kiln.max_pool_grad' op grad must have max_pool's output type 'tensor<1x2x3x3xf32>', got 'tensor<1x2x4x4xf32>'}}
  %0 = kiln.max_pool_grad %x, %g {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x2x6x6xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Rank 6: max_pool's own rule names it.
func.func @max_pool_grad_4d(%x: tensor<1x1x4x4x4x4xf32>, %g: tensor<1x1x2x2x2x2xf32>) -> tensor<1x1x4x4x4x4xf32> {
  // expected-error @+1 {{'kiln.max_pool_grad' op input must be [N, C, W], [N, C, H, W] or [N, C, D, H, W], got rank 6}}
  %0 = kiln.max_pool_grad %x, %g {dilations = array<i64: 1, 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2, 2>,
         pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2, 2>}
       : (tensor<1x1x4x4x4x4xf32>, tensor<1x1x2x2x2x2xf32>) -> tensor<1x1x4x4x4x4xf32>
  return %0 : tensor<1x1x4x4x4x4xf32>
}
