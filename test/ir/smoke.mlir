// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// A first round trip through the printer and parser; per-op coverage lives
// in ops-*.mlir.

// CHECK-LABEL: func.func @smoke
func.func @smoke(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<3x2xf32> {
  // CHECK: %[[ADD:.*]] = kiln.add %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %0 = kiln.add %x, %y : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  // CHECK: kiln.transpose %[[ADD]] {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}
