// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of kiln.conv, its backward ops and kiln.conv_transpose.

//===----------------------------------------------------------------------===//
// conv
//===----------------------------------------------------------------------===//

// 2-D with bias and "same" padding; groups = 1 is the default and not printed.
// CHECK-LABEL: func.func @conv2d_bias
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x3x8x8xf32>, %[[W:[a-z0-9]+]]: tensor<16x3x3x3xf32>, %[[B:[a-z0-9]+]]: tensor<16xf32>)
func.func @conv2d_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>,
                       %b: tensor<16xf32>) -> tensor<1x16x8x8xf32> {
  // CHECK: %[[R:.*]] = kiln.conv %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
  // CHECK: return %[[R]]
  %0 = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64,
                             pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// 2-D without bias, strided, dilated, asymmetric pads:
// H: (9 + 1 + 0 - 2 * 2 - 1) / 2 + 1 = 3; W: (7 + 0 + 2 - 1 * 2 - 1) / 1 + 1 = 7.
// CHECK-LABEL: func.func @conv2d_no_bias
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x4x9x7xf16>, %[[W:[a-z0-9]+]]: tensor<6x4x3x3xf16>)
func.func @conv2d_no_bias(%x: tensor<2x4x9x7xf16>, %w: tensor<6x4x3x3xf16>) {
  // CHECK: kiln.conv %[[X]], %[[W]] {dilations = array<i64: 2, 1>, pads = array<i64: 1, 0, 0, 2>, strides = array<i64: 2, 1>} : (tensor<2x4x9x7xf16>, tensor<6x4x3x3xf16>) -> tensor<2x6x3x7xf16>
  %0 = kiln.conv %x, %w {dilations = array<i64: 2, 1>, pads = array<i64: 1, 0, 0, 2>,
                         strides = array<i64: 2, 1>}
       : (tensor<2x4x9x7xf16>, tensor<6x4x3x3xf16>) -> tensor<2x6x3x7xf16>
  return
}

// Grouped and depthwise (groups = C = F) convolutions.
// CHECK-LABEL: func.func @conv2d_groups
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x8x5x5xf32>, %[[W:[a-z0-9]+]]: tensor<4x4x1x1xf32>, %[[D:[a-z0-9]+]]: tensor<8x1x3x3xf32>, %[[B:[a-z0-9]+]]: tensor<8xf32>)
func.func @conv2d_groups(%x: tensor<1x8x5x5xf32>, %w: tensor<4x4x1x1xf32>,
                         %d: tensor<8x1x3x3xf32>, %b: tensor<8xf32>) {
  // CHECK: kiln.conv %[[X]], %[[W]] {dilations = array<i64: 1, 1>, groups = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64,
                         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x8x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  // CHECK: kiln.conv %[[X]], %[[D]], %[[B]] {dilations = array<i64: 1, 1>, groups = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x5x5xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x3x3xf32>
  %1 = kiln.conv %x, %d, %b {dilations = array<i64: 1, 1>, groups = 8 : i64,
                             pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x8x5x5xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x3x3xf32>
  return
}

// 1-D ([N, C, W]) with and without bias: (10 + 2 + 2 - 2 * 2 - 1) / 3 + 1 = 4.
// CHECK-LABEL: func.func @conv1d
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x2x10xf64>, %[[W:[a-z0-9]+]]: tensor<4x2x3xf64>, %[[B:[a-z0-9]+]]: tensor<4xf64>)
func.func @conv1d(%x: tensor<1x2x10xf64>, %w: tensor<4x2x3xf64>, %b: tensor<4xf64>) {
  // CHECK: kiln.conv %[[X]], %[[W]], %[[B]] {dilations = array<i64: 2>, pads = array<i64: 2, 2>, strides = array<i64: 3>} : (tensor<1x2x10xf64>, tensor<4x2x3xf64>, tensor<4xf64>) -> tensor<1x4x4xf64>
  %0 = kiln.conv %x, %w, %b {dilations = array<i64: 2>, pads = array<i64: 2, 2>,
                             strides = array<i64: 3>}
       : (tensor<1x2x10xf64>, tensor<4x2x3xf64>, tensor<4xf64>) -> tensor<1x4x4xf64>
  // CHECK: kiln.conv %[[X]], %[[W]] {dilations = array<i64: 1>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x2x10xf64>, tensor<4x2x3xf64>) -> tensor<1x4x8xf64>
  %1 = kiln.conv %x, %w {dilations = array<i64: 1>, pads = array<i64: 0, 0>,
                         strides = array<i64: 1>}
       : (tensor<1x2x10xf64>, tensor<4x2x3xf64>) -> tensor<1x4x8xf64>
  return
}

