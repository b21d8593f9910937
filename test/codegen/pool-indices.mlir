// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
//
// kiln.max_pool_indices -> one linalg.generic reducing over the kernel dims
// (their extents from an empty window operand), keeping the best value and its
// flattened input position; kiln.max_unpool -> an scf.for writing each
// element at its (clamped) index.

// uint8, padded, column-major: unsigned compares, a strictly greater value
// replaces the best, padding never counts, and the position is n * C + c
// times H * W plus h + H * w.
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @indices_column_major
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x5x5xi8> {kiln.element_type = ui8})
// CHECK: %[[BEST:.*]] = linalg.fill ins(%{{.*}} : i8) outs(%{{.*}} : tensor<1x2x3x3xi8>)
// CHECK: %[[NONE:.*]] = linalg.fill ins(%c-1_i64 : i64) outs(%{{.*}} : tensor<1x2x3x3xi64>)
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[WIN]], #[[OUT]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<3x3xi8>) outs(%[[BEST]], %[[NONE]] : tensor<1x2x3x3xi8>, tensor<1x2x3x3xi64>)
// CHECK: ^bb0(%{{.*}}: i8, %[[B:.*]]: i8, %[[P:.*]]: i64):
// CHECK: %[[V:.*]] = tensor.extract %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x2x5x5xi8>
// CHECK: arith.constant 25 : index
// CHECK: %[[FIRST:.*]] = arith.cmpi slt, %[[P]], %c0_i64 : i64
// CHECK: %[[GT:.*]] = arith.cmpi ugt, %[[V]], %[[B]] : i8
// CHECK: %[[BETTER:.*]] = arith.ori %[[FIRST]], %[[GT]] : i1
// CHECK: %[[TAKE:.*]] = arith.andi %{{.*}}, %[[BETTER]] : i1
// CHECK: arith.select %[[TAKE]], %[[V]], %[[B]] : i8
// CHECK: arith.select %[[TAKE]], %{{.*}}, %[[P]] : i64
// CHECK: return %[[R]]#1 : tensor<1x2x3x3xi64>
func.func @indices_column_major(%x: tensor<1x2x5x5xui8>) -> tensor<1x2x3x3xi64> {
  %0 = kiln.max_pool_indices %x {column_major = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x2x5x5xui8> -> tensor<1x2x3x3xi64>
  return %0 : tensor<1x2x3x3xi64>
}

// -----

// Float: an ordered compare (NaN never replaces the first element taken).
// CHECK-LABEL: func.func @indices_float_1d
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: tensor.collapse_shape {{.*}} : tensor<2x3x1x4xi64> into tensor<2x3x4xi64>
func.func @indices_float_1d(%x: tensor<2x3x8xf32>) -> tensor<2x3x4xi64> {
  %0 = kiln.max_pool_indices %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>,
         pads = array<i64: 0, 0>, strides = array<i64: 2>} : tensor<2x3x8xf32> -> tensor<2x3x4xi64>
  return %0 : tensor<2x3x4xi64>
}

// -----

// CHECK-LABEL: func.func @unpool
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x2x2xf32>, %[[I:.*]]: tensor<1x1x2x2xi64>)
// CHECK: %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<16xf32>)
// CHECK-DAG: %[[XF:.*]] = tensor.collapse_shape %[[X]] {{.*}} into tensor<4xf32>
// CHECK-DAG: %[[IF:.*]] = tensor.collapse_shape %[[I]] {{.*}} into tensor<4xi64>
// CHECK: %[[Y:.*]] = scf.for %[[K:.*]] = %c0 to %c4 step %c1 iter_args(%[[ACC:.*]] = %[[ZEROS]]) -> (tensor<16xf32>)
// CHECK: %[[AT:.*]] = tensor.extract %[[IF]][%[[K]]] : tensor<4xi64>
// CHECK: arith.cmpi sge, %[[AT]]
// CHECK: arith.cmpi slt, %[[AT]], %c16_i64
// CHECK: %[[V:.*]] = tensor.extract %[[XF]][%[[K]]] : tensor<4xf32>
// CHECK: %[[OLD:.*]] = tensor.extract %[[ACC]][%{{.*}}] : tensor<16xf32>
// CHECK: %[[NEW:.*]] = arith.select %{{.*}}, %[[V]], %[[OLD]] : f32
// CHECK: %[[INS:.*]] = tensor.insert %[[NEW]] into %[[ACC]][%{{.*}}] : tensor<16xf32>
// CHECK: scf.yield %[[INS]] : tensor<16xf32>
// CHECK: tensor.expand_shape %[[Y]] {{.*}} into tensor<1x1x4x4xf32>
func.func @unpool(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xf32> {
  %0 = kiln.max_unpool %x, %i {shape = array<i64: 1, 1, 4, 4>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Nothing to write into: zeros, no loop.
// CHECK-LABEL: func.func @unpool_empty
// CHECK-NOT: scf.for
// CHECK: return
func.func @unpool_empty(%x: tensor<1x1x0x2xf32>, %i: tensor<1x1x0x2xi64>) -> tensor<1x1x3x3xf32> {
  %0 = kiln.max_unpool %x, %i {shape = array<i64: 1, 1, 3, 3>} : (tensor<1x1x0x2xf32>, tensor<1x1x0x2xi64>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}
