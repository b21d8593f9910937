// RUN: kiln-opt %s -split-input-file -kiln-differentiate -verify-diagnostics
// What kiln-differentiate refuses, each with a located error.

// An op without a VJP rule on a path from a weight to an output: the error
// names the op at its location (the model's node). Every kiln op that reads
// a tensor has one; an op of another dialect does not.
func.func @main(%x: tensor<4xf32> {kiln.name = "x", kiln.parameter})
    -> (tensor<4xf32> {kiln.name = "y"}) {
  %0 = tensor.cast %x : tensor<4xf32> to tensor<?xf32>
  // expected-error @+1 {{cannot differentiate through 'tensor.cast': it has no gradient rule (VJPOpInterface)}}
  %1 = tensor.cast %0 : tensor<?xf32> to tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// A rule that refuses says why: resize's transposed tap matrix.
func.func @main(%x: tensor<1x1x4096x1xf32> {kiln.name = "x", kiln.parameter})
    -> (tensor<1x1x8192x1xf32> {kiln.name = "y"}) {
  // expected-error @+1 {{'kiln.resize' op has no gradient for resizing a dim of 4096 to 8192 elements: its tap matrix would exceed 2^24 elements}}
  %0 = kiln.resize nearest %x {scales = array<f64: 1.0, 1.0, 2.0, 1.0>, sizes = array<i64: 1, 1, 8192, 1>}
       : tensor<1x1x4096x1xf32> -> tensor<1x1x8192x1xf32>
  return %0 : tensor<1x1x8192x1xf32>
}

// -----

// --wrt names a tensor the model does not have.
// expected-error @+1 {{kiln-differentiate: the model has no floating-point weights (parameters) to differentiate with respect to}}
func.func @main(%x: tensor<4xf32> {kiln.name = "x"}) -> (tensor<4xf32> {kiln.name = "y"}) {
  %0 = kiln.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
