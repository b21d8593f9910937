"""Models, inputs and NumPy references for deform-conv-ops.test: ONNX DeformConv (opset 19) in
2-D, with and without mask and bias, groups, offset groups, pads, strides, dilations, and
offsets that move taps between pixels, onto integers and outside the input.

The reference follows the operator text: tap (i, j) of output pixel (oh, ow) reads input
channel c at (oh * stride - pad + i * dilation, ow * stride - pad + j * dilation) plus that
tap's offset (the offset group of c), interpolated bilinearly with pixels outside the input
reading 0, multiplied by the tap's mask and filter value, summed over the filter's channels and
taps, plus the bias. Computed in float64 and checked against onnx.reference, which must agree.
Writes NAME.onnx, NAME_in_*.npy / NAME_out_*.npy and NAME.args into argv[1] (read by
run_composite_ops.py) and prints how many cases it wrote."""
import sys

import numpy as np
from onnx import TensorProto as TP, helper

import onnx_cases

out = sys.argv[1]
CODES = onnx_cases.NP_TO_ONNX
rng = np.random.default_rng(19)


def bilinear(img, y, x):
    H, W = img.shape
    y0, x0 = np.floor(y), np.floor(x)
    total = 0.0
    for yy, wy in ((y0, 1 - (y - y0)), (y0 + 1, y - y0)):
        for xx, wx in ((x0, 1 - (x - x0)), (x0 + 1, x - x0)):
            if 0 <= yy <= H - 1 and 0 <= xx <= W - 1:
                total += wy * wx * img[int(yy), int(xx)]
    return total


def deform_conv(X, W, offset, B, mask, strides, pads, dilations, group, offset_group):
    N, C, H, Wd = X.shape
    M, cg, kh, kw = W.shape
    oh, ow = offset.shape[2:]
    off = offset.reshape(N, offset_group, kh, kw, 2, oh, ow).astype(np.float64)
    if mask is None:
        mask = np.ones((N, offset_group * kh * kw, oh, ow))
    m = mask.reshape(N, offset_group, kh, kw, oh, ow).astype(np.float64)
    Y = np.zeros((N, M, oh, ow))
    if B is not None:
        Y += B.reshape(1, -1, 1, 1)
    mg = M // group
    for n in range(N):
        for f in range(M):
            g = f // mg
            for ci in range(cg):
                c = g * cg + ci
                og = c // (C // offset_group)
                img = X[n, c].astype(np.float64)
                for a in range(oh):
                    for b in range(ow):
                        for i in range(kh):
                            for j in range(kw):
                                y = a * strides[0] - pads[0] + i * dilations[0] + off[n, og, i, j, 0, a, b]
                                x = b * strides[1] - pads[1] + j * dilations[1] + off[n, og, i, j, 1, a, b]
                                Y[n, f, a, b] += (W[f, ci, i, j] * m[n, og, i, j, a, b] *
                                                  bilinear(img, y, x))
    return Y.astype(X.dtype)


def onnx_reference(node, inputs):
    from onnx.reference import ReferenceEvaluator
    names = [k for k in node.input if k]
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info(k, CODES[inputs[k].dtype.type], inputs[k].shape)
         for k in names],
        [helper.make_tensor_value_info("Y", TP.UNDEFINED, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    return ReferenceEvaluator(model).run(None, {k: inputs[k] for k in names})[0]


cases = 0


def case(name, X, W, offset, B=None, mask=None, strides=(1, 1), pads=(0, 0, 0, 0),
         dilations=(1, 1), group=1, offset_group=1):
    global cases
    dt = X.dtype
    inputs = {"X": X, "W": W.astype(dt), "offset": offset.astype(dt)}
    names = ["X", "W", "offset", "", ""]
    if B is not None:
        inputs["B"] = B.astype(dt)
        names[3] = "B"
    if mask is not None:
        inputs["mask"] = mask.astype(dt)
        names[4] = "mask"
    while names[-1] == "":
        names.pop()
    node = helper.make_node("DeformConv", names, ["Y"], name=name, strides=list(strides),
                            pads=list(pads), dilations=list(dilations), group=group,
                            offset_group=offset_group, kernel_shape=list(W.shape[2:]))
    y = deform_conv(X, inputs["W"], inputs["offset"], inputs.get("B"), inputs.get("mask"),
                    strides, pads, dilations, group, offset_group)
    theirs = onnx_reference(node, inputs)
    if not np.allclose(theirs, y, rtol=1e-5, atol=1e-5):
        sys.exit("%s: the NumPy reference disagrees with onnx.reference:\n%s\n%s"
                 % (name, y, theirs))
    onnx_cases.save_case(out, name, [node], list(inputs.items()), [("Y", y)],
                         [helper.make_opsetid("", 19)])
    cases += 1


def offsets(shape, spread):
    """Offsets in [-spread, spread], a few of them whole numbers (taps exactly on pixels)."""
    o = rng.uniform(-spread, spread, shape)
    flat = o.reshape(-1)
    flat[::7] = np.round(flat[::7])
    return o.astype(np.float32)


f32 = np.float32
# The node tests' shapes: 3 x 3 input, 2 x 2 kernel, with and without padding.
X = np.arange(9, dtype=f32).reshape(1, 1, 3, 3)
case("basic_padding", X, np.ones((1, 1, 2, 2)), offsets((1, 8, 4, 4), 1.0), pads=(1, 1, 1, 1))
case("basic_no_padding", X, np.ones((1, 1, 2, 2)), offsets((1, 8, 2, 2), 1.0))
# Mask and bias; offsets far enough to leave the input.
X2 = rng.standard_normal((2, 2, 5, 6)).astype(f32)
W2 = rng.standard_normal((3, 2, 3, 2)).astype(f32)
case("mask_bias", X2, W2, offsets((2, 12, 3, 5), 3.0), B=rng.standard_normal(3),
     mask=rng.uniform(0, 1, (2, 6, 3, 5)))
# Groups and offset groups (4 channels: 2 groups of filters, 2 offset groups), strides,
# dilations and pads.
X4 = rng.standard_normal((1, 4, 6, 7)).astype(f32)
W4 = rng.standard_normal((4, 2, 2, 3)).astype(f32)
case("groups_offset_groups", X4, W4, offsets((1, 24, 3, 2), 1.5), group=2, offset_group=2,
     strides=(2, 3), dilations=(2, 1), pads=(1, 0, 1, 1), mask=rng.uniform(0, 2, (1, 12, 3, 2)))
case("offset_groups_4", X4, rng.standard_normal((2, 4, 2, 2)), offsets((1, 32, 5, 6), 2.0),
     offset_group=4)
case("double", X2.astype(np.float64), W2, offsets((2, 12, 3, 5), 2.0).astype(np.float64),
     B=rng.standard_normal(3))
print("%d cases" % cases)
