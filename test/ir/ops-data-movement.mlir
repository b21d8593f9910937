// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of the data-movement ops: reshape, transpose, concat, split,
// slice, gather, scatter_add, expand, pad, flatten, squeeze and unsqueeze.

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3xf32>, %[[D:[a-z0-9]+]]: tensor<?x4xi64>, %[[S:[a-z0-9]+]]: tensor<i1>)
func.func @reshape(%x: tensor<2x3xf32>, %d: tensor<?x4xi64>, %s: tensor<i1>) -> tensor<3x2xf32> {
  // The -1 takes the remaining elements.
  // CHECK: %[[R:.*]] = kiln.reshape %[[X]] {shape = array<i64: 3, -1>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %0 = kiln.reshape %x {shape = array<i64: 3, -1>} : tensor<2x3xf32> -> tensor<3x2xf32>
  // CHECK: kiln.reshape %[[X]] {shape = array<i64: 6>} : tensor<2x3xf32> -> tensor<6xf32>
  %1 = kiln.reshape %x {shape = array<i64: 6>} : tensor<2x3xf32> -> tensor<6xf32>
  // Unknown element count: the -1 stays dynamic, other entries are static.
  // CHECK: kiln.reshape %[[D]] {shape = array<i64: -1, 2, 2>} : tensor<?x4xi64> -> tensor<?x2x2xi64>
  %2 = kiln.reshape %d {shape = array<i64: -1, 2, 2>} : tensor<?x4xi64> -> tensor<?x2x2xi64>
  // Rank 0 to rank 2 and back.
  // CHECK: %[[S11:.*]] = kiln.reshape %[[S]] {shape = array<i64: 1, 1>} : tensor<i1> -> tensor<1x1xi1>
  %3 = kiln.reshape %s {shape = array<i64: 1, 1>} : tensor<i1> -> tensor<1x1xi1>
  // CHECK: kiln.reshape %[[S11]] {shape = array<i64>} : tensor<1x1xi1> -> tensor<i1>
  %4 = kiln.reshape %3 {shape = array<i64>} : tensor<1x1xi1> -> tensor<i1>
  // CHECK: return %[[R]]
  return %0 : tensor<3x2xf32>
}

// Empty tensors: a 0 entry is literally 0 (not ONNX's "copy this dim").
// CHECK-LABEL: func.func @reshape_empty
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<0x4xf16>)
func.func @reshape_empty(%x: tensor<0x4xf16>) {
  // CHECK: kiln.reshape %[[X]] {shape = array<i64: 2, 0, 2>} : tensor<0x4xf16> -> tensor<2x0x2xf16>
  %0 = kiln.reshape %x {shape = array<i64: 2, 0, 2>} : tensor<0x4xf16> -> tensor<2x0x2xf16>
  return
}

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x?x4xbf16>, %[[Y:[a-z0-9]+]]: tensor<5xi8>)
func.func @transpose(%x: tensor<2x?x4xbf16>, %y: tensor<5xi8>) {
  // CHECK: kiln.transpose %[[X]] {perm = array<i64: 2, 0, 1>} : tensor<2x?x4xbf16> -> tensor<4x2x?xbf16>
  %0 = kiln.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x?x4xbf16> -> tensor<4x2x?xbf16>
  // CHECK: kiln.transpose %[[X]] {perm = array<i64: 0, 1, 2>} : tensor<2x?x4xbf16> -> tensor<2x?x4xbf16>
  %1 = kiln.transpose %x {perm = array<i64: 0, 1, 2>} : tensor<2x?x4xbf16> -> tensor<2x?x4xbf16>
  // CHECK: kiln.transpose %[[Y]] {perm = array<i64: 0>} : tensor<5xi8> -> tensor<5xi8>
  %2 = kiln.transpose %y {perm = array<i64: 0>} : tensor<5xi8> -> tensor<5xi8>
  return
}

