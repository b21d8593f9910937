// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of kiln.constant.

func.func @not_a_tensor() {
  // expected-error @+1 {{'kiln.constant' op value must have a ranked tensor type}}
  %0 = kiln.constant dense<1.0> : vector<2xf32>
  return
}

// -----

func.func @element_type() {
  // expected-error @+1 {{'kiln.constant' op result #0 must be ranked tensor of kiln element values, but got 'tensor<2xi3>'}}
  %0 = kiln.constant dense<1> : tensor<2xi3>
  return
}

// -----

func.func @signed_element_type() {
  // expected-error @+1 {{'kiln.constant' op result #0 must be ranked tensor of kiln element values, but got 'tensor<2xsi8>'}}
  %0 = kiln.constant dense<1> : tensor<2xsi8>
  return
}

// -----

func.func @not_elements() {
  // expected-error @+1 {{'kiln.constant' op attribute 'value' failed to satisfy constraint: constant vector/tensor attribute}}
  %0 = "kiln.constant"() {value = 1.0 : f32} : () -> tensor<f32>
  return
}

// -----

func.func @result_shape() {
  // expected-error @+1 {{'kiln.constant' op result type 'tensor<3xf32>' incompatible with the inferred 'tensor<2xf32>'}}
  %0 = "kiln.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return
}

// -----

// Unlike other ops, a constant's result may not be less static than its value.
func.func @result_dynamic() {
  // expected-error @+1 {{'kiln.constant' op result type 'tensor<?xf32>' differs from the value's type 'tensor<2xf32>'}}
  %0 = "kiln.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<?xf32>
  return
}
