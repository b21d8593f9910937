"""make_source.py OUT: a tiny test-data source in the backend's layout, for runner_selftest.test.

Each test is OUT/NAME/model.onnx + test_data_set_0/{input,output}_K.pb, like the onnx wheel's node
tests; some are built to fail in one particular way."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def write(out, name, model, inputs, outputs):
    data = os.path.join(out, name, "test_data_set_0")
    os.makedirs(data)
    onnx.save(model, os.path.join(out, name, "model.onnx"))
    for kind, values in (("input", inputs), ("output", outputs)):
        for k, value in enumerate(values):
            with open(os.path.join(data, "%s_%d.pb" % (kind, k)), "wb") as f:
                f.write(numpy_helper.from_array(value).SerializeToString())


def model(op, x_type, y_type, opset=13, **attrs):
    graph = helper.make_graph([helper.make_node(op, ["x"], ["y"], **attrs)], op,
                              [x_type], [y_type])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def tensor(name, dims, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, dims)


out = sys.argv[1]
x = np.array([[-1.5, 0.0, 2.0], [3.0, -4.0, 0.5]], dtype=np.float32)
relu = model("Relu", tensor("x", [2, 3]), tensor("y", [2, 3]))
write(out, "test_relu", relu, [x], [np.maximum(x, 0)])
# The same model and input with an expected output Kiln cannot give: a wrong answer.
write(out, "test_relu_wrong", relu, [x], [np.maximum(x, 0) + 1])
# A symbolic batch dim: the runner binds it with --shape from the data set.
write(out, "test_relu_symbolic", model("Relu", tensor("x", ["N", 3]), tensor("y", ["N", 3])),
      [x], [np.maximum(x, 0)])
# Integers compare exactly.
i = np.array([[-3, 4]], dtype=np.int64)
write(out, "test_neg_int64", model("Neg", tensor("x", [1, 2], TensorProto.INT64),
                                   tensor("y", [1, 2], TensorProto.INT64)), [i], [-i])
# An op of a domain no compiler knows: never supported.
frob = helper.make_graph([helper.make_node("Frobnicate", ["x"], ["y"], domain="com.example")], "frob",
                         [tensor("x", [2, 3])], [tensor("y", [2, 3])])
write(out, "test_frobnicate", helper.make_model(frob, opset_imports=[
    helper.make_opsetid("", 13), helper.make_opsetid("com.example", 1)]), [x], [x])
# A sequence output: not a plain-tensor test.
seq = helper.make_graph([helper.make_node("SequenceConstruct", ["x"], ["y"])], "seq",
                        [tensor("x", [2, 3])],
                        [helper.make_tensor_sequence_value_info("y", TensorProto.FLOAT, [2, 3])])
os.makedirs(os.path.join(out, "test_sequence_construct"))
onnx.save(helper.make_model(seq, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "test_sequence_construct", "model.onnx"))
