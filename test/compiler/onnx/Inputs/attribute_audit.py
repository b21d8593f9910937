"""Audits the ONNX importer's attribute handling against ONNX's own schemas.

Usage: attribute_audit.py WORKDIR [--kiln PATH] [--jobs N]

For each op below and each opset from 7 to 28 (or the installed onnx's newest)
at which the op's schema changes (the opset before each change too, and the
first and last), it imports
one-node models with `kiln compile --emit=kiln` and sorts every attribute the
schema defines for that opset into one of:

  honoured   the model compiles and its IR differs from a control model
             without the attribute (or with another value), or exactly one
             of the two compiles: the attribute changes the import;
  refused    the import fails with one line naming the node and the
             attribute;
  no-effect  both compile to the same IR; allowed only for the attributes in
             NO_EFFECT, which only matter in training or for types Kiln does
             not have (each with its reason).

Anything else is a problem: a spec attribute with no effect that is not in
NO_EFFECT, a failure that does not name the attribute, a crash. Every
attribute the schema does not define at that opset (those of the op's other
versions, and a made-up one) must be refused naming it. The schema itself
comes from onnx.defs, so an attribute this table has no test value for is a
problem too: nothing escapes the audit by being forgotten.

Prints one line per op, `Op [opsets]: attr=outcome ...` (an attribute that
exists only at some tested opsets shows them, `ceil_mode@10-21=honoured`),
then `N ops, M models; P problems` and one line per problem. Exits 1 if
there are problems.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys

import numpy as np
import onnx
import onnx.defs
from onnx import TensorProto as TP, helper, numpy_helper

ABSENT = object()
# The newest opset Kiln implements (28), or the installed onnx's newest if older: the schemas
# come from it.
FIRST_OPSET, LAST_OPSET = 7, min(28, onnx.defs.onnx_opset_version())
BOGUS = "kiln_bogus"

# Attributes that cannot change an inference result, and why.
NO_EFFECT = {
    ("BatchNormalization", "momentum"): "updates running statistics in training only",
    ("Dropout", "ratio"): "inference drops nothing",
    ("Dropout", "seed"): "inference drops nothing",
    ("Cast", "round_mode"): "affects float8e8m0 targets only, which Kiln does not have",
    ("TopK", "sorted"): "unsorted results may come in any order; Kiln's are sorted",
    ("LinearAttention", "chunk_size"): "a tuning hint for chunked kernels; the result is the same",
    ("TreeEnsemble", "nodes_hitrates"): "describes the training data (a hint for performance)",
    ("TreeEnsembleRegressor", "nodes_hitrates"): "describes the training data (a hint for performance)",
    ("TreeEnsembleRegressor", "nodes_hitrates_as_tensor"):
        "describes the training data (a hint for performance)",
}
# The newest opset of each other domain Kiln implements.
DOMAIN_LAST_OPSET = {"ai.onnx.preview": 1, "ai.onnx.preview.training": 1, "ai.onnx.ml": 5}


def f32(*shape):
    return ("f32", list(shape))


def tensor(name, values, dtype=np.float32):
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


class Op:
    """A one-node model of `op`: graph inputs, initializers (constants), the
    attributes every model carries, and a test per attribute:
    attr -> (value, control) or (value, control, extra), where `control` is
    the value of the control model (ABSENT: without the attribute) and
    `extra` updates the model for both: {'attrs': {...}, 'inputs': {...},
    'inits': {...}, 'outputs': N}."""

    def __init__(self, op, inputs, inits=None, attrs=None, tests=None,
                 outputs=1, since=None, build=None, domain=""):
        self.op, self.inputs, self.inits = op, inputs, inits or {}
        self.domain = domain  # opsets are then that domain's; the default one's is the newest
        self.attrs, self.tests, self.outputs = attrs or {}, tests or {}, outputs
        self.build = build  # optional (opset, model dict) -> model dict

    def model(self, opset, attrs, extra=None):
        extra = extra or {}
        spec = {
            "inputs": dict(self.inputs, **extra.get("inputs", {})),
            "inits": dict(self.inits, **extra.get("inits", {})),
            "attrs": dict(self.attrs, **extra.get("attrs", {})),
            "order": None,
            "outputs": extra.get("outputs", self.outputs),
        }
        if self.build:
            spec = self.build(opset, spec)
        spec["attrs"].update(attrs)
        for k in [k for k, v in spec["attrs"].items() if v is ABSENT]:
            del spec["attrs"][k]
        names = spec["order"] or list(spec["inputs"]) + list(spec["inits"])
        graph_inputs = []
        for name, (dtype, shape) in spec["inputs"].items():
            elem = {"f32": TP.FLOAT, "bool": TP.BOOL, "i64": TP.INT64, "i32": TP.INT32,
                    "u8": TP.UINT8}[dtype]
            graph_inputs.append(helper.make_tensor_value_info(name, elem, shape))
        inits = [tensor(n, v) if not isinstance(v, onnx.TensorProto) else v
                 for n, v in spec["inits"].items()]
        for t, n in zip(inits, spec["inits"]):
            t.name = n
        outs = ["y%d" % i for i in range(spec["outputs"])]
        node = helper.make_node(self.op, names, outs, name="n", domain=self.domain or None,
                                **spec["attrs"])
        graph = helper.make_graph(
            [node], "g", graph_inputs,
            [onnx.ValueInfoProto(name=o) for o in outs], inits)
        opsets = [helper.make_opsetid("", opset)]
        if self.domain:
            opsets = [helper.make_opsetid("", LAST_OPSET), helper.make_opsetid(self.domain, opset)]
        return helper.make_model(
            graph, opset_imports=opsets,
            ir_version=4 if opset < 9 and not self.domain else 8)


def ints(name, values):
    return tensor(name, values, np.int64)


X = f32(2, 3, 4)
ATTENTION_3D = {"q": f32(1, 3, 8), "k": f32(1, 5, 8), "v": f32(1, 5, 8)}


def linear_attention_build(opset, spec):
    """beta is the sixth input (after past_state and decay)."""
    if "beta" in spec["inputs"]:
        spec["order"] = ["q", "k", "v", "", "", "beta"]
    return spec


def modifier(name, op):
    """A FlexAttention score_mod / prob_mod: one unary op on float32 [1, 2, 3, 5]."""
    shape = [1, 2, 3, 5]
    return helper.make_graph([helper.make_node(op, ["x"], ["y"])], name,
                             [helper.make_tensor_value_info("x", TP.FLOAT, shape)],
                             [helper.make_tensor_value_info("y", TP.FLOAT, shape)])


def topk_build(opset, spec):
    """k became the input K in opset 10."""
    if opset >= 10:
        spec["attrs"].pop("k", None)
        spec["inits"]["k"] = ints("k", [2])
    return spec


def max_pool_build(opset, spec):
    """Indices, the second output, exists from opset 8."""
    spec["outputs"] = 2 if opset >= 8 else 1
    return spec


def qlinear_conv_build(opset, spec):
    spec["order"] = ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"]
    return spec


def deform_conv_build(opset, spec):
    spec["order"] = ["x", "w", "off"]
    return spec


# Conv's window attributes, shared by ConvInteger and QLinearConv.
CONV_TESTS = {
    "auto_pad": ("SAME_UPPER", ABSENT),
    "dilations": ([2, 2], ABSENT),
    # Checked against the weights' kernel: a different one is refused.
    "kernel_shape": ([2, 2], ABSENT),
    "pads": ([1, 1, 1, 1], ABSENT),
    "strides": ([2, 2], ABSENT),
}


def qlinear_matmul_build(opset, spec):
    spec["order"] = ["a", "as", "az", "b", "bs", "bz", "ys", "yz"]
    return spec


def slice_build(opset, spec):
    if opset >= 10:  # starts and ends became inputs
        spec["inits"].update(s=ints("s", [1]), e=ints("e", [3]))
        spec["attrs"] = {}
    return spec


def pad_build(opset, spec):
    if opset >= 11:
        spec["inits"]["p"] = ints("p", [0, 1, 0, 1])
        for k in ("pads", "value"):
            spec["attrs"].pop(k, None)
    return spec


def axes_input_build(since):
    """Unsqueeze's axes (required) became an input in opset `since`."""
    def build(opset, spec):
        if opset >= since:
            spec["inits"]["a"] = ints("a", spec["attrs"].pop("axes"))
        return spec
    return build


