// RUN: kiln-opt %s -kiln-canonicalize -split-input-file | FileCheck %s
// Folders and canonicalization patterns of the kiln dialect. Folded
// constants are hoisted to the top of the function and deduplicated.

//===----------------------------------------------------------------------===//
// Constant folding: unary ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @fold_neg_abs_relu
func.func @fold_neg_abs_relu() -> (tensor<3xf32>, tensor<3xi64>, tensor<3xf32>, tensor<3xi32>, tensor<3xf16>, tensor<3xi8>) {
  %f = kiln.constant dense<[1.5, -2.0, 0.0]> : tensor<3xf32>
  %i = kiln.constant dense<[7, -3, 0]> : tensor<3xi64>
  %j = kiln.constant dense<[-5, 9, 0]> : tensor<3xi32>
  %h = kiln.constant dense<[-0.5, 2.0, -3.0]> : tensor<3xf16>
  // Integers wrap: -(-128) is -128 in i8.
  %b = kiln.constant dense<[-128, 127, -1]> : tensor<3xi8>
  // CHECK-DAG: %[[NEG:.*]] = kiln.constant dense<[-1.500000e+00, 2.000000e+00, -0.000000e+00]> : tensor<3xf32>
  %0 = kiln.neg %f : tensor<3xf32>
  // CHECK-DAG: %[[NEGI:.*]] = kiln.constant dense<[-7, 3, 0]> : tensor<3xi64>
  %1 = kiln.neg %i : tensor<3xi64>
  // CHECK-DAG: %[[ABS:.*]] = kiln.constant dense<[1.500000e+00, 2.000000e+00, 0.000000e+00]> : tensor<3xf32>
  %2 = kiln.abs %f : tensor<3xf32>
  // CHECK-DAG: %[[ABSI:.*]] = kiln.constant dense<[5, 9, 0]> : tensor<3xi32>
  %3 = kiln.abs %j : tensor<3xi32>
  // CHECK-DAG: %[[RELU:.*]] = kiln.constant dense<[0.000000e+00, 2.000000e+00, 0.000000e+00]> : tensor<3xf16>
  %4 = kiln.relu %h : tensor<3xf16>
  // CHECK-DAG: %[[NEGB:.*]] = kiln.constant dense<[-128, -127, 1]> : tensor<3xi8>
  %5 = kiln.neg %b : tensor<3xi8>
  // CHECK: return %[[NEG]], %[[NEGI]], %[[ABS]], %[[ABSI]], %[[RELU]], %[[NEGB]]
  return %0, %1, %2, %3, %4, %5 : tensor<3xf32>, tensor<3xi64>, tensor<3xf32>, tensor<3xi32>, tensor<3xf16>, tensor<3xi8>
}

// -----

// Each float math op on [0, 1] or [4, -1.5]; results are rounded to f32.
// CHECK-LABEL: func.func @fold_float_math
func.func @fold_float_math() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
                                 tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
                                 tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
                                 tensor<2xf32>) {
  %a = kiln.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %b = kiln.constant dense<[4.0, -1.5]> : tensor<2xf32>
  %p = kiln.constant dense<[4.0, 0.25]> : tensor<2xf32>
  // CHECK-DAG: %[[EXP:.*]] = kiln.constant dense<[1.000000e+00, 2.71828175]> : tensor<2xf32>
  %0 = kiln.exp %a : tensor<2xf32>
  // CHECK-DAG: %[[LOG:.*]] = kiln.constant dense<[1.38629436, -1.38629436]> : tensor<2xf32>
  %1 = kiln.log %p : tensor<2xf32>
  // CHECK-DAG: %[[SQRT:.*]] = kiln.constant dense<[2.000000e+00, 5.000000e-01]> : tensor<2xf32>
  %2 = kiln.sqrt %p : tensor<2xf32>
  // CHECK-DAG: %[[RSQRT:.*]] = kiln.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
  %3 = kiln.rsqrt %p : tensor<2xf32>
  // CHECK-DAG: %[[RECIP:.*]] = kiln.constant dense<[2.500000e-01, -0.666666686]> : tensor<2xf32>
  %4 = kiln.reciprocal %b : tensor<2xf32>
  // CHECK-DAG: %[[TANH:.*]] = kiln.constant dense<[0.000000e+00, 0.761594176]> : tensor<2xf32>
  %5 = kiln.tanh %a : tensor<2xf32>
  // CHECK-DAG: %[[SIGMOID:.*]] = kiln.constant dense<[5.000000e-01, 0.731058597]> : tensor<2xf32>
  %6 = kiln.sigmoid %a : tensor<2xf32>
  // CHECK-DAG: %[[ERF:.*]] = kiln.constant dense<[0.000000e+00, 0.842700779]> : tensor<2xf32>
  %7 = kiln.erf %a : tensor<2xf32>
  // CHECK-DAG: %[[SIN:.*]] = kiln.constant dense<[0.000000e+00, 0.841470957]> : tensor<2xf32>
  %8 = kiln.sin %a : tensor<2xf32>
  // CHECK-DAG: %[[COS:.*]] = kiln.constant dense<[1.000000e+00, 0.540302277]> : tensor<2xf32>
  %9 = kiln.cos %a : tensor<2xf32>
  // CHECK-DAG: %[[FLOOR:.*]] = kiln.constant dense<[4.000000e+00, -2.000000e+00]> : tensor<2xf32>
  %10 = kiln.floor %b : tensor<2xf32>
  // CHECK-DAG: %[[CEIL:.*]] = kiln.constant dense<[4.000000e+00, -1.000000e+00]> : tensor<2xf32>
  %11 = kiln.ceil %b : tensor<2xf32>
  // x * clamp(x / 6 + 1/2, 0, 1): 4 * 1, -1.5 * 0.25.
  // CHECK-DAG: %[[HSWISH:.*]] = kiln.constant dense<[4.000000e+00, -3.750000e-01]> : tensor<2xf32>
  %12 = kiln.hard_swish %b : tensor<2xf32>
  // CHECK: return %[[EXP]], %[[LOG]], %[[SQRT]], %[[RSQRT]], %[[RECIP]], %[[TANH]], %[[SIGMOID]], %[[ERF]], %[[SIN]], %[[COS]], %[[FLOOR]], %[[CEIL]], %[[HSWISH]]
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12
      : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
        tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
        tensor<2xf32>
}

// -----

// The two gelu formulas differ at 1: exact 0.841344746, tanh 0.841191990;
// computed in f32 steps, as the generated code does, the exact one is
// 0.841344714.
// CHECK-LABEL: func.func @fold_activations
func.func @fold_activations() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<3xf32>) {
  %a = kiln.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %b = kiln.constant dense<[4.0, -1.5]> : tensor<2xf32>
  %c = kiln.constant dense<[4.0, -1.5, -4.0]> : tensor<3xf32>
  // CHECK-DAG: %[[GELU:.*]] = kiln.constant dense<[0.000000e+00, 0.841344714]> : tensor<2xf32>
  %0 = kiln.gelu %a : tensor<2xf32>
  // CHECK-DAG: %[[GELU_TANH:.*]] = kiln.constant dense<[0.000000e+00, 8.411920e-01]> : tensor<2xf32>
  %1 = kiln.gelu %a approximate tanh : tensor<2xf32>
  // CHECK-DAG: %[[LEAKY:.*]] = kiln.constant dense<[4.000000e+00, -7.500000e-01]> : tensor<2xf32>
  %2 = kiln.leaky_relu %b {alpha = 0.5 : f64} : tensor<2xf32>
  // clamp(0.25 * x + 0.5, 0, 1).
  // CHECK-DAG: %[[HSIG:.*]] = kiln.constant dense<[1.000000e+00, 1.250000e-01, 0.000000e+00]> : tensor<3xf32>
  %3 = kiln.hard_sigmoid %c {alpha = 0.25 : f64, beta = 0.5 : f64} : tensor<3xf32>
  // CHECK: return %[[GELU]], %[[GELU_TANH]], %[[LEAKY]], %[[HSIG]]
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<3xf32>
}

// -----

// f16 and bf16 fold in f32 and round once to the element type; f64 folds in
// f64.
// CHECK-LABEL: func.func @fold_narrow_floats
func.func @fold_narrow_floats() -> (tensor<2xbf16>, tensor<2xf16>, tensor<2xf64>) {
  %b = kiln.constant dense<[0.0, 1.0]> : tensor<2xbf16>
  %h = kiln.constant dense<[2.0, 3.0]> : tensor<2xf16>
  %d = kiln.constant dense<[2.0, 3.0]> : tensor<2xf64>
  // CHECK-DAG: %[[B:.*]] = kiln.constant dense<[1.000000e+00, 2.718750e+00]> : tensor<2xbf16>
  %0 = kiln.exp %b : tensor<2xbf16>
  // CHECK-DAG: %[[H:.*]] = kiln.constant dense<[1.414060e+00, 1.732420e+00]> : tensor<2xf16>
  %1 = kiln.sqrt %h : tensor<2xf16>
  // CHECK-DAG: %[[D:.*]] = kiln.constant dense<[1.4142135623730951, 1.7320508075688772]> : tensor<2xf64>
  %2 = kiln.sqrt %d : tensor<2xf64>
  // CHECK: return %[[B]], %[[H]], %[[D]]
  return %0, %1, %2 : tensor<2xbf16>, tensor<2xf16>, tensor<2xf64>
}

