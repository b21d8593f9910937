// RUN: kiln-opt %s -pass-pipeline="builtin.module(func.func(kiln-cpu-tile-contractions))" | FileCheck %s
//
// The tiles written on the op are applied: cache loops (n, k, m), register
// loops (m, n, k) with the last partial tile of m and n peeled off, the 8x32
// register tile vectorized into outer products whose accumulators are
// hoisted out of the k loop.

// (The cache loops have one iteration here and fold away.) The register
// loops stop before the partial tiles: 16 = 2 x 8 rows of 20, 96 = 3 x 32
// columns of 120.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.for {{.*}} = %c0 to %c16 step %c8
// CHECK: scf.for {{.*}} = %c0 to %c96 step %c32
// CHECK: %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<20x120xf32>, vector<8x32xf32>
// CHECK: scf.for {{.*}} = %c0 to %c40 step %c1 iter_args({{.*}}, %{{.*}} = %[[ACC]]) -> (tensor<20x120xf32>, vector<8x32xf32>)
// CHECK-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// CHECK: scf.yield {{.*}}, {{.*}} : tensor<20x120xf32>, vector<8x32xf32>
// CHECK: vector.transfer_write
// The peeled partial tiles (shapes are static) are vector tiles too: the
// last 24 columns are one 16-wide vector tile and an 8-wide rest, a ymm
// register (rests that are whole 4-lane vectors vectorize; only other
// widths stay linalg ops, i.e. loops). The 16-wide piece's result must
// reach the rest's input (FoldSubsetsIntoTransfers.h).
// CHECK: %[[P16:.*]] = vector.transfer_write {{.*}} : vector<8x16xf32>, tensor<8x24xf32>
// CHECK: vector.transfer_read %[[P16]][%c0, %c16]{{.*}} : tensor<8x24xf32>, vector<8x8xf32>
// CHECK: vector.fma {{.*}} : vector<8xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<20x120xf32>, vector<4x32xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<20x120xf32>, vector<4x16xf32>
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<20x40xf32>, %b: tensor<40x120xf32>, %c: tensor<20x120xf32>) -> tensor<20x120xf32> {
  %0 = linalg.matmul {kiln.tiles = {cache = array<i64: 64, 256, 256>, cache_order = array<i64: 1, 2, 0>, register = array<i64: 8, 32, 1>, register_order = array<i64: 0, 1, 2>}}
       ins(%a, %b : tensor<20x40xf32>, tensor<40x120xf32>) outs(%c : tensor<20x120xf32>) -> tensor<20x120xf32>
  return %0 : tensor<20x120xf32>
}

// Parallel tiles come first, as an scf.forall over n (two tasks of 192
// columns); the cache and register loops run inside each task on its slice.
// CHECK-LABEL: func.func @parallel_matmul
// CHECK: scf.forall (%[[J:.*]]) = (0) to (384) step (192) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<64x384xf32>)
// CHECK: tensor.extract_slice %[[OUT]][0, %[[J]]] [64, 192] [1, 1]
// CHECK: scf.for {{.*}} = %c0 to %c64 step %c8
// CHECK: scf.for {{.*}} = %c0 to %c192 step %c32
// CHECK-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice {{.*}} into %[[OUT]][0, %[[J]]] [64, 192] [1, 1]
func.func @parallel_matmul(%a: tensor<64x128xf32>, %b: tensor<128x384xf32>, %c: tensor<64x384xf32>) -> tensor<64x384xf32> {
  %0 = linalg.matmul {kiln.tiles = {cache = array<i64: 64, 192, 128>, cache_order = array<i64: 1, 2, 0>, parallel = array<i64: 0, 192, 0>, register = array<i64: 8, 32, 1>, register_order = array<i64: 0, 1, 2>}}
       ins(%a, %b : tensor<64x128xf32>, tensor<128x384xf32>) outs(%c : tensor<64x384xf32>) -> tensor<64x384xf32>
  return %0 : tensor<64x384xf32>
}

