# Every kiln op family, compiled from a hand-written Kiln graph and checked
# against plain NumPy (test/lib/numpy_ref.py), independently of ONNX.
# RUN: rm -rf %t && %python %s %t
import json
import os
import sys

import numpy as np

import kiln_testing as kt
import numpy_ref as ref

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(123)
DT = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float64", np.dtype(np.int64): "int64",
      np.dtype(np.int32): "int32", np.dtype(np.bool_): "bool", np.dtype(np.int8): "int8",
      np.dtype(np.float16): "float16"}


class Graph:
    """Builds a Kiln graph with named inputs and many outputs."""

    def __init__(self, name):
        self.name, self.inputs, self.feeds, self.nodes, self.outputs, self.expected = name, [], {}, [], [], {}
        self.constants = []

    def input(self, name, value):
        self.inputs.append({"name": name, "dtype": DT[value.dtype], "shape": list(value.shape)})
        self.feeds[name] = value
        return name

    def const(self, name, value):
        self.constants.append({"name": name, "dtype": DT[value.dtype], "shape": list(value.shape),
                               "data": value.astype(np.float64 if value.dtype.kind == "f" else np.int64).tolist()})
        return name

    def op(self, op, inputs, expected, n_out=1, **attrs):
        outs = ["%s_%d_%d" % (op, len(self.nodes), i) for i in range(n_out)]
        self.nodes.append({"name": outs[0], "op": op, "inputs": inputs, "outputs": outs, "attributes": attrs})
        for o, e in zip(outs, expected if n_out > 1 else [expected]):
            self.outputs.append(o)
            self.expected[o] = e
        return outs if n_out > 1 else outs[0]

    def check(self, atol=kt.ATOL, rtol=kt.RTOL):
        path = os.path.join(work, self.name + ".json")
        with open(path, "w") as f:
            json.dump({"format": "kiln-graph", "version": 1, "inputs": self.inputs, "outputs": self.outputs,
                       "constants": self.constants, "nodes": self.nodes}, f)
        artifact = kt.compile_model(path, os.path.join(work, self.name))
        got = kt.run_artifact(artifact, self.feeds)
        for o in self.outputs:
            e = self.expected[o]
            kt.assert_close(got[o], np.asarray(e).astype(got[o].dtype) if got[o].dtype.kind != "f"
                            else np.asarray(e, dtype=got[o].dtype), "%s: %s" % (self.name, o), atol, rtol)


def f32(*shape, lo=-3, hi=3):
    return rng.uniform(lo, hi, shape).astype(np.float32)


# Unary elementwise.
g = Graph("unary")
x = g.input("x", f32(3, 5))
p = g.input("p", f32(3, 5, lo=0.1, hi=4))
xv, pv = g.feeds["x"], g.feeds["p"]
for op, fn in [("neg", np.negative), ("abs", np.abs), ("relu", lambda v: np.maximum(v, 0)),
               ("exp", np.exp), ("tanh", np.tanh), ("sigmoid", lambda v: 1 / (1 + np.exp(-v))),
               ("erf", ref.erf), ("sin", np.sin), ("cos", np.cos), ("floor", np.floor), ("ceil", np.ceil),
               ("hard_swish", lambda v: v * np.clip(v / 6 + 0.5, 0, 1))]:
    g.op(op, [x], fn(xv.astype(np.float64)))
for op, fn in [("log", np.log), ("sqrt", np.sqrt), ("rsqrt", lambda v: 1 / np.sqrt(v)),
               ("reciprocal", lambda v: 1 / v)]:
    g.op(op, [p], fn(pv.astype(np.float64)))
g.op("gelu", [x], ref.gelu(xv))
g.op("gelu", [x], ref.gelu(xv, "tanh"), approximate="tanh")
g.op("leaky_relu", [x], np.where(xv >= 0, xv, 0.1 * xv), alpha=0.1)
g.op("hard_sigmoid", [x], np.clip(0.3 * xv + 0.4, 0, 1), alpha=0.3, beta=0.4)
g.op("clip", [x], np.clip(xv, -1, 2), min=-1.0, max=2.0)
g.op("clip", [x], np.maximum(xv, 0.5), min=0.5)
i = g.input("i", rng.integers(-50, 50, (4, 3)).astype(np.int64))
g.op("neg", [i], -g.feeds["i"])
g.op("abs", [i], np.abs(g.feeds["i"]))
g.op("relu", [i], np.maximum(g.feeds["i"], 0))
g.op("clip", [i], np.clip(g.feeds["i"], -7, 9), min=-7.0, max=9.0)
b = g.input("b", rng.integers(0, 2, (6,)).astype(np.bool_))
g.op("not", [b], ~g.feeds["b"])
g.check()

