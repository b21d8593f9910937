// RUN: kiln-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(kiln-cpu-select-tiles{vector-bits=512 vector-registers=32 l1-bytes=49152}))" | FileCheck %s --check-prefix=AVX512
// RUN: kiln-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(kiln-cpu-select-tiles{vector-bits=256 vector-registers=16 l1-bytes=32768}))" | FileCheck %s --check-prefix=AVX2
// With two cores, a contraction of at least 4 MFLOP or 1 MB of operands is
// split into parallel tiles over n (two or more per core, a multiple of the
// register tile); smaller ones stay serial.
// RUN: kiln-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(kiln-cpu-select-tiles{vector-bits=512 vector-registers=32 l1-bytes=49152 cores=2}))" | FileCheck %s --check-prefix=CORES2
//
// Tile sizes come from the machine: two vectors along n, as many rows of m as
// keep the accumulators in registers, cache tiles for L1/L2.

// AVX512-LABEL: func.func @matmul
// AVX512: linalg.matmul {kiln.tiles = {cache = array<i64: 64, 256, 256>, cache_order = array<i64: 1, 2, 0>, register = array<i64: 8, 32, 1>, register_order = array<i64: 0, 1, 2>}}
// AVX2-LABEL: func.func @matmul
// CORES2-LABEL: func.func @matmul
// CORES2: linalg.matmul {kiln.tiles = {cache = array<i64: 64, 192, 256>, cache_order = array<i64: 1, 2, 0>, parallel = array<i64: 0, 192, 0>, register = array<i64: 8, 32, 1>
// AVX2: linalg.matmul {kiln.tiles = {cache = array<i64: 64, 256, 256>, cache_order = array<i64: 1, 2, 0>, register = array<i64: 6, 16, 1>, register_order = array<i64: 0, 1, 2>}}
func.func @matmul(%a: tensor<512x1024xf32>, %b: tensor<1024x768xf32>, %c: tensor<512x768xf32>) -> tensor<512x768xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<512x1024xf32>, tensor<1024x768xf32>) outs(%c : tensor<512x768xf32>) -> tensor<512x768xf32>
  return %0 : tensor<512x768xf32>
}

// -----

// Small dims shrink the tiles; a batch dim is tiled by 1, outermost.
// AVX512-LABEL: func.func @batched_small
// CORES2-LABEL: func.func @batched_small
// CORES2-NOT: parallel
// CORES2: return
// AVX512: linalg.batch_matmul {kiln.tiles = {cache = array<i64: 1, 4, 24, 30>, cache_order = array<i64: 0, 2, 3, 1>, register = array<i64: 1, 4, 16, 1>, register_order = array<i64: 0, 1, 2, 3>}}
func.func @batched_small(%a: tensor<3x4x30xf32>, %b: tensor<3x30x24xf32>, %c: tensor<3x4x24xf32>) -> tensor<3x4x24xf32> {
  %0 = linalg.batch_matmul ins(%a, %b : tensor<3x4x30xf32>, tensor<3x30x24xf32>) outs(%c : tensor<3x4x24xf32>) -> tensor<3x4x24xf32>
  return %0 : tensor<3x4x24xf32>
}

// -----

// Not tiled: narrower than a vector along n, integers, and a contraction
// whose n is not the innermost dim of the output.
// AVX512-LABEL: func.func @left_alone
// AVX512-NOT: kiln.tiles
func.func @left_alone(%a: tensor<64x64xf32>, %b: tensor<64x8xf32>, %c: tensor<64x8xf32>,
                      %ai: tensor<64x64xi32>, %bi: tensor<64x64xi32>, %ci: tensor<64x64xi32>) -> (tensor<64x8xf32>, tensor<64x64xi32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<64x64xf32>, tensor<64x8xf32>) outs(%c : tensor<64x8xf32>) -> tensor<64x8xf32>
  %1 = linalg.matmul ins(%ai, %bi : tensor<64x64xi32>, tensor<64x64xi32>) outs(%ci : tensor<64x64xi32>) -> tensor<64x64xi32>
  return %0, %1 : tensor<64x8xf32>, tensor<64x64xi32>
}

// -----

