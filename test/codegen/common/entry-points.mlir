// RUN: kiln-opt %s -kiln-entry-points="name=net" -split-input-file -verify-diagnostics | FileCheck %s

// Inputs become memrefs read through to_tensor; each result is written into
// an output buffer appended to the arguments; nothing is returned. The ABI
// the C entry points need is kept in attributes.
// CHECK: module attributes {kiln.symbol_prefix = "net", kiln.weights = []}
// CHECK-LABEL: func.func @net_run_impl(
// CHECK-SAME: %[[X:arg[0-9]+]]: memref<2x3xf32>, %[[Y:arg[0-9]+]]: memref<3xi64>, %[[O0:arg[0-9]+]]: memref<2x3xf32>, %[[O1:arg[0-9]+]]: memref<3xi64>)
// CHECK-SAME: kiln.arg_weights = array<i64: -1, -1>
// CHECK-SAME: kiln.buffer_bytes = array<i64: 24, 24, 24, 24>
// CHECK-SAME: kiln.entry = "run"
// CHECK-SAME: kiln.num_outputs = 2 : i64
// CHECK-SAME: kiln.output_names = ["r", "y"]
// CHECK-SAME: kiln.signature = "run:in=x:f32[2,3],y:i64[3];out=r:f32[2,3],y:i64[3]"
// CHECK-NOT: kiln.name
// CHECK: %[[XT:.*]] = bufferization.to_tensor %[[X]] restrict : memref<2x3xf32>
// CHECK: %[[YT:.*]] = bufferization.to_tensor %[[Y]] restrict : memref<3xi64>
// CHECK: %[[R:.*]] = kiln.relu %[[XT]]
// CHECK: bufferization.materialize_in_destination %[[R]] in restrict writable %[[O0]]
// CHECK: bufferization.materialize_in_destination %[[YT]] in restrict writable %[[O1]]
// CHECK: return{{$}}
func.func @main(%x: tensor<2x3xf32> {kiln.name = "x"}, %y: tensor<3xi64> {kiln.name = "y"})
    -> (tensor<2x3xf32> {kiln.name = "r"}, tensor<3xi64> {kiln.name = "y"}) {
  %0 = kiln.relu %x : tensor<2x3xf32>
  return %0, %y : tensor<2x3xf32>, tensor<3xi64>
}

// -----

