// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of softmax, log_softmax, layer_norm and batch_norm.

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x10xf32>, %[[Y:[a-z0-9]+]]: tensor<?x4x?xf16>)
func.func @softmax(%x: tensor<2x10xf32>, %y: tensor<?x4x?xf16>) -> tensor<2x10xf32> {
  // CHECK: %[[R:.*]] = kiln.softmax %[[X]] {axis = 1 : i64} : tensor<2x10xf32>
  %0 = kiln.softmax %x {axis = 1 : i64} : tensor<2x10xf32>
  // CHECK: kiln.softmax %[[Y]] {axis = 2 : i64} : tensor<?x4x?xf16>
  %1 = kiln.softmax %y {axis = 2 : i64} : tensor<?x4x?xf16>
  // CHECK: return %[[R]]
  return %0 : tensor<2x10xf32>
}

// CHECK-LABEL: func.func @log_softmax
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x10xbf16>, %[[Y:[a-z0-9]+]]: tensor<5xf64>)
func.func @log_softmax(%x: tensor<2x10xbf16>, %y: tensor<5xf64>) {
  // CHECK: kiln.log_softmax %[[X]] {axis = 0 : i64} : tensor<2x10xbf16>
  %0 = kiln.log_softmax %x {axis = 0 : i64} : tensor<2x10xbf16>
  // CHECK: kiln.log_softmax %[[Y]] {axis = 0 : i64} : tensor<5xf64>
  %1 = kiln.log_softmax %y {axis = 0 : i64} : tensor<5xf64>
  return
}

// epsilon = 1e-5 is the default and not printed.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x8x64xf32>, %[[G:[a-z0-9]+]]: tensor<64xf32>, %[[B:[a-z0-9]+]]: tensor<64xf32>)
func.func @layer_norm(%x: tensor<2x8x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>)
    -> tensor<2x8x64xf32> {
  // CHECK: %[[R:.*]] = kiln.layer_norm %[[X]], %[[G]], %[[B]] {axis = 2 : i64} : (tensor<2x8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x8x64xf32>
  %0 = kiln.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-05 : f64}
       : (tensor<2x8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x8x64xf32>
  // Without bias, with another epsilon.
  // CHECK: kiln.layer_norm %[[X]], %[[G]] {axis = 2 : i64, epsilon = 1.000000e-03 : f64} : (tensor<2x8x64xf32>, tensor<64xf32>) -> tensor<2x8x64xf32>
  %1 = kiln.layer_norm %x, %g {axis = 2 : i64, epsilon = 1.0e-03 : f64}
       : (tensor<2x8x64xf32>, tensor<64xf32>) -> tensor<2x8x64xf32>
  // CHECK: return %[[R]]
  return %0 : tensor<2x8x64xf32>
}

// Normalizing several trailing dims; scale and bias broadcast to them.
// CHECK-LABEL: func.func @layer_norm_broadcast
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x8x16xf16>, %[[G:[a-z0-9]+]]: tensor<8x16xf16>, %[[B:[a-z0-9]+]]: tensor<16xf16>, %[[S:[a-z0-9]+]]: tensor<f16>, %[[D:[a-z0-9]+]]: tensor<?xf16>)
func.func @layer_norm_broadcast(%x: tensor<?x8x16xf16>, %g: tensor<8x16xf16>,
                                %b: tensor<16xf16>, %s: tensor<f16>,
                                %d: tensor<?xf16>) {
  // CHECK: kiln.layer_norm %[[X]], %[[G]], %[[B]] {axis = 1 : i64} : (tensor<?x8x16xf16>, tensor<8x16xf16>, tensor<16xf16>) -> tensor<?x8x16xf16>
  %0 = kiln.layer_norm %x, %g, %b {axis = 1 : i64}
       : (tensor<?x8x16xf16>, tensor<8x16xf16>, tensor<16xf16>) -> tensor<?x8x16xf16>
  // CHECK: kiln.layer_norm %[[X]], %[[S]], %[[D]] {axis = 0 : i64} : (tensor<?x8x16xf16>, tensor<f16>, tensor<?xf16>) -> tensor<?x8x16xf16>
  %1 = kiln.layer_norm %x, %s, %d {axis = 0 : i64}
       : (tensor<?x8x16xf16>, tensor<f16>, tensor<?xf16>) -> tensor<?x8x16xf16>
  return
}