//===----------------------------------------------------------------------===//
// concat and split
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:[a-z0-9]+]]: tensor<2x3xf32>, %[[B:[a-z0-9]+]]: tensor<2x5xf32>, %[[C:[a-z0-9]+]]: tensor<?x?xf32>, %[[I:[a-z0-9]+]]: tensor<1xi64>)
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>, %c: tensor<?x?xf32>,
                  %i: tensor<1xi64>) {
  // CHECK: kiln.concat %[[A]], %[[B]] {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  // A dynamic input makes the axis dynamic; its other dims take the static ones.
  // CHECK: kiln.concat %[[C]], %[[A]], %[[B]] {axis = 1 : i64} : (tensor<?x?xf32>, tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x?xf32>
  %1 = kiln.concat %c, %a, %b {axis = 1 : i64} : (tensor<?x?xf32>, tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x?xf32>
  // CHECK: kiln.concat %[[A]], %[[A]] {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %2 = kiln.concat %a, %a {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  // One input is allowed.
  // CHECK: kiln.concat %[[I]] {axis = 0 : i64} : (tensor<1xi64>) -> tensor<1xi64>
  %3 = kiln.concat %i {axis = 0 : i64} : (tensor<1xi64>) -> tensor<1xi64>
  return
}

// CHECK-LABEL: func.func @split
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<5xf32>, %[[Y:[a-z0-9]+]]: tensor<2x?xi32>)
func.func @split(%x: tensor<5xf32>, %y: tensor<2x?xi32>) -> (tensor<2xf32>, tensor<3xf32>) {
  // CHECK: %[[P:.*]]:2 = kiln.split %[[X]] {axis = 0 : i64, sizes = array<i64: 2, 3>} : tensor<5xf32> -> tensor<2xf32>, tensor<3xf32>
  %a, %b = kiln.split %x {axis = 0 : i64, sizes = array<i64: 2, 3>} : tensor<5xf32> -> tensor<2xf32>, tensor<3xf32>
  // Empty pieces and a dynamic axis.
  // CHECK: kiln.split %[[Y]] {axis = 1 : i64, sizes = array<i64: 0, 4, 1>} : tensor<2x?xi32> -> tensor<2x0xi32>, tensor<2x4xi32>, tensor<2x1xi32>
  %c:3 = kiln.split %y {axis = 1 : i64, sizes = array<i64: 0, 4, 1>} : tensor<2x?xi32> -> tensor<2x0xi32>, tensor<2x4xi32>, tensor<2x1xi32>
  // A single piece.
  // CHECK: kiln.split %[[X]] {axis = 0 : i64, sizes = array<i64: 5>} : tensor<5xf32> -> tensor<5xf32>
  %d = kiln.split %x {axis = 0 : i64, sizes = array<i64: 5>} : tensor<5xf32> -> tensor<5xf32>
  // CHECK: return %[[P]]#0, %[[P]]#1
  return %a, %b : tensor<2xf32>, tensor<3xf32>
}

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<4x6xf32>, %[[D:[a-z0-9]+]]: tensor<?x6xi8>)
func.func @slice(%x: tensor<4x6xf32>, %d: tensor<?x6xi8>) {
  // Strided, and the whole dim reversed with a negative step.
  // CHECK: kiln.slice %[[X]] {ends = array<i64: 4, -1>, starts = array<i64: 0, 5>, steps = array<i64: 2, -1>} : tensor<4x6xf32> -> tensor<2x6xf32>
  %0 = kiln.slice %x {starts = array<i64: 0, 5>, ends = array<i64: 4, -1>, steps = array<i64: 2, -1>}
       : tensor<4x6xf32> -> tensor<2x6xf32>
  // Partial ranges: rows 1..2, columns 4, 2.
  // CHECK: kiln.slice %[[X]] {ends = array<i64: 3, 1>, starts = array<i64: 1, 4>, steps = array<i64: 1, -2>} : tensor<4x6xf32> -> tensor<2x2xf32>
  %1 = kiln.slice %x {starts = array<i64: 1, 4>, ends = array<i64: 3, 1>, steps = array<i64: 1, -2>}
       : tensor<4x6xf32> -> tensor<2x2xf32>
  // Empty slices, either step sign.
  // CHECK: kiln.slice %[[X]] {ends = array<i64: 2, 6>, starts = array<i64: 2, 6>, steps = array<i64: 1, -1>} : tensor<4x6xf32> -> tensor<0x0xf32>
  %2 = kiln.slice %x {starts = array<i64: 2, 6>, ends = array<i64: 2, 6>, steps = array<i64: 1, -1>}
       : tensor<4x6xf32> -> tensor<0x0xf32>
  // A dynamic dim takes any bounds; the result size comes from them.
  // CHECK: kiln.slice %[[D]] {ends = array<i64: 10, 6>, starts = array<i64: 2, 0>, steps = array<i64: 3, 1>} : tensor<?x6xi8> -> tensor<3x6xi8>
  %3 = kiln.slice %d {starts = array<i64: 2, 0>, ends = array<i64: 10, 6>, steps = array<i64: 3, 1>}
       : tensor<?x6xi8> -> tensor<3x6xi8>
  return
}

