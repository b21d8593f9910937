// RUN: kiln-opt %s -kiln-build-train-step="loss=mse seed=42" | FileCheck %s
// Dropouts without a step (training-mode ONNX Dropout) get, in the training
// step only, the step counter `dropout.step` and the key `dropout.seed` (i64
// state tensors), the compile-time seed as the attribute's default, and a
// stream each in order (0, the default, is not printed); the step returns the
// counter plus one and the seed unchanged; init_state starts the counter at 0
// and the seed at 42. `run` keeps them stepless (the identity).

// CHECK-LABEL: func.func @main(
// CHECK:         kiln.dropout %{{[^ ]*}} {ratio = 5.000000e-01 : f64, stream = 9 : i64}
// CHECK:         kiln.dropout %{{[^ ]*}} {ratio = 2.500000e-01 : f64, stream = 3 : i64}
// CHECK-LABEL: func.func @main_train_step(
// CHECK-SAME:    %[[STEP:[^:]*]]: tensor<i64> {kiln.name = "dropout.step", kiln.state}
// CHECK-SAME:    %[[SEED:[^:]*]]: tensor<i64> {kiln.name = "dropout.seed", kiln.state}
// CHECK-SAME:    tensor<i64> {kiln.name = "dropout.step", kiln.state}, tensor<i64> {kiln.name = "dropout.seed", kiln.state})
// CHECK:         kiln.dropout %{{.*}} step %[[STEP]] key %[[SEED]] {ratio = 5.000000e-01 : f64, seed = 42 : i64}
// CHECK:         kiln.dropout %{{.*}} step %[[STEP]] key %[[SEED]] {ratio = 2.500000e-01 : f64, seed = 42 : i64, stream = 1 : i64}
// CHECK:         %[[ONE:.*]] = kiln.constant dense<1> : tensor<i64>
// CHECK:         %[[NEXT:.*]] = kiln.add %[[STEP]], %[[ONE]]
// CHECK:         return {{.*}}, %[[NEXT]], %[[SEED]] :
// CHECK-LABEL: func.func @main_init_state(
// CHECK-DAG:     %[[Z:.*]] = kiln.constant dense<0> : tensor<i64>
// CHECK-DAG:     %[[S:.*]] = kiln.constant dense<42> : tensor<i64>
// CHECK:         return %{{.*}}, %[[Z]], %[[S]] :
func.func @main(%x: tensor<2x3xf32> {kiln.name = "x"},
                %w: tensor<3x4xf32> {kiln.name = "w", kiln.parameter, kiln.value = dense<0.5> : tensor<3x4xf32>})
    -> (tensor<2x4xf32> {kiln.name = "y"}) {
  %h, %m = kiln.dropout %x {ratio = 0.5 : f64, stream = 9 : i64} : (tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi1>)
  %0 = kiln.matmul %h, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %y, %n = kiln.dropout %0 {ratio = 0.25 : f64, stream = 3 : i64} : (tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xi1>)
  return %y : tensor<2x4xf32>
}
