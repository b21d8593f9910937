"""Models, inputs and NumPy references (written from the ONNX operator text) for
elementwise-ops.test: the trigonometric and hyperbolic ops, BitwiseAnd/Or/Xor/Not and BitShift.
Writes into argv[1] as onnx_cases.writer does."""
import sys

import numpy as np

import onnx_cases

out = sys.argv[1]
rng = np.random.default_rng(12)
case = onnx_cases.writer(out)

unit = rng.uniform(-0.95, 0.95, (3, 4))
wide = rng.uniform(-3, 3, (3, 4))
for op, opset, x, ref in [("Acos", 7, unit, np.arccos), ("Asin", 7, unit, np.arcsin),
                          ("Atan", 7, wide * 3, np.arctan), ("Tan", 7, unit * 1.5, np.tan),
                          ("Sinh", 9, wide, np.sinh), ("Cosh", 9, wide, np.cosh),
                          ("Acosh", 9, 1 + np.abs(wide) * 3, np.arccosh),
                          ("Asinh", 9, wide * 3, np.arcsinh), ("Atanh", 9, unit, np.arctanh)]:
    for dtype in (np.float32, np.float64):
        v = x.astype(dtype)
        case("%s_%s" % (op.lower(), np.dtype(dtype).name), op, [("x", v)],
             [("y", ref(v.astype(np.float64)).astype(dtype))], opset=opset)

# Bitwise ops on every integer type ONNX allows them for (opset 18).
for dtype in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64):
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max, (2, 3), dtype=dtype, endpoint=True)
    b = rng.integers(info.min, info.max, (3,), dtype=dtype, endpoint=True)
    name = np.dtype(dtype).name
    case("bitwise_and_" + name, "BitwiseAnd", [("a", a), ("b", b)], [("y", a & b)])
    case("bitwise_or_" + name, "BitwiseOr", [("a", a), ("b", b)], [("y", a | b)])
    case("bitwise_xor_" + name, "BitwiseXor", [("a", a), ("b", b)], [("y", a ^ b)])
    case("bitwise_not_" + name, "BitwiseNot", [("a", a)], [("y", ~a)])

# BitShift on the unsigned types (opset 11): shifts by the bit width or more give 0.
for dtype in (np.uint8, np.uint16, np.uint32, np.uint64):
    width = np.iinfo(dtype).bits
    x = np.array([1, 3, np.iinfo(dtype).max, 0x80, 7, 200], dtype)
    n = np.array([0, 1, 3, 7, width - 1, width + 2], dtype)
    ok = n < width
    safe = np.where(ok, n, 0).astype(dtype)
    left = np.where(ok, x << safe, 0).astype(dtype)
    right = np.where(ok, x >> safe, 0).astype(dtype)
    name = np.dtype(dtype).name
    case("bitshift_left_" + name, "BitShift", [("x", x), ("n", n)], [("y", left)], opset=11,
         direction="LEFT")
    case("bitshift_right_" + name, "BitShift", [("x", x), ("n", n)], [("y", right)], opset=11,
         direction="RIGHT")
    # A scalar amount broadcasts.
    case("bitshift_right_scalar_" + name, "BitShift", [("x", x), ("n", np.array(2, dtype))],
         [("y", (x >> dtype(2)).astype(dtype))], opset=11, direction="RIGHT")
