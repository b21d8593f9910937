// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of kiln.conv and kiln.conv_transpose: one case per message.

//===----------------------------------------------------------------------===//
// conv: operands
//===----------------------------------------------------------------------===//

func.func @conv_input_rank(%x: tensor<1x3x4x4x4x4xf32>, %w: tensor<8x3x1x1x1x1xf32>) -> tensor<1x8x4x4x4x4xf32> {
  // expected-error @+1 {{'kiln.conv' op input must be [N, C, W], [N, C, H, W] or [N, C, D, H, W], got rank 6}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1, 1>}
       : (tensor<1x3x4x4x4x4xf32>, tensor<8x3x1x1x1x1xf32>) -> tensor<1x8x4x4x4x4xf32>
  return %0 : tensor<1x8x4x4x4x4xf32>
}

// -----

func.func @conv_filter_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op filter rank 3 differs from input rank 4}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op filter [8, 4, 3, 3] expects 4 input channels (4 per group x 1 groups), input [1, 3, 8, 8] has 3}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_empty_kernel(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x0x3xf32>) -> tensor<1x8x9x6xf32> {
  // expected-error @+1 {{'kiln.conv' op filter [8, 3, 0, 3] has an empty kernel}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x0x3xf32>) -> tensor<1x8x9x6xf32>
  return %0 : tensor<1x8x9x6xf32>
}

// -----

func.func @conv_kernel_too_big(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+1 {{'kiln.conv' op kernel [3, 3] with dilations does not fit the padded input [4, 4]}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 2, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x4x4xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

func.func @conv_bias_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op bias must be [8] (one per filter), got [4]}}
  %0 = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

// With a dynamic filter count the message says so (it printed a huge number).
func.func @conv_bias_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<?x3x3x3xf32>, %b: tensor<1x8xf32>) -> tensor<1x?x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op bias must be [?] (one per filter), got [1, 8]}}
  %0 = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<?x3x3x3xf32>, tensor<1x8xf32>) -> tensor<1x?x6x6xf32>
  return %0 : tensor<1x?x6x6xf32>
}

// -----

func.func @conv_bias_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf16>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op bias element type 'f16' differs from the input's 'f32'}}
  %0 = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf16>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_element_types(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf16>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op failed to verify that all of {input, filter, output} have same element type}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf16>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_integer(%x: tensor<1x3x8x8xi8>, %w: tensor<8x3x3x3xi8>) -> tensor<1x8x6x6xi8> {
  // expected-error @+1 {{'kiln.conv' op operand #0 must be ranked tensor of floating-point or 32-bit signless integer values, but got 'tensor<1x3x8x8xi8>'}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xi8>, tensor<8x3x3x3xi8>) -> tensor<1x8x6x6xi8>
  return %0 : tensor<1x8x6x6xi8>
}

// -----

func.func @conv_result_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{'kiln.conv' op result type 'tensor<1x8x8x8xf32>' incompatible with the inferred 'tensor<1x8x6x6xf32>'}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// conv: attributes
//===----------------------------------------------------------------------===//

func.func @conv_strides_count(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op strides has 1 entries, expected 2}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_dilations_count(%x: tensor<1x3x8xf32>, %w: tensor<8x3x3xf32>) -> tensor<1x8x6xf32> {
  // expected-error @+1 {{'kiln.conv' op dilations has 2 entries, expected 1}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0>, strides = array<i64: 1>}
       : (tensor<1x3x8xf32>, tensor<8x3x3xf32>) -> tensor<1x8x6xf32>
  return %0 : tensor<1x8x6xf32>
}

// -----

func.func @conv_pads_count(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op pads has 2 entries, expected 4 (all begins, then all ends)}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_stride_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op strides must be >= 1, got [1, 0]}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 0>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_dilation_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op dilations must be >= 1, got [0, 1]}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_negative_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op pads must be >= 0, got [0, 0, -1, 0]}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, -1, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_groups_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op groups must be >= 1, got 0}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, groups = 0 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_groups_filters(%x: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op groups (4) does not divide the filter count 6}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, groups = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Caught even when the filter's channel dim is unknown.
func.func @conv_groups_channels(%x: tensor<1x6x8x8xf32>, %w: tensor<4x?x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op groups (4) does not divide the input channel count 6}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, groups = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x6x8x8xf32>, tensor<4x?x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_missing_attribute(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op requires attribute 'dilations'}}
  %0 = kiln.conv %x, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

