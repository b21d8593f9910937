// RUN: kiln-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(kiln-cpu-pack-operands{vector-bits=512 vector-registers=32 min-rows-to-pack=512}))" -mlir-print-elementsattrs-with-hex-if-larger=100000 | FileCheck %s
// RUN: kiln-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(kiln-cpu-pack-operands{vector-bits=256 vector-registers=16 min-rows-to-pack=512}))" | FileCheck %s --check-prefix=AVX2
//
// B goes into panels as wide as the register tile (32 columns with
// AVX-512, 16 with AVX2): Bp[j, k, c] = B[k, j*nr + c].

// A constant B is packed at compile time: element [k, n] = 100*k + n lands
// at [n / 32, k, n % 32].
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @constant_b
// CHECK: %[[BP:.*]] = arith.constant dense<{{\[\[\[}}0.000000e+00, 1.000000e+00, {{.*}}3.100000e+01], [1.000000e+02, {{.*}}1.310000e+02]]{{.*}}[3.200000e+01, {{.*}}]]]> : tensor<2x2x32xf32>
// CHECK: %[[C4:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [8, 2, 32] : tensor<8x64xf32> into tensor<8x2x32xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[BP]] : tensor<8x2xf32>, tensor<2x2x32xf32>) outs(%[[C4]] : tensor<8x2x32xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %[[R]] {{\[\[}}0], [1, 2]] : tensor<8x2x32xf32> into tensor<8x64xf32>
// CHECK-NOT: linalg.matmul
// AVX2-LABEL: func.func @constant_b
// AVX2: arith.constant {{.*}} : tensor<4x2x16xf32>
func.func @constant_b(%a: tensor<8x2xf32>, %c: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %b = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0],
                            [100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0, 129.0, 130.0, 131.0, 132.0, 133.0, 134.0, 135.0, 136.0, 137.0, 138.0, 139.0, 140.0, 141.0, 142.0, 143.0, 144.0, 145.0, 146.0, 147.0, 148.0, 149.0, 150.0, 151.0, 152.0, 153.0, 154.0, 155.0, 156.0, 157.0, 158.0, 159.0, 160.0, 161.0, 162.0, 163.0]]> : tensor<2x64xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<8x2xf32>, tensor<2x64xf32>) outs(%c : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

// A B computed at run time is packed by a copy of its panels, when A has
// enough rows to pay for it.
// CHECK-LABEL: func.func @runtime_b
// CHECK: %[[SPLIT:.*]] = tensor.expand_shape %arg1 {{\[\[}}0], [1, 2]] output_shape [256, 4, 32] : tensor<256x128xf32> into tensor<256x4x32xf32>
// CHECK: %[[BP:.*]] = linalg.transpose ins(%[[SPLIT]] : tensor<256x4x32xf32>) outs(%{{.*}} : tensor<4x256x32xf32>) permutation = [1, 0, 2]
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[BP]] : tensor<512x256xf32>, tensor<4x256x32xf32>) outs(%{{.*}} : tensor<512x4x32xf32>)
func.func @runtime_b(%a: tensor<512x256xf32>, %b: tensor<256x128xf32>, %c: tensor<512x128xf32>) -> tensor<512x128xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<512x256xf32>, tensor<256x128xf32>) outs(%c : tensor<512x128xf32>) -> tensor<512x128xf32>
  return %0 : tensor<512x128xf32>
}

// -----

// Too few rows to pay for a run-time copy of B; a ragged last panel (N = 100);
// a single panel: all stay plain matmuls.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: linalg.generic
// CHECK-COUNT-3: linalg.matmul
// CHECK-NOT: linalg.generic
func.func @left_alone(%a: tensor<64x256xf32>, %b: tensor<256x128xf32>, %c: tensor<64x128xf32>,
                      %w: tensor<256x100xf32>, %d: tensor<64x100xf32>, %v: tensor<256x32xf32>, %e: tensor<64x32xf32>)
    -> (tensor<64x128xf32>, tensor<64x100xf32>, tensor<64x32xf32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<64x256xf32>, tensor<256x128xf32>) outs(%c : tensor<64x128xf32>) -> tensor<64x128xf32>
  %cw = arith.constant dense<1.0> : tensor<256x100xf32>
  %1 = linalg.matmul ins(%a, %cw : tensor<64x256xf32>, tensor<256x100xf32>) outs(%d : tensor<64x100xf32>) -> tensor<64x100xf32>
  %cv = arith.constant dense<1.0> : tensor<256x32xf32>
  %2 = linalg.matmul ins(%a, %cv : tensor<64x256xf32>, tensor<256x32xf32>) outs(%e : tensor<64x32xf32>) -> tensor<64x32xf32>
  return %0, %1, %2 : tensor<64x128xf32>, tensor<64x100xf32>, tensor<64x32xf32>
}

// -----

