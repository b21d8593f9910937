// RUN: kiln-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(kiln-cpu-split-buffer-tasks{cores=2}))" | FileCheck %s
// RUN: kiln-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(kiln-cpu-split-buffer-tasks{cores=1}))" | FileCheck %s --check-prefix=ONE
//
// Large ops left on buffers at a function's top level are split along
// their outermost parallel dim with two iterations per core, into about
// four tasks per core; on one core nothing changes.

// A pad copy [1, 32, 112, 112]: the unit batch is skipped, 32 channels in
// 8 tasks of 4.
// CHECK-LABEL: func.func @pad_copy
// CHECK: scf.forall (%[[C:.*]]) = (0) to (32) step (4)
// CHECK: memref.subview %arg0[0, %[[C]], 0, 0] [1, 4, 112, 112] [1, 1, 1, 1]
// CHECK: linalg.copy ins({{.*}} : memref<1x4x112x112xf32, strided<{{.*}}>>) outs({{.*}} : memref<1x4x112x112xf32, strided<{{.*}}>>)
// ONE-LABEL: func.func @pad_copy
// ONE-NOT: scf.forall
func.func @pad_copy(%x: memref<1x32x112x112xf32>, %padded: memref<1x32x114x114xf32>) {
  %view = memref.subview %padded[0, 0, 1, 1] [1, 32, 112, 112] [1, 1, 1, 1]
      : memref<1x32x114x114xf32> to memref<1x32x112x112xf32, strided<[415872, 12996, 114, 1], offset: 115>>
  linalg.copy ins(%x : memref<1x32x112x112xf32>) outs(%view : memref<1x32x112x112xf32, strided<[415872, 12996, 114, 1], offset: 115>>)
  return
}

// -----

// A max pool accumulating into its output: split over channels, never over
// the window (reduction) dims.
// CHECK-LABEL: func.func @max_pool
// CHECK: scf.forall (%[[C:.*]]) = (0) to (64) step (8)
// CHECK: linalg.pooling_nchw_max {{.*}} outs(%{{.*}} : memref<1x8x56x56xf32, strided<{{.*}}>>)
func.func @max_pool(%x: memref<1x64x113x113xf32>, %out: memref<1x64x56x56xf32>) {
  %window = memref.alloc() : memref<3x3xf32>
  linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
    ins(%x, %window : memref<1x64x113x113xf32>, memref<3x3xf32>) outs(%out : memref<1x64x56x56xf32>)
  return
}

// -----

// Small ops (under 64K iterations), ops already inside a loop, and ops on
// tensors stay as they are.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: scf.forall
// CHECK: return
func.func @left_alone(%a: memref<16x1024xf32>, %b: memref<16x1024xf32>, %big: memref<512x512xf32>,
                      %t: tensor<512x512xf32>) -> tensor<512x512xf32> {
  linalg.copy ins(%a : memref<16x1024xf32>) outs(%b : memref<16x1024xf32>)
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    linalg.copy ins(%big : memref<512x512xf32>) outs(%big : memref<512x512xf32>)
  }
  %e = tensor.empty() : tensor<512x512xf32>
  %r = linalg.copy ins(%t : tensor<512x512xf32>) outs(%e : tensor<512x512xf32>) -> tensor<512x512xf32>
  return %r : tensor<512x512xf32>
}