// The packed form kiln-cpu-pack-operands makes (loops m, panel, column, k):
// the policy is the plain matmul's over its 768 columns, in whole panels.
// AVX512-LABEL: func.func @packed
// AVX512: linalg.generic {{.*}}kiln.tiles = {cache = array<i64: 64, 8, 32, 256>, cache_order = array<i64: 1, 3, 0, 2>, register = array<i64: 8, 1, 32, 1>, register_order = array<i64: 0, 1, 2, 3>}
// CORES2-LABEL: func.func @packed
// CORES2: kiln.tiles = {cache = array<i64: 64, 6, 32, 256>, cache_order = array<i64: 1, 3, 0, 2>, parallel = array<i64: 0, 6, 0, 0>, register = array<i64: 8, 1, 32, 1>
// Panels of 32 columns are not AVX2's register tile (16 columns): the
// panels are tiled as a batch of images, one per cache tile.
// AVX2-LABEL: func.func @packed
// AVX2: kiln.tiles = {cache = array<i64: 64, 1, 32, 256>, cache_order = array<i64: 1, 2, 3, 0>, register = array<i64: 6, 1, 16, 1>, register_order = array<i64: 1, 0, 2, 3>}
func.func @packed(%a: tensor<512x1024xf32>, %bp: tensor<24x1024x32xf32>, %c: tensor<512x24x32xf32>) -> tensor<512x24x32xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(m, j, c, k) -> (m, k)>, affine_map<(m, j, c, k) -> (j, k, c)>, affine_map<(m, j, c, k) -> (m, j, c)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %bp : tensor<512x1024xf32>, tensor<24x1024x32xf32>) outs(%c : tensor<512x24x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<512x24x32xf32>
  return %0 : tensor<512x24x32xf32>
}

// -----

// A cache or task tile along n that divides n is preferred to the largest
// one: 3136 columns (a 56x56 image) in 14 tiles of 224, not 12 of 256 and a
// ragged 64 (which would be an op of its own, and which the elementwise ops
// around the product could not fuse into).
// AVX512-LABEL: func.func @divisible_tiles
// AVX512: cache = array<i64: 64, 224, 64>
// CORES2-LABEL: func.func @divisible_tiles
// CORES2: cache = array<i64: 64, 224, 64>, cache_order = array<i64: 1, 2, 0>, parallel = array<i64: 0, 224, 0>
func.func @divisible_tiles(%w: tensor<256x64xf32>, %x: tensor<64x3136xf32>, %c: tensor<256x3136xf32>) -> tensor<256x3136xf32> {
  %0 = linalg.matmul ins(%w, %x : tensor<256x64xf32>, tensor<64x3136xf32>) outs(%c : tensor<256x3136xf32>) -> tensor<256x3136xf32>
  return %0 : tensor<256x3136xf32>
}

// -----

// The same along m, in whole register tiles: 96 rows in two cache tiles of
// 48 rather than 64 and a ragged 32.
// AVX512-LABEL: func.func @divisible_rows
// AVX512: cache = array<i64: 48, 256, 128>
func.func @divisible_rows(%a: tensor<96x128xf32>, %b: tensor<128x256xf32>, %c: tensor<96x256xf32>) -> tensor<96x256xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<96x128xf32>, tensor<128x256xf32>) outs(%c : tensor<96x256xf32>) -> tensor<96x256xf32>
  return %0 : tensor<96x256xf32>
}

// -----

// A filter applied to a batch of images (kiln-cpu-conv-to-matmul's form of a
// batched convolution: [F, K] times [N, K, pixels]): the images are tiled
// like a batch dim, one per cache and register tile, outermost, and split
// among the tasks with the pixels.
// AVX512-LABEL: func.func @images
// AVX512: kiln.tiles = {cache = array<i64: 1, 64, 224, 27>, cache_order = array<i64: 0, 2, 3, 1>, register = array<i64: 1, 8, 32, 1>, register_order = array<i64: 0, 1, 2, 3>}
// CORES2-LABEL: func.func @images
// CORES2: kiln.tiles = {cache = array<i64: 1, 64, 224, 27>, cache_order = array<i64: 0, 2, 3, 1>, parallel = array<i64: 1, 0, 224, 0>, register = array<i64: 1, 8, 32, 1>, register_order = array<i64: 0, 1, 2, 3>}
func.func @images(%w: tensor<64x27xf32>, %cols: tensor<8x27x3136xf32>, %c: tensor<8x64x3136xf32>) -> tensor<8x64x3136xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(i, f, p, k) -> (f, k)>, affine_map<(i, f, p, k) -> (i, k, p)>, affine_map<(i, f, p, k) -> (i, f, p)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %cols : tensor<64x27xf32>, tensor<8x27x3136xf32>) outs(%c : tensor<8x64x3136xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x64x3136xf32>
  return %0 : tensor<8x64x3136xf32>
}

// -----

