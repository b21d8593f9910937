# Every VJP rule (ir/vjp/) through `kiln compile --grad --wrt inputs` and
# `kiln run --entry grad`, in float64, against PyTorch autograd and against
# central finite differences of the PyTorch function. One small model per op
# family case, exported from PyTorch; broadcasting, strides, pads, dilations,
# groups, ceil_mode, negative steps, pad modes and resize modes included.
# RUN: rm -rf %t && %python %s %t
import os
import sys
import traceback

import torch
import torch.nn.functional as F

import grad_testing as gt
import torch_common

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


class Fn(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *xs):
        return self.fn(*xs)


def r(*shape, low=None):
    t = torch.randn(*shape)
    return t.abs() + low if low is not None else t


idx = torch.tensor([2, 0, 2, 1])
idx_negative = torch.tensor([-1, 0, -1, -3, 1])
idx_2d = torch.tensor([[0, 2], [2, 2], [1, 0]])

CASES = [
    # Elementwise, unary.
    ("neg", lambda x: -x, [r(3, 4)]),
    ("abs", torch.abs, [r(3, 4)]),
    ("relu", torch.relu, [r(3, 4)]),
    ("exp", torch.exp, [r(3, 4)]),
    ("log", torch.log, [r(3, 4, low=0.5)]),
    ("sqrt", torch.sqrt, [r(3, 4, low=0.5)]),
    ("reciprocal", torch.reciprocal, [r(3, 4, low=0.5)]),
    ("tanh", torch.tanh, [r(3, 4)]),
    ("sigmoid", torch.sigmoid, [r(3, 4)]),
    ("erf", torch.erf, [r(3, 4)]),
    ("sin_cos", lambda x: torch.sin(x) * torch.cos(x), [r(3, 4)]),
    ("tan_atan", lambda x: torch.tan(x) * torch.atan(x), [torch.rand(3, 4) * 2 - 1]),
    # PyTorch 1.13 exports no sinh, cosh, asinh, acosh or atanh: ONNX_CASES has them.
    ("acos_asin", lambda x: torch.acos(x) * torch.asin(x), [torch.rand(3, 4) * 1.6 - 0.8]),
    ("gelu", F.gelu, [r(3, 4)]),
    # ONNX stores alpha (and beta) as float32: 0.1 becomes 0.10000000149, so
    # against PyTorch's float64 0.1 the gradient differs by ~1.5e-8 relative.
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.1), [r(3, 4)], 1e-7),
    ("hardswish", F.hardswish, [r(3, 4) * 4]),
    ("hardsigmoid", F.hardsigmoid, [r(3, 4) * 4], 1e-7),
    ("clip", lambda x: torch.clamp(x, -0.5, 0.7), [r(3, 4)]),
    # A float32 input cast to float64: its gradient is cast back (float32, so
    # a float32 tolerance).
    ("cast", lambda x: x.double() * x.double(), [r(3, 4).float()], 1e-6),
    # Elementwise, binary with broadcasting.
    ("add_bcast", lambda a, b: a + b, [r(2, 3, 4), r(3, 1)]),
    ("sub_bcast", lambda a, b: a - b, [r(2, 1, 4), r(3, 1)]),
    ("mul_bcast", lambda a, b: a * b, [r(2, 3, 4), r(4)]),
    ("div_bcast", lambda a, b: a / b, [r(2, 3, 4), r(3, 1, low=0.5)]),
    ("pow", lambda a, b: torch.pow(a, b), [r(3, 4, low=0.5), r(4)]),
    ("max_min", lambda a, b: torch.maximum(a, b) + 2 * torch.minimum(a, b), [r(3, 4), r(4)]),
    ("where_compare", lambda a, b: torch.where(a > b, a * 2, b * b), [r(3, 4), r(3, 4)]),
    # Matmul with broadcast batch dims.
    ("matmul_batch", torch.matmul, [r(2, 1, 3, 4), r(5, 4, 2)]),
    ("matmul_2d", torch.matmul, [r(3, 4), r(4, 5)]),
    ("linear", lambda x, w, b: F.linear(x, w, b), [r(2, 3, 4), r(5, 4), r(5)]),
    # Reductions.
    ("sum", lambda x: x.sum(dim=1), [r(2, 3, 4)]),
    ("mean_keep", lambda x: x.mean(dim=(0, 2), keepdim=True), [r(2, 3, 4)]),
    ("amax", lambda x: torch.amax(x, dim=2), [r(2, 3, 4)]),
    ("amin", lambda x: torch.amin(x, dim=0, keepdim=True), [r(2, 3, 4)]),
    ("prod", lambda x: torch.prod(x, dim=1), [r(2, 3, 4, low=0.5)]),
    # Softmax and normalization.
    ("softmax", lambda x: torch.softmax(x, dim=1), [r(2, 5, 3)]),
    ("log_softmax", lambda x: torch.log_softmax(x, dim=-1), [r(2, 3, 5)]),
    ("layer_norm", lambda x, w, b: F.layer_norm(x, (4, 5), w, b), [r(2, 3, 4, 5), r(4, 5), r(4, 5)]),
    ("batch_norm_eval", lambda x, w, b: F.batch_norm(
        x, torch.tensor([0.1, -0.2, 0.3]), torch.tensor([0.5, 1.5, 2.0]), w, b, False, 0.1, 1e-5),
     [r(2, 3, 4, 4), r(3), r(3)]),
    # Data movement.
    ("reshape_transpose", lambda x: x.reshape(4, 6).t() * 1.0, [r(2, 3, 4)]),
    ("permute", lambda x: x.permute(2, 0, 1) * x.permute(2, 0, 1), [r(2, 3, 4)]),
    ("concat", lambda a, b: torch.cat([a, b * b, a], dim=1), [r(2, 3), r(2, 4)]),
    ("split", lambda x: (lambda p: p[0] * 2 + p[1] * p[1] - p[2])(torch.split(x, 2, dim=1)),
     [r(3, 6)]),
    ("slice_steps", lambda x: x[:, 1:6:2, ::3] * 1.5, [r(2, 7, 8)]),
    ("slice_negative_step", lambda x: torch.flip(x, dims=[1]) * x, [r(3, 5)]),
    ("gather", lambda x: x[idx] * 1.0, [r(3, 4)]),
    ("gather_axis1", lambda x: torch.index_select(x, 1, idx) * x.sum(), [r(2, 3, 2)]),
    # kiln.scatter_add: negative and repeated indices, 2-D indices in the
    # middle of the shape (one-hot product per outer slice).
    ("gather_negative", lambda x: x[idx_negative] * 1.5, [r(3, 4)]),
    ("gather_2d_indices", lambda x: x[:, idx_2d] * 2.0, [r(2, 3, 4)]),
    ("expand", lambda x: x.expand(3, 4, 5) * 1.0, [r(4, 1)]),
    ("pad", lambda x: F.pad(x, (1, 2, 0, 3), value=0.5) * 2.0, [r(2, 3, 4)]),
    ("pad_reflect", lambda x: F.pad(x, (2, 1, 1, 3), mode="reflect") * 1.5, [r(2, 3, 5, 6)]),
    ("pad_reflect_1d", lambda x: F.pad(x, (3, 2), mode="reflect") * 1.5, [r(2, 3, 6)]),
    ("pad_edge", lambda x: F.pad(x, (2, 1, 1, 3), mode="replicate") * 1.5, [r(2, 3, 4, 5)]),
    ("pad_edge_one", lambda x: F.pad(x, (2, 3), mode="replicate") * 1.5, [r(2, 3, 1)]),
    ("squeeze_unsqueeze", lambda x: x.squeeze(1).unsqueeze(0) * 3.0, [r(2, 1, 4)]),
    ("flatten", lambda x: torch.flatten(x, 1) * 1.0, [r(2, 3, 4)]),
    # Convolution.
    ("conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1), [r(2, 3, 6, 6), r(4, 3, 3, 3), r(4)]),
    ("conv2d_strided", lambda x, w: F.conv2d(x, w, stride=2, padding=(1, 0), dilation=(1, 2)),
     [r(1, 2, 7, 8), r(3, 2, 3, 2)]),
    ("conv2d_groups", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=2),
     [r(2, 4, 6, 5), r(6, 2, 3, 3), r(6)]),
    ("conv2d_depthwise", lambda x, w: F.conv2d(x, w, padding=1, groups=3),
     [r(1, 3, 5, 5), r(3, 1, 3, 3)]),
    ("conv1d", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=2, dilation=2),
     [r(2, 3, 11), r(4, 3, 3), r(4)]),
    # kiln.conv_backward_data / _filter: input rows and columns no window
    # reaches (stride 3 over 8: 6 and 7), asymmetric pads with groups and
    # dilation, a grouped dilated 1-D one.
    ("conv2d_unreached", lambda x, w: F.conv2d(x, w, stride=3), [r(2, 2, 8, 8), r(3, 2, 3, 3)]),
    ("conv2d_groups_dilated_pads", lambda x, w: F.conv2d(
        F.pad(x, (2, 0, 1, 3)), w, stride=(1, 2), dilation=(2, 1), groups=3), [r(2, 6, 7, 9), r(3, 2, 2, 3)]),
    ("conv1d_groups", lambda x, w: F.conv1d(x, w, stride=2, padding=1, dilation=2, groups=3),
     [r(2, 6, 13), r(6, 2, 3)]),
    ("conv3d", lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1), dilation=(1, 1, 2)),
     [r(2, 2, 4, 5, 6), r(3, 2, 2, 3, 2), r(3)]),
    ("conv3d_groups", lambda x, w: F.conv3d(x, w, stride=2, padding=1, groups=2),
     [r(1, 4, 5, 4, 5), r(4, 2, 3, 3, 3)]),
    # Transposed convolution.
    ("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
     [r(2, 3, 4, 5), r(3, 4, 3, 3), r(4)]),
    ("conv_transpose2d_groups_dilated", lambda x, w: F.conv_transpose2d(
        x, w, stride=(2, 1), padding=(0, 2), dilation=(1, 2), groups=2), [r(1, 4, 3, 4), r(4, 3, 3, 3)]),
    ("conv_transpose3d", lambda x, w, b: F.conv_transpose3d(
        x, w, b, stride=(2, 1, 2), padding=(1, 0, 1), output_padding=(1, 0, 0), dilation=(1, 2, 1)),
     [r(1, 2, 3, 4, 3), r(2, 3, 2, 2, 3), r(3)]),
    ("conv_transpose3d_groups", lambda x, w: F.conv_transpose3d(x, w, stride=2, groups=2),
     [r(2, 4, 2, 3, 2), r(4, 1, 2, 3, 2)]),
    ("conv_transpose1d", lambda x, w, b: F.conv_transpose1d(x, w, b, stride=3, padding=1),
     [r(2, 2, 5), r(2, 3, 4), r(3)]),
    # Resampling.
    ("resize_nearest_up", lambda x: F.interpolate(x, scale_factor=2, mode="nearest") * 1.0, [r(1, 2, 3, 4)]),
    ("resize_nearest_down", lambda x: F.interpolate(x, size=(3, 2), mode="nearest") * 1.0, [r(1, 2, 7, 5)]),
    # Resize computes its sampling coordinates in float32 as onnxruntime does
    # (README), so linear and cubic weights differ from PyTorch's float64 ones
    # by ~1e-7 relative, forward and backward alike.
    ("resize_bilinear", lambda x: F.interpolate(x, size=(7, 5), mode="bilinear", align_corners=False),
     [r(2, 2, 4, 3)], 1e-6),
    ("resize_bilinear_down", lambda x: F.interpolate(x, size=(3, 2), mode="bilinear", align_corners=False),
     [r(1, 2, 7, 5)], 1e-6),
    ("resize_bilinear_corners", lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True),
     [r(1, 2, 3, 4)], 1e-6),
    ("resize_linear_1d", lambda x: F.interpolate(x, size=9, mode="linear") * 1.0, [r(2, 3, 5)], 1e-6),
    ("resize_bicubic", lambda x: F.interpolate(x, size=(6, 7), mode="bicubic", align_corners=False),
     [r(1, 2, 4, 5)], 1e-6),
    # Pooling.
    ("max_pool", lambda x: F.max_pool2d(x, 3, stride=2, padding=1), [r(2, 2, 7, 7)]),
    ("max_pool_ceil", lambda x: F.max_pool2d(x, 2, stride=2, ceil_mode=True), [r(1, 2, 5, 7)]),
    ("max_pool_dilated", lambda x: F.max_pool2d(x, 2, stride=1, dilation=2), [r(1, 2, 6, 6)]),
    ("max_pool1d", lambda x: F.max_pool1d(x, 3, stride=2), [r(2, 3, 9)]),
    ("max_pool3d", lambda x: F.max_pool3d(x, (2, 3, 2), stride=(1, 2, 2), padding=(0, 1, 1), ceil_mode=True),
     [r(2, 2, 4, 7, 6)]),
    ("max_pool3d_dilated", lambda x: F.max_pool3d(x, 2, stride=1, dilation=(2, 1, 2)), [r(1, 3, 5, 4, 5)]),
    ("avg_pool3d", lambda x: F.avg_pool3d(x, (3, 2, 3), stride=2, padding=1, count_include_pad=False,
                                          ceil_mode=True), [r(2, 2, 5, 6, 5)]),
    # Windows that tile the input (the all-parallel lowering).
    ("max_pool_tiles", lambda x: F.max_pool2d(x, 2, stride=2), [r(2, 3, 6, 8)]),
    ("max_pool_tiles_3x2", lambda x: F.max_pool2d(x, (3, 2), stride=(3, 2)), [r(1, 2, 9, 4)]),
    ("avg_pool", lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), [r(2, 2, 7, 7)]),
    ("avg_pool_exclude_pad_ceil", lambda x: F.avg_pool2d(
        x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), [r(1, 2, 6, 8)]),
    ("global_avg_pool", lambda x: F.adaptive_avg_pool2d(x, 1), [r(2, 3, 4, 5)]),
    ("global_max_pool", lambda x: F.adaptive_max_pool2d(x, 1), [r(2, 3, 4, 5)]),
]


