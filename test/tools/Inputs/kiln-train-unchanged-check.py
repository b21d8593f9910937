"""kiln-train.test: a weight whose gradient is zero (read only by a comparison)
stays as it was, and the other weight takes one SGD step (lr 0.01) computed
here in NumPy: y = where(x > w, x, b), loss = mean((y - t)^2)."""
import sys

import numpy as np

work = sys.argv[1]
x = np.load(work + "/zx.npy").astype(np.float64)
t = np.load(work + "/zt.npy").astype(np.float64)
w0, b0 = np.zeros(8), np.ones(8)
w, b = np.load(work + "/ztrained/w.npy"), np.load(work + "/ztrained/b.npy")
assert np.array_equal(w, w0), w
y = np.where(x > w0, x, b0)
grad_b = np.where(x > w0, 0.0, 2 * (y - t) / y.size).sum(axis=0)
want = b0 - 0.01 * grad_b
assert not np.allclose(want, b0), "the check needs a moving b"
assert np.allclose(b, want, rtol=1e-6, atol=1e-7), (b, want)
open(work + "/zchecked", "w").write("w unchanged, b one SGD step\n")
