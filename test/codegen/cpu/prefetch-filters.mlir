// RUN: kiln-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(kiln-cpu-prefetch-filters{min-bytes=1048576}))" | FileCheck %s
//
// A blocked filter of at least min-bytes (here 9.4 MB, ResNet's last 3x3
// convolution: 512 filters over 512 channels in blocks of 32) read one
// chunk of channel blocks per iteration of a loop: each vector read of the
// chunk is preceded by an L2 prefetch of the same place in the next chunk,
// one per 64-byte line of the vector; the last chunk prefetches itself.
// The next chunk's subview is made once, next to the chunk's.

// CHECK-LABEL: func.func @next_chunk
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK: scf.for %[[CO:[a-z0-9_]+]] = %{{.*}} to %[[C16]] step %[[C1]]
// CHECK: %[[CHUNK:.*]] = memref.subview %[[FILTER:.*]][0, %[[CO]], 0, 0, 0, 0] [1, 1, 3, 3, 32, 32]
// CHECK: %[[PLUS:.*]] = arith.addi %[[CO]], %[[C1]] : index
// CHECK: %[[LAST:.*]] = arith.subi %[[C16]], %[[C1]] : index
// CHECK: %[[MIN:.*]] = arith.minsi %[[PLUS]], %[[LAST]] : index
// CHECK: %[[NEXT:.*]] = arith.maxsi %[[MIN]], %[[CO]] : index
// CHECK: %[[NCHUNK:.*]] = memref.subview %[[FILTER]][0, %[[NEXT]], 0, 0, 0, 0] [1, 1, 3, 3, 32, 32]
// CHECK: scf.for %[[KH:[a-z0-9_]+]] =
// CHECK: %[[ROW:.*]] = memref.subview %[[CHUNK]][0, 0, %[[KH]], 0, 0, 0] [1, 1, 1, 1, 1, 32]
// CHECK: %[[NROW:.*]] = memref.subview %[[NCHUNK]][0, 0, %[[KH]], 0, 0, 0] [1, 1, 1, 1, 1, 32]
// CHECK: memref.prefetch %[[NROW]][%[[C0:.*]], %[[C0]], %[[C0]], %[[C0]], %[[C0]], %[[C0]]], read, locality<2>, data
// CHECK: %[[LINE2:.*]] = arith.constant 16 : index
// CHECK: memref.prefetch %[[NROW]][%[[C0]], %[[C0]], %[[C0]], %[[C0]], %[[C0]], %[[LINE2]]], read, locality<2>, data
// CHECK-NOT: memref.prefetch
// CHECK: vector.transfer_read %[[ROW]]
func.func @next_chunk(%filter: memref<16x16x3x3x32x32xf32>, %fo: index) -> vector<32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  %cst = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<32xf32>
  %block = memref.subview %filter[%fo, 0, 0, 0, 0, 0] [1, 16, 3, 3, 32, 32] [1, 1, 1, 1, 1, 1]
      : memref<16x16x3x3x32x32xf32> to memref<1x16x3x3x32x32xf32, strided<[147456, 9216, 3072, 1024, 32, 1], offset: ?>>
  %r = scf.for %co = %c0 to %c16 step %c1 iter_args(%acc = %zero) -> (vector<32xf32>) {
    %chunk = memref.subview %block[0, %co, 0, 0, 0, 0] [1, 1, 3, 3, 32, 32] [1, 1, 1, 1, 1, 1]
        : memref<1x16x3x3x32x32xf32, strided<[147456, 9216, 3072, 1024, 32, 1], offset: ?>>
          to memref<1x1x3x3x32x32xf32, strided<[147456, 9216, 3072, 1024, 32, 1], offset: ?>>
    %s = scf.for %kh = %c0 to %c3 step %c1 iter_args(%a = %acc) -> (vector<32xf32>) {
      %row = memref.subview %chunk[0, 0, %kh, 0, 0, 0] [1, 1, 1, 1, 1, 32] [1, 1, 1, 1, 1, 1]
          : memref<1x1x3x3x32x32xf32, strided<[147456, 9216, 3072, 1024, 32, 1], offset: ?>>
            to memref<1x1x1x1x1x32xf32, strided<[147456, 9216, 3072, 1024, 32, 1], offset: ?>>
      %w = vector.transfer_read %row[%c0, %c0, %c0, %c0, %c0, %c0], %cst {in_bounds = [true]}
          : memref<1x1x1x1x1x32xf32, strided<[147456, 9216, 3072, 1024, 32, 1], offset: ?>>, vector<32xf32>
      %sum = arith.addf %a, %w : vector<32xf32>
      scf.yield %sum : vector<32xf32>
    }
    scf.yield %s : vector<32xf32>
  }
  return %r : vector<32xf32>
}

// -----

// A filter under min-bytes (64 filters over 64 channels: 147 KB) stays in
// cache between runs: nothing is prefetched. Neither is a rank-3 operand
// (a matmul's packed panels) read by a loop in the same way.
// CHECK-LABEL: func.func @small_filter
// CHECK-NOT: memref.prefetch
// CHECK-LABEL: func.func @panels
// CHECK-NOT: memref.prefetch
func.func @small_filter(%filter: memref<2x2x3x3x32x32xf32>) -> vector<32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %cst = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<32xf32>
  %r = scf.for %co = %c0 to %c2 step %c1 iter_args(%acc = %zero) -> (vector<32xf32>) {
    %chunk = memref.subview %filter[0, %co, 0, 0, 0, 0] [1, 1, 3, 3, 32, 32] [1, 1, 1, 1, 1, 1]
        : memref<2x2x3x3x32x32xf32> to memref<1x1x3x3x32x32xf32, strided<[18432, 9216, 3072, 1024, 32, 1], offset: ?>>
    %w = vector.transfer_read %chunk[%c0, %c0, %c0, %c0, %c0, %c0], %cst {in_bounds = [true]}
        : memref<1x1x3x3x32x32xf32, strided<[18432, 9216, 3072, 1024, 32, 1], offset: ?>>, vector<32xf32>
    %sum = arith.addf %acc, %w : vector<32xf32>
    scf.yield %sum : vector<32xf32>
  }
  return %r : vector<32xf32>
}

func.func @panels(%b: memref<64x1024x32xf32>) -> vector<32xf32> {
  %c0 = arith.constant 0 : index
  %c256 = arith.constant 256 : index
  %c1024 = arith.constant 1024 : index
  %cst = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<32xf32>
  %r = scf.for %k = %c0 to %c1024 step %c256 iter_args(%acc = %zero) -> (vector<32xf32>) {
    %chunk = memref.subview %b[0, %k, 0] [1, 256, 32] [1, 1, 1]
        : memref<64x1024x32xf32> to memref<1x256x32xf32, strided<[32768, 32, 1], offset: ?>>
    %w = vector.transfer_read %chunk[%c0, %c0, %c0], %cst {in_bounds = [true]}
        : memref<1x256x32xf32, strided<[32768, 32, 1], offset: ?>>, vector<32xf32>
    %sum = arith.addf %acc, %w : vector<32xf32>
    scf.yield %sum : vector<32xf32>
  }
  return %r : vector<32xf32>
}
