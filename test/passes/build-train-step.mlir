// RUN: kiln-opt %s -kiln-build-train-step="loss=mse optimizer=momentum lr=0.1 momentum=0.5" | FileCheck %s
// RUN: kiln-opt %s -kiln-build-train-step="optimizer=adam" | FileCheck %s --check-prefix=ADAM
// kiln-build-train-step: forward, loss, backward and update in one function
// whose weights and state come in and leave with the same names, marked
// kiln.state (one state buffer after kiln-entry-points), and an init_state
// returning the weights' parameters and a zero state.

// CHECK-LABEL: func.func @main(
// CHECK-SAME:    kiln.parameter
// CHECK-SAME:    attributes {kiln.entry_point = "run"}
// CHECK-LABEL: func.func @main_train_step(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3xf32> {kiln.name = "x"}
// CHECK-SAME:    %[[W:[^:]*]]: tensor<3x4xf32> {kiln.name = "w", kiln.state}
// CHECK-SAME:    %[[T:[^:]*]]: tensor<2x4xf32> {kiln.name = "target"}
// CHECK-SAME:    %[[B:[^:]*]]: tensor<3x4xf32> {kiln.name = "w.momentum", kiln.state}
// CHECK-SAME:    -> (tensor<f32> {kiln.name = "loss"}, tensor<2x4xf32> {kiln.name = "y"}, tensor<3x4xf32> {kiln.name = "w", kiln.state}, tensor<3x4xf32> {kiln.name = "w.momentum", kiln.state})
// CHECK-SAME:    attributes {kiln.entry_point = "train_step"}
// mse: mean((y - t)^2).
// CHECK:         %[[Y:.*]] = kiln.matmul %[[X]], %[[W]]
// CHECK:         %[[D:.*]] = kiln.sub %[[Y]], %[[T]]
// CHECK:         %[[SQ:.*]] = kiln.mul %[[D]], %[[D]]
// CHECK:         %[[LOSS:.*]] = kiln.reduce_mean %[[SQ]] {axes = array<i64: 0, 1>, keepdims = false}
// CHECK:         %[[G:.*]] = kiln.matmul %{{.*}}, %{{.*}} : tensor<3x2xf32>, tensor<2x4xf32> -> tensor<3x4xf32>
// b' = 0.5 b + g; w' = w - 0.1 b'.
// CHECK:         %[[HALF:.*]] = kiln.constant dense<5.000000e-01> : tensor<f32>
// CHECK:         %[[BM:.*]] = kiln.mul %[[B]], %[[HALF]]
// CHECK:         %[[BN:.*]] = kiln.add %[[BM]], %[[G]]
// CHECK:         %[[LR:.*]] = kiln.constant dense<1.000000e-01> : tensor<f32>
// CHECK:         %[[STEP:.*]] = kiln.mul %[[BN]], %[[LR]]
// CHECK:         %[[WN:.*]] = kiln.sub %[[W]], %[[STEP]]
// The outputs are the model's, from the weights before the update.
// CHECK:         return %[[LOSS]], %[[Y]], %[[WN]], %[[BN]]
// init_state reads the weight as the model's own parameter (embedded again,
// or external like run's), not a copy of its value.
// CHECK-LABEL: func.func @main_init_state(
// CHECK-SAME:    %[[V:[^:]*]]: tensor<3x4xf32> {kiln.name = "w", kiln.parameter, kiln.value = dense<5.000000e-01> : tensor<3x4xf32>})
// CHECK-SAME:    -> (tensor<3x4xf32> {kiln.name = "w", kiln.state}, tensor<3x4xf32> {kiln.name = "w.momentum", kiln.state})
// CHECK-SAME:    attributes {kiln.entry_point = "init_state"}
// CHECK:         %[[Z:.*]] = kiln.constant dense<0.000000e+00> : tensor<3x4xf32>
// CHECK:         return %[[V]], %[[Z]]

// cross_entropy (the default) takes int64 class indices [N]; Adam's state
// is the step count, then each weight's two moments.
// ADAM-LABEL: func.func @main_train_step(
// ADAM-SAME:    tensor<2xi64> {kiln.name = "target"}, %{{.*}}: tensor<f32> {kiln.name = "adam.step", kiln.state}, %{{.*}}: tensor<3x4xf32> {kiln.name = "w.adam_m", kiln.state}, %{{.*}}: tensor<3x4xf32> {kiln.name = "w.adam_v", kiln.state})
// ADAM-SAME:    -> (tensor<f32> {kiln.name = "loss"}, tensor<2x4xf32> {kiln.name = "y"}, tensor<3x4xf32> {kiln.name = "w", kiln.state}, tensor<f32> {kiln.name = "adam.step", kiln.state}, tensor<3x4xf32> {kiln.name = "w.adam_m", kiln.state}, tensor<3x4xf32> {kiln.name = "w.adam_v", kiln.state})
// ADAM:         kiln.log_softmax %{{.*}} {axis = 1 : i64}
// ADAM:         kiln.compare eq
// ADAM:         kiln.pow
func.func @main(%x: tensor<2x3xf32> {kiln.name = "x"},
                %w: tensor<3x4xf32> {kiln.name = "w", kiln.parameter, kiln.value = dense<0.5> : tensor<3x4xf32>})
    -> (tensor<2x4xf32> {kiln.name = "y"}) {
  %0 = kiln.matmul %x, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