def batch_norm_onnx(path, shapes):
    """BatchNormalization with every operand a graph input (PyTorch exports
    running statistics as initializers): the gradients of the mean and the
    variance are checked too."""
    from onnx import TensorProto, helper
    double = TensorProto.DOUBLE
    shape, channels = shapes[0], shapes[1][0]
    vec = lambda n: helper.make_tensor_value_info(n, double, [channels])
    graph = helper.make_graph(
        [helper.make_node("BatchNormalization", ["input0", "input1", "input2", "input3", "input4"],
                          ["output0"], epsilon=1e-3)],
        "bn", [helper.make_tensor_value_info("input0", double, shape)] +
        [vec("input%d" % i) for i in range(1, 5)],
        [helper.make_tensor_value_info("output0", double, shape)])
    import onnx
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)]), path)
    return ["input%d" % i for i in range(5)], ["output0"]


def unary_onnx(op):
    """A one-node float64 model of the unary op `op`."""
    def make(path, shapes):
        import onnx
        from onnx import TensorProto, helper
        info = lambda n: helper.make_tensor_value_info(n, TensorProto.DOUBLE, shapes[0])
        graph = helper.make_graph([helper.make_node(op, ["input0"], ["output0"])], op,
                                  [info("input0")], [info("output0")])
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
        return ["input0"], ["output0"]
    return make


