"""Helpers for the gradient tests: compile a model with `kiln compile --grad`,
run its `grad` entry point with `kiln run`, and compare the gradients with
independent references: PyTorch autograd, and central finite differences of
the PyTorch forward function in float64. Nothing is compared with Kiln's own
earlier output.
"""
import json
import os
import shutil
import tempfile

import numpy as np
import torch

import kiln_testing as kt


def export(module, inputs, path, opset=17):
    """Exports `module` (eval mode) with inputs named input0.. and outputs
    output0..; returns (input names, output names)."""
    input_names = ["input%d" % i for i in range(len(inputs))]
    with torch.no_grad():
        out = module(*inputs)
    count = len(out) if isinstance(out, (tuple, list)) else 1
    output_names = ["output%d" % i for i in range(count)]
    kt.torch_export(module, tuple(inputs), path, opset, input_names, output_names)
    return input_names, output_names


def compile_grad(model, out_dir, wrt=None, extra=()):
    args = ["--grad"] + (["--wrt", wrt] if wrt else []) + list(extra)
    return kt.compile_model(model, out_dir, extra=args)


def run_grad(artifact, inputs, cotangents, entry="grad"):
    """`kiln run --entry grad` on {name: ndarray} inputs and {output: ndarray}
    cotangents; returns {output or gradient name: ndarray}."""
    work = tempfile.mkdtemp(prefix="kiln-grad-")
    try:
        args = [kt.KILN, "run", str(artifact), "--entry", entry,
                "--output-dir", os.path.join(work, "out")]
        for flag, items in (("--input", inputs), ("--cotangent", cotangents)):
            for name, value in items.items():
                path = os.path.join(work, "a%d.npy" % len(args))
                np.save(path, value)
                args += [flag, "%s=%s" % (name, path)]
        kt.run_tool(args)
        manifest = [f for f in os.listdir(artifact) if f.endswith(".json")][0]
        with open(os.path.join(artifact, manifest)) as f:
            spec = [e for e in json.load(f)["entry_points"] if e["name"] == entry][0]
        result = {}
        for o in spec["outputs"]:
            safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in o["name"])
            result[o["name"]] = np.load(os.path.join(work, "out", safe + ".npy"))
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def torch_vjp(fn, tensors, cotangents):
    """Gradients of sum(cotangent * output) with respect to `tensors` by
    PyTorch autograd."""
    tensors = [t.detach().clone().requires_grad_(True) for t in tensors]
    out = fn(*tensors)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    total = sum((o * c).sum() for o, c in zip(outs, cotangents))
    grads = torch.autograd.grad(total, tensors, allow_unused=True)
    return [np.zeros(t.shape, dtype=t.detach().numpy().dtype) if g is None else g.numpy()
            for t, g in zip(tensors, grads)]


def finite_differences(fn, tensors, cotangents, eps=1e-6):
    """Central differences of sum(cotangent * output) in float64, one
    element at a time."""
    tensors = [t.detach().double().clone() for t in tensors]
    cots = [c.double() for c in cotangents]

    def objective():
        with torch.no_grad():
            out = fn(*tensors)
            outs = out if isinstance(out, (tuple, list)) else (out,)
            return float(sum((o.double() * c).sum() for o, c in zip(outs, cots)))

    grads = []
    for t in tensors:
        g = np.zeros(t.shape)
        flat = t.view(-1)
        for i in range(flat.numel()):
            old = float(flat[i])
            flat[i] = old + eps
            plus = objective()
            flat[i] = old - eps
            minus = objective()
            flat[i] = old
            g.reshape(-1)[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def assert_close_norm(actual, expected, what, rtol):
    """|actual - expected| <= rtol * |expected| in the Frobenius norm (the
    issue's per-tensor measure), with a floor for all-zero references."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        raise SystemExit("%s: shape %s, expected %s" % (what, actual.shape, expected.shape))
    err = np.linalg.norm(actual - expected)
    scale = max(np.linalg.norm(expected), 1e-12)
    if not np.isfinite(err) or err > rtol * scale:
        worst = np.unravel_index(np.argmax(np.abs(actual - expected)), actual.shape) \
            if actual.size else ()
        raise SystemExit("%s: relative error %.3g > %g (worst at %s: %r vs %r)" % (
            what, err / scale, rtol, worst, actual[worst] if actual.size else None,
            expected[worst] if actual.size else None))
    print("%s: relative error %.3g (bound %g)" % (what, err / scale, rtol))
