"""int4, uint4, int2 and uint2 through Kiln, against NumPy and ml_dtypes.

usage: packed_ints.py KILN WORK

One ONNX model per type, compiled with `kiln compile` and run with `kiln run` (packed tensors travel one
value per byte in .npy files, int8 for the signed types, uint8 for the unsigned; the artifact's buffers
hold them packed, as ONNX does):
  - every value of the type (an odd count, so the last packed byte is half used) -> float32, float16,
    int8/uint8 and int32 (Cast), and back out unchanged (the input's packing and the output's);
  - float32 -> the type: toward zero, then the low bits (as ml_dtypes does within int32's range);
    int32 and int8 -> the type: the low bits;
  - QuantizeLinear (round half to even, + zero point, saturated) and DequantizeLinear (- zero point,
    x scale), per tensor and per axis;
  - initializers in raw_data and in int32_data (one packed byte per value), folded into an int32 cast.
Prints "OK <type> <output>" per output; exits 1 at the first difference.
"""
import os
import subprocess
import sys

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto, helper

KILN, WORK = sys.argv[1:3]

# name, TensorProto code (INT2/UINT2 by number: onnx 1.17 does not name them), bits, signed, ml_dtypes type
TYPES = [
    ("int4", TensorProto.INT4, 4, True, ml_dtypes.int4),
    ("uint4", TensorProto.UINT4, 4, False, ml_dtypes.uint4),
    ("int2", 26, 2, True, ml_dtypes.int2),
    ("uint2", 25, 2, False, ml_dtypes.uint2),
]


