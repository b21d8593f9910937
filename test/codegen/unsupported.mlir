// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file -verify-diagnostics
//
// What the lowering refuses, each as an error on the kiln op.

func.func @dynamic_matmul(%a: tensor<?x4xf32>, %b: tensor<4x5xf32>) -> tensor<?x5xf32> {
  // expected-error @+1 {{'kiln.matmul' op has dynamic dims; codegen needs static shapes (bind symbolic dims with --shape)}}
  %0 = kiln.matmul %a, %b : tensor<?x4xf32>, tensor<4x5xf32> -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// A dynamic operand is enough, even with a static result; every such op is
// reported, not only the first.
func.func @dynamic_operands(%a: tensor<?xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<?xf32>) {
  // expected-error @+1 {{'kiln.add' op has dynamic dims}}
  %0 = kiln.add %a, %b : tensor<?xf32>, tensor<4xf32> -> tensor<4xf32>
  // expected-error @+1 {{'kiln.relu' op has dynamic dims}}
  %1 = kiln.relu %a : tensor<?xf32>
  return %0, %1 : tensor<4xf32>, tensor<?xf32>
}

// -----

// kiln.resize's per-dim tap tables are constants; beyond 2^24 entries the
// pattern refuses rather than embed them.
func.func @resize_tables_too_large(%x: tensor<1x4xf32>) -> tensor<1x33554432xf32> {
  // expected-error @+2 {{failed to legalize operation 'kiln.resize' that was explicitly marked illegal}}
  // expected-note @+1 {{every kiln -> linalg pattern refused this op; -debug-only=dialect-conversion shows why}}
  %0 = kiln.resize nearest %x {scales = array<f64: 1.0, 8388608.0>, sizes = array<i64: 1, 33554432>} : tensor<1x4xf32> -> tensor<1x33554432xf32>
  return %0 : tensor<1x33554432xf32>
}
