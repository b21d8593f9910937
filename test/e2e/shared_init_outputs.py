# Several outputs computed by ops whose accumulator inits CSE merges (the zero
# fill of bias-less convolutions, the -inf fill of max pooling, the zero fill
# of sums) must each keep their own values: empty-tensor elimination once let
# the second output's op accumulate into the first output's buffer. Checked
# against onnxruntime.
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(5)
weights = [numpy_helper.from_array(rng.uniform(-1, 1, (3, 2, 3, 3)).astype(np.float32), "w%d" % i)
           for i in range(3)]
nodes = [helper.make_node("Conv", ["x", "w%d" % i], ["conv%d" % i]) for i in range(3)]
nodes += [helper.make_node("MaxPool", ["conv%d" % i], ["pool%d" % i], kernel_shape=[2, 2])
          for i in range(2)]
nodes += [helper.make_node("ReduceSum", ["conv%d" % i], ["sum%d" % i], keepdims=0)
          for i in range(2)]
outputs = ["conv0", "conv1", "conv2", "pool0", "pool1", "sum0", "sum1"]
graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 6, 6])],
                          [onnx.ValueInfoProto(name=o) for o in outputs], weights)
path = os.path.join(work, "shared.onnx")
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)

x = rng.uniform(-1, 1, (1, 2, 6, 6)).astype(np.float32)
got = kt.run_artifact(kt.compile_model(path, os.path.join(work, "out")), {"x": x})
want = kt.onnxruntime_outputs(path, {"x": x})
for name in outputs:
    kt.assert_close(got[name], want[name], name + " vs onnxruntime")
