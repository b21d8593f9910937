// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of kiln.constant: every element type, splats, scalars, empty
// tensors and dense_resource blobs. The result type is the value's type.

// CHECK-LABEL: func.func @floats
func.func @floats() -> (tensor<2x2xf32>, tensor<3xf16>, tensor<2xbf16>, tensor<1xf64>) {
  // CHECK: %[[F32:.*]] = kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: %[[F16:.*]] = kiln.constant dense<1.500000e+00> : tensor<3xf16>
  %1 = kiln.constant dense<1.5> : tensor<3xf16>
  // CHECK: %[[BF16:.*]] = kiln.constant dense<[5.000000e-01, -2.000000e+00]> : tensor<2xbf16>
  %2 = kiln.constant dense<[0.5, -2.0]> : tensor<2xbf16>
  // CHECK: %[[F64:.*]] = kiln.constant dense<1.000000e+300> : tensor<1xf64>
  %3 = kiln.constant dense<1.0e+300> : tensor<1xf64>
  // CHECK: return %[[F32]], %[[F16]], %[[BF16]], %[[F64]]
  return %0, %1, %2, %3 : tensor<2x2xf32>, tensor<3xf16>, tensor<2xbf16>, tensor<1xf64>
}

// CHECK-LABEL: func.func @integers
func.func @integers() {
  // CHECK: kiln.constant dense<[true, false]> : tensor<2xi1>
  %0 = kiln.constant dense<[true, false]> : tensor<2xi1>
  // Scalars are rank-0 tensors.
  // CHECK: kiln.constant dense<-7> : tensor<i8>
  %1 = kiln.constant dense<-7> : tensor<i8>
  // CHECK: kiln.constant dense<[2147483647, -2147483648]> : tensor<2xi32>
  %2 = kiln.constant dense<[2147483647, -2147483648]> : tensor<2xi32>
  // CHECK: kiln.constant dense<[2, -1]> : tensor<2xi64>
  %3 = kiln.constant dense<[2, -1]> : tensor<2xi64>
  return
}

// CHECK-LABEL: func.func @empty
func.func @empty() {
  // CHECK: kiln.constant dense<> : tensor<0xi64>
  %0 = kiln.constant dense<> : tensor<0xi64>
  // CHECK: kiln.constant dense<0.000000e+00> : tensor<2x0xf32>
  %1 = kiln.constant dense<0.0> : tensor<2x0xf32>
  return
}

// Large weights live in resource blobs; the blob survives the round trip.
// CHECK-LABEL: func.func @resource
func.func @resource() -> tensor<2xf32> {
  // CHECK: %[[W:.*]] = kiln.constant dense_resource<weight> : tensor<2xf32>
  // CHECK: return %[[W]]
  %0 = kiln.constant dense_resource<weight> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// Discardable attributes print before the value.
// CHECK-LABEL: func.func @attributes
func.func @attributes() {
  // CHECK: kiln.constant {name = "bias"} dense<0.000000e+00> : tensor<4xf32>
  %0 = kiln.constant {name = "bias"} dense<0.0> : tensor<4xf32>
  return
}

// CHECK: dialect_resources
// CHECK-NEXT: builtin
// CHECK-NEXT: weight: "0x040000000000803F00000040"
{-#
  dialect_resources: {
    builtin: {
      weight: "0x040000000000803F00000040"
    }
  }
#-}
