# TensorScatter (opset 24, the KV-cache update) against NumPy written from
# the operator text's pseudocode: linear and circular modes, the default
# axis (-2) and others (1 in [B, S, H, D], the last), write_indices given
# (int64 and int32) or omitted (zeros), circular writes that wrap past the
# end and write indices beyond the cache length or negative (taken modulo
# the length, as Python's % does), a float32, an int64 and a bool cache.
# onnxruntime 1.20 predates opset 24, so NumPy is the reference.
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(24)
ELEM = {np.float32: TensorProto.FLOAT, np.int64: TensorProto.INT64, np.int32: TensorProto.INT32,
        np.bool_: TensorProto.BOOL}


def reference(past, update, write_indices, axis, circular):
    """The operator text's pseudocode."""
    present = past.copy()
    axis = axis % past.ndim
    length = past.shape[axis]
    for prefix in np.ndindex(past.shape[:axis]):
        for i in range(update.shape[axis]):
            p = write_indices[prefix[0]] + i
            if circular:
                p %= length
            present[prefix + (p,)] = update[prefix + (i,)]
    return present


def check(name, past_shape, update_rows, dtype, axis=None, mode=None, write_indices=None):
    ax = -2 if axis is None else axis
    update_shape = list(past_shape)
    update_shape[ax] = update_rows
    if dtype == np.bool_:
        past = rng.random(past_shape) < 0.3
        update = rng.random(update_shape) < 0.7
    else:
        past = (rng.standard_normal(past_shape) * 10).astype(dtype)
        update = (rng.standard_normal(update_shape) * 10).astype(dtype)
    attrs = {}
    if axis is not None:
        attrs["axis"] = axis
    if mode is not None:
        attrs["mode"] = mode
    inputs = [helper.make_tensor_value_info("past", ELEM[dtype], past_shape),
              helper.make_tensor_value_info("update", ELEM[dtype], update_shape)]
    names = ["past", "update"]
    feeds = {"past": past, "update": update}
    if write_indices is not None:
        inputs.append(helper.make_tensor_value_info("w", ELEM[write_indices.dtype.type],
                                                    [len(write_indices)]))
        names.append("w")
        feeds["w"] = write_indices
    node = helper.make_node("TensorScatter", names, ["present"], **attrs)
    graph = helper.make_graph([node], name, inputs,
                              [helper.make_tensor_value_info("present", ELEM[dtype], past_shape)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 24)])
    model.ir_version = 10
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    artifact = kt.compile_model(path, os.path.join(work, name))
    got = kt.run_artifact(artifact, feeds)["present"]
    w = np.zeros(past_shape[0], np.int64) if write_indices is None else write_indices
    want = reference(past, update, w.astype(np.int64), ax, mode == "circular")
    assert got.dtype == want.dtype and got.shape == want.shape, (name, got.dtype, got.shape)
    assert np.array_equal(got, want), "%s: present differs:\n%s\nvs NumPy\n%s" % (name, got, want)
    assert not np.array_equal(got, past), "%s: nothing was written; the case checks nothing" % name
    print("%s: present %s matches NumPy" % (name, got.shape))


i64 = lambda *v: np.array(v, np.int64)
check("decode_default_axis", [3, 2, 6, 4], 1, np.float32, write_indices=i64(0, 5, 2))
check("prefill_no_indices", [2, 2, 6, 4], 4, np.float32)
check("linear_axis1_bshd", [2, 7, 3, 4], 3, np.float32, axis=1, mode="linear",
      write_indices=np.array([4, 1], np.int32))
check("circular_wraps", [2, 1, 5, 3], 3, np.float32, mode="circular", write_indices=i64(3, 4))
check("circular_index_past_end_and_negative", [3, 6, 2], 4, np.float32, axis=1, mode="circular",
      write_indices=i64(9, -2, -13))
check("circular_last_axis_int64", [2, 3, 5], 2, np.int64, axis=-1, mode="circular",
      write_indices=i64(4, 1))
check("linear_bool", [2, 5, 3], 2, np.bool_, axis=1, write_indices=i64(1, 3))
print("all TensorScatter cases match NumPy")
