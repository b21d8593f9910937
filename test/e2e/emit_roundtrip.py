# `kiln compile --emit=kiln` writes IR that compiles again: the bundled ONNX
# example, emitted as kiln MLIR (with its ONNX node names as locations),
# compiled from that file and run, still matches onnxruntime on the ONNX model.
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
model = os.path.join(kt.SRC, "examples", "small_cnn.onnx")
mlir = os.path.join(work, "small_cnn.mlir")
kt.run_tool([kt.KILN, "compile", model, "--emit=kiln", "--locations", "-o", mlir])
text = open(mlir).read()
assert "__elided__" not in text, "emitted IR elides constants"
for node in ("conv1", "relu1", "pool1"):
    assert 'loc("%s"' % node in text, "no location for ONNX node %s" % node

artifact = kt.compile_model(mlir, os.path.join(work, "from_mlir"))
x = np.load(os.path.join(kt.SRC, "examples", "small_cnn_input.npy"))
actual = kt.run_artifact(artifact, {"x": x})
expected = kt.onnxruntime_outputs(model, {"x": x})
for name in ("logits", "probs"):
    kt.assert_close(actual[name], expected[name], "%s from emitted kiln IR vs onnxruntime" % name)
