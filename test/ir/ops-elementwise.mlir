// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of the elementwise ops: unary math, activations, clip, cast,
// binary arithmetic with broadcasting, compare and select.

//===----------------------------------------------------------------------===//
// Unary ops on every element type they accept
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @neg
// CHECK-SAME: (%[[F16:[a-z0-9]+]]: tensor<2xf16>, %[[BF16:[a-z0-9]+]]: tensor<2xbf16>, %[[F32:[a-z0-9]+]]: tensor<?x3xf32>, %[[F64:[a-z0-9]+]]: tensor<f64>, %[[I8:[a-z0-9]+]]: tensor<2xi8>, %[[I32:[a-z0-9]+]]: tensor<2xi32>, %[[I64:[a-z0-9]+]]: tensor<2x?xi64>)
func.func @neg(%f16: tensor<2xf16>, %bf16: tensor<2xbf16>, %f32: tensor<?x3xf32>,
               %f64: tensor<f64>, %i8: tensor<2xi8>, %i32: tensor<2xi32>,
               %i64: tensor<2x?xi64>) {
  // CHECK: kiln.neg %[[F16]] : tensor<2xf16>
  %0 = kiln.neg %f16 : tensor<2xf16>
  // CHECK: kiln.neg %[[BF16]] : tensor<2xbf16>
  %1 = kiln.neg %bf16 : tensor<2xbf16>
  // CHECK: kiln.neg %[[F32]] : tensor<?x3xf32>
  %2 = kiln.neg %f32 : tensor<?x3xf32>
  // CHECK: kiln.neg %[[F64]] : tensor<f64>
  %3 = kiln.neg %f64 : tensor<f64>
  // CHECK: kiln.neg %[[I8]] : tensor<2xi8>
  %4 = kiln.neg %i8 : tensor<2xi8>
  // CHECK: kiln.neg %[[I32]] : tensor<2xi32>
  %5 = kiln.neg %i32 : tensor<2xi32>
  // CHECK: kiln.neg %[[I64]] : tensor<2x?xi64>
  %6 = kiln.neg %i64 : tensor<2x?xi64>
  return
}

// CHECK-LABEL: func.func @abs
// CHECK-SAME: (%[[F:[a-z0-9]+]]: tensor<4xbf16>, %[[I:[a-z0-9]+]]: tensor<?xi8>)
func.func @abs(%f: tensor<4xbf16>, %i: tensor<?xi8>) {
  // CHECK: kiln.abs %[[F]] : tensor<4xbf16>
  %0 = kiln.abs %f : tensor<4xbf16>
  // CHECK: kiln.abs %[[I]] : tensor<?xi8>
  %1 = kiln.abs %i : tensor<?xi8>
  return
}

// CHECK-LABEL: func.func @relu
// CHECK-SAME: (%[[F:[a-z0-9]+]]: tensor<1x?x4xf16>, %[[I:[a-z0-9]+]]: tensor<3xi32>)
func.func @relu(%f: tensor<1x?x4xf16>, %i: tensor<3xi32>) {
  // CHECK: kiln.relu %[[F]] : tensor<1x?x4xf16>
  %0 = kiln.relu %f : tensor<1x?x4xf16>
  // CHECK: kiln.relu %[[I]] : tensor<3xi32>
  %1 = kiln.relu %i : tensor<3xi32>
  return
}

