"""Models, inputs and NumPy references (written from the ONNX operator text) for
quantization-ops.test: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger and
QLinearMatMul. Writes into argv[1] as onnx_cases.writer does."""
import sys

import numpy as np

import onnx_cases

out = sys.argv[1]
rng = np.random.default_rng(13)
case = onnx_cases.writer(out)


def saturate(v, dtype):
    info = np.iinfo(dtype)
    return np.clip(v, info.min, info.max).astype(dtype)


def quantize(x, scale, zp, dtype):
    """y = saturate(round(x / y_scale) + y_zero_point), rounding half to even."""
    return saturate(np.rint(x / scale) + zp.astype(np.int64), dtype)


# Per tensor to uint8 (the default type): ties round to even, both ends saturate.
x = np.array([[0.0, 0.25, 0.75, -0.25, 1.25, 300.0], [-300.0, 2.5, -2.5, 3.5, 0.049, 1e9]],
             np.float32)
s = np.array(0.5, np.float32)
case("quantize_u8_default", "QuantizeLinear", [("x", x), ("s", s)],
     [("y", quantize(x, s, np.uint8(0), np.uint8))], opset=10, initializers=[("s", s)])
zp = np.array(128, np.uint8)
case("quantize_u8_zp", "QuantizeLinear", [("x", x), ("s", s), ("zp", zp)],
     [("y", quantize(x, s, zp, np.uint8))], opset=10, initializers=[("s", s), ("zp", zp)])
# Per axis (opset 13) to int8 and int16 (opset 21).
xa = rng.uniform(-40, 40, (2, 3, 4)).astype(np.float32)
sa = np.array([0.1, 0.25, 0.3], np.float32)
za = np.array([-3, 0, 7], np.int8)
case("quantize_i8_axis", "QuantizeLinear", [("x", xa), ("s", sa), ("zp", za)],
     [("y", quantize(xa, sa.reshape(1, 3, 1), za.reshape(1, 3, 1), np.int8))], opset=13, axis=1,
     initializers=[("s", sa), ("zp", za)])
z16 = np.array([-300, 5, 1000], np.int16)
case("quantize_i16_axis", "QuantizeLinear", [("x", xa * 100), ("s", sa), ("zp", z16)],
     [("y", quantize(xa * 100, sa.reshape(1, 3, 1), z16.reshape(1, 3, 1), np.int16))], opset=21,
     axis=-2, initializers=[("s", sa), ("zp", z16)])
# Blocks of 2 along the last axis (opset 21), uint16 from output_dtype.
sb = rng.uniform(0.001, 0.01, (2, 3, 2)).astype(np.float32)
case("quantize_u16_blocked", "QuantizeLinear", [("x", xa), ("s", sb)],
     [("y", quantize(xa, np.repeat(sb, 2, axis=2), np.uint16(0), np.uint16))], opset=21, axis=2,
     block_size=2, output_dtype=4, initializers=[("s", sb)])
# float16 input and scale: the division in float16.
xh = rng.uniform(-10, 10, (8,)).astype(np.float16)
sh = np.array(0.07, np.float16)
case("quantize_f16", "QuantizeLinear", [("x", xh), ("s", sh), ("zp", np.array(-5, np.int8))],
     [("y", quantize((xh / sh).astype(np.float16), 1, np.int8(-5), np.int8))], opset=19,
     initializers=[("s", sh), ("zp", np.array(-5, np.int8))])

# DequantizeLinear: y = (x - x_zero_point) * x_scale.
q8 = rng.integers(0, 256, (2, 3, 4), dtype=np.uint8)
case("dequantize_u8", "DequantizeLinear", [("x", q8), ("s", s), ("zp", zp)],
     [("y", ((q8.astype(np.int32) - 128) * s).astype(np.float32))], opset=10,
     initializers=[("s", s), ("zp", zp)])
qi = rng.integers(-128, 128, (2, 3, 4), dtype=np.int8)
case("dequantize_i8_axis", "DequantizeLinear", [("x", qi), ("s", sa), ("zp", za)],
     [("y", ((qi.astype(np.int32) - za.reshape(1, 3, 1)) * sa.reshape(1, 3, 1)).astype(np.float32))],
     opset=13, axis=1, initializers=[("s", sa), ("zp", za)])
