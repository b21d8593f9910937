// RUN: kiln-opt %s -pass-pipeline="builtin.module(func.func(kiln-cpu-tile-contractions{vector-bits=512}),canonicalize,cse)" | FileCheck %s
//
// A packed product (kiln-cpu-pack-operands: loops m, panel, column, k) is
// tiled like a matmul. Its register tile spans one panel; without that
// unit dim it is an 8x32 matmul tile: per k step, one contiguous 32-float
// row of the panel, eight broadcasts of A and eight FMAs into accumulators
// held across the k loop.

// CHECK-LABEL: func.func @packed
// CHECK: scf.for %[[M:.*]] = %c0 to %c16 step %c8
// CHECK: scf.for %[[J:.*]] = %c0 to %c2 step %c1
// CHECK: %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<8x32xf32>, vector<8x32xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %c64 step %c1 iter_args(%{{.*}} = %[[ACC]]) -> (vector<8x32xf32>)
// CHECK: tensor.extract_slice %arg1[%[[J]], %[[K]], 0] [1, 1, 32] [1, 1, 1] : tensor<2x64x32xf32> to tensor<1x1x32xf32>
// CHECK: vector.transfer_read %arg0[%[[M]], %[[K]]]{{.*}} : tensor<16x64xf32>, vector<8x1xf32>
// CHECK-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// CHECK: scf.yield {{.*}} : vector<8x32xf32>
// CHECK: vector.transfer_write {{.*}} : vector<8x32xf32>, tensor<8x32xf32>
func.func @packed(%a: tensor<16x64xf32>, %bp: tensor<2x64x32xf32>, %c: tensor<16x2x32xf32>) -> tensor<16x2x32xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(m, j, c, k) -> (m, k)>, affine_map<(m, j, c, k) -> (j, k, c)>, affine_map<(m, j, c, k) -> (m, j, c)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %bp : tensor<16x64xf32>, tensor<2x64x32xf32>) outs(%c : tensor<16x2x32xf32>) attrs = {kiln.tiles = {cache = array<i64: 16, 2, 32, 64>, cache_order = array<i64: 1, 3, 0, 2>, register = array<i64: 8, 1, 32, 1>, register_order = array<i64: 0, 1, 2, 3>}} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x2x32xf32>
  return %0 : tensor<16x2x32xf32>
}