// The float-only unary math ops, each once, on several float types.
// CHECK-LABEL: func.func @float_math
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x?xf32>, %[[H:[a-z0-9]+]]: tensor<4xf16>, %[[D:[a-z0-9]+]]: tensor<4xf64>, %[[B:[a-z0-9]+]]: tensor<4xbf16>)
func.func @float_math(%x: tensor<2x?xf32>, %h: tensor<4xf16>, %d: tensor<4xf64>,
                      %b: tensor<4xbf16>) {
  // CHECK: kiln.exp %[[X]] : tensor<2x?xf32>
  %0 = kiln.exp %x : tensor<2x?xf32>
  // CHECK: kiln.log %[[H]] : tensor<4xf16>
  %1 = kiln.log %h : tensor<4xf16>
  // CHECK: kiln.sqrt %[[D]] : tensor<4xf64>
  %2 = kiln.sqrt %d : tensor<4xf64>
  // CHECK: kiln.rsqrt %[[B]] : tensor<4xbf16>
  %3 = kiln.rsqrt %b : tensor<4xbf16>
  // CHECK: kiln.reciprocal %[[X]] : tensor<2x?xf32>
  %4 = kiln.reciprocal %x : tensor<2x?xf32>
  // CHECK: kiln.tanh %[[H]] : tensor<4xf16>
  %5 = kiln.tanh %h : tensor<4xf16>
  // CHECK: kiln.sigmoid %[[D]] : tensor<4xf64>
  %6 = kiln.sigmoid %d : tensor<4xf64>
  // CHECK: kiln.erf %[[B]] : tensor<4xbf16>
  %7 = kiln.erf %b : tensor<4xbf16>
  // CHECK: kiln.sin %[[X]] : tensor<2x?xf32>
  %8 = kiln.sin %x : tensor<2x?xf32>
  // CHECK: kiln.cos %[[H]] : tensor<4xf16>
  %9 = kiln.cos %h : tensor<4xf16>
  // CHECK: kiln.floor %[[D]] : tensor<4xf64>
  %10 = kiln.floor %d : tensor<4xf64>
  // CHECK: kiln.ceil %[[B]] : tensor<4xbf16>
  %11 = kiln.ceil %b : tensor<4xbf16>
  // CHECK: kiln.hard_swish %[[X]] : tensor<2x?xf32>
  %12 = kiln.hard_swish %x : tensor<2x?xf32>
  // CHECK: kiln.tan %[[X]] : tensor<2x?xf32>
  %13 = kiln.tan %x : tensor<2x?xf32>
  // CHECK: kiln.acos %[[H]] : tensor<4xf16>
  %14 = kiln.acos %h : tensor<4xf16>
  // CHECK: kiln.asin %[[D]] : tensor<4xf64>
  %15 = kiln.asin %d : tensor<4xf64>
  // CHECK: kiln.atan %[[B]] : tensor<4xbf16>
  %16 = kiln.atan %b : tensor<4xbf16>
  // CHECK: kiln.sinh %[[X]] : tensor<2x?xf32>
  %17 = kiln.sinh %x : tensor<2x?xf32>
  // CHECK: kiln.cosh %[[H]] : tensor<4xf16>
  %18 = kiln.cosh %h : tensor<4xf16>
  // CHECK: kiln.acosh %[[D]] : tensor<4xf64>
  %19 = kiln.acosh %d : tensor<4xf64>
  // CHECK: kiln.asinh %[[B]] : tensor<4xbf16>
  %20 = kiln.asinh %b : tensor<4xbf16>
  // CHECK: kiln.atanh %[[X]] : tensor<2x?xf32>
  %21 = kiln.atanh %x : tensor<2x?xf32>
  return
}

// CHECK-LABEL: func.func @not
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x4xi1>)
func.func @not(%x: tensor<?x4xi1>) -> tensor<?x4xi1> {
  // CHECK: %[[R:.*]] = kiln.not %[[X]] : tensor<?x4xi1>
  // CHECK: return %[[R]]
  %0 = kiln.not %x : tensor<?x4xi1>
  return %0 : tensor<?x4xi1>
}

//===----------------------------------------------------------------------===//
// Activations with attributes
//===----------------------------------------------------------------------===//

// The default approximation is not printed; `none` written out parses to it.
// CHECK-LABEL: func.func @gelu
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3xf32>, %[[H:[a-z0-9]+]]: tensor<?xf16>)
func.func @gelu(%x: tensor<2x3xf32>, %h: tensor<?xf16>) {
  // CHECK: kiln.gelu %[[X]] : tensor<2x3xf32>
  %0 = kiln.gelu %x : tensor<2x3xf32>
  // CHECK: kiln.gelu %[[X]] : tensor<2x3xf32>
  %1 = kiln.gelu %x approximate none : tensor<2x3xf32>
  // CHECK: kiln.gelu %[[H]] approximate tanh : tensor<?xf16>
  %2 = kiln.gelu %h approximate tanh : tensor<?xf16>
  return
}

