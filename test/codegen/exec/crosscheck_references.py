#!/usr/bin/env python3
"""Cross-checks the NumPy references of gen_exec_tests.py against PyTorch and
onnxruntime, so the expected numbers do not merely restate the lowering's own
reading of the spec. Not a lit test (needs torch / onnxruntime); run by hand:

    /usr/bin/python3 test/codegen/exec/crosscheck_references.py     # torch
    <venv>/bin/python test/codegen/exec/crosscheck_references.py    # onnxruntime

Prints one line per library and exits non-zero on any disagreement.
"""

import itertools
import sys

import numpy as np

from gen_exec_tests import conv_ref, pool_ref

RNG = np.random.default_rng(7)
failures = 0


def close(name, got, want, tol=1e-5):
    global failures
    if got.shape != want.shape or not np.allclose(got, want, rtol=tol, atol=tol, equal_nan=True):
        failures += 1
        print(f"MISMATCH {name}: shapes {got.shape} vs {want.shape}")


def pool_configs():
    for n, k, s, p, ceil in itertools.product([5, 6, 7, 8], [2, 3], [1, 2, 3], [0, 1], [False, True]):
        if p <= k // 2 and k <= n + 2 * p:
            yield n, k, s, p, ceil


def with_torch():
    import torch
    import torch.nn.functional as F
    count = 0
    for n, k, s, p, ceil in pool_configs():
        x = RNG.uniform(-3, 3, (1, 2, n, n + 1))
        t = torch.tensor(x)
        for include in (False, True):
            want = F.avg_pool2d(t, k, s, p, ceil_mode=ceil, count_include_pad=include).numpy()
            got = pool_ref(x, [k, k], [s, s], [p] * 4, [1, 1], ceil, "avg", include)
            close(f"avg n={n} k={k} s={s} p={p} ceil={ceil} incl={include}", got, want)
            count += 1
        for d in (1, 2):
            if d * (k - 1) + 1 > n + 2 * p or p > (d * (k - 1) + 1) // 2:
                continue
            want = F.max_pool2d(t, k, s, p, dilation=d, ceil_mode=ceil).numpy()
            got = pool_ref(x, [k, k], [s, s], [p] * 4, [d, d], ceil, "max")
            close(f"max n={n} k={k} s={s} p={p} d={d} ceil={ceil}", got, want)
            count += 1
    for groups, (c, f), s, d, p in itertools.product([1, 2], [(2, 4), (4, 2), (4, 4)], [1, 2],
                                                     [1, 2], [0, 1]):
        x, w, b = RNG.uniform(-1, 1, (2, c, 7, 6)), RNG.uniform(-1, 1, (f, c // groups, 3, 2)), \
            RNG.uniform(-1, 1, (f,))
        want = F.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), s, p, d, groups).numpy()
        close(f"conv g={groups} c={c} f={f}", conv_ref(x, w, b, [s, s], [p] * 4, [d, d], groups), want)
        count += 1
    print(f"torch {torch.__version__}: {count} pooling/conv configurations checked")


def with_onnxruntime():
    import onnxruntime as ort
    from onnx import TensorProto, helper
    count = 0
    # Asymmetric pads, which PyTorch cannot express. Without ceil_mode only:
    # onnxruntime (1.20) departs from kiln/PyTorch for ceil_mode windows (it
    # divides by the whole kernel even past the end padding, and keeps a last
    # window that starts in the end padding), see KilnOps.td.
    for pads, include, shape in itertools.product(
            [[0, 1, 2, 0], [1, 0, 0, 1], [1, 1, 0, 2], [2, 0, 1, 2]], [0, 1], [(6, 7), (7, 5)]):
        x = RNG.uniform(-3, 3, (1, 2) + shape).astype(np.float32)
        for op, kind in (("AveragePool", "avg"), ("MaxPool", "max")):
            attrs = dict(kernel_shape=[3, 3], strides=[2, 1], pads=pads)
            if op == "AveragePool":
                attrs["count_include_pad"] = include
            node = helper.make_node(op, ["x"], ["y"], **attrs)
            graph = helper.make_graph(
                [node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
            model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
            sess = ort.InferenceSession(model.SerializeToString(),
                                        providers=["CPUExecutionProvider"])
            want = sess.run(None, {"x": x})[0]
            got = pool_ref(x.astype(np.float64), [3, 3], [2, 1], pads, [1, 1], False, kind,
                           bool(include))
            close(f"ort {op} pads={pads} incl={include} shape={shape}", got, want)
            count += 1
    print(f"onnxruntime {ort.__version__}: {count} asymmetric-pad pooling configurations checked")


if __name__ == "__main__":
    ran = False
    for check in (with_torch, with_onnxruntime):
        try:
            check()
            ran = True
        except ImportError as e:
            print(f"skipped {check.__name__}: {e}")
    sys.exit(1 if failures or not ran else 0)
