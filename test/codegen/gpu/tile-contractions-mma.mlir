// RUN: kiln-opt %s --split-input-file --kiln-gpu-tile-contractions="tiles=64,64,16,4,4 mma-tiles=128,128,32,2,4,64,64,32,2,2 multiprocessors=108" --canonicalize --cse | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-gpu-tile-contractions="tiles=64,64,16,4,4 mma-tiles=128,128,32,2,4,64,64,32,2,2 multiprocessors=108 allow-tf32=true" --canonicalize --cse | FileCheck %s --check-prefix=TF32

// 100x40 times 40x72 in bf16 with f32 accumulators: tensor cores. The
// 128x128 tile would make one block, so the 64x64 one: 2x2 blocks of 4 warps
// (128 threads), each warp 32x32 outputs, 2x4 fragments of m16n8. A's
// workgroup tile is k-contiguous, [64, 32 + 8] bf16; B's n-contiguous as B
// is (72 columns, a multiple of 8), [32, 64 + 8]. The fill goes (the
// accumulators start at zero). k = 40: one full k tile of 32 (the loop of one
// trip folds away), then a last one with k checked (zeros past 40). Each k
// tile: barrier, copy, barrier, then per k16 step each lane loads its A
// registers (rows groupID and groupID + 8 of its warp's fragments, k
// columns 2 threadID_in_group and + 8: four 32-bit vector loads) and B
// registers (column groupID, k rows 2 threadID_in_group (+ 1) and + 8:
// four 16-bit loads), and the warp runs 2 x 4 mma.sync. The
// lane's accumulators go to rows groupID (+ 8), columns 2 threadID_in_group
// (+ 1), where they fall inside 100x72.
// CHECK-LABEL: func.func @matmul_bf16
// CHECK-NOT:     linalg.fill
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<2x2xf32>
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG:     %[[C128:.*]] = arith.constant 128 : index
// CHECK:         gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C2]], %{{.*}} = %[[C2]], %{{.*}} = %{{.*}}) threads(%[[TID:[a-z0-9_]+]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]], %{{.*}} = %c1, %{{.*}} = %c1)
// CHECK-SAME:      workgroup(%[[AS:[a-z0-9_]+]] : memref<64x40xbf16, #gpu.address_space<workgroup>>, %[[BS:[a-z0-9_]+]] : memref<32x72xbf16, #gpu.address_space<workgroup>>)
// CHECK:           %[[LANE:.*]] = arith.remui %[[TID]], %[[C32]] : index
// CHECK:           %[[GROUP:.*]] = arith.divui %[[LANE]], %[[C4]] : index
// CHECK:           %[[IN_GROUP:.*]] = arith.remui %[[LANE]], %[[C4]] : index
// A (k-contiguous, 40 a multiple of 8) is copied in 16-byte cp.async's when
// its buffer is 16-byte aligned: 64 rows x 4 vectors, 2 per thread, rows
// past 100 read row 99 and copy no element (zeros), then one group waited
// for; else element by element. B likewise along n: 32 k rows x 8 vectors.
// CHECK:           gpu.barrier
// CHECK:           %[[PTR:.*]] = memref.extract_aligned_pointer_as_index %{{.*}} : memref<100x40xbf16> -> index
// CHECK:           %[[MOD:.*]] = arith.remui %[[PTR]], %c16 : index
// CHECK:           %[[ALIGNED:.*]] = arith.cmpi eq, %[[MOD]], %c0 : index
// CHECK:           scf.if %[[ALIGNED]] {
// CHECK:             %[[VROW:.*]] = arith.divui %[[TID]], %[[C4]] : index
// CHECK:             %[[VK:.*]] = arith.muli %{{.*}}, %c8 : index
// CHECK:             %[[GROW:.*]] = arith.addi %{{.*}}, %[[VROW]] : index
// CHECK:             %[[IN:.*]] = arith.cmpi ult, %[[GROW]], %c100 : index
// CHECK:             %[[CROW:.*]] = arith.minui %[[GROW]], %c99 : index
// CHECK:             %[[N:.*]] = arith.select %[[IN]], %c8, %c0 : index
// CHECK:             %[[T0:.*]] = nvgpu.device_async_copy %{{.*}}[%[[CROW]], %[[VK]]], %[[AS]][%[[VROW]], %[[VK]]], 8, %[[N]] {bypassL1} : memref<100x40xbf16> to memref<64x40xbf16, #gpu.address_space<workgroup>>
// CHECK:             %[[T1:.*]] = nvgpu.device_async_copy
// CHECK:             %[[G:.*]] = nvgpu.device_async_create_group %[[T0]], %[[T1]]
// CHECK:             nvgpu.device_async_wait %[[G]]
// CHECK:           } else {
// CHECK-COUNT-16:    memref.store %{{.*}}, %[[AS]][
// CHECK:           }
// CHECK:           memref.extract_aligned_pointer_as_index %{{.*}} : memref<40x72xbf16> -> index
// CHECK:           scf.if
// CHECK:             %[[BK:.*]] = arith.divui %[[TID]], %c8 : index
// CHECK:             %[[BN:.*]] = arith.muli %{{.*}}, %c8 : index
// CHECK:             nvgpu.device_async_copy %{{.*}}[%{{.*}}, %{{.*}}], %[[BS]][%[[BK]], %[[BN]]], 8, %{{.*}} {bypassL1} : memref<40x72xbf16> to memref<32x72xbf16, #gpu.address_space<workgroup>>
// CHECK:             nvgpu.device_async_copy
// CHECK:             nvgpu.device_async_wait
// CHECK:           } else {
// CHECK-COUNT-16:    memref.store %{{.*}}, %[[BS]][
// CHECK:           }
// CHECK:           gpu.barrier
// CHECK:           %[[ROW:.*]] = arith.addi %{{.*}}, %[[GROUP]] : index
// CHECK:           %[[ROW8:.*]] = arith.addi %[[ROW]], %c8 : index
// CHECK:           %[[K:.*]] = arith.muli %[[IN_GROUP]], %[[C2]] : index
// CHECK:           vector.load %[[AS]][%[[ROW]], %[[K]]] : memref<64x40xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK:           vector.load %[[AS]][%[[ROW8]], %[[K]]] : {{.*}}, vector<2xbf16>
// CHECK:           %[[K8:.*]] = arith.addi %[[K]], %c8 : index
// CHECK:           vector.load %[[AS]][%[[ROW]], %[[K8]]] : {{.*}}, vector<2xbf16>
// CHECK:           vector.load %[[AS]][%[[ROW8]], %[[K8]]] : {{.*}}, vector<2xbf16>
// CHECK-COUNT-4:   vector.load %[[AS]]
// CHECK:           %[[COL:.*]] = arith.addi %{{.*}}, %[[GROUP]] : index
// CHECK:           memref.load %[[BS]][%[[K]], %[[COL]]] : memref<32x72xbf16, #gpu.address_space<workgroup>>
// CHECK:           %[[K1:.*]] = arith.addi %[[K]], %c1 : index
// CHECK:           memref.load %[[BS]][%[[K1]], %[[COL]]]
// CHECK:           memref.load %[[BS]][%[[K8]], %[[COL]]]
// CHECK-COUNT-13:  memref.load %[[BS]]
// CHECK:           nvgpu.mma.sync(%{{.*}}, %{{.*}}, %[[ZERO]]) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-COUNT-7:   nvgpu.mma.sync
// The second k16 step of the first k tile, then the checked last tile.
// CHECK-COUNT-8:   nvgpu.mma.sync
// CHECK:           gpu.barrier
// CHECK:           arith.cmpi ult, %{{.*}}, %c40 : index
// CHECK:           nvgpu.device_async_copy
// CHECK:           gpu.barrier
// CHECK-COUNT-16:  nvgpu.mma.sync
// CHECK-NOT:       nvgpu.mma.sync
// CHECK:           %[[D:.*]] = vector.extract %{{.*}}[0, 0] : f32 from vector<2x2xf32>
// CHECK:           scf.if
// CHECK-NEXT:        memref.store %[[D]], %{{.*}} : memref<100x72xf32>
// CHECK-COUNT-31:  memref.store %{{.*}} : memref<100x72xf32>
// CHECK:           gpu.terminator
// CHECK-NEXT:    } {kiln.kernel_name = "linalg_matmul", nvvm.minctasm = 2 : i32}
// CHECK-NOT:     linalg.matmul
func.func @matmul_bf16(%a: memref<100x40xbf16>, %b: memref<40x72xbf16>, %c: memref<100x72xf32>) attributes {kiln.entry = "run"} {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<100x72xf32>)
  linalg.matmul ins(%a, %b : memref<100x40xbf16>, memref<40x72xbf16>) outs(%c : memref<100x72xf32>)
  return
}

