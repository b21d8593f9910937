"""Inputs and NumPy references for unsigned.test, written into the folder argv[1]. Integer
division by zero gives 0 (Kiln's rule; NumPy's too, with a warning)."""
import os
import sys

import numpy as np

out = sys.argv[1]


def save(name, value):
    np.save(os.path.join(out, name + ".npy"), value)


def div(a, b):
    with np.errstate(divide="ignore"):
        q = np.where(b == 0, 0, a // np.where(b == 0, 1, b))
    return q.astype(a.dtype)


def trunc_div(a, b):
    """C's division, toward zero (NumPy's // floors)."""
    safe = np.where(b == 0, 1, b)
    q = np.abs(a.astype(np.int64)) // np.abs(safe.astype(np.int64))
    q = np.where((a < 0) != (safe < 0), -q, q)
    return np.where(b == 0, 0, q).astype(a.dtype)


a = np.array([200, 3, 255, 0, 129, 7], np.uint8)
b = np.array([3, 0, 1, 5, 128, 200], np.uint8)
f = np.array([0.0, 1.5, 254.9, 255.0, 17.0, 128.0], np.float32)
s = np.array([-1, -128, 0, 1, 127, -2], np.int8)
for name, value in dict(a=a, b=b, f=f, s=s).items():
    save(name, value)
save("q", div(a, b))
save("mx", np.maximum(a, b))
save("mn", np.minimum(a, b))
save("lt", a < b)
save("ge", a >= b)
save("af", a.astype(np.float32))
save("fa", f.astype(np.uint8))
save("rm", np.array(a.max(), np.uint8))
save("am", np.array(a.argmax(), np.int64))
save("cl", np.clip(a, 5, 150).astype(np.uint8))
save("add", (a + b).astype(np.uint8))  # wraps
save("su", s.astype(np.uint16))  # sign-extends, as NumPy does

a16 = np.array([65535, 40000, 7, 0], np.uint16)
b16 = np.array([2, 0, 3, 9], np.uint16)
a32 = np.array([4294967295, 1, 2147483648, 5], np.uint32)
b32 = np.array([1, 4294967295, 2147483647, 5], np.uint32)
a64 = np.array([18446744073709551615, 1, 9223372036854775808, 12], np.uint64)
b64 = np.array([1, 18446744073709551615, 3, 0], np.uint64)
i16 = np.array([-32768, 300, -7, 9], np.int16)
j16 = np.array([-1, -300, 2, 0], np.int16)
for name, value in dict(a16=a16, b16=b16, a32=a32, b32=b32, a64=a64, b64=b64, i16=i16,
                        j16=j16).items():
    save(name, value)
save("q16", div(a16, b16))
save("lt32", a32 < b32)
save("mx64", np.maximum(a64, b64))
save("f64", a64.astype(np.float64))
save("q64", div(a64, b64))
# INT16_MIN / -1 wraps to INT16_MIN (Kiln's rule: no trap).
q = trunc_div(i16, j16)
q[0] = -32768
save("qi16", q)
save("mi16", np.minimum(i16, j16))
save("u32i16", i16.astype(np.uint32))
