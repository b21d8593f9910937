// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of kiln.deform_conv (ONNX DeformConv).

// CHECK-LABEL: func.func @deform_conv
func.func @deform_conv(%x: tensor<1x4x6x7xf32>, %w: tensor<4x2x2x3xf32>, %o: tensor<1x24x3x2xf32>,
                       %m: tensor<1x12x3x2xf32>, %bias: tensor<4xf32>) -> tensor<1x4x3x2xf32> {
  // CHECK: kiln.deform_conv %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 2, 1>, groups = 2 : i64, offset_groups = 2 : i64, pads = array<i64: 1, 0, 1, 1>, strides = array<i64: 2, 3>} : (tensor<1x4x6x7xf32>, tensor<4x2x2x3xf32>, tensor<1x24x3x2xf32>, tensor<1x12x3x2xf32>, tensor<4xf32>) -> tensor<1x4x3x2xf32>
  %0 = kiln.deform_conv %x, %w, %o, %m, %bias {dilations = array<i64: 2, 1>, groups = 2 : i64,
         offset_groups = 2 : i64, pads = array<i64: 1, 0, 1, 1>, strides = array<i64: 2, 3>}
       : (tensor<1x4x6x7xf32>, tensor<4x2x2x3xf32>, tensor<1x24x3x2xf32>, tensor<1x12x3x2xf32>,
          tensor<4xf32>) -> tensor<1x4x3x2xf32>
  return %0 : tensor<1x4x3x2xf32>
}