def conv_transpose_output_shape_onnx(path, shapes):
    """ConvTranspose whose output_shape is larger than the full result, so
    the importer's pads (the operator text's formulas) are negative: -1 in H
    (9 = 7 + 2) and -2 in W (11 = 7 + 4), positions no input reaches."""
    import onnx
    from onnx import TensorProto, helper
    info = lambda n, shape: helper.make_tensor_value_info(n, TensorProto.DOUBLE, shape)
    graph = helper.make_graph(
        [helper.make_node("ConvTranspose", ["input0", "input1"], ["output0"], strides=[2, 2],
                          output_shape=[9, 11])],
        "convtranspose", [info("input0", shapes[0]), info("input1", shapes[1])],
        [info("output0", [shapes[0][0], shapes[1][1], 9, 11])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return ["input0", "input1"], ["output0"]


# A dilated AveragePool (opset 19; PyTorch's avg_pool2d has no dilation): kernel [2, 3], strides
# [2, 1], pads 1, dilations 2, ceil_mode (H gets a 4th window past the end padding) and the
# divisor counting input elements only.
AVG_DILATED = dict(kernel=[2, 3], strides=[2, 1], pads=[1, 1], dilations=[2, 2])


def avg_pool_dilated_onnx(path, shapes):
    import onnx
    from onnx import TensorProto, helper
    a = AVG_DILATED
    info = lambda n, shape: helper.make_tensor_value_info(n, TensorProto.DOUBLE, shape)
    graph = helper.make_graph(
        [helper.make_node("AveragePool", ["input0"], ["output0"], kernel_shape=a["kernel"],
                          strides=a["strides"], pads=a["pads"] * 2, dilations=a["dilations"],
                          ceil_mode=1)],
        "avgpool", [info("input0", shapes[0])], [info("output0", None)])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)]), path)
    return ["input0"], ["output0"]


