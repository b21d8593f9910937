// RUN: kiln-opt %s -split-input-file -kiln-differentiate | FileCheck %s
// RUN: kiln-opt %s -split-input-file -kiln-differentiate="wrt=x" | FileCheck %s --check-prefix=WRTX
// kiln-differentiate adds @main_grad: the model's arguments, a cotangent per
// output of more than one element; the outputs, then one gradient per chosen
// argument. The backward code follows the forward copy, reusing its values.

// CHECK-LABEL: func.func @main(
// CHECK-SAME:    attributes {kiln.entry_point = "run"}
// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3xf32> {kiln.name = "x"}
// CHECK-SAME:    %[[W:[^:]*]]: tensor<3x4xf32> {kiln.name = "w", kiln.parameter}
// CHECK-SAME:    %[[B:[^:]*]]: tensor<4xf32> {kiln.name = "b", kiln.parameter}
// CHECK-SAME:    %[[DY:[^:]*]]: tensor<2x4xf32> {kiln.name = "y.cotangent"}
// CHECK-SAME:    -> (tensor<2x4xf32> {kiln.name = "y"}, tensor<3x4xf32> {kiln.name = "w.grad"}, tensor<4xf32> {kiln.name = "b.grad"})
// CHECK-SAME:    attributes {kiln.entry_point = "grad"}
// CHECK:         %[[MM:.*]] = kiln.matmul %[[X]], %[[W]]
// CHECK:         %[[SUM:.*]] = kiln.add %[[MM]], %[[B]]
// CHECK:         %[[Y:.*]] = kiln.relu %[[SUM]]
// relu: the cotangent passes where the input is positive.
// CHECK:         %[[POS:.*]] = kiln.compare gt, %[[SUM]]
// CHECK:         %[[DSUM:.*]] = kiln.select %[[POS]], %[[DY]]
// add: the bias cotangent is summed over the broadcast dim.
// CHECK:         %[[DB0:.*]] = kiln.reduce_sum %[[DSUM]] {axes = array<i64: 0>}
// CHECK:         %[[DB:.*]] = kiln.reshape %[[DB0]] {shape = array<i64: 4>}
// matmul: dW = X^T dY.
// CHECK:         %[[XT:.*]] = kiln.transpose %[[X]] {perm = array<i64: 1, 0>}
// CHECK:         %[[DW:.*]] = kiln.matmul %[[XT]], %[[DSUM]]
// CHECK:         return %[[Y]], %[[DW]], %[[DB]]

// With wrt=x only the input's gradient is built: no dW.
// WRTX-LABEL: func.func @main_grad(
// WRTX-SAME:    -> (tensor<2x4xf32> {kiln.name = "y"}, tensor<2x3xf32> {kiln.name = "x.grad"})
// WRTX:         %[[WT:.*]] = kiln.transpose %{{.*}} {perm = array<i64: 1, 0>} : tensor<3x4xf32> -> tensor<4x3xf32>
// WRTX:         %[[DX:.*]] = kiln.matmul %{{.*}}, %[[WT]]
// WRTX-NOT:     kiln.matmul
// WRTX:         return %{{.*}}, %[[DX]]
func.func @main(%x: tensor<2x3xf32> {kiln.name = "x"},
                %w: tensor<3x4xf32> {kiln.name = "w", kiln.parameter},
                %b: tensor<4xf32> {kiln.name = "b", kiln.parameter})
    -> (tensor<2x4xf32> {kiln.name = "y"}) {
  %0 = kiln.matmul %x, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = kiln.add %0, %b : tensor<2x4xf32>, tensor<4xf32> -> tensor<2x4xf32>
  %2 = kiln.relu %1 : tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}

// -----

