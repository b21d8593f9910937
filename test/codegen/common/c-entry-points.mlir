// RUN: kiln-opt %s -kiln-c-entry-points -split-input-file -verify-diagnostics | FileCheck %s
//
// The artifact's C functions around an entry function, in the LLVM dialect
// (docs/artifact-format.md): NAME_E_ctx checks, reads the context, finds the
// weights and scratch memory, calls NAME_E_impl; NAME_E is NAME_E_ctx with a
// NULL context; NAME_signature returns the whole signature.

// CHECK: module attributes {kiln.signature = "kiln-abi-2|run:in=x:f32[4],e:f32[0];out=y:f32[4]|weights=a:f32[16]@0,w:f32[32]@64"
// CHECK: llvm.mlir.global internal constant @net_signature_text("kiln-abi-2|run:in=x:f32[4],e:f32[0];out=y:f32[4]|weights=a:f32[16]@0,w:f32[32]@64\00")
// CHECK-LABEL: llvm.func internal @net_run_impl(
// CHECK-LABEL: llvm.func @net_run_ctx(
// CHECK-SAME: %[[CTX:.*]]: !llvm.ptr, %[[IN:.*]]: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr) -> i32
// The arrays, then the non-empty buffers (the 0-byte input may be NULL):
// KILN_CODE_NULL_ARGUMENT.
// CHECK: llvm.icmp "eq" %[[IN]]
// CHECK: llvm.icmp "eq" %[[OUT]]
// CHECK: llvm.mlir.constant(1 : i32)
// CHECK: %[[X:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.icmp "eq" %[[X]]
// CHECK: %[[E:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.ptr
// CHECK-NOT: llvm.icmp "eq" %[[E]]
// CHECK: %[[Y:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.icmp "eq" %[[Y]]
// The context: its version (KILN_ABI_VERSION = 2) and size, else
// KILN_CODE_BAD_CONTEXT (5).
// CHECK: llvm.icmp "eq" %[[CTX]]
// CHECK: %[[SIZE:.*]] = llvm.ptrtoint %{{.*}} : !llvm.ptr to i32
// CHECK: %[[V2:.*]] = llvm.mlir.constant(2 : i32)
// CHECK: llvm.icmp "ne" %{{.*}}, %[[V2]]
// CHECK: llvm.icmp "ult" %{{.*}}, %[[SIZE]]
// The weights blob must be there, of its size (192 bytes), else
// KILN_CODE_MISSING_WEIGHTS (6).
// CHECK: llvm.mlir.constant(192 : i64)
// CHECK: llvm.mlir.constant(5 : i32)
// CHECK: llvm.mlir.constant(6 : i32)
// The weight `w` is at offset 64 of ctx->weights.
// CHECK: %[[OFF:.*]] = llvm.mlir.constant(64 : i64) : i64
// CHECK: %[[WPTR:.*]] = llvm.getelementptr %{{.*}}[%[[OFF]]] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// No scratch given: aligned_alloc (64, 128).
// CHECK: llvm.call @aligned_alloc(
// A given scratch must be 64-byte aligned (3) and hold 128 bytes (4).
// CHECK: llvm.mlir.constant(3 : i32)
// CHECK: llvm.mlir.constant(4 : i32)
// CHECK: llvm.call @net_run_impl(%[[X]], %[[E]], %[[WPTR]], %[[Y]], %{{.*}})
// Allocating failed: KILN_CODE_OUT_OF_MEMORY (2); else run and free.
// CHECK: llvm.mlir.constant(2 : i32)
// CHECK: llvm.call @net_run_impl(%[[X]], %[[E]], %[[WPTR]], %[[Y]], %{{.*}})
// CHECK: llvm.call @free(
// CHECK-LABEL: llvm.func @net_run(
// CHECK: %[[Z:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.call @net_run_ctx(%[[Z]], %arg0, %arg1)
// CHECK-LABEL: llvm.func @net_signature() -> !llvm.ptr
// CHECK: llvm.mlir.addressof @net_signature_text
module attributes {kiln.symbol_prefix = "net", kiln.weights = [
    {name = "a", offset = 0 : i64, signature = "a:f32[16]@0", type = tensor<16xf32>},
    {name = "w", offset = 64 : i64, signature = "w:f32[32]@64", type = tensor<32xf32>}]} {
  llvm.func @net_run_impl(%x: !llvm.ptr, %e: !llvm.ptr, %w: !llvm.ptr, %y: !llvm.ptr, %scratch: !llvm.ptr)
      attributes {kiln.entry = "run", kiln.arg_weights = array<i64: -1, -1, 1>, kiln.num_outputs = 1 : i64,
                  kiln.buffer_bytes = array<i64: 16, 0, 16>, kiln.scratch_bytes = 128 : i64,
                  kiln.signature = "run:in=x:f32[4],e:f32[0];out=y:f32[4]"} {
    llvm.return
  }
}

// -----

// Without scratch or weights the wrapper only checks and calls. A test
// driver's declaration of the C function gets the body.
// CHECK-LABEL: llvm.func @m_go(
// CHECK: llvm.call @m_go_ctx
// CHECK-LABEL: llvm.func @m_go_ctx(
// CHECK-NOT: aligned_alloc
// CHECK: llvm.call @m_go_impl(%{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr) -> ()
module attributes {kiln.symbol_prefix = "m", kiln.weights = []} {
  llvm.func @m_go(!llvm.ptr, !llvm.ptr) -> i32
  llvm.func @m_go_impl(%x: !llvm.ptr, %y: !llvm.ptr)
      attributes {kiln.entry = "go", kiln.arg_weights = array<i64: -1>, kiln.num_outputs = 1 : i64,
                  kiln.buffer_bytes = array<i64: 16, 16>, kiln.signature = "go:in=x:f32[4];out=y:f32[4]"} {
    llvm.return
  }
}

// -----

// expected-error @+1 {{no kiln.symbol_prefix on the module: run kiln-entry-points first}}
module {
}

// -----

module attributes {kiln.symbol_prefix = "m"} {
  // expected-error @+1 {{internal error: takes 1 arguments, the ABI says 2}}
  llvm.func @m_go_impl(%x: !llvm.ptr)
      attributes {kiln.entry = "go", kiln.arg_weights = array<i64: -1>, kiln.num_outputs = 1 : i64,
                  kiln.buffer_bytes = array<i64: 16, 16>, kiln.signature = "go:in=x:f32[4];out=y:f32[4]"} {
    llvm.return
  }
}