def avg_pool_dilated_ref(x):
    """Sums by a depthwise convolution with ones (zero padding, extra end padding for ceil_mode's
    last window), divided by how many input elements each window reads."""
    a, sizes = AVG_DILATED, x.shape[2:]
    outs, extra, counts = [], [], []
    for i in range(2):
        k, s, p, d = a["kernel"][i], a["strides"][i], a["pads"][i], a["dilations"][i]
        span = sizes[i] + 2 * p - d * (k - 1) - 1
        o = -(-span // s) + 1
        if (o - 1) * s >= sizes[i] + p:
            o -= 1
        outs.append(o)
        extra.append(max(0, (o - 1) * s + d * (k - 1) + 1 - (sizes[i] + 2 * p)))
        counts.append([sum(0 <= j * s - p + t * d < sizes[i] for t in range(k)) for j in range(o)])
    padded = F.pad(x, (a["pads"][1], a["pads"][1] + extra[1], a["pads"][0], a["pads"][0] + extra[0]))
    ones = torch.ones(x.shape[1], 1, *a["kernel"])
    sums = F.conv2d(padded, ones, stride=a["strides"], dilation=a["dilations"], groups=x.shape[1])
    return sums / torch.tensor(counts[0]).view(-1, 1).double() / torch.tensor(counts[1]).double()


# Pad-19's wrap mode (PyTorch 1.13 exports circular padding as slices and a Concat): begin
# pads longer than the dim (H: 5 rows before 3) and a dim padded at its end only.
WRAP_PADS = [0, 0, 5, 1, 0, 0, 2, 4]


def pad_wrap_onnx(path, shapes):
    import onnx
    from onnx import TensorProto, helper
    info = lambda n, shape: helper.make_tensor_value_info(n, TensorProto.DOUBLE, shape)
    pads = helper.make_tensor("pads", TensorProto.INT64, [len(WRAP_PADS)], WRAP_PADS)
    graph = helper.make_graph(
        [helper.make_node("Pad", ["input0", "pads"], ["output0"], mode="wrap")],
        "pad_wrap", [info("input0", shapes[0])], [info("output0", None)], [pads])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)]), path)
    return ["input0"], ["output0"]


