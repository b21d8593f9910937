// RUN: kiln-opt %s -kiln-parallel-tasks | FileCheck %s
//
// Every entry function gains the context as its last parameter. Each
// top-level scf.forall with static bounds becomes a task function (task
// index first, then the entry function's buffers it uses) and a call to its
// launcher, which carries the task and the number of tasks; nested foralls
// and foralls outside entry functions become sequential loops.

// CHECK-LABEL: func.func @m_run_impl(
// CHECK-SAME: %[[X:.*]]: memref<64x32xf32>, %[[Y:.*]]: memref<64x32xf32>, %[[CTX:.*]]: !llvm.ptr)
// CHECK-SAME: kiln.takes_context
// CHECK-NEXT: call @m_run_impl_task0_linalg_exp_launch(%[[CTX]], %[[X]], %[[Y]])
// CHECK-NEXT: call @m_run_impl_task1_scf_forall_launch(%[[CTX]], %[[Y]])
// CHECK-NEXT: return
// CHECK: func.func private @m_run_impl_task0_linalg_exp(%[[I:.*]]: index, %[[A:.*]]: memref<64x32xf32>, %[[B:.*]]: memref<64x32xf32>)
// CHECK-SAME: attributes {kiln.kernel, no_inline}
// CHECK: %[[O:.*]] = arith.muli %{{.*}}, %c16
// CHECK: memref.subview %[[A]][%[[O]], 0] [16, 32]
// CHECK: memref.subview %[[B]][%[[O]], 0] [16, 32]
// CHECK: linalg.exp
// CHECK: func.func private @m_run_impl_task0_linalg_exp_launch(!llvm.ptr, memref<64x32xf32>, memref<64x32xf32>)
// CHECK-SAME: kiln.launch_count = 4 : i64, kiln.launch_task = @m_run_impl_task0_linalg_exp
// CHECK: func.func private @m_run_impl_task1_scf_forall(%[[T:.*]]: index, %{{.*}}: memref<64x32xf32>)
// CHECK-DAG: arith.remui %[[T]], %c3
// CHECK-DAG: arith.divui %[[T]], %c3
// CHECK-NOT: scf.forall
// CHECK: scf.for
// CHECK: func.func private @m_run_impl_task1_scf_forall_launch(
// CHECK-SAME: kiln.launch_count = 6 : i64
// CHECK-LABEL: func.func @helper(
// CHECK-SAME: %{{.*}}: memref<4xf32>)
// CHECK-NOT: scf.forall
// CHECK: scf.for
module {
  func.func @m_run_impl(%x: memref<64x32xf32>, %y: memref<64x32xf32>) attributes {kiln.entry = "run"} {
    scf.forall (%i) in (4) {
      %c16 = arith.constant 16 : index
      %o = arith.muli %i, %c16 : index
      %xs = memref.subview %x[%o, 0] [16, 32] [1, 1] : memref<64x32xf32> to memref<16x32xf32, strided<[32, 1], offset: ?>>
      %ys = memref.subview %y[%o, 0] [16, 32] [1, 1] : memref<64x32xf32> to memref<16x32xf32, strided<[32, 1], offset: ?>>
      linalg.exp ins(%xs : memref<16x32xf32, strided<[32, 1], offset: ?>>) outs(%ys : memref<16x32xf32, strided<[32, 1], offset: ?>>)
    }
    // Two dims: tasks are numbered row-major over (2, 3).
    scf.forall (%i, %k) in (2, 3) {
      scf.forall (%j) in (3) {
        %c = arith.constant 1.0 : f32
        memref.store %c, %y[%i, %j] : memref<64x32xf32>
      }
    }
    return
  }
  func.func @helper(%x: memref<4xf32>) {
    scf.forall (%i) in (4) {
      %c = arith.constant 1.0 : f32
      memref.store %c, %x[%i] : memref<4xf32>
    }
    return
  }
}
