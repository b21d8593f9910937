// RUN: kiln-opt --kiln-cpu-approximate-math %s | FileCheck %s

// f32 erf, exp and tanh become polynomials (no math ops left, so no libm
// calls); sin keeps libm (no range reduction upstream for large arguments),
// and so does f64.
// CHECK-LABEL: func.func @functions
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: math.sin %{{.+}} : vector<16xf32>
// CHECK: math.erf %{{.+}} : f64
// CHECK: return
func.func @functions(%x: vector<16xf32>, %d: f64) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, f64) {
  %0 = math.erf %x : vector<16xf32>
  %1 = math.exp %x : vector<16xf32>
  %2 = math.tanh %x : vector<16xf32>
  %3 = math.sin %x : vector<16xf32>
  %4 = math.erf %d : f64
  return %0, %1, %2, %3, %4 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, f64
}
