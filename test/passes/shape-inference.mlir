// RUN: kiln-opt %s -kiln-shape-inference -split-input-file | FileCheck %s

// Static dims flow from the arguments through every op to the function type.
// CHECK-LABEL: func.func @propagate
// CHECK-SAME: -> tensor<3x2xf32>
func.func @propagate(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  // CHECK: kiln.relu %{{.*}} : tensor<2x3xf32>
  %0 = kiln.relu %x : tensor<2x3xf32>
  // CHECK: kiln.transpose %{{.*}} : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<?x?xf32>
  // CHECK: return %{{.*}} : tensor<3x2xf32>
  return %1 : tensor<?x?xf32>
}

// -----

// Cast keeps its element type and takes its operand's shape.
// CHECK-LABEL: func.func @cast_shape
// CHECK: kiln.cast %{{.*}} : tensor<4xf32> -> tensor<4xi64>
func.func @cast_shape(%x: tensor<4xf32>) -> tensor<?xi64> {
  %0 = kiln.cast %x : tensor<4xf32> -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

// Elementwise ops: a refined operand refines the ops that keep its type
// (relu, clip, gelu, not) and the broadcasting ones (add, compare, select).
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3xf32>, %[[Y:[a-z0-9]+]]: tensor<3xf32>, %[[C:[a-z0-9]+]]: tensor<2x1xi1>)
// CHECK-SAME: -> (tensor<3x2xf32>, tensor<3x2xi1>, tensor<2x3xf32>, tensor<2x3xi1>)
func.func @elementwise(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %c: tensor<2x1xi1>)
    -> (tensor<?x?xf32>, tensor<?x?xi1>, tensor<?x?xf32>, tensor<?x?xi1>) {
  // CHECK: %[[T:.*]] = kiln.transpose %[[X]] {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %t = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<?x?xf32>
  // CHECK: %[[RELU:.*]] = kiln.relu %[[T]] : tensor<3x2xf32>
  %0 = kiln.relu %t : tensor<?x?xf32>
  // CHECK: %[[CLIP:.*]] = kiln.clip %[[RELU]] {max = 6.000000e+00 : f64} : tensor<3x2xf32>
  %1 = kiln.clip %0 {max = 6.0 : f64} : tensor<?x?xf32>
  // CHECK: %[[GELU:.*]] = kiln.gelu %[[CLIP]] approximate tanh : tensor<3x2xf32>
  %2 = kiln.gelu %1 approximate tanh : tensor<?x?xf32>
  // CHECK: %[[CMP:.*]] = kiln.compare lt, %[[GELU]], %[[T]] : tensor<3x2xf32>, tensor<3x2xf32> -> tensor<3x2xi1>
  %3 = kiln.compare lt, %2, %t : tensor<?x?xf32>, tensor<?x?xf32> -> tensor<?x?xi1>
  // CHECK: %[[ADD:.*]] = kiln.add %[[X]], %[[Y]] : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %4 = kiln.add %x, %y : tensor<2x3xf32>, tensor<3xf32> -> tensor<?x?xf32>
  // CHECK: %[[SEL:.*]] = kiln.select %[[C]], %[[ADD]], %[[Y]] : (tensor<2x1xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = kiln.select %c, %4, %y : (tensor<2x1xi1>, tensor<?x?xf32>, tensor<3xf32>) -> tensor<?x?xf32>
  // CHECK: %[[CAST:.*]] = kiln.cast %[[SEL]] : tensor<2x3xf32> -> tensor<2x3xi1>
  %6 = kiln.cast %5 : tensor<?x?xf32> -> tensor<?x?xi1>
  // CHECK: return %[[GELU]], %[[CMP]], %[[SEL]], %[[CAST]] : tensor<3x2xf32>, tensor<3x2xi1>, tensor<2x3xf32>, tensor<2x3xi1>
  return %2, %3, %5, %6 : tensor<?x?xf32>, tensor<?x?xi1>, tensor<?x?xf32>, tensor<?x?xi1>
}

// -----