def upsample_build(opset, spec):
    """Upsample's scales: an attribute at 7, an input at 9."""
    if opset < 9:
        scales = spec["inits"].pop("s")
        spec["attrs"].setdefault("scales", scales)
    return spec


def resize_build(opset, spec):
    """Resize's inputs by opset: (X, scales) at 10; (X, roi, scales[, sizes])
    at 11 with roi and scales required, empty tensors when unused; any of
    them omitted from 13. A test's `sizes` replaces `scales`."""
    inits = spec["inits"]
    use_sizes = "sizes" in inits
    if use_sizes:
        del inits["s"]
    if opset < 11:
        inits.pop("roi", None)
        spec["order"] = ["x", "s"]
        return spec
    if opset < 13:
        inits.setdefault("roi", tensor("roi", np.zeros(0)))
        if use_sizes:
            inits["s"] = tensor("s", np.zeros(0))
        spec["order"] = ["x", "roi", "s"] + (["sizes"] if use_sizes else [])
        return spec
    roi = "roi" if "roi" in inits else ""
    spec["order"] = ["x", roi] + (["", "sizes"] if use_sizes else ["s"])
    return spec


def reduce_tests(since):
    return {"keepdims": (0, ABSENT), "axes": ([1], ABSENT),
            "noop_with_empty_axes": (1, ABSENT)}


def unary(op):
    return Op(op, {"x": f32(2, 3)})


def binary(op):
    return Op(op, {"a": f32(2, 3), "b": f32(2, 3)})


POOL_TESTS = {
    "kernel_shape": ([3, 3], [2, 2]),
    "auto_pad": ("SAME_UPPER", ABSENT),
    "ceil_mode": (1, ABSENT, {"attrs": {"strides": [2, 2]}}),
    "dilations": ([2, 2], ABSENT),
    "pads": ([1, 1, 1, 1], ABSENT),
    "strides": ([2, 2], ABSENT),
}

def rnn_op(op, gates, acts):
    """RNN, GRU or LSTM: X [2, 2, 3] (seq and batch both 2, so layout 1 fits too), hidden 2."""
    w = np.linspace(-1, 1, gates * 2 * 3).reshape(1, gates * 2, 3)
    r = np.linspace(-1, 1, gates * 2 * 2).reshape(1, gates * 2, 2)
    first = lambda name: {"attrs": {"activations": [name] + acts[1:]}}
    tests = {
        "activation_alpha": ([0.5], ABSENT, first("LeakyRelu")),
        "activation_beta": ([0.7], ABSENT, first("HardSigmoid")),
        "activations": (["Relu"] + acts[1:], ABSENT),
        "clip": (1.0, ABSENT),
        "direction": ("reverse", ABSENT),
        # Required (as in onnxruntime): without it the model is refused.
        "hidden_size": (2, ABSENT),
        "layout": (1, ABSENT),
    }
    if op == "GRU":
        tests["linear_before_reset"] = (1, ABSENT)
    if op == "LSTM":
        tests["input_forget"] = (1, ABSENT)
    return Op(op, {"x": f32(2, 2, 3)}, {"w": w, "r": r}, attrs={"hidden_size": 2},
              outputs=3 if op == "LSTM" else 2, tests=tests)


def branch(name, value):
    """An If branch with no inputs: the constant [value, value]."""
    return helper.make_graph([helper.make_node("Identity", [name + "_k"], [name + "_o"])], name,
                             [], [helper.make_tensor_value_info(name + "_o", TP.FLOAT, [2])],
                             [tensor(name + "_k", [value, value])])


def loop_body(value):
    """A Loop body: v + value, the condition passed on."""
    return helper.make_graph(
        [helper.make_node("Identity", ["cond"], ["cond_out"]),
         helper.make_node("Add", ["v", "k"], ["v_out"])], "body",
        [helper.make_tensor_value_info("i", TP.INT64, []),
         helper.make_tensor_value_info("cond", TP.BOOL, []),
         helper.make_tensor_value_info("v", TP.FLOAT, [2])],
        [helper.make_tensor_value_info("cond_out", TP.BOOL, []),
         helper.make_tensor_value_info("v_out", TP.FLOAT, [2])],
        [tensor("k", [value, value])])


def loop_build(opset, spec):
    spec["order"] = ["m", "", "x"]
    return spec


def scan_body(scale):
    """A Scan body: the state plus scale times the row, also the scan output."""
    return helper.make_graph(
        [helper.make_node("Mul", ["row", "k"], ["kr"]),
         helper.make_node("Add", ["s", "kr"], ["s_out"]),
         helper.make_node("Identity", ["s_out"], ["e"])], "body",
        [helper.make_tensor_value_info("s", TP.FLOAT, [2]),
         helper.make_tensor_value_info("row", TP.FLOAT, [2])],
        [helper.make_tensor_value_info("s_out", TP.FLOAT, [2]),
         helper.make_tensor_value_info("e", TP.FLOAT, [2])],
        [tensor("k", [scale, scale])])


def scan_build(opset, spec):
    if opset < 9:  # sequence_lens first, and a batch dim on every input
        spec["inputs"] = {"xs": f32(1, 3, 2)}
        spec["inits"] = {"s0": np.zeros((1, 2))}
        spec["order"] = ["", "s0", "xs"]
    else:
        spec["order"] = ["s0", "xs"]
    return spec


