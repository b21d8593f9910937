// RUN: kiln-opt %s -kiln-place-outputs -split-input-file | FileCheck %s

// A temporary copied into an output at the end, and untouched afterwards, is
// replaced by the output buffer; concat-like partial writes through subviews
// follow it.
// CHECK-LABEL: func.func @forward(
// CHECK-SAME: %[[IN:.*]]: memref<2xf32>, %[[OUT:.*]]: memref<4xf32>)
// CHECK-NOT: memref.alloc
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[OUT]] : memref<4xf32>)
// CHECK: %[[SV:.*]] = memref.subview %[[OUT]][1] [2] [1]
// CHECK: linalg.copy ins(%[[IN]] : memref<2xf32>) outs(%[[SV]]
// CHECK-NEXT: return
module {
  func.func @forward(%in: memref<2xf32>, %out: memref<4xf32>)
      attributes {kiln.entry = "run", kiln.arg_weights = array<i64: -1>, kiln.num_outputs = 1 : i64, kiln.output_names = ["y"]} {
    %zero = arith.constant 0.0 : f32
    %a = memref.alloc() : memref<4xf32>
    linalg.fill ins(%zero : f32) outs(%a : memref<4xf32>)
    %sv = memref.subview %a[1] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1], offset: 1>>
    linalg.copy ins(%in : memref<2xf32>) outs(%sv : memref<2xf32, strided<[1], offset: 1>>)
    linalg.copy ins(%a : memref<4xf32>) outs(%out : memref<4xf32>)
    return
  }
}

// -----

// The same value returned twice: the last copy's output takes the
// temporary's place, the first output is copied from it.
// CHECK-LABEL: func.func @twice(
// CHECK-SAME: %[[IN:.*]]: memref<4xf32>, %[[O0:.*]]: memref<4xf32>, %[[O1:.*]]: memref<4xf32>)
// CHECK-NOT: memref.alloc
// CHECK: linalg.exp ins(%[[IN]] : memref<4xf32>) outs(%[[O1]] : memref<4xf32>)
// CHECK: linalg.copy ins(%[[O1]] : memref<4xf32>) outs(%[[O0]] : memref<4xf32>)
// CHECK-NEXT: return
module {
  func.func @twice(%in: memref<4xf32>, %o0: memref<4xf32>, %o1: memref<4xf32>)
      attributes {kiln.entry = "run", kiln.arg_weights = array<i64: -1>, kiln.num_outputs = 2 : i64, kiln.output_names = ["a", "b"]} {
    %a = memref.alloc() : memref<4xf32>
    linalg.exp ins(%in : memref<4xf32>) outs(%a : memref<4xf32>)
    linalg.copy ins(%a : memref<4xf32>) outs(%o0 : memref<4xf32>)
    linalg.copy ins(%a : memref<4xf32>) outs(%o1 : memref<4xf32>)
    return
  }
}

// -----

// Left alone: a temporary still read after its copy, and an output that
// receives an input.
// CHECK-LABEL: func.func @kept(
// CHECK-SAME: %[[IN:.*]]: memref<4xf32>, %[[O0:.*]]: memref<4xf32>, %[[O1:.*]]: memref<4xf32>, %[[O2:.*]]: memref<4xf32>)
// CHECK: %[[A:.*]] = memref.alloc() : memref<4xf32>
// CHECK: linalg.copy ins(%[[A]] : memref<4xf32>) outs(%[[O0]] : memref<4xf32>)
// CHECK: linalg.copy ins(%[[IN]] : memref<4xf32>) outs(%[[O1]] : memref<4xf32>)
// CHECK: linalg.exp ins(%[[A]] : memref<4xf32>) outs(%[[O2]] : memref<4xf32>)
module {
  func.func @kept(%in: memref<4xf32>, %o0: memref<4xf32>, %o1: memref<4xf32>, %o2: memref<4xf32>)
      attributes {kiln.entry = "run", kiln.arg_weights = array<i64: -1>, kiln.num_outputs = 3 : i64, kiln.output_names = ["a", "b", "c"]} {
    %a = memref.alloc() : memref<4xf32>
    linalg.exp ins(%in : memref<4xf32>) outs(%a : memref<4xf32>)
    linalg.copy ins(%a : memref<4xf32>) outs(%o0 : memref<4xf32>)
    linalg.copy ins(%in : memref<4xf32>) outs(%o1 : memref<4xf32>)
    linalg.exp ins(%a : memref<4xf32>) outs(%o2 : memref<4xf32>)
    return
  }
}

