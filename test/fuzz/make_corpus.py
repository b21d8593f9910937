#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (kept in the repo; rerun only to refresh them).

    .venv/bin/python test/fuzz/make_corpus.py

corpus/onnx: the smallest model of each op's node tests in the installed onnx wheel's backend test data
(files under 4 KiB; one per op type, so the corpus covers the importer's op table without duplicates),
plus the bundled example. corpus/json: the Kiln JSON graphs of the tests and the example, and one graph per
op test/e2e/json_ops.py exercises.
"""
import glob
import os
import re
import shutil

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def onnx_corpus():
    out = os.path.join(HERE, "corpus", "onnx")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    data = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
    best = {}
    for model in sorted(glob.glob(os.path.join(data, "*", "model.onnx"))):
        size = os.path.getsize(model)
        if size > 4096:
            continue
        ops = tuple(sorted({n.op_type for n in onnx.load(model).graph.node}))
        if ops not in best or size < best[ops][0]:
            best[ops] = (size, model)
    for size, model in sorted(best.values(), key=lambda x: x[1]):
        name = os.path.basename(os.path.dirname(model))
        shutil.copy(model, os.path.join(out, name + ".onnx"))
    shutil.copy(os.path.join(ROOT, "examples", "small_cnn.onnx"), out)
    constant_input_seeds(out)
    return len(os.listdir(out))


def constant_input_seeds(out):
    """Models whose data-dependent ops (NonMaxSuppression, Unique) read initializers, so that the fuzzer
    reaches the code that evaluates them at import (the node tests feed them graph inputs, which the
    importer refuses first), a 3-D convolution, and ops the wheel's node tests lack: TensorScatter
    (opset 24) and TreeEnsembleRegressor."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    info = helper.make_tensor_value_info

    def save(name, nodes, inits, outputs, inputs=(), opsets=(("", 17),), ir_version=8):
        """`outputs`: (name, dtype) pairs of unknown shape, or value infos."""
        outputs = [o if isinstance(o, onnx.ValueInfoProto) else info(o[0], o[1], None) for o in outputs]
        graph = helper.make_graph(nodes, name, list(inputs), outputs,
                                  [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets])
        model.ir_version = ir_version
        onnx.save(model, os.path.join(out, name + ".onnx"))

    boxes = np.array([[[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 5, 1, 6], [0, 5.2, 1, 6.2]]], np.float32)
    save("seed_nms_constant", [helper.make_node("NonMaxSuppression", ["b", "s", "m", "i", "t"], ["y"],
                                                center_point_box=0)],
         {"b": boxes, "s": np.array([[[0.9, 0.8, 0.7, 0.6]]], np.float32), "m": np.array([3], np.int64),
          "i": np.array([0.5], np.float32), "t": np.array([0.1], np.float32)}, [("y", TensorProto.INT64)])
    save("seed_unique_constant", [helper.make_node("Unique", ["x"], ["y", "i", "v", "c"], axis=0, sorted=0)],
         {"x": np.array([[1, 2], [1, 2], [0, 3]], np.float32)},
         [("y", TensorProto.FLOAT), ("i", TensorProto.INT64), ("v", TensorProto.INT64), ("c", TensorProto.INT64)])
    save("seed_conv3d", [helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 0, 1, 0, 1, 0], group=2)],
         {"w": np.ones((2, 1, 2, 2, 2), np.float32)}, [("y", TensorProto.FLOAT)],
         [info("x", TensorProto.FLOAT, [1, 2, 3, 3, 3])])
    save("seed_tensor_scatter",
         [helper.make_node("TensorScatter", ["p", "u", "w"], ["y"], mode="circular")], {},
         [info("y", TensorProto.FLOAT, [2, 4, 3])],
         [info("p", TensorProto.FLOAT, [2, 4, 3]), info("u", TensorProto.FLOAT, [2, 2, 3]),
          info("w", TensorProto.INT64, [2])], opsets=[("", 24)], ir_version=10)
    save("seed_tree_ensemble_regressor",
         [helper.make_node("TreeEnsembleRegressor", ["x"], ["y"], domain="ai.onnx.ml", n_targets=1,
                           nodes_treeids=[0] * 5, nodes_nodeids=[0, 1, 2, 3, 4],
                           nodes_featureids=[0, 1, 0, 0, 0],
                           nodes_modes=["BRANCH_LEQ", "BRANCH_GT", "LEAF", "LEAF", "LEAF"],
                           nodes_values=[0.5, 0.5, 0, 0, 0], nodes_truenodeids=[2, 3, 0, 0, 0],
                           nodes_falsenodeids=[1, 4, 0, 0, 0], target_treeids=[0, 0],
                           target_nodeids=[3, 4], target_ids=[0, 0], target_weights=[2.0, 3.0])], {},
         [info("y", TensorProto.FLOAT, [2, 1])], [info("x", TensorProto.FLOAT, [2, 2])],
         opsets=[("", 17), ("ai.onnx.ml", 3)], ir_version=10)


def json_corpus():
    out = os.path.join(HERE, "corpus", "json")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    sources = [os.path.join(ROOT, "examples", "small_cnn.json"),
               os.path.join(ROOT, "test", "compiler", "json", "Inputs", "relu.json"),
               os.path.join(ROOT, "test", "compiler", "json", "import.test.json")]
    for path in sources:
        shutil.copy(path, os.path.join(out, re.sub(r"\.test", "", os.path.basename(path))))
    return len(os.listdir(out))


if __name__ == "__main__":
    print("corpus/onnx: %d files, corpus/json: %d files" % (onnx_corpus(), json_corpus()))
