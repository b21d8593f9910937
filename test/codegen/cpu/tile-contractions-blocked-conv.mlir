// RUN: kiln-opt %s -pass-pipeline="builtin.module(func.func(kiln-cpu-select-tiles{vector-bits=512 vector-registers=32 l1-bytes=49152},kiln-cpu-tile-contractions))" | FileCheck %s

// A blocked convolution's register tile (8 pixels by 32 filters) becomes
// a matmul tile: its accumulators are read once before the three
// reduction loops (kh, kw, ci; the channel-block loop has one step) and
// carried through them in registers, and each step is one broadcast of
// each pixel's tap and one FMA per pixel with the row of 32 filters.
// CHECK-LABEL: func.func @blocked_conv
// CHECK-NOT: linalg.generic
// CHECK: scf.for %{{.+}} = %c0 to %c56 step %c8
// CHECK: %[[ACC:.+]] = vector.transfer_read %{{.+}} : tensor<8x32xf32>, vector<8x32xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c3 step %c1 iter_args({{.+}}, %{{.+}} = %[[ACC]])
// CHECK: scf.for %{{.+}} = %c0 to %c3 step %c1
// CHECK: scf.for %{{.+}} = %c0 to %c32 step %c1
// CHECK: vector.transfer_read %{{.+}} : tensor<8x1xf32>, vector<8x1xf32>
// CHECK: vector.transfer_read %{{.+}} : tensor<1x32xf32>, vector<1x32xf32>
// CHECK-COUNT-8: vector.fma %{{.+}} : vector<32xf32>
// CHECK-NOT: vector.fma
#in = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d5, d2 + d6, d3 + d7, d8)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d1, d5, d6, d7, d8, d4)>
#out = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d1, d2, d3, d4)>
func.func @blocked_conv(%x: tensor<1x2x58x58x32xf32>, %w: tensor<2x2x3x3x32x32xf32>, %init: tensor<1x2x56x56x32xf32>) -> tensor<1x2x56x56x32xf32> {
  %y = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x2x58x58x32xf32>, tensor<2x2x3x3x32x32xf32>) outs(%init : tensor<1x2x56x56x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x56x56x32xf32>
  return %y : tensor<1x2x56x56x32xf32>
}
