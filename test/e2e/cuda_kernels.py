# The CUDA target's kernels with barriers, shared memory and shuffles, checked without a GPU: tiled
# contractions (kiln-gpu-tile-contractions: matmuls of ragged sizes, batched and transposed ones,
# convolutions of one image and of a batch) and row reductions (kiln-gpu-reduce-rows: softmax, layer
# norm, ReduceSum/Max/Mean over rows of 1, 31, 1000 and 4096 elements). Each model is compiled for sm_80
# and sm_90 (ptxas accepts every kernel), its kernels run on the CPU with their barriers and shuffles
# (kiln-gpu-launches-as-loops; test/lib/cuda_testing.py) against onnxruntime, and the manifest and PTX
# show which kernels the ops became.
# REQUIRES: cuda-toolkit
# RUN: rm -rf %t && %python %s %t
import os
import re
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import cuda_testing
import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
rng = np.random.default_rng(0)
F32 = TensorProto.FLOAT


def save(nodes, inputs, outputs, name, initializers=()):
    return kt.save_graph(work, name, nodes, inputs, outputs, initializers)


def value(name, shape, dtype=F32):
    return helper.make_tensor_value_info(name, dtype, shape)


def kernels(manifest, pattern):
    """The manifest's kernels whose name matches `pattern`."""
    return [k for k in manifest["device"]["kernels"] if re.search(pattern, k["name"])]


def ptx(manifest):
    device = manifest["device"]
    image = [i for i in device["images"] if i["format"] == "ptx"][0]
    return open(os.path.join(work, manifest["name"], image["file"])).read()


def check_tiled(manifest, count, block):
    """`count` tiled contraction kernels of `block` threads, with shared tiles and barriers."""
    tiled = [k for k in manifest["device"]["kernels"] if k["block"][1] > 1 and k["block"][0] > 1]
    assert len(tiled) == count, [(k["name"], k["block"]) for k in manifest["device"]["kernels"]]
    assert all(k["block"] == block for k in tiled), tiled
    text = ptx(manifest)
    for k in tiled:
        body = text[text.index(".entry %s(" % k["name"]):]
        body = body[:body.index("\n}\n")]
        assert ".shared .align 16" in body and "bar.sync" in body and "ld.shared.v4.f32" in body, k["name"]


# Matmuls: ragged sizes (partial block tiles in m and n, a partial last k tile), one row (a 64x64 tile
# for one useful row), exact tiles, a batch, B transposed (Gemm transB: B read along its contiguous k).
for m, k, n in ((127, 33, 65), (1, 512, 1000), (64, 64, 64), (130, 1000, 70)):
    name = "mm_%dx%dx%d" % (m, k, n)
    path = save([helper.make_node("MatMul", ["a", "b"], ["c"])], [value("a", [m, k]), value("b", [k, n])],
                [value("c", [m, n])], name)
    manifest = cuda_testing.check_cuda_model(
        path, {"a": rng.standard_normal((m, k), np.float32), "b": rng.standard_normal((k, n), np.float32)},
        work, name)
    check_tiled(manifest, 1, [16, 16, 1])
path = save([helper.make_node("MatMul", ["a", "b"], ["c"])], [value("a", [3, 33, 17]), value("b", [3, 17, 45])],
            [value("c", [3, 33, 45])], "bmm")
manifest = cuda_testing.check_cuda_model(
    path, {"a": rng.standard_normal((3, 33, 17), np.float32), "b": rng.standard_normal((3, 17, 45), np.float32)},
    work, "bmm")
check_tiled(manifest, 1, [16, 16, 1])
assert kernels(manifest, "matmul")[0]["grid"][2] == 3
path = save([helper.make_node("Gemm", ["a", "b", "bias"], ["c"], transB=1)],
            [value("a", [50, 40]), value("b", [70, 40]), value("bias", [70])], [value("c", [50, 70])], "gemm_tb")
manifest = cuda_testing.check_cuda_model(
    path, {"a": rng.standard_normal((50, 40), np.float32), "b": rng.standard_normal((70, 40), np.float32),
           "bias": rng.standard_normal(70).astype(np.float32)}, work, "gemm_tb")
check_tiled(manifest, 1, [16, 16, 1])

