// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s

// Reshapes are one collapse_shape / expand_shape when a reassociation exists,
// else a collapse to 1-D then an expand.
// CHECK-LABEL: func.func @reshapes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[Y:.*]]: tensor<2x3xf32>, %[[Z:.*]]: tensor<1x1xf32>)
// CHECK: %[[R0:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[Y]] {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: %[[R1:.*]] = tensor.expand_shape %[[F]] {{\[}}[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
// CHECK: %[[R2:.*]] = tensor.collapse_shape %[[Z]] [] : tensor<1x1xf32> into tensor<f32>
// CHECK: %[[R3:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2]] : tensor<2x3x4xf32> into tensor<2x12xf32>
// CHECK: return %[[R0]], %[[R1]], %[[R2]], %[[R3]]
func.func @reshapes(%x: tensor<2x3x4xf32>, %y: tensor<2x3xf32>, %z: tensor<1x1xf32>) -> (tensor<6x4xf32>, tensor<3x2xf32>, tensor<f32>, tensor<2x12xf32>) {
  %0 = kiln.reshape %x {shape = array<i64: 6, -1>} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = kiln.reshape %y {shape = array<i64: 3, 2>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %2 = kiln.reshape %z {shape = array<i64>} : tensor<1x1xf32> -> tensor<f32>
  %3 = kiln.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  return %0, %1, %2, %3 : tensor<6x4xf32>, tensor<3x2xf32>, tensor<f32>, tensor<2x12xf32>
}

// -----

// CHECK-LABEL: func.func @squeeze_unsqueeze
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2]] : tensor<1x3x1xf32> into tensor<3xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1, 2]] output_shape [1, 3, 1] : tensor<3xf32> into tensor<1x3x1xf32>
func.func @squeeze_unsqueeze(%x: tensor<1x3x1xf32>, %y: tensor<3xf32>) -> (tensor<3xf32>, tensor<1x3x1xf32>) {
  %0 = kiln.squeeze %x {axes = array<i64: 0, 2>} : tensor<1x3x1xf32> -> tensor<3xf32>
  %1 = kiln.unsqueeze %y {axes = array<i64: 0, 2>} : tensor<3xf32> -> tensor<1x3x1xf32>
  return %0, %1 : tensor<3xf32>, tensor<1x3x1xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x2x3xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[E]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// Empty inputs are skipped.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x0xf32>, %[[C:.*]]: tensor<2x5xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x8xf32>
// CHECK-NOT: %[[B]]
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[C]] into %[[I0]][0, 3] [2, 5] [1, 1] : tensor<2x5xf32> into tensor<2x8xf32>
// CHECK: return %[[I1]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x0xf32>, %c: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = kiln.concat %a, %b, %c {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x0xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @split
// CHECK-SAME: (%[[X:.*]]: tensor<5x2xf32>)
// CHECK: %[[A:.*]] = tensor.extract_slice %[[X]][0, 0] [2, 2] [1, 1] : tensor<5x2xf32> to tensor<2x2xf32>
// CHECK: %[[B:.*]] = tensor.extract_slice %[[X]][2, 0] [3, 2] [1, 1] : tensor<5x2xf32> to tensor<3x2xf32>
// CHECK: return %[[A]], %[[B]]
func.func @split(%x: tensor<5x2xf32>) -> (tensor<2x2xf32>, tensor<3x2xf32>) {
  %0, %1 = kiln.split %x {axis = 0 : i64, sizes = array<i64: 2, 3>} : tensor<5x2xf32> -> tensor<2x2xf32>, tensor<3x2xf32>
  return %0, %1 : tensor<2x2xf32>, tensor<3x2xf32>
}

// -----

// Positive steps: a strided extract_slice. A negative step: a generic reading
// input[d * step + start]. An empty result reads nothing.
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1) -> (d0 * 2, -d1 + 5)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @slices
// CHECK-SAME: (%[[X:.*]]: tensor<4x6xf32>)
// CHECK: %[[S0:.*]] = tensor.extract_slice %[[X]][1, 0] [2, 2] [2, 3] : tensor<4x6xf32> to tensor<2x2xf32>
// CHECK: %[[S1:.*]] = linalg.generic {indexing_maps = [#[[REV]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<4x6xf32>) outs(%{{.*}} : tensor<2x6xf32>)
// CHECK: %[[S2:.*]] = tensor.empty() : tensor<0x6xf32>
// CHECK: return %[[S0]], %[[S1]], %[[S2]]
func.func @slices(%x: tensor<4x6xf32>) -> (tensor<2x2xf32>, tensor<2x6xf32>, tensor<0x6xf32>) {
  %0 = kiln.slice %x {ends = array<i64: 4, 6>, starts = array<i64: 1, 0>, steps = array<i64: 2, 3>} : tensor<4x6xf32> -> tensor<2x2xf32>
  %1 = kiln.slice %x {ends = array<i64: 4, -1>, starts = array<i64: 0, 5>, steps = array<i64: 2, -1>} : tensor<4x6xf32> -> tensor<2x6xf32>
  %2 = kiln.slice %x {ends = array<i64: 2, -1>, starts = array<i64: 2, 5>, steps = array<i64: -1, -1>} : tensor<4x6xf32> -> tensor<0x6xf32>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<2x6xf32>, tensor<0x6xf32>
}

