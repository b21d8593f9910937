// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// kiln.deform_conv -> one linalg.generic contraction over (n, f, oh, ow | cg,
// i, j): the filter is its indexed input, the bias (or zeros) its init; the
// body reads the tap's offsets and mask and the four input pixels around the
// sampled point with tensor.extract.

// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @bias_groups
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x6x7xf32>, %[[W:.*]]: tensor<4x2x2x3xf32>, %[[O:.*]]: tensor<1x24x3x2xf32>, %[[M:.*]]: tensor<1x12x3x2xf32>, %[[BIAS:.*]]: tensor<4xf32>)
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[W]] : tensor<4x2x2x3xf32>) outs(%[[INIT]] : tensor<1x4x3x2xf32>)
// CHECK-COUNT-2: tensor.extract %[[O]]
// CHECK: tensor.extract %[[M]]
// CHECK: math.floor
// CHECK: math.floor
// CHECK-COUNT-4: tensor.extract %[[X]]
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @bias_groups(%x: tensor<1x4x6x7xf32>, %w: tensor<4x2x2x3xf32>, %o: tensor<1x24x3x2xf32>,
                       %m: tensor<1x12x3x2xf32>, %bias: tensor<4xf32>) -> tensor<1x4x3x2xf32> {
  %0 = kiln.deform_conv %x, %w, %o, %m, %bias {dilations = array<i64: 2, 1>, groups = 2 : i64,
         offset_groups = 2 : i64, pads = array<i64: 1, 0, 1, 1>, strides = array<i64: 2, 3>}
       : (tensor<1x4x6x7xf32>, tensor<4x2x2x3xf32>, tensor<1x24x3x2xf32>, tensor<1x12x3x2xf32>,
          tensor<4xf32>) -> tensor<1x4x3x2xf32>
  return %0 : tensor<1x4x3x2xf32>
}

// -----

// bf16 without a bias: zeros in f32, products and sums in f32, one truncation.
// CHECK-LABEL: func.func @no_bias_bf16
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x1x2x2xf32>)
// CHECK: linalg.generic
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @no_bias_bf16(%x: tensor<1x1x3x3xbf16>, %w: tensor<1x1x2x2xbf16>, %o: tensor<1x8x2x2xbf16>,
                        %m: tensor<1x4x2x2xbf16>) -> tensor<1x1x2x2xbf16> {
  %0 = kiln.deform_conv %x, %w, %o, %m {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
         strides = array<i64: 1, 1>}
       : (tensor<1x1x3x3xbf16>, tensor<1x1x2x2xbf16>, tensor<1x8x2x2xbf16>, tensor<1x4x2x2xbf16>)
         -> tensor<1x1x2x2xbf16>
  return %0 : tensor<1x1x2x2xbf16>
}