OPS = [
    Op("Conv", {"x": f32(1, 2, 6, 6)}, {"w": np.ones((2, 2, 3, 3))}, tests={
        "auto_pad": ("SAME_UPPER", ABSENT),
        "dilations": ([2, 2], ABSENT),
        # Valid only with weights for two groups, which group=1 refuses.
        "group": (2, 1, {"inits": {"w": np.ones((2, 1, 3, 3))}}),
        # Checked against the weights' kernel: a different one is refused.
        "kernel_shape": ([2, 2], ABSENT),
        "pads": ([1, 1, 1, 1], ABSENT),
        "strides": ([2, 2], ABSENT),
    }),
    Op("DeformConv", {"x": f32(1, 1, 3, 3), "off": f32(1, 8, 2, 2)}, {"w": np.ones((1, 1, 2, 2))},
       build=deform_conv_build, tests={
           "dilations": ([2, 2], ABSENT, {"inputs": {"off": f32(1, 8, 1, 1)}}),
           "group": (2, 1, {"inputs": {"x": f32(1, 2, 3, 3)},
                            "inits": {"w": np.ones((2, 1, 2, 2))}}),
           # Checked against the weights' kernel: a different one is refused.
           "kernel_shape": ([3, 3], ABSENT),
           "offset_group": (2, 1, {"inputs": {"x": f32(1, 2, 3, 3), "off": f32(1, 16, 2, 2)},
                                   "inits": {"w": np.ones((1, 2, 2, 2))}}),
           "pads": ([1, 1, 1, 1], ABSENT, {"inputs": {"off": f32(1, 8, 4, 4)}}),
           "strides": ([2, 2], ABSENT, {"inputs": {"off": f32(1, 8, 1, 1)}})}),
    Op("ConvTranspose", {"x": f32(1, 2, 3, 3)}, {"w": np.ones((2, 2, 3, 3))}, tests={
        "auto_pad": ("SAME_UPPER", ABSENT),
        "dilations": ([2, 2], ABSENT),
        "group": (2, 1, {"inits": {"w": np.ones((2, 1, 3, 3))}}),
        # Checked against the weights' kernel: a different one is refused.
        "kernel_shape": ([2, 2], ABSENT),
        "output_padding": ([1, 1], ABSENT, {"attrs": {"strides": [2, 2]}}),
        "output_shape": ([6, 6], ABSENT, {"attrs": {"strides": [2, 2]}}),
        "pads": ([1, 1, 1, 1], ABSENT),
        "strides": ([2, 2], ABSENT),
    }),
    Op("Gemm", {"a": f32(3, 3)}, {"b": np.arange(9.0).reshape(3, 3), "c": [1.0, 2.0, 3.0]},
       tests={"alpha": (2.0, ABSENT), "beta": (0.5, ABSENT),
              "transA": (1, ABSENT), "transB": (1, ABSENT)}),
    Op("MatMul", {"a": f32(2, 3), "b": f32(3, 4)}),
    binary("Add"), binary("Sub"), binary("Mul"), binary("Div"), binary("Pow"),
    unary("Sqrt"), unary("Exp"), unary("Log"), unary("Erf"), unary("Tanh"),
    unary("Sigmoid"), unary("Relu"),
    Op("LeakyRelu", {"x": f32(2, 3)}, tests={"alpha": (0.3, ABSENT)}),
    Op("Clip", {"x": f32(2, 3)}, tests={"min": (-1.0, ABSENT), "max": (1.0, ABSENT)}),
    # Before opset 13 the default axis is 1 (over the flattened tail).
    Op("Softmax", {"x": X}, tests={"axis": (0, ABSENT)}),
    Op("LogSoftmax", {"x": X}, tests={"axis": (0, ABSENT)}),
    # Indices (opset 8 on) is an output, so storage_order, its layout, shows.
    Op("MaxPool", {"x": f32(1, 1, 5, 5)}, attrs={"kernel_shape": [2, 2]},
       build=max_pool_build, tests=dict(POOL_TESTS, storage_order=(1, ABSENT))),
    Op("MaxUnpool", {"x": f32(1, 1, 2, 2)}, {"i": ints("i", [[[[0, 3], [8, 15]]]])},
       attrs={"kernel_shape": [2, 2]}, tests={
           "kernel_shape": ([3, 3], [2, 2]),
           "pads": ([1, 1, 1, 1], ABSENT),
           "strides": ([2, 2], ABSENT)}),
    Op("RoiAlign", {"x": f32(1, 1, 6, 6)},
       {"rois": tensor("rois", [[0.0, 0.0, 3.0, 3.0]]), "b": ints("b", [0])}, tests={
           "coordinate_transformation_mode": ("output_half_pixel", ABSENT),
           "mode": ("max", ABSENT),
           "output_height": (2, ABSENT),
           "output_width": (2, ABSENT),
           "sampling_ratio": (2, ABSENT),
           "spatial_scale": (0.5, ABSENT)}),
    Op("AveragePool", {"x": f32(1, 1, 5, 5)}, attrs={"kernel_shape": [2, 2]},
       tests=dict(POOL_TESTS, count_include_pad=(1, ABSENT, {"attrs": {"pads": [1, 1, 1, 1]}}))),
    Op("LpPool", {"x": f32(1, 1, 5, 5)}, attrs={"kernel_shape": [2, 2]},
       tests=dict(POOL_TESTS, p=(3, ABSENT))),
    Op("GlobalAveragePool", {"x": f32(1, 2, 3, 3)}),
    Op("Flatten", {"x": X}, tests={"axis": (2, ABSENT)}),
    # [3, 0] from an empty [0, 3]: 0 is literal with allowzero, else it
    # copies dim 1 (3), which does not fit.
    Op("Reshape", {"x": f32(0, 3)}, {"s": ints("s", [0, 3])},
       tests={"allowzero": (1, ABSENT, {"inits": {"s": ints("s", [3, 0])}})}),
    Op("Transpose", {"x": X}, tests={"perm": ([1, 0, 2], ABSENT)}),
    Op("Concat", {"a": f32(2, 3), "b": f32(2, 3)}, attrs={"axis": 0},
       tests={"axis": (1, 0)}),
    # Seven rows: num_outputs splits them 4 + 3; without it they do not split.
    Op("Split", {"x": f32(6, 4)}, outputs=2, tests={
        "axis": (1, ABSENT), "split": ([2, 4], ABSENT),
        "num_outputs": (2, ABSENT, {"inputs": {"x": f32(7, 4)}})}),
    Op("Slice", {"x": f32(4, 6)}, attrs={"starts": [1], "ends": [3]},
       build=slice_build, tests={
           "starts": ([0], [1]), "ends": ([2], [3]), "axes": ([1], ABSENT)}),
    Op("Gather", {"x": f32(4, 5)}, {"i": ints("i", [0, 2])}, tests={"axis": (1, ABSENT)}),
    Op("Shape", {"x": X}, tests={"start": (1, ABSENT), "end": (2, ABSENT)}),
    Op("Constant", {}, attrs={"value": tensor("", [1.0])}, tests={
        "value": (tensor("", [2.0]), tensor("", [1.0])),
        "sparse_value": (helper.make_sparse_tensor(tensor("", [1.0]), ints("", [0]), [2]),
                         ABSENT, {"attrs": {"value": ABSENT}}),
        "value_float": (1.5, 2.5, {"attrs": {"value": ABSENT}}),
        "value_floats": ([1.5, 2.0], [2.5], {"attrs": {"value": ABSENT}}),
        "value_int": (3, 4, {"attrs": {"value": ABSENT}}),
        "value_ints": ([3, 4], [5], {"attrs": {"value": ABSENT}}),
        "value_string": ("a", ABSENT, {"attrs": {"value": ABSENT}}),
        "value_strings": (["a"], ABSENT, {"attrs": {"value": ABSENT}}),
    }),
    Op("ConstantOfShape", {}, {"s": ints("s", [2, 3])},
       tests={"value": (tensor("", [5.0]), ABSENT)}),
    Op("Identity", {"x": f32(2)}),
    Op("Dropout", {"x": f32(2, 3)}, tests={"ratio": (0.3, ABSENT), "seed": (7, ABSENT)}),
    Op("ReduceMean", {"x": X}, tests=reduce_tests(18)),
    Op("ReduceSum", {"x": X}, tests=reduce_tests(13)),
    Op("ReduceMax", {"x": X}, tests=reduce_tests(18)),
    Op("BatchNormalization", {"x": f32(1, 2, 3, 3)},
       {"s": [1.0, 2.0], "b": [0.0, 1.0], "m": [0.5, 0.0], "v": [1.0, 4.0]}, tests={
           "epsilon": (0.1, ABSENT), "momentum": (0.5, ABSENT),
           # Only the defaults are supported.
           "spatial": (0, ABSENT), "training_mode": (1, ABSENT)}),
    Op("LayerNormalization", {"x": X}, {"g": np.ones(4)}, tests={
        "axis": (1, ABSENT, {"inits": {"g": np.ones((3, 4))}}),
        "epsilon": (0.1, ABSENT),
        # Only float32 statistics (the default, 1) are supported.
        "stash_type": (11, ABSENT)}),
    Op("Gelu", {"x": f32(2, 3)}, tests={"approximate": ("tanh", ABSENT)}),
    Op("Unsqueeze", {"x": f32(2, 3)}, attrs={"axes": [0]}, build=axes_input_build(13),
       tests={"axes": ([1], [0])}),
    Op("Squeeze", {"x": f32(1, 3, 1)}, tests={"axes": ([0], ABSENT)}),
    Op("Cast", {"x": f32(2, 3)}, attrs={"to": TP.INT64},
       tests={"to": (TP.INT32, TP.INT64),
              # It changes conversions to float8 only.
              "saturate": (0, ABSENT, {"attrs": {"to": TP.FLOAT8E4M3FN}}),
              # Opset 24: it changes conversions to float8e8m0 only (NO_EFFECT).
              "round_mode": ("down", ABSENT)}),
    Op("Where", {"c": ("bool", [2]), "a": f32(2), "b": f32(2)}),
    Op("Equal", {"a": f32(2), "b": f32(2)}),
    Op("Expand", {"x": f32(3, 1)}, {"s": ints("s", [3, 4])}),
    # Opset 27's stash_type: only 1 (float) is supported; 0 is refused naming it.
    Op("Range", {}, {"s": tensor("s", 0.0), "l": tensor("l", 5.0), "d": tensor("d", 2.0)},
       tests={"stash_type": (0, ABSENT)}),
    Op("Resize", {"x": f32(1, 1, 4, 4)}, {"s": [1.0, 1.0, 2.0, 2.0]}, build=resize_build, tests={
        "mode": ("linear", ABSENT),
        "coordinate_transformation_mode": ("align_corners", ABSENT),
        # Each attribute below matters in one mode or coordinate transform.
        "cubic_coeff_a": (-0.5, ABSENT, {"attrs": {"mode": "cubic"}}),
        "exclude_outside": (1, ABSENT, {"attrs": {"mode": "cubic"}}),
        "nearest_mode": ("floor", ABSENT),
        "extrapolation_value": (2.0, ABSENT, {
            "attrs": {"coordinate_transformation_mode": "tf_crop_and_resize"},
            "inits": {"roi": [0.0, 0.0, -0.5, 0.0, 1.0, 1.0, 1.0, 1.5]}}),
        "antialias": (1, ABSENT, {"attrs": {"mode": "linear"},
                                  "inits": {"s": [1.0, 1.0, 0.5, 0.5]}}),
        # Scales for two axes: without `axes` they are too few.
        "axes": ([2, 3], ABSENT, {"inits": {"s": [2.0, 2.0]}}),
        "keep_aspect_ratio_policy": ("not_larger", ABSENT,
                                     {"inits": {"sizes": ints("sizes", [1, 1, 8, 6])}}),
    }),
    # "nearest" is spelled the same before and after opset 20 renamed the other modes.
    Op("GridSample", {"x": f32(1, 1, 4, 4), "grid": f32(1, 2, 2, 2)}, tests={
        "mode": ("nearest", ABSENT),
        "padding_mode": ("border", ABSENT),
        "align_corners": (1, ABSENT)}),
    Op("AffineGrid", {"theta": f32(2, 2, 3)}, {"size": ints("size", [2, 1, 3, 4])},
       tests={"align_corners": (1, ABSENT)}),
    # No attributes; with no input it is false at every opset (the audit checks the refusals).
    Op("OptionalHasElement", {}),
    Op("Upsample", {"x": f32(1, 1, 2, 2)}, {"s": [1.0, 1.0, 2.0, 2.0]}, build=upsample_build,
       tests={"mode": ("linear", ABSENT),
              "scales": ([1.0, 1.0, 2.0, 3.0], [1.0, 1.0, 2.0, 2.0])}),
    Op("Pad", {"x": f32(2, 3)}, attrs={"pads": [0, 1, 0, 1]}, build=pad_build, tests={
        "pads": ([1, 0, 1, 0], [0, 1, 0, 1]),
        "mode": ("edge", ABSENT),
        "value": (2.0, ABSENT)}),
    # Without axes, shape has an entry per dim.
    Op("CenterCropPad", {"x": f32(4, 5, 3)}, {"shape": ints("shape", [2, 3, 3])}, tests={
        "axes": ([1, 0], [0, 1], {"inits": {"shape": ints("shape", [2, 3])}})}),    # Composite ops: built from other kiln ops by the importer.
    Op("ReduceL1", {"x": X}, tests=reduce_tests(18)),
    Op("ReduceL2", {"x": X}, tests=reduce_tests(18)),
    Op("ReduceSumSquare", {"x": X}, tests=reduce_tests(18)),
    Op("ReduceLogSum", {"x": X}, tests=reduce_tests(18)),
    Op("ReduceLogSumExp", {"x": X}, tests=reduce_tests(18)),
    Op("ArgMin", {"x": X}, tests={"axis": (1, ABSENT), "keepdims": (0, ABSENT),
                                  "select_last_index": (1, ABSENT)}),
    Op("Trilu", {"x": f32(3, 3)}, tests={"upper": (0, ABSENT)}),
    Op("IsNaN", {"x": f32(2, 3)}),
    Op("IsInf", {"x": f32(2, 3)}, tests={"detect_negative": (0, ABSENT),
                                         "detect_positive": (0, ABSENT)}),
    Op("Sign", {"x": f32(2, 3)}),
    Op("Mod", {"a": ("i64", [2, 3]), "b": ("i64", [2, 3])}, tests={"fmod": (1, ABSENT)}),
    Op("Hardmax", {"x": X}, tests={"axis": (0, ABSENT)}),
    Op("CumSum", {"x": f32(2, 3)}, {"a": ints("a", 1)},
       tests={"exclusive": (1, ABSENT), "reverse": (1, ABSENT)}),
    Op("GatherElements", {"x": f32(3, 4)}, {"i": ints("i", [[0, 1], [2, 0]])},
       tests={"axis": (1, ABSENT)}),
    Op("NegativeLogLikelihoodLoss", {"x": f32(3, 5)}, {"t": ints("t", [0, 1, 2])},
       tests={"reduction": ("sum", ABSENT), "ignore_index": (1, ABSENT)}),
    Op("SoftmaxCrossEntropyLoss", {"x": f32(3, 5)}, {"t": ints("t", [0, 1, 2])},
       tests={"reduction": ("sum", ABSENT), "ignore_index": (1, ABSENT)}),    Op("Elu", {"x": f32(2, 3)}, tests={"alpha": (0.5, ABSENT)}),
    Op("Selu", {"x": f32(2, 3)}, tests={"alpha": (1.5, ABSENT), "gamma": (1.5, ABSENT)}),
    Op("Celu", {"x": f32(2, 3)}, tests={"alpha": (2.0, ABSENT)}),
    Op("ThresholdedRelu", {"x": f32(2, 3)}, tests={"alpha": (0.5, ABSENT)}),
    Op("Softplus", {"x": f32(2, 3)}),
    Op("Softsign", {"x": f32(2, 3)}),
    Op("Mish", {"x": f32(2, 3)}),
    Op("Shrink", {"x": f32(2, 3)}, tests={"bias": (1.0, ABSENT), "lambd": (1.0, ABSENT)}),
    Op("Round", {"x": f32(2, 3)}),
    Op("DepthToSpace", {"x": f32(1, 8, 2, 2)}, attrs={"blocksize": 2},
       tests={"blocksize": (2, ABSENT), "mode": ("CRD", ABSENT)}),
    Op("SpaceToDepth", {"x": f32(1, 2, 4, 4)}, attrs={"blocksize": 2},
       tests={"blocksize": (2, ABSENT), "mode": ("CRD", ABSENT)}),
    Op("Tile", {"x": f32(2, 3)}, {"r": ints("r", [2, 1])}),
    Op("OneHot", {"i": ("i64", [3])}, {"d": ints("d", 4), "v": [0.0, 1.0]},
       tests={"axis": (0, ABSENT)}),
    Op("InstanceNormalization", {"x": f32(1, 2, 3, 3)}, {"s": [1.0, 2.0], "b": [0.0, 1.0]},
       tests={"epsilon": (0.1, ABSENT)}),
    Op("MeanVarianceNormalization", {"x": f32(1, 2, 3, 3)}, tests={"axes": ([2, 3], ABSENT)}),
    # num_groups is required; opset 18 scales per group, 21 per channel.
    Op("GroupNormalization", {"x": f32(1, 4, 3, 3)}, {"s": [1.0, 2.0, 3.0, 4.0], "b": [0.0, 1.0, 0.0, 1.0]},
       attrs={"num_groups": 4}, tests={"epsilon": (0.1, ABSENT), "num_groups": (4, ABSENT),
                                       "stash_type": (11, ABSENT)}),
    unary("Tan"), unary("Acos"), unary("Asin"), unary("Atan"), unary("Sinh"), unary("Cosh"),
    unary("Acosh"), unary("Asinh"), unary("Atanh"),
    Op("BitwiseAnd", {"a": ("i32", [2, 3]), "b": ("i32", [2, 3])}),
    Op("BitwiseOr", {"a": ("i32", [2, 3]), "b": ("i32", [2, 3])}),
    Op("BitwiseXor", {"a": ("i32", [2, 3]), "b": ("i32", [2, 3])}),
    Op("BitwiseNot", {"a": ("i32", [2, 3])}),
    # direction is required: the control is the other direction.
    Op("BitShift", {"x": ("u8", [2, 3]), "n": ("u8", [2, 3])}, attrs={"direction": "LEFT"},
       tests={"direction": ("RIGHT", "LEFT")}),
    # Per axis: a scale per entry of dim `axis`; blocked: per block of it.
    Op("QuantizeLinear", {"x": f32(2, 3, 4)}, {"s": tensor("s", 0.5)}, tests={
        "axis": (0, ABSENT, {"inits": {"s": [0.5, 0.25]}}),
        # It changes float8 outputs only: the zero point's type says which.
        "saturate": (0, ABSENT, {"inits": {"z": helper.make_tensor("z", TP.FLOAT8E4M3FN, [], [0.0])}}),
        "block_size": (2, ABSENT, {"attrs": {"axis": 2}, "inits": {"s": np.ones((2, 3, 2))}}),
        "output_dtype": (TP.INT8, ABSENT),
        # Opset 23: only 0 (divide in the scale's type) is supported.
        "precision": (TP.DOUBLE, ABSENT)}),
    Op("DequantizeLinear", {"x": ("u8", [2, 3, 4])}, {"s": tensor("s", 0.5)}, tests={
        "axis": (0, ABSENT, {"inits": {"s": [0.5, 0.25]}}),
        "block_size": (2, ABSENT, {"attrs": {"axis": 2}, "inits": {"s": np.ones((2, 3, 2))}}),
        # Opset 23: only the scale's type is supported.
        "output_dtype": (TP.DOUBLE, ABSENT)}),
    Op("DynamicQuantizeLinear", {"x": f32(2, 3)}, outputs=3),
    Op("MatMulInteger", {"a": ("u8", [2, 3]), "b": ("u8", [3, 4])}),
    Op("ConvInteger", {"x": ("u8", [1, 2, 6, 6])}, {"w": tensor("w", np.ones((2, 2, 3, 3)), np.uint8)},
       tests=dict(CONV_TESTS, group=(2, 1, {"inits": {"w": tensor("w", np.ones((2, 1, 3, 3)), np.uint8)}}))),
    Op("QLinearConv", {"x": ("u8", [1, 2, 6, 6])},
       {"xs": tensor("xs", 0.1), "xz": tensor("xz", 3, np.uint8),
        "w": tensor("w", np.ones((2, 2, 3, 3)), np.uint8), "ws": tensor("ws", 0.2),
        "wz": tensor("wz", 5, np.uint8), "ys": tensor("ys", 0.3), "yz": tensor("yz", 7, np.uint8)},
       build=qlinear_conv_build,
       tests=dict(CONV_TESTS, group=(2, 1, {"inits": {"w": tensor("w", np.ones((2, 1, 3, 3)), np.uint8)}}))),
    Op("QLinearMatMul", {"a": ("u8", [2, 3]), "b": ("u8", [3, 4])},
       {"as": tensor("as", 0.1), "az": tensor("az", 3, np.uint8), "bs": tensor("bs", 0.2),
        "bz": tensor("bz", 5, np.uint8), "ys": tensor("ys", 0.3), "yz": tensor("yz", 7, np.uint8)},
       build=qlinear_matmul_build),
    Op("GatherND", {"x": f32(2, 3, 4)}, {"i": ints("i", [[0, 1], [1, 2]])}, tests={
        "batch_dims": (1, ABSENT, {"inits": {"i": ints("i", [[1], [2]])}})}),
    Op("ScatterElements", {"x": f32(3, 4)}, {"i": ints("i", [[0, 1], [2, 0]]), "u": np.ones((2, 2))},
       tests={"axis": (1, ABSENT), "reduction": ("add", ABSENT)}),
    Op("ScatterND", {"x": f32(3, 4)}, {"i": ints("i", [[0], [2]]), "u": np.ones((2, 4))},
       tests={"reduction": ("mul", ABSENT)}),
    Op("TopK", {"x": f32(3, 4)}, attrs={"k": 2}, outputs=2, build=topk_build, tests={
        "axis": (0, ABSENT), "k": (3, 2), "largest": (0, ABSENT), "sorted": (0, ABSENT)}),
    Op("Einsum", {"a": f32(2, 3), "b": f32(3, 4)}, attrs={"equation": "ij,jk->ik"},
       tests={"equation": ("ij,jk->ki", "ij,jk->ik")}),
    Op("LRN", {"x": f32(1, 4, 3, 3)}, attrs={"size": 3}, tests={
        "alpha": (0.5, ABSENT), "beta": (0.5, ABSENT), "bias": (2.0, ABSENT), "size": (2, 3)}),
    Op("LpNormalization", {"x": f32(3, 4)}, tests={"axis": (0, ABSENT), "p": (1, ABSENT)}),
    Op("EyeLike", {"x": f32(3, 4)}, tests={"dtype": (TP.INT32, ABSENT), "k": (1, ABSENT)}),
    Op("NonZero", {}, {"x": [[0.0, 1.0], [2.0, 0.0]]}),
    Op("Compress", {"x": f32(3, 4)}, {"c": tensor("c", [True, False, True], np.bool_)},
       tests={"axis": (0, ABSENT)}),
    # Box 1 inside box 0 as corners (IoU 0.01, kept at threshold 0.05), overlapping it as
    # center and size (IoU 0.07, suppressed).
    Op("NonMaxSuppression", {}, {"boxes": [[[0, 0, 1, 1], [0.5, 0.5, 0.6, 0.6]]], "scores": [[[0.9, 0.8]]],
                                 "m": ints("m", [2]), "iou": [0.05]},
       tests={"center_point_box": (1, ABSENT)}),
    Op("Unique", {}, {"x": [[1.0, 2.0], [1.0, 2.0], [0.0, 3.0]]}, outputs=4,
       tests={"axis": (0, ABSENT), "sorted": (0, ABSENT)}),
    Op("ReverseSequence", {"x": f32(2, 2, 3)}, {"l": ints("l", [2, 1])}, tests={
        "batch_axis": (0, ABSENT, {"attrs": {"time_axis": 1}}),
        "time_axis": (1, ABSENT, {"attrs": {"batch_axis": 0}})}),
    Op("HannWindow", {}, {"n": ints("n", 5)},
       tests={"output_datatype": (TP.DOUBLE, ABSENT), "periodic": (0, ABSENT)}),
    Op("HammingWindow", {}, {"n": ints("n", 5)},
       tests={"output_datatype": (TP.DOUBLE, ABSENT), "periodic": (0, ABSENT)}),
    Op("BlackmanWindow", {}, {"n": ints("n", 5)},
       tests={"output_datatype": (TP.DOUBLE, ABSENT), "periodic": (0, ABSENT)}),
    # Opset 23: audited only where the installed onnx knows its schema.
    Op("RMSNormalization", {"x": X}, {"s": np.ones(4)}, tests={
        "axis": (1, ABSENT, {"inits": {"s": np.ones((3, 4))}}),
        "epsilon": (0.1, ABSENT),
        # Only float32 statistics (the default, 1) are supported.
        "stash_type": (11, ABSENT)}),
    # Opsets 23 to 25: audited only where the installed onnx knows its schema. All four outputs
    # are graph outputs, so qk_matmul_output_mode shows; the head counts need 3-D inputs, and
    # either alone is refused.
    Op("Attention", {"q": f32(1, 2, 3, 4), "k": f32(1, 2, 5, 4), "v": f32(1, 2, 5, 4)}, outputs=4,
       tests={
           "is_causal": (1, ABSENT),
           "kv_num_heads": (2, ABSENT, {"attrs": {"q_num_heads": 2}, "inputs": ATTENTION_3D}),
           "q_num_heads": (2, ABSENT, {"attrs": {"kv_num_heads": 2}, "inputs": ATTENTION_3D}),
           "qk_matmul_output_mode": (3, ABSENT),
           "scale": (0.3, ABSENT),  # not 1 / sqrt(4), the default
           "softcap": (2.0, ABSENT),
           "softmax_precision": (TP.DOUBLE, ABSENT),
           "left_window_size": (1, ABSENT),
           "right_window_size": (1, ABSENT)}),
    Op("CumProd", {"x": f32(2, 3)}, {"a": ints("a", 1)},
       tests={"exclusive": (1, ABSENT), "reverse": (1, ABSENT)}),
    Op("Swish", {"x": f32(2, 3)}, tests={"alpha": (0.5, ABSENT)}),
    # Opset 24. The update fills dims 1 and 2 alike, so either can be the sequence axis.
    Op("TensorScatter", {"past": f32(2, 3, 3, 4), "update": f32(2, 3, 3, 4), "w": ("i64", [2])},
       tests={"axis": (1, ABSENT), "mode": ("circular", ABSENT)}),
    # Opset 23: a 3-D X needs num_heads (the control without it is refused).
    Op("RotaryEmbedding", {"x": f32(1, 2, 3, 8), "c": f32(1, 3, 4), "s": f32(1, 3, 4)}, tests={
        "interleaved": (1, ABSENT),
        "num_heads": (2, ABSENT, {"inputs": {"x": f32(1, 3, 16)}}),
        "rotary_embedding_dim": (4, ABSENT)}),
    Op("SwiGLU", {"a": f32(2, 3), "b": f32(2, 3)}, tests={"alpha": (0.5, ABSENT)}),
    # Opset 27. The head counts are required: each control without its test value (or with
    # another) is refused, and so is the rule the inputs do not fit.
    Op("LinearAttention", {"q": f32(1, 3, 8), "k": f32(1, 3, 8), "v": f32(1, 3, 8)},
       attrs={"q_num_heads": 2, "kv_num_heads": 2, "update_rule": "linear"}, outputs=2, tests={
           "chunk_size": (16, ABSENT),
           "kv_num_heads": (1, 2, {"inputs": {"k": f32(1, 3, 4), "v": f32(1, 3, 4)}}),
           "q_num_heads": (4, 2, {"inputs": {"q": f32(1, 3, 16), "k": f32(1, 3, 4),
                                             "v": f32(1, 3, 4)}, "attrs": {"kv_num_heads": 1}}),
           "scale": (0.3, ABSENT),  # not 1 / sqrt(4), the default
           "update_rule": ("delta", "linear", {"inputs": {"beta": f32(1, 3, 2)}})},
       build=linear_attention_build),
    Op("CausalConvWithState", {"x": f32(1, 2, 5), "w": f32(2, 1, 3)}, outputs=2,
       tests={"activation": ("silu", ABSENT)}),
    Op("FlexAttention", {"q": f32(1, 2, 3, 4), "k": f32(1, 2, 5, 4), "v": f32(1, 2, 5, 4)},
       domain="ai.onnx.preview", tests={
           "scale": (0.3, ABSENT),  # not 1 / sqrt(4), the default
           "softmax_precision": (TP.DOUBLE, ABSENT),
           "score_mod": (modifier("s", "Neg"), ABSENT),
           "prob_mod": (modifier("p", "Sqrt"), ABSENT)}),
    # DFT's axis became an input in opset 20 (the attribute is then refused).
    Op("DFT", {"x": f32(2, 4, 1)}, tests={
        "axis": (0, ABSENT), "inverse": (1, ABSENT), "onesided": (1, ABSENT)}),
    Op("STFT", {"x": f32(1, 16, 1)}, {"step": ints("step", 4)},
       tests={"onesided": (0, ABSENT)}),
    Op("MelWeightMatrix", {}, {"n": ints("n", 2), "l": ints("l", 16), "r": ints("r", 8000),
                               "lo": tensor("lo", 0.0), "hi": tensor("hi", 4000.0)},
       tests={"output_datatype": (TP.DOUBLE, ABSENT)}),
    # Col2Im's input [1, 4, L]: L, the number of 2x2 blocks, changes with each attribute.
    Op("Col2Im", {"x": f32(1, 4, 9)}, {"img": ints("img", [4, 4]), "blk": ints("blk", [2, 2])},
       tests={"dilations": ([2, 2], ABSENT, {"inputs": {"x": f32(1, 4, 4)}}),
              "pads": ([1, 1, 1, 1], ABSENT, {"inputs": {"x": f32(1, 4, 25)}}),
              "strides": ([2, 2], ABSENT, {"inputs": {"x": f32(1, 4, 4)}})}),
    Op("Det", {"x": f32(2, 3, 3)}),
    Op("Adagrad", {"r": f32(), "t": ("i64", []), "x": f32(2), "g": f32(2), "h": f32(2)},
       domain="ai.onnx.preview.training", outputs=2, tests={
           "decay_factor": (0.5, ABSENT), "epsilon": (0.1, ABSENT),
           "norm_coefficient": (0.1, ABSENT)}),
    Op("Adam", {"r": f32(), "t": ("i64", []), "x": f32(2), "g": f32(2), "v": f32(2),
                "h": f32(2)}, domain="ai.onnx.preview.training", outputs=3, tests={
           "alpha": (0.5, ABSENT), "beta": (0.5, ABSENT), "epsilon": (0.1, ABSENT),
           "norm_coefficient": (0.1, ABSENT), "norm_coefficient_post": (0.1, ABSENT)}),
    # Momentum's attributes are all required: each control model lacks one and is refused.
    Op("Momentum", {"r": f32(), "t": ("i64", []), "x": f32(2), "g": f32(2), "v": f32(2)},
       domain="ai.onnx.preview.training", outputs=2,
       attrs={"alpha": 0.9, "beta": 0.5, "mode": "standard", "norm_coefficient": 0.0}, tests={
           "alpha": (0.5, ABSENT), "beta": (0.7, ABSENT), "mode": ("nesterov", ABSENT),
           "norm_coefficient": (0.1, ABSENT)}),
    # The pool 1..8: four unigrams and two bigrams (ngram_counts [0, 4]), or five unigrams and
    # a trigram ([0, 5, 5]); six n-grams either way.
    Op("TfIdfVectorizer", {"x": ("i64", [2, 6])},
       attrs={"mode": "TF", "min_gram_length": 1, "max_gram_length": 3, "max_skip_count": 0,
              "ngram_counts": [0, 4], "ngram_indexes": [0, 1, 2, 3, 4, 5],
              "pool_int64s": [1, 2, 3, 4, 5, 6, 7, 8]},
       tests={"mode": ("IDF", ABSENT),
              "min_gram_length": (2, 1),
              "max_gram_length": (1, 3),
              "max_skip_count": (1, 0),
              "ngram_counts": ([0, 5, 5], [0, 4]),
              "ngram_indexes": ([5, 4, 3, 2, 1, 0], [0, 1, 2, 3, 4, 5]),
              "pool_int64s": ([8, 7, 6, 5, 4, 3, 2, 1], [1, 2, 3, 4, 5, 6, 7, 8]),
              "pool_strings": (list("abcdefgh"), ABSENT),
              # Weights scale TFIDF's counts (TF has none).
              "weights": ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], ABSENT, {"attrs": {"mode": "TFIDF"}})}),
    Op("ArrayFeatureExtractor", {"x": f32(2, 3)}, {"y": ints("y", [2, 0])}, domain="ai.onnx.ml"),
    # One tree: node 0 (x[0] <= 0.5) -> leaf 2 or node 1 (x[1] <= 0.5) -> leaf 3 or leaf 4;
    # leaves 3 and 4 weigh 2 and 3 on target 0. Another child id leaves a node no node points
    # to, which is refused naming nodes_truenodeids and nodes_falsenodeids (as onnxruntime
    # refuses it), and so is a weight on a leaf of a tree that does not exist, naming
    # target_treeids and target_nodeids; test/e2e/tree_ensembles.py runs random forests.
    Op("TreeEnsembleRegressor", {"x": f32(2, 2)}, domain="ai.onnx.ml",
       attrs={"n_targets": 1, "nodes_treeids": [0] * 5, "nodes_nodeids": [0, 1, 2, 3, 4],
              "nodes_featureids": [0, 1, 0, 0, 0],
              "nodes_modes": ["BRANCH_LEQ", "BRANCH_LEQ", "LEAF", "LEAF", "LEAF"],
              "nodes_values": [0.5, 0.5, 0.0, 0.0, 0.0], "nodes_truenodeids": [2, 3, 0, 0, 0],
              "nodes_falsenodeids": [1, 4, 0, 0, 0], "target_treeids": [0, 0],
              "target_nodeids": [3, 4], "target_ids": [0, 0], "target_weights": [2.0, 3.0]},
       tests={"aggregate_function": ("MAX", ABSENT),
              "base_values": ([0.5], ABSENT),
              "base_values_as_tensor": (tensor("b", [0.5]), ABSENT),
              "n_targets": (2, 1),
              "nodes_falsenodeids": ([1, 3, 0, 0, 0], [1, 4, 0, 0, 0]),
              "nodes_featureids": ([1, 0, 0, 0, 0], [0, 1, 0, 0, 0]),
              "nodes_hitrates": ([0.5, 1.0, 1.0, 1.0, 1.0], ABSENT),
              "nodes_hitrates_as_tensor": (tensor("h", [0.5, 1.0, 1.0, 1.0, 1.0]), ABSENT),
              "nodes_missing_value_tracks_true": ([1, 0, 0, 0, 0], ABSENT),
              "nodes_modes": (["BRANCH_LT", "BRANCH_LEQ", "LEAF", "LEAF", "LEAF"],
                              ["BRANCH_LEQ", "BRANCH_LEQ", "LEAF", "LEAF", "LEAF"]),
              # Node 1 and leaf 2 trade ids: node 0's true branch now reaches node 1.
              "nodes_nodeids": ([0, 2, 1, 3, 4], [0, 1, 2, 3, 4]),
              "nodes_treeids": ([5] * 5, ABSENT, {"attrs": {"target_treeids": [5, 5]}}),
              "nodes_truenodeids": ([2, 4, 0, 0, 0], [2, 3, 0, 0, 0]),
              "nodes_values": ([1.5, 0.5, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0, 0.0]),
              "nodes_values_as_tensor": (tensor("v", [1.5, 0.5, 0.0, 0.0, 0.0]), ABSENT,
                                         {"attrs": {"nodes_values": ABSENT}}),
              "post_transform": ("LOGISTIC", ABSENT),
              "target_ids": ([0, 1], [0, 0], {"attrs": {"n_targets": 2}}),
              "target_nodeids": ([4, 3], [3, 4]),
              "target_treeids": ([5, 5], [0, 0]),
              "target_weights": ([4.0, 5.0], [2.0, 3.0]),
              "target_weights_as_tensor": (tensor("w", [4.0, 5.0]), ABSENT,
                                           {"attrs": {"target_weights": ABSENT}})}),
    # TreeEnsemble's encoding: node 0 (x[0] <= 0.5) -> leaf 1 or node 1 (x[1] <= 0.5) ->
    # leaf 1 or leaf 2; leaves 0, 1 and 2 weigh 1, 2 and 3 on target 0.
    Op("TreeEnsemble", {"x": f32(2, 2)}, domain="ai.onnx.ml",
       attrs={"n_targets": 1, "tree_roots": [0], "nodes_featureids": [0, 1],
              "nodes_modes": tensor("m", [0, 0], np.uint8), "nodes_splits": tensor("s", [0.5, 0.5]),
              "nodes_truenodeids": [1, 1], "nodes_trueleafs": [1, 1], "nodes_falsenodeids": [1, 2],
              "nodes_falseleafs": [0, 1], "leaf_targetids": [0, 0, 0],
              "leaf_weights": tensor("lw", [1.0, 2.0, 3.0])},
       tests={"aggregate_function": (3, ABSENT),
              "leaf_targetids": ([0, 1, 0], [0, 0, 0], {"attrs": {"n_targets": 2}}),
              "leaf_weights": (tensor("lw", [3.0, 4.0, 5.0]), tensor("lw", [1.0, 2.0, 3.0])),
              "membership_values": (tensor("mv", [0.5, np.nan]), ABSENT,
                                    {"attrs": {"nodes_modes": tensor("m", [6, 0], np.uint8)}}),
              "n_targets": (2, 1),
              "nodes_falseleafs": ([1, 1], [0, 1]),
              "nodes_falsenodeids": ([1, 0], [1, 2]),
              "nodes_featureids": ([1, 0], [0, 1]),
              "nodes_hitrates": (tensor("h", [0.5, 0.5]), ABSENT),
              "nodes_missing_value_tracks_true": ([1, 0], ABSENT),
              "nodes_modes": (tensor("m", [1, 0], np.uint8), tensor("m", [0, 0], np.uint8)),
              "nodes_splits": (tensor("s", [1.5, 0.5]), tensor("s", [0.5, 0.5])),
              "nodes_trueleafs": ([0, 1], [1, 1]),
              "nodes_truenodeids": ([0, 1], [1, 1]),
              "post_transform": (2, ABSENT),
              "tree_roots": ([0, 1], [0])}),
    Op("Binarizer", {"x": f32(2, 3)}, domain="ai.onnx.ml", tests={"threshold": (0.5, ABSENT)}),
    rnn_op("RNN", 1, ["Tanh"]),
    rnn_op("GRU", 3, ["Sigmoid", "Tanh"]),
    rnn_op("LSTM", 4, ["Sigmoid", "Tanh", "Tanh"]),
    Op("If", {}, {"c": tensor("c", True, np.bool_)},
       attrs={"then_branch": branch("t", 1.0), "else_branch": branch("e", 2.0)}, tests={
           "then_branch": (branch("t3", 3.0), branch("t", 1.0)),
           # Only the taken branch is compiled: tested with the condition false.
           "else_branch": (branch("e3", 3.0), branch("e", 2.0),
                           {"inits": {"c": tensor("c", False, np.bool_)}})}),
    Op("Loop", {"x": f32(2)}, {"m": ints("m", 2)}, attrs={"body": loop_body(1.0)},
       build=loop_build, tests={"body": (loop_body(3.0), loop_body(1.0))}),
    Op("Scan", {"xs": f32(3, 2)}, {"s0": np.zeros(2)}, attrs={"body": scan_body(1.0),
                                                               "num_scan_inputs": 1},
       outputs=2, build=scan_build, tests={
           "body": (scan_body(3.0), scan_body(1.0)),
           "directions": ([1], ABSENT),
           "num_scan_inputs": (1, ABSENT),
           "scan_input_axes": ([1], ABSENT, {"inputs": {"xs": f32(2, 2)}}),
           "scan_input_directions": ([1], ABSENT),
           "scan_output_axes": ([1], ABSENT),
           "scan_output_directions": ([1], ABSENT)}),
]


