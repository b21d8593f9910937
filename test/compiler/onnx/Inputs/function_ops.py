"""Models, inputs and NumPy references for function-ops.test: ONNX ops that ONNX defines by a
function body and the importer composes from kiln ops (RotaryEmbedding, AffineGrid, CenterCropPad,
SwiGLU). The references are written from the operator text; where onnx's reference runtime has the
op (onnx.reference), they are checked against it too. Writes NAME.onnx, NAME_INPUT.npy /
NAME_OUTPUT.npy and NAME.args into argv[1] (run_composite_ops.py reads them) and prints how many
cases it wrote."""
import os
import sys

import numpy as np
from onnx import helper

import onnx_cases

out = sys.argv[1]
rng = np.random.default_rng(23)
write = onnx_cases.writer(out)
cases = 0


def onnx_reference(op, inputs, opset, **attrs):
    """onnx's reference runtime on one node, or None where it lacks the op."""
    try:
        from onnx.reference import ReferenceEvaluator
    except ImportError:
        return None
    node = helper.make_node(op, [n for n, _ in inputs], ["y"], **attrs)
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info(n, onnx_cases.NP_TO_ONNX[a.dtype.type], a.shape)
         for n, a in inputs], [helper.make_tensor_value_info("y", 0, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    try:
        return ReferenceEvaluator(model).run(None, dict(inputs))[0]
    except Exception:  # an onnx without this op (or this opset)
        return None


def case(name, op, inputs, want, opset, constants=(), check=True, **attrs):
    """One model; `constants` are the names of inputs written as initializers."""
    global cases
    theirs = onnx_reference(op, inputs, opset, **attrs) if check else None
    # float16: onnx's reference may round steps the body leaves whole (Swish's), so a few ULPs.
    rtol, atol = (4e-3, 1e-3) if want.dtype == np.float16 else (1e-5, 1e-6)
    if theirs is not None and not np.allclose(theirs.astype(np.float64),
                                              want.astype(np.float64), rtol=rtol, atol=atol):
        sys.exit("%s: the NumPy reference disagrees with onnx.reference" % name)
    write(name, op, inputs, [("y", want)], opset=opset,
          initializers=[(n, a) for n, a in inputs if n in constants], **attrs)
    cases += 1


# RotaryEmbedding (opset 23): X [B, heads, S, D] or [B, S, heads * D]; the caches [P, R/2]
# gathered by position_ids, or [B, S, R/2] without them.
def rope(x, cos, sin, pos=None, interleaved=0, rotary_dim=0, num_heads=0):
    shape = x.shape
    if x.ndim == 4:
        x = x.transpose(0, 2, 1, 3)  # [B, S, heads, D]
    else:
        x = x.reshape(shape[0], shape[1], num_heads, -1)
    r = rotary_dim or x.shape[3]
    if pos is not None:
        cos, sin = cos[pos], sin[pos]
    cos, sin = cos[..., None, :r // 2], sin[..., None, :r // 2]  # the body's first R/2 columns
    rot, rest = x[..., :r], x[..., r:]
    x1, x2 = (rot[..., 0::2], rot[..., 1::2]) if interleaved else np.split(rot, 2, axis=-1)
    real, imag = cos * x1 - sin * x2, sin * x1 + cos * x2
    if interleaved:
        rot = np.stack([real, imag], axis=-1).reshape(rot.shape)
    else:
        rot = np.concatenate([real, imag], axis=-1)
    y = np.concatenate([rot, rest], axis=-1)
    return y.transpose(0, 2, 1, 3) if len(shape) == 4 else y.reshape(shape)


def uniform(*shape, dtype=np.float32):
    return rng.uniform(-2, 2, shape).astype(dtype)


x4 = uniform(2, 3, 4, 8)
cos10, sin10 = uniform(10, 4), uniform(10, 4)
pos = rng.integers(0, 10, (2, 4)).astype(np.int64)
case("rope_4d", "RotaryEmbedding",
     [("x", x4), ("cos", cos10), ("sin", sin10), ("pos", pos)],
     rope(x4, cos10, sin10, pos), 23)
# Partial and interleaved; the caches have more columns than R / 2 = 2 (the body slices them).
cos3, sin3 = uniform(10, 3), uniform(10, 3)
case("rope_4d_interleaved_partial", "RotaryEmbedding",
     [("x", x4), ("cos", cos3), ("sin", sin3), ("pos", pos)],
     rope(x4, cos3, sin3, pos, interleaved=1, rotary_dim=4), 23, check=False,
     interleaved=1, rotary_embedding_dim=4)
x3 = uniform(2, 4, 12)
cosb, sinb = uniform(2, 4, 2), uniform(2, 4, 2)
case("rope_3d_no_position_ids", "RotaryEmbedding", [("x", x3), ("cos", cosb), ("sin", sinb)],
     rope(x3, cosb, sinb, num_heads=3), 23, num_heads=3)
x3b = uniform(1, 3, 16)
pos3 = np.array([[7, 0, 3]], np.int64)
case("rope_3d_interleaved_partial", "RotaryEmbedding",
     [("x", x3b), ("cos", cos10[:, :3]), ("sin", sin10[:, :3]), ("pos", pos3)],
     rope(x3b, cos10[:, :3], sin10[:, :3], pos3, interleaved=1, rotary_dim=6, num_heads=2), 23,
     num_heads=2, interleaved=1, rotary_embedding_dim=6)
# float16: each node of the body rounds to float16.
xh, ch, sh = x4.astype(np.float16), uniform(2, 4, 4, dtype=np.float16), uniform(2, 4, 4,
                                                                              dtype=np.float16)
case("rope_f16", "RotaryEmbedding", [("x", xh), ("cos", ch), ("sin", sh)], rope(xh, ch, sh), 23)


# AffineGrid (opset 20): theta [N, 2, 3] or [N, 3, 4]; size [N, C, (D,) H, W] a constant.
def affine_grid(theta, size, align_corners):
    dims = list(size[2:])
    axes = []
    for length in dims:
        i = np.arange(length, dtype=np.float64)
        if align_corners:
            axes.append(-1 + i * (2 / (length - 1)) if length > 1 else np.full(1, -1.0))
        else:
            axes.append(-1 + (2 * i + 1) / length)
    mesh = np.meshgrid(*axes, indexing="ij")  # per spatial dim, over [(D,) H, W]
    base = np.stack(list(mesh)[::-1] + [np.ones(dims)], axis=-1)  # (x, y, (z,) 1)
    grid = np.einsum("nkj,...j->n...k", theta.astype(np.float64), base)
    return grid.astype(theta.dtype)


for name, theta, size, align in [
        ("affine_grid_2d", uniform(2, 2, 3), [2, 3, 4, 5], 0),
        ("affine_grid_2d_align_one_column", uniform(1, 2, 3), [1, 1, 3, 1], 1),
        ("affine_grid_3d", uniform(2, 3, 4), [2, 1, 2, 3, 4], 0),
        ("affine_grid_3d_align_one_plane", uniform(1, 3, 4), [1, 2, 1, 3, 2], 1),
        ("affine_grid_2d_f64", uniform(2, 2, 3, dtype=np.float64), [2, 1, 3, 3], 1)]:
    size = np.array(size, np.int64)
    case(name, "AffineGrid", [("theta", theta), ("size", size)],
         affine_grid(theta, size, align), 20, constants=("size",), align_corners=align)


# CenterCropPad (opset 18): crop from floor((dim - n) / 2), pad floor((n - dim) / 2) before.
def center_crop_pad(x, shape, axes=None):
    axes = [a % x.ndim for a in axes] if axes is not None else range(x.ndim)
    for a, n in zip(axes, shape):
        dim = x.shape[a]
        if n < dim:
            x = np.take(x, range((dim - n) // 2, (dim - n) // 2 + n), axis=a)
        elif n > dim:
            pads = [(0, 0)] * x.ndim
            pads[a] = ((n - dim) // 2, n - dim - (n - dim) // 2)
            x = np.pad(x, pads)
    return x


xc = uniform(5, 6, 3)
shape = np.array([2, 9, 3], np.int64)
case("center_crop_pad", "CenterCropPad", [("x", xc), ("shape", shape)],
     center_crop_pad(xc, shape), 18, constants=("shape",))
xi = rng.integers(-50, 50, (4, 3, 7)).astype(np.int32)
shape = np.array([4, 1], np.int32)
case("center_crop_pad_axes", "CenterCropPad", [("x", xi), ("shape", shape)],
     center_crop_pad(xi, shape, [-1, 0]), 18, constants=("shape",), axes=[-1, 0])
xu = rng.integers(0, 255, (3, 2)).astype(np.uint8)
shape = np.array([6, 5], np.int64)
case("center_crop_pad_pad_u8", "CenterCropPad", [("x", xu), ("shape", shape)],
     center_crop_pad(xu, shape), 18, constants=("shape",))


# SwiGLU (opset 28): Swish_alpha(A) * B; its body's Swish node and Mul node each round to the
# inputs' type.
def swiglu(a, b, alpha=1.0):
    wide = a.astype(np.float64)
    gate = (wide / (1 + np.exp(-alpha * wide))).astype(a.dtype)
    return gate * b


a, b = uniform(3, 5), uniform(3, 5)
case("swiglu_alpha", "SwiGLU", [("a", a), ("b", b)], swiglu(a, b, 0.6), 28, alpha=0.6)
ah, bh = uniform(4, 4, dtype=np.float16), uniform(4, 4, dtype=np.float16)
case("swiglu_f16", "SwiGLU", [("a", ah), ("b", bh)], swiglu(ah, bh), 28)

print("%d cases" % cases)
