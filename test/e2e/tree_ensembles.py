# Tree ensembles of ai.onnx.ml: random forests as TreeEnsembleRegressor
# (opsets 1 and 3) against onnxruntime, and as TreeEnsemble (opset 5, which
# onnxruntime 1.20 lacks) against ONNX's reference implementation. Trees of
# random shapes and depths; every comparison mode, set membership
# (TreeEnsemble), NaN features that take the true or the false branch;
# several targets, leaves weighing in on some of them; each aggregate
# function, base values; float32 and float64 X, and int64 X for the
# regressor (against onnxruntime on X converted to float, as it has no
# integer X). Each model runs on 64 samples, a quarter of their features NaN.
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(7)
FEATURES = 5
MODES = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"]
VALUES = np.arange(-2.0, 2.5, 0.5)  # features and splits on one grid, so EQ and NEQ matter


def random_tree(depth, modes, members):
    """A nested tree: ("leaf", {target: weight}) or ("node", feature, mode, split or set,
    missing_tracks_true, true_subtree, false_subtree)."""
    if depth == 0 or (depth < 3 and rng.random() < 0.3):
        targets = rng.choice(3, size=rng.integers(1, 4), replace=False)
        return ("leaf", {int(t): float(np.round(rng.normal() * 4, 3)) for t in targets})
    mode = int(rng.integers(0, modes))
    # No 0 in a set: ONNX's reference implementation (onnx 1.17 to 1.23) ends a set at a member
    # that is 0 as if it were the NaN that ends it.
    split = (sorted(set(rng.choice(VALUES[VALUES != 0], 3).tolist())) if mode == 6
             else float(rng.choice(VALUES)))
    return ("node", int(rng.integers(0, FEATURES)), mode, split, int(rng.random() < 0.4),
            random_tree(depth - 1, modes, members), random_tree(depth - 1, modes, members))


def regressor_model(trees, aggregate, base, opset, dtype):
    a = {k: [] for k in ["nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes",
                         "nodes_values", "nodes_truenodeids", "nodes_falsenodeids",
                         "nodes_missing_value_tracks_true", "target_treeids", "target_nodeids",
                         "target_ids", "target_weights"]}

    def add(tree_id, t, counter):
        node_id = counter[0]
        counter[0] += 1
        row = len(a["nodes_nodeids"])
        a["nodes_treeids"].append(tree_id)
        a["nodes_nodeids"].append(node_id)
        for k in ["nodes_featureids", "nodes_modes", "nodes_values", "nodes_truenodeids",
                  "nodes_falsenodeids", "nodes_missing_value_tracks_true"]:
            a[k].append(None)
        if t[0] == "leaf":
            a["nodes_featureids"][row], a["nodes_modes"][row] = 0, "LEAF"
            a["nodes_values"][row] = 0.0
            a["nodes_truenodeids"][row] = a["nodes_falsenodeids"][row] = 0
            a["nodes_missing_value_tracks_true"][row] = 0
            for target, weight in t[1].items():
                a["target_treeids"].append(tree_id)
                a["target_nodeids"].append(node_id)
                a["target_ids"].append(target)
                a["target_weights"].append(weight)
            return node_id
        _, feature, mode, split, tracks, yes, no = t
        a["nodes_featureids"][row], a["nodes_modes"][row] = feature, MODES[mode]
        a["nodes_values"][row] = split
        a["nodes_missing_value_tracks_true"][row] = tracks
        a["nodes_truenodeids"][row] = add(tree_id, yes, counter)
        a["nodes_falsenodeids"][row] = add(tree_id, no, counter)
        return node_id

    for tree_id, t in enumerate(trees):
        add(tree_id, t, [0])
    attrs = dict(a, n_targets=3, aggregate_function=aggregate)
    if base is not None:
        attrs["base_values"] = base
    node = helper.make_node("TreeEnsembleRegressor", ["x"], ["y"], domain="ai.onnx.ml", **attrs)
    elem = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE,
            np.int64: TensorProto.INT64}[dtype]
    graph = helper.make_graph([node], "forest", [helper.make_tensor_value_info("x", elem, [64, FEATURES])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [64, 3])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                   helper.make_opsetid("ai.onnx.ml", opset)],
                             ir_version=8)


