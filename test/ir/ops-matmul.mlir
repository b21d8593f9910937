// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of kiln.matmul.

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME: (%[[A:[a-z0-9]+]]: tensor<4x8xf32>, %[[B:[a-z0-9]+]]: tensor<8x16xf32>)
func.func @matmul_2d(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  // CHECK: %[[R:.*]] = kiln.matmul %[[A]], %[[B]] : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  // CHECK: return %[[R]]
  %0 = kiln.matmul %a, %b : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// Batch dims broadcast as in NumPy; a rank-2 operand is shared by the batch.
// CHECK-LABEL: func.func @matmul_batched
// CHECK-SAME: (%[[A:[a-z0-9]+]]: tensor<8x16x32xf16>, %[[B:[a-z0-9]+]]: tensor<32x64xf16>, %[[C:[a-z0-9]+]]: tensor<2x1x4x5xbf16>, %[[D:[a-z0-9]+]]: tensor<3x5x6xbf16>)
func.func @matmul_batched(%a: tensor<8x16x32xf16>, %b: tensor<32x64xf16>,
                          %c: tensor<2x1x4x5xbf16>, %d: tensor<3x5x6xbf16>) {
  // CHECK: kiln.matmul %[[A]], %[[B]] : tensor<8x16x32xf16>, tensor<32x64xf16> -> tensor<8x16x64xf16>
  %0 = kiln.matmul %a, %b : tensor<8x16x32xf16>, tensor<32x64xf16> -> tensor<8x16x64xf16>
  // CHECK: kiln.matmul %[[C]], %[[D]] : tensor<2x1x4x5xbf16>, tensor<3x5x6xbf16> -> tensor<2x3x4x6xbf16>
  %1 = kiln.matmul %c, %d : tensor<2x1x4x5xbf16>, tensor<3x5x6xbf16> -> tensor<2x3x4x6xbf16>
  return
}

// Dynamic M, N, K and batch; K may be static on one side only.
// CHECK-LABEL: func.func @matmul_dynamic
// CHECK-SAME: (%[[A:[a-z0-9]+]]: tensor<?x?x8xf64>, %[[B:[a-z0-9]+]]: tensor<?x?xf64>)
func.func @matmul_dynamic(%a: tensor<?x?x8xf64>, %b: tensor<?x?xf64>) {
  // CHECK: kiln.matmul %[[A]], %[[B]] : tensor<?x?x8xf64>, tensor<?x?xf64> -> tensor<?x?x?xf64>
  %0 = kiln.matmul %a, %b : tensor<?x?x8xf64>, tensor<?x?xf64> -> tensor<?x?x?xf64>
  return
}

// Integer matmul (quantized models accumulate in i32).
// CHECK-LABEL: func.func @matmul_integers
func.func @matmul_integers(%a: tensor<2x3xi8>, %b: tensor<3x4xi8>,
                           %c: tensor<2x3xi32>, %d: tensor<3x4xi32>,
                           %e: tensor<2x3xi64>, %f: tensor<3x4xi64>) {
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<2x3xi8>, tensor<3x4xi8> -> tensor<2x4xi8>
  %0 = kiln.matmul %a, %b : tensor<2x3xi8>, tensor<3x4xi8> -> tensor<2x4xi8>
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<2x3xi32>, tensor<3x4xi32> -> tensor<2x4xi32>
  %1 = kiln.matmul %c, %d : tensor<2x3xi32>, tensor<3x4xi32> -> tensor<2x4xi32>
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<2x3xi64>, tensor<3x4xi64> -> tensor<2x4xi64>
  %2 = kiln.matmul %e, %f : tensor<2x3xi64>, tensor<3x4xi64> -> tensor<2x4xi64>
  return
}
