"""Models, inputs and NumPy references (written from the ONNX operator text) for
indexing-ops.test: GatherND, ScatterElements (and Scatter), ScatterND, TopK, Einsum and LRN.
Writes into argv[1] as onnx_cases.writer does."""
import itertools
import sys

import numpy as np

import onnx_cases

out = sys.argv[1]
rng = np.random.default_rng(14)
case = onnx_cases.writer(out)


def gather_nd(data, indices, batch_dims):
    k = indices.shape[-1]
    batch = int(np.prod(data.shape[:batch_dims], dtype=np.int64))
    idx = indices.reshape(batch, -1, k)
    flat = data.reshape((batch,) + data.shape[batch_dims:])
    picked = [flat[(b,) + tuple(idx[b, i])] for b in range(batch) for i in range(idx.shape[1])]
    return np.array(picked, data.dtype).reshape(indices.shape[:-1] + data.shape[batch_dims + k:])


REDUCE = {"none": lambda a, b: b, "add": np.add, "mul": np.multiply, "max": np.maximum,
          "min": np.minimum}


def scatter_elements(data, indices, updates, axis, reduction):
    y = data.copy()
    for pos in np.ndindex(indices.shape):
        target = list(pos)
        target[axis] = indices[pos]
        y[tuple(target)] = REDUCE[reduction](y[tuple(target)], updates[pos])
    return y


def scatter_nd(data, indices, updates, reduction):
    y = data.copy()
    for pos in np.ndindex(indices.shape[:-1]):
        target = tuple(indices[pos])
        y[target] = REDUCE[reduction](y[target], updates[pos])
    return y


def top_k(x, k, axis, largest):
    key = -x.astype(np.float64) if largest else x.astype(np.float64)
    order = np.argsort(key, axis=axis, kind="stable")  # equal elements keep index order
    idx = np.take(order, np.arange(k), axis=axis)
    return np.take_along_axis(x, idx, axis=axis), idx.astype(np.int64)


# GatherND: whole rows, single elements with negative indices, batch_dims.
d3 = rng.uniform(-5, 5, (3, 4, 5)).astype(np.float32)
i_rows = np.array([[[0, 1]], [[2, -1]]], np.int64)
case("gathernd_rows", "GatherND", [("d", d3), ("i", i_rows)],
     [("y", gather_nd(d3, i_rows, 0))], opset=11)
i_elem = np.array([[1, 2, 3], [-1, -4, 0], [0, 0, -1]], np.int64)
case("gathernd_elements", "GatherND", [("d", d3), ("i", i_elem)],
     [("y", gather_nd(d3, np.where(i_elem < 0, i_elem + np.array(d3.shape), i_elem), 0))],
     opset=13)
i_batch = np.array([[[1, 0], [3, 4]], [[0, 4], [2, 2]], [[3, 3], [0, 1]]], np.int64)
d_int = rng.integers(-100, 100, (3, 4, 5)).astype(np.int32)
case("gathernd_batch", "GatherND", [("d", d_int), ("i", i_batch)],
     [("y", gather_nd(d_int, i_batch, 1))], opset=12, batch_dims=1)

# ScatterElements: every reduction, an axis, updates covering a corner of data, negative indices.
data = rng.uniform(-5, 5, (4, 5)).astype(np.float32)
idx = np.array([[1, 3, 0], [0, -1, 3]], np.int64)
upd = rng.uniform(-5, 5, (2, 3)).astype(np.float32)
norm = np.where(idx < 0, idx + 5, idx)
for reduction, opset in [("none", 11), ("add", 16), ("mul", 16), ("max", 18), ("min", 18)]:
    attrs = {"reduction": reduction} if reduction != "none" else {}
    case("scatter_elements_" + reduction, "ScatterElements",
         [("d", data), ("i", idx), ("u", upd)],
         [("y", scatter_elements(data, norm, upd, 1, reduction))], opset=opset, axis=1, **attrs)
dup = np.array([[1, 1, 1], [0, 2, 0]], np.int64)
case("scatter_elements_add_duplicates", "ScatterElements", [("d", data), ("i", dup), ("u", upd)],
     [("y", scatter_elements(data, dup, upd, 1, "add"))], opset=18, axis=1, reduction="add")
di = rng.integers(-50, 50, (3, 2)).astype(np.int64)
ii = np.array([[2, 0]], np.int64)
ui = np.array([[7, -8]], np.int64)
case("scatter_axis0_int", "Scatter", [("d", di), ("i", ii), ("u", ui)],
     [("y", scatter_elements(di, ii, ui, 0, "none"))], opset=9)

# ScatterND: slices and elements, every reduction.
dn = rng.uniform(-5, 5, (4, 3, 2)).astype(np.float32)
slices = np.array([[2], [0]], np.int64)
us = rng.uniform(-5, 5, (2, 3, 2)).astype(np.float32)
case("scatternd_slices", "ScatterND", [("d", dn), ("i", slices), ("u", us)],
     [("y", scatter_nd(dn, slices, us, "none"))], opset=11)
elems = np.array([[[1, 2, 0], [3, -3, 1]], [[1, 2, 0], [0, 0, 0]]], np.int64)
ue = rng.uniform(-5, 5, (2, 2)).astype(np.float32)
norm_e = np.where(elems < 0, elems + np.array(dn.shape), elems)
for reduction, opset in [("add", 16), ("mul", 16), ("max", 18), ("min", 18)]:
    case("scatternd_" + reduction, "ScatterND", [("d", dn), ("i", elems), ("u", ue)],
         [("y", scatter_nd(dn, norm_e, ue, reduction))], opset=opset, reduction=reduction)

