# ONNX Resize and ConvTranspose over a grid of attribute combinations, built
# with onnx.helper (many nodes per model, so each model compiles once),
# compiled with `kiln compile`, run with `kiln run`, and compared with
# onnxruntime. Combinations onnxruntime 1.20 does not implement, or computes
# differently from the operator text, are compared with NumPy instead
# (references from test/codegen/exec/gen_exec_tests.py, written from the
# ONNX text): Resize's tf_half_pixel_for_nearest and exclude_outside with
# linear, and align_corners from scales (onnxruntime divides by the output
# size - 1, the operator's reference by scale * input size - 1, which differ
# when that product is not an integer); ConvTranspose with pads that come out negative (onnxruntime clamps
# them to 0) and output_padding at or above the stride (its result there is
# wrong). The NumPy references are themselves checked against onnxruntime on
# the combinations both implement.
# RUN: rm -rf %t && %python %s %t
import itertools
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_testing as kt

sys.path.insert(0, os.path.join(kt.SRC, "test", "codegen", "exec"))
from gen_exec_tests import conv_transpose_ref, resize_ref  # noqa: E402

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(2024)
f32 = np.float32


class Graph:
    """One model: shared inputs, many nodes, every node's output a graph output."""

    def __init__(self, opset, inputs):
        self.opset, self.inputs = opset, inputs  # name -> ndarray
        self.nodes, self.inits, self.outputs = [], [], []
        self.want = {}  # output -> NumPy reference (None: compare with onnxruntime)

    def const(self, name, value):
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def add(self, op, inputs, attrs, reference=None):
        out = "y%d" % len(self.nodes)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        self.outputs.append(out)
        self.want[out] = reference
        return out

    def save(self, name):
        elem = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int32): TensorProto.INT32}
        graph = helper.make_graph(
            self.nodes, name,
            [helper.make_tensor_value_info(k, elem[v.dtype], v.shape) for k, v in self.inputs.items()],
            [onnx.ValueInfoProto(name=o) for o in self.outputs],
            self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)],
                                  ir_version=8 if self.opset >= 13 else 6)
        path = os.path.join(work, name + ".onnx")
        onnx.save(model, path)
        return path


def check(graph, name, with_onnxruntime):
    path = graph.save(name)
    artifact = kt.compile_model(path, os.path.join(work, name))
    got = kt.run_artifact(artifact, graph.inputs)
    ort = kt.onnxruntime_outputs(path, graph.inputs) if with_onnxruntime else {}
    for out, ref in graph.want.items():
        node = graph.nodes[int(out[1:])]
        what = "%s %s %s" % (name, node.op_type, ", ".join(
            "%s=%s" % (a.name, helper.get_attribute_value(a)) for a in node.attribute))
        if ref is None:
            kt.assert_close(got[out], ort[out], what + " vs onnxruntime")
        else:
            kt.assert_close(got[out], ref.astype(got[out].dtype), what + " vs NumPy")
            if out in ort:  # the reference itself, where onnxruntime agrees
                kt.assert_close(ref.astype(ort[out].dtype), ort[out], what + ": NumPy vs onnxruntime")


# ---------------------------------------------------------------------------
# Resize
# ---------------------------------------------------------------------------

def resolve(shape, scales=None, sizes=None, axes=None, policy="stretch", roi=None):
    """ONNX Resize's inputs as one scale, size and roi per dim, in float32
    as onnxruntime computes them (floor(in * scale), scale = out / in,
    keep_aspect_ratio_policy rounding half up)."""
    r = len(shape)
    axes = list(range(r)) if axes is None else [a % r for a in axes]
    sc, out = [1.0] * r, list(shape)
    if scales is not None:
        for i, d in enumerate(axes):
            sc[d] = float(f32(scales[i]))
            out[d] = int(f32(scales[i]) * f32(shape[d]))
    else:
        for i, d in enumerate(axes):
            sc[d], out[d] = float(f32(sizes[i]) / f32(shape[d])), sizes[i]
        if policy != "stretch":
            pick = min if policy == "not_larger" else max
            s = pick(f32(sc[d]) for d in axes)
            for d in axes:
                sc[d], out[d] = float(s), int(math.floor(float(s * f32(shape[d])) + 0.5))
    full = None
    if roi is not None:
        full = [0.0] * r + [1.0] * r
        for i, d in enumerate(axes):
            full[d], full[r + d] = float(f32(roi[i])), float(f32(roi[len(axes) + i]))
    return sc, out, full