// CHECK-LABEL: func.func @leaky_relu
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3xf32>, %[[D:[a-z0-9]+]]: tensor<4xf64>)
func.func @leaky_relu(%x: tensor<2x3xf32>, %d: tensor<4xf64>) {
  // CHECK: kiln.leaky_relu %[[X]] : tensor<2x3xf32>
  %0 = kiln.leaky_relu %x : tensor<2x3xf32>
  // CHECK: kiln.leaky_relu %[[D]] {alpha = 2.000000e-01 : f64} : tensor<4xf64>
  %1 = kiln.leaky_relu %d {alpha = 0.2 : f64} : tensor<4xf64>
  return
}

// CHECK-LABEL: func.func @hard_sigmoid
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x?xbf16>)
func.func @hard_sigmoid(%x: tensor<2x?xbf16>) {
  // CHECK: kiln.hard_sigmoid %[[X]] : tensor<2x?xbf16>
  %0 = kiln.hard_sigmoid %x : tensor<2x?xbf16>
  // CHECK: kiln.hard_sigmoid %[[X]] {alpha = 1.250000e-01 : f64, beta = 2.500000e-01 : f64} : tensor<2x?xbf16>
  %1 = kiln.hard_sigmoid %x {alpha = 0.125 : f64, beta = 0.25 : f64} : tensor<2x?xbf16>
  return
}

// Either bound alone, both, or none.
// CHECK-LABEL: func.func @clip
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<4xf32>, %[[I:[a-z0-9]+]]: tensor<?xi32>)
func.func @clip(%x: tensor<4xf32>, %i: tensor<?xi32>) {
  // CHECK: kiln.clip %[[X]] {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<4xf32>
  %0 = kiln.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<4xf32>
  // CHECK: kiln.clip %[[X]] {min = -1.000000e+00 : f64} : tensor<4xf32>
  %1 = kiln.clip %x {min = -1.0 : f64} : tensor<4xf32>
  // CHECK: kiln.clip %[[I]] {max = 1.000000e+02 : f64} : tensor<?xi32>
  %2 = kiln.clip %i {max = 100.0 : f64} : tensor<?xi32>
  // CHECK: kiln.clip %[[I]] : tensor<?xi32>
  %3 = kiln.clip %i : tensor<?xi32>
  // A single-point range is allowed.
  // CHECK: kiln.clip %[[X]] {max = 1.000000e+00 : f64, min = 1.000000e+00 : f64} : tensor<4xf32>
  %4 = kiln.clip %x {min = 1.0 : f64, max = 1.0 : f64} : tensor<4xf32>
  return
}

//===----------------------------------------------------------------------===//
// cast
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cast
// CHECK-SAME: (%[[F:[a-z0-9]+]]: tensor<4xf32>, %[[B:[a-z0-9]+]]: tensor<4xi1>, %[[D:[a-z0-9]+]]: tensor<?x2xi64>)
func.func @cast(%f: tensor<4xf32>, %b: tensor<4xi1>, %d: tensor<?x2xi64>) {
  // CHECK: kiln.cast %[[F]] : tensor<4xf32> -> tensor<4xi64>
  %0 = kiln.cast %f : tensor<4xf32> -> tensor<4xi64>
  // CHECK: kiln.cast %[[F]] : tensor<4xf32> -> tensor<4xf16>
  %1 = kiln.cast %f : tensor<4xf32> -> tensor<4xf16>
  // CHECK: kiln.cast %[[F]] : tensor<4xf32> -> tensor<4xbf16>
  %2 = kiln.cast %f : tensor<4xf32> -> tensor<4xbf16>
  // CHECK: kiln.cast %[[F]] : tensor<4xf32> -> tensor<4xi1>
  %3 = kiln.cast %f : tensor<4xf32> -> tensor<4xi1>
  // CHECK: kiln.cast %[[B]] : tensor<4xi1> -> tensor<4xi8>
  %4 = kiln.cast %b : tensor<4xi1> -> tensor<4xi8>
  // CHECK: kiln.cast %[[B]] : tensor<4xi1> -> tensor<4xf64>
  %5 = kiln.cast %b : tensor<4xi1> -> tensor<4xf64>
  // CHECK: kiln.cast %[[D]] : tensor<?x2xi64> -> tensor<?x2xi32>
  %6 = kiln.cast %d : tensor<?x2xi64> -> tensor<?x2xi32>
  // A result more static than the operand is a refinement, as for every op.
  // CHECK: kiln.cast %[[D]] : tensor<?x2xi64> -> tensor<3x2xf32>
  %7 = kiln.cast %d : tensor<?x2xi64> -> tensor<3x2xf32>
  return
}