# Every update lands on the same slice: data still takes part in max and min.
same = np.array([[1], [1]], np.int64)
us2 = rng.uniform(-5, 5, (2, 3, 2)).astype(np.float32)
for reduction in ("max", "min"):
    case("scatternd_%s_all_hit" % reduction, "ScatterND", [("d", dn), ("i", same), ("u", us2)],
         [("y", scatter_nd(dn, same, us2, reduction))], opset=18, reduction=reduction)

# TopK: largest and smallest, ties in index order, an inner axis, K as an input and attribute.
xt = np.array([[3.0, 1.0, 3.0, -2.0, 7.0, 1.0], [0.5, 0.5, 0.5, 9.0, -1.0, 2.0]], np.float32)
for largest in (1, 0):
    v, i = top_k(xt, 4, 1, largest)
    case("topk_%s" % ("largest" if largest else "smallest"), "TopK",
         [("x", xt), ("k", np.array([4], np.int64))], [("v", v), ("i", i)], opset=11,
         largest=largest, initializers=[("k", np.array([4], np.int64))])
x3 = rng.integers(-5, 5, (2, 5, 3)).astype(np.int32)
v, i = top_k(x3, 2, 1, True)
case("topk_axis1_int", "TopK", [("x", x3), ("k", np.array([2], np.int64))], [("v", v), ("i", i)],
     opset=10, axis=1, initializers=[("k", np.array([2], np.int64))])
v, i = top_k(xt, 3, 1, True)
case("topk_opset1", "TopK", [("x", xt)], [("v", v), ("i", i)], opset=7, k=3)

# Einsum: matmul, batched, transpose, sum, inner product, diagonal, ellipsis, a contraction
# over two labels.
A = rng.uniform(-1, 1, (2, 3, 4)).astype(np.float32)
B = rng.uniform(-1, 1, (2, 4, 5)).astype(np.float32)
M = rng.uniform(-1, 1, (3, 3)).astype(np.float32)
v1 = rng.uniform(-1, 1, (5,)).astype(np.float32)
for name, eq, ops in [("batch_matmul", "bij,bjk->bik", [A, B]),
                      ("matmul_implicit", "ij,jk", [A[0], B[0]]),
                      ("transpose", "ijk->kji", [A]),
                      ("sum", "ijk->j", [A]),
                      ("inner", "i,i", [v1, v1]),
                      ("outer", "i,j->ij", [v1, A[0, 0]]),
                      ("diagonal", "ii->i", [M]),
                      ("trace", "ii", [M]),
                      ("ellipsis", "...ij,...jk->...ik", [A, B]),
                      ("two_contracted", "bij,bij->b", [A, A * 2]),
                      ("mixed", "bij,jk->kb", [A, B[1]])]:
    inputs = [("x%d" % k, t) for k, t in enumerate(ops)]
    case("einsum_" + name, "Einsum", inputs,
         [("y", np.asarray(np.einsum(eq, *[t.astype(np.float64) for t in ops])).astype(np.float32))],
         opset=12, equation=eq)


# Compress with a constant condition: along an axis, and of the flattened input (a condition
# shorter than the input).
xc = rng.uniform(-5, 5, (3, 4)).astype(np.float32)
for name, cond, axis in [("axis1", np.array([True, False, True, True]), 1),
                         ("axis_negative", np.array([False, True]), -2),
                         ("flat", np.array([False, True, True, False, False, True]), None)]:
    attrs = {} if axis is None else {"axis": axis}
    case("compress_" + name, "Compress", [("x", xc), ("c", cond)],
         [("y", np.compress(cond, xc, axis=axis))], opset=11, initializers=[("c", cond)], **attrs)


# ReverseSequence with constant lengths, time-major and batch-major.
xr = rng.uniform(-5, 5, (4, 3, 2)).astype(np.float32)


def reverse_sequence(x, lens, batch_axis, time_axis):
    y = x.copy()
    for b, n in enumerate(lens):
        src = [slice(None)] * x.ndim
        src[batch_axis], src[time_axis] = b, slice(0, n)
        y[tuple(src)] = np.flip(x[tuple(src)], axis=0 if time_axis < batch_axis else time_axis - 1)
    return y


for name, lens, batch_axis, time_axis in [("time_major", [4, 1, 2], 1, 0),
                                          ("batch_major", [3, 0, 1, 2], 0, 1)]:
    lv = np.array(lens, np.int64)
    case("reverse_sequence_" + name, "ReverseSequence", [("x", xr), ("l", lv)],
         [("y", reverse_sequence(xr, lens, batch_axis, time_axis))], opset=10,
         batch_axis=batch_axis, time_axis=time_axis, initializers=[("l", lv)])


def lrn(x, size, alpha, beta, bias):
    c = x.shape[1]
    sq = np.zeros_like(x, dtype=np.float64)
    for ch in range(c):
        lo, hi = max(0, ch - (size - 1) // 2), min(c - 1, ch + -(-(size - 1) // 2))
        sq[:, ch] = (x[:, lo:hi + 1].astype(np.float64) ** 2).sum(axis=1)
    return (x / (bias + alpha / size * sq) ** beta).astype(x.dtype)


xl = rng.uniform(-3, 3, (2, 5, 3, 4)).astype(np.float32)
case("lrn", "LRN", [("x", xl)], [("y", lrn(xl, 3, 1e-4, 0.75, 1.0))], opset=13, size=3)
case("lrn_even", "LRN", [("x", xl)], [("y", lrn(xl, 4, 0.5, 0.6, 2.0))], opset=13, size=4,
     alpha=0.5, beta=0.6, bias=2.0)
