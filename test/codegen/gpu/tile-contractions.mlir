// RUN: kiln-opt %s --split-input-file --kiln-gpu-tile-contractions="tiles=128,128,8,8,8,64,64,16,4,4 multiprocessors=108" --canonicalize --cse | FileCheck %s

// 127x33 times 33x65: the 128x128 tile would make one block (fewer than 108
// multiprocessors), so the last tile, 64x64 outputs per block, 4x4 per
// thread: a 2x2 grid of 16x16 threads, two k-major shared tiles of
// [16, 64 + 4]. The fill of zeros goes: the accumulators start at zero.
// Two full k tiles of 16 (k0 = t * 16), each: barrier, copy (A along k, its
// contiguous dim, rows past 127 read row 126 and store zero; B along n),
// barrier, 16 steps of 4 + 4 shared loads and 16 multiply-adds. Then the
// last k (33 = 2 * 16 + 1) as one step of length 1 with k checked, and the
// outputs stored where they fall inside 127x65.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT:     linalg.fill
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         gpu.launch blocks(%[[BX:[a-z0-9_]+]], %[[BY:[a-z0-9_]+]], %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %[[C2]], %{{[a-z0-9_]+}} = %[[C2]], %{{[a-z0-9_]+}} = %{{[a-z0-9_]+}}) threads(%[[TX:[a-z0-9_]+]], %[[TY:[a-z0-9_]+]], %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %[[C16]], %{{[a-z0-9_]+}} = %[[C16]], %{{[a-z0-9_]+}} = %{{[a-z0-9_]+}})
// CHECK-SAME:      workgroup(%[[AS:[a-z0-9_]+]] : memref<16x68xf32, #gpu.address_space<workgroup>>, %[[BS:[a-z0-9_]+]] : memref<16x68xf32, #gpu.address_space<workgroup>>)
// CHECK:           %[[ACC:.*]]:16 = scf.for %[[T:[a-z0-9_]+]] = %{{.*}} to %[[C2]] step %{{.*}} iter_args(%[[A0:[a-z0-9_]+]] = %[[ZERO]], {{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK:             %[[K0:.*]] = arith.muli %[[T]], %[[C16]] : index
// CHECK:             gpu.barrier
// CHECK:             %[[ROW:.*]] = arith.minui %{{.*}}, %c126 : index
// CHECK:             %[[X:.*]] = memref.load %{{.*}}[%[[ROW]], %{{.*}}] : memref<127x33xf32>
// CHECK:             %[[X0:.*]] = arith.select %{{.*}}, %[[X]], %[[ZERO]] : f32
// CHECK:             memref.store %[[X0]], %[[AS]]
// CHECK-COUNT-3:     memref.store %{{.*}}, %[[AS]]
// CHECK-COUNT-4:     memref.store %{{.*}}, %[[BS]]
// CHECK:             gpu.barrier
// CHECK-COUNT-4:     memref.load %[[AS]][%c0, %{{.*}}] : memref<16x68xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-4:     memref.load %[[BS]][%c0, %{{.*}}] : memref<16x68xf32, #gpu.address_space<workgroup>>
// CHECK:             %[[P:.*]] = arith.mulf
// CHECK:             arith.addf %[[A0]], %[[P]] : f32
// CHECK-COUNT-15:    arith.addf
// CHECK:             memref.load %[[AS]][%c15,
// CHECK:             scf.yield
// CHECK:           gpu.barrier
// CHECK:           arith.cmpi ult, %{{.*}}, %c33 : index
// CHECK:           gpu.barrier
// CHECK-NOT:       memref.load %[[AS]][%c1,
// CHECK:           %[[LAST:.*]] = arith.addf %[[ACC]]#0, %{{.*}} : f32
// CHECK:           %[[INSIDE:.*]] = arith.andi
// CHECK:           scf.if %[[INSIDE]] {
// CHECK-NEXT:        memref.store %[[LAST]], %{{.*}} : memref<127x65xf32>
// CHECK-COUNT-15:  memref.store %{{.*}} : memref<127x65xf32>
// CHECK:           gpu.terminator
// CHECK-NEXT:    } {kiln.kernel_name = "linalg_matmul", nvvm.minctasm = 2 : i32}
// CHECK-NOT:     linalg.matmul
func.func @matmul(%a: memref<127x33xf32>, %b: memref<33x65xf32>, %c: memref<127x65xf32>) attributes {kiln.entry = "run"} {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<127x65xf32>)
  linalg.matmul ins(%a, %b : memref<127x33xf32>, memref<33x65xf32>) outs(%c : memref<127x65xf32>)
  return
}

// -----

// 4 x [256, 64] x [64, 512] (f16 operands, f32 output): the large tile makes
// 2 x 4 x 4 = 32 blocks, fewer than 108, so again the small one: 4 x 8
// blocks per batch, the batch as the grid's z. Shared tiles hold f16; each
// product widens both operands, as the op's body does. The output's initial
// values (no fill before) are the accumulators' start. B is read transposed
// ([batch, n, k]): its copy walks along k, B's contiguous dim.
// CHECK-LABEL: func.func @batched_f16
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK:         gpu.launch blocks(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %[[BZ:[a-z0-9_]+]]) in (%{{[a-z0-9_]+}} = %[[C8]], %{{[a-z0-9_]+}} = %[[C4]], %{{[a-z0-9_]+}} = %[[C4]])
// CHECK-SAME:      workgroup(%[[AS:[a-z0-9_]+]] : memref<16x68xf16, #gpu.address_space<workgroup>>, %[[BS:[a-z0-9_]+]] : memref<16x68xf16, #gpu.address_space<workgroup>>)
// CHECK:           %[[INIT:.*]] = memref.load %{{.*}}[%[[BZ]], %{{.*}}, %{{.*}}] : memref<4x256x512xf32>
// CHECK:           scf.for {{.*}} iter_args(%{{.*}} = %[[INIT]],
// CHECK:             %[[KK:.*]] = arith.remui %{{.*}}, %c16 : index
// CHECK:             memref.load %{{.*}}[%[[BZ]], %{{.*}}, %{{.*}}] : memref<4x512x64xf16>
// CHECK:             memref.store %{{.*}}, %[[BS]][%[[KK]], %{{.*}}]
// CHECK:             %[[X:.*]] = memref.load %[[AS]]
// CHECK:             %[[Y:.*]] = memref.load %[[BS]]
// CHECK:             %[[XW:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK:             %[[YW:.*]] = arith.extf %[[Y]] : f16 to f32
// CHECK:             arith.mulf %[[XW]], %[[YW]] : f32
func.func @batched_f16(%a: memref<4x256x64xf16>, %b: memref<4x512x64xf16>, %c: memref<4x256x512xf32>) attributes {kiln.entry = "run"} {
  linalg.batch_matmul_transpose_b ins(%a, %b : memref<4x256x64xf16>, memref<4x512x64xf16>) outs(%c : memref<4x256x512xf32>)
  return
}

// -----

// Not contractions, or not on buffers of static shape: left alone.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.generic
func.func @left_alone(%a: memref<8x16xf32>, %b: memref<8xf32>) attributes {kiln.entry = "run"} {
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<8x16xf32>) outs(%b : memref<8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %m = arith.maximumf %x, %acc : f32
    linalg.yield %m : f32
  }
  return
}