// The storage-only types: float8 (saturating by default, which is not
// printed) and the 4- and 2-bit integers.
// CHECK-LABEL: func.func @cast_storage_types
// CHECK-SAME: (%[[F:.*]]: tensor<4xf32>, %[[Q:.*]]: tensor<4xf8E5M2FNUZ>)
func.func @cast_storage_types(%f: tensor<4xf32>, %q: tensor<4xf8E5M2FNUZ>) {
  // CHECK: kiln.cast %[[F]] : tensor<4xf32> -> tensor<4xf8E4M3FN>
  %0 = kiln.cast %f : tensor<4xf32> -> tensor<4xf8E4M3FN>
  // CHECK: kiln.cast %[[F]] {saturate = false} : tensor<4xf32> -> tensor<4xf8E5M2>
  %1 = kiln.cast %f {saturate = false} : tensor<4xf32> -> tensor<4xf8E5M2>
  // CHECK: kiln.cast %[[Q]] : tensor<4xf8E5M2FNUZ> -> tensor<4xf8E4M3FNUZ>
  %2 = kiln.cast %q : tensor<4xf8E5M2FNUZ> -> tensor<4xf8E4M3FNUZ>
  // CHECK: kiln.cast %[[F]] : tensor<4xf32> -> tensor<4xi4>
  %3 = kiln.cast %f : tensor<4xf32> -> tensor<4xi4>
  // CHECK: kiln.cast %{{.*}} : tensor<4xi4> -> tensor<4xui2>
  %4 = kiln.cast %3 : tensor<4xi4> -> tensor<4xui2>
  return
}

//===----------------------------------------------------------------------===//
// bitcast
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @bitcast
func.func @bitcast(%f: tensor<2x3xf32>, %q: tensor<4xf8E4M3FN>, %b: tensor<4xi1>, %i: tensor<4xi4>) {
  // CHECK: kiln.bitcast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xui32>
  %0 = kiln.bitcast %f : tensor<2x3xf32> -> tensor<2x3xui32>
  // CHECK: kiln.bitcast %{{.*}} : tensor<4xf8E4M3FN> -> tensor<4xi8>
  %1 = kiln.bitcast %q : tensor<4xf8E4M3FN> -> tensor<4xi8>
  // Bools are bytes, as ONNX stores them.
  // CHECK: kiln.bitcast %{{.*}} : tensor<4xi1> -> tensor<4xui8>
  %2 = kiln.bitcast %b : tensor<4xi1> -> tensor<4xui8>
  // CHECK: kiln.bitcast %{{.*}} : tensor<4xi4> -> tensor<4xui4>
  %3 = kiln.bitcast %i : tensor<4xi4> -> tensor<4xui4>
  return
}

//===----------------------------------------------------------------------===//
// Binary arithmetic with broadcasting
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @add
// CHECK-SAME: (%[[A:[a-z0-9]+]]: tensor<2x3xf32>, %[[B:[a-z0-9]+]]: tensor<3xf32>, %[[S:[a-z0-9]+]]: tensor<f32>, %[[C:[a-z0-9]+]]: tensor<4x1xf32>, %[[D:[a-z0-9]+]]: tensor<?x3xf32>)
func.func @add(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %s: tensor<f32>,
               %c: tensor<4x1xf32>, %d: tensor<?x3xf32>) {
  // CHECK: kiln.add %[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %0 = kiln.add %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  // Scalar (rank 0) with a tensor.
  // CHECK: kiln.add %[[S]], %[[A]] : tensor<f32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = kiln.add %s, %a : tensor<f32>, tensor<2x3xf32> -> tensor<2x3xf32>
  // Both operands stretch: [4, 1] + [3] -> [4, 3].
  // CHECK: kiln.add %[[C]], %[[B]] : tensor<4x1xf32>, tensor<3xf32> -> tensor<4x3xf32>
  %2 = kiln.add %c, %b : tensor<4x1xf32>, tensor<3xf32> -> tensor<4x3xf32>
  // A dynamic dim against a static one > 1 is inferred static ...
  // CHECK: kiln.add %[[D]], %[[A]] : tensor<?x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %3 = kiln.add %d, %a : tensor<?x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  // ... and the result may stay less refined than inference.
  // CHECK: kiln.add %[[D]], %[[A]] : tensor<?x3xf32>, tensor<2x3xf32> -> tensor<?x3xf32>
  %4 = kiln.add %d, %a : tensor<?x3xf32>, tensor<2x3xf32> -> tensor<?x3xf32>
  // A dynamic dim against 1 stays dynamic.
  // CHECK: kiln.add %[[D]], %[[B]] : tensor<?x3xf32>, tensor<3xf32> -> tensor<?x3xf32>
  %5 = kiln.add %d, %b : tensor<?x3xf32>, tensor<3xf32> -> tensor<?x3xf32>
  return
}

