"""Models, inputs and NumPy references for integer-conv-ops.test: ONNX ConvInteger and
QLinearConv (opset 10) on uint8 and int8, with and without zero points (scalars, and one per
output channel for the weights), pads, strides, dilations, groups, auto_pad, 1-D, a bias, and
sums beyond 16 bits. The references are written from the operator text: (x - x_zero_point) and
(w - w_zero_point) in int32, convolved in int32 with zero padding of the shifted input;
QLinearConv scales the int32 sum (plus the bias) by x_scale * w_scale / y_scale (computed in
float32, as the scales' type), rounds half to even, adds y_zero_point and saturates. Where
onnx.reference implements the case it must agree.
Writes NAME.onnx, NAME_in_*.npy / NAME_out_*.npy and NAME.args into argv[1] (read by
run_composite_ops.py) and prints how many cases it wrote."""
import itertools
import sys

import numpy as np
from onnx import TensorProto as TP, helper

import onnx_cases

out = sys.argv[1]
CODES = onnx_cases.NP_TO_ONNX
rng = np.random.default_rng(10)


def conv_int32(x, w, strides, pads, dilations, group):
    """Cross-correlation of int32 x [N, C, spatial...] with w [M, C / group, kernel...]."""
    r = x.ndim - 2
    x = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[r + i]) for i in range(r)])
    N, C = x.shape[:2]
    M, cg = w.shape[:2]
    kernel = w.shape[2:]
    outs = [(x.shape[2 + i] - dilations[i] * (kernel[i] - 1) - 1) // strides[i] + 1
            for i in range(r)]
    y = np.zeros((N, M) + tuple(outs), np.int32)
    mg = M // group
    for m in range(M):
        g = m // mg
        for o in itertools.product(*[range(v) for v in outs]):
            acc = np.zeros(N, np.int32)
            for k in itertools.product(*[range(v) for v in kernel]):
                at = tuple(o[i] * strides[i] + k[i] * dilations[i] for i in range(r))
                patch = x[(slice(None), slice(g * cg, (g + 1) * cg)) + at]  # [N, cg]
                acc += (patch * w[(m, slice(None)) + k]).sum(axis=1, dtype=np.int32)
            y[(slice(None), m) + o] = acc
    return y


