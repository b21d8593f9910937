// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// kiln.conv_transpose -> one contraction over the input channels of each
// group, cols[n, g, (f, a, b), (i, j)], on reshapes of the input and filter;
// then, per kernel tap (a, b), a strided extract_slice / add / insert_slice
// into the output, which starts as the bias broadcast (or zeros).

// PaddleOCR's detector head: k2 s2, every tap lands on a stride-2 grid.
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d2)>
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_transpose_k2s2
// CHECK-SAME: (%{{.*}}: tensor<1x3x4x4xf32>, %{{.*}}: tensor<3x2x2x2xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK: %[[XG:.*]] = tensor.expand_shape {{.*}} output_shape [1, 1, 3, 16] : tensor<48xf32> into tensor<1x1x3x16xf32>
// CHECK: %[[WG:.*]] = tensor.expand_shape {{.*}} output_shape [1, 3, 8] : tensor<24xf32> into tensor<1x3x8xf32>
// CHECK: %[[COLS:.*]] = linalg.generic {indexing_maps = [#[[W]], #[[X]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[WG]], %[[XG]] : tensor<1x3x8xf32>, tensor<1x1x3x16xf32>) outs(%{{.*}} : tensor<1x1x8x16xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[TAPS:.*]] = tensor.expand_shape {{.*}} output_shape [1, 2, 2, 2, 4, 4]
// CHECK: %[[Y0:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<2xf32>) outs(%{{.*}} : tensor<1x2x8x8xf32>)
// CHECK: %[[P0:.*]] = tensor.extract_slice %[[TAPS]][0, 0, 0, 0, 0, 0] [1, 2, 1, 1, 4, 4] [1, 1, 1, 1, 1, 1] : tensor<1x2x2x2x4x4xf32> to tensor<1x2x4x4xf32>
// CHECK: %[[S0:.*]] = tensor.extract_slice %[[Y0]][0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 2, 2]
// CHECK: %[[A0:.*]] = linalg.generic {{.*}} ins(%[[P0]] : tensor<1x2x4x4xf32>) outs(%[[S0]] : tensor<1x2x4x4xf32>)
// CHECK: %[[Y1:.*]] = tensor.insert_slice %[[A0]] into %[[Y0]][0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 2, 2]
// CHECK: tensor.extract_slice %[[TAPS]][0, 0, 0, 1, 0, 0]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 1] [1, 2, 4, 4] [1, 1, 2, 2]
// CHECK: tensor.extract_slice %[[TAPS]][0, 0, 1, 0, 0, 0]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 1, 0] [1, 2, 4, 4] [1, 1, 2, 2]
// CHECK: tensor.extract_slice %[[TAPS]][0, 0, 1, 1, 0, 0]
// CHECK: %[[R:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 2, 2]
// CHECK: return %[[R]]
func.func @conv_transpose_k2s2(%x: tensor<1x3x4x4xf32>, %w: tensor<3x2x2x2xf32>, %b: tensor<2xf32>) -> tensor<1x2x8x8xf32> {
  %y = kiln.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>, tensor<3x2x2x2xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32>
  return %y : tensor<1x2x8x8xf32>
}

// -----

// Only the input rows and columns that land inside the output are added:
// pads [3, -1, 1, -2], strides [2, 3], kernel 3x3, 5x5 -> 7x18. Tap (0, 0)
// takes rows 2.. (row 0 would land at -3) from row 1 of the output, and
// columns from column 1 (the negative pad moves them right).
// CHECK-LABEL: func.func @conv_transpose_crop
// CHECK: %[[Y0:.*]] = linalg.fill {{.*}} -> tensor<1x1x7x18xf32>
// CHECK: tensor.extract_slice %[[TAPS:.*]][0, 0, 0, 0, 2, 0] [1, 1, 1, 1, 3, 5] [1, 1, 1, 1, 1, 1] : tensor<1x1x3x3x5x5xf32> to tensor<1x1x3x5xf32>
// CHECK: tensor.extract_slice %[[Y0]][0, 0, 1, 1] [1, 1, 3, 5] [1, 1, 2, 3]
// Tap (1, 0): rows 1.. land from row 0.
// CHECK: tensor.extract_slice %[[TAPS]][0, 0, 1, 0, 1, 0] [1, 1, 1, 1, 4, 5]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 1] [1, 1, 4, 5] [1, 1, 2, 3]
func.func @conv_transpose_crop(%x: tensor<1x1x5x5xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x7x18xf32> {
  %y = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 3, -1, 1, -2>, strides = array<i64: 2, 3>} : (tensor<1x1x5x5xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x7x18xf32>
  return %y : tensor<1x1x7x18xf32>
}

// -----

// Groups: the input is [N, G, C/G, H*W] and ONNX's filter [C, F/G, kh, kw]
// is [G, C/G, F/G * kh * kw], both pure reshapes; the contraction keeps g.
// CHECK-LABEL: func.func @conv_transpose_grouped
// CHECK: tensor.expand_shape {{.*}} output_shape [1, 2, 2, 9] : tensor<36xf32> into tensor<1x2x2x9xf32>
// CHECK: tensor.expand_shape {{.*}} output_shape [2, 2, 12] : tensor<48xf32> into tensor<2x2x12xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x2x12xf32>, tensor<1x2x2x9xf32>) outs(%{{.*}} : tensor<1x2x12x9xf32>)
// CHECK: tensor.expand_shape {{.*}} output_shape [1, 6, 2, 2, 3, 3]
func.func @conv_transpose_grouped(%x: tensor<1x4x3x3xf32>, %w: tensor<4x3x2x2xf32>) -> tensor<1x6x6x6xf32> {
  %y = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x3x3xf32>, tensor<4x3x2x2xf32>) -> tensor<1x6x6x6xf32>
  return %y : tensor<1x6x6x6xf32>
}

