# --target cuda without a GPU: models compile to PTX and cubins for sm_80 and sm_90 that ptxas
# accepts, the manifest's kernels are in every image, the host code needs nothing of CUDA's, and
# the mapping of every op to blocks and threads computes what onnxruntime computes (each launch's
# threads run one after another on the CPU; test/lib/cuda_testing.py).
# REQUIRES: cuda-toolkit
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

import cuda_testing
import kiln_testing as kt
import torch_models

sys.path.insert(0, os.path.join(kt.SRC, "bench"))
import models as bench_models  # noqa: E402

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
rng = np.random.default_rng(0)


def export(module, inputs, name, opset=17):
    path = os.path.join(work, name + ".onnx")
    kt.torch_export(module, tuple(inputs), path, opset, ["x%d" % i for i in range(len(inputs))],
                    ["y"])
    return path, {"x%d" % i: t.numpy() for i, t in enumerate(inputs)}


# A CNN: convolutions, max and average pooling, batch norm, a residual add, softmax.
torch.manual_seed(0)
path, feeds = export(torch_models.small_cnn(), [torch.randn(2, 3, 37, 41)], "small_cnn")
cuda_testing.check_cuda_model(path, feeds, work, "small_cnn")

# A BERT-style encoder layer, small: batched matmuls, softmax, erf GELU, layer norm, transposes.
torch.manual_seed(0)
module = bench_models.Encoder(layers=2, d=64, heads=4, ff=128).eval()
path, feeds = export(module, [torch.randn(1, 16, 64)], "encoder")
cuda_testing.check_cuda_model(path, feeds, work, "encoder")

# Reductions over a leading axis (the parallel dims must still become the threads), a gather with
# constant indices (a global constant inside a kernel), concat, and a transpose.
f32 = TensorProto.FLOAT
nodes = [
    helper.make_node("ReduceSum", ["x", "axes0"], ["s"], keepdims=0),
    helper.make_node("ReduceMax", ["x"], ["m"], axes=[0, 2], keepdims=0),
    helper.make_node("Gather", ["x", "idx"], ["g"], axis=1),
    helper.make_node("Transpose", ["g"], ["t"], perm=[2, 0, 1]),
    helper.make_node("Concat", ["s", "s"], ["c"], axis=0),
    helper.make_node("Softmax", ["x"], ["p"], axis=0),
]
graph = helper.make_graph(
    nodes, "ops", [helper.make_tensor_value_info("x", f32, [5, 6, 7])],
    [helper.make_tensor_value_info(n, f32, None) for n in ("s", "m", "t", "c", "p")],
    [numpy_helper.from_array(np.array([0], np.int64), "axes0"),
     numpy_helper.from_array(np.array([5, 0, 3, 3], np.int64), "idx")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
path = os.path.join(work, "ops.onnx")
onnx.save(model, path)
cuda_testing.check_cuda_model(path, {"x": rng.standard_normal((5, 6, 7)).astype(np.float32)},
                              work, "ops")

# float16 (computed in float32 inside each op, rounded to float16 between ops, as on the CPU).
nodes = [helper.make_node("MatMul", ["a", "b"], ["c"]), helper.make_node("Relu", ["c"], ["r"]),
         helper.make_node("Softmax", ["r"], ["y"], axis=-1)]
f16 = TensorProto.FLOAT16
graph = helper.make_graph(nodes, "half", [helper.make_tensor_value_info("a", f16, [64, 128]),
                                          helper.make_tensor_value_info("b", f16, [128, 96])],
                          [helper.make_tensor_value_info("y", f16, [64, 96])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
path = os.path.join(work, "half.onnx")
onnx.save(model, path)
cuda_testing.check_cuda_model(path, {"a": (rng.standard_normal((64, 128)) * 0.2).astype(np.float16),
                                     "b": (rng.standard_normal((128, 96)) * 0.2).astype(np.float16)},
                              work, "half", atol=2e-3, rtol=1e-2)

# The gradient and training entry points compile too (their kernels checked like the rest).
cnn = os.path.join(work, "small_cnn.onnx")
for flags, name in ((["--grad"], "grad"), (["--train", "--loss", "cross_entropy", "--optimizer", "adam"],
                                           "train")):
    artifact = os.path.join(work, "cnn_" + name)
    kt.run_tool([kt.KILN, "compile", cnn, "--target", "cuda", "-o", artifact] + flags)
    entries = [e["name"] for e in cuda_testing.check_images(artifact)["entry_points"]]
    print("entry points:", entries)

# MobileNetV2 at full size (depthwise and pointwise convolutions, clipped ReLU), mapping included.
model, inputs, opset = bench_models.torchvision_model("mobilenet_v2")
path = os.path.join(work, "mobilenet_v2.onnx")
kt.torch_export(model, inputs, path, opset, ["x"], ["y"])
cuda_testing.check_cuda_model(path, {"x": inputs[0].numpy()}, work, "mobilenet_v2",
                              atol_for=cuda_testing.at_scale())

# ResNet-18 at full size compiles (images checked; its mapping is the CNN's above).
model, inputs, opset = bench_models.torchvision_model("resnet18")
path = os.path.join(work, "resnet18.onnx")
kt.torch_export(model, inputs, path, opset, ["x"], ["y"])
artifact = os.path.join(work, "resnet18")
kt.run_tool([kt.KILN, "compile", path, "--target", "cuda", "-o", artifact])
cuda_testing.check_images(artifact)