def ensemble5_model(trees, aggregate, dtype):
    a = {k: [] for k in ["nodes_featureids", "nodes_modes", "nodes_splits", "nodes_truenodeids",
                         "nodes_falsenodeids", "nodes_trueleafs", "nodes_falseleafs",
                         "nodes_missing_value_tracks_true", "leaf_targetids", "leaf_weights"]}
    members, roots = [], []

    def add(t):
        """Index of `t` among the nodes (internal) or the leaves, and whether it is a leaf."""
        if t[0] == "leaf":
            # TreeEnsemble's leaves have one target each: the first.
            target, weight = next(iter(t[1].items()))
            a["leaf_targetids"].append(target)
            a["leaf_weights"].append(weight)
            return len(a["leaf_weights"]) - 1, 1
        _, feature, mode, split, tracks, yes, no = t
        row = len(a["nodes_featureids"])
        for k in ["nodes_featureids", "nodes_modes", "nodes_splits", "nodes_truenodeids",
                  "nodes_falsenodeids", "nodes_trueleafs", "nodes_falseleafs",
                  "nodes_missing_value_tracks_true"]:
            a[k].append(0)
        a["nodes_featureids"][row], a["nodes_modes"][row] = feature, mode
        a["nodes_missing_value_tracks_true"][row] = tracks
        if mode == 6:
            members.extend(split + [np.nan])
            a["nodes_splits"][row] = np.nan
        else:
            a["nodes_splits"][row] = split
        a["nodes_truenodeids"][row], a["nodes_trueleafs"][row] = add(yes)
        a["nodes_falsenodeids"][row], a["nodes_falseleafs"][row] = add(no)
        return row, 0

    for t in trees:
        roots.append(add(t)[0])
    np_type = np.dtype(dtype)
    elem = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE}[dtype]
    tensor = lambda name, v, t=np_type: numpy_helper.from_array(np.array(v, dtype=t), name)
    attrs = {k: v for k, v in a.items() if k not in ("nodes_modes", "nodes_splits", "leaf_weights")}
    attrs.update(nodes_modes=tensor("nodes_modes", a["nodes_modes"], np.uint8),
                 nodes_splits=tensor("nodes_splits", a["nodes_splits"]),
                 leaf_weights=tensor("leaf_weights", a["leaf_weights"]),
                 tree_roots=roots, n_targets=3, aggregate_function=aggregate)
    if members:
        attrs["membership_values"] = tensor("membership_values", members)
    node = helper.make_node("TreeEnsemble", ["x"], ["y"], domain="ai.onnx.ml", **attrs)
    graph = helper.make_graph([node], "forest", [helper.make_tensor_value_info("x", elem, [64, FEATURES])],
                              [helper.make_tensor_value_info("y", elem, [64, 3])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21),
                                                   helper.make_opsetid("ai.onnx.ml", 5)],
                             ir_version=10)


def sample(dtype):
    x = rng.choice(VALUES, size=(64, FEATURES)).astype(np.float64)
    if dtype == np.int64:
        return np.round(x).astype(np.int64)
    x[rng.random(x.shape) < 0.25] = np.nan
    return x.astype(dtype)


def check(name, model, dtype, reference):
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    artifact = kt.compile_model(path, os.path.join(work, name))
    x = sample(dtype)
    want = reference(path, x)
    got = kt.run_artifact(artifact, {"x": x})["y"]
    assert got.dtype == want.dtype and got.shape == want.shape, (name, got.dtype, want.dtype)
    # Sums in another order: a few ulps of the largest partial sum.
    tol = 1e-12 if got.dtype == np.float64 else 1e-5
    assert np.allclose(got, want, rtol=tol, atol=tol * 50), \
        "%s: y differs at %s:\n%s\nvs\n%s" % (name, np.argwhere(~np.isclose(got, want, rtol=tol, atol=tol * 50))[:5].tolist(), got[:4], want[:4])
    assert np.unique(want).size > 4, "%s: the samples reach too few leaves to test anything" % name
    print("%s: y %s matches" % (name, got.shape))


def ort(path, x):
    return kt.onnxruntime_outputs(path, {"x": x})["y"]


def reference(path, x):
    return ReferenceEvaluator(path).run(None, {"x": x})[0]


forest = [random_tree(int(rng.integers(1, 6)), 6, False) for _ in range(7)]
for aggregate in ["SUM", "AVERAGE", "MIN", "MAX"]:
    check("regressor3_%s" % aggregate.lower(),
          regressor_model(forest, aggregate, [0.5, -1.0, 2.0], 3, np.float32), np.float32, ort)
check("regressor1_double_x", regressor_model(forest, "SUM", None, 1, np.float64), np.float64, ort)
# onnxruntime has no int64 X: its reference is the float model on X converted to float.
float_forest = os.path.join(work, "regressor1_float_x.onnx")
onnx.save(regressor_model(forest, "SUM", [1.0, 2.0, 3.0], 1, np.float32), float_forest)
check("regressor1_int64_x", regressor_model(forest, "SUM", [1.0, 2.0, 3.0], 1, np.int64), np.int64,
      lambda path, x: ort(float_forest, x.astype(np.float32)))

# Every root is an internal node: ONNX's reference implementation reads a one-leaf tree's leaf at
# the root's node index instead of at the leaf index its branches name (the text's encoding).
forest5 = []
while len(forest5) < 6:
    tree = random_tree(int(rng.integers(1, 6)), 7, True)
    if tree[0] == "node":
        forest5.append(tree)
for aggregate, label in [(1, "sum"), (0, "average"), (2, "min"), (3, "max")]:
    check("ensemble5_%s" % label, ensemble5_model(forest5, aggregate, np.float32), np.float32,
          reference)
check("ensemble5_sum_double", ensemble5_model(forest5, 1, np.float64), np.float64, reference)
print("all tree ensembles match")