def pack(values, bits):
    """ONNX's packing: element i in bits (i % n) * bits of byte i / n, lowest first."""
    per = 8 // bits
    flat = (values.astype(np.int64).ravel() & ((1 << bits) - 1))
    out = np.zeros((len(flat) + per - 1) // per, np.uint8)
    for i, v in enumerate(flat):
        out[i // per] |= v << (i % per * bits)
    return out


def packed_tensor(name, code, values, bits, raw):
    t = TensorProto()
    t.name, t.data_type = name, code
    t.dims.extend(values.shape)
    packed = pack(values, bits)
    if raw:
        t.raw_data = packed.tobytes()
    else:
        t.int32_data.extend(int(b) for b in packed)
    return t


def build(name, code, bits, signed, mld):
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    carrier = np.int8 if signed else np.uint8
    every = np.arange(lo, hi + 1, dtype=carrier)
    if len(every) % 2 == 0:  # an odd count: the last packed byte is partly padding
        every = np.concatenate([every, every[:1]])
    n = len(every)
    floats = np.array([0.0, 0.4, -0.4, 1.5, -1.5, 2.7, -2.7, 7.9, -8.9, 9.0, 15.5, 16.0, -17.0, 100.0,
                       1e6, -1e6, np.nan, np.inf, -np.inf], np.float32)
    ints = np.array([0, 1, -1, 5, -9, 8, 15, 16, 17, 255, -256, 1000, 2 ** 31 - 1, -2 ** 31], np.int32)
    x = np.array([[0.0, 2.5, 4.8, 8.6], [-30.0, -20.0, 6.0, 9.0], [12.0, 15.0, 16.0, 40.0]], np.float32)
    scale = np.array([2.0, 3.0, 4.0], np.float32)
    zp = np.array([1, 0, 1], carrier) if hi >= 1 else np.array([0, 0, 0], carrier)
    nodes, inputs, outputs, inits = [], [], [], []
    feeds, expected = {}, {}

    def inp(iname, elem, array, shape=None):
        inputs.append(helper.make_tensor_value_info(iname, elem, list(shape or array.shape)))
        feeds[iname] = array

    def out(oname, elem, want):
        outputs.append(helper.make_tensor_value_info(oname, elem, list(want.shape)))
        expected[oname] = want

    def node(op, ins, outs, **attrs):
        nodes.append(helper.make_node(op, ins, outs, **attrs))

    inp("v", code, every)
    inp("f", TensorProto.FLOAT, floats)
    inp("i", TensorProto.INT32, ints)
    inp("x", TensorProto.FLOAT, x)
    inp("zp", code, zp)
    # Casts from the type: exact.
    node("Identity", ["v"], ["same"])
    out("same", code, every)
    for oname, to, np_type in (("f32", TensorProto.FLOAT, np.float32), ("f16", TensorProto.FLOAT16, np.float16),
                               ("i32", TensorProto.INT32, np.int32),
                               ("wide", TensorProto.INT8 if signed else TensorProto.UINT8, carrier)):
        node("Cast", ["v"], [oname], to=to)
        out(oname, to, every.astype(np_type))
    # Casts to the type: the low bits of Kiln's float -> int32 conversion (toward zero, saturating, NaN
    # gives 0), which is ml_dtypes' (onnx 1.23's reference) within int32's range.
    node("Cast", ["f"], ["from_f"], to=code)
    toward_zero = np.clip(np.trunc(np.nan_to_num(floats, nan=0.0, posinf=2.0 ** 40, neginf=-2.0 ** 40)),
                          -2 ** 31, 2 ** 31 - 1).astype(np.int64)
    want = (toward_zero & ((1 << bits) - 1))
    if signed:
        want = np.where(want > hi, want - (1 << bits), want)
    out("from_f", code, want.astype(carrier))
    assert np.array_equal(want[np.isfinite(floats) & (np.abs(floats) < 1e5)],
                          floats[np.isfinite(floats) & (np.abs(floats) < 1e5)].astype(mld).astype(carrier))
    node("Cast", ["i"], ["from_i"], to=code)
    out("from_i", code, ints.astype(mld).astype(carrier))
    # QuantizeLinear / DequantizeLinear, per axis 0, with a zero point.
    node("QuantizeLinear", ["x", "scale", "zp"], ["q"], axis=0)
    q = np.clip(np.rint(x / scale[:, None]).astype(np.int32) + zp[:, None].astype(np.int32), lo, hi)
    out("q", code, q.astype(carrier))
    node("DequantizeLinear", ["v", "s1"], ["dq"])
    out("dq", TensorProto.FLOAT, (every.astype(np.float32) * np.float32(0.5)))
    inits.append(helper.make_tensor("scale", TensorProto.FLOAT, [3], scale))
    inits.append(helper.make_tensor("s1", TensorProto.FLOAT, [], [0.5]))
    # Initializers, raw and typed, folded into casts at compile time.
    for raw in (True, False):
        iname = "w_raw" if raw else "w_typed"
        inits.append(packed_tensor(iname, code, every, bits, raw))
        node("Cast", [iname], [iname + "_i32"], to=TensorProto.INT32)
        out(iname + "_i32", TensorProto.INT32, every.astype(np.int32))
    graph = helper.make_graph(nodes, "packed_" + name, inputs, outputs, inits)
    opset = 25 if bits == 2 else 21
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    return model, feeds, expected


for name, code, bits, signed, mld in TYPES:
    model, feeds, expected = build(name, code, bits, signed, mld)
    path = os.path.join(WORK, name + ".onnx")
    onnx.save(model, path)
    artifact = os.path.join(WORK, name)
    subprocess.run([KILN, "compile", path, "-o", artifact], check=True)
    args = [KILN, "run", artifact, "--output-dir", os.path.join(artifact, "out")]
    for iname, value in feeds.items():
        npy = os.path.join(artifact, iname + ".npy")
        np.save(npy, value)
        args += ["--input", "%s=%s" % (iname, npy)]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    for oname, want in expected.items():
        got = np.load(os.path.join(artifact, "out", oname + ".npy"))
        same = got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want)
        if not same:
            sys.exit("%s %s: got %s %s, expected %s %s" % (name, oname, got.dtype, got.tolist(), want.dtype,
                                                           want.tolist()))
        print("OK", name, oname)
    # A value outside the type's range is refused, naming the input and the element.
    bad = feeds["v"].copy()
    bad[1] = 9 if signed else 16
    np.save(os.path.join(artifact, "bad.npy"), bad)
    args = [a if not a.startswith("v=") else "v=" + os.path.join(artifact, "bad.npy") for a in args]
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode != 1 or "element 1 is %d, outside %s's range" % (bad[1], name) not in proc.stderr:
        sys.exit("%s: out-of-range input: exit %d, %s" % (name, proc.returncode, proc.stderr))
    print("OK", name, "refuses", proc.stderr.strip().split(": ", 1)[1])
