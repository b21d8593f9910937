// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of kiln.deform_conv: one case per message.

func.func @deform_conv_rank(%x: tensor<1x1x5xf32>, %w: tensor<1x1x2xf32>, %o: tensor<1x4x4xf32>,
                            %m: tensor<1x2x4xf32>) -> tensor<1x1x4xf32> {
  // expected-error @+1 {{'kiln.deform_conv' op input must be [N, C, H, W], got 'tensor<1x1x5xf32>'}}
  %0 = kiln.deform_conv %x, %w, %o, %m {dilations = array<i64: 1>, groups = 1 : i64,
         offset_groups = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1>}
       : (tensor<1x1x5xf32>, tensor<1x1x2xf32>, tensor<1x4x4xf32>, tensor<1x2x4xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @deform_conv_offset_groups(%x: tensor<1x3x3x3xf32>, %w: tensor<1x3x2x2xf32>, %o: tensor<1x16x2x2xf32>,
                                     %m: tensor<1x8x2x2xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{'kiln.deform_conv' op offset_groups (2) does not divide the input channel count 3}}
  %0 = kiln.deform_conv %x, %w, %o, %m {dilations = array<i64: 1, 1>, groups = 1 : i64,
         offset_groups = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x3x3xf32>, tensor<1x3x2x2xf32>, tensor<1x16x2x2xf32>, tensor<1x8x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

func.func @deform_conv_offset(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x2x2xf32>, %o: tensor<1x8x3x3xf32>,
                              %m: tensor<1x4x2x2xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{'kiln.deform_conv' op offset must be [1, 8, 2, 2], got [1, 8, 3, 3]}}
  %0 = kiln.deform_conv %x, %w, %o, %m {dilations = array<i64: 1, 1>, groups = 1 : i64,
         offset_groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>, tensor<1x8x3x3xf32>, tensor<1x4x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

func.func @deform_conv_mask(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x2x2xf32>, %o: tensor<1x8x2x2xf32>,
                            %m: tensor<1x8x2x2xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{'kiln.deform_conv' op mask must be [1, 4, 2, 2], got [1, 8, 2, 2]}}
  %0 = kiln.deform_conv %x, %w, %o, %m {dilations = array<i64: 1, 1>, groups = 1 : i64,
         offset_groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>, tensor<1x8x2x2xf32>, tensor<1x8x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}
