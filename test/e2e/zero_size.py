# Tensors with a zero-length dim (legal ONNX) compile and run: as inputs,
# outputs and intermediates, for every op family, with the zero in every
# position; ops that read an empty tensor and still produce elements (Concat,
# MatMul with K = 0, reductions over an empty axis, Pad, Conv without input
# channels) give what onnxruntime (or NumPy, where onnxruntime refuses) gives.
# The manifest describes 0-byte buffers; the C program passes NULL for them.
# RUN: rm -rf %t && %python %s %t
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(5)
F, I64 = TensorProto.FLOAT, TensorProto.INT64
checked = 0


def shapes_with_zero(rank, base=(2, 3, 4, 5)):
    """The shape base[:rank] with a 0 in each position in turn."""
    for p in range(rank):
        shape = list(base[:rank])
        shape[p] = 0
        yield shape


def check(name, nodes, inputs, outputs, inits=(), reference=None, opset=17):
    """Compiles and runs the model; compares each output with onnxruntime,
    or with `reference` ({name: array}) where given."""
    global checked
    feeds = {}
    infos = []
    for n, shape, dtype in inputs:
        np_type = np.int64 if dtype == I64 else np.float32
        feeds[n] = (rng.integers(0, 3, shape) if dtype == I64 else
                    rng.uniform(-2, 2, shape)).astype(np_type)
        infos.append(helper.make_tensor_value_info(n, dtype, shape))
    graph = helper.make_graph(nodes, name, infos,
                              [helper.make_tensor_value_info(o, F, None) for o in outputs],
                              [numpy_helper.from_array(v, k) for k, v in inits])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    artifact = kt.compile_model(path, os.path.join(work, name))
    with open(os.path.join(artifact, name + ".json")) as f:
        manifest = json.load(f)
    entry = manifest["entry_points"][0]
    for spec in entry["inputs"] + entry["outputs"]:
        if 0 in spec["shape"]:
            assert spec["bytes"] == 0, spec
    actual = kt.run_artifact(artifact, feeds)
    linked = kt.run_static_c(artifact, feeds)
    expected = reference(feeds) if reference else kt.onnxruntime_outputs(path, feeds, optimize=False)
    for o in outputs:
        kt.assert_close(actual[o], expected[o], "%s: %s" % (name, o))
        kt.assert_close(linked[o], expected[o], "%s: %s (static C program)" % (name, o))
    checked += 1


# Same-shape ops (unary, binary with broadcast, softmax, norms, casts, data
# movement) on inputs with a zero in every position, as inputs, outputs and
# intermediates.
for rank in (1, 2, 3, 4):
    for shape in shapes_with_zero(rank):
        tag = "r%d_%s" % (rank, "x".join(map(str, shape)))
        perm = list(reversed(range(rank)))
        nodes = [
            helper.make_node("Relu", ["x"], ["relu"]),
            helper.make_node("Exp", ["relu"], ["exp"]),
            helper.make_node("Add", ["x", "b"], ["add"]),
            helper.make_node("Mul", ["add", "exp"], ["mul"]),
            helper.make_node("Transpose", ["mul"], ["tr"], perm=perm),
            helper.make_node("Softmax", ["x"], ["sm"], axis=-1),
            helper.make_node("Cast", ["x"], ["ci"], to=TensorProto.INT32),
            helper.make_node("Cast", ["ci"], ["cf"], to=F),
            helper.make_node("Where", ["cond", "x", "cf"], ["wh"]),
            helper.make_node("Greater", ["x", "cf"], ["cond"]),
            helper.make_node("Flatten", ["wh"], ["fl"], axis=rank - 1 if rank > 1 else 1),
            helper.make_node("Unsqueeze", ["fl", "ax0"], ["us"]),
            helper.make_node("Identity", ["x"], ["id"]),
        ]
        # Nodes in topological order: Where reads cond.
        nodes = nodes[:8] + [nodes[9], nodes[8]] + nodes[10:]
        b = rng.uniform(-1, 1, [1] * (rank - 1) + [shape[-1]]).astype(np.float32)
        check("same_shape_" + tag, nodes, [("x", shape, F)],
              ["relu", "exp", "mul", "tr", "sm", "cf", "wh", "fl", "us", "id"],
              [("b", b), ("ax0", np.array([0], np.int64))])

