// RUN: kiln-opt --kiln-cpu-vectorize-ops="vector-bits=512 cores=2" %s | FileCheck %s
//
// With more than one core, an op of at least 64K iterations is first split
// into about four tasks per core along its outermost parallel dim (an
// scf.forall, 100 rows in tasks of 13, the last one shorter); each task is
// then tiled for vectors as on one core. Ops without a vector dim are split
// into tasks too.

// CHECK-LABEL: func.func @elementwise_tasks
// CHECK: scf.forall (%[[I:.*]]) = (0) to (100) step (13)
// CHECK: %[[ROWS:.*]] = affine.min #{{.*}}(%[[I]])
// CHECK: scf.for %{{.*}} = %c0 to %[[ROWS]] step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c896 step %c128
// CHECK: math.exp %{{.*}} : vector<128xf32>
// CHECK: math.exp %{{.*}} : vector<104xf32>
// CHECK: tensor.parallel_insert_slice
func.func @elementwise_tasks(%x: tensor<100x1000xf32>) -> tensor<100x1000xf32> {
  %e = tensor.empty() : tensor<100x1000xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<100x1000xf32>) outs(%e : tensor<100x1000xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  } -> tensor<100x1000xf32>
  return %y : tensor<100x1000xf32>
}

// Under 64K iterations: no tasks.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.forall
// CHECK: return
func.func @small(%x: tensor<60x1000xf32>) -> tensor<60x1000xf32> {
  %e = tensor.empty() : tensor<60x1000xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<60x1000xf32>) outs(%e : tensor<60x1000xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  } -> tensor<60x1000xf32>
  return %y : tensor<60x1000xf32>
}

// No dim walks every operand with unit stride (a transpose): it runs as
// parallel tasks, each copying its part in transposed 16x16 blocks; the
// last 16 of 784 rows (784 = 48 x 16 + 16) are whole blocks too.
// CHECK-LABEL: func.func @transpose_tasks
// CHECK: scf.forall (%{{.*}}) = (0) to (512) step (64)
// CHECK: vector.shuffle
// CHECK-NOT: linalg.transpose
// CHECK: tensor.parallel_insert_slice
func.func @transpose_tasks(%x: tensor<784x512xf32>) -> tensor<512x784xf32> {
  %e = tensor.empty() : tensor<512x784xf32>
  %t = linalg.transpose ins(%x : tensor<784x512xf32>) outs(%e : tensor<512x784xf32>) permutation = [1, 0]
  return %t : tensor<512x784xf32>
}

// A fill that starts no other op's accumulators (the shape of a huge
// ConstantOfShape summed away, e2e/bounded_compile.py): split into tasks,
// then each task tiled for vectors. The split erases the op; its task alone
// is tiled (the sanitized build once caught the erased op being read again).
// CHECK-LABEL: func.func @fill_tasks
// CHECK: scf.forall (%{{.*}}) = (0) to (1000) step (125)
// CHECK: scf.for %{{.*}} = %c0 to %c896 step %c128
// CHECK: vector.transfer_write %{{.*}} : vector<128xf32>, tensor<125x1000xf32>
// CHECK: vector.transfer_write %{{.*}} : vector<104xf32>, tensor<125x1000xf32>
// CHECK: tensor.parallel_insert_slice
func.func @fill_tasks() -> tensor<1000x1000xf32> {
  %c = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<1000x1000xf32>
  %f = linalg.fill ins(%c : f32) outs(%e : tensor<1000x1000xf32>) -> tensor<1000x1000xf32>
  return %f : tensor<1000x1000xf32>
}
