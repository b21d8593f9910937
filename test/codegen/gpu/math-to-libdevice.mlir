// RUN: kiln-opt %s --kiln-gpu-math-to-libdevice | FileCheck %s

// The math ops LLVM 19's convert-gpu-to-nvvm does not map become calls of
// libdevice: the f suffix for f32, none for f64, f16 through f32; the others
// (exp) are left to convert-gpu-to-nvvm.
// CHECK-LABEL: gpu.module @k
// CHECK-DAG:   llvm.func @__nv_acosf(f32) -> f32
// CHECK-DAG:   llvm.func @__nv_cosh(f64) -> f64
// CHECK-DAG:   llvm.func @__nv_powif(f32, i32) -> f32
// CHECK-DAG:   llvm.func @__nv_rintf(f32) -> f32
// CHECK:       gpu.func @f
// CHECK:         llvm.call @__nv_acosf(%{{.*}}) : (f32) -> f32
// CHECK:         llvm.call @__nv_cosh(%{{.*}}) : (f64) -> f64
// CHECK:         %[[EXT:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK:         %[[R:.*]] = llvm.call @__nv_rintf(%[[EXT]]) : (f32) -> f32
// CHECK:         arith.truncf %[[R]] : f32 to f16
// CHECK:         llvm.call @__nv_powif(%{{.*}}, %{{.*}}) : (f32, i32) -> f32
// CHECK:         math.exp
gpu.module @k {
  gpu.func @f(%a: f32, %b: f64, %h: f16, %i: i32, %out: memref<5xf32>, %outd: memref<f64>, %outh: memref<f16>) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %x = math.acos %a : f32
    %y = math.cosh %b : f64
    %z = math.roundeven %h : f16
    %w = math.fpowi %a, %i : f32, i32
    %e = math.exp %a : f32
    memref.store %x, %out[%c0] : memref<5xf32>
    memref.store %y, %outd[] : memref<f64>
    memref.store %z, %outh[] : memref<f16>
    memref.store %w, %out[%c1] : memref<5xf32>
    memref.store %e, %out[%c1] : memref<5xf32>
    gpu.return
  }
}
