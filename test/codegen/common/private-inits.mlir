// RUN: kiln-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(kiln-private-inits,cse))" | FileCheck %s
//
// A cheap init (fill, broadcast) shared by several accumulating ops is
// recomputed for each but the last, with distinct markers that keep CSE
// from merging the copies again.

// CHECK-LABEL: func.func @shared_bias
// CHECK: %[[B0:.*]] = linalg.broadcast ins(%arg2 : tensor<4xf32>) {{.*}} dimensions = [0]{{ +}}{kiln.private_init = 0 : i64}
// CHECK: %[[B1:.*]] = linalg.broadcast ins(%arg2 : tensor<4xf32>) {{.*}} dimensions = [0]{{ +}}{kiln.private_init = 1 : i64}
// CHECK: %[[B:.*]] = linalg.broadcast ins(%arg2 : tensor<4xf32>) {{.*}} dimensions = [0]{{ *$}}
// CHECK: linalg.matmul {{.*}} outs(%[[B0]] : tensor<8x4xf32>)
// CHECK: linalg.matmul {{.*}} outs(%[[B1]] : tensor<8x4xf32>)
// CHECK: linalg.matmul {{.*}} outs(%[[B]] : tensor<8x4xf32>)
func.func @shared_bias(%a: tensor<8x16xf32>, %w: tensor<16x4xf32>, %bias: tensor<4xf32>)
    -> (tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x4xf32>) {
  %e = tensor.empty() : tensor<8x4xf32>
  %b = linalg.broadcast ins(%bias : tensor<4xf32>) outs(%e : tensor<8x4xf32>) dimensions = [0]
  %0 = linalg.matmul ins(%a, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%b : tensor<8x4xf32>) -> tensor<8x4xf32>
  %1 = linalg.matmul ins(%a, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%b : tensor<8x4xf32>) -> tensor<8x4xf32>
  %2 = linalg.matmul ins(%a, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%b : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0, %1, %2 : tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x4xf32>
}

// -----

// A fill read by another op too: the accumulating op gets its own. An init
// with one use, and an expensive producer (not a fill or broadcast), are
// left alone.
// CHECK-LABEL: func.func @fill_and_reader
// CHECK: %[[F0:.*]] = linalg.fill {kiln.private_init = 0 : i64}
// CHECK: %[[F:.*]] = linalg.fill
// CHECK-NOT: kiln.private_init
// CHECK: linalg.matmul {{.*}} outs(%[[F0]] : tensor<8x4xf32>)
// CHECK: linalg.add ins(%[[F]], %[[F]]
// CHECK: return
func.func @fill_and_reader(%a: tensor<8x16xf32>, %w: tensor<16x4xf32>, %x: tensor<8x4xf32>)
    -> (tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%f : tensor<8x4xf32>) -> tensor<8x4xf32>
  %1 = linalg.add ins(%f, %f : tensor<8x4xf32>, tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %s = linalg.add ins(%x, %x : tensor<8x4xf32>, tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %2 = linalg.matmul ins(%a, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%s : tensor<8x4xf32>) -> tensor<8x4xf32>
  %3 = linalg.sub ins(%s, %x : tensor<8x4xf32>, tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0, %1, %2, %3 : tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x4xf32>
}
