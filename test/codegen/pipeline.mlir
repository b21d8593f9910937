// RUN: kiln-opt %s -kiln-pipeline="name=net" | FileCheck %s
// RUN: kiln-opt %s -kiln-graph-pipeline | FileCheck %s --check-prefix=GRAPH
// RUN: kiln-opt %s -kiln-graph-pipeline -kiln-linalg-pipeline -kiln-loops-pipeline | FileCheck %s --check-prefix=LOOPS
// RUN: kiln-opt %s -kiln-graph-pipeline -kiln-linalg-pipeline -kiln-loops-pipeline -kiln-memref-pipeline="name=net" | FileCheck %s --check-prefix=MEMREF
//
// The whole shipped pipeline (codegen/Pipeline.h), and its stages one by one:
// what `kiln compile` runs, as lit can run it.

// GRAPH-LABEL: func.func @main
// GRAPH: kiln.matmul
// GRAPH-NOT: kiln.reshape

// LOOPS-LABEL: func.func @main
// LOOPS-NOT: kiln.matmul
// A matmul narrower than a vector register is vectorized along its 4 columns.
// LOOPS: scf.for
// LOOPS: arith.mulf %{{.+}}, %{{.+}} : vector<4xf32>
// LOOPS: arith.addf %{{.+}}, %{{.+}} : vector<4xf32>

// MEMREF-LABEL: func.func @net_run_impl(
// MEMREF-SAME: memref<2x3xf32>, %{{.*}}: memref<2x4xf32>)
// MEMREF-SAME: kiln.entry = "run"

// CHECK: module attributes {kiln.signature = "kiln-abi-2|run:in=x:f32[2,3];out=y:f32[2,4]"
// CHECK: llvm.func internal @net_run_impl(
// CHECK: llvm.call @net_run_impl_kernel
// CHECK: llvm.func internal @net_run_impl_kernel{{[0-9]+}}_{{.*}}(
// CHECK-SAME: no_inline
// CHECK: llvm.func @net_run_ctx(
// CHECK: llvm.func @net_run(
// CHECK: llvm.func @net_signature(
func.func @main(%x: tensor<2x3xf32> {kiln.name = "x"}) -> (tensor<2x4xf32> {kiln.name = "y"}) {
  %w = kiln.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 1.0, 2.0, 3.0]]> : tensor<3x4xf32>
  %r = kiln.reshape %x {shape = array<i64: 2, 3>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %m = kiln.matmul %r, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  return %m : tensor<2x4xf32>
}