// -----

// The index is normalized (negative += size) and clamped into [0, size - 1]
// before tensor.extract, so no read is ever out of bounds.
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[D:.*]]: tensor<3x10x4xf32>, %[[I:.*]]: tensor<2x2xi32>)
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #[[OUT]]]
// CHECK-SAME: ins(%[[I]] : tensor<2x2xi32>) outs(%{{.*}} : tensor<3x2x2x4xf32>)
// CHECK: ^bb0(%[[RAW:.*]]: i32, %{{.*}}: f32):
// CHECK: %[[W:.*]] = arith.extsi %[[RAW]] : i32 to i64
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[SIZE:.*]] = arith.constant 10 : i64
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[W]], %[[ZERO]] : i64
// CHECK: %[[WRAP:.*]] = arith.addi %[[W]], %[[SIZE]] : i64
// CHECK: %[[N:.*]] = arith.select %[[NEG]], %[[WRAP]], %[[W]] : i64
// CHECK: %[[LO:.*]] = arith.maxsi %[[N]], %[[ZERO]] : i64
// CHECK: %[[LAST:.*]] = arith.constant 9 : i64
// CHECK: %[[C:.*]] = arith.minsi %[[LO]], %[[LAST]] : i64
// CHECK: %[[D0:.*]] = linalg.index 0 : index
// CHECK: %[[D1:.*]] = arith.index_cast %[[C]] : i64 to index
// CHECK: %[[D2:.*]] = linalg.index 3 : index
// CHECK: %[[V:.*]] = tensor.extract %[[D]][%[[D0]], %[[D1]], %[[D2]]] : tensor<3x10x4xf32>
// CHECK: linalg.yield %[[V]] : f32
func.func @gather(%x: tensor<3x10x4xf32>, %i: tensor<2x2xi32>) -> tensor<3x2x2x4xf32> {
  %0 = kiln.gather %x, %i {axis = 1 : i64} : (tensor<3x10x4xf32>, tensor<2x2xi32>) -> tensor<3x2x2x4xf32>
  return %0 : tensor<3x2x2x4xf32>
}

// -----

// scatter_add: a loop over the indices (normalized, range-checked) adding each
// slice of updates into the slice of dest it names, linear in the indices.
// CHECK-LABEL: func.func @scatter_add
// CHECK-SAME: (%[[D:.*]]: tensor<3x10x4xf32>, %[[I:.*]]: tensor<2x2xi32>, %[[U:.*]]: tensor<3x2x2x4xf32>)
// CHECK-DAG: %[[I1:.*]] = tensor.collapse_shape %[[I]] {{\[}}[0, 1]] : tensor<2x2xi32> into tensor<4xi32>
// CHECK-DAG: %[[U3:.*]] = tensor.collapse_shape %[[U]] {{\[}}[0], [1, 2], [3]] : tensor<3x2x2x4xf32> into tensor<3x4x4xf32>
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[S:.*]] = scf.for %[[K:.*]] = %{{.*}} to %[[C4]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[D]]) -> (tensor<3x10x4xf32>)
// CHECK: %[[RAW:.*]] = tensor.extract %[[I1]][%[[K]]] : tensor<4xi32>
// CHECK: %[[W:.*]] = arith.extsi %[[RAW]] : i32 to i64
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[W]]
// CHECK: %[[N:.*]] = arith.select %[[NEG]]
// CHECK: %[[OK:.*]] = arith.andi
// CHECK: scf.if %[[OK]] -> (tensor<3x10x4xf32>)
// CHECK: %[[ROW:.*]] = arith.index_cast %[[N]] : i64 to index
// CHECK: %[[CUR:.*]] = tensor.extract_slice %[[ACC]][0, %[[ROW]], 0] [3, 1, 4] [1, 1, 1] : tensor<3x10x4xf32> to tensor<3x4xf32>
// CHECK: %[[UPD:.*]] = tensor.extract_slice %[[U3]][0, %[[K]], 0] [3, 1, 4] [1, 1, 1] : tensor<3x4x4xf32> to tensor<3x4xf32>
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[UPD]] : tensor<3x4xf32>) outs(%[[CUR]] : tensor<3x4xf32>)
// CHECK: arith.addf
// CHECK: %[[NEW:.*]] = tensor.insert_slice %[[SUM]] into %[[ACC]][0, %[[ROW]], 0] [3, 1, 4] [1, 1, 1]
// CHECK: scf.yield %[[NEW]]
// CHECK: } else {
// CHECK: scf.yield %[[ACC]]
// CHECK: return %[[S]]
func.func @scatter_add(%d: tensor<3x10x4xf32>, %i: tensor<2x2xi32>, %u: tensor<3x2x2x4xf32>) -> tensor<3x10x4xf32> {
  %0 = kiln.scatter_add %d, %i, %u {axis = 1 : i64} : (tensor<3x10x4xf32>, tensor<2x2xi32>, tensor<3x2x2x4xf32>) -> tensor<3x10x4xf32>
  return %0 : tensor<3x10x4xf32>
}