# Layer and batch normalization, pooling with an empty batch or channel dim.
for shape in shapes_with_zero(2, (3, 4)):
    tag = "x".join(map(str, [shape[0], shape[1], 5, 6]))
    n, c = shape
    nodes = [
        helper.make_node("MaxPool", ["x"], ["mp"], kernel_shape=[2, 2]),
        helper.make_node("AveragePool", ["x"], ["ap"], kernel_shape=[3, 2], pads=[1, 0, 1, 0]),
        helper.make_node("Conv", ["x", "w"], ["conv"], pads=[1, 1, 1, 1]) if c else None,
        helper.make_node("BatchNormalization", ["x", "s", "bb", "m", "v"], ["bn"]),
        helper.make_node("LayerNormalization", ["x", "g"], ["ln"], axis=-1),
        helper.make_node("GlobalAveragePool", ["x"], ["gap"]),
    ]
    outs = ["mp", "ap", "bn", "ln", "gap"] + (["conv"] if c else [])
    vec = lambda k: rng.uniform(0.5, 1.5, k).astype(np.float32)
    # onnxruntime refuses pooling with no channels; every output is empty.
    empty = {"mp": (n, 0, 4, 5), "ap": (n, 0, 5, 5), "bn": (n, 0, 5, 6), "ln": (n, 0, 5, 6),
             "gap": (n, 0, 1, 1)}
    check("nchw_" + tag, [x for x in nodes if x], [("x", [n, c, 5, 6], F)], outs,
          [("w", rng.uniform(-1, 1, (2, c, 3, 3)).astype(np.float32)), ("s", vec(c)),
           ("bb", vec(c)), ("m", vec(c)), ("v", vec(c)), ("g", vec(6))],
          reference=None if c else lambda f: {k: np.zeros(v, np.float32)
                                              for k, v in empty.items()})

# The case: Reshape with allowzero of a 0x4 input to 4x0, then Add,
# Relu and Transpose of the 4x0 tensor; slices and splits with empty pieces.
check("reshape_allowzero", [
    helper.make_node("Reshape", ["x", "shape"], ["r"], allowzero=1),
    helper.make_node("Add", ["r", "r"], ["a"]),
    helper.make_node("Relu", ["a"], ["y"]),
    helper.make_node("Transpose", ["y"], ["t"], perm=[1, 0]),
], [("x", [0, 4], F)], ["r", "y", "t"], [("shape", np.array([4, 0], np.int64))], opset=14)

check("slice_split_empty", [
    helper.make_node("Slice", ["x", "st", "en", "ax"], ["s"]),
    helper.make_node("Split", ["x", "sp"], ["p0", "p1", "p2"], axis=1),
    helper.make_node("Concat", ["p0", "s", "p2", "p1"], ["c"], axis=1),
    helper.make_node("Gather", ["x", "idx"], ["g"], axis=1),
], [("x", [3, 4], F)], ["s", "p0", "p1", "c", "g"],
    [("st", np.array([2], np.int64)), ("en", np.array([2], np.int64)),
     ("ax", np.array([1], np.int64)), ("sp", np.array([0, 4, 0], np.int64)),
     ("idx", np.zeros((0,), np.int64))], opset=13)

# Ops that read an empty tensor and still produce elements.
for axis in (0, 1):
    shape = [2, 3]
    shape[axis] = 0
    check("concat_empty_axis%d" % axis, [
        helper.make_node("Concat", ["e", "x", "e"], ["c"], axis=axis),
    ], [("e", shape, F), ("x", [2, 3], F)], ["c"])
check("matmul_k0", [helper.make_node("MatMul", ["a", "b"], ["y"]),
                    helper.make_node("Gemm", ["a", "b", "c"], ["g"])],
      [("a", [2, 0], F), ("b", [0, 3], F)], ["y", "g"],
      [("c", np.array([1.0, 2.0, 3.0], np.float32))])
check("reduce_empty_axis", [
    helper.make_node("ReduceSum", ["x", "ax"], ["sum"], keepdims=0),
    helper.make_node("ReduceMean", ["x", "ax"], ["mean"], keepdims=1),
    helper.make_node("ReduceProd", ["x", "ax"], ["prod"], keepdims=0),
    helper.make_node("ReduceMax", ["x", "ax"], ["max"], keepdims=0),
    helper.make_node("ReduceMin", ["x", "ax"], ["min"], keepdims=0),
], [("x", [3, 0], F)], ["sum", "mean", "prod", "max", "min"],
    [("ax", np.array([1], np.int64))], opset=18,
    reference=lambda f: {"sum": np.zeros(3, np.float32),
                         "mean": np.full((3, 1), np.nan, np.float32),
                         "prod": np.ones(3, np.float32),
                         "max": np.full(3, -np.inf, np.float32),
                         "min": np.full(3, np.inf, np.float32)})
check("pad_empty", [helper.make_node("Pad", ["x", "pads", "v"], ["y"])],
      [("x", [0, 3], F)], ["y"],
      [("pads", np.array([1, 0, 2, 1], np.int64)), ("v", np.array(1.5, np.float32))])
check("conv_no_input_channels", [helper.make_node("Conv", ["x", "w", "b"], ["y"])],
      [("x", [1, 0, 4, 4], F)], ["y"],
      [("w", np.zeros((2, 0, 3, 3), np.float32)), ("b", np.array([0.5, -1.0], np.float32))],
      reference=lambda f: {"y": np.broadcast_to(
          np.array([0.5, -1.0], np.float32).reshape(1, 2, 1, 1), (1, 2, 2, 2)).copy()})
print("%d zero-size models checked" % checked)