def same_upper(shape, kernel, strides, dilations):
    """auto_pad SAME_UPPER's pads: out = ceil(in / stride), the odd one at the end."""
    r = len(kernel)
    begin, end = [], []
    for i in range(r):
        o = -(-shape[i] // strides[i])
        total = max(0, (o - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - shape[i])
        begin.append(total // 2)
        end.append(total - total // 2)
    return begin + end


def shifted(v, zp, per_channel_axis0=False):
    v = v.astype(np.int32)
    if zp is None:
        return v
    zp = np.asarray(zp).astype(np.int32)
    if zp.size > 1:
        zp = zp.reshape((-1,) + (1,) * (v.ndim - 1))
    return v - zp.reshape(()) if zp.size == 1 else v - zp


def onnx_reference(node, inputs, opset=10):
    from onnx.reference import ReferenceEvaluator
    names = [n for n in node.input if n]
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info(k, CODES[inputs[k].dtype.type], inputs[k].shape)
         for k in names],
        [helper.make_tensor_value_info(node.output[0], TP.UNDEFINED, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    return ReferenceEvaluator(model).run(None, {k: inputs[k] for k in names})[0]


cases = 0


def save(name, node, inputs, inits, y, check):
    global cases
    if check:
        theirs = onnx_reference(node, dict(inputs, **inits))
        if theirs.dtype != y.dtype or not np.array_equal(theirs, y):
            sys.exit("%s: the NumPy reference disagrees with onnx.reference:\n%s\n%s"
                     % (name, y, theirs))
    onnx_cases.save_case(out, name, [node], list(inputs.items()), [("y", y)],
                         [helper.make_opsetid("", 10)], list(inits.items()))
    cases += 1


def window(x, w, attrs):
    r = x.ndim - 2
    strides = attrs.get("strides", [1] * r)
    dilations = attrs.get("dilations", [1] * r)
    pads = attrs.get("pads", [0] * (2 * r))
    if attrs.get("auto_pad") == "SAME_UPPER":
        pads = same_upper(x.shape[2:], w.shape[2:], strides, dilations)
    return strides, pads, dilations, attrs.get("group", 1)


def conv_integer(name, x, w, x_zp=None, w_zp=None, check=True, **attrs):
    """x a graph input; w and the zero points initializers."""
    inits = {"w": w}
    names = ["x", "w"]
    if x_zp is not None:
        inits["xz"] = np.asarray(x_zp, x.dtype)
    if w_zp is not None:
        inits["wz"] = np.asarray(w_zp, w.dtype)
    names += ["xz" if x_zp is not None else "", "wz" if w_zp is not None else ""]
    while names[-1] == "":
        names.pop()
    node = helper.make_node("ConvInteger", names, ["y"], name=name, **attrs)
    y = conv_int32(shifted(x, x_zp), shifted(w, w_zp), *window(x, w, attrs))
    save(name, node, {"x": x}, inits, y, check)


def qlinear_conv(name, x, xs, xz, w, ws, wz, ys, yz, bias=None, check=True, y_type=None,
                 **attrs):
    """y has y_zero_point's type: x's unless `y_type` says otherwise."""
    f32 = np.float32
    y_type = y_type or x.dtype
    inits = {"xs": np.asarray(xs, f32), "xz": np.asarray(xz, x.dtype), "w": w,
             "ws": np.asarray(ws, f32), "wz": np.asarray(wz, w.dtype),
             "ys": np.asarray(ys, f32), "yz": np.asarray(yz, y_type)}
    names = ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"]
    if bias is not None:
        inits["b"] = np.asarray(bias, np.int32)
        names.append("b")
    node = helper.make_node("QLinearConv", names, ["y"], name=name, **attrs)
    acc = conv_int32(shifted(x, xz), shifted(w, wz), *window(x, w, attrs))
    if bias is not None:
        acc = acc + inits["b"].reshape((1, -1) + (1,) * (x.ndim - 2))
    scale = inits["ws"].reshape((1, -1) + (1,) * (x.ndim - 2)) if np.size(ws) > 1 else inits["ws"]
    factor = (inits["xs"] * scale / inits["ys"]).astype(f32)
    real = acc.astype(np.float64) * factor.astype(np.float64)
    info = np.iinfo(y_type)
    y = np.clip(np.rint(real) + int(yz), info.min, info.max).astype(y_type)
    save(name, node, {"x": x}, inits, y, check)


u8 = lambda shape: rng.integers(0, 256, shape).astype(np.uint8)  # noqa: E731
i8 = lambda shape: rng.integers(-128, 128, shape).astype(np.int8)  # noqa: E731

# ConvInteger: the node tests' shapes, then every attribute; uint8 x uint8 sums of 3 * 9 *
# 255 * 255 go far past 16 bits.
conv_integer("ci_node_padding", np.arange(2, 11, dtype=np.uint8).reshape(1, 1, 3, 3),
             np.ones((1, 1, 2, 2), np.uint8), x_zp=1, pads=[1, 1, 1, 1])
conv_integer("ci_node_no_padding", np.arange(2, 11, dtype=np.uint8).reshape(1, 1, 3, 3),
             np.ones((1, 1, 2, 2), np.uint8), x_zp=1)
conv_integer("ci_wide_sums", u8((2, 3, 6, 5)), u8((4, 3, 3, 3)), x_zp=0, w_zp=0)
conv_integer("ci_int8_window", i8((1, 4, 7, 6)), i8((6, 2, 3, 2)), x_zp=-3, w_zp=5,
             strides=[2, 1], dilations=[1, 2], pads=[1, 0, 2, 1], group=2)
# onnx.reference subtracts a per-channel zero point along the last dim, not the channels'.
conv_integer("ci_per_channel_zp", u8((1, 2, 5, 5)), u8((3, 2, 2, 2)), x_zp=128,
             w_zp=np.array([1, 100, 255], np.uint8), check=False)
# Depthwise (groups = channels = filters: its own linalg op).
conv_integer("ci_depthwise", u8((2, 3, 5, 6)), u8((3, 1, 3, 3)), x_zp=90, w_zp=200, group=3,
             pads=[1, 1, 1, 1])
conv_integer("ci_same_upper", u8((1, 1, 5, 4)), u8((2, 1, 3, 2)), x_zp=7,
             auto_pad="SAME_UPPER", strides=[2, 1])
conv_integer("ci_1d_no_zero_points", i8((2, 2, 9)), i8((3, 2, 3)), strides=[2], pads=[1, 2])

# QLinearConv: the node test's values, then int8 with a bias, per-channel weight scales and
# zero points, and results that saturate at both ends.
x = np.array([[255, 174, 162, 25, 203, 168, 58], [15, 59, 237, 95, 129, 0, 64],
              [56, 242, 153, 221, 168, 12, 166], [232, 178, 186, 195, 237, 162, 237],
              [188, 39, 124, 77, 80, 102, 43], [127, 230, 21, 83, 41, 40, 134],
              [255, 154, 92, 141, 42, 148, 247]], np.uint8).reshape(1, 1, 7, 7)
qlinear_conv("qc_node_test", x, 0.00369204697, 132, np.array([0], np.uint8).reshape(1, 1, 1, 1),
             0.00172794575, 255, 0.00162681262, 123)
qlinear_conv("qc_int8_bias", i8((1, 3, 6, 6)), 0.05, -2, i8((4, 3, 3, 3)), 0.01, 0, 0.2, 5,
             bias=rng.integers(-2000, 2000, 4), pads=[1, 1, 1, 1], strides=[2, 2])
# onnx.reference broadcasts per-channel scales and zero points along the last dim.
qlinear_conv("qc_per_channel", u8((2, 2, 5, 5)), 0.02, 100, u8((4, 1, 2, 2)),
             np.array([0.01, 0.02, 0.005, 0.04], np.float32), np.array([0, 128, 255, 7], np.uint8),
             0.05, 120, group=2, dilations=[2, 1], check=False)
# Three types: uint8 x, int8 w, int8 y.
qlinear_conv("qc_mixed_types", u8((1, 2, 5, 5)), 0.03, 128, i8((2, 2, 3, 3)), 0.02, 0, 0.1, -3,
             y_type=np.int8, strides=[2, 2])
qlinear_conv("qc_saturating", u8((1, 2, 4, 4)), 1.0, 0, u8((2, 2, 2, 2)), 1.0, 0, 0.5, 10)
print("%d cases" % cases)