// CHECK-LABEL: func.func @arith_element_types
func.func @arith_element_types(%h: tensor<4xf16>, %bf: tensor<4xbf16>,
                               %d: tensor<4xf64>, %i8: tensor<4xi8>,
                               %i32: tensor<4xi32>, %i64: tensor<2x4xi64>,
                               %v64: tensor<4xi64>) {
  // CHECK: kiln.sub %{{.*}}, %{{.*}} : tensor<4xf16>, tensor<4xf16> -> tensor<4xf16>
  %0 = kiln.sub %h, %h : tensor<4xf16>, tensor<4xf16> -> tensor<4xf16>
  // CHECK: kiln.mul %{{.*}}, %{{.*}} : tensor<4xbf16>, tensor<4xbf16> -> tensor<4xbf16>
  %1 = kiln.mul %bf, %bf : tensor<4xbf16>, tensor<4xbf16> -> tensor<4xbf16>
  // CHECK: kiln.div %{{.*}}, %{{.*}} : tensor<4xf64>, tensor<4xf64> -> tensor<4xf64>
  %2 = kiln.div %d, %d : tensor<4xf64>, tensor<4xf64> -> tensor<4xf64>
  // CHECK: kiln.add %{{.*}}, %{{.*}} : tensor<4xi8>, tensor<4xi8> -> tensor<4xi8>
  %3 = kiln.add %i8, %i8 : tensor<4xi8>, tensor<4xi8> -> tensor<4xi8>
  // CHECK: kiln.div %{{.*}}, %{{.*}} : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  %4 = kiln.div %i32, %i32 : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  // CHECK: kiln.mul %{{.*}}, %{{.*}} : tensor<2x4xi64>, tensor<4xi64> -> tensor<2x4xi64>
  %5 = kiln.mul %i64, %v64 : tensor<2x4xi64>, tensor<4xi64> -> tensor<2x4xi64>
  return
}

