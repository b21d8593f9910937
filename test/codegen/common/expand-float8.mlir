// RUN: kiln-opt %s -split-input-file -verify-diagnostics -kiln-expand-float8 | FileCheck %s
// RUN: kiln-opt %s -split-input-file -verify-diagnostics -kiln-expand-float8 | FileCheck %s --check-prefix=NONE

// No float8 conversion is left for LLVM, which has no float8 type: only
// bitcasts from and to i8.
// NONE-NOT: arith.{{extf|truncf|sitofp|uitofp|fptosi|fptoui}} {{.*}}f8E

// f32 -> f8E4M3FN: round to nearest even on the bits, f32's 23 mantissa bits
// down to 3 (shift 20; half = 2^19 - 1 plus the kept lsb), the exponent
// re-biased from 127 to 7 ((127 - 7) << 3 = 960). Below the smallest normal
// (2^-6, bits 121 << 23) |x| in units of the smallest subnormal (x 2^9)
// rounds by adding 2^23. Codes past 126 (448) are NaN, 127, with the sign.
// CHECK-LABEL: func.func @f32_to_e4m3fn
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK: %[[U:.*]] = arith.bitcast %[[X]] : f32 to i32
// CHECK: %[[SIGN:.*]] = arith.andi %{{.*}}, %c128_i32
// CHECK: %[[A:.*]] = arith.andi %[[U]], %c2147483647_i32
// CHECK: %[[NAN:.*]] = arith.cmpi ugt, %[[A]], %c2139095040_i32
// CHECK: arith.shrui %[[A]], %c20_i32
// CHECK: arith.addi %[[A]], %c524287_i32
// CHECK: %[[NORMAL:.*]] = arith.subi %{{.*}}, %c960_i32
// CHECK: %[[MAG:.*]] = arith.bitcast %[[A]] : i32 to f32
// CHECK: arith.mulf %[[MAG]], %{{.*}} : f32
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK: %[[SUB:.*]] = arith.subi %{{.*}}, %c1258291200_i32
// CHECK: %[[TINY:.*]] = arith.cmpi ult, %[[A]], %c1015021568_i32
// CHECK: %[[CODE:.*]] = arith.select %[[TINY]], %[[SUB]], %[[NORMAL]]
// CHECK: %[[OVER:.*]] = arith.cmpi ugt, %[[CODE]], %c126_i32
// CHECK: %[[NONFINITE:.*]] = arith.ori %[[NAN]], %[[OVER]]
// CHECK: %[[C:.*]] = arith.select %[[NONFINITE]], %c127_i32, %[[CODE]]
// CHECK: %[[S:.*]] = arith.ori %[[SIGN]], %[[C]]
// CHECK: %[[B:.*]] = arith.trunci %[[S]] : i32 to i8
// CHECK: %[[R:.*]] = arith.bitcast %[[B]] : i8 to f8E4M3FN
// CHECK: return %[[R]]
func.func @f32_to_e4m3fn(%x: f32) -> f8E4M3FN {
  %0 = arith.truncf %x : f32 to f8E4M3FN
  return %0 : f8E4M3FN
}

// f8E5M2 -> f32: the magnitude shifted to f32's mantissa (<< 21) and the
// exponent re-biased ((127 - 15) << 23); subnormals (magnitude < 4) as
// m * 2^-16 in f32; exponent all ones (>= 124) is infinity or NaN.
// CHECK-LABEL: func.func @e5m2_to_f32
// CHECK: %[[B:.*]] = arith.bitcast %{{.*}} : f8E5M2 to i8
// CHECK: %[[W:.*]] = arith.extui %[[B]] : i8 to i32
// CHECK: %[[M:.*]] = arith.andi %[[W]], %c127_i32
// CHECK: arith.shli %[[M]], %c21_i32
// CHECK: arith.addi %{{.*}}, %c939524096_i32
// CHECK: arith.uitofp %[[M]] : i32 to f32
// CHECK: arith.mulf %{{.*}}, %cst : f32
// CHECK: arith.cmpi ult, %[[M]], %c4_i32
// CHECK: arith.cmpi uge, %[[M]], %c124_i32
// CHECK: %[[R:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: return %[[R]]
func.func @e5m2_to_f32(%x: f8E5M2) -> f32 {
  %0 = arith.extf %x : f8E5M2 to f32
  return %0 : f32
}

