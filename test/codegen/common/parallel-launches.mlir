// RUN: kiln-opt %s -kiln-parallel-launches | FileCheck %s
//
// A launcher hands its task to the context's parallel_for, with the task's
// arguments packed in a struct on its stack and a trampoline that unpacks
// them, when the context has a parallel_for and more than one thread; else
// (no context, no pool, one thread) it runs the tasks in order itself.

// CHECK-LABEL: llvm.func internal @m_run_impl_task0_launch(
// CHECK-SAME: %[[CTX:.*]]: !llvm.ptr, %[[P:.*]]: !llvm.ptr, %[[N:.*]]: i32)
// CHECK: %[[COUNT:.*]] = llvm.mlir.constant(6 : i64) : i64
// CHECK: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.icmp "eq" %[[CTX]], %[[NULL]]
// CHECK: %[[FOR_SLOT:.*]] = llvm.getelementptr %[[CTX]][0, 6]
// CHECK: %[[FOR:.*]] = llvm.load %[[FOR_SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[THREADS_SLOT:.*]] = llvm.getelementptr %[[CTX]][0, 8]
// CHECK: %[[THREADS:.*]] = llvm.load %[[THREADS_SLOT]] : !llvm.ptr -> i32
// CHECK: llvm.icmp "ne" %[[FOR]], %[[NULL]]
// CHECK: llvm.icmp "ugt" %[[THREADS]]
// CHECK: %[[PACKED:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(ptr, i32)>
// CHECK: llvm.store %[[P]]
// CHECK: llvm.store %[[N]]
// CHECK: %[[POOL_SLOT:.*]] = llvm.getelementptr %[[CTX]][0, 7]
// CHECK: %[[POOL:.*]] = llvm.load %[[POOL_SLOT]]
// CHECK: %[[TRAMPOLINE:.*]] = llvm.mlir.addressof @m_run_impl_task0_launch_trampoline
// CHECK: llvm.call %[[FOR]](%[[POOL]], %[[COUNT]], %[[TRAMPOLINE]], %[[PACKED]])
// CHECK: ^bb4(%[[I:.*]]: i64):
// CHECK: llvm.icmp "ult" %[[I]], %[[COUNT]]
// CHECK: llvm.call @m_run_impl_task0(%[[I]], %[[P]], %[[N]])
// CHECK-LABEL: llvm.func internal @m_run_impl_task0_launch_trampoline(
// CHECK-SAME: %[[ARGS:.*]]: !llvm.ptr, %[[J:.*]]: i64)
// CHECK: %[[P2:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[N2:.*]] = llvm.load %{{.*}} : !llvm.ptr -> i32
// CHECK: llvm.call @m_run_impl_task0(%[[J]], %[[P2]], %[[N2]])
module {
  llvm.func @m_run_impl_task0(%i: i64, %p: !llvm.ptr, %n: i32) attributes {kiln.kernel, no_inline} {
    %g = llvm.getelementptr %p[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    %c = llvm.mlir.constant(1.0 : f32) : f32
    llvm.store %c, %g : f32, !llvm.ptr
    llvm.return
  }
  llvm.func @m_run_impl_task0_launch(!llvm.ptr, !llvm.ptr, i32) attributes {kiln.launch_count = 6 : i64, kiln.launch_task = @m_run_impl_task0}
}
