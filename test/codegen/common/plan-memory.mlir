// RUN: kiln-opt %s -kiln-plan-memory -split-input-file -verify-diagnostics | FileCheck %s

// Three temporaries: %a and %b are live together, %c only after both died,
// so %c reuses offset 0. Sizes: a = 4096 B, b = 1024 B, c = 2048 B; the
// largest (a) is placed first at 0, b at 4096, c at 0 (a is dead by then).
// CHECK-LABEL: func.func @plan(
// CHECK-SAME: %[[SCRATCH:arg[0-9]+]]: memref<5120xi8>)
// CHECK-SAME: kiln.scratch_bytes = 5120 : i64
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[SCRATCH]][%[[C0]]][] : memref<5120xi8> to memref<1024xf32>
// CHECK: %[[C4096:.*]] = arith.constant 4096 : index
// CHECK: %[[B:.*]] = memref.view %[[SCRATCH]][%[[C4096]]][] : memref<5120xi8> to memref<256xf32>
// CHECK: linalg.copy ins(%{{.*}}) outs(%[[B]]
// CHECK: linalg.add ins(%[[A]], %[[A]]
// CHECK: %[[CZERO:.*]] = arith.constant 0 : index
// CHECK: %[[C:.*]] = memref.view %[[SCRATCH]][%[[CZERO]]][] : memref<5120xi8> to memref<512xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
module {
  func.func @plan(%in: memref<1024xf32>, %out: memref<512xf32>) attributes {kiln.entry = "run"} {
    %a = memref.alloc() : memref<1024xf32>
    %b = memref.alloc() : memref<256xf32>
    linalg.copy ins(%in : memref<1024xf32>) outs(%a : memref<1024xf32>)
    %a0 = memref.subview %a[0] [256] [1] : memref<1024xf32> to memref<256xf32, strided<[1]>>
    linalg.copy ins(%a0 : memref<256xf32, strided<[1]>>) outs(%b : memref<256xf32>)
    linalg.add ins(%a, %a : memref<1024xf32>, memref<1024xf32>) outs(%a : memref<1024xf32>)
    memref.dealloc %b : memref<256xf32>
    %c = memref.alloc() : memref<512xf32>
    %a1 = memref.subview %in[0] [512] [1] : memref<1024xf32> to memref<512xf32, strided<[1]>>
    linalg.copy ins(%a1 : memref<512xf32, strided<[1]>>) outs(%c : memref<512xf32>)
    linalg.copy ins(%c : memref<512xf32>) outs(%out : memref<512xf32>)
    return
  }
}

// -----

// No temporaries: no scratch argument, zero bytes.
// CHECK-LABEL: func.func @none(%{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32>)
// CHECK-SAME: kiln.scratch_bytes = 0 : i64
module {
  func.func @none(%in: memref<4xf32>, %out: memref<4xf32>) attributes {kiln.entry = "run"} {
    linalg.copy ins(%in : memref<4xf32>) outs(%out : memref<4xf32>)
    return
  }
}

// -----

// An allocation inside a loop cannot be planned statically.
module {
  func.func @loop(%out: memref<4xf32>) attributes {kiln.entry = "run"} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    scf.for %i = %c0 to %c4 step %c1 {
      // expected-error @+1 {{allocates inside a loop or region}}
      %t = memref.alloc() : memref<4xf32>
      linalg.copy ins(%t : memref<4xf32>) outs(%out : memref<4xf32>)
    }
    return
  }
}