//===----------------------------------------------------------------------===//
// gather
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<10x4xf32>, %[[I:[a-z0-9]+]]: tensor<3xi64>, %[[J:[a-z0-9]+]]: tensor<2x2xi32>, %[[K:[a-z0-9]+]]: tensor<i64>)
func.func @gather(%x: tensor<10x4xf32>, %i: tensor<3xi64>, %j: tensor<2x2xi32>,
                  %k: tensor<i64>) {
  // CHECK: kiln.gather %[[X]], %[[I]] {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  %0 = kiln.gather %x, %i {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  // i32 indices of rank 2 along the last axis.
  // CHECK: kiln.gather %[[X]], %[[J]] {axis = 1 : i64} : (tensor<10x4xf32>, tensor<2x2xi32>) -> tensor<10x2x2xf32>
  %1 = kiln.gather %x, %j {axis = 1 : i64} : (tensor<10x4xf32>, tensor<2x2xi32>) -> tensor<10x2x2xf32>
  // A scalar index drops the axis.
  // CHECK: kiln.gather %[[X]], %[[K]] {axis = 0 : i64} : (tensor<10x4xf32>, tensor<i64>) -> tensor<4xf32>
  %2 = kiln.gather %x, %k {axis = 0 : i64} : (tensor<10x4xf32>, tensor<i64>) -> tensor<4xf32>
  return
}

// scatter_add: updates of gather's output shape for (dest, indices).
// CHECK-LABEL: func.func @scatter_add
// CHECK-SAME: (%[[D:[a-z0-9]+]]: tensor<10x4xf32>, %[[I:[a-z0-9]+]]: tensor<3xi64>, %[[U:[a-z0-9]+]]: tensor<3x4xf32>, %[[J:[a-z0-9]+]]: tensor<2x2xi32>, %[[V:[a-z0-9]+]]: tensor<10x2x2xf32>)
func.func @scatter_add(%d: tensor<10x4xf32>, %i: tensor<3xi64>, %u: tensor<3x4xf32>,
                       %j: tensor<2x2xi32>, %v: tensor<10x2x2xf32>) {
  // CHECK: kiln.scatter_add %[[D]], %[[I]], %[[U]] {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> tensor<10x4xf32>
  %0 = kiln.scatter_add %d, %i, %u {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> tensor<10x4xf32>
  // CHECK: kiln.scatter_add %[[D]], %[[J]], %[[V]] {axis = 1 : i64} : (tensor<10x4xf32>, tensor<2x2xi32>, tensor<10x2x2xf32>) -> tensor<10x4xf32>
  %1 = kiln.scatter_add %d, %j, %v {axis = 1 : i64} : (tensor<10x4xf32>, tensor<2x2xi32>, tensor<10x2x2xf32>) -> tensor<10x4xf32>
  return
}

// CHECK-LABEL: func.func @gather_dynamic
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x8xi64>, %[[I:[a-z0-9]+]]: tensor<?xi64>)
func.func @gather_dynamic(%x: tensor<?x8xi64>, %i: tensor<?xi64>) {
  // CHECK: kiln.gather %[[X]], %[[I]] {axis = 1 : i64} : (tensor<?x8xi64>, tensor<?xi64>) -> tensor<?x?xi64>
  %0 = kiln.gather %x, %i {axis = 1 : i64} : (tensor<?x8xi64>, tensor<?xi64>) -> tensor<?x?xi64>
  return
}