// A static scale on a dynamic normalized dim: the dim must then be 64.
// CHECK-LABEL: func.func @layer_norm_dynamic
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x?xbf16>, %[[G:[a-z0-9]+]]: tensor<64xbf16>)
func.func @layer_norm_dynamic(%x: tensor<2x?xbf16>, %g: tensor<64xbf16>) {
  // CHECK: kiln.layer_norm %[[X]], %[[G]] {axis = 1 : i64} : (tensor<2x?xbf16>, tensor<64xbf16>) -> tensor<2x?xbf16>
  %0 = kiln.layer_norm %x, %g {axis = 1 : i64} : (tensor<2x?xbf16>, tensor<64xbf16>) -> tensor<2x?xbf16>
  return
}

// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x4x8x8xf32>, %[[S:[a-z0-9]+]]: tensor<4xf32>, %[[B:[a-z0-9]+]]: tensor<4xf32>, %[[M:[a-z0-9]+]]: tensor<4xf32>, %[[V:[a-z0-9]+]]: tensor<4xf32>)
func.func @batch_norm(%x: tensor<1x4x8x8xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>,
                      %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  // CHECK: %[[R:.*]] = kiln.batch_norm %[[X]], %[[S]], %[[B]], %[[M]], %[[V]] : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %0 = kiln.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f64}
       : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: kiln.batch_norm %[[X]], %[[S]], %[[B]], %[[M]], %[[V]] {epsilon = 1.000000e-03 : f64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %1 = kiln.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-03 : f64}
       : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: return %[[R]]
  return %0 : tensor<1x4x8x8xf32>
}

// [N, C] and [N, C, W] inputs, dynamic channels, other float types.
// CHECK-LABEL: func.func @batch_norm_ranks
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x3xf16>, %[[P:[a-z0-9]+]]: tensor<3xf16>, %[[Y:[a-z0-9]+]]: tensor<2x?x5xf64>, %[[Q:[a-z0-9]+]]: tensor<7xf64>, %[[R:[a-z0-9]+]]: tensor<?xf64>)
func.func @batch_norm_ranks(%x: tensor<?x3xf16>, %p: tensor<3xf16>,
                            %y: tensor<2x?x5xf64>, %q: tensor<7xf64>,
                            %r: tensor<?xf64>) {
  // CHECK: kiln.batch_norm %[[X]], %[[P]], %[[P]], %[[P]], %[[P]] : (tensor<?x3xf16>, tensor<3xf16>, tensor<3xf16>, tensor<3xf16>, tensor<3xf16>) -> tensor<?x3xf16>
  %0 = kiln.batch_norm %x, %p, %p, %p, %p
       : (tensor<?x3xf16>, tensor<3xf16>, tensor<3xf16>, tensor<3xf16>, tensor<3xf16>) -> tensor<?x3xf16>
  // CHECK: kiln.batch_norm %[[Y]], %[[Q]], %[[R]], %[[Q]], %[[R]] : (tensor<2x?x5xf64>, tensor<7xf64>, tensor<?xf64>, tensor<7xf64>, tensor<?xf64>) -> tensor<2x?x5xf64>
  %1 = kiln.batch_norm %y, %q, %r, %q, %r
       : (tensor<2x?x5xf64>, tensor<7xf64>, tensor<?xf64>, tensor<7xf64>, tensor<?xf64>) -> tensor<2x?x5xf64>
  return
}
