// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// Every elementwise op is one linalg.generic over the result shape whose
// operands are read through NumPy broadcasting maps; only the body differs.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[TRAIL:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[UNIT:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<2x1x4xf32>, %[[Y:.*]]: tensor<3x4xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[UNIT]], #[[TRAIL]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[Y]] : tensor<2x1x4xf32>, tensor<3x4xf32>) outs(%[[E]] : tensor<2x3x4xf32>)
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[S:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK: linalg.yield %[[S]] : f32
func.func @add_broadcast(%x: tensor<2x1x4xf32>, %y: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.add %x, %y : tensor<2x1x4xf32>, tensor<3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A rank-0 operand is read with an empty map.
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @rank0
// CHECK: linalg.generic {indexing_maps = [#[[SCALAR]], #[[ID1]], #[[ID1]]]
// CHECK: arith.mulf
func.func @rank0(%x: tensor<f32>, %y: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.mul %x, %y : tensor<f32>, tensor<2xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Integers: signed ops; division never traps (x / 0 = 0, x / -1 = 0 - x).
// CHECK-LABEL: func.func @int_ops
// CHECK: ^bb0(%[[N:.*]]: i32, %{{.*}}: i32):
// CHECK: %[[Z:.*]] = arith.constant 0 : i32
// CHECK: arith.subi %[[Z]], %[[N]] : i32
// CHECK: math.absi
// CHECK: arith.maxsi %{{.*}}, %{{.*}} : i32
// CHECK: arith.maxsi %{{.*}}, %{{.*}} : i32
// CHECK: ^bb0(%[[L:.*]]: i32, %[[R:.*]]: i32, %{{.*}}: i32):
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: %[[ISZ:.*]] = arith.cmpi eq, %[[R]], %[[ZERO]] : i32
// CHECK: %[[MONE:.*]] = arith.constant -1 : i32
// CHECK: %[[ISM:.*]] = arith.cmpi eq, %[[R]], %[[MONE]] : i32
// CHECK: %[[BAD:.*]] = arith.ori %[[ISZ]], %[[ISM]] : i1
// CHECK: %[[D:.*]] = arith.select %[[BAD]], %[[ONE]], %[[R]] : i32
// CHECK: %[[Q:.*]] = arith.divsi %[[L]], %[[D]] : i32
// CHECK: %[[NEG:.*]] = arith.subi %[[ZERO]], %[[L]] : i32
// CHECK: %[[Q1:.*]] = arith.select %[[ISM]], %[[NEG]], %[[Q]] : i32
// CHECK: %[[Q2:.*]] = arith.select %[[ISZ]], %[[ZERO]], %[[Q1]] : i32
// CHECK: linalg.yield %[[Q2]] : i32
func.func @int_ops(%x: tensor<4xi32>, %y: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {
  %0 = kiln.neg %x : tensor<4xi32>
  %1 = kiln.abs %x : tensor<4xi32>
  %2 = kiln.relu %x : tensor<4xi32>
  %3 = kiln.max %x, %y : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  %4 = kiln.div %x, %y : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  return %0, %1, %2, %3, %4 : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}

// -----

// f16/bf16 math runs in f32, rounded once.
// CHECK-LABEL: func.func @f16_math
// CHECK: ^bb0(%[[IN:.*]]: f16, %{{.*}}: f16):
// CHECK: %[[W:.*]] = arith.extf %[[IN]] : f16 to f32
// CHECK: %[[E:.*]] = math.exp %[[W]] : f32
// CHECK: %[[T:.*]] = arith.truncf %[[E]] : f32 to f16
// CHECK: linalg.yield %[[T]] : f16
func.func @f16_math(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = kiln.exp %x : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func.func @unary_float
// CHECK: arith.negf
// CHECK: math.absf
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: math.rsqrt
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: arith.divf %[[ONE]], %{{.*}} : f32
// CHECK: math.tanh
// CHECK: math.erf
// CHECK: math.sin
// CHECK: math.cos
// CHECK: math.floor
// CHECK: math.ceil
func.func @unary_float(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.neg %x : tensor<4xf32>
  %1 = kiln.abs %x : tensor<4xf32>
  %2 = kiln.relu %x : tensor<4xf32>
  %3 = kiln.exp %x : tensor<4xf32>
  %4 = kiln.log %x : tensor<4xf32>
  %5 = kiln.sqrt %x : tensor<4xf32>
  %6 = kiln.rsqrt %x : tensor<4xf32>
  %7 = kiln.reciprocal %x : tensor<4xf32>
  %8 = kiln.tanh %x : tensor<4xf32>
  %9 = kiln.erf %x : tensor<4xf32>
  %10 = kiln.sin %x : tensor<4xf32>
  %11 = kiln.cos %x : tensor<4xf32>
  %12 = kiln.floor %x : tensor<4xf32>
  %13 = kiln.ceil %x : tensor<4xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @binary_float
// CHECK: arith.subf
// CHECK: arith.divf
// CHECK: math.powf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @binary_float(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.sub %x, %y : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %1 = kiln.div %x, %y : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %2 = kiln.pow %x, %y : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %3 = kiln.max %x, %y : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %4 = kiln.min %x, %y : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @bool_ops
// CHECK: arith.andi
// CHECK: arith.ori
// CHECK: %[[T:.*]] = arith.constant true
// CHECK: arith.xori %{{.*}}, %[[T]] : i1
func.func @bool_ops(%x: tensor<4xi1>, %y: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = kiln.and %x, %y : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
  %1 = kiln.or %x, %y : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
  %2 = kiln.not %x : tensor<4xi1>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// Floats compare ordered except `ne`; bools unsigned; other integers signed.
// CHECK-LABEL: func.func @compare
// CHECK: arith.cmpf une
// CHECK: arith.cmpf olt
// CHECK: arith.cmpi sge, %{{.*}}, %{{.*}} : i32
// CHECK: arith.cmpi ugt, %{{.*}}, %{{.*}} : i1
func.func @compare(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi32>, %b: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = kiln.compare ne, %x, %y : tensor<4xf32>, tensor<4xf32> -> tensor<4xi1>
  %1 = kiln.compare lt, %x, %y : tensor<4xf32>, tensor<4xf32> -> tensor<4xi1>
  %2 = kiln.compare ge, %i, %i : tensor<4xi32>, tensor<4xi32> -> tensor<4xi1>
  %3 = kiln.compare gt, %b, %b : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[S:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @select
// CHECK: linalg.generic {indexing_maps = [#[[C]], #[[ID]], #[[S]], #[[ID]]]
// CHECK: ^bb0(%[[P:.*]]: i1, %[[T:.*]]: f32, %[[F:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.select %[[P]], %[[T]], %[[F]] : f32
func.func @select(%c: tensor<2x1xi1>, %a: tensor<2x3xf32>, %b: tensor<f32>) -> tensor<2x3xf32> {
  %0 = kiln.select %c, %a, %b : (tensor<2x1xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Integer clip bounds become integer constants; a missing bound is absent.
// CHECK-LABEL: func.func @clip
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK: arith.minimumf %{{.*}}, %{{.*}} : f32
// CHECK: %[[LO:.*]] = arith.constant -2 : i32
// CHECK-NEXT: %[[R:.*]] = arith.maxsi %{{.*}}, %[[LO]] : i32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @clip(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = kiln.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<4xf32>
  %1 = kiln.clip %i {min = -2.0 : f64} : tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @gelu
// CHECK: arith.constant 0.707106769 : f32
// CHECK: math.erf
// CHECK: arith.constant 4.471500e-02 : f32
// CHECK: arith.constant 0.797884583 : f32
// CHECK: math.tanh
func.func @gelu(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.gelu %x : tensor<4xf32>
  %1 = kiln.gelu %x approximate tanh : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @activations
// leaky_relu
// CHECK: %[[AX:.*]] = arith.mulf %[[X:.*]], %{{.*}} : f32
// CHECK: %[[GE:.*]] = arith.cmpf oge, %[[X]], %{{.*}} : f32
// CHECK: arith.select %[[GE]], %[[X]], %[[AX]] : f32
// hard_sigmoid
// CHECK: arith.constant 2.000000e-01 : f32
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// hard_swish
// CHECK: arith.constant 6.000000e+00 : f32
// CHECK: arith.divf
// CHECK: arith.minimumf
// CHECK: arith.mulf
// sigmoid
// CHECK: arith.negf
// CHECK: math.exp
func.func @activations(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.leaky_relu %x {alpha = 0.2 : f64} : tensor<4xf32>
  %1 = kiln.hard_sigmoid %x : tensor<4xf32>
  %2 = kiln.hard_swish %x : tensor<4xf32>
  %3 = kiln.sigmoid %x : tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Float -> int: only in-range values reach fptosi (no poison); out-of-range
// values saturate and NaN gives 0. The range test runs in f64.
// CHECK-LABEL: func.func @cast_f32_to_i8
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: i8):
// CHECK: %[[D:.*]] = arith.extf %[[IN]] : f32 to f64
// CHECK-DAG: %[[LO:.*]] = arith.constant -1.280000e+02 : f64
// CHECK-DAG: %[[HI:.*]] = arith.constant 1.280000e+02 : f64
// CHECK: %[[TOOLOW:.*]] = arith.cmpf olt, %[[D]], %[[LO]] : f64
// CHECK: %[[TOOHIGH:.*]] = arith.cmpf oge, %[[D]], %[[HI]] : f64
// CHECK: %[[BELOW:.*]] = arith.cmpf olt, %[[D]], %[[HI]] : f64
// CHECK: %[[ABOVE:.*]] = arith.cmpf oge, %[[D]], %[[LO]] : f64
// CHECK: %[[IN_RANGE:.*]] = arith.andi %[[ABOVE]], %[[BELOW]] : i1
// CHECK: %[[SAFE:.*]] = arith.select %[[IN_RANGE]], %[[D]], %{{.*}} : f64
// CHECK: %[[I:.*]] = arith.fptosi %[[SAFE]] : f64 to i8
// CHECK: %[[MAX:.*]] = arith.constant 127 : i8
// CHECK: %[[S1:.*]] = arith.select %[[TOOHIGH]], %[[MAX]], %[[I]] : i8
// CHECK: %[[MIN:.*]] = arith.constant -128 : i8
// CHECK: %[[S2:.*]] = arith.select %[[TOOLOW]], %[[MIN]], %[[S1]] : i8
// CHECK: linalg.yield %[[S2]] : i8
func.func @cast_f32_to_i8(%x: tensor<4xf32>) -> tensor<4xi8> {
  %0 = kiln.cast %x : tensor<4xf32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// CHECK-LABEL: func.func @casts
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpi ne, %{{.*}}, %{{.*}} : i32
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: arith.uitofp %{{.*}} : i1 to f32
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK: arith.trunci %{{.*}} : i32 to i8
// f16 -> bf16 goes through f32, which holds both.
// CHECK: %[[W:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK-NEXT: arith.truncf %[[W]] : f32 to bf16
// CHECK: arith.extui %{{.*}} : i1 to i32
func.func @casts(%f: tensor<4xf32>, %i: tensor<4xi32>, %b: tensor<4xi1>, %h: tensor<4xf16>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xf32>, tensor<4xf32>, tensor<4xi64>, tensor<4xi8>, tensor<4xbf16>, tensor<4xi32>) {
  %0 = kiln.cast %f : tensor<4xf32> -> tensor<4xi1>
  %1 = kiln.cast %i : tensor<4xi32> -> tensor<4xi1>
  %2 = kiln.cast %i : tensor<4xi32> -> tensor<4xf32>
  %3 = kiln.cast %b : tensor<4xi1> -> tensor<4xf32>
  %4 = kiln.cast %i : tensor<4xi32> -> tensor<4xi64>
  %5 = kiln.cast %i : tensor<4xi32> -> tensor<4xi8>
  %6 = kiln.cast %h : tensor<4xf16> -> tensor<4xbf16>
  %7 = kiln.cast %b : tensor<4xi1> -> tensor<4xi32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<4xi1>, tensor<4xi1>, tensor<4xf32>, tensor<4xf32>, tensor<4xi64>, tensor<4xi8>, tensor<4xbf16>, tensor<4xi32>
}
