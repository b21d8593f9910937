// RUN: kiln-opt %s -kiln-cpu-expand-bf16 | FileCheck %s
// RUN: kiln-opt %s -kiln-cpu-expand-bf16 | FileCheck %s --check-prefix=NONE

// No conversion to bf16 is left for LLVM.
// NONE-NOT: {{(sitofp|uitofp|truncf) .* to bf16}}

// f32 -> bf16 rounds to nearest even on the bits (upstream's expansion): no
// arith.truncf to bf16 is left for LLVM to turn into a libgcc call or an
// AVX512-BF16 instruction that flushes subnormals.
// CHECK-LABEL: func.func @f32_to_bf16
// CHECK-NOT: arith.truncf
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.trunci %{{.*}} : i32 to i16
// CHECK: arith.bitcast %{{.*}} : i16 to bf16
func.func @f32_to_bf16(%x: f32) -> bf16 {
  %0 = arith.truncf %x : f32 to bf16
  return %0 : bf16
}

// f64 -> bf16: f32 rounded to odd (toward zero, last bit set when inexact),
// then the expansion above.
// CHECK-LABEL: func.func @f64_to_bf16
// CHECK-SAME: (%[[X:.*]]: f64)
// CHECK: %[[N:.*]] = arith.truncf %[[X]] : f64 to f32
// CHECK: %[[BACK:.*]] = arith.extf %[[N]] : f32 to f64
// CHECK: %[[BITS:.*]] = arith.bitcast %[[N]] : f32 to i32
// CHECK: %[[AWAY:.*]] = arith.cmpf ogt
// CHECK: %[[STEP:.*]] = arith.subi %[[BITS]], %[[ONE:.*]] : i32
// CHECK: %[[TZ:.*]] = arith.select %[[AWAY]], %[[STEP]], %[[BITS]] : i32
// CHECK: %[[INEXACT:.*]] = arith.cmpf one, %[[BACK]], %[[X]] : f64
// CHECK: %[[ODD:.*]] = arith.ori %[[TZ]], %[[ONE]] : i32
// CHECK: %[[R:.*]] = arith.select %[[INEXACT]], %[[ODD]], %[[BITS]] : i32
// CHECK: arith.bitcast %[[R]] : i32 to f32
// CHECK-NOT: arith.truncf
// CHECK: arith.bitcast %{{.*}} : i16 to bf16
func.func @f64_to_bf16(%x: f64) -> bf16 {
  %0 = arith.truncf %x : f64 to bf16
  return %0 : bf16
}

// CHECK-LABEL: func.func @bf16_to_f64
// CHECK: arith.shli
// CHECK: %[[W:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: arith.extf %[[W]] : f32 to f64
func.func @bf16_to_f64(%x: bf16) -> f64 {
  %0 = arith.extf %x : bf16 to f64
  return %0 : f64
}

// Integers go through a float type that holds them exactly: i8 and i1 f32,
// i32 f64; i64 magnitudes from 2^53 are rounded to odd on a grid of 2^11
// first.
// CHECK-LABEL: func.func @ints_to_bf16
// CHECK: arith.sitofp %{{.*}} : i8 to f32
// CHECK: arith.sitofp %{{.*}} : i32 to f64
// CHECK: arith.andi %{{.*}}, %{{.*}} : i64
// CHECK: arith.cmpi uge
// CHECK: arith.uitofp %{{.*}} : i64 to f64
// CHECK: arith.uitofp %{{.*}} : i1 to f32
func.func @ints_to_bf16(%a: i8, %b: i32, %c: i64, %d: i1) -> (bf16, bf16, bf16, bf16) {
  %0 = arith.sitofp %a : i8 to bf16
  %1 = arith.sitofp %b : i32 to bf16
  %2 = arith.sitofp %c : i64 to bf16
  %3 = arith.uitofp %d : i1 to bf16
  return %0, %1, %2, %3 : bf16, bf16, bf16, bf16
}

// Other conversions are LLVM's.
// CHECK-LABEL: func.func @untouched
// CHECK-NEXT: arith.truncf %{{.*}} : f32 to f16
// CHECK-NEXT: arith.extf %{{.*}} : f16 to f32
func.func @untouched(%x: f32, %h: f16) -> (f16, f32) {
  %0 = arith.truncf %x : f32 to f16
  %1 = arith.extf %h : f16 to f32
  return %0, %1 : f16, f32
}
