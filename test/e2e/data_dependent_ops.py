# NonMaxSuppression and Unique, whose output shapes depend on their input
# values, are evaluated at compile time from constant inputs: checked against
# onnxruntime (corner and center boxes, score thresholds, ties, several
# batches and classes, no boxes at all; Unique over elements and along axes,
# sorted and in order of first occurrence, with all four outputs). A graph
# input in their place is an error naming it and suggesting --constant;
# frozen with --constant, the model matches onnxruntime again.
# RUN: rm -rf %t && %python %s %t
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(11)


def save(name, node, inits, outputs, inputs=()):
    """`outputs`: [(name, TensorProto element type)]."""
    graph = helper.make_graph([node], name, list(inputs),
                              [helper.make_tensor_value_info(o, t, None) for o, t in outputs],
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    return path


def check(name, path, feeds=None, extra=()):
    expected = kt.onnxruntime_outputs(path, {k: v for k, v in (feeds or {}).items()})
    artifact = kt.compile_model(path, os.path.join(work, name), extra=list(extra))
    got = kt.run_artifact(artifact, {} if extra else (feeds or {}))
    for out, want in expected.items():
        assert got[out].dtype == want.dtype and got[out].shape == want.shape, \
            "%s: %s is %s %s, onnxruntime's %s %s" % (name, out, got[out].dtype, got[out].shape,
                                                      want.dtype, want.shape)
        assert np.array_equal(got[out], want), "%s: %s differs:\n%s\nvs\n%s" % (name, out, got[out], want)
    print("%s: %s match onnxruntime" % (name, ", ".join("%s %s" % (k, v.shape) for k, v in got.items())))


def random_boxes(batches, count, center):
    xy = rng.uniform(0, 10, (batches, count, 2))
    size = rng.uniform(0.5, 4, (batches, count, 2))
    if center:
        return np.concatenate([xy, size], axis=2).astype(np.float32)
    corners = np.concatenate([xy, xy + size], axis=2)
    # Opposite corners in either order.
    flip = rng.random((batches, count)) < 0.3
    corners[flip] = corners[flip][:, [2, 3, 0, 1]]
    return corners.astype(np.float32)


for name, batches, classes, count, center, max_out, iou, score in [
        ("nms_corners", 1, 1, 12, 0, 5, 0.3, None),
        ("nms_center_threshold", 2, 3, 10, 1, 4, 0.2, 0.4),
        ("nms_all", 1, 2, 16, 0, 100, 0.5, None),
        ("nms_none", 1, 1, 6, 0, 0, 0.5, None)]:
    scores = rng.random((batches, classes, count)).astype(np.float32)
    scores[..., 1] = scores[..., 0]  # a tie: the lower index comes first
    inits = {"boxes": random_boxes(batches, count, center), "scores": scores,
             "max_output": np.array([max_out], np.int64), "iou": np.array([iou], np.float32)}
    inputs = ["boxes", "scores", "max_output", "iou"]
    if score is not None:
        inits["score"] = np.array([score], np.float32)
        inputs.append("score")
    node = helper.make_node("NonMaxSuppression", inputs, ["selected"], center_point_box=center)
    check(name, save(name, node, inits, [("selected", TensorProto.INT64)]))

UNIQUE_OUTPUTS = [("indices", TensorProto.INT64), ("inverse", TensorProto.INT64), ("counts", TensorProto.INT64)]
x = np.array([[2, 1], [1, 3], [2, 1], [0, 3]], np.float32)
for name, attrs in [("unique_flat", {}), ("unique_flat_unsorted", {"sorted": 0}),
                    ("unique_rows", {"axis": 0}), ("unique_rows_unsorted", {"axis": 0, "sorted": 0}),
                    ("unique_columns", {"axis": -1})]:
    node = helper.make_node("Unique", ["x"], ["y", "indices", "inverse", "counts"], **attrs)
    check(name, save(name, node, {"x": x}, [("y", TensorProto.FLOAT)] + UNIQUE_OUTPUTS))
ints = rng.integers(-3, 4, 20).astype(np.int64)
node = helper.make_node("Unique", ["x"], ["y", "indices", "inverse", "counts"], sorted=0)
check("unique_int64", save("unique_int64", node, {"x": ints}, [("y", TensorProto.INT64)] + UNIQUE_OUTPUTS))

# Scores as a graph input: an error naming it; frozen with --constant, the same answer.
scores = rng.random((1, 1, 8)).astype(np.float32)
node = helper.make_node("NonMaxSuppression", ["boxes", "scores", "max_output", "iou"], ["selected"])
path = save("nms_input", node, {"boxes": random_boxes(1, 8, 0), "max_output": np.array([3], np.int64),
                                "iou": np.array([0.4], np.float32)}, [("selected", TensorProto.INT64)],
            [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 1, 8])])
