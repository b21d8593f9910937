# Training-mode Dropout with a positive ratio (ONNX Dropout, training_mode
# true, as torch.onnx.export(..., training=TrainingMode.TRAINING) writes it):
# `kiln compile --train --seed N` draws the masks in the generated code from
# Philox 4x32-10 keyed by the seed, with the step counter of the training
# state (`dropout.step`). Checked against an independent NumPy Philox (itself
# checked against Random123's known-answer vectors), through the compiled
# library's own init_state and train_step:
# - the mask is the reference draw of (seed, step, stream, element), bit for
#   bit, and keeps a fraction within 6 sigma of 1 - ratio on 2^19 elements;
# - kept values are the input times float32(1 / (1 - ratio)) exactly, dropped
#   ones 0;
# - the SGD update equals lr * the gradient computed in NumPy from the same
#   step's mask (mask * scale * upstream, summed to the weight's shape);
# - two steps draw different masks; restoring a saved state buffer replays a
#   step bit for bit; another seed draws other masks;
# - the seed is the state's `dropout.seed` (init_state writes --seed): a seed
#   written there at run time draws that seed's reference masks, the same
#   seed twice the same masks, and the step leaves it unchanged; `kiln train
#   --seed N` writes it (same N, same weights; another N, other weights);
# - `run` is the identity (mask all true);
# - an MLP with nn.Dropout(0.3) exported in training mode trains with
#   `kiln train` (the loss decreases), and its `run` matches PyTorch's eval().
# RUN: rm -rf %t && %python %s %t
import ctypes
import json
import os
import warnings

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import kiln_testing as kt
import torch_common

MASK32 = 0xFFFFFFFF


def philox4x32_10(ctr, key):
    """Philox 4x32-10 (Salmon et al., SC 2011; Random123's philox4x32) on
    arrays of counters: `ctr` four uint64 arrays of 32-bit words, `key` two
    ints."""
    c0, c1, c2, c3 = [np.asarray(c, dtype=np.uint64) & MASK32 for c in ctr]
    k0, k1 = key[0] & MASK32, key[1] & MASK32
    for r in range(10):
        if r:
            k0 = (k0 + 0x9E3779B9) & MASK32
            k1 = (k1 + 0xBB67AE85) & MASK32
        p0 = np.uint64(0xD2511F53) * c0
        p1 = np.uint64(0xCD9E8D57) * c2
        c0, c1, c2, c3 = ((p1 >> np.uint64(32)) ^ c1 ^ np.uint64(k0), p1 & np.uint64(MASK32),
                          (p0 >> np.uint64(32)) ^ c3 ^ np.uint64(k1), p0 & np.uint64(MASK32))
    return c0, c1, c2, c3


