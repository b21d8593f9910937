"""Models, inputs and NumPy references for pool-indices-ops.test: ONNX MaxPool's Indices output
(storage_order 0 and 1; 1-D, 2-D and 3-D; pads, strides, dilations, ceil_mode; ties, where the
first maximum in the window's row-major order wins; float and integer inputs) and MaxUnpool
(with and without output_shape, overlapping windows writing one position twice).

The references are written from the operator text with plain loops over each window; they are
also checked against onnx's reference runtime (onnx.reference), which must agree.
Writes NAME.onnx, NAME_in_*.npy / NAME_out_*.npy and NAME.args into argv[1] (read by
run_composite_ops.py) and prints how many cases it wrote."""
import itertools
import sys

import numpy as np
from onnx import TensorProto as TP, helper

import onnx_cases

out = sys.argv[1]
CODES = onnx_cases.NP_TO_ONNX
rng = np.random.default_rng(8)


def pooled_size(size, k, s, d, begin, end, ceil):
    span = size + begin + end - d * (k - 1) - 1
    o = (span + s - 1) // s + 1 if ceil else span // s + 1
    # ceil_mode: a window starting in the end padding is dropped.
    if ceil and (o - 1) * s >= size + begin:
        o -= 1
    return o


def max_pool(X, kernel, strides, pads, dilations, ceil, storage_order):
    """(Y, Indices): each window's maximum, the first in row-major window order holding it
    (later elements replace it only when strictly greater), padding never counted; Indices
    flattened over X, the spatial part column-major for storage_order 1."""
    N, C, dims = X.shape[0], X.shape[1], X.shape[2:]
    r = len(dims)
    outs = [pooled_size(dims[i], kernel[i], strides[i], dilations[i], pads[i], pads[r + i], ceil)
            for i in range(r)]
    Y = np.zeros((N, C) + tuple(outs), X.dtype)
    I = np.zeros((N, C) + tuple(outs), np.int64)
    for n, c in itertools.product(range(N), range(C)):
        for o in itertools.product(*[range(v) for v in outs]):
            best, at = None, None
            for k in itertools.product(*[range(v) for v in kernel]):
                p = [o[i] * strides[i] + k[i] * dilations[i] - pads[i] for i in range(r)]
                if any(p[i] < 0 or p[i] >= dims[i] for i in range(r)):
                    continue
                v = X[(n, c) + tuple(p)]
                if best is None or v > best:
                    best, at = v, p
            order = range(r) if storage_order == 0 else reversed(range(r))
            flat = 0
            for i in order:
                flat = flat * dims[i] + at[i]
            Y[(n, c) + o] = best
            I[(n, c) + o] = (n * C + c) * int(np.prod(dims)) + flat
    return Y, I


def max_unpool(X, I, kernel, strides, pads, output_shape=None):
    """Zeros of the unpooled shape with X's elements written, in order, at their flat
    indices; a given output_shape extends it with zeros at the end of each dim."""
    r = X.ndim - 2
    shape = list(X.shape[:2]) + [(X.shape[2 + i] - 1) * strides[i] + kernel[i] - pads[i] -
                                 pads[r + i] for i in range(r)]
    Y = np.zeros(int(np.prod(shape)), X.dtype)
    for x, i in zip(X.reshape(-1), I.reshape(-1)):
        Y[i] = x
    Y = Y.reshape(shape)
    if output_shape is None:
        return Y
    full = np.zeros(output_shape, X.dtype)
    full[tuple(slice(0, d) for d in shape)] = Y
    return full


