// RUN: kiln-opt %s --split-input-file --verify-diagnostics --kiln-gpu-bf16-mma-to-nvvm | FileCheck %s

// A bf16 m16n8k16 mma.sync becomes LLVM's intrinsic: A's four pairs and B's
// two as i32 registers in the fragment's order, C's four f32 in row-major
// order, and the four results back into a vector<2x2xf32>. f16 is left to
// upstream's convert-nvgpu-to-nvvm.
// CHECK-LABEL: gpu.func @bf16
// CHECK-SAME:    (%[[A:.*]]: vector<4x2xbf16>, %[[B:.*]]: vector<2x2xbf16>, %[[C:.*]]: vector<2x2xf32>
// CHECK:         %[[A0:.*]] = vector.extract %[[A]][0] : vector<2xbf16> from vector<4x2xbf16>
// CHECK:         %[[A0W:.*]] = vector.bitcast %[[A0]] : vector<2xbf16> to vector<1xi32>
// CHECK:         %[[A0I:.*]] = vector.extract %[[A0W]][0] : i32 from vector<1xi32>
// CHECK-COUNT-3: vector.bitcast %{{.*}} : vector<2xbf16> to vector<1xi32>
// CHECK:         %[[B0:.*]] = vector.extract %[[B]][0] : vector<2xbf16> from vector<2x2xbf16>
// CHECK:         vector.bitcast %[[B0]]
// CHECK:         vector.bitcast
// CHECK:         %[[C00:.*]] = vector.extract %[[C]][0, 0] : f32 from vector<2x2xf32>
// CHECK:         %[[C01:.*]] = vector.extract %[[C]][0, 1]
// CHECK:         %[[C10:.*]] = vector.extract %[[C]][1, 0]
// CHECK:         %[[C11:.*]] = vector.extract %[[C]][1, 1]
// CHECK:         %[[D:.*]] = llvm.call_intrinsic "llvm.nvvm.mma.m16n8k16.row.col.bf16"(%[[A0I]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[C00]], %[[C01]], %[[C10]], %[[C11]]) : (i32, i32, i32, i32, i32, i32, f32, f32, f32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK:         %[[D0:.*]] = llvm.extractvalue %[[D]][0]
// CHECK:         %[[D3:.*]] = llvm.extractvalue %[[D]][3]
// CHECK:         vector.insert %[[D0]], %{{.*}} [0, 0] : f32 into vector<2x2xf32>
// CHECK:         vector.insert %[[D3]], %{{.*}} [1, 1] : f32 into vector<2x2xf32>
// CHECK:         nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>)
gpu.module @kernels {
  gpu.func @bf16(%a: vector<4x2xbf16>, %b: vector<2x2xbf16>, %c: vector<2x2xf32>, %h: vector<4x2xf16>, %hb: vector<2x2xf16>, %out: memref<2xvector<2x2xf32>>) kernel {
    %d = nvgpu.mma.sync (%a, %b, %c) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
    %e = nvgpu.mma.sync (%h, %hb, %d) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
    %i = arith.constant 0 : index
    memref.store %e, %out[%i] : memref<2xvector<2x2xf32>>
    gpu.return
  }
}

// -----

// PTX has no other bf16 mma.sync with f32 accumulators: an m16n8k8 one is
// refused with the shapes it needs.
gpu.module @kernels {
  gpu.func @k8(%a: vector<2x2xbf16>, %b: vector<1x2xbf16>, %c: vector<2x2xf32>, %out: memref<1xvector<2x2xf32>>) kernel {
    // expected-error @+1 {{on bf16 needs m16n8k16 with vector<4x2xbf16>, vector<2x2xbf16> and vector<2x2xf32> operands}}
    %d = nvgpu.mma.sync (%a, %b, %c) {mmaShape = [16, 8, 8]} : (vector<2x2xbf16>, vector<1x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
    %i = arith.constant 0 : index
    memref.store %d, %out[%i] : memref<1xvector<2x2xf32>>
    gpu.return
  }
}