// -----

// f16 accumulates in f32: dest and updates widened, the loop on f32, the sum
// rounded once.
// CHECK-LABEL: func.func @scatter_add_f16
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: scf.for {{.*}} -> (tensor<1x10x4xf32>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @scatter_add_f16(%d: tensor<10x4xf16>, %i: tensor<3xi64>, %u: tensor<3x4xf16>) -> tensor<10x4xf16> {
  %0 = kiln.scatter_add %d, %i, %u {axis = 0 : i64} : (tensor<10x4xf16>, tensor<3xi64>, tensor<3x4xf16>) -> tensor<10x4xf16>
  return %0 : tensor<10x4xf16>
}

// -----

// CHECK-LABEL: func.func @expand
// CHECK-SAME: (%[[X:.*]]: tensor<3x1xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<3x1xf32> into tensor<3xf32>
// CHECK: linalg.broadcast ins(%[[C]] : tensor<3xf32>) outs(%{{.*}} : tensor<2x3x4xf32>) dimensions = [0, 2]
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.expand %x {shape = array<i64: 2, 1, 4>} : tensor<3x1xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// constant -> tensor.pad; reflect / edge -> a generic computing the source
// index per padded dim.
// CHECK-LABEL: func.func @pads
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<3x4xi32>)
// CHECK: %[[V:.*]] = arith.constant 1.500000e+00 : f32
// CHECK: tensor.pad %[[X]] low[1, 0] high[0, 2]
// CHECK: tensor.yield %[[V]] : f32
// CHECK: %[[IV:.*]] = arith.constant -7 : i32
// CHECK: tensor.pad %[[I]] low[1, 0] high[0, 2]
// CHECK: tensor.yield %[[IV]] : i32
// reflect: j = i - before; j < 0 ? -j : j > size - 1 ? 2 * (size - 1) - j : j
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<5x5xf32>)
// CHECK: %[[R:.*]] = linalg.index 0 : index
// CHECK: %[[C:.*]] = linalg.index 1 : index
// CHECK: %[[B:.*]] = arith.constant 2 : index
// CHECK: %[[J:.*]] = arith.subi %[[R]], %[[B]] : index
// CHECK: %[[LAST:.*]] = arith.constant 2 : index
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[J]], %{{.*}} : index
// CHECK: %[[MJ:.*]] = arith.subi %{{.*}}, %[[J]] : index
// CHECK: %[[J1:.*]] = arith.select %[[NEG]], %[[MJ]], %[[J]] : index
// CHECK: %[[PAST:.*]] = arith.cmpi sgt, %[[J1]], %[[LAST]] : index
// CHECK: %[[TWICE:.*]] = arith.constant 4 : index
// CHECK: %[[MIR:.*]] = arith.subi %[[TWICE]], %[[J1]] : index
// CHECK: %[[J2:.*]] = arith.select %[[PAST]], %[[MIR]], %[[J1]] : index
// CHECK: %[[K:.*]] = arith.subi %[[C]], %{{.*}} : index
// CHECK: %[[E:.*]] = tensor.extract %[[X]][%[[J2]], %{{.*}}] : tensor<3x4xf32>
// CHECK: linalg.yield %[[E]] : f32
// edge: clamp(i - before, 0, size - 1); the unpadded dim reads its index.
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<3x7xf32>)
// CHECK: %[[R2:.*]] = linalg.index 0 : index
// CHECK: %[[C2:.*]] = linalg.index 1 : index
// CHECK: %[[J3:.*]] = arith.subi %[[C2]], %{{.*}} : index
// CHECK: %[[LAST2:.*]] = arith.constant 3 : index
// CHECK: %[[Z:.*]] = arith.constant 0 : index
// CHECK: %[[L:.*]] = arith.maxsi %[[J3]], %[[Z]] : index
// CHECK: %[[H:.*]] = arith.minsi %[[L]], %[[LAST2]] : index
// CHECK: tensor.extract %[[X]][%[[R2]], %[[H]]] : tensor<3x4xf32>
func.func @pads(%x: tensor<3x4xf32>, %i: tensor<3x4xi32>) -> (tensor<4x6xf32>, tensor<4x6xi32>, tensor<5x5xf32>, tensor<3x7xf32>) {
  %0 = kiln.pad constant %x {pads = array<i64: 1, 0, 0, 2>, value = 1.5 : f64} : tensor<3x4xf32> -> tensor<4x6xf32>
  %1 = kiln.pad constant %i {pads = array<i64: 1, 0, 0, 2>, value = -7.0 : f64} : tensor<3x4xi32> -> tensor<4x6xi32>
  %2 = kiln.pad reflect %x {pads = array<i64: 2, 1, 0, 0>} : tensor<3x4xf32> -> tensor<5x5xf32>
  %3 = kiln.pad edge %x {pads = array<i64: 0, 2, 0, 1>} : tensor<3x4xf32> -> tensor<3x7xf32>
  return %0, %1, %2, %3 : tensor<4x6xf32>, tensor<4x6xi32>, tensor<5x5xf32>, tensor<3x7xf32>
}
