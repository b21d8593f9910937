"""Inputs and NumPy references for constant-inputs.test, written into the folder argv[1]."""
import os
import sys

import numpy as np

out = sys.argv[1]


def save(name, value):
    np.save(os.path.join(out, name + ".npy"), value)


x = np.array([-3, 0.5, 2, 7, np.nan], np.float32)
m = np.array(1.0, np.float32)
save("clip_x", x)
save("clip_m", m)
save("clip_y", np.minimum(np.maximum(x, m), np.float32(4)))

px = np.array([[1, 2], [3, 4]], np.float32)
v = np.array(-9.5, np.float32)
save("pad_x", px)
save("pad_v", v)
save("pad_y", np.pad(px, [(1, 0), (0, 2)], constant_values=v))

rx = np.arange(6, dtype=np.float32).reshape(2, 3)
save("reshape_x", rx)
save("reshape_s", np.array([3, 2], np.int64))
save("reshape_y", rx.reshape(3, 2))
save("s_i32", np.array([3, 2], np.int32))
save("s_long", np.array([3, 2, 1], np.int64))

# bfloat16 bit patterns (NumPy has no bfloat16): 1.0, 5.0, 1.0; and 16-bit void items, as NumPy
# saves an ml_dtypes.bfloat16 array.
save("bf16_start", np.array(0x3F80, np.uint16))
save("bf16_limit", np.array(0x40A0, np.uint16))
save("bf16_delta", np.array(0x3F80, np.uint16))
save("void_start", np.array(0x3F80, np.uint16).view("V2"))
save("void_shape", np.array([3, 2], np.uint16).view("V2"))