def onnx_reference(nodes, inputs, outputs, opset):
    from onnx.reference import ReferenceEvaluator
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(k, CODES[v.dtype.type], v.shape) for k, v in inputs.items()],
        [helper.make_tensor_value_info(k, TP.UNDEFINED, None) for k in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    return ReferenceEvaluator(model).run(None, inputs)


cases = 0


def save(name, nodes, inputs, want, opset, check=True, unchecked=(), inits=None):
    """`unchecked`: outputs onnx.reference gets wrong (see pool_case); `inits`: constant
    inputs, as initializers."""
    global cases
    inits = inits or {}
    if check:
        theirs = onnx_reference(nodes, dict(inputs, **inits), list(want), opset)
        for (k, v), t in zip(want.items(), theirs):
            if k not in unchecked and not np.array_equal(v, t):
                sys.exit("%s %s: the NumPy reference disagrees with onnx.reference:\n%s\n%s"
                         % (name, k, v, t))
    onnx_cases.save_case(out, name, nodes, list(inputs.items()), list(want.items()),
                         [helper.make_opsetid("", opset)], list(inits.items()))
    cases += 1


def pool_case(name, X, kernel, strides=None, pads=None, dilations=None, ceil=0, opset=12,
              check=True):
    """One model with a MaxPool node per storage_order, both outputs used."""
    r = len(kernel)
    strides, dilations = strides or [1] * r, dilations or [1] * r
    pads = pads or [0] * (2 * r)
    nodes, want = [], {}
    for order in (0, 1):
        attrs = dict(kernel_shape=kernel, strides=strides, pads=pads, storage_order=order)
        if opset >= 10:
            attrs.update(dilations=dilations, ceil_mode=ceil)
        nodes.append(helper.make_node("MaxPool", ["X"], ["Y%d" % order, "I%d" % order],
                                      name="pool%d" % order, **attrs))
        y, i = max_pool(X, kernel, strides, pads, dilations, ceil, order)
        want["Y%d" % order], want["I%d" % order] = y, i
    # With unit strides and dilations onnx.reference pools by another path, whose Indices
    # are not positions in the window (and ignore storage_order): they are then checked
    # against NumPy alone.
    unit = all(v == 1 for v in strides + dilations)
    save(name, nodes, {"X": X}, want, opset, check, unchecked=("I0", "I1") if unit else ())


def ties(shape, dtype):
    """Small integers, so that windows hold their maximum more than once."""
    return rng.integers(0, 4, shape).astype(dtype)


# 2-D: the node tests' precomputed pads and strides, then overlapping, padded, dilated and
# ceil_mode windows over batches and channels, with ties.
pool_case("pads_2d", rng.standard_normal((1, 1, 5, 5)).astype(np.float32), [5, 5],
          pads=[2, 2, 2, 2])
pool_case("strides_2d", rng.standard_normal((1, 1, 5, 5)).astype(np.float32), [2, 2],
          strides=[2, 2])
pool_case("ties_2d", ties((2, 3, 6, 7), np.float32), [3, 2], strides=[2, 1], pads=[1, 0, 1, 1])
pool_case("dilated_ceil_2d", ties((1, 2, 7, 8), np.float32), [2, 3], strides=[2, 2],
          pads=[0, 1, 1, 0], dilations=[2, 1], ceil=1)
# Opset 8 (no ceil_mode, no dilations), 1-D and 3-D; integer inputs.
pool_case("opset8_2d", rng.standard_normal((1, 2, 4, 5)).astype(np.float32), [2, 2],
          strides=[2, 2], opset=8)
pool_case("ties_1d", ties((2, 2, 9), np.float32), [3], strides=[2], pads=[1, 1])
pool_case("ties_3d", ties((1, 2, 4, 5, 3), np.float32), [2, 2, 2], strides=[2, 1, 1],
          pads=[0, 1, 0, 1, 0, 1])
pool_case("uint8_2d", rng.integers(0, 256, (1, 2, 5, 5)).astype(np.uint8), [3, 3],
          strides=[2, 2], pads=[1, 1, 1, 1])
# onnx.reference's unit-stride path pads integers with NaN and fails: NumPy alone.
pool_case("int8_2d", rng.integers(-128, 128, (1, 2, 5, 5)).astype(np.int8), [2, 2], check=False)
pool_case("double_2d", rng.standard_normal((1, 1, 4, 4)), [2, 2], strides=[1, 1])


def unpool_case(name, X, I, kernel, strides, pads=None, output_shape=None, opset=11):
    r = len(kernel)
    pads = pads or [0] * (2 * r)
    inputs, inits = {"X": X, "I": I}, {}
    names = ["X", "I"]
    if output_shape is not None:
        inits["S"] = np.array(output_shape, np.int64)
        names.append("S")
    node = helper.make_node("MaxUnpool", names, ["Y"], name="unpool", kernel_shape=kernel,
                            strides=strides, pads=pads)
    save(name, [node], inputs, {"Y": max_unpool(X, I, kernel, strides, pads, output_shape)},
         opset, inits=inits)


# The node tests' two cases (output_shape larger than the unpooled shape: the indices still
# count in the unpooled shape), then indices from a real MaxPool: overlapping windows
# (stride 1) pick one element several times; padded windows; 1-D and 3-D.
XN = np.array([[[[1, 2], [3, 4]]]], np.float32)
IN = np.array([[[[5, 7], [13, 15]]]], np.int64)
unpool_case("unpool_node_test", XN, IN, [2, 2], [2, 2])
unpool_case("unpool_output_shape", XN, IN, [2, 2], [2, 2], output_shape=[1, 1, 5, 5])
X = rng.standard_normal((2, 3, 5, 6)).astype(np.float32)
y, i = max_pool(X, [2, 2], [1, 1], [0, 0, 0, 0], [1, 1], 0, 0)
unpool_case("unpool_overlapping", y, i, [2, 2], [1, 1])
y, i = max_pool(X[..., :5], [3, 3], [2, 2], [1, 1, 1, 1], [1, 1], 0, 0)
unpool_case("unpool_padded", y, i, [3, 3], [2, 2], pads=[1, 1, 1, 1])
X1 = rng.standard_normal((1, 2, 8)).astype(np.float32)
y, i = max_pool(X1, [2], [2], [0, 0], [1], 0, 0)
unpool_case("unpool_1d", y, i, [2], [2])
X3 = rng.standard_normal((1, 1, 4, 4, 4)).astype(np.float64)
y, i = max_pool(X3, [2, 2, 2], [2, 2, 2], [0] * 6, [1, 1, 1], 0, 0)
unpool_case("unpool_3d", y, i, [2, 2, 2], [2, 2, 2], opset=9)
print("%d cases" % cases)
