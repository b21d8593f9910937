// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of kiln.dropout.

func.func @dropout_ratio(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.dropout' op ratio must be in [0, 1], got}}
  %y, %m = kiln.dropout %x {ratio = 1.5 : f64} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>)
  return
}

// -----

func.func @dropout_step_rank(%x: tensor<4xf32>, %s: tensor<1xi64>) {
  // expected-error @+1 {{'kiln.dropout' op step must be a rank-0 tensor, got}}
  %y, %m = kiln.dropout %x step %s {ratio = 0.5 : f64} : (tensor<4xf32>, tensor<1xi64>) -> (tensor<4xf32>, tensor<4xi1>)
  return
}

// -----

func.func @dropout_mask_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.dropout' op}}
  %y, %m = kiln.dropout %x {ratio = 0.5 : f64} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<5xi1>)
  return
}

// -----

func.func @dropout_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.dropout' op operand #0 must be ranked tensor of floating-point values}}
  %y, %m = kiln.dropout %x {ratio = 0.5 : f64} : (tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi1>)
  return
}

// -----

func.func @dropout_key_rank(%x: tensor<4xf32>, %s: tensor<i64>, %k: tensor<2xi64>) {
  // expected-error @+1 {{'kiln.dropout' op key must be a rank-0 tensor, got}}
  %y, %m = kiln.dropout %x step %s key %k {ratio = 0.5 : f64} : (tensor<4xf32>, tensor<i64>, tensor<2xi64>) -> (tensor<4xf32>, tensor<4xi1>)
  return
}

// -----

func.func @dropout_key_without_step(%x: tensor<4xf32>, %k: tensor<i64>) {
  // expected-error @+1 {{'kiln.dropout' op a key needs a step (without one the op is the identity)}}
  %y, %m = kiln.dropout %x key %k {ratio = 0.5 : f64} : (tensor<4xf32>, tensor<i64>) -> (tensor<4xf32>, tensor<4xi1>)
  return
}