// A convolution in the blocked layout (kiln-cpu-blocked-convs), 3x3 over
// 56x56 pixels, 2 blocks of 32 filters: register tiles of 8 pixels (7 of
// them per row of 56) by the 32 filters of a block, the reduction loops
// innermost; a filter chunk of one channel block (3*3*32 rows of 32
// filters, 36 KiB) per cache tile. With AVX2's 16 registers, 32 filters
// are 4 vectors per pixel: 2 pixels. Two cores and two filter blocks: each
// block's rows are split in two, for 4 tasks.
// AVX512-LABEL: func.func @blocked_conv
// AVX512: kiln.tiles = {cache = array<i64: 1, 1, 56, 56, 32, 1, 3, 3, 32>, cache_order = array<i64: 0, 1, 5, 2, 3, 4, 6, 7, 8>, register = array<i64: 1, 1, 1, 8, 32, 1, 1, 1, 1>, register_order = array<i64: 0, 1, 2, 3, 4, 5, 6, 7, 8>}
// AVX2-LABEL: func.func @blocked_conv
// AVX2: kiln.tiles = {cache = array<i64: 1, 1, 56, 56, 32, 1, 3, 3, 32>, cache_order = array<i64: 0, 1, 5, 2, 3, 4, 6, 7, 8>, register = array<i64: 1, 1, 1, 2, 32, 1, 1, 1, 1>, register_order = array<i64: 0, 1, 2, 3, 4, 5, 6, 7, 8>}
// CORES2-LABEL: func.func @blocked_conv
// CORES2: kiln.tiles = {cache = array<i64: 1, 1, 28, 56, 32, 1, 3, 3, 32>, cache_order = array<i64: 0, 1, 5, 2, 3, 4, 6, 7, 8>, parallel = array<i64: 0, 1, 28, 0, 0, 0, 0, 0, 0>, register = array<i64: 1, 1, 1, 8, 32, 1, 1, 1, 1>, register_order = array<i64: 0, 1, 2, 3, 4, 5, 6, 7, 8>}
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

// -----

// Too narrow for a task per register tile along n (a deep convolution over
// 7x7 pixels whose filter is a run-time operand: 512 filters by 52 pixels):
// the tasks split the rows, 128 each, and every task reads all of B.
// CORES2-LABEL: func.func @narrow_columns
// CORES2: linalg.matmul {kiln.tiles = {cache = array<i64: 64, 52, 256>, cache_order = array<i64: 1, 2, 0>, parallel = array<i64: 128, 0, 0>, register = array<i64: 8, 32, 1>
// AVX512-LABEL: func.func @narrow_columns
// AVX512-NOT: parallel
// AVX512: return
func.func @narrow_columns(%a: tensor<512x4608xf32>, %b: tensor<4608x52xf32>, %c: tensor<512x52xf32>) -> tensor<512x52xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<512x4608xf32>, tensor<4608x52xf32>) outs(%c : tensor<512x52xf32>) -> tensor<512x52xf32>
  return %0 : tensor<512x52xf32>
}

// -----

// A matrix-vector product (a classifier at batch 1: 2048 inputs, 1000
// classes) has 4 MFLOP, under the flop threshold, but reads 8 MB of
// weights: it is split over n like a large contraction, since two cores
// read memory faster than one. One with 256 KB of operands stays serial.
// CORES2-LABEL: func.func @matrix_vector
// CORES2: linalg.matmul {kiln.tiles = {cache = array<i64: 1, 256, 256>, cache_order = array<i64: 1, 2, 0>, parallel = array<i64: 0, 256, 0>, register = array<i64: 1, 32, 1>
// CORES2-LABEL: func.func @small_matrix_vector
// CORES2-NOT: parallel
// CORES2: return
func.func @matrix_vector(%x: tensor<1x2048xf32>, %w: tensor<2048x1000xf32>, %c: tensor<1x1000xf32>) -> tensor<1x1000xf32> {
  %0 = linalg.matmul ins(%x, %w : tensor<1x2048xf32>, tensor<2048x1000xf32>) outs(%c : tensor<1x1000xf32>) -> tensor<1x1000xf32>
  return %0 : tensor<1x1000xf32>
}

func.func @small_matrix_vector(%x: tensor<1x256xf32>, %w: tensor<256x256xf32>, %c: tensor<1x256xf32>) -> tensor<1x256xf32> {
  %0 = linalg.matmul ins(%x, %w : tensor<1x256xf32>, tensor<256x256xf32>) outs(%c : tensor<1x256xf32>) -> tensor<1x256xf32>
  return %0 : tensor<1x256xf32>
}