def resize(g, x, mode="nearest", coord="half_pixel", nearest="round_prefer_floor", scales=None,
           sizes=None, axes=None, policy="stretch", roi=None, a=-0.75, exclude=0, antialias=0,
           extrapolation=0.0, numpy=False):
    k = len(g.nodes)
    attrs = {"mode": mode}
    if g.opset >= 11:
        attrs.update(coordinate_transformation_mode=coord, nearest_mode=nearest, cubic_coeff_a=a,
                     exclude_outside=exclude, extrapolation_value=extrapolation)
    if g.opset >= 18:
        attrs.update(antialias=antialias, keep_aspect_ratio_policy=policy)
        if axes is not None:
            attrs["axes"] = axes
    empty = lambda n: g.const("%s%d" % (n, k), np.zeros(0, f32))
    if g.opset == 10:
        inputs = [x, g.const("s%d" % k, np.array(scales, f32))]
    else:
        r = g.const("r%d" % k, np.array(roi, f32)) if roi is not None else (
            empty("r") if g.opset < 13 else "")
        s = g.const("s%d" % k, np.array(scales, f32)) if scales is not None else (
            empty("s") if g.opset < 13 else "")
        inputs = [x, r, s] + ([g.const("z%d" % k, np.array(sizes, np.int64))] if sizes else [])
    ref = None
    if numpy:
        data = g.inputs[x]
        sc, out, full = resolve(data.shape, scales, sizes, axes, policy, roi)
        ref = resize_ref(data, sc, out, mode, coord, nearest, a, bool(exclude), bool(antialias), full,
                         extrapolation)
    return g.add("Resize", inputs, attrs, ref)


x = rng.uniform(-2, 2, (1, 2, 6, 7)).astype(f32)
xi = rng.integers(-1000, 1000, (2, 3, 4)).astype(np.int32)
COORDS = ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
          "tf_crop_and_resize"]
ROUNDINGS = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]
# (scales, sizes, axes, roi for those axes): up, down, mixed, to one element,
# two axes in reverse order.
SIZES = [
    ([1, 1, 2.0, 1.5], None, None, [0, 0, 0.1, -0.2, 1, 1, 0.8, 1.1]),
    ([1, 1, 0.6, 0.45], None, None, [0, 0, 0.2, 0.1, 1, 1, 0.9, 1.3]),
    ([1, 1, 1.7, 0.7], None, None, [0, 0, -0.3, 0.25, 1, 1, 1.2, 0.75]),
    (None, [1, 2, 1, 9], None, [0, 0, 0.3, 0, 1, 1, 0.6, 1]),
    (None, [12, 4], [3, 2], [0.1, 0.2, 0.9, 1.0]),
]