// A scalar output is seeded with 1 (no cotangent argument); a use of the
// same value twice sums both contributions; a weight no output depends on
// gets zeros; comparisons pass no gradient.
// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<3xf32> {kiln.name = "x"}
// CHECK-SAME:    %[[W:[^:]*]]: tensor<3xf32> {kiln.name = "w", kiln.parameter}
// CHECK-SAME:    %[[U:[^:]*]]: tensor<3xf32> {kiln.name = "unused", kiln.parameter})
// CHECK-SAME:    -> (tensor<f32> {kiln.name = "loss"}, tensor<i1> {kiln.name = "flag"}, tensor<3xf32> {kiln.name = "w.grad"}, tensor<3xf32> {kiln.name = "unused.grad"})
// CHECK:         %[[SEED:.*]] = kiln.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[D:.*]] = kiln.reshape %[[SEED]] {shape = array<i64: 1>}
// CHECK:         %[[DE:.*]] = kiln.expand %[[D]] {shape = array<i64: 3>}
// CHECK:         %[[A:.*]] = kiln.mul %[[DE]], %[[W]]
// CHECK:         %[[B:.*]] = kiln.mul %[[DE]], %[[W]]
// CHECK:         %[[DW:.*]] = kiln.add %[[A]], %[[B]]
// CHECK:         %[[ZERO:.*]] = kiln.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK:         return %{{.*}}, %{{.*}}, %[[DW]], %[[ZERO]]
func.func @main(%x: tensor<3xf32> {kiln.name = "x"},
                %w: tensor<3xf32> {kiln.name = "w", kiln.parameter},
                %u: tensor<3xf32> {kiln.name = "unused", kiln.parameter})
    -> (tensor<f32> {kiln.name = "loss"}, tensor<i1> {kiln.name = "flag"}) {
  %0 = kiln.mul %w, %w : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  %1 = kiln.reduce_sum %0 {axes = array<i64: 0>, keepdims = false} : tensor<3xf32> -> tensor<f32>
  %2 = kiln.constant dense<0.0> : tensor<f32>
  %3 = kiln.compare gt, %1, %2 : tensor<f32>, tensor<f32> -> tensor<i1>
  return %1, %3 : tensor<f32>, tensor<i1>
}

// -----

// Convolution and gather differentiate into their backward ops: the input's
// cotangent is kiln.conv_backward_data (input_shape says 7x7, which the 3x3
// output of a stride-2 window does not imply), the filter's
// kiln.conv_backward_filter, and the table's kiln.scatter_add into zeros.
// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<1x2x7x7xf32> {kiln.name = "x"}
// CHECK-SAME:    %[[W:[^:]*]]: tensor<4x2x3x3xf32> {kiln.name = "w", kiln.parameter}
// CHECK-SAME:    %[[T:[^:]*]]: tensor<5x3xf32> {kiln.name = "t", kiln.parameter}
// CHECK-SAME:    %[[I:[^:]*]]: tensor<4xi64> {kiln.name = "i"}
// CHECK-SAME:    %[[DY:[^:]*]]: tensor<1x4x3x3xf32> {kiln.name = "y.cotangent"}
// CHECK-SAME:    %[[DE:[^:]*]]: tensor<4x3xf32> {kiln.name = "e.cotangent"}
// CHECK:         %[[ZEROS:.*]] = kiln.constant dense<0.000000e+00> : tensor<5x3xf32>
// CHECK:         %[[DT:.*]] = kiln.scatter_add %[[ZEROS]], %[[I]], %[[DE]] {axis = 0 : i64}
// CHECK:         %[[DW:.*]] = kiln.conv_backward_filter %[[X]], %[[DY]] {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
// CHECK-SAME:      -> tensor<4x2x3x3xf32>
// CHECK:         return %{{.*}}, %{{.*}}, %[[DW]], %[[DT]]
// WRTX-LABEL: func.func @main_grad(
// WRTX:         %[[DX:.*]] = kiln.conv_backward_data %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, input_shape = array<i64: 1, 2, 7, 7>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
// WRTX-SAME:      -> tensor<1x2x7x7xf32>
// WRTX-NOT:     kiln.conv_backward_filter
// WRTX:         return %{{.*}}, %{{.*}}, %[[DX]]
func.func @main(%x: tensor<1x2x7x7xf32> {kiln.name = "x"},
                %w: tensor<4x2x3x3xf32> {kiln.name = "w", kiln.parameter},
                %t: tensor<5x3xf32> {kiln.name = "t", kiln.parameter},
                %i: tensor<4xi64> {kiln.name = "i"})
    -> (tensor<1x4x3x3xf32> {kiln.name = "y"}, tensor<4x3xf32> {kiln.name = "e"}) {
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x2x7x7xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32>
  %1 = kiln.gather %t, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  return %0, %1 : tensor<1x4x3x3xf32>, tensor<4x3xf32>
}