result = subprocess.run([kt.KILN, "compile", path, "-o", os.path.join(work, "nms_input")],
                        capture_output=True, text=True)
assert result.returncode == 1 and "--constant scores=" in result.stderr and "node" in result.stderr, \
    result.stderr
print(result.stderr.strip())
np.save(os.path.join(work, "scores.npy"), scores)
check("nms_input_frozen", path, {"scores": scores},
      extra=["--constant", "scores=" + os.path.join(work, "scores.npy")])

# NaNs, against NumPy's np.unique (onnx's reference): single NaN elements
# are one unique element, sorted last; slices holding a NaN equal no other.
xn = np.array([[np.nan, 1], [np.nan, 1], [0, 1], [2, np.nan]], np.float32)
for name, attrs, want in [("unique_nan_flat", {}, np.unique(xn, True, True, True)),
                          ("unique_nan_rows", {"axis": 0}, np.unique(xn, True, True, True, axis=0))]:
    node = helper.make_node("Unique", ["x"], ["y", "indices", "inverse", "counts"], **attrs)
    path = save(name, node, {"x": xn}, [("y", TensorProto.FLOAT)] + UNIQUE_OUTPUTS)
    got = kt.run_artifact(kt.compile_model(path, os.path.join(work, name)), {})
    for out, expected in zip(["y", "indices", "inverse", "counts"], want):
        assert np.array_equal(got[out], np.asarray(expected).reshape(-1) if out == "inverse" else expected,
                              equal_nan=True), "%s: %s is %s, NumPy's %s" % (name, out, got[out], expected)
    print("%s: matches NumPy (counts %s)" % (name, got["counts"]))

# NaN scores rank after every number (onnxruntime's order for them is unspecified): boxes apart,
# scores [0.5, NaN, 0.9] -> boxes 2, 0, 1.
boxes = np.array([[[0, 0, 1, 1], [2, 2, 3, 3], [4, 4, 5, 5]]], np.float32)
node = helper.make_node("NonMaxSuppression", ["boxes", "scores", "max_output"], ["selected"])
path = save("nms_nan", node, {"boxes": boxes, "scores": np.array([[[0.5, np.nan, 0.9]]], np.float32),
                              "max_output": np.array([3], np.int64)}, [("selected", TensorProto.INT64)])
got = kt.run_artifact(kt.compile_model(path, os.path.join(work, "nms_nan")), {})["selected"]
assert got.tolist() == [[0, 0, 2], [0, 0, 0], [0, 0, 1]], got
print("nms_nan: %s" % got.tolist())

# iou_threshold outside [0, 1] is refused, naming it.
node = helper.make_node("NonMaxSuppression", ["boxes", "scores", "max_output", "iou"], ["selected"])
path = save("nms_bad_iou", node, {"boxes": boxes, "scores": np.ones((1, 1, 3), np.float32),
                                  "max_output": np.array([3], np.int64), "iou": np.array([1.5], np.float32)},
            [("selected", TensorProto.INT64)])
result = subprocess.run([kt.KILN, "compile", path, "-o", os.path.join(work, "nms_bad_iou")],
                        capture_output=True, text=True)
assert result.returncode == 1 and "iou_threshold' must be in [0, 1], got 1.5\n" in result.stderr, result.stderr
print(result.stderr.strip())
