// RUN: kiln-opt %s --split-input-file --kiln-gpu-reduce-rows --canonicalize --cse | FileCheck %s

// Rows of 1000: 128 threads (4 warps) per row, 2 rows per block of 256,
// 2 blocks for 4 rows. Each thread sums every 128th element from its
// index (rows past the last sum none), the warp's 5 xor shuffles combine
// the partials, lane 0 of each warp writes its sum to [row, warp] in
// workgroup memory, barrier, and every warp combines the row's 4 sums the
// same way. Thread 0 adds the fill's constant (the fill goes) and stores.
// CHECK-LABEL: func.func @row_sum
// CHECK-NOT:     linalg.fill
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C128:.*]] = arith.constant 128 : index
// CHECK:         gpu.launch blocks(%[[BX:[a-z0-9]+]], %{{[a-z0-9]+}}, %{{[a-z0-9]+}}) in (%{{[a-z0-9]+}} = %[[C2]], %{{[a-z0-9]+}} = %{{[a-z0-9]+}}, %{{[a-z0-9]+}} = %{{[a-z0-9]+}}) threads(%[[TX:[a-z0-9]+]], %[[TY:[a-z0-9]+]], %{{[a-z0-9]+}}) in (%{{[a-z0-9]+}} = %[[C128]], %{{[a-z0-9]+}} = %[[C2]], %{{[a-z0-9]+}} = %{{[a-z0-9]+}})
// CHECK-SAME:      workgroup(%[[SHARED:[a-z0-9]+]] : memref<2x4xf32, #gpu.address_space<workgroup>>)
// CHECK:           %[[ROW:.*]] = arith.addi %{{.*}}, %[[TY]] : index
// CHECK:           %[[VALID:.*]] = arith.cmpi ult, %[[ROW]], %c4 : index
// CHECK:           %[[LENGTH:.*]] = arith.select %[[VALID]], %c1000, %c0 : index
// CHECK:           %[[PARTIAL:.*]] = scf.for %[[I:.*]] = %[[TX]] to %[[LENGTH]] step %[[C128]] iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (f32) {
// CHECK:             %[[X:.*]] = memref.load %{{.*}}[%{{.*}}, %[[I]]] : memref<4x1000xf32>
// CHECK:             arith.addf %[[ACC]], %[[X]] : f32
// CHECK:           %[[S1:.*]], %{{.*}} = gpu.shuffle xor %[[PARTIAL]], %c1_i32, %c32_i32 : f32
// CHECK:           gpu.shuffle xor %{{.*}}, %c2_i32, %c32_i32 : f32
// CHECK:           gpu.shuffle xor %{{.*}}, %c4_i32, %c32_i32 : f32
// CHECK:           gpu.shuffle xor %{{.*}}, %c8_i32, %c32_i32 : f32
// CHECK:           gpu.shuffle xor %{{.*}}, %c16_i32, %c32_i32 : f32
// CHECK:           %[[WARP_SUM:.*]] = arith.addf
// CHECK:           %[[LANE:.*]] = arith.remui %[[TX]], %c32 : index
// CHECK:           %[[WARP:.*]] = arith.divui %[[TX]], %c32 : index
// CHECK:           scf.if
// CHECK-NEXT:        memref.store %[[WARP_SUM]], %[[SHARED]][%[[TY]], %[[WARP]]]
// CHECK:           gpu.barrier
// CHECK:           memref.load %[[SHARED]][%[[TY]], %{{.*}}]
// CHECK-COUNT-5:   gpu.shuffle xor
// CHECK:           %[[TOTAL:.*]] = arith.addf
// CHECK:           scf.if
// CHECK-NEXT:        %[[OUT:.*]] = arith.addf %[[TOTAL]], %[[ZERO]] : f32
// CHECK-NEXT:        memref.store %[[OUT]], %{{.*}} : memref<4xf32>
// CHECK:         } {kiln.kernel_name = "linalg_reduce"}
// CHECK-NOT:     linalg.reduce
func.func @row_sum(%x: memref<4x1000xf32>, %y: memref<4xf32>) attributes {kiln.entry = "run"} {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<4xf32>)
  linalg.reduce { arith.addf } ins(%x : memref<4x1000xf32>) outs(%y : memref<4xf32>) dimensions = [1]
  return
}

// -----

// Rows of 31 (softmax's exponentials, reduced with max here): a warp per
// row, 8 rows per block, no shared memory or barrier; the partials start
// from -inf (maximumf's neutral element); the body is the op's own, with
// its broadcast input. The output's initial value is loaded (no fill).
// CHECK-LABEL: func.func @warp_rows
// CHECK-DAG:     %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in (%{{[a-z0-9]+}} = %c32, %{{[a-z0-9]+}} = %c8, %{{[a-z0-9]+}} = %c1) {
// CHECK:           scf.for {{.*}} step %c32 iter_args(%[[ACC:.*]] = %[[NEG]]) -> (f32) {
// CHECK:             arith.subf
// CHECK:             math.exp
// CHECK:             arith.maximumf %[[ACC]]
// CHECK-COUNT-5:   gpu.shuffle xor
// CHECK-NOT:       gpu.barrier
// CHECK:           scf.if
// CHECK-NEXT:        %[[INIT:.*]] = memref.load
// CHECK-NEXT:        arith.maximumf %[[INIT]], %{{.*}} : f32
func.func @warp_rows(%x: memref<10x31xf32>, %m: memref<10xf32>, %y: memref<10xf32>) attributes {kiln.entry = "run"} {
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>, affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x, %m : memref<10x31xf32>, memref<10xf32>) outs(%y : memref<10xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %d = arith.subf %a, %b : f32
    %e = math.exp %d : f32
    %s = arith.maximumf %acc, %e : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Left alone (one thread per output in kiln-gpu-map-loops): a reduction
// over the leading dim (its rows are strided), rows shorter than 16, and
// 64-bit sums (upstream's shuffles take 32 bits).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     gpu.launch
// CHECK-COUNT-3: linalg.reduce
func.func @left_alone(%a: memref<100x8xf32>, %b: memref<8xf32>, %c: memref<100xf32>, %d: memref<4x100xi64>, %e: memref<4xi64>) attributes {kiln.entry = "run"} {
  linalg.reduce { arith.addf } ins(%a : memref<100x8xf32>) outs(%b : memref<8xf32>) dimensions = [0]
  linalg.reduce { arith.addf } ins(%a : memref<100x8xf32>) outs(%c : memref<100xf32>) dimensions = [1]
  linalg.reduce { arith.addi } ins(%d : memref<4x100xi64>) outs(%e : memref<4xi64>) dimensions = [1]
  return
}
