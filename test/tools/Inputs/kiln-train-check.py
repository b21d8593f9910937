# Checks kiln-train.test's results against the closed form it states; writes DIR/checked.
import os
import sys

import numpy as np
import onnxruntime as ort

work = sys.argv[1]
d = np.array([0.1, 0.2, 0.3])
lines = open(os.path.join(work, "log")).read().split("\n")[:-1]
assert len(lines) == 3, lines
for k, line in enumerate(lines):
    got = float(line.split()[3])
    want = (0.6 ** k) ** 2 * np.sum(d ** 2) / 3
    assert line.startswith("step %d loss " % (k + 1)) and abs(got - want) <= 1e-5 * want, (line, want)
# The weights after 3 steps (--output-dir) and the saved model: y = t + 0.6^3 d.
session = ort.InferenceSession(os.path.join(work, "trained.onnx"), providers=["CPUExecutionProvider"])
y = session.run(None, {"x": np.array([[1, 2]], np.float32)})[0]
assert np.allclose(y, [[1, 2, 8]] + 0.6 ** 3 * d, rtol=1e-5, atol=1e-6), y
w = np.load(os.path.join(work, "trained", "w.npy"))
b = np.load(os.path.join(work, "trained", "b.npy"))
assert np.allclose(np.array([[1, 2]]) @ w + b, y, rtol=1e-6), (w, b)
open(os.path.join(work, "checked"), "w").write("3 losses and the saved model match the closed form\n")
