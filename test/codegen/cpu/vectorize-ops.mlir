// RUN: kiln-opt --split-input-file --kiln-cpu-vectorize-ops=vector-bits=512 %s | FileCheck %s

// Elementwise: along the innermost dim, 8 vectors (128 floats) per tile;
// 300 = 2 x 128 + 44, the last tile peeled to a static 44.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.for
// CHECK: scf.for %{{.+}} = %c0 to %c256 step %c128
// CHECK: math.exp %{{.+}} : vector<128xf32>
// CHECK: math.exp %{{.+}} : vector<44xf32>
// CHECK-NOT: linalg.generic
func.func @elementwise(%x: tensor<4x300xf32>) -> tensor<4x300xf32> {
  %e = tensor.empty() : tensor<4x300xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x300xf32>) outs(%e : tensor<4x300xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  } -> tensor<4x300xf32>
  return %y : tensor<4x300xf32>
}

// -----

// A reduction over the innermost dim (softmax's max over 128): one row per
// tile, reduced across lanes.
// CHECK-LABEL: func.func @row_max
// CHECK: scf.for
// CHECK: vector.transfer_read {{.+}} vector<128xf32>
// CHECK: vector.reduction <maximumf>, %{{.+}} : vector<128xf32> into f32
func.func @row_max(%x: tensor<6x128xf32>, %init: tensor<6xf32>) -> tensor<6xf32> {
  %r = linalg.reduce { arith.maximumf } ins(%x : tensor<6x128xf32>) outs(%init : tensor<6xf32>) dimensions = [1]
  return %r : tensor<6xf32>
}

// -----

// A reduction over an outer dim vectorizes along the kept innermost dim:
// whole vectors are added, nothing across lanes.
// CHECK-LABEL: func.func @column_sum
// CHECK: arith.addf %{{.+}}, %{{.+}} : vector<64xf32>
// CHECK-NOT: vector.reduction
func.func @column_sum(%x: tensor<10x64xf32>, %init: tensor<64xf32>) -> tensor<64xf32> {
  %r = linalg.reduce { arith.addf } ins(%x : tensor<10x64xf32>) outs(%init : tensor<64xf32>) dimensions = [0]
  return %r : tensor<64xf32>
}

// -----

// A transpose walks its input against the layout: it is copied in 16x16
// blocks, each read as 16 rows of the input, transposed in registers with
// shuffles and written as 16 rows of the output; no linalg op is left.
// CHECK-LABEL: func.func @transpose
// CHECK: scf.for {{.*}} = %c0 to %c64 step %c16
// CHECK: scf.for {{.*}} = %c0 to %c32 step %c16
// CHECK: vector.transfer_read {{.*}} : tensor<32x64xf32>, vector<16x16xf32>
// CHECK: vector.shuffle
// CHECK: vector.transfer_write {{.*}} : vector<16x16xf32>, tensor<64x32xf32>
// CHECK-NOT: linalg.transpose
// CHECK: return
func.func @transpose(%x: tensor<32x64xf32>) -> tensor<64x32xf32> {
  %e = tensor.empty() : tensor<64x32xf32>
  %t = linalg.transpose ins(%x : tensor<32x64xf32>) outs(%e : tensor<64x32xf32>) permutation = [1, 0]
  return %t : tensor<64x32xf32>
}

// -----

// A fill that is another op's init stays a linalg.fill (see
// initializesAnotherOp in VectorizeOps.cpp); the reduction is vectorized.
// CHECK-LABEL: func.func @init_fill
// CHECK: linalg.fill
// CHECK: vector.reduction <add>
func.func @init_fill(%x: tensor<6x128xf32>) -> tensor<6xf32> {
  %c = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6xf32>
  %f = linalg.fill ins(%c : f32) outs(%e : tensor<6xf32>) -> tensor<6xf32>
  %r = linalg.reduce { arith.addf } ins(%x : tensor<6x128xf32>) outs(%f : tensor<6xf32>) dimensions = [1]
  return %r : tensor<6xf32>
}

// -----

// Bools stay scalar: bytes in memory, bits in an LLVM vector.
// CHECK-LABEL: func.func @bools
// CHECK: linalg.generic
func.func @bools(%x: tensor<64xi1>) -> tensor<64xi1> {
  %e = tensor.empty() : tensor<64xi1>
  %t = arith.constant true
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%x : tensor<64xi1>) outs(%e : tensor<64xi1>) {
  ^bb0(%in: i1, %out: i1):
    %r = arith.xori %in, %t : i1
    linalg.yield %r : i1
  } -> tensor<64xi1>
  return %y : tensor<64xi1>
}

// -----

// A pad with a nonzero value (a max pool's -inf) is a vectorized fill of
// the padded shape with the source inserted into it; a zero pad stays a
// pad (LLVM makes its fill a memset).
// CHECK-LABEL: func.func @pads
// CHECK: %[[NINF:.+]] = arith.constant dense<0xFF800000> : vector<1x1x1x1x32xf32>
// CHECK: %[[FILL:.+]] = scf.for
// CHECK: vector.transfer_write %{{.+}} {in_bounds = [true]} : vector<32xf32>, tensor<1x2x6x6x32xf32>
// CHECK: %[[A:.+]] = tensor.insert_slice %{{.+}} into %[[FILL]][0, 0, 1, 1, 0] [1, 2, 4, 4, 32] [1, 1, 1, 1, 1]
// CHECK: %[[B:.+]] = tensor.pad
// CHECK: return %[[A]], %[[B]]
func.func @pads(%x: tensor<1x2x4x4x32xf32>) -> (tensor<1x2x6x6x32xf32>, tensor<1x2x6x6x32xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %a = tensor.pad %x low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index, %m: index):
    tensor.yield %ninf : f32
  } : tensor<1x2x4x4x32xf32> to tensor<1x2x6x6x32xf32>
  %b = tensor.pad %x low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index, %m: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4x32xf32> to tensor<1x2x6x6x32xf32>
  return %a, %b : tensor<1x2x6x6x32xf32>, tensor<1x2x6x6x32xf32>
}