// Parallel tiles that do not divide n (196 = 3 x 64 + 4): the op is split
// at 192 first, so every task has static sizes (three tasks of 64 columns,
// all vector tiles), and the last 4 columns are one serial op, vectorized
// 4 lanes wide (an xmm register) instead of looping over scalars.
// CHECK-LABEL: func.func @ragged_tasks
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [64, 192] [1, 1]
// CHECK: scf.forall (%{{.*}}) = (0) to (192) step (64)
// CHECK: vector.fma {{.*}} : vector<32xf32>
// CHECK: tensor.parallel_insert_slice
// CHECK: tensor.extract_slice %{{.*}}[0, 192] [64, 4] [1, 1]
// CHECK-NOT: scf.forall
// CHECK: vector.transfer_read {{.*}} : tensor<64x4xf32>, vector<8x4xf32>
// CHECK: vector.fma {{.*}} : vector<4xf32>
// CHECK: return
func.func @ragged_tasks(%a: tensor<64x128xf32>, %b: tensor<128x196xf32>, %c: tensor<64x196xf32>) -> tensor<64x196xf32> {
  %0 = linalg.matmul {kiln.tiles = {cache = array<i64: 64, 64, 128>, cache_order = array<i64: 1, 2, 0>, parallel = array<i64: 0, 64, 0>, register = array<i64: 8, 32, 1>, register_order = array<i64: 0, 1, 2>}}
       ins(%a, %b : tensor<64x128xf32>, tensor<128x196xf32>) outs(%c : tensor<64x196xf32>) -> tensor<64x196xf32>
  return %0 : tensor<64x196xf32>
}

// A bias broadcast into the product's init and a ReLU that reads the product
// through a reshape (a convolution's [F, OH*OW] product as [1, F, OH, OW])
// fuse into the tasks: each task writes its tile of the bias into its slice
// of the result, accumulates the product there, and applies the ReLU in
// place; nothing is left at the top level but the task loop and reshapes.
// CHECK-LABEL: func.func @fused_bias_and_relu
// CHECK-NOT: linalg.broadcast
// CHECK: scf.forall (%[[J:.*]]) = (0) to (384) step (192) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<64x384xf32>)
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[OUT]][0, %[[J]]] [64, 192] [1, 1]
// CHECK: %[[BIAS:.*]] = linalg.broadcast ins(%{{.*}} : tensor<64xf32>) outs(%[[SLICE]] : tensor<64x192xf32>) dimensions = [1]
// CHECK: %[[PRODUCT:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[BIAS]])
// CHECK: vector.fma {{.*}} : vector<32xf32>
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} ins(%[[PRODUCT]] : tensor<64x192xf32>) outs(%[[PRODUCT]] : tensor<64x192xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.parallel_insert_slice %[[RELU]] into %[[OUT]][0, %[[J]]] [64, 192] [1, 1]
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @fused_bias_and_relu(%w: tensor<64x128xf32>, %x: tensor<128x384xf32>, %bias: tensor<64xf32>) -> tensor<1x64x16x24xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x384xf32>
  %init = linalg.broadcast ins(%bias : tensor<64xf32>) outs(%e : tensor<64x384xf32>) dimensions = [1]
  %0 = linalg.matmul {kiln.tiles = {cache = array<i64: 64, 192, 128>, cache_order = array<i64: 1, 2, 0>, parallel = array<i64: 0, 192, 0>, register = array<i64: 8, 32, 1>, register_order = array<i64: 0, 1, 2>}}
       ins(%w, %x : tensor<64x128xf32>, tensor<128x384xf32>) outs(%init : tensor<64x384xf32>) -> tensor<64x384xf32>
  %1 = tensor.expand_shape %0 [[0, 1], [2, 3]] output_shape [1, 64, 16, 24] : tensor<64x384xf32> into tensor<1x64x16x24xf32>
  %e2 = tensor.empty() : tensor<1x64x16x24xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
       ins(%1 : tensor<1x64x16x24xf32>) outs(%e2 : tensor<1x64x16x24xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x64x16x24xf32>
  return %2 : tensor<1x64x16x24xf32>
}
