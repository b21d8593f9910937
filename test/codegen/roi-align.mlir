// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// kiln.roi_align -> one linalg.generic over the output (r, c, ph, pw) whose
// body reads the box and batch index with tensor.extract and loops over the
// bin's sampling grid with two scf.for; with sampling_ratio 0 their bounds are
// ceil(bin size), computed in the body from the box.

// Adaptive grid, max, f16 computed in f32: the bounds come from math.ceil,
// clamped and converted; the four pixels of each sample are read at clamped
// indices; the result is truncated back to f16 once.
// CHECK-LABEL: func.func @adaptive_max_f16
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x6x6xf16>, %[[R:.*]]: tensor<3x4xf16>, %[[B:.*]]: tensor<3xi64>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]{{.*}} outs(%{{.*}} : tensor<3x2x2x2xf16>)
// CHECK: tensor.extract %[[B]][%{{.*}}] : tensor<3xi64>
// CHECK-COUNT-4: tensor.extract %[[R]][%{{.*}}, %{{.*}}] : tensor<3x4xf16>
// CHECK: math.ceil
// CHECK: %[[GH:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: math.ceil
// CHECK: %[[GW:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[GH]] step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (f32)
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[GW]] step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (f32)
// CHECK-COUNT-4: tensor.extract %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x2x6x6xf16>
// CHECK-NOT: tensor.extract %[[X]]
// CHECK: arith.cmpf olt
// CHECK: scf.yield
// CHECK: scf.yield
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @adaptive_max_f16(%x: tensor<1x2x6x6xf16>, %r: tensor<3x4xf16>, %b: tensor<3xi64>) -> tensor<3x2x2x2xf16> {
  %0 = kiln.roi_align max %x, %r, %b {half_pixel = false, output_height = 2 : i64,
         output_width = 2 : i64, sampling_ratio = 0 : i64, spatial_scale = 0.5 : f64}
       : (tensor<1x2x6x6xf16>, tensor<3x4xf16>, tensor<3xi64>) -> tensor<3x2x2x2xf16>
  return %0 : tensor<3x2x2x2xf16>
}

// -----

// A fixed sampling_ratio: constant loop bounds, no ceil; avg divides by the
// grid's size.
// CHECK-LABEL: func.func @fixed_avg
// CHECK-NOT: math.ceil
// CHECK: %[[TWO:.*]] = arith.constant 2 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[TWO]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[TWO]]
// CHECK: arith.divf
func.func @fixed_avg(%x: tensor<2x1x5x5xf32>, %r: tensor<1x4xf32>, %b: tensor<1xi64>) -> tensor<1x1x3x3xf32> {
  %0 = kiln.roi_align avg %x, %r, %b {half_pixel = true, output_height = 3 : i64,
         output_width = 3 : i64, sampling_ratio = 2 : i64, spatial_scale = 1.0 : f64}
       : (tensor<2x1x5x5xf32>, tensor<1x4xf32>, tensor<1xi64>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}
