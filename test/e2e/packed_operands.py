# Matmuls whose right operand kiln-cpu-pack-operands lays out in panels,
# against NumPy in float64 and onnxruntime: constant B packed at compile time
# (whole panels; a product with a ragged m and k), B computed at run time and
# packed by a copy (at least 512 rows of A, with partial m, k and cache
# tiles), and a 1x1 convolution with 512 filters, whose activations are the
# packed operand. Each is compiled for AVX-512's 32-column panels and for
# AVX2's 16-column ones (-avx512f), for 1 and 4 cores.
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
from onnx import helper

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(7)


def save(name, nodes, inputs, inits):
    return kt.save_float_graph(work, name, nodes, inputs, inits)


FLAVOURS = [("avx512", []), ("avx2", ["--features", "-avx512f"])]
have_avx512 = "avx512f" in open("/proc/cpuinfo").read()


def check(name, path, feeds, expected):
    for flavour, flags in FLAVOURS:
        if flavour == "avx512" and not have_avx512:
            continue
        for cores in (1, 4):
            out = os.path.join(work, "%s_%s_%d" % (name, flavour, cores))
            artifact = kt.compile_model(path, out, extra=flags + ["--cores", str(cores)])
            got = kt.run_artifact(artifact, feeds, threads=min(cores, 2))["y"]
            kt.assert_close(got, expected, "%s, %s, %d cores" % (name, flavour, cores))


# Constant B: packed at compile time, whatever the rows.
for m, k, n in [(8, 64, 128), (37, 300, 96), (130, 257, 64)]:
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    name = "const_b_%dx%dx%d" % (m, k, n)
    path = save(name, [helper.make_node("MatMul", ["a", "b"], ["y"])], [("a", [m, k])], {"b": b})
    check(name, path, {"a": a}, (a.astype(np.float64) @ b).astype(np.float32))

# B at run time, copied into panels: 512 and more rows of A.
for m, k, n in [(512, 64, 64), (523, 300, 96)]:
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    name = "runtime_b_%dx%dx%d" % (m, k, n)
    path = save(name, [helper.make_node("MatMul", ["a", "b"], ["y"])], [("a", [m, k]), ("b", [k, n])], {})
    check(name, path, {"a": a, "b": b}, (a.astype(np.float64) @ b).astype(np.float32))

# A 1x1 convolution with 512 filters: the product filters x pixels packs
# the activations [C, H*W].
x = rng.standard_normal((1, 48, 8, 8)).astype(np.float32)
inits = {"w": (rng.standard_normal((512, 48, 1, 1)) * 0.1).astype(np.float32),
         "bias": rng.standard_normal(512).astype(np.float32)}
path = save("conv1x1_512", [helper.make_node("Conv", ["x", "w", "bias"], ["y"])], [("x", [1, 48, 8, 8])], inits)
check("conv1x1_512", path, {"x": x}, kt.onnxruntime_outputs(path, {"x": x})["y"])
print("ok")
