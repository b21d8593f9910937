"""Builds the models of negative-dims.test with onnx.helper: the text syntax
cannot write a negative dim_value, which old exporters (paddle2onnx, early
tf2onnx) use for a dim they do not know.

Usage: negative_dims.py OUTDIR
"""

import os
import sys

from onnx import TensorProto, helper


def relu_model(in_dims, out_dims):
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_dims)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_dims)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)],
                             ir_version=6)


MODELS = {
    # -1 as paddle2onnx writes it, beside a named symbolic dim and a static one.
    "minus-one": relu_model([-1, 3, "h", 5], [-1, 3, "h", 5]),
    # Any negative value means "unknown", not only -1.
    "minus-seven": relu_model([-7, 2], [-7, 2]),
    # A 0 stays a zero-length dim: no binding needed, and none accepted.
    "zero": relu_model([0, 3], [0, 3]),
}

if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, model in MODELS.items():
        with open(os.path.join(out, name + ".onnx"), "wb") as f:
            f.write(model.SerializeToString())
