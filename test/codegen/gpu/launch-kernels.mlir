// RUN: kiln-opt %s --split-input-file --kiln-gpu-launch-kernels="architectures=sm_80,sm_90" --verify-diagnostics | FileCheck %s
// RUN: not kiln-opt %s --split-input-file --kiln-gpu-launch-kernels="architectures=sm_61" 2>&1 | FileCheck %s --check-prefix=ARCH

// ARCH: error: unknown GPU architecture 'sm_61'; expected one of sm_75 sm_80 sm_86 sm_87 sm_89 sm_90 sm_90a

// Two launches: the first reads an input and a global constant and writes a
// view of the scratch buffer, the second reads that view and writes the
// output. Views and constants move into the kernels, so each kernel's
// parameters are the entry function's buffers (noalias device pointers);
// the global is copied into the gpu.module. On the host, each launch is a
// call of ctx->device->launch(device, stream, index, grid, block, 0, args)
// guarded by the status, which the call's result updates.

// CHECK-LABEL: module attributes
// CHECK-SAME:    gpu.container_module
// CHECK-SAME:    kiln.device = "cuda"
// CHECK-SAME:    kiln.gpu_kernels = [{block = array<i64: 128, 1, 1>, entry = "run", grid = array<i64: 2, 1, 1>, name = "m_k0_first", params = 2 : i64, shared_bytes = 0 : i64}, {block = array<i64: 64, 1, 1>, entry = "run", grid = array<i64: 1, 1, 1>, name = "m_k1_second", params = 2 : i64, shared_bytes = 0 : i64}]

// CHECK-LABEL: func.func @m_run_impl
// CHECK-SAME:    (%[[X:[a-z0-9]+]]: memref<256xf32>, %[[Y:[a-z0-9]+]]: memref<256xf32>, %[[SCRATCH:[a-z0-9]+]]: memref<1024xi8>, %[[CTX:[a-z0-9]+]]: !llvm.ptr, %[[STATUS:[a-z0-9]+]]: !llvm.ptr)
// CHECK-SAME:    kiln.takes_context, kiln.takes_status
// CHECK:         %[[DEVADDR:.*]] = llvm.getelementptr %[[CTX]][0, 10]
// CHECK:         %[[DEV:.*]] = llvm.load %[[DEVADDR]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[STREAMADDR:.*]] = llvm.getelementptr %[[CTX]][0, 11]
// CHECK:         %[[STREAM:.*]] = llvm.load %[[STREAMADDR]]
// CHECK:         %[[FNADDR:.*]] = llvm.getelementptr %[[DEV]][0, 2]
// CHECK:         %[[LAUNCH:.*]] = llvm.load %[[FNADDR]]
// CHECK:         llvm.alloca
// CHECK:         %[[ARGS:.*]] = llvm.alloca
// CHECK:         %[[OK:.*]] = llvm.icmp "eq"
// CHECK:         scf.if %[[OK]] {
// CHECK:           memref.extract_aligned_pointer_as_index %[[SCRATCH]]
// CHECK:           memref.extract_aligned_pointer_as_index %[[X]]
// CHECK:           %[[RC:.*]] = llvm.call %[[LAUNCH]](%[[DEV]], %[[STREAM]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ARGS]])
// CHECK:           llvm.store %[[RC]], %[[STATUS]] : i32, !llvm.ptr
// CHECK:         scf.if
// CHECK:           llvm.call %[[LAUNCH]]
// CHECK-NOT:     gpu.launch
// CHECK:         return

// CHECK:       gpu.module @m_kernels [#nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">, #nvvm.target<O = 3, chip = "sm_90", features = "+ptx78">]
// CHECK:         gpu.func @m_k0_first(%{{.*}}: memref<1024xi8> {llvm.noalias}, %{{.*}}: memref<256xf32> {llvm.noalias}) kernel
// CHECK:           memref.view
// CHECK:           memref.get_global @table
// CHECK:           arith.mulf {{.*}} fastmath<contract>
// CHECK:         memref.global "private" constant @table
// CHECK:         gpu.func @m_k1_second

module attributes {kiln.symbol_prefix = "m"} {
  memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
  func.func @m_run_impl(%x: memref<256xf32>, %y: memref<256xf32>, %scratch: memref<1024xi8>)
      attributes {kiln.entry = "run"} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %c64 = arith.constant 64 : index
    %c128 = arith.constant 128 : index
    %t = memref.view %scratch[%c0][] : memref<1024xi8> to memref<256xf32>
    %table = memref.get_global @table : memref<4xf32>
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1)
               threads(%tx, %ty, %tz) in (%sx = %c128, %sy = %c1, %sz = %c1) {
      %i = arith.addi %tx, %bx : index
      %k = arith.remui %i, %c3 : index
      %a = memref.load %x[%i] : memref<256xf32>
      %b = memref.load %table[%k] : memref<4xf32>
      %p = arith.mulf %a, %b : f32
      memref.store %p, %t[%i] : memref<256xf32>
      gpu.terminator
    } {kiln.kernel_name = "first"}
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
               threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
      %a = memref.load %t[%tx] : memref<256xf32>
      memref.store %a, %y[%tx] : memref<256xf32>
      gpu.terminator
    } {kiln.kernel_name = "second"}
    return
  }
}

// -----

// A buffer the host made (not one of the entry point's) cannot reach a kernel.
module attributes {kiln.symbol_prefix = "m"} {
  func.func @m_run_impl(%y: memref<4xf32>) attributes {kiln.entry = "run"} {
    %c1 = arith.constant 1 : index
    // expected-note @+1 {{computed here by memref.alloc}}
    %host = memref.alloc() : memref<4xf32>
    // expected-error @+1 {{uses a buffer the host computes}}
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
               threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
      %a = memref.load %host[%tx] : memref<4xf32>
      memref.store %a, %y[%tx] : memref<4xf32>
      gpu.terminator
    }
    return
  }
}