// The fnuz formats: 0x80 is NaN (decoded without a sign); no -0 (a zero
// code drops the sign), and NaN or overflow encode as 0x80.
// CHECK-LABEL: func.func @fnuz
// CHECK: %[[W:.*]] = arith.extui %{{.*}} : i8 to i32
// CHECK: %[[ISNAN:.*]] = arith.cmpi eq, %[[W]], %c128_i32
// CHECK: arith.select %[[ISNAN]], %c2143289344_i32
// CHECK: arith.select %[[ISNAN]], %c0_i32
// CHECK: %[[ZERO:.*]] = arith.cmpi eq, %[[CODE:.*]], %c0_i32
// CHECK: arith.select %[[ZERO]], %c0_i32{{.*}}, %{{.*}}
// CHECK: arith.select %{{.*}}, %c128_i32{{.*}}, %{{.*}}
// CHECK: arith.bitcast %{{.*}} : i8 to f8E4M3FNUZ
func.func @fnuz(%x: f8E5M2FNUZ) -> f8E4M3FNUZ {
  %0 = arith.extf %x : f8E5M2FNUZ to f32
  %1 = arith.truncf %0 : f32 to f8E4M3FNUZ
  return %1 : f8E4M3FNUZ
}

// f64 -> float8 rounds once: f64 -> f32 rounded to odd, then the f32
// expansion; f16 (and bf16) extend to f32 exactly first. Vectors as scalars.
// CHECK-LABEL: func.func @wide_and_narrow
// CHECK: arith.truncf %{{.*}} : vector<4xf64> to vector<4xf32>
// CHECK: arith.cmpf one, %{{.*}}, %{{.*}} : vector<4xf64>
// CHECK: arith.trunci %{{.*}} : vector<4xi32> to vector<4xi8>
// CHECK: arith.bitcast %{{.*}} : vector<4xi8> to vector<4xf8E5M2FNUZ>
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.bitcast %{{.*}} : i8 to f8E5M2
func.func @wide_and_narrow(%x: vector<4xf64>, %h: f16) -> (vector<4xf8E5M2FNUZ>, f8E5M2) {
  %0 = arith.truncf %x : vector<4xf64> to vector<4xf8E5M2FNUZ>
  %1 = arith.truncf %h : f16 to f8E5M2
  return %0, %1 : vector<4xf8E5M2FNUZ>, f8E5M2
}

// float8 -> f16 and f64: through f32, exactly.
// CHECK-LABEL: func.func @to_f16_f64
// CHECK: %[[F:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: arith.truncf %[[F]] : f32 to f16
// CHECK: %[[G:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: arith.extf %[[G]] : f32 to f64
func.func @to_f16_f64(%x: f8E4M3FN) -> (f16, f64) {
  %0 = arith.extf %x : f8E4M3FN to f16
  %1 = arith.extf %x : f8E4M3FN to f64
  return %0, %1 : f16, f64
}

// Loads, stores, constants and selects of float8 stay: they lower as i8.
// CHECK-LABEL: func.func @moves
// CHECK: arith.constant 1.500000e+00 : f8E4M3FN
// CHECK: arith.select %{{.*}} : f8E4M3FN
func.func @moves(%c: i1, %x: f8E4M3FN) -> f8E4M3FN {
  %k = arith.constant 1.5 : f8E4M3FN
  %0 = arith.select %c, %k, %x : f8E4M3FN
  return %0 : f8E4M3FN
}

// -----

// Arithmetic on float8 has no lowering: an error at the op, not a crash in
// LLVM.
func.func @arithmetic(%x: f8E4M3FN) -> f8E4M3FN {
  // expected-error @+1 {{'arith.addf' op computes on float8, which Kiln only converts, selects and moves}}
  %0 = arith.addf %x, %x : f8E4M3FN
  return %0 : f8E4M3FN
}
