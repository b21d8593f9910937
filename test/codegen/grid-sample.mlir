// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// kiln.grid_sample -> one linalg.generic over the output: its inputs are the
// grid's coordinate planes (x, the last dim's, is grid[..., 0]); its body
// computes each input coordinate and gathers the taps with tensor.extract at
// indices clamped into the input.

// Linear, zeros padding: planes H then W, 2 x 2 taps, each kept only inside.
// CHECK-DAG: #[[PLANE:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @linear_zeros
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x4xf32>, %[[G:.*]]: tensor<1x5x6x2xf32>)
// CHECK-DAG: %[[GY:.*]] = tensor.extract_slice %[[G]][0, 0, 0, 1] [1, 5, 6, 1] [1, 1, 1, 1] : tensor<1x5x6x2xf32> to tensor<1x5x6xf32>
// CHECK-DAG: %[[GX:.*]] = tensor.extract_slice %[[G]][0, 0, 0, 0] [1, 5, 6, 1] [1, 1, 1, 1] : tensor<1x5x6x2xf32> to tensor<1x5x6xf32>
// CHECK: linalg.generic {indexing_maps = [#[[PLANE]], #[[PLANE]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[GY]], %[[GX]] : tensor<1x5x6xf32>, tensor<1x5x6xf32>)
// CHECK: ^bb0(%[[Y:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// ((g + 1) * 3 - 1) / 2 for H of size 3:
// CHECK: %[[Y1:.*]] = arith.addf %[[Y]], %{{.*}} : f32
// CHECK: %[[Y3:.*]] = arith.mulf %[[Y1]], %{{.*}} : f32
// CHECK: %[[YS:.*]] = arith.subf %[[Y3]], %{{.*}} : f32
// CHECK: %[[YC:.*]] = arith.divf %[[YS]], %{{.*}} : f32
// CHECK: math.floor %[[YC]]
// CHECK: arith.cmpf oge
// CHECK: arith.maxnumf
// CHECK: arith.minnumf
// CHECK: arith.fptosi
// CHECK: %[[N:.*]] = linalg.index 0
// CHECK: %[[C:.*]] = linalg.index 1
// CHECK-COUNT-4: tensor.extract %[[X]][%[[N]], %[[C]], %{{.*}}, %{{.*}}] : tensor<1x2x3x4xf32>
// CHECK-NOT: tensor.extract %[[X]]
// CHECK: linalg.yield
func.func @linear_zeros(%x: tensor<1x2x3x4xf32>, %g: tensor<1x5x6x2xf32>) -> tensor<1x2x5x6xf32> {
  %y = kiln.grid_sample linear %x, %g : tensor<1x2x3x4xf32>, tensor<1x5x6x2xf32> -> tensor<1x2x5x6xf32>
  return %y : tensor<1x2x5x6xf32>
}

// -----

// Nearest rounds half to even and reads one element; integers need no
// conversion, an f16 grid computes in f32. Reflection folds the coordinate
// at 0 and 2 (align_corners, H = 3): floor(dx / 2) reflections.
// CHECK-LABEL: func.func @nearest_reflection
// CHECK: ^bb0(%[[Y:.*]]: f16, %{{.*}}: f16, %{{.*}}: i32):
// CHECK: arith.extf %[[Y]] : f16 to f32
// CHECK: %[[R:.*]] = math.roundeven
// CHECK: arith.cmpf olt, %[[R]]
// CHECK: math.floor
// CHECK: %[[E:.*]] = tensor.extract %{{.*}} : tensor<1x2x3x4xi32>
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield %[[E]] : i32
func.func @nearest_reflection(%x: tensor<1x2x3x4xi32>, %g: tensor<1x5x6x2xf16>) -> tensor<1x2x5x6xi32> {
  %y = kiln.grid_sample nearest %x, %g padding_mode reflection {align_corners = true} : tensor<1x2x3x4xi32>, tensor<1x5x6x2xf16> -> tensor<1x2x5x6xi32>
  return %y : tensor<1x2x5x6xi32>
}

// -----

// Volumetric cubic: three planes (D, H, W from grid[..., 2], [..., 1],
// [..., 0]), 4 x 4 x 4 taps; border padding clamps, nothing is zeroed.
// CHECK-LABEL: func.func @cubic_border
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x3x4x5xf32>, %[[G:.*]]: tensor<1x2x2x2x3xf32>)
// CHECK-DAG: tensor.extract_slice %[[G]][0, 0, 0, 0, 2]
// CHECK-DAG: tensor.extract_slice %[[G]][0, 0, 0, 0, 1]
// CHECK-DAG: tensor.extract_slice %[[G]][0, 0, 0, 0, 0]
// CHECK: linalg.generic
// CHECK-NOT: arith.select {{.*}}, %extracted
// CHECK-COUNT-64: tensor.extract %[[X]]
// CHECK-NOT: tensor.extract %[[X]]
// CHECK: linalg.yield
func.func @cubic_border(%x: tensor<1x1x3x4x5xf32>, %g: tensor<1x2x2x2x3xf32>) -> tensor<1x1x2x2x2xf32> {
  %y = kiln.grid_sample cubic %x, %g padding_mode border : tensor<1x1x3x4x5xf32>, tensor<1x2x2x2x3xf32> -> tensor<1x1x2x2x2xf32>
  return %y : tensor<1x1x2x2x2xf32>
}

// -----

// bfloat16 input: sums in f32, one rounding at the end.
// CHECK-LABEL: func.func @linear_bf16
// CHECK: tensor.extract {{.*}} : tensor<1x1x2x2xbf16>
// CHECK: arith.extf {{.*}} : bf16 to f32
// CHECK-NOT: arith.truncf
// CHECK: %[[T:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK-NEXT: linalg.yield %[[T]] : bf16
func.func @linear_bf16(%x: tensor<1x1x2x2xbf16>, %g: tensor<1x1x1x2xf32>) -> tensor<1x1x1x1xbf16> {
  %y = kiln.grid_sample linear %x, %g padding_mode border : tensor<1x1x2x2xbf16>, tensor<1x1x1x2xf32> -> tensor<1x1x1x1xbf16>
  return %y : tensor<1x1x1x1xbf16>
}