// A dilation whose window overflows int64 is refused, not wrapped around.
func.func @conv_dilation_overflow(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+1 {{'kiln.conv' op kernel [3, 3] with dilations does not fit the padded input [4, 4]}}
  %0 = kiln.conv %x, %w {dilations = array<i64: 4611686018427387904, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x4x4xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

func.func @conv_transpose_rank(%x: tensor<1x3x4x4x4x4xf32>, %w: tensor<3x8x1x1x1x1xf32>) -> tensor<1x8x4x4x4x4xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op input must be [N, C, W], [N, C, H, W] or [N, C, D, H, W], got rank 6}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0, 0, 0>, pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1, 1>}
       : (tensor<1x3x4x4x4x4xf32>, tensor<3x8x1x1x1x1xf32>) -> tensor<1x8x4x4x4x4xf32>
  return %0 : tensor<1x8x4x4x4x4xf32>
}

// -----

func.func @conv_transpose_filter_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x3xf32>) -> tensor<1x8x10x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op filter rank 3 differs from input rank 4}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x3xf32>) -> tensor<1x8x10x10xf32>
  return %0 : tensor<1x8x10x10xf32>
}

// -----

func.func @conv_transpose_strides_count(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op strides has 1 entries, expected 2}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32>
  return %0 : tensor<1x8x10x10xf32>
}

// -----

func.func @conv_transpose_output_padding_count(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op output_padding has 1 entries, expected 2}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32>
  return %0 : tensor<1x8x10x10xf32>
}

// -----

func.func @conv_transpose_pads_count(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op pads has 2 entries, expected 4 (all begins, then all ends)}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32>
  return %0 : tensor<1x8x10x10xf32>
}

// -----

func.func @conv_transpose_stride_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op strides must be >= 1, got [0, 1]}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 0, 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32>
  return %0 : tensor<1x8x10x10xf32>
}

// -----

func.func @conv_transpose_dilation_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op dilations must be >= 1, got [1, 0]}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 0>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32>
  return %0 : tensor<1x8x10x10xf32>
}

// -----

func.func @conv_transpose_output_padding_negative(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op output_padding must be >= 0, got [-1, 0]}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: -1, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32>
  return %0 : tensor<1x8x10x10xf32>
}

// -----

func.func @conv_transpose_groups_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op groups must be >= 1, got 0}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, groups = 0 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x3x3xf32>) -> tensor<1x8x10x10xf32>
  return %0 : tensor<1x8x10x10xf32>
}

// -----

func.func @conv_transpose_groups_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x3x3xf32>) -> tensor<1x16x10x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op groups (2) does not divide the input channel count 3}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x3x3xf32>) -> tensor<1x16x10x10xf32>
  return %0 : tensor<1x16x10x10xf32>
}

// -----

func.func @conv_transpose_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x8x3x3xf32>) -> tensor<1x8x10x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op filter [4, 8, 3, 3] is for 4 input channels, input [1, 3, 8, 8] has 3}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<4x8x3x3xf32>) -> tensor<1x8x10x10xf32>
  return %0 : tensor<1x8x10x10xf32>
}

// -----

func.func @conv_transpose_bias_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<3x4x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x12x10x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op bias must be [12] (one per output channel), got [4]}}
  %0 = kiln.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, groups = 3 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x4x3x3xf32>, tensor<4xf32>) -> tensor<1x12x10x10xf32>
  return %0 : tensor<1x12x10x10xf32>
}

// -----

func.func @conv_transpose_bias_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x3x3xf32>, %b: tensor<8xf16>) -> tensor<1x8x10x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op bias element type 'f16' differs from the input's 'f32'}}
  %0 = kiln.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x3x3xf32>, tensor<8xf16>) -> tensor<1x8x10x10xf32>
  return %0 : tensor<1x8x10x10xf32>
}

// -----

func.func @conv_transpose_empty_kernel(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x0x3xf32>) -> tensor<1x8x7x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op filter [3, 8, 0, 3] has an empty kernel}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x0x3xf32>) -> tensor<1x8x7x10xf32>
  return %0 : tensor<1x8x7x10xf32>
}

// -----

func.func @conv_transpose_no_output(%x: tensor<1x3x2x2xf32>, %w: tensor<3x8x2x2xf32>) -> tensor<1x8x1x3xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op pads [2, 0, 1, 0] leave no output in spatial dim 0 (0)}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 2, 0, 1, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x2x2xf32>, tensor<3x8x2x2xf32>) -> tensor<1x8x1x3xf32>
  return %0 : tensor<1x8x1x3xf32>
}

