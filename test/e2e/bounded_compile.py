# A model a few hundred bytes long must never hold the compiler for minutes.
# Small models asking for huge tensors (ConstantOfShape, Expand, Range, Tile,
# Concat of those) and long chains of ops each compile, or fail with one error
# line naming the node, within a bound far above their real time (well
# under a few seconds each), so the test never depends on the machine's
# speed but still catches a compile that runs away (one of these once ran
# for more than five minutes writing a 40 GB constant).
# RUN: rm -rf %t && %python %s %t
import os
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_testing as kt

BOUND_S = 300
work = sys.argv[1]
os.makedirs(work)
F, I64 = TensorProto.FLOAT, TensorProto.INT64
HUGE = [100000, 100000]  # 10^10 elements: 40 GB as f32


def ints(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def model(name, nodes, inputs, outputs, inits=(), opset=17):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    path = os.path.join(work, name + ".onnx")
    onnx.save(m, path)
    return path


def compile_bounded(path, expect, node=None):
    """Compiles `path`; `expect` is "ok" or "refused" (then one error line
    naming `node`)."""
    start = time.monotonic()
    proc = subprocess.run([kt.KILN, "compile", path, "-o", path[:-5]], capture_output=True,
                          text=True, timeout=BOUND_S)
    seconds = time.monotonic() - start
    name = os.path.basename(path)
    lines = proc.stderr.splitlines()
    if expect == "ok":
        assert proc.returncode == 0, "%s: expected to compile: %s" % (name, proc.stderr)
    else:
        assert proc.returncode == 1 and len(lines) == 1, "%s: %d %r" % (name, proc.returncode,
                                                                       proc.stderr)
        assert "error: " in lines[0] and "node '%s'" % node in lines[0], "%s: %s" % (name, lines[0])
        assert not os.path.exists(path[:-5]), "%s: left an artifact behind" % name
    print("%s: %s in %.1f s%s" % (name, expect, seconds, ": " + lines[0] if lines else ""))


x = helper.make_tensor_value_info("x", F, [1])
y = helper.make_tensor_value_info("y", F, None)
fill = helper.make_node("ConstantOfShape", ["shape"], ["c"], name="cos",
                        value=numpy_helper.from_array(np.array([1.0], np.float32)))

# The model: a 40 GB constant summed to a scalar (the constant would
# have to be materialized for the reduction).
compile_bounded(model("huge_constant_summed", [
    fill, helper.make_node("ReduceSum", ["c"], ["s"], name="sum", keepdims=0),
    helper.make_node("Add", ["s", "x"], ["y"], name="add")], [x], [y],
    [ints("shape", HUGE)]), "refused", "cos")

# The same constant as an output: the caller could never provide 40 GB.
compile_bounded(model("huge_constant_output", [fill], [x],
                      [helper.make_tensor_value_info("c", F, None)], [ints("shape", HUGE)]),
                "refused", "cos")

# An Expand to 40 GB feeding a MatMul (which reads it from memory).
compile_bounded(model("huge_expand_into_matmul", [
    helper.make_node("Expand", ["x", "shape"], ["e"], name="expand"),
    helper.make_node("MatMul", ["e", "w"], ["m"], name="mm"),
    helper.make_node("ReduceSum", ["m"], ["y"], name="sum", keepdims=0)], [x], [y],
    [ints("shape", HUGE), numpy_helper.from_array(np.ones((100000, 2), np.float32), "w")]),
    "refused", "expand")

# Concat of two huge fills, then a Softmax over the result.
compile_bounded(model("huge_concat_softmax", [
    fill, helper.make_node("Concat", ["c", "c"], ["cc"], name="cat", axis=0),
    helper.make_node("Softmax", ["cc"], ["sm"], name="softmax", axis=1),
    helper.make_node("ReduceMax", ["sm"], ["y"], name="max", keepdims=0)], [x], [y],
    [ints("shape", HUGE)]), "refused", "cat")

# Range with 10^12 elements, and Tile (not supported yet): refused at import.
compile_bounded(model("huge_range", [
    helper.make_node("Range", ["start", "limit", "delta"], ["r"], name="range"),
    helper.make_node("Cast", ["r"], ["y"], name="cast", to=F)], [x], [y],
    [numpy_helper.from_array(np.array(0, np.int64), "start"),
     numpy_helper.from_array(np.array(10 ** 12, np.int64), "limit"),
     numpy_helper.from_array(np.array(1, np.int64), "delta")]), "refused", "range")
compile_bounded(model("huge_tile", [
    helper.make_node("Tile", ["x", "reps"], ["y"], name="tile")], [x], [y],
    [ints("reps", [10 ** 11])]), "refused", "tile")

# Long chains: 2,000 fused elementwise ops, and 400 matmul/softmax pairs,
# each its own kernel.
nodes, prev = [], "x2"
for i in range(2000):
    op = ("Relu", "Neg", "Exp", "Sigmoid", "Add")[i % 5]
    nodes.append(helper.make_node(op, [prev, "x2"] if op == "Add" else [prev], ["v%d" % i]))
    prev = "v%d" % i
compile_bounded(model("chain_elementwise", nodes, [helper.make_tensor_value_info("x2", F, [8, 8])],
                      [helper.make_tensor_value_info(prev, F, None)]), "ok")
nodes, prev = [], "x2"
for i in range(800):
    if i % 2 == 0:
        nodes.append(helper.make_node("MatMul", [prev, "w"], ["v%d" % i]))
    else:
        nodes.append(helper.make_node("Softmax", [prev], ["v%d" % i], axis=-1))
    prev = "v%d" % i
compile_bounded(model("chain_matmul_softmax", nodes,
                      [helper.make_tensor_value_info("x2", F, [8, 8])],
                      [helper.make_tensor_value_info(prev, F, None)],
                      [numpy_helper.from_array(np.eye(8, dtype=np.float32), "w")]), "ok")
