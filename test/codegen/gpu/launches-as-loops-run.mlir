// REQUIRES: mlir-runner
// RUN: kiln-opt %s --kiln-gpu-launches-as-loops --convert-linalg-to-loops --convert-scf-to-cf \
// RUN:   --finalize-memref-to-llvm --convert-arith-to-llvm --convert-func-to-llvm --convert-cf-to-llvm \
// RUN:   --reconcile-unrealized-casts | %mlir-run | FileCheck %s
//
// Kernels with barriers, shared memory and shuffles run on the CPU by
// kiln-gpu-launches-as-loops mean what they mean on a GPU. Two blocks of 32
// threads; a[i] = i.

// Each block reverses its 32 values through shared memory.
// CHECK: [31,  30,  29, {{.*}},  1,  0,  63,  62, {{.*}},  33,  32]
// Four steps of acc += (the right neighbour's acc), cyclic in the block,
// through shared memory between barriers inside the loop: sum_j C(4, j) a[t + j].
// CHECK: [32,  48,  64, {{.*}},  448,  336,  160,  48,  544,  560, {{.*}},  672,  560]
// A butterfly of xor shuffles: every lane gets its warp's sum (0 + ... + 31,
// 32 + ... + 63).
// CHECK: [496,  496, {{.*}},  496,  1520, {{.*}},  1520]
// A down shuffle by 1: lane k reads lane k + 1; lane 31 reads its own value.
// CHECK: [1,  2,  3, {{.*}},  30,  31,  31,  33,  34, {{.*}},  63,  63]
func.func @kernels(%a: memref<64xf32>, %b: memref<64xf32>, %c: memref<64xf32>, %d: memref<64xf32>, %e: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1)
      workgroup(%s : memref<32xf32, #gpu.address_space<workgroup>>) {
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %c31 = arith.constant 31 : index
    %base = arith.muli %bx, %c32 : index
    %i = arith.addi %base, %tx : index
    %v = memref.load %a[%i] : memref<64xf32>
    memref.store %v, %s[%tx] : memref<32xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %j = arith.subi %c31, %tx : index
    %w = memref.load %s[%j] : memref<32xf32, #gpu.address_space<workgroup>>
    memref.store %w, %b[%i] : memref<64xf32>
    %r = scf.for %k = %c0 to %c4 step %c1 iter_args(%acc = %v) -> (f32) {
      gpu.barrier
      memref.store %acc, %s[%tx] : memref<32xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %n1 = arith.addi %tx, %c1 : index
      %n = arith.remui %n1, %c32 : index
      %x = memref.load %s[%n] : memref<32xf32, #gpu.address_space<workgroup>>
      %sum = arith.addf %acc, %x : f32
      scf.yield %sum : f32
    }
    memref.store %r, %c[%i] : memref<64xf32>
    %width = arith.constant 32 : i32
    %o1 = arith.constant 1 : i32
    %o2 = arith.constant 2 : i32
    %o4 = arith.constant 4 : i32
    %o8 = arith.constant 8 : i32
    %o16 = arith.constant 16 : i32
    %s1, %v1 = gpu.shuffle xor %v, %o1, %width : f32
    %t1 = arith.addf %v, %s1 : f32
    %s2, %v2 = gpu.shuffle xor %t1, %o2, %width : f32
    %t2 = arith.addf %t1, %s2 : f32
    %s4, %v4 = gpu.shuffle xor %t2, %o4, %width : f32
    %t4 = arith.addf %t2, %s4 : f32
    %s8, %v8 = gpu.shuffle xor %t4, %o8, %width : f32
    %t8 = arith.addf %t4, %s8 : f32
    %s16, %v16 = gpu.shuffle xor %t8, %o16, %width : f32
    %t16 = arith.addf %t8, %s16 : f32
    memref.store %t16, %d[%i] : memref<64xf32>
    %down, %valid = gpu.shuffle down %v, %o1, %width : f32
    memref.store %down, %e[%i] : memref<64xf32>
    gpu.terminator
  }
  return
}

func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %a = memref.alloc() : memref<64xf32>
  %b = memref.alloc() : memref<64xf32>
  %c = memref.alloc() : memref<64xf32>
  %d = memref.alloc() : memref<64xf32>
  %e = memref.alloc() : memref<64xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %ii = arith.index_cast %i : index to i32
    %f = arith.sitofp %ii : i32 to f32
    memref.store %f, %a[%i] : memref<64xf32>
  }
  call @kernels(%a, %b, %c, %d, %e) : (memref<64xf32>, memref<64xf32>, memref<64xf32>, memref<64xf32>, memref<64xf32>) -> ()
  %ub = memref.cast %b : memref<64xf32> to memref<*xf32>
  call @printMemrefF32(%ub) : (memref<*xf32>) -> ()
  %uc = memref.cast %c : memref<64xf32> to memref<*xf32>
  call @printMemrefF32(%uc) : (memref<*xf32>) -> ()
  %ud = memref.cast %d : memref<64xf32> to memref<*xf32>
  call @printMemrefF32(%ud) : (memref<*xf32>) -> ()
  %ue = memref.cast %e : memref<64xf32> to memref<*xf32>
  call @printMemrefF32(%ue) : (memref<*xf32>) -> ()
  return
}
