"""Models, inputs and NumPy references for grid-sample-ops.test: ONNX GridSample (opsets 16, 20 and
22), every mode x padding_mode x align_corners on 4-D inputs and on the volumetric 5-D form, with
grid points inside and outside [-1, 1] (far enough out to reflect several times), ties that
nearest rounds half to even, float64 and an int32 input with nearest.

The reference is written from the operator text, vectorized over the output, in the grid's type
as ONNX's reference computes coordinates (float32 here). It is also checked against onnx's own
reference runtime (onnx.reference), which must agree.
Writes NAME.onnx, NAME_in_*.npy / NAME_out_*.npy and NAME.args into argv[1] (read by
run_composite_ops.py) and prints how many cases it wrote."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as TP, helper

out = sys.argv[1]
rng = np.random.default_rng(16)
CODES = {np.float32: TP.FLOAT, np.float64: TP.DOUBLE, np.int32: TP.INT32}
PADDINGS = ("zeros", "border", "reflection")
A = -0.75  # the cubic convolution kernel's A, fixed by the operator


def reflect(x, lo, hi):
    """Reflects x at lo and hi until it lies in [lo, hi]."""
    span = hi - lo
    if span == 0:
        return np.full_like(x, lo)
    below, above = x < lo, x > hi
    dx = np.where(below, lo - x, x - hi)
    n = np.floor(dx / span)
    r = dx - n * span
    odd = n % 2 == 1
    from_below = np.where(odd, hi - r, lo + r)
    from_above = np.where(odd, lo + r, hi - r)
    return np.where(below, from_below, np.where(above, from_above, x)).astype(x.dtype)


def cubic_weights(t):
    """The weights of taps floor(x) - 1 .. floor(x) + 2 for t = x - floor(x)."""
    def outer(s):  # |s| in [1, 2]
        return ((A * s - 5 * A) * s + 8 * A) * s - 4 * A

    def inner(s):  # |s| in [0, 1]
        return ((A + 2) * s - (A + 3)) * s * s + 1
    return [outer(t + 1), inner(t), inner(1 - t), outer(2 - t)]


def reference(X, grid, mode, padding_mode="zeros", align_corners=0):
    """Y = GridSample(X, grid) as the operator text defines it."""
    N, C, dims = X.shape[0], X.shape[1], X.shape[2:]
    r = len(dims)
    ct = grid.dtype
    coords, taps = [], []
    for d, size in enumerate(dims):
        g = grid[..., r - 1 - d]  # the grid lists x (the last dim) first
        if align_corners:  # -1 and 1 are the centers of the corner pixels
            x = (g + 1) / 2 * (size - 1)
            lo, hi = 0.0, size - 1.0
        else:  # -1 and 1 are the outer edges of the corner pixels
            x = ((g + 1) * size - 1) / 2
            lo, hi = -0.5, size - 0.5
        x = x.astype(ct)
        if mode == "nearest":
            x = np.rint(x)  # half to even
        outside = (x < lo) | (x > hi)
        if padding_mode == "border":
            x = np.where(outside, np.clip(x, 0, size - 1), x).astype(ct)
        elif padding_mode == "reflection":
            x = reflect(x, lo, hi)
        if mode == "nearest":
            positions, weights = [x], [None]
        else:
            x0 = np.floor(x)
            t = (x - x0).astype(ct)
            if mode == "linear":
                positions, weights = [x0, x0 + 1], [1 - t, t]
            else:
                positions = [x0 - 1, x0, x0 + 1, x0 + 2]
                weights = cubic_weights(t)

        def index(p, size=size, lo=lo, hi=hi):
            """(index into X, inside) of integral position p."""
            inside = (p >= 0) & (p <= size - 1)
            if padding_mode == "reflection":
                p = reflect(p, lo, hi)
            return np.clip(p, 0, size - 1).astype(np.int64), inside
        taps.append([(index(p), w) for p, w in zip(positions, weights)])
    Xt = np.moveaxis(X, 1, -1)  # (N, D..., C)
    nn = np.arange(N).reshape((N,) + (1,) * (grid.ndim - 2))

    def interpolate(d, indices, inside):
        if d == r:
            v = Xt[(nn,) + tuple(indices)]
            if padding_mode == "zeros":
                v = np.where(inside[..., None], v, np.zeros((), X.dtype))
            return v
        acc = None
        for (i, tap_inside), w in taps[d]:
            v = interpolate(d + 1, indices + [i], inside & tap_inside)
            if w is None:
                return v
            term = w.astype(X.dtype)[..., None] * v
            acc = term if acc is None else acc + term
        return acc
    y = interpolate(0, [], np.ones(grid.shape[:-1], bool))
    return np.moveaxis(y, -1, 1).astype(X.dtype)


def onnx_reference(node, inputs):
    """onnx's reference runtime on one node, or None where it has no GridSample or fails."""
    try:
        from onnx.reference import ReferenceEvaluator
    except ImportError:
        return None
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info(k, CODES[v.dtype.type], v.shape) for k, v in inputs.items()],
        [helper.make_tensor_value_info(node.output[0], TP.UNDEFINED, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
    try:
        with np.errstate(all="ignore"):
            return ReferenceEvaluator(model).run(None, inputs)[0]
    except (OverflowError, ZeroDivisionError):  # reflection in a dim of one element
        return None


cases = 0


def case(name, X, grid, mode, combos, opset=20, onnx_mode=None):
    """One model with a GridSample node per (padding_mode, align_corners) in `combos`."""
    global cases
    inputs = {"X": X, "grid": grid}
    nodes, want = [], {}
    for padding, align in combos:
        y = "Y_%s_%d" % (padding, align)
        node = helper.make_node("GridSample", ["X", "grid"], [y], name=y, mode=onnx_mode or mode,
                                padding_mode=padding, align_corners=align)
        want[y] = reference(X, grid, mode, padding, align)
        nodes.append(node)
        check = helper.make_node("GridSample", ["X", "grid"], [y], mode=mode,
                                 padding_mode=padding, align_corners=align)
        theirs = onnx_reference(check, inputs)
        if theirs is not None and not np.allclose(theirs, want[y], rtol=1e-5, atol=1e-6):
            sys.exit("%s %s: the NumPy reference disagrees with onnx.reference" % (name, y))
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(k, CODES[v.dtype.type], v.shape) for k, v in inputs.items()],
        [helper.make_tensor_value_info(k, CODES[v.dtype.type], v.shape) for k, v in want.items()])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]),
              os.path.join(out, name + ".onnx"))
    args = []
    for kind, values in (("in", inputs), ("out", want)):
        for k, v in values.items():
            path = os.path.join(out, "%s_%s_%s.npy" % (name, kind, k))
            np.save(path, v)
            args.append("%s=%s" % (k, path))
        if kind == "in":
            args.append("--")
    with open(os.path.join(out, name + ".args"), "w") as f:
        f.write(" ".join(args))
    cases += 1


