"""Models, inputs and NumPy references for col2im-det.test: Col2Im (opset 18) and Det (opset 11).
Col2Im's reference is the operator text's loop: column (c * K + k, l) of [N, C * K, L] adds to
image position l_i * stride_i + k_i * dilation_i - pad_begin_i (blocks and block elements in
row-major order), positions outside the image dropped. Det's is numpy.linalg.det in float64.
Writes the files run_composite_ops.py reads into argv[1] and prints how many cases it wrote."""
import itertools
import sys

import numpy as np

import onnx_cases

out = sys.argv[1]
rng = np.random.default_rng(11)
write = onnx_cases.writer(out)
cases = 0


def case(name, op, inputs, want, opset, constants=(), **attrs):
    global cases
    write(name, op, inputs, [("y", want)], opset=opset,
          initializers=[(n, a) for n, a in inputs if n in constants], **attrs)
    cases += 1


def col2im(x, image, block, dilations=None, pads=None, strides=None):
    d = len(image)
    dilations = dilations or [1] * d
    pads = pads or [0] * (2 * d)
    strides = strides or [1] * d
    blocks = [(image[i] + pads[i] + pads[d + i] - dilations[i] * (block[i] - 1) - 1) // strides[i]
              + 1 for i in range(d)]
    n, ck, length = x.shape
    k = int(np.prod(block))
    assert length == np.prod(blocks) and ck % k == 0
    y = np.zeros((n, ck // k) + tuple(image), dtype=np.float64)
    for c in range(ck // k):
        for ki, kpos in enumerate(itertools.product(*[range(b) for b in block])):
            for li, lpos in enumerate(itertools.product(*[range(b) for b in blocks])):
                pos = [lpos[i] * strides[i] + kpos[i] * dilations[i] - pads[i] for i in range(d)]
                if all(0 <= pos[i] < image[i] for i in range(d)):
                    y[(slice(None), c) + tuple(pos)] += x[:, c * k + ki, li]
    return y.astype(x.dtype)


def col2im_case(name, x, image, block, **attrs):
    shapes = [("image", np.array(image, dtype=np.int64)),
              ("block", np.array(block, dtype=np.int64))]
    case(name, "Col2Im", [("x", x)] + shapes, col2im(x, image, block, **attrs), 18,
         constants=("image", "block"), **attrs)


def uniform(*shape, dtype=np.float32):
    return rng.uniform(-1, 1, shape).astype(dtype)


# Overlapping 2x2 blocks over a 4x5 image, two channels, a batch of two.
col2im_case("col2im_overlap", uniform(2, 8, 12), [4, 5], [2, 2])
# Every attribute at once: blocks 2x3 dilated (2, 1), strides (2, 3), pads on both sides.
col2im_case("col2im_all_attributes", uniform(1, 6, 9), [6, 7], [2, 3], dilations=[2, 1],
            pads=[1, 0, 1, 2], strides=[2, 3])
# Strides larger than the block: some positions no block covers stay 0.
col2im_case("col2im_gaps_f64", uniform(1, 4, 4, dtype=np.float64), [5, 5], [2, 2],
            strides=[3, 3])
# 3-D.
col2im_case("col2im_3d", uniform(1, 8, 12), [3, 4, 3], [2, 2, 2], pads=[0, 0, 1, 0, 0, 1],
            strides=[1, 1, 2])


def det(x):
    return np.linalg.det(x.astype(np.float64)).astype(x.dtype)


def det_case(name, x):
    case(name, "Det", [("x", x)], det(x), 11)


# A zero leading pivot (rows swap), a singular matrix, 1x1, a batch of batches, and a 7x7 in
# float64 whose elimination needs a swap at most steps.
det_case("det_zero_pivot", np.array([[0, 1], [2, 3]], dtype=np.float32))
det_case("det_singular", np.array([[1, 2, 3], [2, 4, 6], [1, 0, 1]], dtype=np.float32))
det_case("det_1x1", np.array([[[-2.5]], [[4.0]]], dtype=np.float32))
det_case("det_batched_3x3", uniform(2, 3, 3, 3))
det_case("det_7x7_f64", rng.permutation(np.eye(7))[None] @ np.tril(rng.uniform(0.5, 2, (2, 7, 7))))

print("%d cases" % cases)