// CHECK-LABEL: func.func @linalg
// CHECK-SAME: -> (tensor<2x4x16xf32>, tensor<1x8x4x4xf32>)
func.func @linalg(%a: tensor<2x4x8xf32>, %b: tensor<8x16xf32>, %x: tensor<1x3x8x8xf32>,
                  %w: tensor<8x3x3x3xf32>, %bias: tensor<8xf32>)
    -> (tensor<?x?x?xf32>, tensor<?x?x?x?xf32>) {
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<2x4x8xf32>, tensor<8x16xf32> -> tensor<2x4x16xf32>
  %0 = kiln.matmul %a, %b : tensor<2x4x8xf32>, tensor<8x16xf32> -> tensor<?x?x?xf32>
  // (8 + 1 + 1 - 3) / 2 + 1 = 4.
  // CHECK: kiln.conv {{.*}} -> tensor<1x8x4x4xf32>
  %1 = kiln.conv %x, %w, %bias {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x?x?x?xf32>
  return %0, %1 : tensor<?x?x?xf32>, tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @pooling
// CHECK-SAME: -> (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>, tensor<1x8x3xf32>)
func.func @pooling(%x: tensor<1x8x8x8xf32>, %y: tensor<1x8x6xf32>)
    -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) {
  // CHECK: kiln.max_pool {{.*}} : tensor<1x8x8x8xf32> -> tensor<1x8x4x4xf32>
  %0 = kiln.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x8x8x8xf32> -> tensor<?x?x?x?xf32>
  // The refined max_pool result flows into global pooling.
  // CHECK: kiln.global_avg_pool %{{.*}} : tensor<1x8x4x4xf32> -> tensor<1x8x1x1xf32>
  %1 = kiln.global_avg_pool %0 : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  // CHECK: kiln.avg_pool {{.*}} : tensor<1x8x6xf32> -> tensor<1x8x3xf32>
  %2 = kiln.avg_pool %y {ceil_mode = true, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>,
         strides = array<i64: 2>} : tensor<1x8x6xf32> -> tensor<?x?x?xf32>
  return %0, %1, %2 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @reduction
// CHECK-SAME: -> (tensor<2x1xf32>, tensor<4xf32>, tensor<2xi64>)
func.func @reduction(%x: tensor<2x4xf32>) -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xi64>) {
  // CHECK: kiln.reduce_sum {{.*}} : tensor<2x4xf32> -> tensor<2x1xf32>
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>} : tensor<2x4xf32> -> tensor<?x?xf32>
  // CHECK: kiln.reduce_max {{.*}} : tensor<2x4xf32> -> tensor<4xf32>
  %1 = kiln.reduce_max %x {axes = array<i64: 0>, keepdims = false} : tensor<2x4xf32> -> tensor<?xf32>
  // CHECK: kiln.argmax {{.*}} : tensor<2x4xf32> -> tensor<2xi64>
  %2 = kiln.argmax %x {axis = 1 : i64, keepdims = false} : tensor<2x4xf32> -> tensor<?xi64>
  return %0, %1, %2 : tensor<?x?xf32>, tensor<?xf32>, tensor<?xi64>
}

// -----

