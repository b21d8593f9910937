// RUN: kiln-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(kiln-cpu-windows-as-elementwise))" | FileCheck %s
//
// A depthwise convolution or a pool of one image becomes one all-parallel
// op over its window's taps: each tap a strided window of the input (and,
// for the convolution, a column of the filter), in the op's order (rows of
// the window outer).

// CHECK-LABEL: func.func @strided_rows_dilated
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x9x9xf32>, %[[W:.*]]: tensor<4x2x2xf32>, %[[INIT:.*]]: tensor<1x4x3x6xf32>)
// CHECK-DAG: %[[X00:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 4, 3, 6] [1, 1, 2, 1] : tensor<1x4x9x9xf32> to tensor<1x4x3x6xf32>
// CHECK-DAG: %[[W00:.*]] = tensor.extract_slice %[[W]][0, 0, 0] [4, 1, 1] [1, 1, 1] : tensor<4x2x2xf32> to tensor<4xf32>
// CHECK-DAG: %[[X01:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 3] [1, 4, 3, 6] [1, 1, 2, 1]
// CHECK-DAG: %[[W01:.*]] = tensor.extract_slice %[[W]][0, 0, 1] [4, 1, 1] [1, 1, 1]
// CHECK-DAG: %[[X10:.*]] = tensor.extract_slice %[[X]][0, 0, 3, 0] [1, 4, 3, 6] [1, 1, 2, 1]
// CHECK-DAG: %[[X11:.*]] = tensor.extract_slice %[[X]][0, 0, 3, 3] [1, 4, 3, 6] [1, 1, 2, 1]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[INIT]], %[[X00]], %[[W00]], %[[X01]], %[[W01]], %[[X10]], %{{[a-z_0-9]+}}, %[[X11]], %{{[a-z_0-9]+}} :
// CHECK-SAME: outs(%{{.*}} : tensor<1x4x3x6xf32>)
// CHECK: ^bb0(%[[A:[a-z_0-9]+]]: f32, %[[X0:[a-z_0-9]+]]: f32, %[[W0:[a-z_0-9]+]]: f32, %[[X1:[a-z_0-9]+]]: f32, %[[W1:[a-z_0-9]+]]: f32,
// CHECK: %[[P0:.*]] = arith.mulf %[[X0]], %[[W0]] : f32
// CHECK: %[[S0:.*]] = arith.addf %[[A]], %[[P0]] : f32
// CHECK: %[[P1:.*]] = arith.mulf %[[X1]], %[[W1]] : f32
// CHECK: arith.addf %[[S0]], %[[P1]] : f32
// CHECK: return %[[SUM]] : tensor<1x4x3x6xf32>
// CHECK-NOT: depthwise_conv
func.func @strided_rows_dilated(%x: tensor<1x4x9x9xf32>, %w: tensor<4x2x2xf32>, %init: tensor<1x4x3x6xf32>) -> tensor<1x4x3x6xf32> {
  %0 = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<3> : vector<2xi64>, strides = dense<[2, 1]> : vector<2xi64>}
         ins(%x, %w : tensor<1x4x9x9xf32>, tensor<4x2x2xf32>) outs(%init : tensor<1x4x3x6xf32>) -> tensor<1x4x3x6xf32>
  return %0 : tensor<1x4x3x6xf32>
}

// -----

// A window of more than 25 taps stays a convolution; a batch of two takes
// windows of both images, and a stride along the rows is a strided window
// like the others.
// CHECK-LABEL: func.func @left_alone
// CHECK-DAG: tensor.extract_slice %arg0[0, 0, 2, 2] [2, 4, 7, 7] [1, 1, 1, 1] : tensor<2x4x9x9xf32> to tensor<2x4x7x7xf32>
// CHECK-DAG: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x4x7x7xf32>)
// CHECK-DAG: linalg.depthwise_conv_2d_nchw_chw {{.*}} ins(%arg3, %arg4 : tensor<1x4x9x9xf32>, tensor<4x7x7xf32>)
// CHECK-DAG: tensor.extract_slice %arg3[0, 0, 2, 2] [1, 4, 4, 4] [1, 1, 2, 2]
// CHECK-DAG: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x4x4xf32>)
// CHECK-NOT: linalg.depthwise_conv_2d_nchw_chw
func.func @left_alone(%x: tensor<2x4x9x9xf32>, %w: tensor<4x3x3xf32>, %init: tensor<2x4x7x7xf32>,
                      %x1: tensor<1x4x9x9xf32>, %w7: tensor<4x7x7xf32>, %init1: tensor<1x4x3x3xf32>,
                      %init4: tensor<1x4x4x4xf32>)
    -> (tensor<2x4x7x7xf32>, tensor<1x4x3x3xf32>, tensor<1x4x4x4xf32>) {
  %0 = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
         ins(%x, %w : tensor<2x4x9x9xf32>, tensor<4x3x3xf32>) outs(%init : tensor<2x4x7x7xf32>) -> tensor<2x4x7x7xf32>
  %1 = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
         ins(%x1, %w7 : tensor<1x4x9x9xf32>, tensor<4x7x7xf32>) outs(%init1 : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %2 = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
         ins(%x1, %w : tensor<1x4x9x9xf32>, tensor<4x3x3xf32>) outs(%init4 : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0, %1, %2 : tensor<2x4x7x7xf32>, tensor<1x4x3x3xf32>, tensor<1x4x4x4xf32>
}

// -----

// Max pooling folds the windows with arith.maximumf into the init (the
// lowest value), in the pool's order; sum pooling with arith.addf.
// CHECK-LABEL: func.func @pools
// CHECK-DAG: %[[X00:.*]] = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 3, 4, 4] [1, 1, 2, 2] : tensor<1x3x9x9xf32> to tensor<1x3x4x4xf32>
// CHECK-DAG: %[[X01:.*]] = tensor.extract_slice %arg0[0, 0, 0, 1] [1, 3, 4, 4] [1, 1, 2, 2]
// CHECK-DAG: %[[X22:.*]] = tensor.extract_slice %arg0[0, 0, 2, 2] [1, 3, 4, 4] [1, 1, 2, 2]
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} ins(%{{[a-z_0-9]+}}, %[[X00]], %[[X01]], {{.*}}, %[[X22]] :
// CHECK: ^bb0(%[[INIT:[a-z_0-9]+]]: f32, %[[A:[a-z_0-9]+]]: f32, %[[B:[a-z_0-9]+]]: f32,
// CHECK: %[[M0:.*]] = arith.maximumf %[[INIT]], %[[A]] : f32
// CHECK: arith.maximumf %[[M0]], %[[B]] : f32
// CHECK-COUNT-7: arith.maximumf
// CHECK: linalg.generic
// CHECK-COUNT-9: arith.addf
// CHECK-NOT: linalg.pooling
func.func @pools(%x: tensor<1x3x9x9xf32>, %init: tensor<1x3x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %window = tensor.empty() : tensor<3x3xf32>
  %0 = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
         ins(%x, %window : tensor<1x3x9x9xf32>, tensor<3x3xf32>) outs(%init : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %1 = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
         ins(%x, %window : tensor<1x3x9x9xf32>, tensor<3x3xf32>) outs(%init : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %0, %1 : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}