// -----

// f32 operands stay on the CUDA cores (the SIMT kernel: 16x16 threads, no
// mma.sync) unless allow-tf32: then m16n8k8 with one f32 per register, each
// operand rounded to tf32 (add 0x1000, clear the 13 low bits, NaN kept) as
// it is copied to A's [64, 32 + 4] tile (B, n-contiguous: [32, 64 + 8]). No fill before the op: the
// accumulators start from the output.
// CHECK-LABEL: func.func @matmul_f32
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c16, %{{.*}} = %c16, %{{.*}} = %c1)
// CHECK-NOT:     nvgpu.mma.sync
// CHECK:         gpu.terminator
// TF32-LABEL:  func.func @matmul_f32
// TF32:          gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1, %{{.*}} = %c1) workgroup(%[[AS:.*]] : memref<64x36xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<32x72xf32, #gpu.address_space<workgroup>>)
// TF32:          memref.load %{{.*}} : memref<64x64xf32>
// TF32-COUNT-4:  vector.insert %{{.*}} : f32 into vector<2x2xf32>
// TF32:          gpu.barrier
// A is copied through registers in 4 x f32 vectors when aligned (cp.async
// cannot round), rounded the same way.
// TF32:          scf.if
// TF32:          %[[XV:.*]] = vector.load %{{.*}} : memref<64x64xf32>, vector<4xf32>
// TF32:          arith.bitcast %[[XV]] : vector<4xf32> to vector<4xi32>
// TF32:          vector.store %{{.*}}, %[[AS]][%{{.*}}, %{{.*}}] : memref<64x36xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// TF32:          } else {
// TF32:          %[[X:.*]] = memref.load %{{.*}} : memref<64x64xf32>
// TF32:          %[[BITS:.*]] = arith.bitcast %[[X]] : f32 to i32
// TF32:          %[[UP:.*]] = arith.addi %[[BITS]], %c4096_i32 : i32
// TF32:          %[[CLEARED:.*]] = arith.andi %[[UP]], %c-8192_i32 : i32
// TF32:          %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// TF32:          %[[R:.*]] = arith.bitcast %[[CLEARED]] : i32 to f32
// TF32:          %[[V:.*]] = arith.select %[[NAN]], %[[X]], %[[R]] : f32
// TF32:          memref.store %[[V]], %[[AS]]
// TF32:          gpu.barrier
// TF32:          vector.load %[[AS]]{{.*}} vector<1xf32>
// TF32:          nvgpu.mma.sync(%{{.*}}, %{{.*}}, %{{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
func.func @matmul_f32(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) attributes {kiln.entry = "run"} {
  linalg.matmul ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}
