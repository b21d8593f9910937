# Depthwise convolutions (group = channels) against onnxruntime, in the
# forms kiln-cpu-windows-as-elementwise rewrites (strides along either dim,
# whose rows are read as contiguous spans and shuffled, dilations, pads,
# bias, windows up to 5x5, widths that leave partial vector tiles, batches)
# and the ones it leaves as loop nests (7x7 windows), compiled for 1 and 4
# cores.
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(11)
F = TensorProto.FLOAT

CASES = [
    # name, batch, channels, height, width, kernel, strides, dilations, pads
    ("k3_s1", 1, 32, 30, 37, 3, [1, 1], [1, 1], [1, 1, 1, 1]),
    ("k3_s21", 1, 16, 29, 40, 3, [2, 1], [1, 1], [1, 1, 1, 1]),
    ("k5_d2", 1, 8, 21, 50, 5, [1, 1], [2, 2], [4, 4, 4, 4]),
    ("k2_nopad", 1, 24, 9, 129, 2, [1, 1], [1, 1], [0, 0, 0, 0]),
    ("k3_s2", 1, 32, 30, 30, 3, [2, 2], [1, 1], [1, 1, 1, 1]),
    ("k3_s2_wide", 1, 8, 40, 113, 3, [2, 2], [1, 1], [1, 1, 1, 1]),
    ("k3_s3_d2", 1, 8, 31, 70, 3, [1, 3], [2, 2], [2, 2, 2, 2]),
    ("k7_s1", 1, 8, 20, 20, 7, [1, 1], [1, 1], [3, 3, 3, 3]),
    ("k3_batch2", 2, 8, 12, 12, 3, [1, 1], [1, 1], [1, 1, 1, 1]),
    ("k3_s2_batch3", 3, 16, 17, 33, 3, [2, 2], [1, 1], [1, 1, 1, 1]),
]
for name, n, c, h, w, k, strides, dilations, pads in CASES:
    inits = {"w": rng.standard_normal((c, 1, k, k)).astype(np.float32),
             "bias": rng.standard_normal(c).astype(np.float32)}
    node = helper.make_node("Conv", ["x", "w", "bias"], ["y"], group=c, kernel_shape=[k, k],
                            strides=strides, dilations=dilations, pads=pads)
    graph = helper.make_graph([node], name, [helper.make_tensor_value_info("x", F, [n, c, h, w])],
                              [helper.make_tensor_value_info("y", F, None)],
                              [numpy_helper.from_array(v, key) for key, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    expected = kt.onnxruntime_outputs(path, {"x": x})["y"]
    for cores in (1, 4):
        artifact = kt.compile_model(path, os.path.join(work, "%s_%d" % (name, cores)), extra=["--cores", str(cores)])
        got = kt.run_artifact(artifact, {"x": x}, threads=min(cores, 2))["y"]
        kt.assert_close(got, expected, "%s, %d cores" % (name, cores))
print("ok")
