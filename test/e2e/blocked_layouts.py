# Convolutions in the blocked layout (kiln-cpu-blocked-convs) and the
# layout's propagation (kiln-cpu-propagate-layouts, kiln-cpu-pads-in-place)
# against onnxruntime, in graphs that mix blocked and unblocked values:
# residual adds of two blocked operands with the graph input and a
# per-channel [1, C, 1, 1] scale (one elementwise op with blocked, unblocked
# and broadcast operands: it made the propagation loop until it gave up), a
# residual with a convolution whose 24 filters are not a block, pooling and
# a depthwise convolution after a blocked one, Concat and Slice along the
# channels, a result that is both a graph output and another convolution's
# input, and an image's 3 channels with strides, dilations and asymmetric
# pads. Compiled for 1 and 2 cores, for AVX2 (blocks of 16), and with
# --weights external, whose filters are packed at run time.
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
from onnx import helper

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(5)


def w(*shape):
    return (rng.standard_normal(shape) * 0.1).astype(np.float32)


def conv(x, weights, y, **attrs):
    return helper.make_node("Conv", [x, weights], [y], **attrs)


C = 32
CASES = {
    # (conv3x3(x) + conv1x1(x) + x) * c: two blocked operands, the input, a [1, C, 1, 1] scale.
    "mixed_operands": ([conv("x", "w1", "a", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                        conv("x", "w2", "b", kernel_shape=[1, 1]),
                        helper.make_node("Add", ["a", "b"], ["s"]),
                        helper.make_node("Add", ["s", "x"], ["t"]),
                        helper.make_node("Mul", ["t", "c"], ["y"])],
                       [("x", [1, C, 8, 8])], {"w1": w(C, C, 3, 3), "w2": w(C, C, 1, 1), "c": w(1, C, 1, 1)}),
    # A blocked convolution plus one of 24 filters widened back by a 1x1 convolution.
    "unblocked_residual": ([conv("x", "w1", "a", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                            conv("x", "w2", "n", kernel_shape=[1, 1]),
                            conv("n", "w3", "b", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                            helper.make_node("Add", ["a", "b"], ["r"]),
                            helper.make_node("Relu", ["r"], ["y"])],
                           [("x", [1, C, 9, 11])], {"w1": w(C, C, 3, 3), "w2": w(24, C, 1, 1), "w3": w(C, 24, 3, 3)}),
    # Max pool, depthwise convolution and average pool after blocked convolutions.
    "pool_depthwise": ([conv("x", "w1", "a", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                        helper.make_node("Relu", ["a"], ["r"]),
                        helper.make_node("MaxPool", ["r"], ["m"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
                        conv("m", "wd", "d", kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=2 * C),
                        helper.make_node("AveragePool", ["d"], ["y"], kernel_shape=[2, 2], strides=[2, 2])],
                       [("x", [2, C, 14, 14])], {"w1": w(2 * C, C, 3, 3), "wd": w(2 * C, 1, 3, 3)}),
    # Concat of two blocked results, a Slice across a block boundary, and a
    # result that is also another convolution's input.
    "concat_slice": ([conv("x", "w1", "a", kernel_shape=[1, 1]),
                      conv("x", "w2", "b", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                      helper.make_node("Concat", ["a", "b"], ["c"], axis=1),
                      helper.make_node("Slice", ["c", "starts", "ends", "axes"], ["s"]),
                      conv("a", "w3", "e", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                      helper.make_node("Add", ["s", "e"], ["y"])],
                     [("x", [1, C, 6, 7])],
                     {"w1": w(C, C, 1, 1), "w2": w(C, C, 3, 3), "w3": w(C, C, 3, 3),
                      "starts": np.array([16], np.int64), "ends": np.array([48], np.int64), "axes": np.array([1], np.int64)}),
    # An image: 3 channels (unblocked input), stride 2, dilation 2, asymmetric pads.
    "image": ([conv("x", "w1", "a", kernel_shape=[5, 5], strides=[2, 2], dilations=[2, 2], pads=[3, 1, 2, 4]),
               helper.make_node("Relu", ["a"], ["r"]),
               conv("r", "w2", "y", kernel_shape=[3, 3], strides=[1, 2], pads=[0, 1, 2, 1])],
              [("x", [1, 3, 23, 19])], {"w1": w(C, 3, 5, 5), "w2": w(2 * C, C, 3, 3)}),
}

for name, (nodes, inputs, inits) in CASES.items():
    path = kt.save_float_graph(work, name, nodes, inputs, inits)
    feeds = {n: rng.standard_normal(s).astype(np.float32) for n, s in inputs}
    expected = kt.onnxruntime_outputs(path, feeds)["y"]
    for label, extra, threads in (("1 core", ["--cores", "1"], 1), ("2 cores", ["--cores", "2"], 2),
                                  ("AVX2", ["--cores", "2", "--features", "-avx512f"], 2),
                                  ("external weights", ["--cores", "2", "--weights", "external"], 2)):
        artifact = kt.compile_model(path, os.path.join(work, name + "_" + label.replace(" ", "")), extra=extra)
        got = kt.run_artifact(artifact, feeds, threads=threads)["y"]
        kt.assert_close(got, expected, "%s, %s" % (name, label))
print("ok")

# Output widths with no register tile of 4 to 8 pixels dividing them (11, 9, 7 after a stride), with the
# tasks splitting the output rows: a ragged last register tile once failed to compile ("operand does not
# dominate this use"); the tiles now divide the width.
for name, c, f, hw, k, stride, extra in [("ow11", 64, 32, 11, 3, 1, ["--cores", "2"]),
                                          ("ow9_k5", 48, 32, 9, 5, 1, ["--cores", "4"]),
                                          ("ow7_avx2", 48, 32, 14, 7, 2, ["--cores", "2", "--features", "-avx512f"])]:
    nodes = [conv("x", "w", "y", kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4)]
    path = kt.save_float_graph(work, name, nodes, [("x", [1, c, hw, hw])], {"w": w(f, c, k, k)})
    x = rng.standard_normal((1, c, hw, hw)).astype(np.float32)
    expected = kt.onnxruntime_outputs(path, {"x": x})["y"]
    for weights in (["--weights", "embedded"], ["--weights", "external"]):
        artifact = kt.compile_model(path, os.path.join(work, name + "_" + weights[1]), extra=extra + weights)
        kt.assert_close(kt.run_artifact(artifact, {"x": x}, threads=2)["y"], expected, "%s, %s" % (name, weights[1]))
print("ok")