// -----

// CHECK-LABEL: func.func @fold_not
func.func @fold_not() -> tensor<2xi1> {
  %b = kiln.constant dense<[true, false]> : tensor<2xi1>
  // CHECK: %[[R:.*]] = kiln.constant dense<[false, true]> : tensor<2xi1>
  // CHECK-NEXT: return %[[R]]
  %0 = kiln.not %b : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

// CHECK-LABEL: func.func @fold_clip
func.func @fold_clip() -> (tensor<4xf32>, tensor<4xi32>, tensor<3xi64>) {
  %f = kiln.constant dense<[-1.0, 3.0, 7.5, 0x7FC00000]> : tensor<4xf32>
  %i = kiln.constant dense<[-5, 0, 5, 100]> : tensor<4xi32>
  // Beyond 2^53 an i64 must be clamped exactly, not through double.
  %l = kiln.constant dense<[9007199254740993, -9007199254740993, 1]> : tensor<3xi64>
  // NaN stays NaN.
  // CHECK-DAG: %[[F:.*]] = kiln.constant dense<[0.000000e+00, 3.000000e+00, 6.000000e+00, 0x7FC00000]> : tensor<4xf32>
  %0 = kiln.clip %f {min = 0.0 : f64, max = 6.0 : f64} : tensor<4xf32>
  // CHECK-DAG: %[[I:.*]] = kiln.constant dense<[-5, 0, 5, 10]> : tensor<4xi32>
  %1 = kiln.clip %i {max = 10.0 : f64} : tensor<4xi32>
  // CHECK-DAG: %[[L:.*]] = kiln.constant dense<[9007199254740993, -9007199254740992, 1]> : tensor<3xi64>
  %2 = kiln.clip %l {min = -9007199254740992.0 : f64} : tensor<3xi64>
  // CHECK: return %[[F]], %[[I]], %[[L]]
  return %0, %1, %2 : tensor<4xf32>, tensor<4xi32>, tensor<3xi64>
}

// -----

// max, min, relu, clip and the hard_* clamps fold as arith.maximumf/minimumf
// compute them at run time: NaN wins, and -0 < +0.
// CHECK-LABEL: func.func @fold_nan_and_signed_zeros
func.func @fold_nan_and_signed_zeros()
    -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<3xf32>, tensor<3xf32>) {
  %x = kiln.constant dense<[0x7FC00000, -0.0, -2.0]> : tensor<3xf32>
  %a = kiln.constant dense<[-0.0, 0.0]> : tensor<2xf32>
  %b = kiln.constant dense<[0.0, -0.0]> : tensor<2xf32>
  // CHECK-DAG: %[[RELU:.*]] = kiln.constant dense<[0x7FC00000, 0.000000e+00, 0.000000e+00]> : tensor<3xf32>
  %0 = kiln.relu %x : tensor<3xf32>
  // clamp(0.2 * x + 0.5, 0, 1), in f32: 0.2 * -2 + 0.5 is 0.099999994.
  // CHECK-DAG: %[[HSIG:.*]] = kiln.constant dense<[0x7FC00000, 5.000000e-01, 0.099999994]> : tensor<3xf32>
  %1 = kiln.hard_sigmoid %x : tensor<3xf32>
  // -2 * (-2 / 6 + 0.5) in f32.
  // CHECK-DAG: %[[HSWISH:.*]] = kiln.constant dense<[0x7FC00000, -0.000000e+00, -0.333333313]> : tensor<3xf32>
  %2 = kiln.hard_swish %x : tensor<3xf32>
  // CHECK-DAG: %[[MAX:.*]] = kiln.constant dense<0.000000e+00> : tensor<2xf32>
  %3 = kiln.max %a, %b : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  // CHECK-DAG: %[[MIN:.*]] = kiln.constant dense<-0.000000e+00> : tensor<2xf32>
  %4 = kiln.min %a, %b : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  // clip with min 0 is relu.
  %5 = kiln.clip %x {min = 0.0 : f64} : tensor<3xf32>
  // CHECK-DAG: %[[CLIP:.*]] = kiln.constant dense<[0x7FC00000, -0.000000e+00, -2.000000e+00]> : tensor<3xf32>
  %6 = kiln.clip %x {max = -0.0 : f64} : tensor<3xf32>
  // CHECK: return %[[RELU]], %[[HSIG]], %[[HSWISH]], %[[MAX]], %[[MIN]], %[[RELU]], %[[CLIP]]
  return %0, %1, %2, %3, %4, %5, %6
      : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Folds take the generated code's steps in its types: each arithmetic step
// rounds to f32, math.rsqrt is 1 / sqrt(x) rounded twice, f16 math rounds to
// f32 and then to f16. Computing in double and rounding once gave values the
// code never computes: hard_swish -0.00371212396, gelu -6.6e-08 (the code's
// 1 + erf(x / sqrt 2) cancels to 0), rsqrt 0.396668613, pow 0.568848.
// CHECK-LABEL: func.func @fold_in_the_compute_type
func.func @fold_in_the_compute_type() -> (tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf16>) {
  // -2.99255729, -5.58300352, 6.35542059; f16 0.812 and 2.707.
  %a = kiln.constant dense<0xC03F860F> : tensor<1xf32>
  %b = kiln.constant dense<0xC0B2A7F7> : tensor<1xf32>
  %c = kiln.constant dense<0x40CB5F9B> : tensor<1xf32>
  %h = kiln.constant dense<0x3A7F> : tensor<1xf16>
  %e = kiln.constant dense<0x416A> : tensor<1xf16>
  // CHECK-DAG: %[[HSWISH:.*]] = kiln.constant dense<-0.00371215376> : tensor<1xf32>
  %0 = kiln.hard_swish %a : tensor<1xf32>
  // CHECK-DAG: %[[GELU:.*]] = kiln.constant dense<-0.000000e+00> : tensor<1xf32>
  %1 = kiln.gelu %b : tensor<1xf32>
  // CHECK-DAG: %[[RSQRT:.*]] = kiln.constant dense<0.396668643> : tensor<1xf32>
  %2 = kiln.rsqrt %c : tensor<1xf32>
  // CHECK-DAG: %[[POW:.*]] = kiln.constant dense<5.693360e-01> : tensor<1xf16>
  %3 = kiln.pow %h, %e : tensor<1xf16>, tensor<1xf16> -> tensor<1xf16>
  // CHECK: return %[[HSWISH]], %[[GELU]], %[[RSQRT]], %[[POW]]
  return %0, %1, %2, %3 : tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf16>
}

// -----

//===----------------------------------------------------------------------===//
// Constant folding: binary ops with broadcasting
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @fold_add_broadcast
func.func @fold_add_broadcast() -> (tensor<2x2xf32>, tensor<2x3xi64>) {
  %a = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = kiln.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %c = kiln.constant dense<[[1], [2]]> : tensor<2x1xi64>
  %d = kiln.constant dense<[10, 20, 30]> : tensor<3xi64>
  // CHECK-DAG: %[[F:.*]] = kiln.constant dense<{{\[\[}}1.100000e+01, 2.200000e+01], [1.300000e+01, 2.400000e+01]]> : tensor<2x2xf32>
  %0 = kiln.add %a, %b : tensor<2x2xf32>, tensor<2xf32> -> tensor<2x2xf32>
  // Both operands stretch: [2, 1] + [3] -> [2, 3].
  // CHECK-DAG: %[[I:.*]] = kiln.constant dense<{{\[\[}}11, 21, 31], [12, 22, 32]]> : tensor<2x3xi64>
  %1 = kiln.add %c, %d : tensor<2x1xi64>, tensor<3xi64> -> tensor<2x3xi64>
  // CHECK: return %[[F]], %[[I]]
  return %0, %1 : tensor<2x2xf32>, tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func.func @fold_arith
func.func @fold_arith() -> (tensor<2xi32>, tensor<2xi8>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %i = kiln.constant dense<[5, -5]> : tensor<2xi32>
  %j = kiln.constant dense<[7, 2]> : tensor<2xi32>
  %b = kiln.constant dense<[100, -100]> : tensor<2xi8>
  %f = kiln.constant dense<[1.0, -3.0]> : tensor<2xf32>
  %g = kiln.constant dense<[4.0, 0.0]> : tensor<2xf32>
  %e = kiln.constant dense<2.0> : tensor<f32>
  // CHECK-DAG: %[[SUB:.*]] = kiln.constant dense<[-2, -7]> : tensor<2xi32>
  %0 = kiln.sub %i, %j : tensor<2xi32>, tensor<2xi32> -> tensor<2xi32>
  // i8 products wrap: 100 * 3 = 44, -100 * 3 = -44.
  %three = kiln.constant dense<3> : tensor<i8>
  // CHECK-DAG: %[[MUL:.*]] = kiln.constant dense<[44, -44]> : tensor<2xi8>
  %1 = kiln.mul %b, %three : tensor<2xi8>, tensor<i8> -> tensor<2xi8>
  // Float division by zero is IEEE: -3 / 0 = -inf.
  // CHECK-DAG: %[[DIV:.*]] = kiln.constant dense<[2.500000e-01, 0xFF800000]> : tensor<2xf32>
  %2 = kiln.div %f, %g : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  // CHECK-DAG: %[[POW:.*]] = kiln.constant dense<[1.600000e+01, 0.000000e+00]> : tensor<2xf32>
  %3 = kiln.pow %g, %e : tensor<2xf32>, tensor<f32> -> tensor<2xf32>
  // CHECK-DAG: %[[MAX:.*]] = kiln.constant dense<[4.000000e+00, 0.000000e+00]> : tensor<2xf32>
  %4 = kiln.max %f, %g : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  // CHECK-DAG: %[[MIN:.*]] = kiln.constant dense<[1.000000e+00, -3.000000e+00]> : tensor<2xf32>
  %5 = kiln.min %f, %g : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  // CHECK: return %[[SUB]], %[[MUL]], %[[DIV]], %[[POW]], %[[MAX]], %[[MIN]]
  return %0, %1, %2, %3, %4, %5 : tensor<2xi32>, tensor<2xi8>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// Shape arithmetic on i64, as exported models compute reshape targets.
// Integer division truncates toward zero.
// CHECK-LABEL: func.func @fold_shape_arith
func.func @fold_shape_arith() -> (tensor<2xi64>, tensor<2xi64>, tensor<4xi64>) {
  %shape = kiln.constant dense<[2, 8]> : tensor<2xi64>
  %div = kiln.constant dense<[1, 2]> : tensor<2xi64>
  %n = kiln.constant dense<[7, -7, 7, -7]> : tensor<4xi64>
  %d = kiln.constant dense<[2, 2, -2, -2]> : tensor<4xi64>
  // CHECK-DAG: %[[Q:.*]] = kiln.constant dense<[2, 4]> : tensor<2xi64>
  %0 = kiln.div %shape, %div : tensor<2xi64>, tensor<2xi64> -> tensor<2xi64>
  // CHECK-DAG: %[[P:.*]] = kiln.constant dense<[2, 16]> : tensor<2xi64>
  %1 = kiln.mul %shape, %div : tensor<2xi64>, tensor<2xi64> -> tensor<2xi64>
  // CHECK-DAG: %[[T:.*]] = kiln.constant dense<[3, -3, -3, 3]> : tensor<4xi64>
  %2 = kiln.div %n, %d : tensor<4xi64>, tensor<4xi64> -> tensor<4xi64>
  // CHECK: return %[[Q]], %[[P]], %[[T]]
  return %0, %1, %2 : tensor<2xi64>, tensor<2xi64>, tensor<4xi64>
}

// -----

// NaN propagates through max and min.
// CHECK-LABEL: func.func @fold_max_min_nan
func.func @fold_max_min_nan() -> (tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.constant dense<[0x7FC00000, 1.0]> : tensor<2xf32>
  %b = kiln.constant dense<[1.0, 0x7FC00000]> : tensor<2xf32>
  // CHECK: %[[NAN:.*]] = kiln.constant dense<0x7FC00000> : tensor<2xf32>
  // CHECK-NEXT: return %[[NAN]], %[[NAN]]
  %0 = kiln.max %a, %b : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  %1 = kiln.min %a, %b : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @fold_logical
func.func @fold_logical() -> (tensor<4xi1>, tensor<4xi1>) {
  %a = kiln.constant dense<[true, true, false, false]> : tensor<4xi1>
  %b = kiln.constant dense<[true, false, true, false]> : tensor<4xi1>
  // CHECK-DAG: %[[AND:.*]] = kiln.constant dense<[true, false, false, false]> : tensor<4xi1>
  %0 = kiln.and %a, %b : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
  // CHECK-DAG: %[[OR:.*]] = kiln.constant dense<[true, true, true, false]> : tensor<4xi1>
  %1 = kiln.or %a, %b : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
  // CHECK: return %[[AND]], %[[OR]]
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// -----

//===----------------------------------------------------------------------===//
// Constant folding: compare, select
//===----------------------------------------------------------------------===//

// [1, 2, 3] against 2 (broadcast), every predicate.
// CHECK-LABEL: func.func @fold_compare_int
func.func @fold_compare_int() -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) {
  %a = kiln.constant dense<[1, 2, 3]> : tensor<3xi32>
  %b = kiln.constant dense<2> : tensor<i32>
  // CHECK-DAG: %[[EQ:.*]] = kiln.constant dense<[false, true, false]> : tensor<3xi1>
  %0 = kiln.compare eq, %a, %b : tensor<3xi32>, tensor<i32> -> tensor<3xi1>
  // CHECK-DAG: %[[NE:.*]] = kiln.constant dense<[true, false, true]> : tensor<3xi1>
  %1 = kiln.compare ne, %a, %b : tensor<3xi32>, tensor<i32> -> tensor<3xi1>
  // CHECK-DAG: %[[LT:.*]] = kiln.constant dense<[true, false, false]> : tensor<3xi1>
  %2 = kiln.compare lt, %a, %b : tensor<3xi32>, tensor<i32> -> tensor<3xi1>
  // CHECK-DAG: %[[LE:.*]] = kiln.constant dense<[true, true, false]> : tensor<3xi1>
  %3 = kiln.compare le, %a, %b : tensor<3xi32>, tensor<i32> -> tensor<3xi1>
  // CHECK-DAG: %[[GT:.*]] = kiln.constant dense<[false, false, true]> : tensor<3xi1>
  %4 = kiln.compare gt, %a, %b : tensor<3xi32>, tensor<i32> -> tensor<3xi1>
  // CHECK-DAG: %[[GE:.*]] = kiln.constant dense<[false, true, true]> : tensor<3xi1>
  %5 = kiln.compare ge, %a, %b : tensor<3xi32>, tensor<i32> -> tensor<3xi1>
  // CHECK: return %[[EQ]], %[[NE]], %[[LT]], %[[LE]], %[[GT]], %[[GE]]
  return %0, %1, %2, %3, %4, %5 : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>
}

// -----

// Integers compare as signed, bools as 0 < 1; with NaN only `ne` holds.
// Equal results fold to one constant.
// CHECK-LABEL: func.func @fold_compare_kinds
func.func @fold_compare_kinds() -> (tensor<2xi1>, tensor<2xi1>, tensor<2xi1>, tensor<2xi1>, tensor<2xi1>) {
  %i = kiln.constant dense<[-1, 1]> : tensor<2xi8>
  %z = kiln.constant dense<0> : tensor<2xi8>
  %t = kiln.constant dense<[true, false]> : tensor<2xi1>
  %f = kiln.constant dense<false> : tensor<2xi1>
  %x = kiln.constant dense<[0x7FC00000, 1.0]> : tensor<2xf32>
  %y = kiln.constant dense<1.0> : tensor<2xf32>
  // CHECK-DAG: %[[TF:.*]] = kiln.constant dense<[true, false]> : tensor<2xi1>
  // CHECK-DAG: %[[FT:.*]] = kiln.constant dense<[false, true]> : tensor<2xi1>
  // -1 < 0 (signed), 1 < 0.
  %0 = kiln.compare lt, %i, %z : tensor<2xi8>, tensor<2xi8> -> tensor<2xi1>
  // true > false, false > false.
  %1 = kiln.compare gt, %t, %f : tensor<2xi1>, tensor<2xi1> -> tensor<2xi1>
  // NaN == 1, 1 == 1.
  %2 = kiln.compare eq, %x, %y : tensor<2xf32>, tensor<2xf32> -> tensor<2xi1>
  // NaN >= 1, 1 >= 1.
  %3 = kiln.compare ge, %x, %y : tensor<2xf32>, tensor<2xf32> -> tensor<2xi1>
  // NaN != 1, 1 != 1.
  %4 = kiln.compare ne, %x, %y : tensor<2xf32>, tensor<2xf32> -> tensor<2xi1>
  // CHECK: return %[[TF]], %[[TF]], %[[FT]], %[[FT]], %[[TF]]
  return %0, %1, %2, %3, %4 : tensor<2xi1>, tensor<2xi1>, tensor<2xi1>, tensor<2xi1>, tensor<2xi1>
}

// -----

// CHECK-LABEL: func.func @fold_select
func.func @fold_select() -> tensor<2x2xf32> {
  %c = kiln.constant dense<[true, false]> : tensor<2xi1>
  %a = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = kiln.constant dense<-1.0> : tensor<f32>
  // The condition picks per column; the scalar broadcasts.
  // CHECK: %[[R:.*]] = kiln.constant dense<{{\[\[}}1.000000e+00, -1.000000e+00], [3.000000e+00, -1.000000e+00]]> : tensor<2x2xf32>
  // CHECK-NEXT: return %[[R]]
  %0 = kiln.select %c, %a, %b : (tensor<2xi1>, tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// A splat condition picks one operand, constant or not.
// CHECK-LABEL: func.func @fold_select_splat_condition
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<4xf32>, %[[Y:[a-z0-9]+]]: tensor<4xf32>)
func.func @fold_select_splat_condition(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %t = kiln.constant dense<true> : tensor<4xi1>
  %f = kiln.constant dense<false> : tensor<i1>
  %0 = kiln.select %t, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.select %f, %x, %y : (tensor<i1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NOT: kiln.select
  // CHECK: return %[[X]], %[[Y]]
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// select(c, x, x) -> x.
// CHECK-LABEL: func.func @fold_select_same
// CHECK-SAME: (%[[C:[a-z0-9]+]]: tensor<4xi1>, %[[X:[a-z0-9]+]]: tensor<4xf32>)
func.func @fold_select_same(%c: tensor<4xi1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NEXT: return %[[X]]
  %0 = kiln.select %c, %x, %x : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Constant folding: cast
//===----------------------------------------------------------------------===//

// Float to integer rounds toward zero and saturates; NaN becomes 0.
// CHECK-LABEL: func.func @fold_cast_float_to_int
func.func @fold_cast_float_to_int() -> (tensor<6xi64>, tensor<6xi8>) {
  %f = kiln.constant dense<[-1.7, 2.9, 0.5, -0.5, 300.0, 0x7FC00000]> : tensor<6xf32>
  // CHECK-DAG: %[[I64:.*]] = kiln.constant dense<[-1, 2, 0, 0, 300, 0]> : tensor<6xi64>
  %0 = kiln.cast %f : tensor<6xf32> -> tensor<6xi64>
  // CHECK-DAG: %[[I8:.*]] = kiln.constant dense<[-1, 2, 0, 0, 127, 0]> : tensor<6xi8>
  %1 = kiln.cast %f : tensor<6xf32> -> tensor<6xi8>
  // CHECK: return %[[I64]], %[[I8]]
  return %0, %1 : tensor<6xi64>, tensor<6xi8>
}

// -----

// CHECK-LABEL: func.func @fold_cast_int_to_float
func.func @fold_cast_int_to_float() -> (tensor<3xf32>, tensor<3xf16>) {
  %i = kiln.constant dense<[-3, 16777217, 70000]> : tensor<3xi64>
  // 2^24 + 1 rounds to 2^24 in f32; 70000 is beyond f16 (inf).
  // CHECK-DAG: %[[F32:.*]] = kiln.constant dense<[-3.000000e+00, 0x4B800000, 7.000000e+04]> : tensor<3xf32>
  %0 = kiln.cast %i : tensor<3xi64> -> tensor<3xf32>
  // CHECK-DAG: %[[F16:.*]] = kiln.constant dense<[-3.000000e+00, 0x7C00, 0x7C00]> : tensor<3xf16>
  %1 = kiln.cast %i : tensor<3xi64> -> tensor<3xf16>
  // CHECK: return %[[F32]], %[[F16]]
  return %0, %1 : tensor<3xf32>, tensor<3xf16>
}

// -----

// To bool is x != 0 (NaN included); from bool gives 0 or 1, never -1.
// CHECK-LABEL: func.func @fold_cast_bool
func.func @fold_cast_bool() -> (tensor<4xi1>, tensor<3xi1>, tensor<2xi64>, tensor<2xf32>) {
  %f = kiln.constant dense<[0.0, -0.0, 0.25, 0x7FC00000]> : tensor<4xf32>
  %i = kiln.constant dense<[0, 2, -1]> : tensor<3xi32>
  %b = kiln.constant dense<[true, false]> : tensor<2xi1>
  // CHECK-DAG: %[[FB:.*]] = kiln.constant dense<[false, false, true, true]> : tensor<4xi1>
  %0 = kiln.cast %f : tensor<4xf32> -> tensor<4xi1>
  // CHECK-DAG: %[[IB:.*]] = kiln.constant dense<[false, true, true]> : tensor<3xi1>
  %1 = kiln.cast %i : tensor<3xi32> -> tensor<3xi1>
  // CHECK-DAG: %[[BI:.*]] = kiln.constant dense<[1, 0]> : tensor<2xi64>
  %2 = kiln.cast %b : tensor<2xi1> -> tensor<2xi64>
  // CHECK-DAG: %[[BF:.*]] = kiln.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>
  %3 = kiln.cast %b : tensor<2xi1> -> tensor<2xf32>
  // CHECK: return %[[FB]], %[[IB]], %[[BI]], %[[BF]]
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<3xi1>, tensor<2xi64>, tensor<2xf32>
}

// -----

// Integer narrowing wraps; widening sign-extends.
// CHECK-LABEL: func.func @fold_cast_int_to_int
func.func @fold_cast_int_to_int() -> (tensor<2xi8>, tensor<2xi64>) {
  %i = kiln.constant dense<[300, -1]> : tensor<2xi32>
  // CHECK-DAG: %[[NARROW:.*]] = kiln.constant dense<[44, -1]> : tensor<2xi8>
  %0 = kiln.cast %i : tensor<2xi32> -> tensor<2xi8>
  // CHECK-DAG: %[[WIDE:.*]] = kiln.constant dense<[300, -1]> : tensor<2xi64>
  %1 = kiln.cast %i : tensor<2xi32> -> tensor<2xi64>
  // CHECK: return %[[NARROW]], %[[WIDE]]
  return %0, %1 : tensor<2xi8>, tensor<2xi64>
}

// -----

// To float8: round to nearest even; with saturate, past the largest finite
// value (448 for f8E4M3FN) and infinities clamp to it; without, they become
// NaN (f8E4M3FN) or infinity (f8E5M2). The fnuz types have no -0.
// CHECK-LABEL: func.func @fold_cast_float8
func.func @fold_cast_float8() -> (tensor<5xf8E4M3FN>, tensor<5xf8E4M3FN>, tensor<5xf8E5M2>, tensor<5xf8E4M3FNUZ>, tensor<2xf32>) {
  %f = kiln.constant dense<[0.3, 460.0, 0x7F800000, -1.0e-9, -0.0]> : tensor<5xf32>
  // CHECK-DAG: %[[SAT:.*]] = kiln.constant dense<[3.125000e-01, 4.480000e+02, 4.480000e+02, -0.000000e+00, -0.000000e+00]> : tensor<5xf8E4M3FN>
  %0 = kiln.cast %f : tensor<5xf32> -> tensor<5xf8E4M3FN>
  // 460 rounds to 448; 464 would be the tie with NaN's code.
  // CHECK-DAG: %[[NOSAT:.*]] = kiln.constant dense<[3.125000e-01, 4.480000e+02, 0x7F, -0.000000e+00, -0.000000e+00]> : tensor<5xf8E4M3FN>
  %1 = kiln.cast %f {saturate = false} : tensor<5xf32> -> tensor<5xf8E4M3FN>
  // CHECK-DAG: %[[E5M2:.*]] = kiln.constant dense<[3.125000e-01, 4.480000e+02, 0x7C, -0.000000e+00, -0.000000e+00]> : tensor<5xf8E5M2>
  %2 = kiln.cast %f {saturate = false} : tensor<5xf32> -> tensor<5xf8E5M2>
  // CHECK-DAG: %[[FNUZ:.*]] = kiln.constant dense<[3.125000e-01, 2.400000e+02, 2.400000e+02, 0.000000e+00, 0.000000e+00]> : tensor<5xf8E4M3FNUZ>
  %3 = kiln.cast %f : tensor<5xf32> -> tensor<5xf8E4M3FNUZ>
  // float8 -> f32 is exact.
  %q = kiln.constant dense<[0x01, 0xFE]> : tensor<2xf8E4M3FN>
  // CHECK-DAG: %[[BACK:.*]] = kiln.constant dense<[0.001953125, -4.480000e+02]> : tensor<2xf32>
  %4 = kiln.cast %q : tensor<2xf8E4M3FN> -> tensor<2xf32>
  // CHECK: return %[[SAT]], %[[NOSAT]], %[[E5M2]], %[[FNUZ]], %[[BACK]]
  return %0, %1, %2, %3, %4 : tensor<5xf8E4M3FN>, tensor<5xf8E4M3FN>, tensor<5xf8E5M2>, tensor<5xf8E4M3FNUZ>, tensor<2xf32>
}

// -----

// To int4 from float: the low bits of the int32 conversion; between integer
// types, narrowing wraps and widening sign- or zero-extends.
// CHECK-LABEL: func.func @fold_cast_int4
func.func @fold_cast_int4() -> (tensor<4xi4>, tensor<3xi8>, tensor<3xi8>) {
  %f = kiln.constant dense<[-9.0, 7.9, 8.0, 15.0]> : tensor<4xf32>
  // CHECK-DAG: %[[TO4:.*]] = kiln.constant dense<[7, 7, -8, -1]> : tensor<4xi4>
  %0 = kiln.cast %f : tensor<4xf32> -> tensor<4xi4>
  %s = kiln.constant dense<[-8, 7, -1]> : tensor<3xi4>
  // CHECK-DAG: %[[SEXT:.*]] = kiln.constant dense<[-8, 7, -1]> : tensor<3xi8>
  %1 = kiln.cast %s : tensor<3xi4> -> tensor<3xi8>
  %u = kiln.constant dense<[8, 7, 15]> : tensor<3xui4>
  // CHECK-DAG: %[[ZEXT:.*]] = kiln.constant dense<[8, 7, 15]> : tensor<3xi8>
  %2 = kiln.cast %u : tensor<3xui4> -> tensor<3xi8>
  // CHECK: return %[[TO4]], %[[SEXT]], %[[ZEXT]]
  return %0, %1, %2 : tensor<4xi4>, tensor<3xi8>, tensor<3xi8>
}

// -----

// bitcast keeps the bits; a bool is the byte 0 or 1.
// CHECK-LABEL: func.func @fold_bitcast
func.func @fold_bitcast() -> (tensor<2xi32>, tensor<2xui8>, tensor<2xi8>) {
  %f = kiln.constant dense<[1.0, -2.0]> : tensor<2xf32>
  // CHECK-DAG: %[[BITS:.*]] = kiln.constant dense<[1065353216, -1073741824]> : tensor<2xi32>
  %0 = kiln.bitcast %f : tensor<2xf32> -> tensor<2xi32>
  %b = kiln.constant dense<[true, false]> : tensor<2xi1>
  // CHECK-DAG: %[[BYTES:.*]] = kiln.constant dense<[1, 0]> : tensor<2xui8>
  %1 = kiln.bitcast %b : tensor<2xi1> -> tensor<2xui8>
  %q = kiln.constant dense<[1.0, -448.0]> : tensor<2xf8E4M3FN>
  // CHECK-DAG: %[[Q:.*]] = kiln.constant dense<[56, -2]> : tensor<2xi8>
  %2 = kiln.bitcast %q : tensor<2xf8E4M3FN> -> tensor<2xi8>
  // CHECK: return %[[BITS]], %[[BYTES]], %[[Q]]
  return %0, %1, %2 : tensor<2xi32>, tensor<2xui8>, tensor<2xi8>
}

// -----

//===----------------------------------------------------------------------===//
// Constant folding: data movement
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @fold_reshape_transpose
func.func @fold_reshape_transpose() -> (tensor<3x2xi64>, tensor<3x2xi64>, tensor<2x1x2xf32>) {
  %x = kiln.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %s = kiln.constant dense<7.0> : tensor<2x2x1xf32>
  // CHECK-DAG: %[[RESHAPE:.*]] = kiln.constant dense<{{\[\[}}1, 2], [3, 4], [5, 6]]> : tensor<3x2xi64>
  %0 = kiln.reshape %x {shape = array<i64: 3, -1>} : tensor<2x3xi64> -> tensor<3x2xi64>
  // CHECK-DAG: %[[TRANSPOSE:.*]] = kiln.constant dense<{{\[\[}}1, 4], [2, 5], [3, 6]]> : tensor<3x2xi64>
  %1 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xi64> -> tensor<3x2xi64>
  // A splat stays a splat.
  // CHECK-DAG: %[[SPLAT:.*]] = kiln.constant dense<7.000000e+00> : tensor<2x1x2xf32>
  %2 = kiln.transpose %s {perm = array<i64: 1, 2, 0>} : tensor<2x2x1xf32> -> tensor<2x1x2xf32>
  // CHECK: return %[[RESHAPE]], %[[TRANSPOSE]], %[[SPLAT]]
  return %0, %1, %2 : tensor<3x2xi64>, tensor<3x2xi64>, tensor<2x1x2xf32>
}

// -----

// A rank-3 transpose: out[i][j][k] = in[k][i][j] for perm [2, 0, 1].
// CHECK-LABEL: func.func @fold_transpose_rank3
func.func @fold_transpose_rank3() -> tensor<2x2x2xi32> {
  %x = kiln.constant dense<[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]> : tensor<2x2x2xi32>
  // CHECK: %[[R:.*]] = kiln.constant dense<{{\[\[\[}}0, 2], [4, 6]], {{\[\[}}1, 3], [5, 7]]]> : tensor<2x2x2xi32>
  // CHECK-NEXT: return %[[R]]
  %0 = kiln.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x2x2xi32> -> tensor<2x2x2xi32>
  return %0 : tensor<2x2x2xi32>
}

// -----

// CHECK-LABEL: func.func @fold_concat
func.func @fold_concat() -> (tensor<2x3xi64>, tensor<5xf32>) {
  %a = kiln.constant dense<[[1], [2]]> : tensor<2x1xi64>
  %b = kiln.constant dense<[[3, 4], [5, 6]]> : tensor<2x2xi64>
  %c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %d = kiln.constant dense<0.5> : tensor<3xf32>
  // CHECK-DAG: %[[INNER:.*]] = kiln.constant dense<{{\[\[}}1, 3, 4], [2, 5, 6]]> : tensor<2x3xi64>
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x1xi64>, tensor<2x2xi64>) -> tensor<2x3xi64>
  // CHECK-DAG: %[[OUTER:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00, 5.000000e-01, 5.000000e-01, 5.000000e-01]> : tensor<5xf32>
  %1 = kiln.concat %c, %d {axis = 0 : i64} : (tensor<2xf32>, tensor<3xf32>) -> tensor<5xf32>
  // CHECK: return %[[INNER]], %[[OUTER]]
  return %0, %1 : tensor<2x3xi64>, tensor<5xf32>
}

// -----

// CHECK-LABEL: func.func @fold_slice
func.func @fold_slice() -> (tensor<2x2xi64>, tensor<2x3xi64>, tensor<0x3xi64>) {
  %x = kiln.constant dense<[[1, 2, 3], [4, 5, 6], [7, 8, 9]]> : tensor<3x3xi64>
  // Rows 0 and 2, columns 1..2.
  // CHECK-DAG: %[[STRIDED:.*]] = kiln.constant dense<{{\[\[}}2, 3], [8, 9]]> : tensor<2x2xi64>
  %0 = kiln.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 3, 3>, steps = array<i64: 2, 1>}
       : tensor<3x3xi64> -> tensor<2x2xi64>
  // Negative steps: rows 2, 1 and columns reversed.
  // CHECK-DAG: %[[REVERSED:.*]] = kiln.constant dense<{{\[\[}}9, 8, 7], [6, 5, 4]]> : tensor<2x3xi64>
  %1 = kiln.slice %x {starts = array<i64: 2, 2>, ends = array<i64: 0, -1>, steps = array<i64: -1, -1>}
       : tensor<3x3xi64> -> tensor<2x3xi64>
  // CHECK-DAG: %[[EMPTY:.*]] = kiln.constant dense<> : tensor<0x3xi64>
  %2 = kiln.slice %x {starts = array<i64: 1, 0>, ends = array<i64: 1, 3>, steps = array<i64: 1, 1>}
       : tensor<3x3xi64> -> tensor<0x3xi64>
  // CHECK: return %[[STRIDED]], %[[REVERSED]], %[[EMPTY]]
  return %0, %1, %2 : tensor<2x2xi64>, tensor<2x3xi64>, tensor<0x3xi64>
}

// -----

// CHECK-LABEL: func.func @fold_gather
func.func @fold_gather() -> (tensor<2x2xf32>, tensor<i64>, tensor<3x2x2xi32>) {
  %x = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %shape = kiln.constant dense<[2, 3, 4]> : tensor<3xi64>
  %y = kiln.constant dense<[[10, 20, 30], [40, 50, 60], [70, 80, 90]]> : tensor<3x3xi32>
  // Negative indices count from the end: -1 is row 2.
  %rows = kiln.constant dense<[-1, 0]> : tensor<2xi64>
  // CHECK-DAG: %[[ROWS:.*]] = kiln.constant dense<{{\[\[}}5.000000e+00, 6.000000e+00], [1.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
  %0 = kiln.gather %x, %rows {axis = 0 : i64} : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  // A scalar index gives a scalar.
  %last = kiln.constant dense<-1> : tensor<i64>
  // CHECK-DAG: %[[DIM:.*]] = kiln.constant dense<4> : tensor<i64>
  %1 = kiln.gather %shape, %last {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  // i32 indices of rank 2 along the inner axis.
  %cols = kiln.constant dense<[[2, 0], [1, -3]]> : tensor<2x2xi32>
  // CHECK-DAG: %[[COLS:.*]] = kiln.constant dense<{{\[\[\[}}30, 10], [20, 10]], {{\[\[}}60, 40], [50, 40]], {{\[\[}}90, 70], [80, 70]]]> : tensor<3x2x2xi32>
  %2 = kiln.gather %y, %cols {axis = 1 : i64} : (tensor<3x3xi32>, tensor<2x2xi32>) -> tensor<3x2x2xi32>
  // CHECK: return %[[ROWS]], %[[DIM]], %[[COLS]]
  return %0, %1, %2 : tensor<2x2xf32>, tensor<i64>, tensor<3x2x2xi32>
}

// -----

// CHECK-LABEL: func.func @fold_expand
func.func @fold_expand() -> (tensor<2x3xi64>, tensor<2x3xi64>) {
  %row = kiln.constant dense<[1, 2, 3]> : tensor<3xi64>
  %col = kiln.constant dense<[[1], [2]]> : tensor<2x1xi64>
  // CHECK-DAG: %[[ROWS:.*]] = kiln.constant dense<{{\[\[}}1, 2, 3], [1, 2, 3]]> : tensor<2x3xi64>
  %0 = kiln.expand %row {shape = array<i64: 2, 1>} : tensor<3xi64> -> tensor<2x3xi64>
  // CHECK-DAG: %[[COLS:.*]] = kiln.constant dense<{{\[\[}}1, 1, 1], [2, 2, 2]]> : tensor<2x3xi64>
  %1 = kiln.expand %col {shape = array<i64: 3>} : tensor<2x1xi64> -> tensor<2x3xi64>
  // CHECK: return %[[ROWS]], %[[COLS]]
  return %0, %1 : tensor<2x3xi64>, tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func.func @fold_pad_constant
func.func @fold_pad_constant() -> (tensor<3x4xf32>, tensor<5xi32>) {
  %x = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %i = kiln.constant dense<[1, 2]> : tensor<2xi32>
  // CHECK-DAG: %[[F:.*]] = kiln.constant dense<{{\[\[}}-1.000000e+00, 1.000000e+00, 2.000000e+00, -1.000000e+00], [-1.000000e+00, 3.000000e+00, 4.000000e+00, -1.000000e+00], [-1.000000e+00, -1.000000e+00, -1.000000e+00, -1.000000e+00]]> : tensor<3x4xf32>
  %0 = kiln.pad constant %x {pads = array<i64: 0, 1, 1, 1>, value = -1.0 : f64} : tensor<2x2xf32> -> tensor<3x4xf32>
  // CHECK-DAG: %[[I:.*]] = kiln.constant dense<[9, 1, 2, 9, 9]> : tensor<5xi32>
  %1 = kiln.pad constant %i {pads = array<i64: 1, 2>, value = 9.0 : f64} : tensor<2xi32> -> tensor<5xi32>
  // CHECK: return %[[F]], %[[I]]
  return %0, %1 : tensor<3x4xf32>, tensor<5xi32>
}

// -----

// reflect and edge padding are left to codegen.
// CHECK-LABEL: func.func @no_fold_pad_reflect
func.func @no_fold_pad_reflect() -> (tensor<4xf32>, tensor<4xf32>) {
  %x = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: kiln.pad reflect
  %0 = kiln.pad reflect %x {pads = array<i64: 1, 1>} : tensor<2xf32> -> tensor<4xf32>
  // CHECK: kiln.pad edge
  %1 = kiln.pad edge %x {pads = array<i64: 1, 1>} : tensor<2xf32> -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Identity folds
//===----------------------------------------------------------------------===//

// x + 0, 0 + x, x - 0, x * 1, 1 * x, x / 1 and pow(x, 1) are x, also when
// the identity is a scalar or a smaller shape that broadcasts into x.
// CHECK-LABEL: func.func @fold_arith_identities
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3xf32>, %[[I:[a-z0-9]+]]: tensor<?x3xi64>)
func.func @fold_arith_identities(%x: tensor<2x3xf32>, %i: tensor<?x3xi64>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>, tensor<?x3xi64>, tensor<?x3xi64>) {
  %zero = kiln.constant dense<0.0> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<3xf32>
  %izero = kiln.constant dense<0> : tensor<1x3xi64>
  %ione = kiln.constant dense<1> : tensor<i64>
  %0 = kiln.add %x, %zero : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  %1 = kiln.add %zero, %x : tensor<f32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = kiln.sub %x, %zero : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  %3 = kiln.mul %x, %one : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %4 = kiln.mul %one, %x : tensor<3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %5 = kiln.div %x, %one : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %6 = kiln.pow %x, %one : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  // A dynamic x keeps its shape against 1-sized dims.
  %7 = kiln.add %i, %izero : tensor<?x3xi64>, tensor<1x3xi64> -> tensor<?x3xi64>
  %8 = kiln.div %i, %ione : tensor<?x3xi64>, tensor<i64> -> tensor<?x3xi64>
  // CHECK-NOT: kiln.
  // CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[I]], %[[I]]
  return %0, %1, %2, %3, %4, %5, %6, %7, %8
      : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>, tensor<?x3xi64>, tensor<?x3xi64>
}

// -----

// max(x, x), min(x, x), and(x, x), or(x, x), and(x, true), or(x, false),
// not(not(x)), clip without bounds, cast to the same type.
// CHECK-LABEL: func.func @fold_idempotent
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<4xf32>, %[[B:[a-z0-9]+]]: tensor<?xi1>)
func.func @fold_idempotent(%x: tensor<4xf32>, %b: tensor<?xi1>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<?xi1>, tensor<?xi1>, tensor<?xi1>, tensor<?xi1>,
        tensor<?xi1>, tensor<4xf32>, tensor<4xf32>) {
  %t = kiln.constant dense<true> : tensor<i1>
  %f = kiln.constant dense<false> : tensor<1xi1>
  %0 = kiln.max %x, %x : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %1 = kiln.min %x, %x : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %2 = kiln.and %b, %b : tensor<?xi1>, tensor<?xi1> -> tensor<?xi1>
  %3 = kiln.or %b, %b : tensor<?xi1>, tensor<?xi1> -> tensor<?xi1>
  %4 = kiln.and %b, %t : tensor<?xi1>, tensor<i1> -> tensor<?xi1>
  %5 = kiln.or %f, %b : tensor<1xi1>, tensor<?xi1> -> tensor<?xi1>
  %n = kiln.not %b : tensor<?xi1>
  %6 = kiln.not %n : tensor<?xi1>
  %7 = kiln.clip %x : tensor<4xf32>
  %8 = kiln.cast %x : tensor<4xf32> -> tensor<4xf32>
  // CHECK-NOT: kiln.
  // CHECK: return %[[X]], %[[X]], %[[B]], %[[B]], %[[B]], %[[B]], %[[B]], %[[X]], %[[X]]
  return %0, %1, %2, %3, %4, %5, %6, %7, %8
      : tensor<4xf32>, tensor<4xf32>, tensor<?xi1>, tensor<?xi1>, tensor<?xi1>, tensor<?xi1>,
        tensor<?xi1>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Data movement that moves nothing.
// CHECK-LABEL: func.func @fold_data_identities
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3xf32>, %[[D:[a-z0-9]+]]: tensor<?x3xf32>)
func.func @fold_data_identities(%x: tensor<2x3xf32>, %d: tensor<?x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>, tensor<?x3xf32>,
        tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>) {
  %0 = kiln.transpose %x {perm = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = kiln.reshape %x {shape = array<i64: 2, 3>} : tensor<2x3xf32> -> tensor<2x3xf32>
  // The -1 is the one unknown dim.
  %2 = kiln.reshape %d {shape = array<i64: -1, 3>} : tensor<?x3xf32> -> tensor<?x3xf32>
  %3 = kiln.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2, 3>, steps = array<i64: 1, 1>}
       : tensor<2x3xf32> -> tensor<2x3xf32>
  %4 = kiln.pad edge %d {pads = array<i64: 0, 0, 0, 0>} : tensor<?x3xf32> -> tensor<?x3xf32>
  %5 = kiln.pad constant %x {pads = array<i64: 0, 0, 0, 0>, value = 1.0 : f64} : tensor<2x3xf32> -> tensor<2x3xf32>
  // Expanding to 1s, or to the dims x has, changes nothing.
  %6 = kiln.expand %d {shape = array<i64: 1, 3>} : tensor<?x3xf32> -> tensor<?x3xf32>
  %7 = kiln.expand %x {shape = array<i64: 2, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %8 = kiln.concat %d {axis = 0 : i64} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %9 = kiln.transpose %x {perm = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK-NOT: kiln.
  // CHECK: return %[[X]], %[[X]], %[[D]], %[[X]], %[[D]], %[[X]], %[[D]], %[[X]], %[[D]], %[[X]]
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9
      : tensor<2x3xf32>, tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>, tensor<?x3xf32>,
        tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Identity folds that must not happen
//===----------------------------------------------------------------------===//

// The identity operand stretches x: the result is not x.
// CHECK-LABEL: func.func @no_fold_identity_broadcast
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<3xf32>, %[[D:[a-z0-9]+]]: tensor<?xf32>)
func.func @no_fold_identity_broadcast(%x: tensor<3xf32>, %d: tensor<?xf32>)
    -> (tensor<2x3xf32>, tensor<?xf32>, tensor<?xf32>) {
  %zeros = kiln.constant dense<0.0> : tensor<2x3xf32>
  %ones = kiln.constant dense<1.0> : tensor<4xf32>
  // CHECK-DAG: %[[ZEROS:.*]] = kiln.constant dense<0.000000e+00> : tensor<2x3xf32>
  // CHECK-DAG: %[[ONES:.*]] = kiln.constant dense<1.000000e+00> : tensor<4xf32>
  // CHECK: %[[ADD:.*]] = kiln.add %[[X]], %[[ZEROS]] : tensor<3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %0 = kiln.add %x, %zeros : tensor<3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  // d may have one element, which [4] stretches, though the types agree.
  // CHECK: %[[MUL:.*]] = kiln.mul %[[D]], %[[ONES]] : tensor<?xf32>, tensor<4xf32> -> tensor<?xf32>
  %1 = kiln.mul %d, %ones : tensor<?xf32>, tensor<4xf32> -> tensor<?xf32>
  // 0 - x is not x.
  %zero = kiln.constant dense<0.0> : tensor<f32>
  // CHECK: %[[SUB:.*]] = kiln.sub %{{.*}}, %[[D]] : tensor<f32>, tensor<?xf32> -> tensor<?xf32>
  %2 = kiln.sub %zero, %d : tensor<f32>, tensor<?xf32> -> tensor<?xf32>
  // CHECK: return %[[ADD]], %[[MUL]], %[[SUB]]
  return %0, %1, %2 : tensor<2x3xf32>, tensor<?xf32>, tensor<?xf32>
}

// -----

// Same types, but a dynamic dim may change: these are not identities.
// CHECK-LABEL: func.func @no_fold_dynamic_data_identities
// CHECK-SAME: (%[[D:[a-z0-9]+]]: tensor<?xf32>, %[[E:[a-z0-9]+]]: tensor<?x?xf32>, %[[C:[a-z0-9]+]]: tensor<4xi1>)
func.func @no_fold_dynamic_data_identities(%d: tensor<?xf32>, %e: tensor<?x?xf32>, %c: tensor<4xi1>)
    -> (tensor<?xf32>, tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
  // The first 2 elements of a tensor of unknown size.
  // CHECK: %[[SLICE:.*]] = kiln.slice %[[D]]
  %0 = kiln.slice %d {starts = array<i64: 0>, ends = array<i64: 2>, steps = array<i64: 1>}
       : tensor<?xf32> -> tensor<?xf32>
  // 4x3 becomes 2x6.
  // CHECK: %[[RESHAPE:.*]] = kiln.reshape %[[E]]
  %1 = kiln.reshape %e {shape = array<i64: 2, -1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  // A size-1 d becomes 4 elements.
  // CHECK: %[[EXPAND:.*]] = kiln.expand %[[D]]
  %2 = kiln.expand %d {shape = array<i64: 4>} : tensor<?xf32> -> tensor<?xf32>
  // CHECK: %[[SELECT:.*]] = kiln.select %[[C]], %[[D]], %[[D]]
  %3 = kiln.select %c, %d, %d : (tensor<4xi1>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  // CHECK: return %[[SLICE]], %[[RESHAPE]], %[[EXPAND]], %[[SELECT]]
  return %0, %1, %2, %3 : tensor<?xf32>, tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
}

// -----

// A result declared more static than x cannot be replaced by x.
// CHECK-LABEL: func.func @no_fold_refined_result
// CHECK-SAME: (%[[D:[a-z0-9]+]]: tensor<?xf32>)
func.func @no_fold_refined_result(%d: tensor<?xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK: %[[MAX:.*]] = kiln.max %[[D]], %[[D]] : tensor<?xf32>, tensor<?xf32> -> tensor<4xf32>
  %0 = kiln.max %d, %d : tensor<?xf32>, tensor<?xf32> -> tensor<4xf32>
  %zero = kiln.constant dense<0.0> : tensor<f32>
  // CHECK: %[[ADD:.*]] = kiln.add %[[D]], %{{.*}} : tensor<?xf32>, tensor<f32> -> tensor<4xf32>
  %1 = kiln.add %d, %zero : tensor<?xf32>, tensor<f32> -> tensor<4xf32>
  // CHECK: return %[[MAX]], %[[ADD]]
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Constant folds at the edges of an op's definition
//===----------------------------------------------------------------------===//

// Integer division by zero gives 0 and INT_MIN / -1 gives INT_MIN, as the
// generated code computes them (see kiln.div): both fold.
// CHECK-LABEL: func.func @fold_integer_division_edge_cases
func.func @fold_integer_division_edge_cases() -> (tensor<2xi64>, tensor<i8>) {
  %a = kiln.constant dense<[4, 6]> : tensor<2xi64>
  %b = kiln.constant dense<[2, 0]> : tensor<2xi64>
  %min = kiln.constant dense<-128> : tensor<i8>
  %m1 = kiln.constant dense<-1> : tensor<i8>
  // CHECK-DAG: %[[DIV0:.*]] = kiln.constant dense<[2, 0]> : tensor<2xi64>
  %0 = kiln.div %a, %b : tensor<2xi64>, tensor<2xi64> -> tensor<2xi64>
  // CHECK-DAG: %[[OVERFLOW:.*]] = kiln.constant dense<-128> : tensor<i8>
  %1 = kiln.div %min, %m1 : tensor<i8>, tensor<i8> -> tensor<i8>
  // CHECK-NOT: kiln.div
  // CHECK: return %[[DIV0]], %[[OVERFLOW]]
  return %0, %1 : tensor<2xi64>, tensor<i8>
}

// -----

// An index outside [-size, size) is clamped by generated code, not folded.
// CHECK-LABEL: func.func @no_fold_gather_out_of_range
func.func @no_fold_gather_out_of_range() -> (tensor<1xi64>, tensor<1xi64>) {
  %shape = kiln.constant dense<[2, 3, 4]> : tensor<3xi64>
  %i = kiln.constant dense<3> : tensor<1xi64>
  %j = kiln.constant dense<-4> : tensor<1xi64>
  // CHECK: %[[G0:.*]] = kiln.gather
  %0 = kiln.gather %shape, %i {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  // CHECK: %[[G1:.*]] = kiln.gather
  %1 = kiln.gather %shape, %j {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  // CHECK: return %[[G0]], %[[G1]]
  return %0, %1 : tensor<1xi64>, tensor<1xi64>
}

// -----

// Math folds stop at fold::kMaxMathElements = 4096 result elements (they
// are for shape computations); 4096 still folds.
// CHECK-LABEL: func.func @math_fold_limit
func.func @math_fold_limit() -> (tensor<4096xf32>, tensor<4097xf32>, tensor<4097xf32>) {
  %small = kiln.constant dense<1.0> : tensor<4096xf32>
  %big = kiln.constant dense<1.0> : tensor<4097xf32>
  // CHECK-DAG: %[[FOLDED:.*]] = kiln.constant dense<-1.000000e+00> : tensor<4096xf32>
  %0 = kiln.neg %small : tensor<4096xf32>
  // CHECK-DAG: %[[BIG:.*]] = kiln.constant dense<1.000000e+00> : tensor<4097xf32>
  // CHECK: %[[NEG:.*]] = kiln.neg %[[BIG]] : tensor<4097xf32>
  %1 = kiln.neg %big : tensor<4097xf32>
  // Broadcasting counts result elements: 4097 outputs from one-element operands.
  %two = kiln.constant dense<2.0> : tensor<f32>
  // CHECK: %[[ADD:.*]] = kiln.add %[[BIG]], %{{.*}} : tensor<4097xf32>, tensor<f32> -> tensor<4097xf32>
  %2 = kiln.add %big, %two : tensor<4097xf32>, tensor<f32> -> tensor<4097xf32>
  // CHECK: return %[[FOLDED]], %[[NEG]], %[[ADD]]
  return %0, %1, %2 : tensor<4096xf32>, tensor<4097xf32>, tensor<4097xf32>
}

// -----

// Data movement has its own, larger limit: a weight transpose folds.
// CHECK-LABEL: func.func @data_fold_above_math_limit
func.func @data_fold_above_math_limit() -> tensor<4097x2xf32> {
  %w = kiln.constant dense<0.5> : tensor<2x4097xf32>
  // CHECK: %[[T:.*]] = kiln.constant dense<5.000000e-01> : tensor<4097x2xf32>
  // CHECK-NEXT: return %[[T]]
  %0 = kiln.transpose %w {perm = array<i64: 1, 0>} : tensor<2x4097xf32> -> tensor<4097x2xf32>
  return %0 : tensor<4097x2xf32>
}

// -----

// Folders need static result types: the neg folds, the reshape to an
// unrefined tensor<?xf32> does not (kiln-shape-inference refines it first).
// CHECK-LABEL: func.func @no_fold_dynamic_result
func.func @no_fold_dynamic_result() -> tensor<?xf32> {
  %x = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: %[[NEG:.*]] = kiln.constant dense<[-1.000000e+00, -2.000000e+00]> : tensor<2xf32>
  // CHECK-NEXT: %[[R:.*]] = kiln.reshape %[[NEG]] {shape = array<i64: -1>} : tensor<2xf32> -> tensor<?xf32>
  // CHECK-NEXT: return %[[R]]
  %0 = kiln.neg %x : tensor<2xf32>
  %1 = kiln.reshape %0 {shape = array<i64: -1>} : tensor<2xf32> -> tensor<?xf32>
  return %1 : tensor<?xf32>
}

// -----

//===----------------------------------------------------------------------===//
// transpose(transpose) and reshape(reshape)
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @merge_transposes
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3x4xf32>)
func.func @merge_transposes(%x: tensor<2x3x4xf32>) -> (tensor<3x2x4xf32>, tensor<2x3x4xf32>) {
  // [1, 2, 0] then [0, 2, 1] is one transpose by perm[i] = p1[p2[i]].
  // CHECK: %[[T:.*]] = kiln.transpose %[[X]] {perm = array<i64: 1, 0, 2>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %0 = kiln.transpose %x {perm = array<i64: 1, 2, 0>} : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 0, 2, 1>} : tensor<3x4x2xf32> -> tensor<3x2x4xf32>
  // A transpose and its inverse cancel.
  %2 = kiln.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %3 = kiln.transpose %2 {perm = array<i64: 1, 2, 0>} : tensor<4x2x3xf32> -> tensor<2x3x4xf32>
  // CHECK-NOT: kiln.transpose
  // CHECK: return %[[T]], %[[X]]
  return %1, %3 : tensor<3x2x4xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @merge_reshapes
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3x4xf32>, %[[D:[a-z0-9]+]]: tensor<?x4xf32>)
func.func @merge_reshapes(%x: tensor<2x3x4xf32>, %d: tensor<?x4xf32>)
    -> (tensor<4x6xf32>, tensor<2x3x4xf32>, tensor<?x2x2xf32>) {
  // CHECK: %[[R:.*]] = kiln.reshape %[[X]] {shape = array<i64: 4, 6>} : tensor<2x3x4xf32> -> tensor<4x6xf32>
  %0 = kiln.reshape %x {shape = array<i64: 6, 4>} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = kiln.reshape %0 {shape = array<i64: 4, 6>} : tensor<6x4xf32> -> tensor<4x6xf32>
  // Back to the original shape: x itself.
  %2 = kiln.reshape %x {shape = array<i64: 24>} : tensor<2x3x4xf32> -> tensor<24xf32>
  %3 = kiln.reshape %2 {shape = array<i64: 2, 3, 4>} : tensor<24xf32> -> tensor<2x3x4xf32>
  // With a dynamic dim: only the last shape matters.
  // CHECK: %[[RD:.*]] = kiln.reshape %[[D]] {shape = array<i64: -1, 2, 2>} : tensor<?x4xf32> -> tensor<?x2x2xf32>
  %4 = kiln.reshape %d {shape = array<i64: -1>} : tensor<?x4xf32> -> tensor<?xf32>
  %5 = kiln.reshape %4 {shape = array<i64: -1, 2, 2>} : tensor<?xf32> -> tensor<?x2x2xf32>
  // CHECK: return %[[R]], %[[X]], %[[RD]]
  return %1, %3, %5 : tensor<4x6xf32>, tensor<2x3x4xf32>, tensor<?x2x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// flatten, squeeze, unsqueeze -> reshape
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @to_reshape
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3x4xf32>, %[[S:[a-z0-9]+]]: tensor<1x3x1xi64>, %[[D:[a-z0-9]+]]: tensor<?x3x4xf32>)
func.func @to_reshape(%x: tensor<2x3x4xf32>, %s: tensor<1x3x1xi64>, %d: tensor<?x3x4xf32>)
    -> (tensor<2x12xf32>, tensor<3xi64>, tensor<2x1x3x4xf32>, tensor<?x12xf32>, tensor<1x?x3x4xf32>) {
  // CHECK-DAG: %[[FLAT:.*]] = kiln.reshape %[[X]] {shape = array<i64: 2, 12>} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  %0 = kiln.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  // CHECK-DAG: %[[SQ:.*]] = kiln.reshape %[[S]] {shape = array<i64: 3>} : tensor<1x3x1xi64> -> tensor<3xi64>
  %1 = kiln.squeeze %s {axes = array<i64: 0, 2>} : tensor<1x3x1xi64> -> tensor<3xi64>
  // CHECK-DAG: %[[UNSQ:.*]] = kiln.reshape %[[X]] {shape = array<i64: 2, 1, 3, 4>} : tensor<2x3x4xf32> -> tensor<2x1x3x4xf32>
  %2 = kiln.unsqueeze %x {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x3x4xf32>
  // One dynamic dim becomes the -1.
  // CHECK-DAG: %[[FLATD:.*]] = kiln.reshape %[[D]] {shape = array<i64: -1, 12>} : tensor<?x3x4xf32> -> tensor<?x12xf32>
  %3 = kiln.flatten %d {axis = 1 : i64} : tensor<?x3x4xf32> -> tensor<?x12xf32>
  // CHECK-DAG: %[[UNSQD:.*]] = kiln.reshape %[[D]] {shape = array<i64: 1, -1, 3, 4>} : tensor<?x3x4xf32> -> tensor<1x?x3x4xf32>
  %4 = kiln.unsqueeze %d {axes = array<i64: 0>} : tensor<?x3x4xf32> -> tensor<1x?x3x4xf32>
  // CHECK-NOT: kiln.flatten
  // CHECK-NOT: kiln.squeeze
  // CHECK-NOT: kiln.unsqueeze
  // CHECK: return %[[FLAT]], %[[SQ]], %[[UNSQ]], %[[FLATD]], %[[UNSQD]]
  return %0, %1, %2, %3, %4 : tensor<2x12xf32>, tensor<3xi64>, tensor<2x1x3x4xf32>, tensor<?x12xf32>, tensor<1x?x3x4xf32>
}

// -----

// A reshape `shape` holds one -1 at most: two dynamic dims stay as they are.
// CHECK-LABEL: func.func @no_reshape_two_dynamic_dims
func.func @no_reshape_two_dynamic_dims(%x: tensor<?x?x4xf32>) -> (tensor<?x?xf32>, tensor<1x?x?x4xf32>) {
  // CHECK: kiln.flatten
  %0 = kiln.flatten %x {axis = 2 : i64} : tensor<?x?x4xf32> -> tensor<?x?xf32>
  // CHECK: kiln.unsqueeze
  %1 = kiln.unsqueeze %x {axes = array<i64: 0>} : tensor<?x?x4xf32> -> tensor<1x?x?x4xf32>
  return %0, %1 : tensor<?x?xf32>, tensor<1x?x?x4xf32>
}

// -----

// flatten of a constant: the reshape it becomes folds.
// CHECK-LABEL: func.func @fold_flatten_constant
func.func @fold_flatten_constant() -> tensor<1x4xi64> {
  %x = kiln.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  // CHECK: %[[R:.*]] = kiln.constant dense<{{\[\[}}1, 2, 3, 4]]> : tensor<1x4xi64>
  // CHECK-NEXT: return %[[R]]
  %0 = kiln.flatten %x {axis = 0 : i64} : tensor<2x2xi64> -> tensor<1x4xi64>
  return %0 : tensor<1x4xi64>
}

// -----

//===----------------------------------------------------------------------===//
// A PyTorch shape subgraph
//===----------------------------------------------------------------------===//

// x.view(x.size(0), -1) and x.view(x.size(0), x.size(1) * x.size(2) // 2, 2)
// exported to ONNX, once Shape(x) is a constant: Gather -> Unsqueeze ->
// Concat -> Reshape, with shape arithmetic on the way. All of it folds to
// the target shape vectors.
// CHECK-LABEL: func.func @pytorch_shape_subgraph
func.func @pytorch_shape_subgraph() -> (tensor<2xi64>, tensor<3xi64>) {
  %shape = kiln.constant dense<[8, 3, 4]> : tensor<3xi64>
  %i0 = kiln.constant dense<0> : tensor<i64>
  %i1 = kiln.constant dense<1> : tensor<i64>
  %i2 = kiln.constant dense<2> : tensor<i64>
  %minus1 = kiln.constant dense<-1> : tensor<1xi64>
  %two = kiln.constant dense<2> : tensor<i64>
  %n = kiln.gather %shape, %i0 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %n1 = kiln.unsqueeze %n {axes = array<i64: 0>} : tensor<i64> -> tensor<1xi64>
  %view = kiln.concat %n1, %minus1 {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %c = kiln.gather %shape, %i1 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %h = kiln.gather %shape, %i2 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %ch = kiln.mul %c, %h : tensor<i64>, tensor<i64> -> tensor<i64>
  %half = kiln.div %ch, %two : tensor<i64>, tensor<i64> -> tensor<i64>
  %half1 = kiln.reshape %half {shape = array<i64: 1>} : tensor<i64> -> tensor<1xi64>
  %two1 = kiln.unsqueeze %two {axes = array<i64: 0>} : tensor<i64> -> tensor<1xi64>
  %view3 = kiln.concat %n1, %half1, %two1 {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  // CHECK-DAG: %[[VIEW:.*]] = kiln.constant dense<[8, -1]> : tensor<2xi64>
  // CHECK-DAG: %[[VIEW3:.*]] = kiln.constant dense<[8, 6, 2]> : tensor<3xi64>
  // CHECK-NOT: kiln.gather
  // CHECK-NOT: kiln.unsqueeze
  // CHECK-NOT: kiln.concat
  // CHECK-NOT: kiln.mul
  // CHECK-NOT: kiln.div
  // CHECK-NOT: kiln.reshape
  // CHECK: return %[[VIEW]], %[[VIEW3]]
  return %view, %view3 : tensor<2xi64>, tensor<3xi64>
}