//===----------------------------------------------------------------------===//
// expand
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @expand
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<3xf32>, %[[Y:[a-z0-9]+]]: tensor<2x1xi1>, %[[D:[a-z0-9]+]]: tensor<?x1xf16>)
func.func @expand(%x: tensor<3xf32>, %y: tensor<2x1xi1>, %d: tensor<?x1xf16>) {
  // CHECK: kiln.expand %[[X]] {shape = array<i64: 2, 3>} : tensor<3xf32> -> tensor<2x3xf32>
  %0 = kiln.expand %x {shape = array<i64: 2, 3>} : tensor<3xf32> -> tensor<2x3xf32>
  // A 1 in `shape` keeps the input's dim; the shape may be shorter.
  // CHECK: kiln.expand %[[Y]] {shape = array<i64: 1, 4>} : tensor<2x1xi1> -> tensor<2x4xi1>
  %1 = kiln.expand %y {shape = array<i64: 1, 4>} : tensor<2x1xi1> -> tensor<2x4xi1>
  // CHECK: kiln.expand %[[Y]] {shape = array<i64: 5>} : tensor<2x1xi1> -> tensor<2x5xi1>
  %2 = kiln.expand %y {shape = array<i64: 5>} : tensor<2x1xi1> -> tensor<2x5xi1>
  // CHECK: kiln.expand %[[D]] {shape = array<i64: 1, 6>} : tensor<?x1xf16> -> tensor<?x6xf16>
  %3 = kiln.expand %d {shape = array<i64: 1, 6>} : tensor<?x1xf16> -> tensor<?x6xf16>
  return
}

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3xf32>, %[[I:[a-z0-9]+]]: tensor<4xi32>, %[[D:[a-z0-9]+]]: tensor<?x3xbf16>)
func.func @pad(%x: tensor<2x3xf32>, %i: tensor<4xi32>, %d: tensor<?x3xbf16>) {
  // value = 0.0 is the default and not printed.
  // CHECK: kiln.pad constant %[[X]] {pads = array<i64: 0, 1, 0, 1>} : tensor<2x3xf32> -> tensor<2x5xf32>
  %0 = kiln.pad constant %x {pads = array<i64: 0, 1, 0, 1>, value = 0.0 : f64}
       : tensor<2x3xf32> -> tensor<2x5xf32>
  // CHECK: kiln.pad constant %[[X]] {pads = array<i64: 1, 0, 2, 0>, value = -1.500000e+00 : f64} : tensor<2x3xf32> -> tensor<5x3xf32>
  %1 = kiln.pad constant %x {pads = array<i64: 1, 0, 2, 0>, value = -1.5 : f64}
       : tensor<2x3xf32> -> tensor<5x3xf32>
  // CHECK: kiln.pad constant %[[I]] {pads = array<i64: 3, 0>, value = 7.000000e+00 : f64} : tensor<4xi32> -> tensor<7xi32>
  %2 = kiln.pad constant %i {pads = array<i64: 3, 0>, value = 7.0 : f64}
       : tensor<4xi32> -> tensor<7xi32>
  // reflect needs pads < size.
  // CHECK: kiln.pad reflect %[[X]] {pads = array<i64: 1, 2, 1, 2>} : tensor<2x3xf32> -> tensor<4x7xf32>
  %3 = kiln.pad reflect %x {pads = array<i64: 1, 2, 1, 2>} : tensor<2x3xf32> -> tensor<4x7xf32>
  // CHECK: kiln.pad edge %[[I]] {pads = array<i64: 5, 6>} : tensor<4xi32> -> tensor<15xi32>
  %4 = kiln.pad edge %i {pads = array<i64: 5, 6>} : tensor<4xi32> -> tensor<15xi32>
  // A dynamic dim stays dynamic whatever its pads.
  // CHECK: kiln.pad edge %[[D]] {pads = array<i64: 2, 0, 2, 1>} : tensor<?x3xbf16> -> tensor<?x4xbf16>
  %5 = kiln.pad edge %d {pads = array<i64: 2, 0, 2, 1>} : tensor<?x3xbf16> -> tensor<?x4xbf16>
  return
}

