// RUN: kiln-opt %s -split-input-file -kiln-differentiate -verify-diagnostics
// What kiln-differentiate refuses, each with a located error.

// An op without a VJP rule on a path from a weight to an output: the error
// names the op at its location (the model's node).
func.func @main(%x: tensor<1x1x2x2xf32> {kiln.name = "x", kiln.parameter})
    -> (tensor<1x1x4x4xf32> {kiln.name = "y"}) {
  // expected-error @+1 {{cannot differentiate through 'kiln.resize': it has no gradient rule (VJPOpInterface)}}
  %0 = kiln.resize nearest %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 1, 4, 4>}
       : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// A rule that refuses an attribute says which.
func.func @main(%x: tensor<4xf32> {kiln.name = "x", kiln.parameter})
    -> (tensor<6xf32> {kiln.name = "y"}) {
  // expected-error @+1 {{'kiln.pad' op has no gradient rule for mode 'reflect' (only constant padding)}}
  %0 = kiln.pad reflect %x {pads = array<i64: 1, 1>} : tensor<4xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// --wrt names a tensor the model does not have.
// expected-error @+1 {{kiln-differentiate: the model has no floating-point weights (parameters) to differentiate with respect to}}
func.func @main(%x: tensor<4xf32> {kiln.name = "x"}) -> (tensor<4xf32> {kiln.name = "y"}) {
  %0 = kiln.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