def pad_wrap_ref(x):
    rank = x.dim()
    for d in range(rank):
        b, e, n = WRAP_PADS[d], WRAP_PADS[rank + d], x.shape[d]
        x = torch.index_select(x, d, (torch.arange(n + b + e) - b) % n)
    return x


def batch_norm_ref(x, s, b, m, v):
    c = lambda t: t.reshape(1, -1, 1, 1)
    return (x - c(m)) / torch.sqrt(c(v) + 1e-3) * c(s) + c(b)


ONNX_CASES = [
    ("batch_norm_all_operands", batch_norm_onnx, batch_norm_ref,
     [r(2, 3, 4, 4), r(3), r(3), r(3), r(3, low=0.5)]),
    ("conv_transpose_negative_pads", conv_transpose_output_shape_onnx,
     lambda x, w: F.pad(F.conv_transpose2d(x, w, stride=2), (2, 2, 1, 1)), [r(1, 2, 3, 3), r(2, 3, 3, 3)]),
    ("avg_pool_dilated_ceil", avg_pool_dilated_onnx, avg_pool_dilated_ref, [r(1, 2, 6, 6)]),
    ("pad_wrap", pad_wrap_onnx, pad_wrap_ref, [r(2, 3, 3, 4)]),
    ("sinh", unary_onnx("Sinh"), torch.sinh, [r(3, 4)]),
    ("cosh", unary_onnx("Cosh"), torch.cosh, [r(3, 4)]),
    ("asinh", unary_onnx("Asinh"), torch.asinh, [r(3, 4)]),
    ("acosh", unary_onnx("Acosh"), torch.acosh, [r(3, 4, low=1.2)]),
    ("atanh", unary_onnx("Atanh"), torch.atanh, [torch.rand(3, 4) * 1.6 - 0.8]),
]


