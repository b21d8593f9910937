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



def mel_weight_matrix(mels, dft_length, rate, lower, upper, dtype=np.float32):
    """onnx's reference definition (the operator text leaves it to it): num_mel_bins + 2 points
    spaced by (mel(upper) - mel(lower)) / (num_mel_bins + 2) on mel(f) = 2595 log10(1 + f / 700),
    back to hertz, to bin floor((dft_length + 1) f / sample_rate); triangles of peak 1."""
    def mel(f):
        return 2595 * np.log10(1 + f / 700)
    step = (mel(upper) - mel(lower)) / (mels + 2)
    hertz = 700 * (10 ** ((np.arange(mels + 2) * step + mel(lower)) / 2595) - 1)
    points = np.floor((dft_length + 1) * hertz / rate).astype(int)
    w = np.zeros((dft_length // 2 + 1, mels))
    for i in range(mels):
        left, center, right = points[i:i + 3]
        if center == left:
            w[center, i] = 1
        for j in range(left, center + 1 if center > left else left):
            w[j, i] = (j - left) / (center - left)
        for j in range(center, right):
            w[j, i] = (right - j) / (right - center)
    return w.astype(dtype)


def mel_case(name, mels, dft_length, rate, lower, upper, dtype=np.float32, **attrs):
    inputs = [("m", np.array(mels, dtype=np.int64)), ("l", np.array(dft_length, dtype=np.int32)),
              ("r", np.array(rate, dtype=np.int64)), ("lo", np.array(lower, dtype=np.float32)),
              ("hi", np.array(upper, dtype=np.float32))]
    case(name, "MelWeightMatrix", inputs,
         mel_weight_matrix(mels, dft_length, rate, lower, upper, dtype), 17,
         constants=("m", "l", "r", "lo", "hi"), **attrs)


mel_case("mel_16k", 10, 64, 16000, 20.0, 7600.0)
mel_case("mel_double_narrow", 4, 32, 8000, 300.0, 3000.0, np.float64, output_datatype=11)

print("%d cases" % cases)
