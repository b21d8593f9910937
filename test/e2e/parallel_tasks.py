# Large ops run as parallel tasks on the runtime's thread pool, and the
# thread count never changes a bit of the result: a model with a matmul
# chain (bias, erf-GELU, residual add, softmax), a batched matmul and a
# convolution, compiled for 4 cores, must
#  - contain task functions and their launchers (the split happened),
#  - give bitwise identical outputs with 1, 2, 3 and 4 threads, and from the
#    serial NAME_run linked into a C program,
#  - match onnxruntime.
# RUN: rm -rf %t && %python %s %t
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(11)
F = TensorProto.FLOAT


def init(name, shape, scale=0.05):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


nodes = [
    helper.make_node("MatMul", ["x", "w1"], ["h"]),
    helper.make_node("Add", ["h", "b1"], ["hb"]),
    # GELU through erf, as exported by PyTorch.
    helper.make_node("Div", ["hb", "sqrt2"], ["hd"]),
    helper.make_node("Erf", ["hd"], ["he"]),
    helper.make_node("Add", ["he", "one"], ["hp"]),
    helper.make_node("Mul", ["hb", "hp"], ["hm"]),
    helper.make_node("Mul", ["hm", "half"], ["g"]),
    helper.make_node("MatMul", ["g", "w2"], ["f"]),
    helper.make_node("Add", ["f", "x"], ["r"]),
    helper.make_node("Softmax", ["r"], ["probs"], axis=-1),
    helper.make_node("MatMul", ["a", "b"], ["ab"]),
    helper.make_node("Conv", ["img", "k", "kb"], ["c"], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c"], ["conv"]),
]
inits = [init("w1", (384, 768)), init("b1", (768,)), init("w2", (768, 384)),
         init("k", (32, 16, 3, 3), 0.1), init("kb", (32,)),
         numpy_helper.from_array(np.array(np.sqrt(2.0), np.float32), "sqrt2"),
         numpy_helper.from_array(np.array(1.0, np.float32), "one"),
         numpy_helper.from_array(np.array(0.5, np.float32), "half")]
graph = helper.make_graph(
    nodes, "parallel_tasks",
    [helper.make_tensor_value_info("x", F, [1, 128, 384]),
     helper.make_tensor_value_info("a", F, [4, 64, 96]),
     helper.make_tensor_value_info("b", F, [4, 96, 128]),
     helper.make_tensor_value_info("img", F, [1, 16, 56, 56])],
    [helper.make_tensor_value_info(n, F, None) for n in ("probs", "ab", "conv")], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
path = os.path.join(work, "parallel_tasks.onnx")
onnx.save(model, path)

artifact = kt.compile_model(path, os.path.join(work, "artifact"), extra=["--cores", "4"])
symbols = subprocess.run(["nm", os.path.join(artifact, "libparallel_tasks.so")],
                         capture_output=True, text=True, check=True).stdout
tasks = [line.split()[-1] for line in symbols.splitlines() if "_task" in line and line.endswith("_launch")]
print("launchers:", len(tasks))
assert len(tasks) >= 4, "expected the matmuls, the conv and the softmax as parallel tasks:\n" + "\n".join(tasks)

feeds = {"x": rng.standard_normal((1, 128, 384)).astype(np.float32),
         "a": rng.standard_normal((4, 64, 96)).astype(np.float32),
         "b": rng.standard_normal((4, 96, 128)).astype(np.float32),
         "img": rng.standard_normal((1, 16, 56, 56)).astype(np.float32)}
serial = kt.run_artifact(artifact, feeds, threads=1)
for threads in (2, 3, 4):
    parallel = kt.run_artifact(artifact, feeds, threads=threads)
    for name, value in serial.items():
        if not np.array_equal(value, parallel[name]):
            diff = np.abs(value.astype(np.float64) - parallel[name]).max()
            raise SystemExit("%s with %d threads differs from 1 thread (max %.3g)" % (name, threads, diff))
    print("%d threads: bitwise equal to 1 thread" % threads)
linked = kt.run_static_c(artifact, feeds)
for name, value in serial.items():
    assert np.array_equal(value, linked[name]), name + ": NAME_run differs from kiln run --threads 1"
print("NAME_run (serial, no context): bitwise equal")

expected = kt.onnxruntime_outputs(path, feeds)
for name, value in serial.items():
    kt.assert_close(value, expected[name], name)