// Several entry points, marked kiln.entry_point, share the weights: one slot
// per parameter name, 64-byte aligned, in order of first appearance. A
// function that is not marked stays as it is. Unnamed tensors get positional
// names; names with odd bytes are escaped in the signature.
// CHECK: module attributes {kiln.symbol_prefix = "net", kiln.weights = [
// CHECK-SAME: {name = "w", offset = 0 : i64, signature = "w:f32[4]@0", type = tensor<4xf32>},
// CHECK-SAME: {name = "b", offset = 64 : i64, signature = "b:f32[2]@64", type = tensor<2xf32>}]}
// CHECK-LABEL: func.func @net_run_impl(
// CHECK-SAME: kiln.arg_weights = array<i64: -1, 0>
// CHECK-SAME: kiln.signature = "run:in=x%20y:f32[4];out=output0:f32[4]"
// CHECK-LABEL: func.func @net_grad_impl(
// CHECK-SAME: kiln.arg_weights = array<i64: 1, -1, 0>
// CHECK-SAME: kiln.entry = "grad"
// CHECK-SAME: kiln.signature = "grad:in=input1:f32[4];out=output0:f32[4]"
// CHECK-LABEL: func.func @helper(
// CHECK-SAME: tensor<4xf32>
module {
  func.func @run(%x: tensor<4xf32> {kiln.name = "x y"}, %w: tensor<4xf32> {kiln.name = "w", kiln.parameter, kiln.value = dense<1.0> : tensor<4xf32>})
      -> tensor<4xf32> attributes {kiln.entry_point = "run"} {
    %0 = kiln.mul %x, %w : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
  func.func @grad(%b: tensor<2xf32> {kiln.name = "b", kiln.parameter, kiln.value = dense<2.0> : tensor<2xf32>}, %x: tensor<4xf32>, %w: tensor<4xf32> {kiln.name = "w", kiln.parameter, kiln.value = dense<1.0> : tensor<4xf32>})
      -> tensor<4xf32> attributes {kiln.entry_point = "grad"} {
    %0 = kiln.add %x, %w : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
  func.func @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

// Tensors without elements get 0-element buffers that nothing touches.
// CHECK-LABEL: func.func @net_run_impl(
// CHECK-SAME: memref<0xf32>, %{{.*}}: memref<0xf32>)
// CHECK-SAME: kiln.buffer_bytes = array<i64: 0, 0>
// CHECK-SAME: kiln.signature = "run:in=input0:f32[4,0];out=output0:f32[4,0]"
// CHECK-NOT: materialize_in_destination
func.func @main(%x: tensor<4x0xf32>) -> tensor<4x0xf32> {
  %0 = kiln.constant dense<> : tensor<4x0xf32>
  return %0 : tensor<4x0xf32>
}

// -----

// One tensor.empty serving two destinations is split, one per use: each op
// gets its own destination. A fill of one is split too.
// CHECK-LABEL: func.func @net_run_impl(
// CHECK: %[[A:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[B:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[B]] : tensor<4xf32>)
// CHECK: %[[C:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[G:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[C]] : tensor<4xf32>)
// CHECK: linalg.copy ins(%[[G]] : tensor<4xf32>) outs(%[[A]] : tensor<4xf32>)
// CHECK: bufferization.materialize_in_destination %[[F]]
module {
  func.func @main() -> (tensor<4xf32>, tensor<4xf32>) {
    %cst = arith.constant 1.0 : f32
    %e = tensor.empty() : tensor<4xf32>
    %f = linalg.fill ins(%cst : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    %c = linalg.copy ins(%f : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    return %f, %c : tensor<4xf32>, tensor<4xf32>
  }
}

// -----

// expected-error @+1 {{no model function to compile: no @main, and no function marked kiln.entry_point}}
module {
  func.func @other(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// -----

module {
  // expected-error @+1 {{model inputs and outputs need static shapes, got 'tensor<?xf32>'}}
  func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {
    return %x : tensor<?xf32>
  }
}

// -----

module {
  func.func @a(%x: tensor<2xf32>) -> tensor<2xf32> attributes {kiln.entry_point = "run"} {
    return %x : tensor<2xf32>
  }
  // expected-error @+1 {{two functions are entry point 'run'}}
  func.func @b(%x: tensor<2xf32>) -> tensor<2xf32> attributes {kiln.entry_point = "run"} {
    return %x : tensor<2xf32>
  }
}

// -----

module {
  // expected-error @+1 {{entry point name 'not-c' is not a C identifier}}
  func.func @a(%x: tensor<2xf32>) -> tensor<2xf32> attributes {kiln.entry_point = "not-c"} {
    return %x : tensor<2xf32>
  }
}

// -----

module {
  func.func @a(%w: tensor<2xf32> {kiln.name = "w", kiln.parameter}) -> tensor<2xf32> attributes {kiln.entry_point = "a"} {
    return %w : tensor<2xf32>
  }
  // expected-error @+1 {{parameter 'w' is 'tensor<3xf32>' here but 'tensor<2xf32>' in another entry point}}
  func.func @b(%w: tensor<3xf32> {kiln.name = "w", kiln.parameter}) -> tensor<3xf32> attributes {kiln.entry_point = "b"} {
    return %w : tensor<3xf32>
  }
}

// -----

// Arguments and results marked kiln.state form one training state buffer:
// the last output, `state`, of which each state tensor is a view at its
// 64-byte aligned offset. State arguments are read from their views at the
// start; each state result is written into its view only at the end, after
// every other op. Both entry points share the layout.
// CHECK: module attributes {kiln.state_signature = "|state=w:f32[3]@0,w.momentum:f32[3]@64", kiln.symbol_prefix = "net"
// CHECK-LABEL: func.func @net_train_step_impl(
// CHECK-SAME: %[[X:arg[0-9]+]]: memref<3xf32>, %[[LOSS:arg[0-9]+]]: memref<f32>, %[[S:arg[0-9]+]]: memref<76xi8>)
// CHECK-SAME: kiln.arg_weights = array<i64: -1>
// CHECK-SAME: kiln.buffer_bytes = array<i64: 12, 4, 76>
// CHECK-SAME: kiln.output_names = ["loss", "state"]
// CHECK-SAME: kiln.signature = "train_step:in=x:f32[3];out=loss:f32[],state:u8[76]"
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[WV:.*]] = memref.view %[[S]][%[[C0]]][] : memref<76xi8> to memref<3xf32>
// CHECK-DAG: %[[MV:.*]] = memref.view %[[S]][%[[C64]]][] : memref<76xi8> to memref<3xf32>
// CHECK-DAG: %[[W:.*]] = bufferization.to_tensor %[[WV]] restrict : memref<3xf32>
// CHECK-DAG: %[[M:.*]] = bufferization.to_tensor %[[MV]] restrict : memref<3xf32>
// CHECK: %[[XT:.*]] = bufferization.to_tensor %[[X]] restrict
// CHECK: %[[MN:.*]] = kiln.add %[[M]], %[[XT]]
// CHECK: %[[WN:.*]] = kiln.sub %[[W]], %[[MN]]
// CHECK: %[[L:.*]] = kiln.reduce_sum %[[W]]
// CHECK: bufferization.materialize_in_destination %[[L]] in restrict writable %[[LOSS]]
// CHECK: %[[WOUT:.*]] = memref.view %[[S]][%{{.*}}][] : memref<76xi8> to memref<3xf32>
// CHECK: bufferization.materialize_in_destination %[[WN]] in restrict writable %[[WOUT]]
// CHECK: %[[MOUT:.*]] = memref.view %[[S]][%{{.*}}][] : memref<76xi8> to memref<3xf32>
// CHECK: bufferization.materialize_in_destination %[[MN]] in restrict writable %[[MOUT]]
// CHECK: return{{$}}
// CHECK-LABEL: func.func @net_init_state_impl(
// CHECK-SAME: %{{.*}}: memref<76xi8>)
// CHECK-SAME: kiln.signature = "init_state:in=;out=state:u8[76]"
func.func @train(%x: tensor<3xf32> {kiln.name = "x"},
                 %w: tensor<3xf32> {kiln.name = "w", kiln.state},
                 %m: tensor<3xf32> {kiln.name = "w.momentum", kiln.state})
    -> (tensor<f32> {kiln.name = "loss"}, tensor<3xf32> {kiln.name = "w", kiln.state},
        tensor<3xf32> {kiln.name = "w.momentum", kiln.state})
    attributes {kiln.entry_point = "train_step"} {
  %mn = kiln.add %m, %x : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  %wn = kiln.sub %w, %mn : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  %l = kiln.reduce_sum %w {axes = array<i64: 0>, keepdims = false} : tensor<3xf32> -> tensor<f32>
  return %l, %wn, %mn : tensor<f32>, tensor<3xf32>, tensor<3xf32>
}
func.func @init() -> (tensor<3xf32> {kiln.name = "w", kiln.state},
                      tensor<3xf32> {kiln.name = "w.momentum", kiln.state})
    attributes {kiln.entry_point = "init_state"} {
  %c = kiln.constant dense<1.0> : tensor<3xf32>
  return %c, %c : tensor<3xf32>, tensor<3xf32>
}

// -----

// Two state tensors of one name must have one type.
func.func @init() -> (tensor<4xf32> {kiln.name = "w", kiln.state})
    attributes {kiln.entry_point = "init_state"} {
  %c = kiln.constant dense<1.0> : tensor<4xf32>
  return %c : tensor<4xf32>
}
// expected-error @+1 {{state tensor 'w' is 'tensor<3xf32>' here but 'tensor<4xf32>' elsewhere}}
func.func @train(%w: tensor<3xf32> {kiln.name = "w", kiln.state}) -> (tensor<3xf32> {kiln.name = "w", kiln.state})
    attributes {kiln.entry_point = "train_step"} {
  return %w : tensor<3xf32>
}

// -----

// The packed types (i4, i2) have packed buffers, as ONNX packs them: element
// i in bits (i % n) * w of byte i / n (n = 8 / w), the last byte's spare
// bits 0. Inside, one element per byte, so an input is unpacked on entry and
// an output packed on exit; the signature keeps the tensor's dtype and shape.
// CHECK-LABEL: func.func @net_run_impl(
// CHECK-SAME: %[[X:arg[0-9]+]]: memref<2xi8>, %[[O:arg[0-9]+]]: memref<2xi8>)
// CHECK-SAME: kiln.buffer_bytes = array<i64: 2, 2>
// CHECK-SAME: kiln.signature = "run:in=x:i4[3];out=y:i4[3]"
// CHECK: %[[BYTES:.*]] = bufferization.to_tensor %[[X]] restrict : memref<2xi8>
// CHECK: %[[UNPACKED:.*]] = linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<3xi4>)
// CHECK: %[[BYTE:.*]] = arith.divui %[[I:.*]], %c2 : index
// CHECK: %[[SLOT:.*]] = arith.remui %[[I]], %c2 : index
// CHECK: %[[SHIFT:.*]] = arith.muli %[[SLOT]], %c4 : index
// CHECK: %[[SHIFT8:.*]] = arith.index_cast %[[SHIFT]] : index to i8
// CHECK: %[[B:.*]] = tensor.extract %[[BYTES]][%[[BYTE]]] : tensor<2xi8>
// CHECK: %[[LOW:.*]] = arith.shrui %[[B]], %[[SHIFT8]] : i8
// CHECK: arith.trunci %[[LOW]] : i8 to i4
// CHECK: %[[PACKED:.*]] = linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<2xi8>)
// CHECK: %[[IN0:.*]] = arith.cmpi ult, %{{.*}}, %c3 : index
// CHECK: %[[E0:.*]] = tensor.extract
// CHECK: %[[Z0:.*]] = arith.extui %[[E0]] : i4 to i8
// CHECK: arith.select %[[IN0]], %[[Z0]], %c0_i8
// CHECK: %[[IN1:.*]] = arith.cmpi ult, %{{.*}}, %c3
// CHECK: %[[E1:.*]] = tensor.extract
// CHECK: %[[Z1:.*]] = arith.extui %[[E1]] : i4 to i8
// CHECK: %[[K1:.*]] = arith.select %[[IN1]], %[[Z1]], %c0_i8
// CHECK: arith.shli %[[K1]], %c4_i8 : i8
// CHECK: bufferization.materialize_in_destination %[[PACKED]] in restrict writable %[[O]] : (tensor<2xi8>, memref<2xi8>)
func.func @main(%x: tensor<3xi4> {kiln.name = "x"}) -> (tensor<3xi4> {kiln.name = "y"}) {
  return %x : tensor<3xi4>
}

// -----

// A tensor.empty or a fill that nothing uses (left by an earlier rewrite)
// is passed over when each use of one gets its own: taking all but the
// first of no uses ran past the end of the use list (a crash). The empty
// with two uses still gets a second one.
// CHECK-LABEL: func.func @net_run_impl(
// CHECK-COUNT-2: tensor.empty() : tensor<4xf32>
// CHECK-NOT: tensor.empty() : tensor<4xf32>
func.func @main(%x: tensor<4xf32> {kiln.name = "x"}) -> (tensor<4xf32> {kiln.name = "a"}, tensor<4xf32> {kiln.name = "b"}) {
  %dead = tensor.empty() : tensor<8xf32>
  %zero = arith.constant 0.0 : f32
  %e8 = tensor.empty() : tensor<8xf32>
  %deadfill = linalg.fill ins(%zero : f32) outs(%e8 : tensor<8xf32>) -> tensor<8xf32>
  %e = tensor.empty() : tensor<4xf32>
  %a = linalg.copy ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %b = linalg.copy ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// A fill whose slice an op writes and inserts back (a padded buffer,
// kiln-cpu-pads-in-place) is not an accumulator: it keeps one fill, so
// the op writes in place. (An accumulator's fill gets one per use.)
// CHECK-LABEL: func.func @net_run_impl(
// CHECK-COUNT-1: linalg.fill
// CHECK-NOT: linalg.fill
func.func @main(%x: tensor<4xf32> {kiln.name = "x"}) -> (tensor<6xf32> {kiln.name = "p"}) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<6xf32>) -> tensor<6xf32>
  %i = tensor.extract_slice %f[1] [4] [1] : tensor<6xf32> to tensor<4xf32>
  %c = linalg.copy ins(%x : tensor<4xf32>) outs(%i : tensor<4xf32>) -> tensor<4xf32>
  %p = tensor.insert_slice %c into %f[1] [4] [1] : tensor<4xf32> into tensor<6xf32>
  return %p : tensor<6xf32>
}