// Dynamic batch and spatial dims stay dynamic; F comes from the filter.
// CHECK-LABEL: func.func @conv_dynamic
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x3x?x32xbf16>, %[[W:[a-z0-9]+]]: tensor<8x3x3x3xbf16>, %[[B:[a-z0-9]+]]: tensor<?xbf16>)
func.func @conv_dynamic(%x: tensor<?x3x?x32xbf16>, %w: tensor<8x3x3x3xbf16>,
                        %b: tensor<?xbf16>) {
  // CHECK: kiln.conv %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x3x?x32xbf16>, tensor<8x3x3x3xbf16>, tensor<?xbf16>) -> tensor<?x8x?x30xbf16>
  %0 = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                             strides = array<i64: 1, 1>}
       : (tensor<?x3x?x32xbf16>, tensor<8x3x3x3xbf16>, tensor<?xbf16>) -> tensor<?x8x?x30xbf16>
  return
}

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

// out = stride * (in - 1) + output_padding + dilation * (kernel - 1) + 1 - pads:
// H: 2 * 4 + 1 + 2 + 1 - 2 = 10, W: 3 * 5 + 0 + 4 + 1 - 1 = 19. F = 3 * groups.
// CHECK-LABEL: func.func @conv_transpose
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x4x5x6xf32>, %[[W:[a-z0-9]+]]: tensor<4x3x3x3xf32>, %[[B:[a-z0-9]+]]: tensor<6xf32>)
func.func @conv_transpose(%x: tensor<1x4x5x6xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<6xf32>) {
  // CHECK: kiln.conv_transpose %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 2>, groups = 2 : i64, output_padding = array<i64: 1, 0>, pads = array<i64: 1, 0, 1, 1>, strides = array<i64: 2, 3>} : (tensor<1x4x5x6xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<1x6x10x19xf32>
  %0 = kiln.conv_transpose %x, %w, %b {dilations = array<i64: 1, 2>, groups = 2 : i64,
                                       output_padding = array<i64: 1, 0>,
                                       pads = array<i64: 1, 0, 1, 1>, strides = array<i64: 2, 3>}
       : (tensor<1x4x5x6xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<1x6x10x19xf32>
  // Negative pads extend the output: 2 * 4 + 2 + 1 = 11.
  // CHECK: kiln.conv_transpose %[[X]], %[[W]] {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: -1, 0, 0, 0>, strides = array<i64: 2, 1>} : (tensor<1x4x5x6xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x12x8xf32>
  %1 = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                   pads = array<i64: -1, 0, 0, 0>, strides = array<i64: 2, 1>}
       : (tensor<1x4x5x6xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x12x8xf32>
  return
}

// 1-D, and dynamic dims that stay dynamic.
// CHECK-LABEL: func.func @conv_transpose_1d_dynamic
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x2x7xf16>, %[[W:[a-z0-9]+]]: tensor<2x5x2xf16>, %[[Y:[a-z0-9]+]]: tensor<?x2x?x4xf32>, %[[V:[a-z0-9]+]]: tensor<2x1x2x2xf32>)
func.func @conv_transpose_1d_dynamic(%x: tensor<2x2x7xf16>, %w: tensor<2x5x2xf16>,
                                     %y: tensor<?x2x?x4xf32>, %v: tensor<2x1x2x2xf32>) {
  // CHECK: kiln.conv_transpose %[[X]], %[[W]] {dilations = array<i64: 1>, output_padding = array<i64: 0>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<2x2x7xf16>, tensor<2x5x2xf16>) -> tensor<2x5x14xf16>
  %0 = kiln.conv_transpose %x, %w {dilations = array<i64: 1>, output_padding = array<i64: 0>,
                                   pads = array<i64: 0, 0>, strides = array<i64: 2>}
       : (tensor<2x2x7xf16>, tensor<2x5x2xf16>) -> tensor<2x5x14xf16>
  // CHECK: kiln.conv_transpose %[[Y]], %[[V]] {{.*}} : (tensor<?x2x?x4xf32>, tensor<2x1x2x2xf32>) -> tensor<?x1x?x8xf32>
  %1 = kiln.conv_transpose %y, %v {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>,
                                   pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<?x2x?x4xf32>, tensor<2x1x2x2xf32>) -> tensor<?x1x?x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// conv_backward_data, conv_backward_filter
//===----------------------------------------------------------------------===//

// The input cotangent of a strided, padded convolution: 8x8 is not implied by
// the 4x4 cotangent (7x7 gives 4x4 too), so input_shape says it.
// CHECK-LABEL: func.func @conv_backward_data
// CHECK-SAME: (%[[G:[a-z0-9]+]]: tensor<1x16x4x4xf32>, %[[W:[a-z0-9]+]]: tensor<16x3x3x3xf32>, %[[G1:[a-z0-9]+]]: tensor<2x6x5xf64>, %[[W1:[a-z0-9]+]]: tensor<6x2x3xf64>)
func.func @conv_backward_data(%g: tensor<1x16x4x4xf32>, %w: tensor<16x3x3x3xf32>,
                              %g1: tensor<2x6x5xf64>, %w1: tensor<6x2x3xf64>) {
  // CHECK: kiln.conv_backward_data %[[G]], %[[W]] {dilations = array<i64: 1, 1>, input_shape = array<i64: 1, 3, 8, 8>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x16x4x4xf32>, tensor<16x3x3x3xf32>) -> tensor<1x3x8x8xf32>
  %0 = kiln.conv_backward_data %g, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
         input_shape = array<i64: 1, 3, 8, 8>, pads = array<i64: 1, 1, 1, 1>,
         strides = array<i64: 2, 2>}
       : (tensor<1x16x4x4xf32>, tensor<16x3x3x3xf32>) -> tensor<1x3x8x8xf32>
  // 1-D, 3 groups of 2 channels: (7 + 1 + 1 - 2 * 2 - 1) / 1 + 1 = 5.
  // CHECK: kiln.conv_backward_data %[[G1]], %[[W1]] {dilations = array<i64: 2>, groups = 3 : i64, input_shape = array<i64: 2, 6, 7>, pads = array<i64: 1, 1>, strides = array<i64: 1>} : (tensor<2x6x5xf64>, tensor<6x2x3xf64>) -> tensor<2x6x7xf64>
  %1 = kiln.conv_backward_data %g1, %w1 {dilations = array<i64: 2>, groups = 3 : i64,
         input_shape = array<i64: 2, 6, 7>, pads = array<i64: 1, 1>, strides = array<i64: 1>}
       : (tensor<2x6x5xf64>, tensor<6x2x3xf64>) -> tensor<2x6x7xf64>
  return
}