// -----

// f16 accumulates in f32 and rounds once; 1-D runs as 2-D with H = 1.
// CHECK-LABEL: func.func @conv_transpose_1d_f16
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x4xf16>, tensor<1x1x2x5xf16>) outs(%{{.*}} : tensor<1x1x4x5xf32>)
// CHECK: arith.extf
// CHECK: arith.truncf
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x2x11xf16>
func.func @conv_transpose_1d_f16(%x: tensor<1x2x5xf16>, %w: tensor<2x2x2xf16>) -> tensor<1x2x11xf16> {
  %y = kiln.conv_transpose %x, %w {dilations = array<i64: 1>, output_padding = array<i64: 1>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x2x5xf16>, tensor<2x2x2xf16>) -> tensor<1x2x11xf16>
  return %y : tensor<1x2x11xf16>
}

// -----

// conv_backward_data is the transposed convolution of the cotangent with
// conv's filter [F, C/G, kh, kw] (conv_transpose's [in, out/G, kh, kw]): the
// same contraction over F/G per group, then one strided add per tap into
// zeros of input_shape. Tap (0, 0) lands at (-1, -1) + 2 * (i, j): rows and
// columns 1 to 2 of the cotangent, at 1 and 1.
// CHECK-LABEL: func.func @conv_backward_data
// CHECK-SAME: (%[[G:.*]]: tensor<2x6x3x3xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>)
// CHECK: %[[XG:.*]] = tensor.expand_shape %{{.*}} output_shape [2, 2, 3, 9]
// CHECK: %[[WG:.*]] = tensor.expand_shape %{{.*}} output_shape [2, 3, 18]
// CHECK: %[[COLS:.*]] = linalg.generic
// CHECK-SAME: ins(%[[WG]], %[[XG]] : tensor<2x3x18xf32>, tensor<2x2x3x9xf32>)
// CHECK: %[[C6:.*]] = tensor.expand_shape %{{.*}} output_shape [2, 4, 3, 3, 3, 3]
// CHECK: %[[Y0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x4x6x5xf32>)
// CHECK: tensor.extract_slice %[[C6]][0, 0, 0, 0, 1, 1] [2, 4, 1, 1, 2, 2] [1, 1, 1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[Y0]][0, 0, 1, 1] [2, 4, 2, 2] [1, 1, 2, 2]
// CHECK-COUNT-9: tensor.insert_slice
// CHECK-NOT: tensor.insert_slice
func.func @conv_backward_data(%g: tensor<2x6x3x3xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x4x6x5xf32> {
  %0 = kiln.conv_backward_data %g, %w {dilations = array<i64: 1, 1>, groups = 2 : i64,
         input_shape = array<i64: 2, 4, 6, 5>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<2x6x3x3xf32>, tensor<6x2x3x3xf32>) -> tensor<2x4x6x5xf32>
  return %0 : tensor<2x4x6x5xf32>
}

// -----

// 3-D: the same contraction with (f, a, b, c) and (i, j, k) flattened, then
// one strided add per kernel tap (a, b, c), the last dim fastest.
// CHECK-LABEL: func.func @conv_transpose_3d
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x16x12xf32>)
// CHECK: %[[TAPS:.*]] = tensor.expand_shape {{.*}} output_shape [1, 2, 2, 2, 2, 2, 2, 3]
// CHECK: tensor.extract_slice %[[TAPS]][0, 0, 0, 0, 0, 0, 0, 0] [1, 2, 1, 1, 1, 2, 2, 3] [1, 1, 1, 1, 1, 1, 1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 0, 0] [1, 2, 2, 2, 3] [1, 1, 2, 2, 2]
// CHECK: tensor.extract_slice %[[TAPS]][0, 0, 0, 0, 1, 0, 0, 0]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 0, 1] [1, 2, 2, 2, 3] [1, 1, 2, 2, 2]
// CHECK-COUNT-6: tensor.insert_slice
// CHECK-NOT: tensor.insert_slice
// CHECK: return
func.func @conv_transpose_3d(%x: tensor<1x3x2x2x3xf32>, %w: tensor<3x2x2x2x2xf32>) -> tensor<1x2x4x4x6xf32> {
  %y = kiln.conv_transpose %x, %w {dilations = array<i64: 1, 1, 1>, output_padding = array<i64: 0, 0, 0>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x3x2x2x3xf32>, tensor<3x2x2x2x2xf32>) -> tensor<1x2x4x4x6xf32>
  return %y : tensor<1x2x4x4x6xf32>
}