// CHECK-LABEL: func.func @pow
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x?xf32>, %[[E:[a-z0-9]+]]: tensor<f32>)
func.func @pow(%x: tensor<2x?xf32>, %e: tensor<f32>) -> tensor<2x?xf32> {
  // CHECK: %[[R:.*]] = kiln.pow %[[X]], %[[E]] : tensor<2x?xf32>, tensor<f32> -> tensor<2x?xf32>
  // CHECK: return %[[R]]
  %0 = kiln.pow %x, %e : tensor<2x?xf32>, tensor<f32> -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// CHECK-LABEL: func.func @max_min
// CHECK-SAME: (%[[A:[a-z0-9]+]]: tensor<3x1xi32>, %[[B:[a-z0-9]+]]: tensor<1x4xi32>, %[[F:[a-z0-9]+]]: tensor<4xf16>)
func.func @max_min(%a: tensor<3x1xi32>, %b: tensor<1x4xi32>, %f: tensor<4xf16>) {
  // CHECK: kiln.max %[[A]], %[[B]] : tensor<3x1xi32>, tensor<1x4xi32> -> tensor<3x4xi32>
  %0 = kiln.max %a, %b : tensor<3x1xi32>, tensor<1x4xi32> -> tensor<3x4xi32>
  // CHECK: kiln.min %[[A]], %[[B]] : tensor<3x1xi32>, tensor<1x4xi32> -> tensor<3x4xi32>
  %1 = kiln.min %a, %b : tensor<3x1xi32>, tensor<1x4xi32> -> tensor<3x4xi32>
  // CHECK: kiln.max %[[F]], %[[F]] : tensor<4xf16>, tensor<4xf16> -> tensor<4xf16>
  %2 = kiln.max %f, %f : tensor<4xf16>, tensor<4xf16> -> tensor<4xf16>
  // CHECK: kiln.min %[[F]], %[[F]] : tensor<4xf16>, tensor<4xf16> -> tensor<4xf16>
  %3 = kiln.min %f, %f : tensor<4xf16>, tensor<4xf16> -> tensor<4xf16>
  return
}

// CHECK-LABEL: func.func @logical
// CHECK-SAME: (%[[A:[a-z0-9]+]]: tensor<2x?xi1>, %[[B:[a-z0-9]+]]: tensor<i1>)
func.func @logical(%a: tensor<2x?xi1>, %b: tensor<i1>) {
  // CHECK: kiln.and %[[A]], %[[B]] : tensor<2x?xi1>, tensor<i1> -> tensor<2x?xi1>
  %0 = kiln.and %a, %b : tensor<2x?xi1>, tensor<i1> -> tensor<2x?xi1>
  // CHECK: kiln.or %[[B]], %[[A]] : tensor<i1>, tensor<2x?xi1> -> tensor<2x?xi1>
  %1 = kiln.or %b, %a : tensor<i1>, tensor<2x?xi1> -> tensor<2x?xi1>
  return
}

// CHECK-LABEL: func.func @bitwise
// CHECK-SAME: (%[[A:[a-z0-9]+]]: tensor<2x?xi32>, %[[B:[a-z0-9]+]]: tensor<i32>, %[[U:[a-z0-9]+]]: tensor<4xui8>)
func.func @bitwise(%a: tensor<2x?xi32>, %b: tensor<i32>, %u: tensor<4xui8>) {
  // CHECK: kiln.bitwise_and %[[A]], %[[B]] : tensor<2x?xi32>, tensor<i32> -> tensor<2x?xi32>
  %0 = kiln.bitwise_and %a, %b : tensor<2x?xi32>, tensor<i32> -> tensor<2x?xi32>
  // CHECK: kiln.bitwise_or %[[B]], %[[A]] : tensor<i32>, tensor<2x?xi32> -> tensor<2x?xi32>
  %1 = kiln.bitwise_or %b, %a : tensor<i32>, tensor<2x?xi32> -> tensor<2x?xi32>
  // CHECK: kiln.bitwise_xor %[[U]], %[[U]] : tensor<4xui8>, tensor<4xui8> -> tensor<4xui8>
  %2 = kiln.bitwise_xor %u, %u : tensor<4xui8>, tensor<4xui8> -> tensor<4xui8>
  // CHECK: kiln.bitwise_not %[[U]] : tensor<4xui8>
  %3 = kiln.bitwise_not %u : tensor<4xui8>
  // CHECK: kiln.shift_left %[[U]], %[[U]] : tensor<4xui8>, tensor<4xui8> -> tensor<4xui8>
  %4 = kiln.shift_left %u, %u : tensor<4xui8>, tensor<4xui8> -> tensor<4xui8>
  // CHECK: kiln.shift_right %[[A]], %[[B]] : tensor<2x?xi32>, tensor<i32> -> tensor<2x?xi32>
  %5 = kiln.shift_right %a, %b : tensor<2x?xi32>, tensor<i32> -> tensor<2x?xi32>
  return
}

//===----------------------------------------------------------------------===//
// compare and select
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @compare
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3xf32>, %[[Y:[a-z0-9]+]]: tensor<3xf32>)
func.func @compare(%x: tensor<2x3xf32>, %y: tensor<3xf32>) {
  // CHECK: kiln.compare eq, %[[X]], %[[Y]] : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  %0 = kiln.compare eq, %x, %y : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  // CHECK: kiln.compare ne, %[[X]], %[[Y]] : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  %1 = kiln.compare ne, %x, %y : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  // CHECK: kiln.compare lt, %[[X]], %[[Y]] : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  %2 = kiln.compare lt, %x, %y : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  // CHECK: kiln.compare le, %[[X]], %[[Y]] : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  %3 = kiln.compare le, %x, %y : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  // CHECK: kiln.compare gt, %[[X]], %[[Y]] : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  %4 = kiln.compare gt, %x, %y : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  // CHECK: kiln.compare ge, %[[X]], %[[Y]] : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  %5 = kiln.compare ge, %x, %y : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  return
}

