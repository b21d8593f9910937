# Partial register tiles and ragged parallel tasks against NumPy and
# onnxruntime: matmuls whose n leaves rests of 4, 8, 12 or 24 columns next to
# whole vector tiles (1x22 @ 22x88: 2 x 32 + 16 + 8), and 1x1 convolutions
# whose spatial size is not a multiple of the parallel tile (20x20 = 400 =
# 3 x 128 + 16, split into tasks and a serial rest), compiled for 1, 2 and 4
# cores. Each once lost the first piece of a rest split in two (LLVM 19's
# insert_slice-of-transfer_write fold; codegen/CPU/FoldSubsetsIntoTransfers.h).
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
from onnx import helper

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(3)


def save(name, nodes, inputs, inits):
    return kt.save_float_graph(work, name, nodes, inputs, inits)


for m, k, n in [(1, 22, 88), (2, 22, 88), (20, 40, 12), (9, 16, 36), (13, 30, 44), (64, 128, 196)]:
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    name = "matmul_%dx%dx%d" % (m, k, n)
    path = save(name, [helper.make_node("MatMul", ["a", "b"], ["y"])], [("a", [m, k])], {"b": b})
    for cores in (1, 4):
        artifact = kt.compile_model(path, os.path.join(work, "%s_%d" % (name, cores)), extra=["--cores", str(cores)])
        got = kt.run_artifact(artifact, {"a": a})["y"]
        kt.assert_close(got, (a.astype(np.float64) @ b).astype(np.float32), "%s, %d cores" % (name, cores))

for cin, cout, hw in [(192, 42, 20), (96, 42, 20), (64, 256, 14)]:
    x = rng.standard_normal((1, cin, hw, hw)).astype(np.float32)
    inits = {"w": rng.standard_normal((cout, cin, 1, 1)).astype(np.float32) * 0.1,
             "bias": rng.standard_normal(cout).astype(np.float32)}
    name = "conv1x1_%d_%d_%d" % (cin, cout, hw)
    path = save(name, [helper.make_node("Conv", ["x", "w", "bias"], ["y"])], [("x", [1, cin, hw, hw])], inits)
    expected = kt.onnxruntime_outputs(path, {"x": x})["y"]
    for cores in (1, 2, 4):
        artifact = kt.compile_model(path, os.path.join(work, "%s_%d" % (name, cores)), extra=["--cores", str(cores)])
        got = kt.run_artifact(artifact, {"x": x}, threads=cores)["y"]
        kt.assert_close(got, expected, "%s, %d cores" % (name, cores))