//===----------------------------------------------------------------------===//
// flatten, squeeze, unsqueeze
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @flatten
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3x4xf32>, %[[D:[a-z0-9]+]]: tensor<?x3x4xi64>)
func.func @flatten(%x: tensor<2x3x4xf32>, %d: tensor<?x3x4xi64>) {
  // CHECK: kiln.flatten %[[X]] {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  %0 = kiln.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  // axis 0 and axis = rank put everything on one side.
  // CHECK: kiln.flatten %[[X]] {axis = 0 : i64} : tensor<2x3x4xf32> -> tensor<1x24xf32>
  %1 = kiln.flatten %x {axis = 0 : i64} : tensor<2x3x4xf32> -> tensor<1x24xf32>
  // CHECK: kiln.flatten %[[X]] {axis = 3 : i64} : tensor<2x3x4xf32> -> tensor<24x1xf32>
  %2 = kiln.flatten %x {axis = 3 : i64} : tensor<2x3x4xf32> -> tensor<24x1xf32>
  // CHECK: kiln.flatten %[[D]] {axis = 1 : i64} : tensor<?x3x4xi64> -> tensor<?x12xi64>
  %3 = kiln.flatten %d {axis = 1 : i64} : tensor<?x3x4xi64> -> tensor<?x12xi64>
  return
}

// CHECK-LABEL: func.func @squeeze
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x3x1xf32>, %[[D:[a-z0-9]+]]: tensor<?x2xi1>)
func.func @squeeze(%x: tensor<1x3x1xf32>, %d: tensor<?x2xi1>) {
  // CHECK: kiln.squeeze %[[X]] {axes = array<i64: 0>} : tensor<1x3x1xf32> -> tensor<3x1xf32>
  %0 = kiln.squeeze %x {axes = array<i64: 0>} : tensor<1x3x1xf32> -> tensor<3x1xf32>
  // CHECK: kiln.squeeze %[[X]] {axes = array<i64: 2, 0>} : tensor<1x3x1xf32> -> tensor<3xf32>
  %1 = kiln.squeeze %x {axes = array<i64: 2, 0>} : tensor<1x3x1xf32> -> tensor<3xf32>
  // Only the listed size-1 dims go.
  // CHECK: kiln.squeeze %[[X]] {axes = array<i64: 2>} : tensor<1x3x1xf32> -> tensor<1x3xf32>
  %2 = kiln.squeeze %x {axes = array<i64: 2>} : tensor<1x3x1xf32> -> tensor<1x3xf32>
  // A dynamic dim may be squeezed; it must be 1 at run time.
  // CHECK: kiln.squeeze %[[D]] {axes = array<i64: 0>} : tensor<?x2xi1> -> tensor<2xi1>
  %3 = kiln.squeeze %d {axes = array<i64: 0>} : tensor<?x2xi1> -> tensor<2xi1>
  return
}

// CHECK-LABEL: func.func @unsqueeze
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<3xf32>, %[[S:[a-z0-9]+]]: tensor<i64>, %[[D:[a-z0-9]+]]: tensor<?x2xf64>)
func.func @unsqueeze(%x: tensor<3xf32>, %s: tensor<i64>, %d: tensor<?x2xf64>) {
  // Axes are positions in the result.
  // CHECK: kiln.unsqueeze %[[X]] {axes = array<i64: 0, 2>} : tensor<3xf32> -> tensor<1x3x1xf32>
  %0 = kiln.unsqueeze %x {axes = array<i64: 0, 2>} : tensor<3xf32> -> tensor<1x3x1xf32>
  // CHECK: kiln.unsqueeze %[[S]] {axes = array<i64: 0>} : tensor<i64> -> tensor<1xi64>
  %1 = kiln.unsqueeze %s {axes = array<i64: 0>} : tensor<i64> -> tensor<1xi64>
  // CHECK: kiln.unsqueeze %[[D]] {axes = array<i64: 3, 1>} : tensor<?x2xf64> -> tensor<?x1x2x1xf64>
  %2 = kiln.unsqueeze %d {axes = array<i64: 3, 1>} : tensor<?x2xf64> -> tensor<?x1x2x1xf64>
  return
}
