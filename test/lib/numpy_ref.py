"""Plain NumPy references for kiln ops, written from the op definitions in
ir/KilnOps.td (and ONNX/PyTorch semantics) - deliberately naive and
independent of Kiln's lowering."""
import math

import numpy as np

erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x, approximate="none"):
    x = x.astype(np.float64)
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def pad_spatial(x, pads, value):
    s = x.ndim - 2
    width = [(0, 0), (0, 0)] + [(pads[i], pads[s + i]) for i in range(s)]
    return np.pad(x, width, constant_values=value)


def conv(x, w, b, strides, pads, dilations, groups):
    """NCHW / NCW cross-correlation, naive."""
    s = x.ndim - 2
    xp = pad_spatial(x.astype(np.float64), pads, 0.0)
    n, c = x.shape[:2]
    f, cg = w.shape[:2]
    kernel = w.shape[2:]
    out_sp = [(xp.shape[2 + i] - dilations[i] * (kernel[i] - 1) - 1) // strides[i] + 1 for i in range(s)]
    out = np.zeros((n, f) + tuple(out_sp))
    fg = f // groups
    for o in np.ndindex(*out_sp):
        for k in np.ndindex(*kernel):
            idx = tuple(o[i] * strides[i] + k[i] * dilations[i] for i in range(s))
            patch = xp[(slice(None), slice(None)) + idx]  # [n, c]
            for g in range(groups):
                wk = w[(slice(g * fg, (g + 1) * fg), slice(None)) + k].astype(np.float64)  # [fg, cg]
                out[(slice(None), slice(g * fg, (g + 1) * fg)) + o] += patch[:, g * cg:(g + 1) * cg] @ wk.T
    if b is not None:
        out += b.reshape((1, f) + (1,) * s)
    return out


def window_out(size, k, stride, pb, pe, d, ceil):
    span = size + pb + pe - d * (k - 1) - 1
    out = (-(-span // stride) if ceil else span // stride) + 1
    if ceil and (out - 1) * stride >= size + pb:
        out -= 1
    return out


def pool(x, kind, kernel, strides, pads, ceil_mode, dilations=None, count_include_pad=False):
    s = x.ndim - 2
    dilations = dilations or [1] * s
    n, c = x.shape[:2]
    out_sp = [window_out(x.shape[2 + i], kernel[i], strides[i], pads[i], pads[s + i], dilations[i], ceil_mode)
              for i in range(s)]
    out = np.zeros((n, c) + tuple(out_sp))
    for o in np.ndindex(*out_sp):
        vals, count_pad = [], 0
        for k in np.ndindex(*kernel):
            pos = [o[i] * strides[i] - pads[i] + k[i] * dilations[i] for i in range(s)]
            in_padded = all(-pads[i] <= pos[i] < x.shape[2 + i] + pads[s + i] for i in range(s))
            inside = all(0 <= pos[i] < x.shape[2 + i] for i in range(s))
            if inside:
                vals.append(x[(slice(None), slice(None)) + tuple(pos)].astype(np.float64))
            if in_padded:
                count_pad += 1
        stack = np.stack(vals)
        if kind == "max":
            out[(slice(None), slice(None)) + o] = stack.max(axis=0)
        else:
            out[(slice(None), slice(None)) + o] = stack.sum(axis=0) / (count_pad if count_include_pad else len(vals))
    return out


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def layer_norm(x, axis, scale, bias, eps):
    axes = tuple(range(axis, x.ndim))
    x = x.astype(np.float64)
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps) * scale
    return y + bias if bias is not None else y


def batch_norm(x, scale, bias, mean, var, eps):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * scale.reshape(shape) + bias.reshape(shape)


def kiln_slice(x, starts, ends, steps):
    idx = []
    for s, e, st in zip(starts, ends, steps):
        idx.append(slice(s, e if e >= 0 else None, st))
    return x[tuple(idx)]
