"""Every float8 bit pattern of each format through Kiln, against ml_dtypes (an independent reference).

usage: float8_conversions.py KILN WORK

For each format (float8e4m3fn, float8e4m3fnuz, float8e5m2, float8e5m2fnuz) one ONNX model, compiled with
`kiln compile` and run with `kiln run` (float8 travels as its bit patterns, '|u1'):
  - all 256 bit patterns -> float32, float16, float64 and int32 (Cast);
  - float32 -> float8, with and without `saturate`, on every float8 value, each midpoint between
    neighbours (exact ties: round half to even) and the floats just beside them, values past the largest
    finite one, infinities, NaN, zeros and float32 subnormals; the same values from float16 (those it
    holds), float64 and bfloat16 (those it holds), and int32 -> float8;
  - float8 -> float8 of every other format;
  - QuantizeLinear to float8 (saturating or not) and DequantizeLinear from it.
The same float32 -> float8 casts on a constant (folded at compile time, by the folders' evaluator) must
give the same bits. Prints "OK <name>" per output; exits 1 at the first difference, naming the inputs.
"""
import os
import subprocess
import sys

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

KILN, WORK = sys.argv[1:3]

FORMATS = [
    ("e4m3fn", TensorProto.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn),
    ("e4m3fnuz", TensorProto.FLOAT8E4M3FNUZ, ml_dtypes.float8_e4m3fnuz),
    ("e5m2", TensorProto.FLOAT8E5M2, ml_dtypes.float8_e5m2),
    ("e5m2fnuz", TensorProto.FLOAT8E5M2FNUZ, ml_dtypes.float8_e5m2fnuz),
]
ALL_BITS = np.arange(256, dtype=np.uint8)


def probes(f8):
    """float32 values that exercise every rounding decision of `f8`."""
    values = np.sort(np.unique(ALL_BITS.view(f8).astype(np.float32)))
    values = values[~np.isnan(values)]
    mids = (values[:-1].astype(np.float64) + values[1:]) / 2  # exact in float32: one more bit
    mids = mids.astype(np.float32)
    beside = np.concatenate([np.nextafter(mids, np.float32(np.inf)), np.nextafter(mids, np.float32(-np.inf))])
    largest = float(ml_dtypes.finfo(f8).max)
    extra = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1e-45, -1e-45, 1e-40, 3e38, -3e38,
                      largest * 1.0625, -largest * 1.0625, largest * 1.125, largest * 1.25, largest * 2,
                      largest * 1.0625 * (1 + 2 ** -20), 1e10, -1e10], np.float32)
    return np.concatenate([values, mids, beside, extra]).astype(np.float32)


def reference(x, f8, saturate):
    if saturate:
        largest = ml_dtypes.finfo(f8).max
        x = np.clip(x, -largest, largest)  # NaN stays NaN, infinities become the largest value
    return x.astype(f8).view(np.uint8)


def same_float8(got, want, f8):
    """Bit for bit, except that any NaN matches any NaN."""
    got_nan = np.isnan(got.view(f8).astype(np.float32))
    want_nan = np.isnan(want.view(f8).astype(np.float32))
    return np.array_equal(got_nan, want_nan) and np.array_equal(got[~want_nan], want[~want_nan])


