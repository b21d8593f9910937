"""Helpers for Kiln's end-to-end tests (run by lit with %python).

Each test compiles a model with the real `kiln` binary, runs it with `kiln run`
(or a linked C program), and compares the outputs with an independent
reference: PyTorch for exported models, onnxruntime for ONNX files, NumPy for
hand-written graphs. Nothing is compared against Kiln's own earlier output.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

TOOLS = os.environ.get("KILN_TOOLS_DIR", "")
KILN = os.path.join(TOOLS, "kiln")
SRC = os.environ.get("KILN_SRC_ROOT", "")
CC = os.environ.get("KILN_CC", "cc")

# Tolerances the issue sets for float32 models.
ATOL = 1e-4
RTOL = 1e-3


def run_tool(args, check=True, timeout=600):
    """Runs a command; on failure prints its output and raises."""
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        sys.stderr.write("command failed (%d): %s\n%s%s" % (
            proc.returncode, " ".join(map(str, args)), proc.stdout, proc.stderr))
        raise SystemExit(1)
    return proc


def compile_model(model, out_dir, shapes=None, name=None, extra=()):
    args = [KILN, "compile", str(model), "-o", str(out_dir)]
    for k, v in (shapes or {}).items():
        args += ["--shape", "%s=%s" % (k, "x".join(map(str, v)))]
    if name:
        args += ["--name", name]
    run_tool(args + list(extra))
    return out_dir


def run_artifact(artifact, inputs):
    """Runs `kiln run` on {name: ndarray}; returns {output name: ndarray}."""
    work = tempfile.mkdtemp(prefix="kiln-run-")
    try:
        args = [KILN, "run", str(artifact), "--output-dir", os.path.join(work, "out")]
        for name, value in inputs.items():
            path = os.path.join(work, "in_%d.npy" % len(args))
            np.save(path, value)
            args += ["--input", "%s=%s" % (name, path)]
        run_tool(args)
        import json
        manifest = [f for f in os.listdir(artifact) if f.endswith(".json")][0]
        with open(os.path.join(artifact, manifest)) as f:
            outputs = json.load(f)["outputs"]
        result = {}
        for o in outputs:
            safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in o["name"])
            result[o["name"]] = np.load(os.path.join(work, "out", safe + ".npy"))
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def onnxruntime_outputs(model_path, inputs):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(model_path), opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, inputs)))


def assert_close(actual, expected, what, atol=ATOL, rtol=RTOL):
    """Fails (with the worst element) unless |a - e| <= atol + rtol * |e| everywhere."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if actual.shape != expected.shape or actual.dtype != expected.dtype:
        raise SystemExit("%s: got %s %s, expected %s %s" % (
            what, actual.dtype, actual.shape, expected.dtype, expected.shape))
    if actual.dtype.kind in "biu":
        if not np.array_equal(actual, expected):
            bad = np.argwhere(actual != expected)[0]
            raise SystemExit("%s: differs at %s: %s vs %s" % (
                what, tuple(bad), actual[tuple(bad)], expected[tuple(bad)]))
        print("%s: exact match" % what)
        return
    err = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    bound = atol + rtol * np.abs(expected.astype(np.float64))
    if not np.all(err <= bound) or not np.all(np.isfinite(actual) == np.isfinite(expected)):
        worst = np.unravel_index(np.argmax(err - bound), err.shape)
        raise SystemExit("%s: max abs error %.3g; worst at %s: %r vs %r (bound %.3g)" % (
            what, err.max(), worst, actual[worst], expected[worst], bound[worst]))
    print("%s: max abs error %.3g (atol %g, rtol %g)" % (what, err.max(), atol, rtol))


def torch_export(module, example, path, opset, input_names, output_names):
    """Exports an eval-mode torch module to ONNX with a fixed opset."""
    import torch
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, example, str(path), opset_version=opset,
                          input_names=input_names, output_names=output_names,
                          do_constant_folding=True)
