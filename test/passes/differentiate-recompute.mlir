// RUN: kiln-opt %s -split-input-file -kiln-differentiate | FileCheck %s
// RUN: kiln-opt %s -split-input-file -kiln-differentiate="recompute=none" | FileCheck %s --check-prefix=NONE
// RUN: not kiln-opt %s -split-input-file -kiln-differentiate="recompute=all" 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: recompute must be elementwise or none, got 'all'
// The recompute-vs-save policy (passes/Gradient.h): an elementwise forward
// value whose operands the backward code keeps anyway is computed again just
// before its first backward reader, instead of staying live from the forward
// pass; recompute=none keeps it.

// h = relu(a) feeds the second matmul, whose weight gradient reads h; relu's
// VJP keeps a for its mask. So h is recomputed from a where dW2 needs it, and
// the forward h has only its forward reader. a = mm + b1 is not recomputed:
// mm is not kept for the backward code.
// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3xf32> {kiln.name = "x"}
// CHECK:         %[[MM:.*]] = kiln.matmul %[[X]]
// CHECK:         %[[A:.*]] = kiln.add %[[MM]]
// CHECK:         %[[H:.*]] = kiln.relu %[[A]]
// CHECK:         %[[Y:.*]] = kiln.matmul %[[H]]
// CHECK-NOT:     %[[H]]
// CHECK:         %[[H2:.*]] = kiln.relu %[[A]]
// CHECK-NEXT:    %[[HT:.*]] = kiln.transpose %[[H2]]
// CHECK:         kiln.compare gt, %[[A]]
// CHECK:         return %[[Y]]
// NONE-LABEL: func.func @main_grad(
// NONE:         %[[H:.*]] = kiln.relu
// NONE-NOT:     kiln.relu
// NONE:         kiln.transpose %[[H]]
// NONE:         return
func.func @main(%x: tensor<2x3xf32> {kiln.name = "x"},
                %w1: tensor<3x4xf32> {kiln.name = "w1", kiln.parameter},
                %b1: tensor<4xf32> {kiln.name = "b1", kiln.parameter},
                %w2: tensor<4x5xf32> {kiln.name = "w2", kiln.parameter})
    -> (tensor<2x5xf32> {kiln.name = "y"}) {
  %0 = kiln.matmul %x, %w1 : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = kiln.add %0, %b1 : tensor<2x4xf32>, tensor<4xf32> -> tensor<2x4xf32>
  %2 = kiln.relu %1 : tensor<2x4xf32>
  %3 = kiln.matmul %2, %w2 : tensor<2x4xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  return %3 : tensor<2x5xf32>
}

// -----

// A chain from an argument and a constant: dW's transpose reads
// t = tanh(x * 2), whose operand x * 2 is not kept, but is made from kept
// values (x, 2): the whole chain is recomputed there, and the forward t lives
// only until the forward matmul. The output y itself is never recomputed (it
// is live to the end anyway).
// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3xf32> {kiln.name = "x"}
// CHECK:         %[[TWO:.*]] = kiln.constant
// CHECK:         %[[T0:.*]] = kiln.tanh
// CHECK:         %[[Y:.*]] = kiln.matmul %[[T0]]
// CHECK-NOT:     %[[T0]]
// CHECK:         %[[M:.*]] = kiln.mul %[[X]], %[[TWO]]
// CHECK-NEXT:    %[[T:.*]] = kiln.tanh %[[M]]
// CHECK-NEXT:    kiln.transpose %[[T]]
// CHECK-NOT:     kiln.tanh
// CHECK:         return %[[Y]]
// NONE-LABEL: func.func @main_grad(
// NONE:         %[[T:.*]] = kiln.tanh
// NONE:         kiln.matmul %[[T]]
// NONE-NOT:     kiln.tanh
// NONE:         kiln.transpose %[[T]]
func.func @main(%x: tensor<2x3xf32> {kiln.name = "x"},
                %w: tensor<3x4xf32> {kiln.name = "w", kiln.parameter})
    -> (tensor<2x4xf32> {kiln.name = "y"}) {
  %c = kiln.constant dense<2.0> : tensor<f32>
  %0 = kiln.mul %x, %c : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  %1 = kiln.tanh %0 : tensor<2x3xf32>
  %2 = kiln.matmul %1, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}