# Convolutions: one image (im2col + matmul; 1x1 with no copy), a batch of two, strided, with a bias
# (upstream's im2col: the image and the pixel are the contraction's n dims).
w3 = numpy_helper.from_array((rng.standard_normal((8, 3, 3, 3)) * 0.3).astype(np.float32), "w3")
w1 = numpy_helper.from_array((rng.standard_normal((5, 8, 1, 1)) * 0.3).astype(np.float32), "w1")
bias = numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "bias")
for batch in (1, 2):
    name = "conv_n%d" % batch
    path = save([helper.make_node("Conv", ["x", "w3", "bias"], ["h"], pads=[1, 1, 1, 1], strides=[2, 2]),
                 helper.make_node("Relu", ["h"], ["r"]),
                 helper.make_node("Conv", ["r", "w1"], ["y"])],
                [value("x", [batch, 3, 15, 17])], [value("y", [batch, 5, 8, 9])], name, [w3, w1, bias])
    manifest = cuda_testing.check_cuda_model(
        path, {"x": rng.standard_normal((batch, 3, 15, 17), np.float32)}, work, name)
    check_tiled(manifest, 2, [16, 16, 1])

# Row reductions. Rows of 31 are one warp per row (8 rows per block of 256 threads), 1000 four warps per
# row (two rows per block), 4096 a block per row; rows of one stay one thread per output.
for length in (1, 31, 1000, 4096):
    rows = 5
    x = (rng.standard_normal((rows, length)) * 3).astype(np.float32)
    name = "softmax_%d" % length
    path = save([helper.make_node("Softmax", ["x"], ["y"], axis=-1)], [value("x", [rows, length])],
                [value("y", [rows, length])], name)
    manifest = cuda_testing.check_cuda_model(path, {"x": x}, work, name)
    reductions = [k for k in manifest["device"]["kernels"] if "shfl.sync.bfly" in
                  ptx(manifest)[ptx(manifest).index(".entry %s(" % k["name"]):].split("\n}\n")[0]]
    if length == 1:
        assert not reductions, reductions
    else:
        # The max and the sum of exponentials; their fills are folded into them.
        assert len(reductions) == 2, manifest["device"]["kernels"]
        threads = {31: [32, 8, 1], 1000: [128, 2, 1], 4096: [256, 1, 1]}[length]
        assert all(k["block"] == threads for k in reductions), reductions
        assert not kernels(manifest, "fill"), manifest["device"]["kernels"]
        text = ptx(manifest)
        body = text[text.index(".entry %s(" % reductions[0]["name"]):].split("\n}\n")[0]
        assert ("bar.sync" in body) == (length > 256), body[:2000]

    name = "layernorm_%d" % length
    scale = numpy_helper.from_array(rng.standard_normal(length).astype(np.float32), "scale")
    shift = numpy_helper.from_array(rng.standard_normal(length).astype(np.float32), "shift")
    path = save([helper.make_node("LayerNormalization", ["x", "scale", "shift"], ["y"], axis=-1)],
                [value("x", [rows, length])], [value("y", [rows, length])], name, [scale, shift])
    manifest = cuda_testing.check_cuda_model(path, {"x": x}, work, name)

# ReduceSum / ReduceMax / ReduceMean over the last axis (the mean divides the same sum: CSE leaves one
# reduction for both), and an int32 sum: three row reductions; a leading-axis sum stays one thread per
# output (its rows are strided).
nodes = [helper.make_node("ReduceSum", ["x", "axes"], ["s"], keepdims=0),
         helper.make_node("ReduceMax", ["x"], ["m"], axes=[-1], keepdims=1),
         helper.make_node("ReduceMean", ["x"], ["a"], axes=[-1], keepdims=0),
         helper.make_node("ReduceSum", ["i", "axes"], ["si"], keepdims=0),
         helper.make_node("ReduceSum", ["x", "axes0"], ["s0"], keepdims=0)]
path = save(nodes, [value("x", [6, 777]), value("i", [6, 777], TensorProto.INT32)],
            [value(n, None) for n in ("s", "m", "a")] + [value("si", None, TensorProto.INT32),
                                                          value("s0", None)], "reduce",
            [numpy_helper.from_array(np.array([-1], np.int64), "axes"),
             numpy_helper.from_array(np.array([0], np.int64), "axes0")])
manifest = cuda_testing.check_cuda_model(
    path, {"x": rng.standard_normal((6, 777), np.float32),
           "i": rng.integers(-1000, 1000, (6, 777)).astype(np.int32)}, work, "reduce")
text = ptx(manifest)
reduced = [k["name"] for k in manifest["device"]["kernels"]
           if "shfl.sync.bfly" in text[text.index(".entry %s(" % k["name"]):].split("\n}\n")[0]]
assert len(reduced) == 3, reduced