# Binary elementwise with broadcasting, compare, select, cast.
g = Graph("binary")
a = g.input("a", f32(2, 1, 4))
c = g.input("c", f32(3, 1, lo=0.5, hi=2))
av, cv = g.feeds["a"].astype(np.float64), g.feeds["c"].astype(np.float64)
for op, fn in [("add", np.add), ("sub", np.subtract), ("mul", np.multiply), ("div", np.divide),
               ("max", np.maximum), ("min", np.minimum)]:
    g.op(op, [a, c], fn(av, cv))
g.op("pow", [c, a], np.power(cv, av))
ia = g.input("ia", rng.integers(-20, 20, (2, 3)).astype(np.int32))
ib = g.input("ib", rng.integers(1, 6, (3,)).astype(np.int32) * rng.choice([-1, 1], 3).astype(np.int32))
iav, ibv = g.feeds["ia"], g.feeds["ib"]
g.op("add", [ia, ib], iav + ibv)
g.op("mul", [ia, ib], iav * ibv)
g.op("div", [ia, ib], np.trunc(iav / ibv).astype(np.int32))  # C-style truncation
g.op("max", [ia, ib], np.maximum(iav, ibv))
ba = g.input("ba", rng.integers(0, 2, (2, 3)).astype(np.bool_))
bb = g.input("bb", rng.integers(0, 2, (3,)).astype(np.bool_))
g.op("and", [ba, bb], g.feeds["ba"] & g.feeds["bb"])
g.op("or", [ba, bb], g.feeds["ba"] | g.feeds["bb"])
for pred, fn in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
                 ("gt", np.greater), ("ge", np.greater_equal)]:
    g.op("compare", [ia, ib], fn(iav, ibv), predicate=pred)
g.op("compare", [a, c], np.less(av, cv), predicate="lt")
m = g.op("compare", [a, c], av > cv, predicate="gt")
g.op("select", [m, a, c], np.where(av > cv, av, cv))
special = g.input("s", np.array([-2.7, -0.5, 0.5, 2.7, 1e20, -1e20, np.nan, 0.0], dtype=np.float32))
sv = g.feeds["s"]
g.nodes.append({"name": "to_i32", "op": "cast", "inputs": [special], "outputs": ["to_i32"],
                "attributes": {"to": "int32"}})
g.outputs.append("to_i32")
g.expected["to_i32"] = np.array([-2, 0, 0, 2, 2**31 - 1, -2**31, 0, 0], dtype=np.int32)
g.nodes.append({"name": "to_bool", "op": "cast", "inputs": [special], "outputs": ["to_bool"],
                "attributes": {"to": "bool"}})
g.outputs.append("to_bool")
g.expected["to_bool"] = sv != 0
g.nodes.append({"name": "from_bool", "op": "cast", "inputs": [ba], "outputs": ["from_bool"],
                "attributes": {"to": "float32"}})
g.outputs.append("from_bool")
g.expected["from_bool"] = g.feeds["ba"].astype(np.float32)
g.nodes.append({"name": "i32_to_f64", "op": "cast", "inputs": [ia], "outputs": ["i32_to_f64"],
                "attributes": {"to": "float64"}})
g.outputs.append("i32_to_f64")
g.expected["i32_to_f64"] = iav.astype(np.float64)
g.check()

# Matmul (plain, batched, broadcast batch dims) and convolution.
g = Graph("linalg")
A = g.input("A", f32(5, 7))
B = g.input("B", f32(7, 3))
g.op("matmul", [A, B], g.feeds["A"].astype(np.float64) @ g.feeds["B"])
BA = g.input("BA", f32(2, 3, 4, 6))
BB = g.input("BB", f32(3, 6, 5))
g.op("matmul", [BA, BB], g.feeds["BA"].astype(np.float64) @ g.feeds["BB"])
X = g.input("X", f32(2, 4, 9, 8))
W = g.const("W", f32(6, 4, 3, 3))
Wb = g.const("Wb", f32(6))
Wv, Wbv = np.array(g.constants[0]["data"], np.float32), np.array(g.constants[1]["data"], np.float32)
g.op("conv", [X, W, Wb], ref.conv(g.feeds["X"], Wv, Wbv, [1, 1], [1, 1, 1, 1], [1, 1], 1),
     strides=[1, 1], pads=[1, 1, 1, 1], dilations=[1, 1], groups=1)
