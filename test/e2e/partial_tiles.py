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

# Ragged cache tiles along m (196 rows in tiles of 64: a rest of 4; 523 = 8 x 64 + 11, whose rest holds an 8-
# and a 3-row register tile) and k (300 in blocks of 256), with B a weight (packed at compile time) and an input
# (packed at run time). The rests once had dynamic sizes and ran in scalar loops, as slow as the rest of the
# product; every register tile must now be vectorized: no linalg op with a dynamic size is left in the loops.
for m, k, n in [(196, 300, 64), (11, 300, 96), (523, 40, 96)]:
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    expected = (a.astype(np.float64) @ b).astype(np.float32)
    for b_is_input in (False, True):
        name = "ragged_m_%dx%dx%d_%s" % (m, k, n, "runtime_b" if b_is_input else "const_b")
        inputs = [("a", [m, k])] + ([("b", [k, n])] if b_is_input else [])
        path = save(name, [helper.make_node("MatMul", ["a", "b"], ["y"])], inputs, {} if b_is_input else {"b": b})
        feeds = {"a": a, "b": b} if b_is_input else {"a": a}
        for cores in (1, 4):
            loops = kt.run_tool([kt.KILN, "compile", path, "--cores", str(cores), "--emit=loops", "-o", "-"]).stdout
            dynamic = [line.strip() for line in loops.splitlines()
                       if "linalg." in line and "tensor<?x" in line]
            assert not dynamic, "%s, %d cores: a tile has a dynamic size:\n%s" % (name, cores, dynamic[0])
            artifact = kt.compile_model(path, os.path.join(work, "%s_%d" % (name, cores)), extra=["--cores", str(cores)])
            got = kt.run_artifact(artifact, feeds, threads=min(cores, 2))["y"]
            kt.assert_close(got, expected, "%s, %d cores" % (name, cores))

# Transposes split into tasks whose last one is ragged (1024 x 100 on 2 and 4 cores): the ragged task's
# dynamic size once became the tile size of its lanes x lanes blocks (INT64_MIN), a loop that never ended.
for rows, cols in [(1024, 100), (512, 200)]:
    a = rng.standard_normal((rows, cols)).astype(np.float32)
    name = "transpose_%dx%d" % (rows, cols)
    path = kt.save_float_graph(work, name, [helper.make_node("Transpose", ["a"], ["y"], perm=[1, 0])],
                               [("a", [rows, cols])], {})
    for cores in (2, 4):
        artifact = kt.compile_model(path, os.path.join(work, "%s_%d" % (name, cores)), extra=["--cores", str(cores)])
        got = kt.run_artifact(artifact, {"a": a}, threads=2)["y"]
        assert np.array_equal(got, a.T), "%s, %d cores: differs from the transpose" % (name, cores)
