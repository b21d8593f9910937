"""Shared by the PyTorch end-to-end tests: export, compile, run, compare."""
import os
import sys

import numpy as np
import torch

import kiln_testing as kt


def check_torch_model(module, inputs, work_dir, name, opset=17, atol=kt.ATOL, rtol=kt.RTOL):
    """Exports `module` (eval mode) to ONNX, compiles it with kiln, runs it
    with `kiln run` and through a C program linking the static library, and
    compares every output with PyTorch's own result (and `kiln run`'s with
    onnxruntime's, as a check on the export)."""
    torch.manual_seed(0)
    module.eval()
    os.makedirs(work_dir, exist_ok=True)
    input_names = ["input%d" % i for i in range(len(inputs))]
    with torch.no_grad():
        expected = module(*inputs)
    if isinstance(expected, torch.Tensor):
        expected = (expected,)
    output_names = ["output%d" % i for i in range(len(expected))]
    model_path = os.path.join(work_dir, name + ".onnx")
    kt.torch_export(module, tuple(inputs), model_path, opset, input_names, output_names)

    artifact = os.path.join(work_dir, name)
    kt.compile_model(model_path, artifact)
    feeds = {n: t.numpy() for n, t in zip(input_names, inputs)}
    actual = kt.run_artifact(artifact, feeds)
    linked = kt.run_static_c(artifact, feeds)
    reference = kt.onnxruntime_outputs(model_path, feeds)
    for n, e in zip(output_names, expected):
        kt.assert_close(actual[n], e.numpy(), "%s %s vs PyTorch" % (name, n), atol, rtol)
        kt.assert_close(actual[n], reference[n], "%s %s vs onnxruntime" % (name, n), atol, rtol)
        kt.assert_close(linked[n], e.numpy(), "%s %s (static C program) vs PyTorch" % (name, n),
                        atol, rtol)
    return artifact, model_path, feeds, [e.numpy() for e in expected]


def work_dir():
    return sys.argv[1] if len(sys.argv) > 1 else "/tmp/kiln-e2e"
