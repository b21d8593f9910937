# No graph output may share storage with another output or an input,
# whatever the graph. A generated family of small models, each compiled and
# run, compared output by output with onnxruntime:
#   - sibling ops whose destinations start identical (the zero fill of
#     MatMul, Conv, ReduceSum, ReduceMax, MaxPool; a bias broadcast shared by
#     two Convs or Gemms), all of them outputs: once a silent wrong answer;
#   - one value returned twice, an output that is an input, a constant or an
#     initializer, an output that later ops also consume;
#   - random mixtures of all of the above (fixed seed).
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(11)
F = TensorProto.FLOAT


class Model:
    def __init__(self, name):
        self.name, self.nodes, self.inits, self.outputs = name, [], [], []
        self.inputs, self.feeds = [], {}

    def input(self, name, shape):
        self.inputs.append(helper.make_tensor_value_info(name, F, list(shape)))
        self.feeds[name] = rng.uniform(-2, 2, size=shape).astype(np.float32)
        return name

    def init(self, name, value):
        value = np.asarray(value)
        value = value.astype(np.int64 if value.dtype.kind in "iu" else np.float32)
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def node(self, op, inputs, **attrs):
        out = "%s%d" % (op.lower(), len(self.nodes))
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def output(self, value):
        # A value listed once more goes out through an Identity: ONNX graph
        # outputs have distinct names.
        if value in [o.name for o in self.outputs]:
            value = self.node("Identity", [value])
        self.outputs.append(helper.make_tensor_value_info(value, F, None))

    def check(self):
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        path = os.path.join(work, self.name + ".onnx")
        onnx.save(model, path)
        artifact = kt.compile_model(path, os.path.join(work, self.name))
        actual = kt.run_artifact(artifact, self.feeds)
        linked = kt.run_static_c(artifact, self.feeds)
        expected = kt.onnxruntime_outputs(path, self.feeds)
        for o in self.outputs:
            kt.assert_close(actual[o.name], expected[o.name], "%s: %s" % (self.name, o.name))
            kt.assert_close(linked[o.name], expected[o.name],
                            "%s: %s (static C program)" % (self.name, o.name))


def w(*shape):
    return rng.uniform(-1, 1, size=shape).astype(np.float32)


# The two reported cases.
m = Model("three_matmuls")
a = m.input("a", (2, 3))
for i in range(3):
    m.output(m.node("MatMul", [a, m.init("w%d" % i, w(3, 4))]))
m.check()

m = Model("two_convs_shared_bias")
x = m.input("x", (1, 2, 5, 5))
b = m.init("b", w(3))
for i in range(2):
    m.output(m.node("Conv", [x, m.init("k%d" % i, w(3, 2, 3, 3)), b], pads=[1, 1, 1, 1]))
m.check()

# Each op whose destination starts as a fill or broadcast, three siblings.
siblings = {
    "reduce_sum": lambda m, x: m.node("ReduceSum", [x, m.init("ax%d" % len(m.inits), [1])],
                                      keepdims=0),
    "reduce_max": lambda m, x: m.node("ReduceMax", [x], axes=[1], keepdims=0),
    "max_pool": lambda m, x: m.node("MaxPool", [m.node("Mul", [x, m.init(
        "s%d" % len(m.inits), w(1))])], kernel_shape=[2, 2]),
    "gemm_shared_c": lambda m, x: m.node("Gemm", [m.node("Reshape", [x, m.init(
        "sh%d" % len(m.inits), np.array([2, 8]))]), m.init("g%d" % len(m.inits), w(8, 3)),
        "c"]),
}
for kind, make in siblings.items():
    m = Model("siblings_" + kind)
    x = m.input("x", (2, 2, 2, 2))
    if kind == "gemm_shared_c":
        m.init("c", w(3))
    for _ in range(3):
        m.output(make(m, x))
    m.check()

# Outputs that are the same value, inputs, constants or initializers.
m = Model("same_value_twice")
x = m.input("x", (3, 4))
r = m.node("Relu", [x])
m.output(r), m.output(r), m.output(r)
m.check()

m = Model("input_as_output")
x = m.input("x", (3, 4))
m.outputs.append(helper.make_tensor_value_info(x, F, None))
m.output(m.node("Identity", [x]))
m.output(m.node("Neg", [x]))
m.check()

m = Model("constants_as_outputs")
x = m.input("x", (2, 2))
c = m.node("Constant", [], value=numpy_helper.from_array(w(2, 2)))
m.output(c), m.output(c)
m.outputs.append(helper.make_tensor_value_info(m.init("init", w(2, 2)), F, None))
m.output(m.node("Add", [x, c]))
m.check()

m = Model("output_consumed_later")
x = m.input("x", (2, 3))
y = m.node("MatMul", [x, m.init("w", w(3, 3))])
m.output(y)
z = m.node("Relu", [y])
m.output(z)
m.output(m.node("Add", [y, z]))
m.output(y)
m.check()

# Products computed in panels ([M, N/nr, nr], B packed at compile time) and
# read as [M, N] by the outputs: kiln-place-outputs computes the output
# through the inverse reshape; siblings, one returned twice and consumed
# later.
m = Model("packed_products")
x = m.input("x", (8, 16))
ys = [m.node("MatMul", [x, m.init("p%d" % i, w(16, 64))]) for i in range(3)]
for y in ys:
    m.output(y)
m.output(ys[0])
m.output(m.node("Relu", [ys[0]]))
m.check()

# Random mixtures: a pool of values built from one input by ops with fills,
# broadcasts, elementwise math and data movement; some of them outputs,
# some more than once.
makers = [
    lambda m, v: m.node("MatMul", [v, m.init("w%d" % len(m.inits), w(4, 4))]),
    lambda m, v: m.node("Gemm", [v, m.init("g%d" % len(m.inits), w(4, 4)), "bias"]),
    lambda m, v: m.node("Add", [v, "bias"]),
    lambda m, v: m.node("Relu", [v]),
    lambda m, v: m.node("Identity", [v]),
    lambda m, v: m.node("Transpose", [v], perm=[1, 0]),
    lambda m, v: m.node("Softmax", [v], axis=1),
    lambda m, v: m.node("ReduceSum", [v, m.init("ax%d" % len(m.inits), [1])], keepdims=1),
]
for seed in range(16):
    m = Model("mixture%d" % seed)
    pool = [m.input("x", (4, 4))]
    m.init("bias", w(4))
    for _ in range(int(rng.integers(3, 8))):
        v = pool[int(rng.integers(len(pool)))]
        made = makers[int(rng.integers(len(makers)))](m, v)
        if made.startswith("reducesum"):
            made = m.node("Mul", [made, m.init("e%d" % len(m.inits), np.ones((1, 4)))])
        pool.append(made)
    for _ in range(int(rng.integers(2, 6))):
        m.output(pool[int(rng.integers(len(pool)))])
    m.check()
print("all output aliasing models match onnxruntime")