// Every element type compares, bool included.
// CHECK-LABEL: func.func @compare_element_types
func.func @compare_element_types(%h: tensor<2xf16>, %bf: tensor<2xbf16>,
                                 %d: tensor<2xf64>, %b: tensor<2xi1>,
                                 %i8: tensor<2xi8>, %i32: tensor<?xi32>,
                                 %i64: tensor<i64>) {
  // CHECK: kiln.compare lt, %{{.*}}, %{{.*}} : tensor<2xf16>, tensor<2xf16> -> tensor<2xi1>
  %0 = kiln.compare lt, %h, %h : tensor<2xf16>, tensor<2xf16> -> tensor<2xi1>
  // CHECK: kiln.compare le, %{{.*}}, %{{.*}} : tensor<2xbf16>, tensor<2xbf16> -> tensor<2xi1>
  %1 = kiln.compare le, %bf, %bf : tensor<2xbf16>, tensor<2xbf16> -> tensor<2xi1>
  // CHECK: kiln.compare gt, %{{.*}}, %{{.*}} : tensor<2xf64>, tensor<2xf64> -> tensor<2xi1>
  %2 = kiln.compare gt, %d, %d : tensor<2xf64>, tensor<2xf64> -> tensor<2xi1>
  // CHECK: kiln.compare eq, %{{.*}}, %{{.*}} : tensor<2xi1>, tensor<2xi1> -> tensor<2xi1>
  %3 = kiln.compare eq, %b, %b : tensor<2xi1>, tensor<2xi1> -> tensor<2xi1>
  // CHECK: kiln.compare ne, %{{.*}}, %{{.*}} : tensor<2xi8>, tensor<2xi8> -> tensor<2xi1>
  %4 = kiln.compare ne, %i8, %i8 : tensor<2xi8>, tensor<2xi8> -> tensor<2xi1>
  // CHECK: kiln.compare ge, %{{.*}}, %{{.*}} : tensor<?xi32>, tensor<?xi32> -> tensor<?xi1>
  %5 = kiln.compare ge, %i32, %i32 : tensor<?xi32>, tensor<?xi32> -> tensor<?xi1>
  // CHECK: kiln.compare lt, %{{.*}}, %{{.*}} : tensor<i64>, tensor<i64> -> tensor<i1>
  %6 = kiln.compare lt, %i64, %i64 : tensor<i64>, tensor<i64> -> tensor<i1>
  return
}

// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[C:[a-z0-9]+]]: tensor<2x1xi1>, %[[A:[a-z0-9]+]]: tensor<3xf32>, %[[B:[a-z0-9]+]]: tensor<f32>, %[[I:[a-z0-9]+]]: tensor<?x3xi64>, %[[J:[a-z0-9]+]]: tensor<i64>)
func.func @select(%c: tensor<2x1xi1>, %a: tensor<3xf32>, %b: tensor<f32>,
                  %i: tensor<?x3xi64>, %j: tensor<i64>) {
  // The three operands broadcast together: [2, 1], [3], [] -> [2, 3].
  // CHECK: kiln.select %[[C]], %[[A]], %[[B]] : (tensor<2x1xi1>, tensor<3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %0 = kiln.select %c, %a, %b : (tensor<2x1xi1>, tensor<3xf32>, tensor<f32>) -> tensor<2x3xf32>
  // CHECK: kiln.select %[[C]], %[[I]], %[[J]] : (tensor<2x1xi1>, tensor<?x3xi64>, tensor<i64>) -> tensor<2x3xi64>
  %1 = kiln.select %c, %i, %j : (tensor<2x1xi1>, tensor<?x3xi64>, tensor<i64>) -> tensor<2x3xi64>
  // Bool values.
  // CHECK: kiln.select %[[C]], %[[C]], %[[C]] : (tensor<2x1xi1>, tensor<2x1xi1>, tensor<2x1xi1>) -> tensor<2x1xi1>
  %2 = kiln.select %c, %c, %c : (tensor<2x1xi1>, tensor<2x1xi1>, tensor<2x1xi1>) -> tensor<2x1xi1>
  return
}
