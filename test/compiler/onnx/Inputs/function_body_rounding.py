"""Models, inputs and NumPy references for function-body-rounding.test: ops on float16 and bfloat16
that ONNX defines by a function body whose nodes compute in the input's type, computed that way.
Softmax's body is ReduceMax, Sub, Exp, ReduceSum, Div (LogSoftmax: ReduceMax, Sub, Exp, ReduceSum,
Log, Sub), so each step is rounded to float16 / bfloat16 here; the sum accumulates in float32 and is
rounded once (ReduceSum leaves its accumulation to the implementation). onnx's reference runtime
computes float16 the same way, so the Attention node tests' float16 outputs match this bit for bit.
LayerNormalization computes its statistics in float32 (stash_type 1), then casts the normalized
value to the input's type and multiplies by scale and adds bias in that type.

Each case's inputs are chosen so the reference differs from the op computed in float32 and rounded
once (what Kiln computed before): the test fails if a step stops being rounded. Writes NAME.onnx,
NAME_INPUT.npy / NAME_OUTPUT.npy and NAME.args into argv[1] (run_composite_ops.py reads them);
bfloat16 travels as its 16-bit patterns, as `kiln run` reads and writes it."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as TP, helper

out = sys.argv[1]
rng = np.random.default_rng(23)


def bf16(x):
    """float32 -> bfloat16 (as float32 values), round to nearest even; no NaNs here."""
    bits = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)


def f16(x):
    return np.asarray(x, np.float32).astype(np.float16).astype(np.float32)


def reference(x, axis, log, rnd):
    """x holds values of the narrow type (as float32); returns them as float32."""
    d = rnd(x - x.max(axis=axis, keepdims=True))
    e = rnd(np.exp(d))
    s = rnd(e.sum(axis=axis, keepdims=True, dtype=np.float32))
    return rnd(d - rnd(np.log(s))) if log else rnd(e / s)


def once(x, axis, log, rnd):
    """Softmax in float32, rounded once: what the reference must differ from."""
    d = x - x.max(axis=axis, keepdims=True)
    s = np.exp(d).sum(axis=axis, keepdims=True)
    return rnd(d - np.log(s)) if log else rnd(np.exp(d) / s)


cases = 0
for dtype, code, rnd in (("f16", TP.FLOAT16, f16), ("bf16", TP.BFLOAT16, bf16)):
    for op in ("Softmax", "LogSoftmax"):
        for axis, shape in ((-1, (4, 3, 8)), (0, (6, 5))):
            log = op == "LogSoftmax"
            x = rnd(rng.uniform(-3, 3, shape).astype(np.float32))
            want = reference(x, axis, log, rnd)
            differ = int((want != once(x, axis, log, rnd)).sum())
            assert differ > 0, "no element tells the step-rounded softmax from the float32 one"
            name = "%s_%s_axis%d" % (op.lower(), dtype, axis)
            node = helper.make_node(op, ["x"], ["y"], axis=axis)
            graph = helper.make_graph([node], name, [helper.make_tensor_value_info("x", code, shape)],
                                      [helper.make_tensor_value_info("y", code, shape)])
            onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
                      os.path.join(out, name + ".onnx"))
            if dtype == "f16":
                xs, ys = x.astype(np.float16), want.astype(np.float16)
            else:
                xs = (x.view(np.uint32) >> 16).astype(np.uint16)
                ys = (want.view(np.uint32) >> 16).astype(np.uint16)
            np.save(os.path.join(out, name + "_x.npy"), xs)
            np.save(os.path.join(out, name + "_y.npy"), ys)
            with open(os.path.join(out, name + ".args"), "w") as f:
                f.write("x=%s -- y=%s" % (os.path.join(out, name + "_x.npy"),
                                          os.path.join(out, name + "_y.npy")))
            cases += 1


def layer_norm(x, scale, bias, rnd, once):
    """Over the last axis, epsilon 1e-5; `once`: all in float32, rounded at the end."""
    d = x - x.mean(-1, keepdims=True)
    normalized = d / np.sqrt((d * d).mean(-1, keepdims=True) + np.float32(1e-5))
    if once:
        return rnd(normalized * scale + bias)
    return rnd(rnd(rnd(normalized) * scale) + bias)


for dtype, code, rnd in (("f16", TP.FLOAT16, f16), ("bf16", TP.BFLOAT16, bf16)):
    x = rnd(rng.uniform(-3, 3, (6, 16)).astype(np.float32))
    scale = rnd(rng.uniform(0.5, 2, 16).astype(np.float32))
    bias = rnd(rng.uniform(-1, 1, 16).astype(np.float32))
    want = layer_norm(x, scale, bias, rnd, False)
    assert (want != layer_norm(x, scale, bias, rnd, True)).any(), "no element tells them apart"
    name = "layernorm_%s" % dtype
    node = helper.make_node("LayerNormalization", ["x", "s", "b"], ["y"], axis=-1)
    graph = helper.make_graph([node], name, [helper.make_tensor_value_info(k, code, v.shape)
                                             for k, v in (("x", x), ("s", scale), ("b", bias))],
                              [helper.make_tensor_value_info("y", code, x.shape)])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              os.path.join(out, name + ".onnx"))
    args = []
    for k, v in (("x", x), ("s", scale), ("b", bias), ("--", None), ("y", want)):
        if v is None:
            args.append("--")
            continue
        path = os.path.join(out, "%s_%s.npy" % (name, k))
        np.save(path, v.astype(np.float16) if dtype == "f16" else
                (v.view(np.uint32) >> 16).astype(np.uint16))
        args.append("%s=%s" % (k, path))
    with open(os.path.join(out, name + ".args"), "w") as f:
        f.write(" ".join(args))
    cases += 1
print("%d references, each differing from float32 rounded once" % cases)