g.op("conv", [X, W], ref.conv(g.feeds["X"], Wv, None, [2, 1], [0, 2, 1, 0], [1, 2], 1),
     strides=[2, 1], pads=[0, 2, 1, 0], dilations=[1, 2], groups=1)
WG = g.const("WG", f32(6, 2, 3, 3))
g.op("conv", [X, WG], ref.conv(g.feeds["X"], np.array(g.constants[-1]["data"], np.float32), None,
                               [1, 2], [1, 1, 1, 1], [1, 1], 2),
     strides=[1, 2], pads=[1, 1, 1, 1], dilations=[1, 1], groups=2)
WD = g.const("WD", f32(4, 1, 3, 3))
g.op("conv", [X, WD], ref.conv(g.feeds["X"], np.array(g.constants[-1]["data"], np.float32), None,
                               [2, 2], [1, 1, 1, 1], [1, 1], 4),
     strides=[2, 2], pads=[1, 1, 1, 1], dilations=[1, 1], groups=4)
X1 = g.input("X1", f32(1, 3, 11))
W1 = g.const("W1", f32(5, 3, 4))
g.op("conv", [X1, W1], ref.conv(g.feeds["X1"], np.array(g.constants[-1]["data"], np.float32), None,
                                [2], [1, 2], [1], 1),
     strides=[2], pads=[1, 2], dilations=[1], groups=1)
g.check()

# Pooling.
g = Graph("pool")
P = g.input("P", f32(1, 3, 7, 8))
pv = g.feeds["P"]
g.op("max_pool", [P], ref.pool(pv, "max", [3, 3], [2, 2], [1, 1, 1, 1], True),
     kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], dilations=[1, 1], ceil_mode=True)
g.op("max_pool", [P], ref.pool(pv, "max", [2, 3], [1, 2], [0, 1, 1, 0], False, dilations=[2, 1]),
     kernel_shape=[2, 3], strides=[1, 2], pads=[0, 1, 1, 0], dilations=[2, 1], ceil_mode=False)
for cip in (False, True):
    for ceil in (False, True):
        g.op("avg_pool", [P], ref.pool(pv, "avg", [3, 3], [2, 2], [1, 1, 1, 1], ceil, count_include_pad=cip),
             kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=ceil, count_include_pad=cip)
g.op("global_avg_pool", [P], pv.mean(axis=(2, 3), keepdims=True))
g.op("global_max_pool", [P], pv.max(axis=(2, 3), keepdims=True))
P1 = g.input("P1", f32(2, 2, 9))
g.op("max_pool", [P1], ref.pool(g.feeds["P1"], "max", [3], [2], [1, 0], True),
     kernel_shape=[3], strides=[2], pads=[1, 0], dilations=[1], ceil_mode=True)
g.check()

