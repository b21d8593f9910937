# 3-D Conv and ConvTranspose (rank-5 NCDHW) against onnxruntime: strides,
# pads, dilations, groups, bias and output_padding, at 1 and 2 cores. Both
# lower to generics of their own (kiln.conv as one contraction, conv_transpose
# as a product and one strided add per kernel tap); the 1-D and 2-D forms are
# covered by the node tests and the model tests. Gradients: grad_rules.py.
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
import onnx
from onnx import helper

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(5)

CASES = [
    # name, op, x shape, w shape, bias, attributes
    ("conv3d_plain", "Conv", [1, 3, 6, 7, 8], [4, 3, 3, 3, 3], True, {}),
    ("conv3d_strided_padded", "Conv", [2, 4, 7, 6, 9], [6, 4, 3, 2, 3], False,
     {"strides": [2, 1, 2], "pads": [1, 0, 1, 1, 1, 0], "dilations": [1, 2, 1]}),
    ("conv3d_groups", "Conv", [1, 6, 5, 5, 5], [4, 3, 3, 3, 3], True,
     {"group": 2, "pads": [1, 1, 1, 1, 1, 1]}),
    ("conv3d_depthwise", "Conv", [1, 4, 5, 6, 4], [4, 1, 3, 3, 3], False,
     {"group": 4, "strides": [1, 2, 1]}),
    ("convtranspose3d", "ConvTranspose", [1, 3, 3, 4, 3], [3, 2, 3, 3, 2], True,
     {"strides": [2, 2, 1], "pads": [1, 0, 0, 1, 1, 0], "output_padding": [1, 0, 0]}),
    ("convtranspose3d_groups_dilated", "ConvTranspose", [2, 4, 3, 3, 4], [4, 1, 2, 2, 3], False,
     {"group": 2, "strides": [1, 2, 2], "dilations": [2, 1, 1]}),
]

for name, op, xs, ws, bias, attrs in CASES:
    x = rng.standard_normal(xs).astype(np.float32)
    inits = {"w": (rng.standard_normal(ws) * 0.3).astype(np.float32)}
    inputs = ["x", "w"]
    if bias:
        channels = ws[0] if op == "Conv" else ws[1] * attrs.get("group", 1)
        inits["b"] = rng.standard_normal(channels).astype(np.float32)
        inputs.append("b")
    path = kt.save_float_graph(work, name, [helper.make_node(op, inputs, ["y"], **attrs)], [("x", xs)], inits)
    expected = kt.onnxruntime_outputs(path, {"x": x})["y"]
    for cores in (1, 2):
        artifact = kt.compile_model(path, os.path.join(work, "%s_%d" % (name, cores)), extra=["--cores", str(cores)])
        got = kt.run_artifact(artifact, {"x": x}, threads=cores)["y"]
        kt.assert_close(got, expected, "%s, %d cores" % (name, cores))
    print("%s: %s matches onnxruntime" % (name, "x".join(map(str, expected.shape))))

# ConvInteger in 3-D (kiln.conv on i32): exact against NumPy in int64.
x = rng.integers(0, 256, (1, 2, 4, 5, 4)).astype(np.uint8)
w = rng.integers(0, 256, (3, 2, 2, 3, 2)).astype(np.uint8)
graph = helper.make_graph(
    [helper.make_node("ConvInteger", ["x", "w", "x_zero_point"], ["y"], pads=[1, 0, 1, 0, 1, 0], strides=[1, 2, 1])],
    "conv_integer_3d", [helper.make_tensor_value_info("x", onnx.TensorProto.UINT8, x.shape)],
    [helper.make_tensor_value_info("y", onnx.TensorProto.INT32, None)],
    [onnx.numpy_helper.from_array(w, "w"), onnx.numpy_helper.from_array(np.array(7, np.uint8), "x_zero_point")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 10)])
model.ir_version = 8
path = os.path.join(work, "conv_integer_3d.onnx")
onnx.save(model, path)
# pads: D (1, 0), H (0, 1), W (1, 0); zeros pad x - x_zero_point.
xp = np.pad(x.astype(np.int64) - 7, ((0, 0), (0, 0), (1, 0), (0, 1), (1, 0)))
wi = w.astype(np.int64)
od, oh, ow = xp.shape[2] - 1, (xp.shape[3] - 3) // 2 + 1, xp.shape[4] - 1
expected = np.zeros((1, 3, od, oh, ow), np.int64)
for a in range(od):
    for b in range(oh):
        for c in range(ow):
            window = xp[0, :, a:a + 2, 2 * b:2 * b + 3, c:c + 2]
            expected[0, :, a, b, c] = (window[None] * wi).sum(axis=(1, 2, 3, 4))
got = kt.run_artifact(kt.compile_model(path, os.path.join(work, "conv_integer_3d")), {"x": x})["y"]
assert got.dtype == np.int32 and np.array_equal(got, expected), "conv_integer_3d: differs from NumPy"
print("conv_integer_3d: %s matches NumPy exactly" % "x".join(map(str, got.shape)))
