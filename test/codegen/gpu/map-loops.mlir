// RUN: kiln-opt %s --split-input-file --kiln-gpu-map-loops --cse --verify-diagnostics | FileCheck %s

// A row sum, written with the reduction first: the parallel dim becomes the
// thread index (4 rows: one block of one warp, bounds-checked), the
// reduction a sequential loop inside.
// CHECK-LABEL: func.func @row_sum
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK:         gpu.launch blocks(%[[BX:[a-z0-9]+]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C1]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]]) threads(%[[TX:[a-z0-9]+]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C32]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]])
// CHECK:           %[[BASE:.*]] = arith.muli %[[BX]], %{{.*}} : index
// CHECK:           %[[ID:.*]] = arith.addi %[[BASE]], %[[TX]] : index
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[ID]], %{{.*}} : index
// CHECK:           scf.if %[[IN]] {
// CHECK:             scf.for %[[K:.*]] =
// CHECK:               %[[ROW:.*]] = affine.apply #{{.*}}(%[[ID]])
// CHECK:               %[[COL:.*]] = affine.apply #{{.*}}(%[[K]])
// CHECK:               memref.load %{{.*}}[%[[ROW]], %[[COL]]] : memref<4x100xf32>
// CHECK:               memref.store
// CHECK:         } {kiln.kernel_name = "linalg_generic"}
// CHECK-NOT:     linalg.generic
func.func @row_sum(%a: memref<4x100xf32>, %b: memref<4xf32>) attributes {kiln.entry = "run"} {
  linalg.generic {indexing_maps = [affine_map<(k, i) -> (i, k)>, affine_map<(k, i) -> (i)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%a : memref<4x100xf32>) outs(%b : memref<4xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// 3 x 1000 elements: 256 threads per block, ceil(3000 / 256) = 12 blocks,
// the linear index split row-major (the last dim fastest).
// CHECK-LABEL: func.func @elementwise
// CHECK-DAG:     %[[C12:.*]] = arith.constant 12 : index
// CHECK-DAG:     %[[C256:.*]] = arith.constant 256 : index
// CHECK:         gpu.launch blocks({{.*}}) in (%{{.*}} = %[[C12]], {{.*}}) threads({{.*}}) in (%{{.*}} = %[[C256]],
// CHECK:           %[[ID:.*]] = arith.addi
// CHECK:           scf.if
// CHECK-DAG:         %[[J:.*]] = arith.remui %[[ID]], %[[C1000:.*]] : index
// CHECK-DAG:         %[[I:.*]] = arith.divui %[[ID]], %[[C1000]] : index
// CHECK:             affine.apply #{{.*}}(%[[I]])
// CHECK:             affine.apply #{{.*}}(%[[J]])
// CHECK:             memref.load
// CHECK:         } {kiln.kernel_name = "linalg_map__node_relu"}
func.func @elementwise(%a: memref<3x1000xf32>, %b: memref<3x1000xf32>) attributes {kiln.entry = "run"} {
  linalg.map { math.absf } ins(%a : memref<3x1000xf32>) outs(%b : memref<3x1000xf32>) loc("node_relu")
  return
}

// -----

// Exactly 512 elements: two full blocks, no bounds check.
// CHECK-LABEL: func.func @full_blocks
// CHECK:         gpu.launch
// CHECK-NOT:       scf.if
// CHECK:           gpu.terminator
func.func @full_blocks(%a: memref<512xf32>) attributes {kiln.entry = "run"} {
  %c = arith.constant 1.0 : f32
  linalg.fill ins(%c : f32) outs(%a : memref<512xf32>)
  return
}

// -----

// A scalar store at the top level runs as a one-thread kernel.
// CHECK-LABEL: func.func @scalar
// CHECK:         %[[ONE:.*]] = arith.constant 1 : index
// CHECK:         gpu.launch blocks({{.*}}) in (%{{.*}} = %[[ONE]], {{.*}}) threads({{.*}}) in (%{{.*}} = %[[ONE]],
// CHECK-NEXT:      memref.store
func.func @scalar(%a: memref<f32>) attributes {kiln.entry = "run"} {
  %c = arith.constant 1.0 : f32
  memref.store %c, %a[] : memref<f32>
  return
}

// -----

// Functions other than entry points are left alone.
// CHECK-LABEL: func.func @not_an_entry
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.fill
func.func @not_an_entry(%a: memref<8xf32>) {
  %c = arith.constant 1.0 : f32
  linalg.fill ins(%c : f32) outs(%a : memref<8xf32>)
  return
}

// -----

// A load and what uses it run together on one thread...
// CHECK-LABEL: func.func @load_and_fill
// CHECK:         gpu.launch
// CHECK-NEXT:      %[[V:.*]] = memref.load
// CHECK:           scf.parallel
// CHECK:             memref.store %[[V]]
// CHECK:           gpu.terminator
func.func @load_and_fill(%a: memref<f32>, %b: memref<8xf32>) attributes {kiln.entry = "run"} {
  %v = memref.load %a[] : memref<f32>
  linalg.fill ins(%v : f32) outs(%b : memref<8xf32>)
  return
}

// -----

// ... but not across a write that is not theirs.
func.func @across_a_write(%a: memref<f32>, %b: memref<f32>) attributes {kiln.entry = "run"} {
  %c = arith.constant 1.0 : f32
  // expected-error @+1 {{runs on one GPU thread with ops that come after memref.store, which it cannot be moved across}}
  %v = memref.load %a[] : memref<f32>
  // expected-note @+1 {{here}}
  memref.store %c, %a[] : memref<f32>
  memref.store %v, %b[] : memref<f32>
  return
}

// -----

// A rank-0 op has no loops: its inlined body (the loads, the arithmetic, the
// store) runs together on one thread; the dead load of its unread init goes.
// CHECK-LABEL: func.func @rank0
// CHECK:         gpu.launch
// CHECK-NEXT:      %[[X:.*]] = memref.load %{{.*}}[] : memref<f32>
// CHECK-NEXT:      %[[Y:.*]] = arith.mulf %[[X]], %[[X]] : f32
// CHECK-NEXT:      memref.store %[[Y]], %{{.*}}[] : memref<f32>
// CHECK-NEXT:      gpu.terminator
// CHECK-NOT:     memref.load
// CHECK:         return
func.func @rank0(%a: memref<f32>, %b: memref<f32>) attributes {kiln.entry = "run"} {
  linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []}
      ins(%a : memref<f32>) outs(%b : memref<f32>) {
  ^bb0(%x: f32, %unused: f32):
    %y = arith.mulf %x, %x : f32
    linalg.yield %y : f32
  }
  return
}