def schema_attrs(spec, opset):
    """(since_version, attribute names) of `spec`'s op at `opset` of its domain, or None."""
    try:
        s = onnx.defs.get_schema(spec.op, opset, spec.domain)
    except onnx.defs.SchemaError:
        return None
    if s.deprecated:  # the op no longer exists at this opset (Upsample from 10)
        return None
    return s.since_version, sorted(s.attributes)


def opset_range(spec):
    """The opsets of the op's domain Kiln implements."""
    if spec.domain:
        return range(1, DOMAIN_LAST_OPSET[spec.domain] + 1)
    return range(FIRST_OPSET, LAST_OPSET + 1)


def tested_opsets(spec):
    versions = {}
    for o in opset_range(spec):
        s = schema_attrs(spec, o)
        if s:
            versions[o] = s[0]
    ops = sorted(versions)
    if not ops:
        return []
    chosen = {ops[0], ops[-1]}
    for a, b in zip(ops, ops[1:]):
        if versions[a] != versions[b]:
            chosen.update((a, b))
    return sorted(chosen)


def compile_model(kiln, path):
    try:
        proc = subprocess.run([kiln, "compile", path, "--emit=kiln", "-o", "-"],
                              capture_output=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return ("timeout", "", "")
    return (proc.returncode, proc.stdout.decode(errors="replace"),
            proc.stderr.decode(errors="replace"))


def names_attribute(result, attr):
    rc, _, err = result
    lines = err.split("\n")
    return (rc == 1 and len(lines) == 2 and lines[1] == "" and
            "error: node 'n': " in lines[0] and "'%s'" % attr in lines[0])


def clean_failure(result):
    rc, _, err = result
    return rc == 1 and err.count("\n") == 1 and "error:" in err


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("workdir")
    p.add_argument("--kiln", default=os.path.join(
        os.environ.get("KILN_TOOLS_DIR", ""), "kiln"))
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args(argv)
    os.makedirs(args.workdir, exist_ok=True)

    files = {}  # path -> serialized model
    by_content = {}  # serialized model -> path: identical models run once

    def add(model, tag):
        data = model.SerializeToString()
        if data not in by_content:
            path = os.path.join(args.workdir, tag + ".onnx")
            by_content[data] = path
            files[path] = data
        return by_content[data]

    problems = []
    plan = []  # (op, opset, kind, attr, test path, control path)
    for spec in OPS:
        all_attrs = set()
        opsets = tested_opsets(spec)
        for o in opset_range(spec):
            s = schema_attrs(spec, o)
            if s:
                all_attrs.update(s[1])
        for opset in opsets:
            attrs = schema_attrs(spec, opset)[1]
            tag = "%s-%d" % (spec.op, opset)
            base = add(spec.model(opset, {}), tag)
            plan.append((spec.op, opset, "base", None, base, None))
            for attr in attrs:
                if attr not in spec.tests:
                    problems.append("%s opset %d: attribute '%s' has no test "
                                    "value in attribute_audit.py" % (spec.op, opset, attr))
                    continue
                value, control, *extra = spec.tests[attr]
                extra = extra[0] if extra else None
                t = add(spec.model(opset, {attr: value}, extra), "%s-%s" % (tag, attr))
                c = add(spec.model(opset, {attr: control}, extra), "%s-%s-control" % (tag, attr))
                plan.append((spec.op, opset, "spec", attr, t, c))
            for attr in sorted(all_attrs - set(attrs)) + [BOGUS]:
                value = spec.tests.get(attr, (1,))[0]
                t = add(spec.model(opset, {attr: value}), "%s-%s-foreign" % (tag, attr))
                plan.append((spec.op, opset, "foreign", attr, t, None))

    for path, data in files.items():
        with open(path, "wb") as f:
            f.write(data)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = dict(zip(files, pool.map(lambda f: compile_model(args.kiln, f), files)))

    outcomes = {}  # op -> attr -> {opset: outcome}
    for op, opset, kind, attr, t, c in plan:
        where = "%s opset %d" % (op, opset)
        rt = results[t]
        if kind == "base":
            if rt[0] != 0:
                problems.append("%s: the base model does not compile: %s"
                                % (where, rt[2].strip()))
            continue
        if kind == "foreign":
            if not names_attribute(rt, attr):
                problems.append("%s: attribute '%s', which this opset does not "
                                "define, is not refused naming it: exit %s, %r"
                                % (where, attr, rt[0], rt[2].strip()))
            continue
        rc = results[c]
        if rt[0] == 0 and rc[0] == 0:
            outcome = "honoured" if rt[1] != rc[1] else "no-effect"
        elif names_attribute(rt, attr):
            outcome = "refused"
        elif rt[0] == 0 and clean_failure(rc):
            outcome = "honoured"  # only the test value compiles
        else:
            outcome = "problem"
            problems.append("%s: attribute '%s': the test model exits %s (%r), "
                            "the control %s (%r)" % (where, attr, rt[0],
                                                    rt[2].strip(), rc[0],
                                                    rc[2].strip()))
        if outcome == "no-effect" and (op, attr) not in NO_EFFECT:
            problems.append("%s: attribute '%s' is silently ignored (same IR "
                            "as without it)" % (where, attr))
        outcomes.setdefault(op, {}).setdefault(attr, {})[opset] = outcome

    for spec in OPS:
        opsets = tested_opsets(spec)
        name = spec.domain + "." + spec.op if spec.domain else spec.op
        if not opsets and spec.domain:
            print("%s: not in onnx %s's schemas, not audited" % (name, onnx.__version__))
            continue
        if not opsets:
            print("%s: newer than onnx %s's schemas (opsets to %d), not audited"
                  % (name, onnx.__version__, LAST_OPSET))
            continue
        parts = []
        for attr, by_opset in sorted(outcomes.get(spec.op, {}).items()):
            seen = sorted(by_opset)
            label = attr
            if seen != opsets:
                label += "@%d-%d" % (seen[0], seen[-1])
            kinds = sorted(set(by_opset.values()))
            text = "/".join(kinds)
            if "no-effect" in kinds:
                text += " (%s)" % NO_EFFECT.get((spec.op, attr), "NOT ALLOWED")
            parts.append("%s=%s" % (label, text))
        print("%s [%s]: %s" % (name, " ".join(map(str, opsets)),
                               " ".join(parts) if parts else "no attributes"))
    print("%d ops, %d models; %d problems" % (len(OPS), len(files), len(problems)))
    for line in problems:
        print("PROBLEM: " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
