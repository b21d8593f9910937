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
