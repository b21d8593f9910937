#!/usr/bin/env python3
"""Writes the bundled example model in both of Kiln's input formats.

    small_cnn.onnx           ONNX (opset 17)
    small_cnn.json           Kiln JSON graph, weights in small_cnn.weights.bin
    small_cnn.weights.bin
    small_cnn_input.npy      a sample input

The network: conv 3->8 + ReLU, 2x2 max pool, conv 8->16 stride 2 + batch norm
+ ReLU, a residual block (conv 16->16, add, ReLU), global average pool, a
16->10 linear layer; outputs the logits and their softmax. Weights come from a
fixed seed, so re-running the script reproduces the committed files.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261124)


def weight(*shape, scale=None):
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
    scale = scale if scale is not None else 1.0 / np.sqrt(fan_in)
    return (rng.standard_normal(shape) * scale).astype(np.float32)


W = {
    "conv1.w": weight(8, 3, 3, 3), "conv1.b": weight(8, scale=0.1),
    "conv2.w": weight(16, 8, 3, 3), "conv2.b": weight(16, scale=0.1),
    "bn.scale": (1.0 + 0.1 * rng.standard_normal(16)).astype(np.float32),
    "bn.bias": weight(16, scale=0.1),
    "bn.mean": weight(16, scale=0.1),
    "bn.var": (0.5 + rng.random(16)).astype(np.float32),
    "conv3.w": weight(16, 16, 3, 3), "conv3.b": weight(16, scale=0.1),
    "fc.w": weight(10, 16), "fc.b": weight(10, scale=0.1),
}


def write_onnx(path):
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "conv1.w", "conv1.b"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        n("Relu", ["c1"], ["r1"], name="relu1"),
        n("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        n("Conv", ["p1", "conv2.w", "conv2.b"], ["c2"], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
          strides=[2, 2]),
        n("BatchNormalization", ["c2", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["b2"], name="bn", epsilon=1e-5),
        n("Relu", ["b2"], ["r2"], name="relu2"),
        n("Conv", ["r2", "conv3.w", "conv3.b"], ["c3"], name="conv3", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        n("Add", ["c3", "r2"], ["s3"], name="residual"),
        n("Relu", ["s3"], ["r3"], name="relu3"),
        n("GlobalAveragePool", ["r3"], ["g"], name="gap"),
        n("Flatten", ["g"], ["f"], name="flatten", axis=1),
        n("Gemm", ["f", "fc.w", "fc.b"], ["logits"], name="fc", transB=1),
        n("Softmax", ["logits"], ["probs"], name="softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes, "small_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10]),
         helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])],
        [numpy_helper.from_array(v, k) for k, v in W.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="kiln-examples")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def write_json(path, weights_path):
    constants, blob = [], bytearray()
    # kiln.matmul takes [K, N]; Gemm's transB is folded into the stored weight.
    stored = dict(W, **{"fc.w": np.ascontiguousarray(W["fc.w"].T)})
    for name, value in stored.items():
        constants.append({"name": name, "dtype": "float32", "shape": list(value.shape), "offset": len(blob)})
        blob += value.tobytes()
    conv = {"strides": [1, 1], "pads": [1, 1, 1, 1], "dilations": [1, 1], "groups": 1}
    nodes = [
        {"name": "conv1", "op": "conv", "inputs": ["x", "conv1.w", "conv1.b"], "outputs": ["c1"], "attributes": conv},
        {"name": "relu1", "op": "relu", "inputs": ["c1"], "outputs": ["r1"]},
        {"name": "pool1", "op": "max_pool", "inputs": ["r1"], "outputs": ["p1"],
         "attributes": {"kernel_shape": [2, 2], "strides": [2, 2], "pads": [0, 0, 0, 0], "dilations": [1, 1]}},
        {"name": "conv2", "op": "conv", "inputs": ["p1", "conv2.w", "conv2.b"], "outputs": ["c2"],
         "attributes": dict(conv, strides=[2, 2])},
        {"name": "bn", "op": "batch_norm", "inputs": ["c2", "bn.scale", "bn.bias", "bn.mean", "bn.var"],
         "outputs": ["b2"], "attributes": {"epsilon": 1e-5}},
        {"name": "relu2", "op": "relu", "inputs": ["b2"], "outputs": ["r2"]},
        {"name": "conv3", "op": "conv", "inputs": ["r2", "conv3.w", "conv3.b"], "outputs": ["c3"], "attributes": conv},
        {"name": "residual", "op": "add", "inputs": ["c3", "r2"], "outputs": ["s3"]},
        {"name": "relu3", "op": "relu", "inputs": ["s3"], "outputs": ["r3"]},
        {"name": "gap", "op": "global_avg_pool", "inputs": ["r3"], "outputs": ["g"]},
        {"name": "flatten", "op": "flatten", "inputs": ["g"], "outputs": ["f"], "attributes": {"axis": 1}},
        {"name": "fc", "op": "matmul", "inputs": ["f", "fc.w"], "outputs": ["fc.mm"]},
        {"name": "fc.bias", "op": "add", "inputs": ["fc.mm", "fc.b"], "outputs": ["logits"]},
        {"name": "softmax", "op": "softmax", "inputs": ["logits"], "outputs": ["probs"], "attributes": {"axis": 1}},
    ]
    model = {
        "format": "kiln-graph", "version": 1, "name": "small_cnn",
        "inputs": [{"name": "x", "dtype": "float32", "shape": [1, 3, 32, 32]}],
        "outputs": ["logits", "probs"],
        "weights": os.path.basename(weights_path),
        "constants": constants,
        "nodes": nodes,
    }
    with open(path, "w") as f:
        json.dump(model, f, indent=1)
        f.write("\n")
    with open(weights_path, "wb") as f:
        f.write(bytes(blob))


if __name__ == "__main__":
    write_onnx(os.path.join(HERE, "small_cnn.onnx"))
    write_json(os.path.join(HERE, "small_cnn.json"), os.path.join(HERE, "small_cnn.weights.bin"))
    np.save(os.path.join(HERE, "small_cnn_input.npy"),
            np.random.default_rng(7).standard_normal((1, 3, 32, 32)).astype(np.float32))
