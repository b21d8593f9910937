// RUN: kiln-opt %s -kiln-shape-inference -split-input-file | FileCheck %s

// Static dims flow from the arguments through every op to the function type.
// CHECK-LABEL: func.func @propagate
// CHECK-SAME: -> tensor<3x2xf32>
func.func @propagate(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  // CHECK: kiln.relu %{{.*}} : tensor<2x3xf32>
  %0 = kiln.relu %x : tensor<2x3xf32>
  // CHECK: kiln.transpose %{{.*}} : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<?x?xf32>
  // CHECK: return %{{.*}} : tensor<3x2xf32>
  return %1 : tensor<?x?xf32>
}

// -----

// Cast keeps its element type and takes its operand's shape.
// CHECK-LABEL: func.func @cast_shape
// CHECK: kiln.cast %{{.*}} : tensor<4xf32> -> tensor<4xi64>
func.func @cast_shape(%x: tensor<4xf32>) -> tensor<?xi64> {
  %0 = kiln.cast %x : tensor<4xf32> -> tensor<?xi64>
  return %0 : tensor<?xi64>
}