def build(name, code, f8, x32, folded):
    """(model, inputs, expected): `folded` makes the float32 probes an initializer (compile-time fold)."""
    n = len(x32)
    x16 = x32.astype(np.float16)
    keep16 = x16.astype(np.float32) == x32  # the probes float16 holds
    xbf = x32.astype(ml_dtypes.bfloat16)
    keepbf = xbf.astype(np.float32) == x32
    x64 = x32.astype(np.float64)
    ints = np.array([0, 1, -1, 7, 17, -17, 100, 230, 250, 300, 447, 449, 460, 470, 1000, 57344, 61440,
                     65536, -65536, 2 ** 31 - 1, -2 ** 31], np.int32)
    nodes, inputs, outputs, initializers = [], [], [], []
    feeds, expected = {}, {}

    def inp(iname, elem, array):
        if folded and iname == "x32":
            initializers.append(numpy_helper.from_array(array, iname))
            return
        inputs.append(helper.make_tensor_value_info(iname, elem, array.shape))
        feeds[iname] = array

    def out(oname, elem, shape, want):
        outputs.append(helper.make_tensor_value_info(oname, elem, shape))
        expected[oname] = want

    def cast(src, dst, to, **attrs):
        nodes.append(helper.make_node("Cast", [src], [dst], to=to, **attrs))

    inp("x32", TensorProto.FLOAT, x32)
    for sat in (1, 0):
        cast("x32", "to8_sat%d" % sat, code, saturate=sat)
        out("to8_sat%d" % sat, code, [n], ("f8", reference(x32, f8, sat)))
    if not folded:
        inp("bits", code, ALL_BITS)
        inp("x16", TensorProto.FLOAT16, x16[keep16])
        inp("x64", TensorProto.DOUBLE, x64)
        inp("xbf", TensorProto.BFLOAT16, xbf[keepbf].view(np.uint16))
        inp("ints", TensorProto.INT32, ints)
        decoded = ALL_BITS.view(f8)
        for oname, to, np_type in (("as32", TensorProto.FLOAT, np.float32), ("as16", TensorProto.FLOAT16,
                                   np.float16), ("as64", TensorProto.DOUBLE, np.float64)):
            cast("bits", oname, to)
            out(oname, to, [256], ("float", decoded.astype(np_type)))
        # float8 -> int32: toward zero; NaN gives 0 and e5m2's infinities saturate, as every Kiln float
        # -> int cast does (the ONNX text leaves them undefined; ml_dtypes gives INT_MIN).
        finite = decoded.astype(np.float64)
        as_int = np.where(np.isnan(finite), 0, np.clip(np.trunc(np.nan_to_num(finite, posinf=2 ** 31 - 1,
                          neginf=-2 ** 31)), -2 ** 31, 2 ** 31 - 1)).astype(np.int32)
        cast("bits", "asint", TensorProto.INT32)
        out("asint", TensorProto.INT32, [256], ("exact", as_int))
        for sat in (1, 0):
            for src, values in (("x16", x32[keep16]), ("x64", x32), ("xbf", x32[keepbf]),
                                ("ints", ints.astype(np.float64))):
                oname = "%s_to8_sat%d" % (src, sat)
                cast(src, oname, code, saturate=sat)
                want = reference(values.astype(np.float64 if src in ("x64", "ints") else np.float32), f8,
                                 sat)
                out(oname, code, [len(values)], ("f8", want))
        # QuantizeLinear: x / scale, rounded once to the float8 type (the zero point's), saturating or
        # not; DequantizeLinear: the value times the scale, in float32.
        initializers.append(helper.make_tensor("scale", TensorProto.FLOAT, [], [4.0]))
        initializers.append(helper.make_tensor("zp", code, [], [0.0]))
        for sat in (1, 0):
            oname = "quantize_sat%d" % sat
            nodes.append(helper.make_node("QuantizeLinear", ["x32", "scale", "zp"], [oname], saturate=sat))
            out(oname, code, [n], ("f8", reference(x32 / np.float32(4.0), f8, sat)))
        nodes.append(helper.make_node("DequantizeLinear", ["bits", "scale", "zp"], ["dequantize"]))
        out("dequantize", TensorProto.FLOAT, [256], ("float", decoded.astype(np.float32) * np.float32(4.0)))
        for other, other_code, other_f8 in FORMATS:
            if other == name:
                continue
            for sat in (1, 0):
                oname = "to_%s_sat%d" % (other, sat)
                cast("bits", oname, other_code, saturate=sat)
                out(oname, other_code, [256],
                    ("f8", reference(decoded.astype(np.float32), other_f8, sat), other_f8))
    graph = helper.make_graph(nodes, "float8_" + name, inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    return model, feeds, expected


def run(model_path, artifact, feeds):
    subprocess.run([KILN, "compile", model_path, "-o", artifact], check=True)
    args = [KILN, "run", artifact, "--output-dir", os.path.join(artifact, "out")]
    for name, value in feeds.items():
        path = os.path.join(artifact, name + ".npy")
        np.save(path, value)
        args += ["--input", "%s=%s" % (name, path)]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return lambda oname: np.load(os.path.join(artifact, "out", oname + ".npy"))


def compare(label, got, want, f8, inputs):
    kind = want[0]
    if kind == "f8":
        target = want[2] if len(want) > 2 else f8
        ok = got.dtype == np.uint8 and same_float8(got, want[1], target)
    elif kind == "float":
        ok = got.dtype == want[1].dtype and np.array_equal(got, want[1], equal_nan=True)
    else:
        ok = got.dtype == want[1].dtype and np.array_equal(got, want[1])
    if not ok:
        bad = np.nonzero(got != want[1])[0][:8] if got.shape == want[1].shape else []
        sys.exit("%s differs at %s: got %s, expected %s (inputs %s)" % (
            label, list(bad), got[bad].tolist() if len(bad) else got.dtype,
            want[1][bad].tolist() if len(bad) else want[1].dtype,
            inputs[bad].tolist() if len(bad) and inputs is not None and len(inputs) == len(got) else "-"))
    print("OK", label)


for name, code, f8 in FORMATS:
    x32 = probes(f8)
    for folded in (False, True):
        model, feeds, expected = build(name, code, f8, x32, folded)
        tag = name + ("_folded" if folded else "")
        path = os.path.join(WORK, tag + ".onnx")
        onnx.save(model, path)
        load = run(path, os.path.join(WORK, tag), feeds)
        for oname, want in expected.items():
            source = x32 if oname.startswith(("to8", "quantize")) else \
                ALL_BITS if oname.startswith(("as", "to_", "dequantize")) else None
            compare("%s %s" % (tag, oname), load(oname), want, f8, source)
