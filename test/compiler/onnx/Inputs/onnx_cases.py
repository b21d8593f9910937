"""ONNX models with their inputs and NumPy reference outputs, for run_composite_ops.py:
writer(FOLDER) returns case(), which writes a one-node model as NAME.onnx, NAME_INPUT.npy /
NAME_OUTPUT.npy and NAME.args (the run_and_compare arguments) into FOLDER; save_case writes a
graph of given nodes the same way."""
import os

import numpy as np
import onnx
from onnx import TensorProto as TP, helper

NP_TO_ONNX = {np.float32: TP.FLOAT, np.float16: TP.FLOAT16, np.float64: TP.DOUBLE,
              np.bool_: TP.BOOL, np.int8: TP.INT8, np.int16: TP.INT16, np.int32: TP.INT32,
              np.int64: TP.INT64, np.uint8: TP.UINT8, np.uint16: TP.UINT16,
              np.uint32: TP.UINT32, np.uint64: TP.UINT64}


def save_case(out, name, nodes, inputs, outputs, opsets, initializers=()):
    """Writes the graph of `nodes` into FOLDER `out`: NAME.onnx, whose graph inputs and outputs are
    `inputs` and `outputs` ([(name, array)]) and whose constants are `initializers`; each input
    and output as NAME_TENSOR.npy; and NAME.args, the run_and_compare arguments.
    `opsets`: the model's opset imports (helper.make_opsetid)."""
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(n, NP_TO_ONNX[a.dtype.type], a.shape) for n, a in inputs],
        [helper.make_tensor_value_info(n, NP_TO_ONNX[a.dtype.type], a.shape) for n, a in outputs],
        [onnx.numpy_helper.from_array(a, n) for n, a in initializers])
    onnx.save(helper.make_model(graph, opset_imports=opsets), os.path.join(out, name + ".onnx"))
    args = []
    for tensors in (inputs, outputs):
        for n, a in tensors:
            path = os.path.join(out, "%s_%s.npy" % (name, n))
            np.save(path, a)
            args.append("%s=%s" % (n, path))
        if tensors is inputs:
            args.append("--")
    with open(os.path.join(out, name + ".args"), "w") as f:
        f.write(" ".join(args))


def writer(out):
    def case(name, op, inputs, outputs, opset=18, initializers=(), domain=None, **attrs):
        """inputs/outputs: [(name, array)]; initializers: [(name, array)] (constant inputs);
        domain: (name, opset) of the op's domain if not the default one."""
        node = helper.make_node(op, [n for n, _ in inputs], [n for n, _ in outputs], name="n",
                                domain=domain[0] if domain else None, **attrs)
        opsets = [helper.make_opsetid("", opset)]
        if domain:
            opsets.append(helper.make_opsetid(*domain))
        constants = dict(initializers)
        save_case(out, name, [node], [(n, a) for n, a in inputs if n and n not in constants],
                  outputs, opsets, initializers)
    return case