// CHECK-LABEL: func.func @normalization
// CHECK-SAME: -> (tensor<4x2xf32>, tensor<4x2xf32>, tensor<1x4x2x2xf32>)
func.func @normalization(%x: tensor<2x4xf32>, %g: tensor<2xf32>, %y: tensor<1x4x2x2xf32>,
                         %p: tensor<4xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?x?x?xf32>) {
  // CHECK: %[[T:.*]] = kiln.transpose {{.*}} -> tensor<4x2xf32>
  %t = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x4xf32> -> tensor<?x?xf32>
  // CHECK: %[[S:.*]] = kiln.softmax %[[T]] {axis = 1 : i64} : tensor<4x2xf32>
  %0 = kiln.softmax %t {axis = 1 : i64} : tensor<?x?xf32>
  // CHECK: kiln.layer_norm %[[S]], %{{.*}} {axis = 1 : i64} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %1 = kiln.layer_norm %0, %g {axis = 1 : i64} : (tensor<?x?xf32>, tensor<2xf32>) -> tensor<?x?xf32>
  // CHECK: kiln.batch_norm {{.*}} -> tensor<1x4x2x2xf32>
  %2 = kiln.batch_norm %y, %p, %p, %p, %p
       : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  return %0, %1, %2 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @data_movement
// CHECK-SAME: -> (tensor<3x8xf32>, tensor<6x4xf32>, tensor<2x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<3x2x2xf32>)
func.func @data_movement(%x: tensor<2x3x4xf32>, %i: tensor<3xi64>)
    -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>) {
  // A -1 becomes static once the element count is known.
  // CHECK: %[[R:.*]] = kiln.reshape {{.*}} {shape = array<i64: 3, -1>} : tensor<2x3x4xf32> -> tensor<3x8xf32>
  %0 = kiln.reshape %x {shape = array<i64: 3, -1>} : tensor<2x3x4xf32> -> tensor<?x?xf32>
  // CHECK: %[[F:.*]] = kiln.flatten {{.*}} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = kiln.flatten %x {axis = 2 : i64} : tensor<2x3x4xf32> -> tensor<?x?xf32>
  // CHECK: %[[SL:.*]] = kiln.slice %[[F]] {{.*}} : tensor<6x4xf32> -> tensor<3x4xf32>
  %2 = kiln.slice %1 {starts = array<i64: 0, 0>, ends = array<i64: 6, 4>, steps = array<i64: 2, 1>}
       : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK: %[[SP:.*]]:2 = kiln.split %[[SL]] {{.*}} : tensor<3x4xf32> -> tensor<2x4xf32>, tensor<1x4xf32>
  %3:2 = kiln.split %2 {axis = 0 : i64, sizes = array<i64: 2, 1>} : tensor<?x?xf32> -> tensor<?x?xf32>, tensor<?x?xf32>
  // CHECK: %[[P:.*]] = kiln.pad constant %[[SP]]#1 {{.*}} : tensor<1x4xf32> -> tensor<1x6xf32>
  %4 = kiln.pad constant %3#1 {pads = array<i64: 0, 1, 0, 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK: %[[U:.*]] = kiln.unsqueeze %[[P]] {axes = array<i64: 0>} : tensor<1x6xf32> -> tensor<1x1x6xf32>
  %5 = kiln.unsqueeze %4 {axes = array<i64: 0>} : tensor<?x?xf32> -> tensor<?x?x?xf32>
  // CHECK: %[[SQ:.*]] = kiln.squeeze %[[U]] {axes = array<i64: 1>} : tensor<1x1x6xf32> -> tensor<1x6xf32>
  %6 = kiln.squeeze %5 {axes = array<i64: 1>} : tensor<?x?x?xf32> -> tensor<?x?xf32>
  // CHECK: %[[E:.*]] = kiln.expand %[[SQ]] {shape = array<i64: 2, 1>} : tensor<1x6xf32> -> tensor<2x6xf32>
  %7 = kiln.expand %6 {shape = array<i64: 2, 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK: %[[CC:.*]] = kiln.concat %[[SP]]#0, %[[SP]]#1 {axis = 0 : i64} : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  %8 = kiln.concat %3#0, %3#1 {axis = 0 : i64} : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  // CHECK: %[[G:.*]] = kiln.gather %[[CC]], %{{.*}} {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  %9 = kiln.gather %8, %i {axis = 0 : i64} : (tensor<?x?xf32>, tensor<3xi64>) -> tensor<?x?xf32>
  // CHECK: %[[T:.*]] = kiln.transpose %[[E]] {perm = array<i64: 1, 0>} : tensor<2x6xf32> -> tensor<6x2xf32>
  %10 = kiln.transpose %7 {perm = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK: %[[R3:.*]] = kiln.reshape %[[T]] {shape = array<i64: 3, 2, -1>} : tensor<6x2xf32> -> tensor<3x2x2xf32>
  %11 = kiln.reshape %10 {shape = array<i64: 3, 2, -1>} : tensor<?x?xf32> -> tensor<?x?x?xf32>
  // CHECK: return %[[R]], %[[F]], %[[SP]]#0, %[[SP]]#1, %[[SP]]#1, %[[R3]]
  return %0, %1, %3#0, %3#1, %3#1, %11 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>
}

// -----

// Unary ops keep their operand's type exactly, so bound input shapes flow
// through a chain of them; the dynamic dims of the arguments stay dynamic.
// CHECK-LABEL: func.func @partially_static
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x4xf32>) -> tensor<4x?xf32>
func.func @partially_static(%x: tensor<?x4xf32>) -> tensor<?x?xf32> {
  // CHECK: %[[T:.*]] = kiln.transpose %[[X]] {perm = array<i64: 1, 0>} : tensor<?x4xf32> -> tensor<4x?xf32>
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<?x4xf32> -> tensor<?x?xf32>
  // CHECK: %[[E:.*]] = kiln.exp %[[T]] : tensor<4x?xf32>
  %1 = kiln.exp %0 : tensor<?x?xf32>
  // CHECK: %[[N:.*]] = kiln.neg %[[E]] : tensor<4x?xf32>
  %2 = kiln.neg %1 : tensor<?x?xf32>
  // CHECK: return %[[N]] : tensor<4x?xf32>
  return %2 : tensor<?x?xf32>
}

// -----

// A result already more static than inference gives keeps its dims.
// CHECK-LABEL: func.func @keeps_refinement
// CHECK-SAME: -> tensor<5x4xf32>
func.func @keeps_refinement(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: kiln.relu %{{.*}} : tensor<?x4xf32>
  %0 = kiln.relu %x : tensor<?x4xf32>
  // CHECK: kiln.add %{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<5x4xf32>
  %1 = kiln.add %0, %0 : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<5x4xf32>
  %2 = kiln.reshape %1 {shape = array<i64: -1, 4>} : tensor<5x4xf32> -> tensor<?x4xf32>
  // CHECK: kiln.reshape %{{.*}} {shape = array<i64: -1, 4>} : tensor<5x4xf32> -> tensor<5x4xf32>
  return %2 : tensor<?x4xf32>
}

// -----

// A private function may be called elsewhere in the module, where a function
// pass cannot update the calls: it keeps its signature and casts its refined
// results back. Its caller, public, gets a refined signature of its own.
// CHECK-LABEL: func.func private @callee
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x3xf32>) -> tensor<?x?xf32>
// CHECK: %[[T:.*]] = kiln.transpose %[[X]] {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK: %[[CAST:.*]] = tensor.cast %[[T]] : tensor<3x2xf32> to tensor<?x?xf32>
// CHECK: return %[[CAST]] : tensor<?x?xf32>
func.func private @callee(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// CHECK-LABEL: func.func @caller
// CHECK-SAME: -> (tensor<?x?xf32>, tensor<3x2xf32>)
// CHECK: %[[C:.*]] = call @callee(%{{.*}}) : (tensor<2x3xf32>) -> tensor<?x?xf32>
// CHECK: return %[[C]], %{{.*}} : tensor<?x?xf32>, tensor<3x2xf32>
func.func @caller(%x: tensor<2x3xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %0 = func.call @callee(%x) : (tensor<2x3xf32>) -> tensor<?x?xf32>
  %1 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<?x?xf32>
  return %0, %1 : tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// Returns that disagree on a result keep its declared type, through casts.
// CHECK-LABEL: func.func @two_returns
// CHECK-SAME: -> (tensor<?xf32>, tensor<3xf32>)
func.func @two_returns(%c: i1, %x: tensor<3xf32>, %y: tensor<4xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %0 = kiln.reshape %x {shape = array<i64: -1>} : tensor<3xf32> -> tensor<?xf32>
  cf.cond_br %c, ^a, ^b
^a:
  // CHECK: %[[CA:.*]] = tensor.cast %{{.*}} : tensor<3xf32> to tensor<?xf32>
  // CHECK: return %[[CA]], %{{.*}} : tensor<?xf32>, tensor<3xf32>
  return %0, %0 : tensor<?xf32>, tensor<?xf32>
^b:
  %1 = kiln.reshape %y {shape = array<i64: -1>} : tensor<4xf32> -> tensor<?xf32>
  // CHECK: %[[CB:.*]] = tensor.cast %{{.*}} : tensor<4xf32> to tensor<?xf32>
  // CHECK: return %[[CB]], %{{.*}} : tensor<?xf32>, tensor<3xf32>
  return %1, %0 : tensor<?xf32>, tensor<?xf32>
}
