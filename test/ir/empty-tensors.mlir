// RUN: kiln-opt %s -kiln-canonicalize -split-input-file | FileCheck %s
//
// Tensors with a zero-length dim carry no data (ir/EmptyTensors.cpp): every
// result without elements becomes an empty constant, and ops that read one
// but still produce elements become what they compute without it.

// CHECK-LABEL: func.func @empty_results
// CHECK-DAG: %[[A:.*]] = kiln.constant dense<> : tensor<4x0xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<> : tensor<0x4xf32>
// CHECK-NOT: kiln.relu
// CHECK-NOT: kiln.transpose
// CHECK: return %[[A]], %[[B]]
func.func @empty_results(%x: tensor<4x0xf32>) -> (tensor<4x0xf32>, tensor<0x4xf32>) {
  %0 = kiln.relu %x : tensor<4x0xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 1, 0>} : tensor<4x0xf32> -> tensor<0x4xf32>
  return %0, %1 : tensor<4x0xf32>, tensor<0x4xf32>
}

// -----

// A split piece of size 0 is an empty constant; the other pieces stay.
// CHECK-LABEL: func.func @split_piece
// CHECK-DAG: %[[E:.*]] = kiln.constant dense<> : tensor<2x0xf32>
// CHECK-DAG: %[[S:.*]]:3 = kiln.split
// CHECK: return %[[S]]#0, %[[E]], %[[S]]#2
func.func @split_piece(%x: tensor<2x5xf32>) -> (tensor<2x2xf32>, tensor<2x0xf32>, tensor<2x3xf32>) {
  %a, %b, %c = kiln.split %x {axis = 1 : i64, sizes = array<i64: 2, 0, 3>} : tensor<2x5xf32> -> tensor<2x2xf32>, tensor<2x0xf32>, tensor<2x3xf32>
  return %a, %b, %c : tensor<2x2xf32>, tensor<2x0xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @concat_drops_empty
// CHECK: %[[C:.*]] = kiln.concat %arg1, %arg1 {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
// CHECK: return %[[C]], %arg1
func.func @concat_drops_empty(%e: tensor<2x0xf32>, %x: tensor<2x3xf32>) -> (tensor<2x6xf32>, tensor<2x3xf32>) {
  %0 = kiln.concat %e, %x, %e, %x {axis = 1 : i64} : (tensor<2x0xf32>, tensor<2x3xf32>, tensor<2x0xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  %1 = kiln.concat %e, %x {axis = 1 : i64} : (tensor<2x0xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x6xf32>, tensor<2x3xf32>
}

// -----

// Sums over nothing are 0, products 1, means NaN, max -inf (INT_MIN for
// integers) and min +inf, as ONNX defines the empty reductions.
// CHECK-LABEL: func.func @empty_reductions
// CHECK-DAG: kiln.constant dense<0.000000e+00> : tensor<3x4xf32>
// CHECK-DAG: kiln.constant dense<1.000000e+00> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<0x7FC00000> : tensor<3x1xf32>
// CHECK-DAG: kiln.constant dense<0xFF800000> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<0x7F800000> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<-2147483648> : tensor<3xi32>
// CHECK-NOT: kiln.reduce
// CHECK-NOT: kiln.matmul
func.func @empty_reductions(%x: tensor<3x0xf32>, %w: tensor<0x4xf32>, %i: tensor<3x0xi32>)
    -> (tensor<3x4xf32>, tensor<3xf32>, tensor<3x1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xi32>) {
  %0 = kiln.matmul %x, %w : tensor<3x0xf32>, tensor<0x4xf32> -> tensor<3x4xf32>
  %1 = kiln.reduce_prod %x {axes = array<i64: 1>, keepdims = false} : tensor<3x0xf32> -> tensor<3xf32>
  %2 = kiln.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<3x0xf32> -> tensor<3x1xf32>
  %3 = kiln.reduce_max %x {axes = array<i64: 1>, keepdims = false} : tensor<3x0xf32> -> tensor<3xf32>
  %4 = kiln.reduce_min %x {axes = array<i64: 1>, keepdims = false} : tensor<3x0xf32> -> tensor<3xf32>
  %5 = kiln.reduce_max %i {axes = array<i64: 1>, keepdims = false} : tensor<3x0xi32> -> tensor<3xi32>
  return %0, %1, %2, %3, %4, %5 : tensor<3x4xf32>, tensor<3xf32>, tensor<3x1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xi32>
}

// -----

// Unsigned integers order unsigned: max over nothing is 0, min 2^N - 1.
// CHECK-LABEL: func.func @empty_unsigned_reductions
// CHECK-DAG: kiln.constant dense<0> : tensor<3xui8>
// CHECK-DAG: kiln.constant dense<65535> : tensor<3xui16>
// CHECK-NOT: kiln.reduce
func.func @empty_unsigned_reductions(%u: tensor<3x0xui8>, %v: tensor<3x0xui16>)
    -> (tensor<3xui8>, tensor<3xui16>) {
  %0 = kiln.reduce_max %u {axes = array<i64: 1>, keepdims = false} : tensor<3x0xui8> -> tensor<3xui8>
  %1 = kiln.reduce_min %v {axes = array<i64: 1>, keepdims = false} : tensor<3x0xui16> -> tensor<3xui16>
  return %0, %1 : tensor<3xui8>, tensor<3xui16>
}

// -----

// Constant padding of an empty input is all padding; a convolution without
// input channels is its bias.
// CHECK-LABEL: func.func @pad_and_conv
// CHECK-DAG: %[[P:.*]] = kiln.constant dense<1.500000e+00> : tensor<2x3xf32>
// CHECK-DAG: %[[Z:.*]] = kiln.constant dense<0.000000e+00> : tensor<1x2x2x2xf32>
// CHECK-DAG: %[[B:.*]] = kiln.reshape %arg2 {shape = array<i64: 1, 2, 1, 1>} : tensor<2xf32> -> tensor<1x2x1x1xf32>
// CHECK: %[[C:.*]] = kiln.add %[[B]], %[[Z]]
// CHECK: return %[[P]], %[[C]]
func.func @pad_and_conv(%e: tensor<0x3xf32>, %x: tensor<1x0x4x4xf32>, %b: tensor<2xf32>, %w: tensor<2x0x3x3xf32>)
    -> (tensor<2x3xf32>, tensor<1x2x2x2xf32>) {
  %0 = kiln.pad constant %e {pads = array<i64: 1, 0, 1, 0>, value = 1.5 : f64} : tensor<0x3xf32> -> tensor<2x3xf32>
  %1 = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x0x4x4xf32>, tensor<2x0x3x3xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<1x2x2x2xf32>
}