# Reductions, argmax, softmax, normalization.
g = Graph("reduce")
R = g.input("R", f32(3, 4, 5))
rv = g.feeds["R"].astype(np.float64)
g.op("reduce_sum", [R], rv.sum(axis=1, keepdims=True), axes=[1], keepdims=True)
g.op("reduce_mean", [R], rv.mean(axis=(0, 2)), axes=[0, 2], keepdims=False)
g.op("reduce_max", [R], rv.max(axis=2), axes=[2], keepdims=False)
g.op("reduce_min", [R], rv.min(axis=(0, 1, 2), keepdims=True), axes=[0, 1, 2], keepdims=True)
g.op("reduce_prod", [R], rv.prod(axis=0), axes=[0], keepdims=False)
RI = g.input("RI", rng.integers(-9, 9, (4, 6)).astype(np.int64))
g.op("reduce_sum", [RI], g.feeds["RI"].sum(axis=1), axes=[1], keepdims=False)
g.op("reduce_max", [RI], g.feeds["RI"].max(axis=0, keepdims=True), axes=[0], keepdims=True)
T = g.input("T", np.array([[1, 3, 3, 0], [2, 2, 1, 2]], dtype=np.float32))
g.op("argmax", [T], np.array([[1], [0]]), axis=1, keepdims=True)
g.op("argmax", [T], np.array([2, 3]), axis=1, keepdims=False, select_last_index=True)
g.op("argmax", [R], g.feeds["R"].argmax(axis=0), axis=0, keepdims=False)
g.op("softmax", [R], ref.softmax(rv, 2), axis=2)
g.op("softmax", [R], ref.softmax(rv, 0), axis=0)
big = g.input("big", (f32(2, 6) * 300).astype(np.float32))
g.op("softmax", [big], ref.softmax(g.feeds["big"].astype(np.float64), 1), axis=1)
g.op("log_softmax", [R], np.log(ref.softmax(rv, 1)), axis=1)
sc = g.const("sc", f32(4, 5))
bi = g.const("bi", f32(5))
scv, biv = np.array(g.constants[0]["data"], np.float32), np.array(g.constants[1]["data"], np.float32)
g.op("layer_norm", [R, sc, bi], ref.layer_norm(rv, 1, scv, biv, 1e-5), axis=1, epsilon=1e-5)
g.op("layer_norm", [R, bi], ref.layer_norm(rv, 2, biv, None, 1e-3), axis=2, epsilon=1e-3)
N = g.input("N", f32(2, 3, 4, 4))
params = [g.const(n, v) for n, v in [("bs", f32(3)), ("bb", f32(3)), ("bm", f32(3)),
                                       ("bv", f32(3, lo=0.2, hi=2))]]
pvals = [np.array(c["data"], np.float32) for c in g.constants[-4:]]
g.op("batch_norm", [N] + params, ref.batch_norm(g.feeds["N"].astype(np.float64), *pvals, 1e-5), epsilon=1e-5)
g.check()

# Data movement.
g = Graph("data")
D = g.input("D", f32(2, 3, 4))
dv = g.feeds["D"]
g.op("reshape", [D], dv.reshape(4, 6), shape=[4, -1])
g.op("transpose", [D], dv.transpose(2, 0, 1), perm=[2, 0, 1])
E = g.input("E", f32(2, 5, 4))
g.op("concat", [D, E, D], np.concatenate([dv, g.feeds["E"], dv], axis=1), axis=1)
g.op("split", [E], np.split(g.feeds["E"], [2], axis=1), n_out=2, axis=1, sizes=[2, 3])
g.op("slice", [D], dv[0:2, 1:3, 0:4:2], starts=[0, 1, 0], ends=[2, 3, 4], steps=[1, 1, 2])
g.op("slice", [D], ref.kiln_slice(dv, [1, 2, 3], [-1, -1, 0], [-1, -2, -2]),
     starts=[1, 2, 3], ends=[-1, -1, 0], steps=[-1, -2, -2])
idx = g.input("idx", np.array([[0, -1], [2, 1], [-3, 5]], dtype=np.int64))
clamped = np.clip(np.where(g.feeds["idx"] < 0, g.feeds["idx"] + 4, g.feeds["idx"]), 0, 3)
g.op("gather", [D, idx], np.take(dv, clamped, axis=2), axis=2)
idx32 = g.input("idx32", np.array([1, 0, 1], dtype=np.int32))
g.op("gather", [D, idx32], np.take(dv, g.feeds["idx32"], axis=0), axis=0)
V = g.input("V", f32(3, 1))
g.op("expand", [V], np.broadcast_to(g.feeds["V"], (2, 3, 4)), shape=[2, 1, 4])
g.op("pad", [D], np.pad(dv, [(0, 1), (2, 0), (1, 1)], constant_values=-1.5),
     pads=[0, 2, 1, 1, 0, 1], mode="constant", value=-1.5)
g.op("pad", [D], np.pad(dv, [(0, 0), (2, 1), (1, 3)], mode="reflect"), pads=[0, 2, 1, 0, 1, 3], mode="reflect")
g.op("pad", [D], np.pad(dv, [(1, 0), (0, 2), (3, 1)], mode="edge"), pads=[1, 0, 3, 0, 2, 1], mode="edge")
g.op("flatten", [D], dv.reshape(2, 12), axis=1)
g.op("flatten", [D], dv.reshape(1, 24), axis=0)
g.op("unsqueeze", [D], dv[:, None, :, :, None], axes=[1, 4])
S = g.input("S", f32(1, 3, 1))
g.op("squeeze", [S], g.feeds["S"].reshape(3), axes=[0, 2])
g.check()