// A zero fill or a bias broadcast along the rows as the product's init is
// made directly in the packed shape [M, N/nr, nr] (the bias viewed as
// [N/nr, nr]): no reshape between it and the product, which the tiler can
// then fuse into its tasks.
// CHECK-LABEL: func.func @fill_init
// CHECK: %[[FILL:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<8x2x32xf32>) -> tensor<8x2x32xf32>
// CHECK: linalg.generic {{.*}} outs(%[[FILL]] : tensor<8x2x32xf32>)
func.func @fill_init(%a: tensor<8x2xf32>) -> tensor<8x64xf32> {
  %b = arith.constant dense<1.0> : tensor<2x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<8x2xf32>, tensor<2x64xf32>) outs(%c : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

// CHECK-LABEL: func.func @bias_init
// CHECK: %[[BIAS:.*]] = tensor.expand_shape %arg1 {{\[\[}}0, 1]] output_shape [2, 32] : tensor<64xf32> into tensor<2x32xf32>
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[BIAS]] : tensor<2x32xf32>) outs(%{{.*}} : tensor<8x2x32xf32>) dimensions = [0]
// CHECK: linalg.generic {{.*}} outs(%[[INIT]] : tensor<8x2x32xf32>)
func.func @bias_init(%a: tensor<8x2xf32>, %bias: tensor<64xf32>) -> tensor<8x64xf32> {
  %b = arith.constant dense<1.0> : tensor<2x64xf32>
  %e = tensor.empty() : tensor<8x64xf32>
  %c = linalg.broadcast ins(%bias : tensor<64xf32>) outs(%e : tensor<8x64xf32>) dimensions = [0]
  %0 = linalg.matmul ins(%a, %b : tensor<8x2xf32>, tensor<2x64xf32>) outs(%c : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

// A convolution's filter gradient: 16 filters x 27 taps, summed over the
// pixels. 27 columns are a vector of 16 and a rest of 11 (with AVX2, three
// of 8 and a rest of 3), which would stay a scalar loop: B (computed at run
// time) and C get a zero column, and the product is sliced back to 27. The
// zero fill becomes a fill of the padded shape.
// CHECK-LABEL: func.func @narrow_rest
// CHECK: %[[B:.*]] = tensor.pad %arg1 low[0, 0, 0] high[0, 0, 1]
// CHECK: %[[FILL:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x16x28xf32>)
// CHECK: %[[R:.*]] = linalg.batch_matmul ins(%arg0, %[[B]] : tensor<1x16x4096xf32>, tensor<1x4096x28xf32>) outs(%[[FILL]] : tensor<1x16x28xf32>)
// CHECK: tensor.extract_slice %[[R]][0, 0, 0] [1, 16, 27] [1, 1, 1] : tensor<1x16x28xf32> to tensor<1x16x27xf32>
// AVX2-LABEL: func.func @narrow_rest
// AVX2: linalg.batch_matmul {{.*}} -> tensor<1x16x28xf32>
func.func @narrow_rest(%a: tensor<1x16x4096xf32>, %b: tensor<1x4096x27xf32>) -> tensor<1x16x27xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x16x27xf32>
  %c = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x16x27xf32>) -> tensor<1x16x27xf32>
  %0 = linalg.batch_matmul ins(%a, %b : tensor<1x16x4096xf32>, tensor<1x4096x27xf32>) outs(%c : tensor<1x16x27xf32>) -> tensor<1x16x27xf32>
  return %0 : tensor<1x16x27xf32>
}

// -----

// Left alone: narrower than one vector in all (11), a rest that is whole
// 4-lane vectors (36 = 32 + 4), a constant B (padding would copy it on
// every run), too few rows (2).
// CHECK-LABEL: func.func @narrow_left_alone
// CHECK-NOT: tensor.pad
// CHECK: return
func.func @narrow_left_alone(%a: tensor<16x64xf32>, %b11: tensor<64x11xf32>, %c11: tensor<16x11xf32>,
                             %b36: tensor<64x36xf32>, %c36: tensor<16x36xf32>, %c27: tensor<16x27xf32>,
                             %a2: tensor<2x64xf32>, %b27: tensor<64x27xf32>, %c2: tensor<2x27xf32>)
    -> (tensor<16x11xf32>, tensor<16x36xf32>, tensor<16x27xf32>, tensor<2x27xf32>) {
  %0 = linalg.matmul ins(%a, %b11 : tensor<16x64xf32>, tensor<64x11xf32>) outs(%c11 : tensor<16x11xf32>) -> tensor<16x11xf32>
  %1 = linalg.matmul ins(%a, %b36 : tensor<16x64xf32>, tensor<64x36xf32>) outs(%c36 : tensor<16x36xf32>) -> tensor<16x36xf32>
  %w = arith.constant dense<1.0> : tensor<64x27xf32>
  %2 = linalg.matmul ins(%a, %w : tensor<16x64xf32>, tensor<64x27xf32>) outs(%c27 : tensor<16x27xf32>) -> tensor<16x27xf32>
  %3 = linalg.matmul ins(%a2, %b27 : tensor<2x64xf32>, tensor<64x27xf32>) outs(%c2 : tensor<2x27xf32>) -> tensor<2x27xf32>
  return %0, %1, %2, %3 : tensor<16x11xf32>, tensor<16x36xf32>, tensor<16x27xf32>, tensor<2x27xf32>
}
