// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifier errors of the data-movement ops: one case per message.

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

func.func @reshape_two_inferred(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'kiln.reshape' op shape [-1, -1] has more than one -1}}
  %0 = kiln.reshape %x {shape = array<i64: -1, -1>} : tensor<2x3xf32> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @reshape_negative(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{'kiln.reshape' op shape entries must be >= 0 or -1, got -2}}
  %0 = kiln.reshape %x {shape = array<i64: -2>} : tensor<2x3xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @reshape_cannot_infer(%x: tensor<2x3xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{'kiln.reshape' op cannot infer the -1 in [4, -1]: 6 elements are not a multiple of 4}}
  %0 = kiln.reshape %x {shape = array<i64: 4, -1>} : tensor<2x3xf32> -> tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{'kiln.reshape' op input [2, 3] has 6 elements but shape [7] has 7}}
  %0 = kiln.reshape %x {shape = array<i64: 7>} : tensor<2x3xf32> -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

func.func @reshape_result_shape(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.reshape' op result type 'tensor<2x3xf32>' incompatible with the inferred 'tensor<3x2xf32>'}}
  %0 = kiln.reshape %x {shape = array<i64: 3, 2>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) -> tensor<6xi32> {
  // expected-error @+1 {{'kiln.reshape' op requires the same element type for all operands and results}}
  %0 = kiln.reshape %x {shape = array<i64: 6>} : tensor<2x3xf32> -> tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

func.func @transpose_perm_size(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'kiln.transpose' op perm has 3 entries but the input has rank 2}}
  %0 = kiln.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_not_permutation(%x: tensor<2x3x4xf32>) -> tensor<3x3x2xf32> {
  // expected-error @+1 {{'kiln.transpose' op perm [1, 1, 0] is not a permutation of [0, 3)}}
  %0 = kiln.transpose %x {perm = array<i64: 1, 1, 0>} : tensor<2x3x4xf32> -> tensor<3x3x2xf32>
  return %0 : tensor<3x3x2xf32>
}

// -----

func.func @transpose_result_shape(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.transpose' op result type 'tensor<2x3xf32>' incompatible with the inferred 'tensor<3x2xf32>'}}
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// concat
//===----------------------------------------------------------------------===//

// Caught by SameOperandsAndResultElementType before inference says "needs at
// least one input".
func.func @concat_no_inputs() -> tensor<0xf32> {
  // expected-error @+1 {{'kiln.concat' op expected 1 or more operands, but found 0}}
  %0 = kiln.concat {axis = 0 : i64} : () -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'kiln.concat' op axis 2 is out of range [0, 2)}}
  %0 = kiln.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'kiln.concat' op input 1 has rank 1, expected 2}}
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.concat' op input 1 [4, 5] differs from input 0 [2, 3] at dim 0, which is not the concat axis}}
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @concat_element_types(%a: tensor<2xf32>, %b: tensor<2xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.concat' op requires the same element type for all operands and results}}
  %0 = kiln.concat %a, %b {axis = 0 : i64} : (tensor<2xf32>, tensor<2xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @concat_result_shape(%a: tensor<2xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{'kiln.concat' op result type 'tensor<5xf32>' incompatible with the inferred 'tensor<4xf32>'}}
  %0 = kiln.concat %a, %a {axis = 0 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// split
//===----------------------------------------------------------------------===//

func.func @split_axis(%x: tensor<5xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{'kiln.split' op axis 1 is out of range [0, 1)}}
  %0 = kiln.split %x {axis = 1 : i64, sizes = array<i64: 5>} : tensor<5xf32> -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @split_no_sizes(%x: tensor<5xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{'kiln.split' op sizes must not be empty}}
  %0 = kiln.split %x {axis = 0 : i64, sizes = array<i64>} : tensor<5xf32> -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Caught by SameOperandsAndResultElementType.
func.func @split_no_results(%x: tensor<5xf32>) {
  // expected-error @+1 {{'kiln.split' op expected 1 or more results}}
  "kiln.split"(%x) {axis = 0 : i64, sizes = array<i64>} : (tensor<5xf32>) -> ()
  return
}

// -----

func.func @split_negative_size(%x: tensor<5xf32>) -> (tensor<6xf32>, tensor<?xf32>) {
  // expected-error @+1 {{'kiln.split' op sizes must be >= 0, got -1}}
  %0:2 = kiln.split %x {axis = 0 : i64, sizes = array<i64: 6, -1>} : tensor<5xf32> -> tensor<6xf32>, tensor<?xf32>
  return %0#0, %0#1 : tensor<6xf32>, tensor<?xf32>
}

// -----

func.func @split_sum(%x: tensor<2x5xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  // expected-error @+1 {{'kiln.split' op sizes [2, 2] sum to 4 but dim 1 has size 5}}
  %0:2 = kiln.split %x {axis = 1 : i64, sizes = array<i64: 2, 2>} : tensor<2x5xf32> -> tensor<2x2xf32>, tensor<2x2xf32>
  return %0#0, %0#1 : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// One result per size.
func.func @split_result_count(%x: tensor<5xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'kiln.split' op has 1 result but inference gives 2: 'tensor<2xf32>', 'tensor<3xf32>'}}
  %0 = kiln.split %x {axis = 0 : i64, sizes = array<i64: 2, 3>} : tensor<5xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @split_result_shape(%x: tensor<5xf32>) -> (tensor<3xf32>, tensor<2xf32>) {
  // expected-error @+1 {{'kiln.split' op result types 'tensor<3xf32>', 'tensor<2xf32>' incompatible with the inferred 'tensor<2xf32>', 'tensor<3xf32>'}}
  %0:2 = kiln.split %x {axis = 0 : i64, sizes = array<i64: 2, 3>} : tensor<5xf32> -> tensor<3xf32>, tensor<2xf32>
  return %0#0, %0#1 : tensor<3xf32>, tensor<2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

func.func @slice_counts(%x: tensor<4x6xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'kiln.slice' op starts, ends and steps need one entry per dim (2), got 2, 1 and 2}}
  %0 = kiln.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2>, steps = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @slice_step_zero(%x: tensor<4x6xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'kiln.slice' op steps must not be 0 (dim 1)}}
  %0 = kiln.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2, 6>, steps = array<i64: 1, 0>} : tensor<4x6xf32> -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @slice_end_past_size(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+1 {{'kiln.slice' op dim 0 of size 4: start 0, end 5, step 1 are not normalized (a positive step needs 0 <= start <= end <= 4)}}
  %0 = kiln.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 5, 6>, steps = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

func.func @slice_start_after_end(%x: tensor<?xf32>) -> tensor<0xf32> {
  // expected-error @+1 {{'kiln.slice' op dim 0 of size ?: start 3, end 1, step 2 are not normalized (a positive step needs 0 <= start <= end <= ?)}}
  %0 = kiln.slice %x {starts = array<i64: 3>, ends = array<i64: 1>, steps = array<i64: 2>} : tensor<?xf32> -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

func.func @slice_negative_start(%x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'kiln.slice' op dim 0 of size 4: start -1, end 1, step 1 are not normalized (a positive step needs 0 <= start <= end <= 4)}}
  %0 = kiln.slice %x {starts = array<i64: -1>, ends = array<i64: 1>, steps = array<i64: 1>} : tensor<4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @slice_negative_step_start(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+1 {{'kiln.slice' op dim 1 of size 6: start 6, end -1, step -1 are not normalized (a negative step needs -1 <= end <= start < 6)}}
  %0 = kiln.slice %x {starts = array<i64: 0, 6>, ends = array<i64: 4, -1>, steps = array<i64: 1, -1>} : tensor<4x6xf32> -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

func.func @slice_negative_step_end(%x: tensor<6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{'kiln.slice' op dim 0 of size 6: start 5, end -2, step -1 are not normalized (a negative step needs -1 <= end <= start < 6)}}
  %0 = kiln.slice %x {starts = array<i64: 5>, ends = array<i64: -2>, steps = array<i64: -1>} : tensor<6xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Reversing an empty dim: start 0 does not exist, so the slice would read
// past the end.
func.func @slice_negative_step_empty_dim(%x: tensor<0xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{'kiln.slice' op dim 0 of size 0: start 0, end -1, step -1 are not normalized (a negative step needs -1 <= end <= start < 0)}}
  %0 = kiln.slice %x {starts = array<i64: 0>, ends = array<i64: -1>, steps = array<i64: -1>} : tensor<0xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @slice_negative_step_start_before_end(%x: tensor<6xf32>) -> tensor<0xf32> {
  // expected-error @+1 {{'kiln.slice' op dim 0 of size 6: start 0, end 3, step -1 are not normalized (a negative step needs -1 <= end <= start < 6)}}
  %0 = kiln.slice %x {starts = array<i64: 0>, ends = array<i64: 3>, steps = array<i64: -1>} : tensor<6xf32> -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

func.func @slice_result_shape(%x: tensor<10xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.slice' op result type 'tensor<3xf32>' incompatible with the inferred 'tensor<4xf32>'}}
  %0 = kiln.slice %x {starts = array<i64: 0>, ends = array<i64: 10>, steps = array<i64: 3>} : tensor<10xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// gather
//===----------------------------------------------------------------------===//

func.func @gather_axis(%x: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<10x4x3xf32> {
  // expected-error @+1 {{'kiln.gather' op axis 2 is out of range [0, 2)}}
  %0 = kiln.gather %x, %i {axis = 2 : i64} : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<10x4x3xf32>
  return %0 : tensor<10x4x3xf32>
}

// -----

// Gathering from an empty axis has no element to read, whatever the index.
func.func @gather_from_empty_axis(%d: tensor<0x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.gather' op gathers from dim 0 of size 0, where no index is in range}}
  %0 = kiln.gather %d, %i {axis = 0 : i64} : (tensor<0x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gather_scalar_data(%x: tensor<f32>, %i: tensor<i64>) -> tensor<f32> {
  // expected-error @+1 {{'kiln.gather' op axis 0 is out of range [0, 0)}}
  %0 = kiln.gather %x, %i {axis = 0 : i64} : (tensor<f32>, tensor<i64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @gather_float_indices(%x: tensor<10xf32>, %i: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = kiln.gather %x, %i {axis = 0 : i64} : (tensor<10xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @gather_element_type(%x: tensor<10xf32>, %i: tensor<3xi64>) -> tensor<3xi64> {
  // expected-error @+1 {{'kiln.gather' op failed to verify that all of {data, output} have same element type}}
  %0 = kiln.gather %x, %i {axis = 0 : i64} : (tensor<10xf32>, tensor<3xi64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

func.func @gather_result_shape(%x: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.gather' op result type 'tensor<3xf32>' incompatible with the inferred 'tensor<3x4xf32>'}}
  %0 = kiln.gather %x, %i {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// expand
//===----------------------------------------------------------------------===//

func.func @expand_negative(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.expand' op shape entries must be >= 0, got -1}}
  %0 = kiln.expand %x {shape = array<i64: -1>} : tensor<3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @expand_no_broadcast(%x: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'kiln.expand' op input [3] does not broadcast with shape [2, 4]}}
  %0 = kiln.expand %x {shape = array<i64: 2, 4>} : tensor<3xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @expand_result_shape(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.expand' op result type 'tensor<3xf32>' incompatible with the inferred 'tensor<2x3xf32>'}}
  %0 = kiln.expand %x {shape = array<i64: 2, 1>} : tensor<3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

func.func @pad_mode(%x: tensor<3xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{custom op 'kiln.pad' expected string or keyword containing one of the following enum values for attribute 'mode' [constant, reflect, edge, wrap]}}
  %0 = kiln.pad mirror %x {pads = array<i64: 1, 1>} : tensor<3xf32> -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @pad_count(%x: tensor<2x3xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'kiln.pad' op pads has 2 entries, expected 4 (all begins, then all ends)}}
  %0 = kiln.pad constant %x {pads = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @pad_negative(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'kiln.pad' op pads must be >= 0, got [0, 0, 0, -1]}}
  %0 = kiln.pad constant %x {pads = array<i64: 0, 0, 0, -1>} : tensor<2x3xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @pad_reflect_too_wide(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'kiln.pad' op reflect padding of dim 1 needs pads < size 3, got 0 and 3}}
  %0 = kiln.pad reflect %x {pads = array<i64: 0, 0, 0, 3>} : tensor<2x3xf32> -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @pad_edge_empty(%x: tensor<0x3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'kiln.pad' op edge padding of dim 0 needs a non-empty dim, got size 0 and pads 1 and 0}}
  %0 = kiln.pad edge %x {pads = array<i64: 1, 0, 0, 0>} : tensor<0x3xf32> -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @pad_wrap_empty(%x: tensor<2x0xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'kiln.pad' op wrap padding of dim 1 needs a non-empty dim, got size 0 and pads 0 and 2}}
  %0 = kiln.pad wrap %x {pads = array<i64: 0, 0, 0, 2>} : tensor<2x0xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @pad_value_integer(%x: tensor<3xi32>) -> tensor<5xi32> {
  // expected-error @+1 {{'kiln.pad' op value 2.500000e+00 is not representable in the element type 'i32'}}
  %0 = kiln.pad constant %x {pads = array<i64: 1, 1>, value = 2.5 : f64} : tensor<3xi32> -> tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

func.func @pad_value_bool(%x: tensor<3xi1>) -> tensor<5xi1> {
  // expected-error @+1 {{'kiln.pad' op value -1.000000e+00 is not representable in the element type 'i1'}}
  %0 = kiln.pad constant %x {pads = array<i64: 1, 1>, value = -1.0 : f64} : tensor<3xi1> -> tensor<5xi1>
  return %0 : tensor<5xi1>
}

// -----

func.func @pad_result_shape(%x: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.pad' op result type 'tensor<4xf32>' incompatible with the inferred 'tensor<5xf32>'}}
  %0 = kiln.pad constant %x {pads = array<i64: 1, 1>} : tensor<3xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// flatten, squeeze, unsqueeze
//===----------------------------------------------------------------------===//

func.func @flatten_axis(%x: tensor<2x3xf32>) -> tensor<6x1xf32> {
  // expected-error @+1 {{'kiln.flatten' op axis 3 is out of range [0, 2]}}
  %0 = kiln.flatten %x {axis = 3 : i64} : tensor<2x3xf32> -> tensor<6x1xf32>
  return %0 : tensor<6x1xf32>
}

// -----

func.func @flatten_result_shape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'kiln.flatten' op result type 'tensor<6x4xf32>' incompatible with the inferred 'tensor<2x12xf32>'}}
  %0 = kiln.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

func.func @squeeze_axes(%x: tensor<1x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.squeeze' op axes [2] must be non-empty, unique and in [0, 2)}}
  %0 = kiln.squeeze %x {axes = array<i64: 2>} : tensor<1x3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Not ONNX's "squeeze every size-1 dim".
func.func @squeeze_no_axes(%x: tensor<1x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.squeeze' op axes [] must be non-empty, unique and in [0, 2)}}
  %0 = kiln.squeeze %x {axes = array<i64>} : tensor<1x3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @squeeze_not_one(%x: tensor<1x3xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{'kiln.squeeze' op cannot squeeze dim 1 of size 3}}
  %0 = kiln.squeeze %x {axes = array<i64: 1>} : tensor<1x3xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @unsqueeze_no_axes(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.unsqueeze' op axes [] must be non-empty, unique and in [0, 1)}}
  %0 = kiln.unsqueeze %x {axes = array<i64>} : tensor<3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Axes count positions in the result, whose rank is 1 + 2.
func.func @unsqueeze_axes(%x: tensor<3xf32>) -> tensor<1x3x1xf32> {
  // expected-error @+1 {{'kiln.unsqueeze' op axes [0, 3] must be non-empty, unique and in [0, 3)}}
  %0 = kiln.unsqueeze %x {axes = array<i64: 0, 3>} : tensor<3xf32> -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

func.func @unsqueeze_result_shape(%x: tensor<3xf32>) -> tensor<3x1xf32> {
  // expected-error @+1 {{'kiln.unsqueeze' op result type 'tensor<3x1xf32>' incompatible with the inferred 'tensor<1x3xf32>'}}
  %0 = kiln.unsqueeze %x {axes = array<i64: 0>} : tensor<3xf32> -> tensor<3x1xf32>
  return %0 : tensor<3x1xf32>
}

// -----

//===----------------------------------------------------------------------===//
// scatter_add
//===----------------------------------------------------------------------===//

func.func @scatter_add_updates(%d: tensor<10x4xf32>, %i: tensor<3xi64>, %u: tensor<4x4xf32>) -> tensor<10x4xf32> {
  // expected-error @+1 {{'kiln.scatter_add' op updates must have kiln.gather's output shape [3, 4], got [4, 4]}}
  %0 = kiln.scatter_add %d, %i, %u {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi64>, tensor<4x4xf32>) -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

func.func @scatter_add_axis(%d: tensor<10x4xf32>, %i: tensor<3xi64>, %u: tensor<3x4xf32>) -> tensor<10x4xf32> {
  // expected-error @+1 {{'kiln.scatter_add' op axis 2 is out of range [0, 2)}}
  %0 = kiln.scatter_add %d, %i, %u {axis = 2 : i64} : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}
