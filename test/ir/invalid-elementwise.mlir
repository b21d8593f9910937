// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of the elementwise ops: one case per message.

//===----------------------------------------------------------------------===//
// Element types accepted by each unary op (ODS constraints)
//===----------------------------------------------------------------------===//

func.func @neg_element_type(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'kiln.neg' op operand #0 must be ranked tensor of numeric values, but got 'tensor<4xi1>'}}
  %0 = kiln.neg %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @abs_element_type(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'kiln.abs' op operand #0 must be ranked tensor of numeric values, but got 'tensor<4xi1>'}}
  %0 = kiln.abs %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @relu_element_type(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'kiln.relu' op operand #0 must be ranked tensor of numeric values, but got 'tensor<4xi1>'}}
  %0 = kiln.relu %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @exp_element_type(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.exp' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = kiln.exp %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @log_element_type(%x: tensor<4xi64>) -> tensor<4xi64> {
  // expected-error @+1 {{'kiln.log' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi64>'}}
  %0 = kiln.log %x : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @sqrt_element_type(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'kiln.sqrt' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi8>'}}
  %0 = kiln.sqrt %x : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @rsqrt_element_type(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.rsqrt' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = kiln.rsqrt %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @reciprocal_element_type(%x: tensor<4xi64>) -> tensor<4xi64> {
  // expected-error @+1 {{'kiln.reciprocal' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi64>'}}
  %0 = kiln.reciprocal %x : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @tanh_element_type(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'kiln.tanh' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi1>'}}
  %0 = kiln.tanh %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @sigmoid_element_type(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.sigmoid' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = kiln.sigmoid %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @erf_element_type(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'kiln.erf' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi8>'}}
  %0 = kiln.erf %x : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @sin_element_type(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.sin' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = kiln.sin %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @cos_element_type(%x: tensor<4xi64>) -> tensor<4xi64> {
  // expected-error @+1 {{'kiln.cos' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi64>'}}
  %0 = kiln.cos %x : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @floor_element_type(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.floor' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = kiln.floor %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @ceil_element_type(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'kiln.ceil' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi8>'}}
  %0 = kiln.ceil %x : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @hard_swish_element_type(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.hard_swish' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = kiln.hard_swish %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @gelu_element_type(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.gelu' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = kiln.gelu %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @leaky_relu_element_type(%x: tensor<4xi64>) -> tensor<4xi64> {
  // expected-error @+1 {{'kiln.leaky_relu' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi64>'}}
  %0 = kiln.leaky_relu %x : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @hard_sigmoid_element_type(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'kiln.hard_sigmoid' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi8>'}}
  %0 = kiln.hard_sigmoid %x : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @not_element_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.not' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = kiln.not %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @clip_element_type(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'kiln.clip' op operand #0 must be ranked tensor of numeric values, but got 'tensor<4xi1>'}}
  %0 = kiln.clip %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

//===----------------------------------------------------------------------===//
// Unary ops: the result has the operand's type
//===----------------------------------------------------------------------===//

func.func @unary_result_element_type(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{'kiln.exp' op requires the same type for all operands and results}}
  %0 = "kiln.exp"(%x) : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @unary_result_shape(%x: tensor<4xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{'kiln.neg' op requires the same type for all operands and results}}
  %0 = "kiln.neg"(%x) : (tensor<4xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Not even a refinement: the printed form has one type, so unary ops keep
// the operand's exact type.
func.func @unary_result_refined(%x: tensor<?xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'kiln.not' op result type 'tensor<4xi1>' must equal the operand type 'tensor<?xi1>'}}
  %0 = "kiln.not"(%x) : (tensor<?xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'kiln.relu' op operand #0 must be ranked tensor of numeric values, but got 'tensor<*xf32>'}}
  %0 = "kiln.relu"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @unsupported_element_type(%x: tensor<4xi4>) -> tensor<4xi4> {
  // expected-error @+1 {{'kiln.abs' op operand #0 must be ranked tensor of numeric values, but got 'tensor<4xi4>'}}
  %0 = kiln.abs %x : tensor<4xi4>
  return %0 : tensor<4xi4>
}

// -----

//===----------------------------------------------------------------------===//
// Activations with attributes
//===----------------------------------------------------------------------===//

func.func @gelu_approximation(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{custom op 'kiln.gelu' expected string or keyword containing one of the following enum values for attribute 'approximate' [none, tanh]}}
  %0 = kiln.gelu %x approximate sigmoid : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @leaky_relu_alpha_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.leaky_relu' op attribute 'alpha' failed to satisfy constraint: 64-bit float attribute}}
  %0 = kiln.leaky_relu %x {alpha = 0.1 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @hard_sigmoid_beta_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.hard_sigmoid' op attribute 'beta' failed to satisfy constraint: 64-bit float attribute}}
  %0 = kiln.hard_sigmoid %x {beta = 1 : i64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// clip
//===----------------------------------------------------------------------===//

func.func @clip_min_above_max(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.clip' op min 6.000000e+00 is greater than max 0.000000e+00}}
  %0 = kiln.clip %x {min = 6.0 : f64, max = 0.0 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @clip_nan(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.clip' op max must not be NaN}}
  %0 = kiln.clip %x {max = 0x7FF8000000000000 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @clip_fractional_bound_on_integers(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.clip' op min 5.000000e-01 is not representable in the element type 'i32'}}
  %0 = kiln.clip %x {min = 0.5 : f64} : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @clip_bound_out_of_range(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'kiln.clip' op max 1.280000e+02 is not representable in the element type 'i8'}}
  %0 = kiln.clip %x {max = 128.0 : f64} : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @clip_bound_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.clip' op attribute 'min' failed to satisfy constraint: 64-bit float attribute}}
  %0 = kiln.clip %x {min = 0 : i64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// cast
//===----------------------------------------------------------------------===//

func.func @cast_shape(%x: tensor<4xf32>) -> tensor<5xi64> {
  // expected-error @+1 {{'kiln.cast' op requires the same shape for all operands and results}}
  %0 = kiln.cast %x : tensor<4xf32> -> tensor<5xi64>
  return %0 : tensor<5xi64>
}

// -----

func.func @cast_rank(%x: tensor<4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'kiln.cast' op requires the same shape for all operands and results}}
  %0 = kiln.cast %x : tensor<4xf32> -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @cast_element_type(%x: tensor<4xf32>) -> tensor<4xsi8> {
  // expected-error @+1 {{'kiln.cast' op result #0 must be ranked tensor of kiln element values, but got 'tensor<4xsi8>'}}
  %0 = kiln.cast %x : tensor<4xf32> -> tensor<4xsi8>
  return %0 : tensor<4xsi8>
}

// -----

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

func.func @add_no_broadcast(%x: tensor<2x3xf32>, %y: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.add' op operand shapes [2, 3], [4] do not broadcast (dim 0 from the right differs and is not 1)}}
  %0 = kiln.add %x, %y : tensor<2x3xf32>, tensor<4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @sub_no_broadcast(%x: tensor<2x3x4xi32>, %y: tensor<5x4xi32>) -> tensor<2x3x4xi32> {
  // expected-error @+1 {{'kiln.sub' op operand shapes [2, 3, 4], [5, 4] do not broadcast (dim 1 from the right differs and is not 1)}}
  %0 = kiln.sub %x, %y : tensor<2x3x4xi32>, tensor<5x4xi32> -> tensor<2x3x4xi32>
  return %0 : tensor<2x3x4xi32>
}

// -----

func.func @mul_result_shape(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'kiln.mul' op result type 'tensor<2x4xf32>' incompatible with the inferred 'tensor<2x3xf32>'}}
  %0 = kiln.mul %x, %y : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @div_result_rank(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'kiln.div' op result type 'tensor<1x3xf32>' incompatible with the inferred 'tensor<3xf32>'}}
  %0 = kiln.div %x, %y : tensor<3xf32>, tensor<3xf32> -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @max_element_types(%x: tensor<3xf32>, %y: tensor<3xf16>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.max' op requires the same element type for all operands and results}}
  %0 = kiln.max %x, %y : tensor<3xf32>, tensor<3xf16> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @min_result_element_type(%x: tensor<3xi32>, %y: tensor<3xi32>) -> tensor<3xi64> {
  // expected-error @+1 {{'kiln.min' op requires the same element type for all operands and results}}
  %0 = kiln.min %x, %y : tensor<3xi32>, tensor<3xi32> -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

func.func @add_bool(%x: tensor<3xi1>) -> tensor<3xi1> {
  // expected-error @+1 {{'kiln.add' op operand #0 must be ranked tensor of numeric values, but got 'tensor<3xi1>'}}
  %0 = kiln.add %x, %x : tensor<3xi1>, tensor<3xi1> -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @pow_integer(%x: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error @+1 {{'kiln.pow' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<3xi32>'}}
  %0 = kiln.pow %x, %x : tensor<3xi32>, tensor<3xi32> -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @and_float(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.and' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = kiln.and %x, %x : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @or_no_broadcast(%x: tensor<2xi1>, %y: tensor<3xi1>) -> tensor<3xi1> {
  // expected-error @+1 {{'kiln.or' op operand shapes [2], [3] do not broadcast (dim 0 from the right differs and is not 1)}}
  %0 = kiln.or %x, %y : tensor<2xi1>, tensor<3xi1> -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

//===----------------------------------------------------------------------===//
// compare
//===----------------------------------------------------------------------===//

func.func @compare_predicate(%x: tensor<3xf32>) -> tensor<3xi1> {
  // expected-error @+1 {{custom op 'kiln.compare' expected string or keyword containing one of the following enum values for attribute 'predicate' [eq, ne, lt, le, gt, ge]}}
  %0 = kiln.compare neq, %x, %x : tensor<3xf32>, tensor<3xf32> -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @compare_element_types(%x: tensor<3xf32>, %y: tensor<3xf64>) -> tensor<3xi1> {
  // expected-error @+1 {{'kiln.compare' op requires the same element type for all operands}}
  %0 = kiln.compare eq, %x, %y : tensor<3xf32>, tensor<3xf64> -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @compare_result_not_bool(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.compare' op result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = kiln.compare lt, %x, %x : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @compare_no_broadcast(%x: tensor<2x3xi64>, %y: tensor<2xi64>) -> tensor<2x3xi1> {
  // expected-error @+1 {{'kiln.compare' op operand shapes [2, 3], [2] do not broadcast (dim 0 from the right differs and is not 1)}}
  %0 = kiln.compare ge, %x, %y : tensor<2x3xi64>, tensor<2xi64> -> tensor<2x3xi1>
  return %0 : tensor<2x3xi1>
}

// -----

func.func @compare_result_shape(%x: tensor<2x3xi64>, %y: tensor<3xi64>) -> tensor<3xi1> {
  // expected-error @+1 {{'kiln.compare' op result type 'tensor<3xi1>' incompatible with the inferred 'tensor<2x3xi1>'}}
  %0 = kiln.compare ge, %x, %y : tensor<2x3xi64>, tensor<3xi64> -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

//===----------------------------------------------------------------------===//
// select
//===----------------------------------------------------------------------===//

func.func @select_condition_not_bool(%c: tensor<4xi8>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.select' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = kiln.select %c, %x, %x : (tensor<4xi8>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_value_types(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xi32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.select' op failed to verify that all of {true_value, false_value, output} have same element type}}
  %0 = kiln.select %c, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_no_broadcast(%c: tensor<2x1xi1>, %x: tensor<3xf32>, %y: tensor<5x1xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.select' op operand shapes [2, 1], [3], [5, 1] do not broadcast (dim 1 from the right differs and is not 1)}}
  %0 = kiln.select %c, %x, %y : (tensor<2x1xi1>, tensor<3xf32>, tensor<5x1xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @select_result_shape(%c: tensor<4xi1>, %x: tensor<f32>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.select' op result type 'tensor<3xf32>' incompatible with the inferred 'tensor<4xf32>'}}
  %0 = kiln.select %c, %x, %x : (tensor<4xi1>, tensor<f32>, tensor<f32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @acos_element_type(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.acos' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = kiln.acos %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @bitwise_not_element_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.bitwise_not' op operand #0 must be ranked tensor of integer values, but got 'tensor<4xf32>'}}
  %0 = kiln.bitwise_not %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @bitwise_and_bool(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'kiln.bitwise_and' op operand #0 must be ranked tensor of integer values, but got 'tensor<4xi1>'}}
  %0 = kiln.bitwise_and %x, %x : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @shift_left_mixed_types(%x: tensor<4xui8>, %y: tensor<4xi8>) -> tensor<4xui8> {
  // expected-error @+1 {{'kiln.shift_left' op requires the same element type for all operands and results}}
  %0 = kiln.shift_left %x, %y : tensor<4xui8>, tensor<4xi8> -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

func.func @shift_right_shapes(%x: tensor<4xi32>, %y: tensor<3xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.shift_right' op operand shapes [4], [3] do not broadcast (dim 0 from the right differs and is not 1)}}
  %0 = kiln.shift_right %x, %y : tensor<4xi32>, tensor<3xi32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

//===----------------------------------------------------------------------===//
// The storage-only types (float8, 4- and 2-bit integers): no arithmetic
//===----------------------------------------------------------------------===//

func.func @add_float8(%x: tensor<4xf8E4M3FN>) -> tensor<4xf8E4M3FN> {
  // expected-error @+1 {{'kiln.add' op operand #0 must be ranked tensor of numeric values, but got 'tensor<4xf8E4M3FN>'}}
  %0 = kiln.add %x, %x : tensor<4xf8E4M3FN>, tensor<4xf8E4M3FN> -> tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}

// -----

func.func @compare_int4(%x: tensor<4xi4>) -> tensor<4xi1> {
  // expected-error @+1 {{'kiln.compare' op operand #0 must be ranked tensor of 1-bit signless integer or numeric values, but got 'tensor<4xi4>'}}
  %0 = kiln.compare lt, %x, %x : tensor<4xi4>, tensor<4xi4> -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

//===----------------------------------------------------------------------===//
// bitcast
//===----------------------------------------------------------------------===//

func.func @bitcast_width(%x: tensor<4xf32>) -> tensor<4xi16> {
  // expected-error @+1 {{'kiln.bitcast' op element types 'f32' and 'i16' differ in width (32 and 16 bits)}}
  %0 = kiln.bitcast %x : tensor<4xf32> -> tensor<4xi16>
  return %0 : tensor<4xi16>
}

// -----

func.func @bitcast_to_bool(%x: tensor<4xui8>) -> tensor<4xi1> {
  // expected-error @+1 {{'kiln.bitcast' op cannot reinterpret 'ui8' as bools, which hold only 0 or 1}}
  %0 = kiln.bitcast %x : tensor<4xui8> -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @bitcast_shape(%x: tensor<4xf32>) -> tensor<2xi32> {
  // expected-error @+1 {{'kiln.bitcast' op requires the same shape for all operands and results}}
  %0 = kiln.bitcast %x : tensor<4xf32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}
