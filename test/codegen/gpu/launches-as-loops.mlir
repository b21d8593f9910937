// RUN: kiln-opt %s --split-input-file --kiln-gpu-launches-as-loops --canonicalize --cse --verify-diagnostics | FileCheck %s

// A barrier splits the block's threads into two loops; the value loaded
// before it (not pure, used after it) waits in a slot array; workgroup
// memory is one buffer in ordinary memory, NaN when each block starts.
// CHECK-LABEL: func.func @reverse
// CHECK-DAG:     %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK-DAG:     %[[SLOTS:.*]] = memref.alloca() : memref<32xf32>
// CHECK-DAG:     %[[SHARED:.*]] = memref.alloca() : memref<32xf32>
// CHECK:         scf.for %[[BX:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NEXT:      linalg.fill ins(%[[NAN]] : f32) outs(%[[SHARED]] : memref<32xf32>)
// CHECK-NEXT:      scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step
// CHECK:             %[[V:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<64xf32>
// CHECK:             memref.store %[[V]], %[[SLOTS]][%[[T]]]
// CHECK:             memref.store %[[V]], %[[SHARED]]
// CHECK:           }
// CHECK-NEXT:      scf.for %[[T2:.*]] = %{{.*}} to %{{.*}} step
// CHECK:             memref.load %[[SHARED]]
// CHECK:             memref.load %[[SLOTS]][%[[T2]]]
// CHECK:             arith.addf
// CHECK-NOT:     gpu.
func.func @reverse(%a: memref<64xf32>, %b: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1)
      workgroup(%s : memref<32xf32, #gpu.address_space<workgroup>>) {
    %c31 = arith.constant 31 : index
    %base = arith.muli %bx, %c32 : index
    %i = arith.addi %base, %tx : index
    %v = memref.load %a[%i] : memref<64xf32>
    memref.store %v, %s[%tx] : memref<32xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %j = arith.subi %c31, %tx : index
    %w = memref.load %s[%j] : memref<32xf32, #gpu.address_space<workgroup>>
    %sum = arith.addf %w, %v : f32
    memref.store %sum, %b[%i] : memref<64xf32>
    gpu.terminator
  }
  return
}

// -----

// A loop with barriers inside stays one loop around its thread loops; its
// iteration argument lives in a slot array: the threads store their initial
// values before it, each step reads and writes its slot, and the result is
// read from it after the loop.
// CHECK-LABEL: func.func @loop_with_barriers
// CHECK:         %[[ACC:.*]] = memref.alloca() : memref<64xf32>
// CHECK:         scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step
// CHECK:           memref.store %{{.*}}, %[[ACC]][%[[T]]]
// CHECK:         scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NEXT:      scf.for %[[T1:.*]] =
// CHECK:             memref.load %[[ACC]][%[[T1]]]
// CHECK:             memref.store
// CHECK:           }
// CHECK-NEXT:      scf.for %[[T2:.*]] =
// CHECK:             %[[OLD:.*]] = memref.load %[[ACC]][%[[T2]]]
// CHECK:             %[[NEW:.*]] = arith.addf %[[OLD]]
// CHECK:             memref.store %[[NEW]], %[[ACC]][%[[T2]]]
// CHECK:           }
// CHECK-NEXT:    }
// CHECK-NEXT:    scf.for %[[T3:.*]] =
// CHECK:           memref.load %[[ACC]][%[[T3]]]
func.func @loop_with_barriers(%a: memref<64xf32>, %c: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1)
      workgroup(%s : memref<64xf32, #gpu.address_space<workgroup>>) {
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %v = memref.load %a[%tx] : memref<64xf32>
    %r = scf.for %k = %c0 to %c4 step %c1 iter_args(%acc = %v) -> (f32) {
      memref.store %acc, %s[%tx] : memref<64xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %n1 = arith.addi %tx, %c1 : index
      %n = arith.remui %n1, %c64 : index
      %x = memref.load %s[%n] : memref<64xf32, #gpu.address_space<workgroup>>
      %sum = arith.addf %acc, %x : f32
      gpu.barrier
      scf.yield %sum : f32
    }
    memref.store %r, %c[%tx] : memref<64xf32>
    gpu.terminator
  }
  return
}