// -----

// A temporary of another shape, copied into the output through reshapes
// (a product computed in panels [M, N/nr, nr], read as [M, N]): the output,
// seen through the inverse reshapes, takes its place; the other output that
// reads the temporary before is then copied from the first.
// CHECK-LABEL: func.func @reshaped(
// CHECK-SAME: %[[IN:.*]]: memref<4xf32>, %[[O0:.*]]: memref<4xf32>, %[[O1:.*]]: memref<2x2xf32>, %[[O2:.*]]: memref<8xf32>)
// CHECK-NOT: memref.alloc
// CHECK: %[[C:.*]] = memref.collapse_shape %[[O1]] {{\[}}[0, 1]] : memref<2x2xf32> into memref<4xf32>
// CHECK: linalg.exp ins(%[[IN]] : memref<4xf32>) outs(%[[C]] : memref<4xf32>)
// CHECK: linalg.copy ins(%[[C]] : memref<4xf32>) outs(%[[O0]] : memref<4xf32>)
// CHECK: %[[E:.*]] = memref.expand_shape %[[O2]] {{\[}}[0, 1, 2]] output_shape [2, 2, 2] : memref<8xf32> into memref<2x2x2xf32>
// CHECK: %[[P:.*]] = memref.collapse_shape %[[E]] {{\[}}[0, 1], [2]] : memref<2x2x2xf32> into memref<4x2xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[P]] : memref<4x2xf32>)
// CHECK-NEXT: return
module {
  func.func @reshaped(%in: memref<4xf32>, %o0: memref<4xf32>, %o1: memref<2x2xf32>, %o2: memref<8xf32>)
      attributes {kiln.entry = "run", kiln.arg_weights = array<i64: -1>, kiln.num_outputs = 3 : i64, kiln.output_names = ["a", "b", "c"]} {
    %one = arith.constant 1.0 : f32
    %a = memref.alloc() : memref<4xf32>
    linalg.exp ins(%in : memref<4xf32>) outs(%a : memref<4xf32>)
    linalg.copy ins(%a : memref<4xf32>) outs(%o0 : memref<4xf32>)
    %e = memref.expand_shape %a [[0, 1]] output_shape [2, 2] : memref<4xf32> into memref<2x2xf32>
    linalg.copy ins(%e : memref<2x2xf32>) outs(%o1 : memref<2x2xf32>)
    %p = memref.alloc() : memref<4x2xf32>
    linalg.fill ins(%one : f32) outs(%p : memref<4x2xf32>)
    %x = memref.expand_shape %p [[0, 1], [2]] output_shape [2, 2, 2] : memref<4x2xf32> into memref<2x2x2xf32>
    %f = memref.collapse_shape %x [[0, 1, 2]] : memref<2x2x2xf32> into memref<8xf32>
    linalg.copy ins(%f : memref<8xf32>) outs(%o2 : memref<8xf32>)
    return
  }
}

// -----

// Left alone: a reshape of a view (a subview of the temporary is not the
// whole allocation).
// CHECK-LABEL: func.func @view(
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: linalg.copy
module {
  func.func @view(%in: memref<4xf32>, %o0: memref<2x2xf32>)
      attributes {kiln.entry = "run", kiln.arg_weights = array<i64: -1>, kiln.num_outputs = 1 : i64, kiln.output_names = ["a"]} {
    %a = memref.alloc() : memref<8xf32>
    %s = memref.subview %a[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
    linalg.exp ins(%in : memref<4xf32>) outs(%s : memref<4xf32, strided<[1], offset: 4>>)
    %e = memref.expand_shape %s [[0, 1]] output_shape [2, 2] : memref<4xf32, strided<[1], offset: 4>> into memref<2x2xf32, strided<[2, 1], offset: 4>>
    linalg.copy ins(%e : memref<2x2xf32, strided<[2, 1], offset: 4>>) outs(%o0 : memref<2x2xf32>)
    return
  }
}