def check_case(name, fn, inputs, work, rtol=1e-9, make_onnx=None):
    module = Fn(fn).eval()
    path = os.path.join(work, name + ".onnx")
    if make_onnx:
        input_names, output_names = make_onnx(path, [list(t.shape) for t in inputs])
    else:
        input_names, output_names = gt.export(module, inputs, path)
    artifact = gt.compile_grad(path, os.path.join(work, name), wrt="inputs")
    with torch.no_grad():
        out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    cotangents = [torch.randn(o.shape) for o in outs]
    result = gt.run_grad(artifact, {n: t.numpy() for n, t in zip(input_names, inputs)},
                         {n: c.numpy() for n, c, o in zip(output_names, cotangents, outs)
                          if o.numel() != 1})
    autograd = gt.torch_vjp(fn, inputs, cotangents)
    numeric = gt.finite_differences(fn, inputs, cotangents)
    for n, a, d in zip(input_names, autograd, numeric):
        got = result[n + ".grad"]
        gt.assert_close_norm(got, a, "%s: d%s vs PyTorch autograd" % (name, n), rtol)
        gt.assert_close_norm(got, d, "%s: d%s vs finite differences" % (name, n),
                             max(rtol, 1e-6))


def check_max_pool_ties(work):
    """kiln.max_pool_grad with ties (small integers) and overlapping windows:
    each window's cotangent goes to its first maximum in kernel scan order,
    as PyTorch's backward does (finite differences do not apply at ties)."""
    x = torch.randint(0, 3, (2, 3, 8, 8)).double()
    x3 = torch.randint(0, 3, (1, 2, 5, 6, 6)).double()
    # NaNs (the window's output is NaN; its cotangent goes to the last NaN
    # in scan order, as PyTorch's kernel sends it) and infinities.
    xn = x.clone()
    xn.view(-1)[torch.randperm(xn.numel())[:20]] = float("nan")
    xn.view(-1)[torch.randperm(xn.numel())[:6]] = float("inf")
    # Overlapping windows with padding (the general lowering), windows that
    # tile the input (the all-parallel one), and 3-D windows (row-major over
    # depth, height, width).
    for name, fn, x in [
            ("max_pool_ties", lambda t: F.max_pool2d(t, 3, stride=2, padding=1, ceil_mode=True), x),
            ("max_pool_ties_tiles", lambda t: F.max_pool2d(t, 2, stride=2), x),
            ("max_pool_ties_3d", lambda t: F.max_pool3d(t, (2, 3, 2), stride=(1, 2, 1), padding=(1, 1, 0)), x3),
            ("max_pool_nan", lambda t: F.max_pool2d(t, 3, stride=2, padding=1), xn),
            ("max_pool_nan_tiles", lambda t: F.max_pool2d(t, 2, stride=2), xn)]:
        path = os.path.join(work, name + ".onnx")
        input_names, output_names = gt.export(Fn(fn).eval(), [x], path)
        artifact = gt.compile_grad(path, os.path.join(work, name), wrt="inputs")
        cot = torch.randn(fn(x).shape)
        got = gt.run_grad(artifact, {input_names[0]: x.numpy()}, {output_names[0]: cot.numpy()})
        want = gt.torch_vjp(fn, [x], [cot])[0]
        gt.assert_close_norm(got[input_names[0] + ".grad"], want, "%s: dx vs PyTorch autograd" % name, 1e-12)


def main():
    work = torch_common.work_dir()
    os.makedirs(work, exist_ok=True)
    only = sys.argv[2:]  # optional case names, for debugging
    failed = []
    if not only or "max_pool_ties" in only:
        try:
            check_max_pool_ties(work)
        except (SystemExit, Exception) as e:
            if not isinstance(e, SystemExit):
                traceback.print_exc()
            print("FAILED max_pool_ties: %s" % e)
            failed.append("max_pool_ties")
    for name, fn, inputs, *rtol in CASES:
        if only and name not in only:
            continue
        try:
            check_case(name, fn, inputs, work, *rtol)
        except (SystemExit, Exception) as e:
            if not isinstance(e, SystemExit):
                traceback.print_exc()
            print("FAILED %s: %s" % (name, e))
            failed.append(name)
    for name, make_onnx, fn, inputs in ONNX_CASES:
        if only and name not in only:
            continue
        try:
            check_case(name, fn, inputs, work, make_onnx=make_onnx)
        except (SystemExit, Exception) as e:
            if not isinstance(e, SystemExit):
                traceback.print_exc()
            print("FAILED %s: %s" % (name, e))
            failed.append(name)
    if failed:
        raise SystemExit("%d of %d cases failed: %s" % (len(failed), len(CASES) + len(ONNX_CASES),
                                                        ", ".join(failed)))
    print("all %d cases passed" % (len(CASES) + len(ONNX_CASES)))


main()
