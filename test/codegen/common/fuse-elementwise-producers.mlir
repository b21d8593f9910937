// RUN: kiln-opt --split-input-file --kiln-fuse-elementwise="producers-only=true broadcasts=true" %s | FileCheck %s
// RUN: kiln-opt --split-input-file --kiln-fuse-elementwise %s | FileCheck %s --check-prefix=DEFAULT

#id4 = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch = affine_map<(n, c, h, w) -> (c)>

// A depthwise convolution as kiln-cpu-windows-as-elementwise writes it (its
// init, the bias broadcast, is an input), then a Clip: with `broadcasts`,
// the broadcast becomes a generic and both fuse into the convolution, one
// op reading the bias per channel. Without the option the broadcast stays.
// CHECK-LABEL: func.func @depthwise_bias_clip
// CHECK-NOT:     linalg.broadcast
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<1x4x6x6xf32>, tensor<4xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:           arith.maximumf
// CHECK:           arith.minimumf
// CHECK-NOT:     linalg.generic
// DEFAULT-LABEL: func.func @depthwise_bias_clip
// DEFAULT:         linalg.broadcast
func.func @depthwise_bias_clip(%bias: tensor<4xf32>, %x: tensor<1x4x6x6xf32>, %w: tensor<4xf32>) -> tensor<1x4x6x6xf32> {
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %init = linalg.broadcast ins(%bias : tensor<4xf32>) outs(%e : tensor<1x4x6x6xf32>) dimensions = [0, 2, 3]
  %conv = linalg.generic {indexing_maps = [#id4, #id4, #ch, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%init, %x, %w : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<4xf32>) outs(%e : tensor<1x4x6x6xf32>) {
  ^bb0(%i: f32, %xv: f32, %wv: f32, %out: f32):
    %p = arith.mulf %xv, %wv : f32
    %s = arith.addf %i, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x6x6xf32>
  %lo = arith.constant 0.0 : f32
  %hi = arith.constant 6.0 : f32
  %clip = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv : tensor<1x4x6x6xf32>) outs(%e : tensor<1x4x6x6xf32>) {
  ^bb0(%v: f32, %out: f32):
    %a = arith.maximumf %v, %lo : f32
    %b = arith.minimumf %a, %hi : f32
    linalg.yield %b : f32
  } -> tensor<1x4x6x6xf32>
  return %clip : tensor<1x4x6x6xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// `producers-only`: a reshape between two elementwise ops stays where it is
// (the default moves it and fuses them).
// CHECK-LABEL: func.func @reshape_stays
// CHECK:         linalg.generic
// CHECK:         tensor.expand_shape
// CHECK:         linalg.generic
// DEFAULT-LABEL: func.func @reshape_stays
// DEFAULT:         linalg.generic
// DEFAULT:         math.exp
// DEFAULT:         arith.mulf
// DEFAULT-NOT:     linalg.generic
func.func @reshape_stays(%x: tensor<4x8xf32>) -> tensor<4x2x4xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %a = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %r = tensor.expand_shape %a [[0], [1, 2]] output_shape [4, 2, 4] : tensor<4x8xf32> into tensor<4x2x4xf32>
  %e3 = tensor.empty() : tensor<4x2x4xf32>
  %b = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b, c)>, affine_map<(a, b, c) -> (a, b, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%r : tensor<4x2x4xf32>) outs(%e3 : tensor<4x2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<4x2x4xf32>
  return %b : tensor<4x2x4xf32>
}
