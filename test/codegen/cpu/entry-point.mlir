// RUN: kiln-opt %s -kiln-cpu-entry-point="name=net" -split-input-file -verify-diagnostics | FileCheck %s

// Inputs become memrefs read through to_tensor; each result is written into
// an output buffer appended to the arguments; nothing is returned.
// CHECK-LABEL: func.func @net_impl(
// CHECK-SAME: %[[X:arg[0-9]+]]: memref<2x3xf32>, %[[Y:arg[0-9]+]]: memref<3xi64>, %[[O0:arg[0-9]+]]: memref<2x3xf32>, %[[O1:arg[0-9]+]]: memref<3xi64>)
// CHECK-SAME: attributes {kiln.entry, kiln.num_inputs = 2 : i64, kiln.output_names = ["r", "y"]}
// CHECK-NOT: kiln.name
// CHECK: %[[XT:.*]] = bufferization.to_tensor %[[X]] restrict : memref<2x3xf32>
// CHECK: %[[YT:.*]] = bufferization.to_tensor %[[Y]] restrict : memref<3xi64>
// CHECK: %[[R:.*]] = kiln.relu %[[XT]]
// CHECK: bufferization.materialize_in_destination %[[R]] in restrict writable %[[O0]]
// CHECK: bufferization.materialize_in_destination %[[YT]] in restrict writable %[[O1]]
// CHECK: return{{$}}
func.func @main(%x: tensor<2x3xf32> {kiln.name = "x"}, %y: tensor<3xi64> {kiln.name = "y"})
    -> (tensor<2x3xf32> {kiln.name = "r"}, tensor<3xi64> {kiln.name = "y"}) {
  %0 = kiln.relu %x : tensor<2x3xf32>
  return %0, %y : tensor<2x3xf32>, tensor<3xi64>
}

// -----

// expected-error @+1 {{no model function 'main' to compile}}
module {
  func.func @other(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// -----

module {
  // expected-error @+1 {{model inputs and outputs need static shapes, got 'tensor<?xf32>'}}
  func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {
    return %x : tensor<?xf32>
  }
}

// -----

// One tensor.empty serving two destinations is split, one per use, so
// empty-tensor elimination cannot make both results share an output buffer
// (this once made a softmax overwrite the logits it was computed from).
// CHECK-LABEL: func.func @net_impl(
// (The fill, returned and copied, is split as well: see the next case.)
// CHECK: %[[A:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[B:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[B]] : tensor<4xf32>)
// CHECK: %[[C:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[G:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[C]] : tensor<4xf32>)
// CHECK: linalg.copy ins(%[[G]] : tensor<4xf32>) outs(%[[A]] : tensor<4xf32>)
// CHECK: bufferization.materialize_in_destination %[[F]]
module {
  func.func @main() -> (tensor<4xf32>, tensor<4xf32>) {
    %cst = arith.constant 1.0 : f32
    %e = tensor.empty() : tensor<4xf32>
    %f = linalg.fill ins(%cst : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    %c = linalg.copy ins(%f : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    return %f, %c : tensor<4xf32>, tensor<4xf32>
  }
}

// -----

// One zero fill (CSE'd) serving as the accumulator of two ops that feed two
// outputs is split too: each op gets its own fill of its own tensor.empty
// (the shared fill once made the second output's op accumulate into the
// first output's buffer).
// CHECK-LABEL: func.func @net_impl(
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[F1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<4xf32>)
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[F2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] : tensor<4xf32>)
// CHECK: linalg.add ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>) outs(%[[F2]] : tensor<4xf32>)
// CHECK: linalg.mul ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>) outs(%[[F1]] : tensor<4xf32>)
module {
  func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<4xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    %a = linalg.add ins(%x, %x : tensor<4xf32>, tensor<4xf32>) outs(%f : tensor<4xf32>) -> tensor<4xf32>
    %m = linalg.mul ins(%x, %x : tensor<4xf32>, tensor<4xf32>) outs(%f : tensor<4xf32>) -> tensor<4xf32>
    return %a, %m : tensor<4xf32>, tensor<4xf32>
  }
}
