"""Models, inputs and NumPy references for signal-ops.test: DFT (opsets 17 and 20) and STFT
(opset 17). The references follow the operator text: the DFT's sum over e^(-2 pi i k n / L)
(inverse: e^(+...) / L), dft_length zero-padding or truncating the signal, onesided keeping
bins 0..L/2 of a real input, and onnx 1.23's inverse onesided (IRFFT) turning bins 0..L/2 of a
Hermitian spectrum into a real signal of length L. They use numpy.fft, an FFT, not the direct
sum Kiln computes. STFT: frames of frame_length samples every frame_step, times the window,
each transformed. Writes the files run_composite_ops.py reads into argv[1] and prints how many
cases it wrote."""
import sys

import numpy as np

import onnx_cases

out = sys.argv[1]
rng = np.random.default_rng(17)
write = onnx_cases.writer(out)
cases = 0


def case(name, op, inputs, want, opset, constants=(), **attrs):
    """`constants`: the inputs written as initializers; an input named "" is omitted."""
    global cases
    write(name, op, inputs, [("y", want)], opset=opset,
          initializers=[(n, a) for n, a in inputs if n in constants], **attrs)
    cases += 1


def uniform(*shape, dtype=np.float32):
    return rng.uniform(-1, 1, shape).astype(dtype)


def as_complex(x):
    """[..., 1] or [..., 2] -> complex [...]."""
    return x[..., 0] + 1j * x[..., 1] if x.shape[-1] == 2 else x[..., 0].astype(np.complex128)


def as_parts(z, dtype):
    return np.stack([z.real, z.imag], axis=-1).astype(dtype)


def dft(x, axis, length=None, inverse=False, onesided=False):
    z = as_complex(x.astype(np.float64))
    axis = axis % x.ndim
    if inverse and onesided:
        length = length or 2 * (x.shape[axis] - 1)
        return np.fft.irfft(z, n=length, axis=axis)[..., None].astype(x.dtype)
    length = length or x.shape[axis]
    y = np.fft.ifft(z, n=length, axis=axis) if inverse else np.fft.fft(z, n=length, axis=axis)
    if onesided:
        y = np.take(y, np.arange(length // 2 + 1), axis=axis)
    return as_parts(y, x.dtype)


def i64(v):
    return np.array(v, dtype=np.int64)


# Opset 17: the axis is an attribute (default 1).
x = uniform(2, 5, 3, 1)
case("dft17_real_default_axis", "DFT", [("x", x)], dft(x, 1), 17)
x = uniform(2, 5, 3, 2)
case("dft17_complex_axis2_inverse", "DFT", [("x", x)], dft(x, 2, inverse=True), 17, axis=2,
     inverse=1)
x = uniform(3, 6, 1)
case("dft17_onesided_padded_f64", "DFT", [("x", x.astype(np.float64)), ("n", i64(9))],
     dft(x.astype(np.float64), 1, length=9, onesided=True), 17, constants=("n",), axis=-2,
     onesided=1)
# Opset 20: the axis is an input (default -2); dft_length shorter than the axis reads a prefix.
x = uniform(4, 7, 2)
case("dft20_default_axis_truncated", "DFT", [("x", x), ("n", i64(5))], dft(x, -2, length=5), 20,
     constants=("n",))
x = uniform(6, 2, 3, 2)
case("dft20_axis0_inverse", "DFT", [("x", x), ("", None), ("a", i64(0))],
     dft(x, 0, inverse=True), 20, constants=("a",), inverse=1)
x = uniform(2, 8, 1)
case("dft20_rfft_even", "DFT", [("x", x), ("", None), ("a", i64(-2))],
     dft(x, -2, onesided=True), 20, constants=("a",), onesided=1)
# IRFFT: 5 bins -> 8 samples by default; a dft_length of 7 (odd: no Nyquist bin) reads 4 bins.
x = as_parts(np.fft.rfft(rng.uniform(-1, 1, (3, 8)), axis=1), np.float32)
case("dft20_irfft_default_length", "DFT", [("x", x), ("", None), ("a", i64(1))],
     dft(x, 1, inverse=True, onesided=True), 20, constants=("a",), inverse=1, onesided=1)
case("dft20_irfft_odd_length", "DFT", [("x", x), ("n", i64(7)), ("a", i64(1))],
     dft(x, 1, length=7, inverse=True, onesided=True), 20, constants=("n", "a"), inverse=1,
     onesided=1)
x = uniform(2, 3, 4, 2).astype(np.float64)
case("dft20_complex_f64_axis1", "DFT", [("x", x), ("", None), ("a", i64(1))], dft(x, 1), 20,
     constants=("a",))


def stft(signal, step, window=None, length=None, onesided=True):
    length = length or (len(window) if window is not None else signal.shape[1])
    window = np.ones(length) if window is None else window.astype(np.float64)
    z = as_complex(signal.astype(np.float64))
    frames = 1 + (signal.shape[1] - length) // step
    y = np.stack([np.fft.fft(z[:, f * step:f * step + length] * window, axis=1)
                  for f in range(frames)], axis=1)
    if onesided:
        y = y[:, :, :length // 2 + 1]
    return as_parts(y, signal.dtype)


s = uniform(2, 20, 1)
w = np.hanning(6).astype(np.float32)
case("stft_window_onesided", "STFT", [("s", s), ("step", i64(3)), ("w", w)],
     stft(s, 3, window=w), 17, constants=("step",))
case("stft_length_no_window_twosided", "STFT",
     [("s", s), ("step", i64(4)), ("", None), ("l", i64(5))],
     stft(s, 4, length=5, onesided=False), 17, constants=("step", "l"), onesided=0)
s = uniform(1, 9, 2)
w = uniform(4)
case("stft_complex_window_and_length", "STFT",
     [("s", s), ("step", i64(2)), ("w", w), ("l", i64(4))],
     stft(s, 2, window=w, length=4, onesided=False), 17, constants=("step", "l"), onesided=0)

print("%d cases" % cases)
