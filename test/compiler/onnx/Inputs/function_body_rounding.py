"""Models, inputs and NumPy references for softmax-rounding.test: Softmax and LogSoftmax on float16
and bfloat16, computed as ONNX defines them. Their function body is ReduceMax, Sub, Exp, ReduceSum,
Div (LogSoftmax: ReduceMax, Sub, Exp, ReduceSum, Log, Sub), each node's result of the input's type,
so each step is rounded to float16 / bfloat16 here; the sum accumulates in float32 and is rounded
once (ReduceSum leaves its accumulation to the implementation). onnx's reference runtime computes
float16 the same way, so the Attention node tests' float16 outputs match this bit for bit.

Each case's inputs are chosen so the reference differs from softmax computed in float32 and rounded
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
print("%d references, each differing from float32 rounded once" % cases)
