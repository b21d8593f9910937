// RUN: kiln-opt %s -kiln-outline-kernels | FileCheck %s
//
// Each compute op of an entry function moves into a private no_inline
// function; its parameters are the entry function's own buffers, and the
// views and constants between them and the op are recomputed inside.

// CHECK-LABEL: func.func @m_run_impl(
// CHECK-SAME: %[[X:.*]]: memref<4xf32>, %[[Y:.*]]: memref<4xf32>, %[[S:.*]]: memref<64xi8>)
// CHECK-NEXT: call @m_run_impl_kernel0_linalg_exp(%[[X]], %[[S]])
// CHECK-NEXT: call @m_run_impl_kernel1_linalg_generic(%[[Y]], %[[S]])
// CHECK-NEXT: return
// CHECK: func.func private @m_run_impl_kernel0_linalg_exp(%[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<64xi8>)
// CHECK-SAME: attributes {kiln.kernel, no_inline}
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[V:.*]] = memref.view %[[B]][%[[C0]]][] : memref<64xi8> to memref<4xf32>
// CHECK-NEXT: linalg.exp ins(%[[A]] : memref<4xf32>) outs(%[[V]] : memref<4xf32>)
// CHECK-NEXT: return
// CHECK: func.func private @m_run_impl_kernel1_linalg_generic(
// CHECK: arith.constant 2.0
// CHECK: linalg.generic
// CHECK-LABEL: func.func @not_an_entry(
// CHECK-NEXT: linalg.exp
module {
  func.func @m_run_impl(%x: memref<4xf32>, %y: memref<4xf32>, %s: memref<64xi8>) attributes {kiln.entry = "run"} {
    %c0 = arith.constant 0 : index
    %two = arith.constant 2.0 : f32
    %t = memref.view %s[%c0][] : memref<64xi8> to memref<4xf32>
    linalg.exp ins(%x : memref<4xf32>) outs(%t : memref<4xf32>)
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
        ins(%t : memref<4xf32>) outs(%y : memref<4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %m = arith.mulf %in, %two : f32
      linalg.yield %m : f32
    }
    return
  }
  func.func @not_an_entry(%x: memref<4xf32>, %y: memref<4xf32>) {
    linalg.exp ins(%x : memref<4xf32>) outs(%y : memref<4xf32>)
    return
  }
}