q32 = np.array([-2147483000, -5, 0, 7, 2147483000], np.int32)
case("dequantize_i32", "DequantizeLinear", [("x", q32), ("s", np.array(0.5, np.float32))],
     [("y", (q32.astype(np.float64) * 0.5).astype(np.float32))], opset=13,
     initializers=[("s", np.array(0.5, np.float32))])
case("dequantize_blocked", "DequantizeLinear", [("x", qi), ("s", sb)],
     [("y", (qi.astype(np.int32) * np.repeat(sb, 2, axis=2)).astype(np.float32))], opset=21,
     axis=2, block_size=2, initializers=[("s", sb)])

# MatMulInteger: (A - a_zero_point) x (B - b_zero_point) in int32; a per-row zero point.
a = rng.integers(0, 256, (3, 5), dtype=np.uint8)
b = rng.integers(0, 256, (5, 4), dtype=np.uint8)
azp = np.array([10, 200, 0], np.uint8)
bzp = np.array(128, np.uint8)
ref = (a.astype(np.int32) - azp.astype(np.int32).reshape(3, 1)) @ (b.astype(np.int32) - 128)
case("matmul_integer_u8", "MatMulInteger", [("a", a), ("b", b), ("azp", azp), ("bzp", bzp)],
     [("y", ref.astype(np.int32))], opset=10, initializers=[("azp", azp), ("bzp", bzp)])
ai = rng.integers(-128, 128, (2, 3, 5), dtype=np.int8)
bi = rng.integers(-128, 128, (5, 4), dtype=np.int8)
case("matmul_integer_i8_batched", "MatMulInteger", [("a", ai), ("b", bi)],
     [("y", (ai.astype(np.int32) @ bi.astype(np.int32)).astype(np.int32))], opset=10)

# QLinearMatMul: saturate(round(acc * a_scale * b_scale / y_scale) + y_zero_point).
for dtype in (np.uint8, np.int8):
    info = np.iinfo(dtype)
    qa = rng.integers(info.min, info.max, (2, 3, 5), dtype=dtype, endpoint=True)
    qb = rng.integers(info.min, info.max, (5, 4), dtype=dtype, endpoint=True)
    a_s, b_s, y_s = (np.array(v, np.float32) for v in (0.02, 0.015, 0.05))
    a_z, b_z, y_z = (np.array(v, dtype) for v in ((3, -3)[dtype == np.int8], 100 * (dtype == np.uint8), 5))
    acc = (qa.astype(np.int64) - a_z) @ (qb.astype(np.int64) - b_z)
    factor = (a_s * b_s / y_s).astype(np.float32)
    y = saturate(np.rint(acc * np.float64(factor)) + y_z, dtype)
    name = np.dtype(dtype).name
    inits = [("a_s", a_s), ("a_z", a_z), ("b_s", b_s), ("b_z", b_z), ("y_s", y_s), ("y_z", y_z)]
    case("qlinear_matmul_" + name, "QLinearMatMul",
         [("a", qa), ("a_s", a_s), ("a_z", a_z), ("b", qb), ("b_s", b_s), ("b_z", b_z),
          ("y_s", y_s), ("y_z", y_z)], [("y", y)], opset=10, initializers=inits)

# DynamicQuantizeLinear: the range of x extended to 0, 255 steps.
for name, xd in [("mixed", rng.uniform(-3, 5, (3, 4)).astype(np.float32)),
                 ("positive", rng.uniform(0.5, 2, (6,)).astype(np.float32))]:
    lo, hi = min(0.0, xd.min()), max(0.0, xd.max())
    scale = np.float32((np.float32(hi) - np.float32(lo)) / np.float32(255))
    zpd = np.uint8(np.clip(np.rint(np.float32(0) - np.float32(lo) / scale), 0, 255))
    yd = saturate(np.rint(xd / scale) + np.int64(zpd), np.uint8)
    case("dynamic_quantize_" + name, "DynamicQuantizeLinear", [("x", xd)],
         [("y", yd), ("y_scale", np.array(scale, np.float32)), ("y_zero_point", np.array(zpd))],
         opset=11)
