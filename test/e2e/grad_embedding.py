# The gradient of an embedding table: Gather's VJP is kiln.scatter_add, lowered
# as a loop over the indices (codegen/KilnToLinalg/DataMovement.cpp), linear in
# the gathered rows. A 30000-row table, 128 lookups with repeats (summed) and
# negative indices (counting from the end), as a language model's embedding.
# Checked against NumPy's np.add.at written from the op's definition
# (dE[ids[k]] += dY[k] W^T), on the CPU and through the CUDA target's mapping
# run on the CPU (kiln-gpu-launches-as-loops), whose kernels ptxas must accept.
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import cuda_testing
import grad_testing as gt
import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
rng = np.random.default_rng(0)
vocab, width, count = 30000, 64, 128
table = rng.standard_normal((vocab, width)).astype(np.float32)
weight = rng.standard_normal((width, width)).astype(np.float32) / 8
ids = rng.integers(-vocab, vocab, size=count).astype(np.int64)
ids[:6] = [7, 7, -vocab + 7, 7, vocab - 1, -1]  # one row four times, the last row twice
dy = rng.standard_normal((count, width)).astype(np.float32)

graph = helper.make_graph(
    [helper.make_node("Gather", ["table", "ids"], ["rows"], axis=0),
     helper.make_node("MatMul", ["rows", "weight"], ["y"])],
    "embedding",
    [helper.make_tensor_value_info("ids", TensorProto.INT64, [count])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [count, width])],
    [numpy_helper.from_array(table, "table"), numpy_helper.from_array(weight, "weight")])
model = os.path.join(work, "embedding.onnx")
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), model)

rows = table[ids]
expected = {"y": rows @ weight, "weight.grad": rows.T @ dy}
table_grad = np.zeros_like(table)
np.add.at(table_grad, ids, dy @ weight.T)
expected["table.grad"] = table_grad


def check(actual, where):
    touched = np.count_nonzero(np.abs(actual["table.grad"]).sum(axis=1))
    assert touched == len(set(ids % vocab)), (where, touched)
    for name, want in expected.items():
        kt.assert_close(actual[name], want, "%s %s vs NumPy" % (where, name), atol=1e-4, rtol=1e-4)


artifact = os.path.join(work, "cpu")
gt.compile_grad(model, artifact)
check(gt.run_grad(artifact, {"ids": ids}, {"y": dy}), "CPU")
print("CPU: table.grad (30000x64, repeated and negative ids) and weight.grad match NumPy")

cuda = os.path.join(work, "cuda")
kt.run_tool([kt.KILN, "compile", model, "--grad", "--target", "cuda", "--gpu", "sm_80,sm_90",
             "--name", "embedding", "-o", cuda])
manifest = cuda_testing.check_images(cuda)
os.makedirs(os.path.join(work, "mapped"))
mapped = cuda_testing.run_mapped_on_cpu(model, cuda, manifest, {"ids": ids, "y.cotangent": dy},
                                        os.path.join(work, "mapped"), entry_point="grad",
                                        compile_flags=["--grad"])
check(mapped, "CUDA mapping")
print("CUDA: ptxas accepted the kernels; the grad entry's mapping, run on the CPU, matches NumPy")