// -----

func.func @conv_transpose_overflow(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x3x3xf32>) -> tensor<1x8x1x10xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op output size of spatial dim 0 overflows}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 4611686018427387904, 1>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x3x3xf32>) -> tensor<1x8x1x10xf32>
  return %0 : tensor<1x8x1x10xf32>
}

// -----

func.func @conv_transpose_result_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<3x8x2x2xf32>) -> tensor<1x8x17x16xf32> {
  // expected-error @+1 {{'kiln.conv_transpose' op result type 'tensor<1x8x17x16xf32>' incompatible with the inferred 'tensor<1x8x16x16xf32>'}}
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x3x8x8xf32>, tensor<3x8x2x2xf32>) -> tensor<1x8x17x16xf32>
  return %0 : tensor<1x8x17x16xf32>
}

// -----

//===----------------------------------------------------------------------===//
// conv_backward_data, conv_backward_filter
//===----------------------------------------------------------------------===//

func.func @conv_backward_data_grad(%g: tensor<1x16x5x5xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+1 {{'kiln.conv_backward_data' op grad must have conv's output type 'tensor<1x16x4x4xf32>', got 'tensor<1x16x5x5xf32>'}}
  %0 = kiln.conv_backward_data %g, %w {dilations = array<i64: 1, 1>, input_shape = array<i64: 1, 3, 8, 8>,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x16x5x5xf32>, tensor<16x3x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

func.func @conv_backward_data_input_shape(%g: tensor<1x16x4x4xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<3x8x8xf32> {
  // expected-error @+1 {{'kiln.conv_backward_data' op input_shape [3, 8, 8] must have grad's rank 4}}
  %0 = kiln.conv_backward_data %g, %w {dilations = array<i64: 1, 1>, input_shape = array<i64: 3, 8, 8>,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x16x4x4xf32>, tensor<16x3x3x3xf32>) -> tensor<3x8x8xf32>
  return %0 : tensor<3x8x8xf32>
}

// -----

func.func @conv_backward_data_channels(%g: tensor<1x16x4x4xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{'kiln.conv_backward_data' op filter [16, 3, 3, 3] expects 3 input channels (3 per group x 1 groups), input [1, 4, 8, 8] has 4}}
  %0 = kiln.conv_backward_data %g, %w {dilations = array<i64: 1, 1>, input_shape = array<i64: 1, 4, 8, 8>,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x16x4x4xf32>, tensor<16x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_backward_filter_grad(%x: tensor<1x3x8x8xf32>, %g: tensor<1x16x4x4xf32>) -> tensor<16x3x2x2xf32> {
  // expected-error @+1 {{'kiln.conv_backward_filter' op grad must have conv's output type 'tensor<1x16x5x5xf32>', got 'tensor<1x16x4x4xf32>'}}
  %0 = kiln.conv_backward_filter %x, %g {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x3x8x8xf32>, tensor<1x16x4x4xf32>) -> tensor<16x3x2x2xf32>
  return %0 : tensor<16x3x2x2xf32>
}

// -----

func.func @conv_backward_filter_kernel(%x: tensor<1x3x8x8xf32>, %g: tensor<1x16x4x4xf32>) -> tensor<16x3x3x3xf32> {
  // expected-error @+1 {{'kiln.conv_backward_filter' op kernel_shape has 1 entries, expected 2}}
  %0 = kiln.conv_backward_filter %x, %g {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3>,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x3x8x8xf32>, tensor<1x16x4x4xf32>) -> tensor<16x3x3x3xf32>
  return %0 : tensor<16x3x3x3xf32>
}

// -----

func.func @conv_backward_filter_groups(%x: tensor<1x3x8x8xf32>, %g: tensor<1x16x4x4xf32>) -> tensor<16x1x3x3xf32> {
  // expected-error @+1 {{'kiln.conv_backward_filter' op groups (2) must divide the input channel count 3}}
  %0 = kiln.conv_backward_filter %x, %g {dilations = array<i64: 1, 1>, groups = 2 : i64, kernel_shape = array<i64: 3, 3>,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x3x8x8xf32>, tensor<1x16x4x4xf32>) -> tensor<16x1x3x3xf32>
  return %0 : tensor<16x1x3x3xf32>
}