g19 = Graph(19, {"x": x, "xi": xi})
# align_corners from scales (or sizes with a kept aspect ratio), where onnxruntime
# departs from the operator text: NumPy.
gac = Graph(19, {"x": x})
for (mode, coord, (scales, sizes, axes, roi)), i in zip(
        itertools.product(["nearest", "linear", "cubic"], COORDS, SIZES), itertools.count()):
    # keep_aspect_ratio_policy over explicit axes only: over all dims it
    # would also scale N and C (to 0 here).
    policy = ["stretch", "not_larger", "not_smaller"][i % 3] if axes else "stretch"
    # (A kept aspect ratio makes the scale, not the sizes, decide.)
    by_scales = coord == "align_corners" and (scales is not None or policy != "stretch")
    resize(gac if by_scales else g19, "x", mode, coord, ROUNDINGS[i % 4], scales, sizes, axes,
           policy,
           roi if coord == "tf_crop_and_resize" else None, a=[-0.75, -0.5][i % 2],
           exclude=(i // 2) % 2 if mode == "cubic" else 0,
           antialias=(i // 3) % 2 if mode != "nearest" else 0, extrapolation=[0.0, -3.5][i % 2],
           numpy=by_scales)
# Every rounding with every coordinate transform.
for coord, nearest in itertools.product(COORDS, ROUNDINGS):
    resize(gac if coord == "align_corners" else g19, "x", "nearest", coord, nearest,
           [1, 1, 1.5, 0.8],
           roi=[0, 0, 0.1, 0.2, 1, 1, 0.7, 1.2] if coord == "tf_crop_and_resize" else None,
           numpy=coord == "align_corners")
# PaddleOCR's detector: 2x and 4x nearest, asymmetric, floor.
resize(g19, "x", "nearest", "asymmetric", "floor", [1, 1, 2, 2])
resize(g19, "x", "nearest", "asymmetric", "floor", [1, 1, 4, 4])
# Antialias on heavy downscaling, and integers (nearest) with N and C resized.
resize(g19, "x", "linear", scales=[1, 1, 0.3, 0.25], antialias=1)
resize(g19, "xi", "nearest", "asymmetric", "round_prefer_ceil", [2.0, 0.7, 1.5])
resize(g19, "xi", "nearest", "tf_crop_and_resize", "floor", sizes=[5, 6], axes=[2, 1],
       roi=[0.1, -0.2, 1.2, 0.9], extrapolation=7.0)
check(g19, "resize19", with_onnxruntime=True)
check(gac, "resize_align_corners_scales", with_onnxruntime=False)

g13 = Graph(13, {"x": x})
g13ac = Graph(13, {"x": x})
for mode, coord in itertools.product(["nearest", "linear", "cubic"], COORDS[:1] + COORDS[2:]):
    for scales, sizes, _, roi in SIZES[:4]:
        by_scales = coord == "align_corners" and scales is not None
        resize(g13ac if by_scales else g13, "x", mode, coord, "round_prefer_ceil", scales, sizes,
               roi=roi if coord == "tf_crop_and_resize" else None, exclude=mode == "cubic",
               numpy=by_scales)
check(g13, "resize13", with_onnxruntime=True)
check(g13ac, "resize13_align_corners", with_onnxruntime=False)

# Opset 11 writes omitted inputs as empty tensors; opset 10 has no
# coordinate modes (onnxruntime: asymmetric, nearest rounding down on
# upscaled dims and up on downscaled ones).
g11 = Graph(11, {"x": x})
g11ac = Graph(11, {"x": x})
for mode in ["nearest", "linear", "cubic"]:
    resize(g11ac, "x", mode, "align_corners", scales=[1, 1, 1.7, 0.7], numpy=True)
    resize(g11, "x", mode, "pytorch_half_pixel", sizes=[1, 2, 3, 10])
g10 = Graph(10, {"x": x})
for mode, scales in itertools.product(["nearest", "linear"],
                                      [[1, 1, 2.0, 1.5], [1, 1, 0.6, 0.45], [1, 1, 1.7, 0.7]]):
    resize(g10, "x", mode, scales=scales)
check(g11, "resize11", with_onnxruntime=True)
check(g11ac, "resize11_align_corners", with_onnxruntime=False)
check(g10, "resize10", with_onnxruntime=True)

# onnxruntime 1.20 has no tf_half_pixel_for_nearest and no exclude_outside
# for linear: NumPy.
gnp = Graph(13, {"x": x})
for mode, (scales, sizes, _, _), nearest in itertools.product(
        ["nearest", "linear", "cubic"], SIZES[:4], ROUNDINGS):
    if mode != "nearest" and nearest != "ceil":
        continue
    resize(gnp, "x", mode, "tf_half_pixel_for_nearest", nearest, scales, sizes, numpy=True)
for coord, (scales, sizes, _, roi) in itertools.product(COORDS[:1] + COORDS[2:], SIZES[:4]):
    resize(gnp, "x", "linear", coord, scales=scales, sizes=sizes, exclude=1, numpy=True,
           roi=roi if coord == "tf_crop_and_resize" else None, extrapolation=1.5)
check(gnp, "resize_numpy", with_onnxruntime=False)
# onnxruntime's cubic resizes the last two dims only: N-D cubic against NumPy.
gnd = Graph(19, {"x": x})
resize(gnd, "x", "cubic", sizes=[2, 3, 3, 4], antialias=1, numpy=True)
resize(gnd, "x", "cubic", "align_corners", scales=[3.0, 1.0, 0.5, 1.3], numpy=True)
check(gnd, "resize_nd_numpy", with_onnxruntime=False)

# The NumPy reference on combinations onnxruntime implements as the operator text does.
gref = Graph(19, {"x": x})
for (mode, coord, (scales, sizes, axes, roi)), i in zip(
        itertools.product(["nearest", "linear", "cubic"], COORDS, SIZES), itertools.count()):
    if coord == "align_corners" and (scales is not None or (axes and i % 3)):
        continue
    resize(gref, "x", mode, coord, ROUNDINGS[i % 4], scales, sizes, axes,
           ["stretch", "not_larger", "not_smaller"][i % 3] if axes else "stretch",
           roi if coord == "tf_crop_and_resize" else None,
           exclude=(i // 2) % 2 if mode == "cubic" else 0,
           antialias=(i // 3) % 2 if mode != "nearest" else 0, extrapolation=-3.5, numpy=True)
check(gref, "resize_reference", with_onnxruntime=True)


# ---------------------------------------------------------------------------
# ConvTranspose
# ---------------------------------------------------------------------------

def conv_transpose(g, x, kernel, strides, dilations, group, m_per_group, bias, output_padding,
                   pads=None, auto_pad=None, output_shape=None, numpy=False):
    k = len(g.nodes)
    c = g.inputs[x].shape[1]
    w = rng.uniform(-1, 1, (c, m_per_group) + tuple(kernel)).astype(f32)
    inputs = [x, g.const("w%d" % k, w)]
    b = None
    if bias:
        b = rng.uniform(-1, 1, (m_per_group * group,)).astype(f32)
        inputs.append(g.const("b%d" % k, b))
    attrs = dict(strides=strides, dilations=dilations, group=group, output_padding=output_padding)
    if pads is not None:
        attrs["pads"] = pads
    if auto_pad is not None:
        attrs["auto_pad"] = auto_pad
    if output_shape is not None:
        attrs["output_shape"] = output_shape
    ref = None
    if numpy:
        ref = conv_transpose_ref(g.inputs[x], w, b, strides,
                                 spec_pads(g.inputs[x].shape[2:], kernel, strides, dilations,
                                           output_padding, pads, auto_pad, output_shape),
                                 dilations, output_padding, group)
    return g.add("ConvTranspose", inputs, attrs, ref)


def full_size(n, k, s, d, op):
    return s * (n - 1) + op + (k - 1) * d + 1


def spec_pads(in_sizes, kernel, strides, dilations, output_padding, pads, auto_pad, output_shape):
    """The operator text's pads: total_padding = full - output_shape (in *
    stride for SAME_*), odd one at the end for SAME_UPPER, at the begin
    otherwise (Python's floor division, as ONNX's reference)."""
    sp = len(in_sizes)
    if output_shape is None and auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        return list(pads) if pads is not None and auto_pad != "VALID" else [0] * (2 * sp)
    begin, end = [], []
    for i in range(sp):
        target = output_shape[-sp + i] if output_shape is not None else in_sizes[i] * strides[i]
        total = full_size(in_sizes[i], kernel[i], strides[i], dilations[i],
                          output_padding[i]) - target
        b = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
        begin.append(b)
        end.append(total - b)
    return begin + end


xc = rng.uniform(-1, 1, (1, 4, 5, 6)).astype(f32)
x1 = rng.uniform(-1, 1, (2, 4, 7)).astype(f32)
gct = Graph(17, {"x": xc, "x1": x1})
gct_np = Graph(17, {"x": xc, "x1": x1})
PADDINGS = ["pads", "zero", "SAME_UPPER", "SAME_LOWER", "VALID", "output_shape", "full_output_shape"]
for (stride, kernel, dilation, padding), i in zip(
        itertools.product([1, 2, 3], [(2, 2), (3, 2)], [1, 2], PADDINGS), itertools.count()):
    group, mg = [(1, 3), (2, 2), (4, 1)][i % 3]
    strides, dilations = [stride, stride], [dilation, 1]
    op = [(stride - 1) % stride, 0] if i % 2 else [0, 0]
    fulls = [full_size(n, kernel[d], strides[d], dilations[d], op[d]) for d, n in enumerate((5, 6))]
    kw = {}
    if padding == "pads":
        kw["pads"] = [1, 0, 0, 1]
    elif padding in ("SAME_UPPER", "SAME_LOWER", "VALID"):
        kw["auto_pad"] = padding
    elif padding == "output_shape":
        kw["output_shape"] = [fulls[0] - 2, fulls[1] - 1]
    elif padding == "full_output_shape":
        kw["output_shape"] = [1, mg * group, fulls[0] - 1, fulls[1]]
    # SAME with stride > dilation * (kernel - 1) + 1 + output_padding needs
    # negative pads, which onnxruntime clamps to 0.
    negative = padding.startswith("SAME") and any(
        full < n * stride for full, n in zip(fulls, (5, 6)))
    g = gct_np if negative else gct
    conv_transpose(g, "x", kernel, strides, dilations, group, mg, i % 2 == 0, op,
                   numpy=negative, **kw)
for stride, padding in itertools.product([1, 2, 3], ["pads", "SAME_UPPER", "output_shape"]):
    kw = {"pads": [1, 2]} if padding == "pads" else (
        {"auto_pad": "SAME_UPPER"} if padding == "SAME_UPPER" else {"output_shape": [stride * 6]})
    conv_transpose(gct, "x1", [3], [stride], [2], 2, 2, stride != 2, [stride - 1], **kw)
check(gct, "convtranspose", with_onnxruntime=True)

# onnxruntime clamps negative pads and miscomputes output_padding >= stride.
conv_transpose(gct_np, "x", (3, 3), [2, 1], [1, 1], 1, 2, True, [0, 0], output_shape=[14, 9],
               numpy=True)
conv_transpose(gct_np, "x", (2, 3), [1, 1], [2, 2], 2, 2, False, [1, 1], pads=[0, 1, 1, 0],
               numpy=True)
conv_transpose(gct_np, "x1", [2], [3], [1], 1, 2, True, [0], auto_pad="SAME_LOWER", numpy=True)
check(gct_np, "convtranspose_numpy", with_onnxruntime=False)

# The NumPy reference on combinations onnxruntime implements.
gct_ref = Graph(17, {"x": xc})
for stride, padding, group in itertools.product([1, 2], ["pads", "SAME_LOWER", "output_shape"],
                                                [1, 2]):
    fulls = [full_size(5, 3, stride, 1, stride - 1), full_size(6, 3, stride, 2, 0)]
    kw = {"pads": [1, 0, 2, 1]} if padding == "pads" else (
        {"auto_pad": padding} if padding == "SAME_LOWER" else
        {"output_shape": [fulls[0] - 1, fulls[1] - 2]})
    conv_transpose(gct_ref, "x", (3, 3), [stride, stride], [1, 2], group, 2, True,
                   [stride - 1, 0], numpy=True, **kw)
check(gct_ref, "convtranspose_reference", with_onnxruntime=True)