def points(shape, special):
    """Grid points: uniform in [-1.7, 1.7] (a quarter of them in [-4.5, 4.5], past several
    reflections), and `special` values (corners, centers, ties) on the first points."""
    g = rng.uniform(-1.7, 1.7, shape).astype(np.float32)
    far = rng.uniform(0, 1, shape) < 0.25
    g[far] = rng.uniform(-4.5, 4.5, shape)[far]
    flat = g.reshape(-1)
    flat[:len(special)] = special
    return g


ALL = [(p, a) for p in PADDINGS for a in (0, 1)]
# Exactly -1, 0, 1, just outside, and with W = 6 and H = 5: 0.5 / 6 steps that make x land on
# .5 (ties for nearest) without align_corners, and on whole numbers with it.
SPECIAL = np.array([-1, 1, 0, -1.05, 1.05, 1 / 6, -1 / 6, 0.5, -0.5, 0.25, -0.75, 2.0],
                   np.float32)
X4 = rng.uniform(-1, 1, (2, 3, 5, 6)).astype(np.float32)
for mode in ("linear", "nearest", "cubic"):
    case("grid_%s" % mode, X4, points((2, 4, 7, 2), SPECIAL), mode, ALL)
# The volumetric form (opset 20).
X5 = rng.uniform(-1, 1, (1, 2, 3, 4, 5)).astype(np.float32)
for mode in ("linear", "nearest", "cubic"):
    case("volumetric_%s" % mode, X5, points((1, 2, 3, 4, 3), SPECIAL), mode, ALL)
# Opset 16's names, and opset 22; a dim of one element (reflection with align_corners has
# nowhere to go).
case("opset16_bilinear", X4, points((2, 3, 3, 2), SPECIAL), "linear", ALL[:3], opset=16,
     onnx_mode="bilinear")
case("opset16_bicubic", X4, points((2, 3, 3, 2), SPECIAL), "cubic", ALL[3:], opset=16,
     onnx_mode="bicubic")
case("opset22_one_row", rng.uniform(-1, 1, (1, 2, 1, 4)).astype(np.float32),
     points((1, 3, 2, 2), SPECIAL), "linear", ALL, opset=22)
# float64; an int32 input (nearest reads elements unchanged).
case("double_cubic", X4.astype(np.float64), points((2, 2, 3, 2), SPECIAL).astype(np.float64),
     "cubic", [("border", 0), ("reflection", 1)])
case("int32_nearest", rng.integers(-100, 100, (1, 2, 4, 3)).astype(np.int32),
     points((1, 5, 2, 2), SPECIAL), "nearest", ALL)
print("%d cases" % cases)
