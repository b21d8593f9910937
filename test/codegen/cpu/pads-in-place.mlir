// RUN: kiln-opt --kiln-cpu-pads-in-place %s | FileCheck %s

// The ReLU writes into the interior of the padded tensor, whose border
// alone is filled (a slab above and below the rows, then one left and
// right of the columns within them), and is inserted back at the same
// place (no copy after bufferization); its value is still used as it is.
// A pad of a function argument (no op writes it) stays a pad.
// CHECK-LABEL: func.func @pads
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.+]] = tensor.empty() : tensor<1x2x6x6x32xf32>
// CHECK: %[[TOP:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<1x2x1x6x32xf32>)
// CHECK: %[[F1:.+]] = tensor.insert_slice %[[TOP]] into %[[E]][0, 0, 0, 0, 0] [1, 2, 1, 6, 32] [1, 1, 1, 1, 1]
// CHECK: %[[BOTTOM:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<1x2x1x6x32xf32>)
// CHECK: %[[F2:.+]] = tensor.insert_slice %[[BOTTOM]] into %[[F1]][0, 0, 5, 0, 0] [1, 2, 1, 6, 32] [1, 1, 1, 1, 1]
// CHECK: %[[LEFT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<1x2x4x1x32xf32>)
// CHECK: %[[F3:.+]] = tensor.insert_slice %[[LEFT]] into %[[F2]][0, 0, 1, 0, 0] [1, 2, 4, 1, 32] [1, 1, 1, 1, 1]
// CHECK: %[[RIGHT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<1x2x4x1x32xf32>)
// CHECK: %[[F:.+]] = tensor.insert_slice %[[RIGHT]] into %[[F3]][0, 0, 1, 5, 0] [1, 2, 4, 1, 32] [1, 1, 1, 1, 1]
// CHECK-NOT: linalg.fill
// CHECK: %[[I:.+]] = tensor.extract_slice %[[F]][0, 0, 1, 1, 0] [1, 2, 4, 4, 32] [1, 1, 1, 1, 1]
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: outs(%[[I]] : tensor<1x2x4x4x32xf32>)
// CHECK: %[[P:.+]] = tensor.insert_slice %[[R]] into %[[F]][0, 0, 1, 1, 0] [1, 2, 4, 4, 32] [1, 1, 1, 1, 1]
// CHECK: %[[Q:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1, 0]
// CHECK: return %[[P]], %[[Q]], %[[R]]
#id = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
func.func @pads(%x: tensor<1x2x4x4x32xf32>) -> (tensor<1x2x6x6x32xf32>, tensor<1x2x6x6x32xf32>, tensor<1x2x4x4x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x4x4x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x2x4x4x32xf32>) outs(%e : tensor<1x2x4x4x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4x32xf32>
  %p = tensor.pad %r low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index, %n: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4x32xf32> to tensor<1x2x6x6x32xf32>
  %q = tensor.pad %x low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index, %n: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4x32xf32> to tensor<1x2x6x6x32xf32>
  return %p, %q, %r : tensor<1x2x6x6x32xf32>, tensor<1x2x6x6x32xf32>, tensor<1x2x4x4x32xf32>
}
