// RUN: kiln-opt %s -kiln-verify-outputs -split-input-file -verify-diagnostics | FileCheck %s

// What a bufferization bug once produced for three sibling matmuls sharing
// one zero fill: m3's matmul runs in m1's buffer, m1's value is copied over
// it, and m3 receives m1's values. The check names the output and the lost
// value's op.
module {
  func.func @lost(%a: memref<2x3xf32>, %m1: memref<2x4xf32>, %m2: memref<2x4xf32>,
                  %m3: memref<2x4xf32>, %w: memref<3x4xf32>)
      attributes {kiln.entry = "run", kiln.arg_weights = array<i64: -1>, kiln.num_outputs = 3 : i64, kiln.output_names = ["m1", "m2", "m3"]} {
    %zero = arith.constant 0.0 : f32
    linalg.fill ins(%zero : f32) outs(%m1 : memref<2x4xf32>)
    %t1 = memref.alloc() : memref<2x4xf32>
    linalg.copy ins(%m1 : memref<2x4xf32>) outs(%t1 : memref<2x4xf32>)
    linalg.matmul ins(%a, %w : memref<2x3xf32>, memref<3x4xf32>) outs(%t1 : memref<2x4xf32>)
    %t2 = memref.alloc() : memref<2x4xf32>
    linalg.copy ins(%m1 : memref<2x4xf32>) outs(%t2 : memref<2x4xf32>)
    linalg.matmul ins(%a, %w : memref<2x3xf32>, memref<3x4xf32>) outs(%t2 : memref<2x4xf32>)
    // expected-note @+1 {{the lost value is written here}}
    linalg.matmul ins(%a, %w : memref<2x3xf32>, memref<3x4xf32>) outs(%m1 : memref<2x4xf32>)
    // expected-error @+1 {{internal error: the buffer of output 'm1' is overwritten before the value written into it was read: two values share that output's storage}}
    linalg.copy ins(%t1 : memref<2x4xf32>) outs(%m1 : memref<2x4xf32>)
    linalg.copy ins(%t2 : memref<2x4xf32>) outs(%m2 : memref<2x4xf32>)
    linalg.copy ins(%m1 : memref<2x4xf32>) outs(%m3 : memref<2x4xf32>)
    return
  }
}

// -----

// Accepted: a fill read by the matmul accumulating into it, partial writes
// through a subview, an output read by a later op and copied to another
// output, and an output written by an unknown op (a partial write).
// CHECK-LABEL: func.func @fine(
module {
  func.func @fine(%a: memref<2x3xf32>, %w: memref<3x4xf32>, %m1: memref<2x4xf32>,
                  %m2: memref<2x4xf32>, %m3: memref<4xf32>)
      attributes {kiln.entry = "run", kiln.arg_weights = array<i64: -1, -1>, kiln.num_outputs = 3 : i64, kiln.output_names = ["m1", "m2", "m3"]} {
    %zero = arith.constant 0.0 : f32
    linalg.fill ins(%zero : f32) outs(%m1 : memref<2x4xf32>)
    linalg.matmul ins(%a, %w : memref<2x3xf32>, memref<3x4xf32>) outs(%m1 : memref<2x4xf32>)
    linalg.exp ins(%m1 : memref<2x4xf32>) outs(%m2 : memref<2x4xf32>)
    linalg.fill ins(%zero : f32) outs(%m3 : memref<4xf32>)
    %sv = memref.subview %m3[0] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1]>>
    linalg.fill ins(%zero : f32) outs(%sv : memref<2xf32, strided<[1]>>)
    %c0 = arith.constant 0 : index
    memref.store %zero, %m3[%c0] : memref<4xf32>
    linalg.copy ins(%m2 : memref<2x4xf32>) outs(%m1 : memref<2x4xf32>)
    return
  }
}