// The filter cotangent: the kernel size is not implied by the shapes either.
// CHECK-LABEL: func.func @conv_backward_filter
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x3x8x8xf32>, %[[G:[a-z0-9]+]]: tensor<1x16x4x4xf32>, %[[X1:[a-z0-9]+]]: tensor<2x6x7xf64>, %[[G1:[a-z0-9]+]]: tensor<2x6x5xf64>)
func.func @conv_backward_filter(%x: tensor<1x3x8x8xf32>, %g: tensor<1x16x4x4xf32>,
                                %x1: tensor<2x6x7xf64>, %g1: tensor<2x6x5xf64>) {
  // CHECK: kiln.conv_backward_filter %[[X]], %[[G]] {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<1x16x4x4xf32>) -> tensor<16x3x3x3xf32>
  %0 = kiln.conv_backward_filter %x, %g {dilations = array<i64: 1, 1>, groups = 1 : i64,
         kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>,
         strides = array<i64: 2, 2>}
       : (tensor<1x3x8x8xf32>, tensor<1x16x4x4xf32>) -> tensor<16x3x3x3xf32>
  // CHECK: kiln.conv_backward_filter %[[X1]], %[[G1]] {dilations = array<i64: 2>, groups = 3 : i64, kernel_shape = array<i64: 3>, pads = array<i64: 1, 1>, strides = array<i64: 1>} : (tensor<2x6x7xf64>, tensor<2x6x5xf64>) -> tensor<6x2x3xf64>
  %1 = kiln.conv_backward_filter %x1, %g1 {dilations = array<i64: 2>, groups = 3 : i64,
         kernel_shape = array<i64: 3>, pads = array<i64: 1, 1>, strides = array<i64: 1>}
       : (tensor<2x6x7xf64>, tensor<2x6x5xf64>) -> tensor<6x2x3xf64>
  return
}

// int32, for ONNX ConvInteger and QLinearConv.
// CHECK-LABEL: func.func @conv_i32
func.func @conv_i32(%x: tensor<1x2x5x5xi32>, %w: tensor<3x2x3x3xi32>, %b: tensor<3xi32>) -> tensor<1x3x3x3xi32> {
  // CHECK: kiln.conv %{{.*}}, %{{.*}}, %{{.*}} {{.*}} : (tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32>, tensor<3xi32>) -> tensor<1x3x3x3xi32>
  %0 = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32>, tensor<3xi32>) -> tensor<1x3x3x3xi32>
  return %0 : tensor<1x3x3x3xi32>
}
