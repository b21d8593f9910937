// RUN: kiln-opt %s -kiln-splats-to-fills | FileCheck %s
//
// A splat tensor constant becomes a fill of an empty tensor (no global of its
// full size in the object file); a one-element constant, a non-splat and a
// scalar stay constants.

// CHECK-LABEL: func.func @splats
// CHECK-DAG: %[[S:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-DAG: %[[E:.*]] = tensor.empty() : tensor<100000x100000xf32>
// CHECK-DAG: %[[F:.*]] = linalg.fill ins(%[[S]] : f32) outs(%[[E]] : tensor<100000x100000xf32>)
// CHECK-DAG: %[[I:.*]] = arith.constant dense<3> : tensor<1xi32>
// CHECK-DAG: %[[N:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[F]], %[[I]], %[[N]]
func.func @splats() -> (tensor<100000x100000xf32>, tensor<1xi32>, tensor<2xf32>) {
  %0 = arith.constant dense<2.0> : tensor<100000x100000xf32>
  %1 = arith.constant dense<3> : tensor<1xi32>
  %2 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0, %1, %2 : tensor<100000x100000xf32>, tensor<1xi32>, tensor<2xf32>
}