// -----

// A shuffle reads the slot of the lane it names (here lane ^ 1), within the
// thread's warp.
// CHECK-LABEL: func.func @shuffle
// CHECK:         %[[SLOTS:.*]] = memref.alloca() : memref<64xf32>
// CHECK:         scf.for %[[T:.*]] =
// CHECK:           memref.store %{{.*}}, %[[SLOTS]][%[[T]]]
// CHECK:         scf.for %[[T2:.*]] =
// CHECK-DAG:       %[[OWN:.*]] = memref.load %[[SLOTS]][%[[T2]]]
// CHECK-DAG:       %[[LANE:.*]] = arith.remui %[[T2]], %c32 : index
// CHECK-DAG:       %[[LANE32:.*]] = arith.index_cast %[[LANE]] : index to i32
// CHECK-DAG:       %[[SRC:.*]] = arith.xori %[[LANE32]], %{{.*}} : i32
// CHECK:           %[[THEIRS:.*]] = memref.load %[[SLOTS]][%{{.*}}]
// CHECK:           arith.select %{{.*}}, %[[THEIRS]], %[[OWN]] : f32
func.func @shuffle(%a: memref<64xf32>, %c: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %one = arith.constant 1 : i32
    %width = arith.constant 32 : i32
    %v = memref.load %a[%tx] : memref<64xf32>
    %r, %valid = gpu.shuffle xor %v, %one, %width : f32
    memref.store %r, %c[%tx] : memref<64xf32>
    gpu.terminator
  }
  return
}

// -----

// A barrier under a condition that differs between threads is refused.
func.func @divergent_barrier(%a: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %c32 = arith.constant 32 : index
    %low = arith.cmpi ult, %tx, %c32 : index
    // expected-error @below {{has a barrier or shuffle inside, but its condition may differ between the threads of a block}}
    scf.if %low {
      gpu.barrier
    }
    gpu.terminator
  }
  return
}

// -----

// cp.async (nvgpu.device_async_copy) runs at once where it is: each of its
// 4 elements loaded and stored, those at or past the source size zero; its
// group and wait go.
// CHECK-LABEL: func.func @async_copy
// CHECK-NOT:     nvgpu.
// CHECK:         scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step
// CHECK:           %[[N:.*]] = arith.select %{{.*}}, %c4, %c0 : index
// CHECK:           %[[X0:.*]] = memref.load %{{.*}} : memref<64xf32>
// CHECK:           %[[IN0:.*]] = arith.cmpi ugt, %[[N]], %c0 : index
// CHECK:           %[[V0:.*]] = arith.select %[[IN0]], %[[X0]], %{{.*}} : f32
// CHECK:           memref.store %[[V0]]
// CHECK-COUNT-3:   memref.store
// CHECK-NOT:     nvgpu.
func.func @async_copy(%a: memref<64xf32>, %b: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c1, %sz = %c1)
      workgroup(%s : memref<32xf32, #gpu.address_space<workgroup>>) {
    %c0 = arith.constant 0 : index
    %c6 = arith.constant 6 : index
    %i = arith.muli %tx, %c4 : index
    %inside = arith.cmpi ult, %tx, %c6 : index
    %n = arith.select %inside, %c4, %c0 : index
    %t = nvgpu.device_async_copy %a[%i], %s[%i], 4, %n {bypassL1} : memref<64xf32> to memref<32xf32, #gpu.address_space<workgroup>>
    %g = nvgpu.device_async_create_group %t
    nvgpu.device_async_wait %g
    gpu.barrier
    %v = memref.load %s[%i] : memref<32xf32, #gpu.address_space<workgroup>>
    memref.store %v, %b[%i] : memref<64xf32>
    gpu.terminator
  }
  return
}
