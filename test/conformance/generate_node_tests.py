#!/usr/bin/env python3
"""Writes the ONNX backend node tests of the onnx package it runs with into OUT/node/NAME/.

    generate_node_tests.py OUT

Newer onnx wheels ship the node tests as generators only. This writes each case the way the older
wheels ship them: model.onnx and test_data_set_N/{input_K.pb, output_K.pb}, tensors as TensorProto and
sequences, maps and optionals with numpy_helper's from_list / from_dict / from_optional (as onnx's own
backend/test/cmd_tools.py does for model tests). It runs in a virtual environment of its own
(scripts/conformance.sh makes it): the newest onnx needs numpy 2, which the test environment's
PyTorch cannot load. OUT/node is replaced; OUT/VERSION is written last, so it marks a complete set.
"""
import os
import shutil
import sys
import warnings

import onnx
from onnx import numpy_helper
from onnx.backend.test.case import node


def serialize(value, value_info):
    kind = value_info.type.WhichOneof("value")
    if kind == "sequence_type":
        return numpy_helper.from_list(value, value_info.name)
    if kind == "map_type":
        return numpy_helper.from_dict(value, value_info.name)
    if kind == "optional_type":
        return numpy_helper.from_optional(value, value_info.name)
    if isinstance(value, onnx.TensorProto):
        return value
    return numpy_helper.from_array(value, value_info.name)


def write_case(case, folder):
    os.makedirs(folder)
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    graph = case.model.graph
    for i, (inputs, outputs) in enumerate(case.data_sets):
        data_set = os.path.join(folder, "test_data_set_%d" % i)
        os.makedirs(data_set)
        for kind, values, infos in (("input", inputs, graph.input), ("output", outputs, graph.output)):
            for k, value in enumerate(values):
                with open(os.path.join(data_set, "%s_%d.pb" % (kind, k)), "wb") as f:
                    f.write(serialize(value, infos[k]).SerializeToString())


def main(out):
    node_dir = os.path.join(out, "node")
    stamp = os.path.join(out, "VERSION")
    for path in (stamp, node_dir):
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
    with warnings.catch_warnings():
        # The generators compute expected outputs with NumPy, some on purpose from inf and nan.
        warnings.simplefilter("ignore")
        cases = node.collect_testcases(None)
    for case in cases:
        write_case(case, os.path.join(node_dir, case.name))
    with open(stamp, "w") as f:
        f.write(onnx.__version__ + "\n")
    print("wrote %d node tests of onnx %s to %s" % (len(cases), onnx.__version__, node_dir))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1].strip())
    main(sys.argv[1])