def check_known_answers():
    # Random123, tests/kat_vectors: "philox4x32 10" CTR[4] KEY[2] -> OUT[4].
    vectors = [
        ([0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
        ([MASK32] * 4, [MASK32] * 2, [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]),
        ([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0],
         [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]),
    ]
    for ctr, key, want in vectors:
        got = [int(w[0]) for w in philox4x32_10([[c] for c in ctr], key)]
        assert got == want, ["%08x" % g for g in got]


def reference_mask(seed, step, stream, count, ratio):
    """kiln.dropout's mask as KilnOps.td defines it: element i keeps when the
    first word of philox(ctr = (i, stream, step lo, step hi), key = (seed lo,
    seed hi)) is at least ceil(ratio * 2^32)."""
    i = np.arange(count, dtype=np.uint64)
    r0 = philox4x32_10([i, np.full(count, stream), np.full(count, step & MASK32),
                        np.full(count, step >> 32)], [seed & MASK32, seed >> 32])[0]
    return r0 >= np.uint64(int(np.ceil(ratio * 2.0 ** 32)))


class Library:
    """The artifact's init_state and train_step, called directly."""

    def __init__(self, artifact, name="model"):
        self.lib = ctypes.CDLL(os.path.join(artifact, "lib%s.so" % name))
        with open(os.path.join(artifact, name + ".json")) as f:
            self.manifest = json.load(f)
        self.name = name
        self.state_bytes = self.manifest["state"]["bytes"]
        self.layout = {t["name"]: t for t in self.manifest["state"]["tensors"]}
        self.step_spec = [e for e in self.manifest["entry_points"] if e["name"] == "train_step"][0]

    def _call(self, entry, inputs, outputs):
        fn = getattr(self.lib, "%s_%s" % (self.name, entry))
        ins = (ctypes.c_void_p * max(1, len(inputs)))(*[a.ctypes.data for a in inputs])
        outs = (ctypes.c_void_p * len(outputs))(*[a.ctypes.data for a in outputs])
        rc = fn(ins, outs)
        assert rc == 0, "%s returned %d" % (entry, rc)

    def init_state(self):
        state = np.zeros(self.state_bytes, dtype=np.uint8)
        self._call("init_state", [], [state])
        return state

    def train_step(self, state, inputs):
        """Runs one step on `state` (updated in place); returns {output name: array}."""
        outs = []
        for o in self.step_spec["outputs"][:-1]:
            dtype = {"float32": np.float32, "bool": np.bool_, "int64": np.int64}[o["dtype"]]
            outs.append(np.zeros(o["shape"], dtype=dtype))
        ins = [np.ascontiguousarray(inputs[i["name"]]) for i in self.step_spec["inputs"]]
        self._call("train_step", ins, outs + [state])
        return {o["name"]: v for o, v in zip(self.step_spec["outputs"], outs)}

    def tensor(self, state, name):
        t = self.layout[name]
        dtype = {"float32": np.float32, "int64": np.int64}[t["dtype"]]
        count = int(np.prod(t["shape"], dtype=np.int64))
        return np.frombuffer(state, dtype=dtype, count=count, offset=t["offset"]).reshape(t["shape"]).copy()


def dropout_graph(path, rows, cols, ratio):
    """h = x + w; (y, mask) = Dropout(h, ratio, training_mode = true)."""
    w = np.random.default_rng(1).standard_normal(cols).astype(np.float32)
    nodes = [
        helper.make_node("Add", ["x", "w"], ["h"], name="add"),
        helper.make_node("Dropout", ["h", "ratio", "training"], ["y", "mask"], name="drop"),
    ]
    graph = helper.make_graph(
        nodes, "dropout",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [rows, cols])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [rows, cols]),
         helper.make_tensor_value_info("mask", TensorProto.BOOL, [rows, cols])],
        [numpy_helper.from_array(w, "w"),
         numpy_helper.from_array(np.array(ratio, dtype=np.float32), "ratio"),
         numpy_helper.from_array(np.array(True), "training")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return w


def check_masks(work):
    rows, cols, ratio, lr = 512, 1024, 0.3, 0.5
    seed = 2 ** 33 + 12345  # both key words in use
    path = os.path.join(work, "dropout.onnx")
    w0 = dropout_graph(path, rows, cols, ratio)
    artifact = kt.compile_model(path, os.path.join(work, "dropout"), name="model", extra=[
        "--train", "--loss", "mse", "--optimizer", "sgd", "--lr", str(lr), "--seed", str(seed)])
    lib = Library(artifact)
    assert "dropout.step" in lib.layout, lib.layout.keys()
    assert lib.layout["dropout.step"]["dtype"] == "int64" and lib.layout["dropout.step"]["shape"] == []
    rng = np.random.default_rng(2)
    x = rng.standard_normal((rows, cols)).astype(np.float32)
    t = rng.standard_normal((rows, cols)).astype(np.float32)
    state = lib.init_state()
    assert lib.tensor(state, "dropout.step") == 0
    assert lib.layout["dropout.seed"]["dtype"] == "int64" and lib.layout["dropout.seed"]["shape"] == []
    assert lib.tensor(state, "dropout.seed") == seed
    assert np.array_equal(lib.tensor(state, "w"), w0)
    scale = np.float32(1.0 / (1.0 - ratio))
    n = rows * cols
    masks = []
    saved = None
    w = w0
    for step in range(3):
        if step == 1:
            saved = state.copy()
        out = lib.train_step(state, {"x": x, "target": t})
        mask, y = out["mask"], out["y"]
        want = reference_mask(seed, step, 0, n, ratio).reshape(rows, cols)
        if not np.array_equal(mask, want):
            raise SystemExit("step %d: the mask differs from the NumPy Philox draw in %d of %d elements"
                             % (step, int((mask != want).sum()), n))
        kept = mask.mean()
        sigma = np.sqrt(ratio * (1 - ratio) / n)
        if abs(kept - (1 - ratio)) > 6 * sigma:
            raise SystemExit("step %d: kept %.5f, expected %.5f +- %.5f" % (step, kept, 1 - ratio, 6 * sigma))
        h = x + w
        want_y = np.where(mask, h * scale, np.float32(0))
        if not np.array_equal(y, want_y):
            raise SystemExit("step %d: the output is not mask * input * float32(1 / (1 - ratio)) exactly" % step)
        # SGD: w -= lr * dL/dw, dL/dy = 2 (y - t) / n (mse), dL/dh = mask * scale * dL/dy.
        upstream = 2.0 * (y.astype(np.float64) - t) / n
        grad = (mask * np.float64(scale) * upstream).sum(axis=0)
        w_next = lib.tensor(state, "w")
        update = w.astype(np.float64) - w_next
        err = np.linalg.norm(update - lr * grad) / np.linalg.norm(lr * grad)
        if err > 1e-4:
            raise SystemExit("step %d: the update differs from lr * (mask * scale * upstream) by %.3g" % (step, err))
        loss = np.mean((y.astype(np.float64) - t) ** 2)
        if abs(out["loss"] - loss) > 1e-5 * loss:
            raise SystemExit("step %d: loss %r, expected %r" % (step, float(out["loss"]), loss))
        assert lib.tensor(state, "dropout.step") == step + 1
        print("step %d: mask = NumPy Philox draw, kept %.5f (1 - ratio = %.2f, 6 sigma %.5f); "
              "outputs exact; update within %.2g of the mask's VJP" % (step, kept, 1 - ratio, 6 * sigma, err))
        masks.append(mask)
        w = w_next
    differ = (masks[0] != masks[1]).mean()
    # Independent draws differ in 2 p (1 - p) of the elements.
    assert abs(differ - 2 * ratio * (1 - ratio)) < 0.01, differ
    print("steps 0 and 1: masks differ in %.4f of the elements (independent: %.2f)" % (
        differ, 2 * ratio * (1 - ratio)))
    # Restoring the buffer saved before step 1 replays it bit for bit.
    replay = lib.train_step(saved, {"x": x, "target": t})
    assert np.array_equal(replay["mask"], masks[1]) and lib.tensor(saved, "dropout.step") == 2
    print("restored state: step 1 replayed bit for bit")

    # Another seed, other masks.
    other = kt.compile_model(path, os.path.join(work, "dropout_seed"), name="model", extra=[
        "--train", "--loss", "mse", "--optimizer", "sgd", "--lr", str(lr), "--seed", str(seed + 1)])
    lib2 = Library(other)
    state2 = lib2.init_state()
    mask2 = lib2.train_step(state2, {"x": x, "target": t})["mask"]
    assert np.array_equal(mask2, reference_mask(seed + 1, 0, 0, n, ratio).reshape(rows, cols))
    assert abs((mask2 != masks[0]).mean() - 2 * ratio * (1 - ratio)) < 0.01
    print("seed %d: other masks (the reference draw of that seed)" % (seed + 1))

    # A seed given at run time, in the state buffer of the first library:
    # that seed's reference masks (the ones the library compiled with it
    # draws), the same ones again from a fresh state, and it stays put.
    def with_seed(run_seed):
        st = lib.init_state()
        t_ = lib.layout["dropout.seed"]
        st[t_["offset"]:t_["offset"] + 8] = np.frombuffer(np.uint64(run_seed).tobytes(), dtype=np.uint8)
        m = lib.train_step(st, {"x": x, "target": t})["mask"]
        assert lib.tensor(st, "dropout.seed") == np.uint64(run_seed).astype(np.int64), "the step changed the seed"
        return m
    run_seed = 2 ** 40 + 777
    m1 = with_seed(run_seed)
    if not np.array_equal(m1, reference_mask(run_seed, 0, 0, n, ratio).reshape(rows, cols)):
        raise SystemExit("run-time seed %d: the mask is not that seed's reference draw" % run_seed)
    assert abs((m1 != masks[0]).mean() - 2 * ratio * (1 - ratio)) < 0.01
    assert np.array_equal(with_seed(run_seed), m1), "the same run-time seed drew other masks"
    assert np.array_equal(with_seed(seed + 1), mask2), "run-time seed + 1 differs from compile-time seed + 1"
    print("run-time seed %d in dropout.seed: its reference masks, reproduced; seed %d at run time = "
          "compiled with it" % (run_seed, seed + 1))

    # Inference: the identity.
    out = kt.run_artifact(artifact, {"x": x})
    assert np.array_equal(out["y"], x + w0) and out["mask"].all()
    print("run: the identity, mask all true")


def check_mlp_trains(work):
    import torch
    from torch import nn
    torch.manual_seed(0)
    module = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 64), nn.ReLU(),
                           nn.Dropout(0.3), nn.Linear(64, 4))
    x = torch.randn(64, 16)
    labels = (x[:, :4].argmax(dim=1)).long()
    path = os.path.join(work, "mlp.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module.train(), (x,), path, opset_version=15, input_names=["x"],
                          output_names=["y"], training=torch.onnx.TrainingMode.TRAINING,
                          do_constant_folding=False)
    drops = [n for n in onnx.load(path).graph.node if n.op_type == "Dropout"]
    assert len(drops) == 2, [n.op_type for n in onnx.load(path).graph.node]
    artifact = kt.compile_model(path, os.path.join(work, "mlp"), extra=[
        "--train", "--loss", "cross_entropy", "--optimizer", "adam", "--lr", "0.01"])
    np.save(os.path.join(work, "x.npy"), x.numpy())
    np.save(os.path.join(work, "t.npy"), labels.numpy())
    steps = 60
    out = kt.run_tool([kt.KILN, "train", artifact, "--input", "x=" + os.path.join(work, "x.npy"),
                       "--target", os.path.join(work, "t.npy"), "--steps", str(steps),
                       "--output-dir", os.path.join(work, "trained")]).stdout
    losses = [float(l.split()[3]) for l in out.splitlines()]
    assert len(losses) == steps, out
    first, last = np.mean(losses[:5]), np.mean(losses[-5:])
    if not last < 0.5 * first:
        raise SystemExit("the MLP with dropout did not train: %s" % losses)
    assert np.load(os.path.join(work, "trained", "dropout.step.npy")) == steps
    assert np.load(os.path.join(work, "trained", "dropout.seed.npy")) == 0  # the compile-time default
    # kiln train --seed N: N in dropout.seed; the same N trains the same
    # weights, another N others (other masks).
    def train_with_seed(n, tag):
        out_dir = os.path.join(work, "trained_seed_" + tag)
        kt.run_tool([kt.KILN, "train", artifact, "--input", "x=" + os.path.join(work, "x.npy"),
                     "--target", os.path.join(work, "t.npy"), "--steps", "3", "--seed", str(n),
                     "--output-dir", out_dir])
        assert np.load(os.path.join(out_dir, "dropout.seed.npy")) == n
        return [np.load(os.path.join(out_dir, f)) for f in sorted(os.listdir(out_dir)) if "weight" in f]
    a, b, c = train_with_seed(5, "a"), train_with_seed(5, "b"), train_with_seed(6, "c")
    assert a and all(np.array_equal(u, v) for u, v in zip(a, b)), "kiln train --seed 5 twice differs"
    assert any(not np.array_equal(u, v) for u, v in zip(a, c)), "--seed 5 and --seed 6 train alike"
    print("kiln train --seed: dropout.seed set; seed 5 twice identical, seed 6 differs")
    print("MLP with two Dropout(0.3): loss %.4f -> %.4f over %d kiln train steps (means of 5)" % (
        first, last, steps))
    # run: dropout is the identity, as PyTorch's eval().
    with torch.no_grad():
        want = module.eval()(x).numpy()
    got = kt.run_artifact(artifact, {"x": x.numpy()})["y"]
    kt.assert_close(got, want, "MLP run vs PyTorch eval()")


def main():
    work = torch_common.work_dir()
    os.makedirs(work, exist_ok=True)
    check_known_answers()
    print("NumPy Philox 4x32-10 matches Random123's known answers")
    check_masks(work)
    check_mlp_trains(work)


main()
