# Models exported with symbolic (dynamic) batch and sequence dims compile once
# per binding given with --shape, and each binding matches PyTorch: the MLP at
# two batch sizes, and the transformer encoder layer, whose Shape -> Gather ->
# Unsqueeze -> Concat -> Reshape subgraphs now read the bound dims, at two
# (batch, sequence) bindings. Compiling without a binding is an error naming
# the input and its dims.
# RUN: rm -rf %t && %python %s %t
import os
import subprocess
import sys

import torch
from torch import nn

import kiln_testing as kt

from torch_models import EncoderLayer

work = sys.argv[1]
os.makedirs(work)


def export(module, example, name, dynamic_axes, opset):
    path = os.path.join(work, name + ".onnx")
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, example, path, opset_version=opset, input_names=["x"],
                          output_names=["y"], dynamic_axes=dynamic_axes)
    return path


def check(module, path, name, x):
    dims = "x".join(str(d) for d in x.shape)
    artifact = kt.compile_model(path, os.path.join(work, "%s_%s" % (name, dims)),
                                shapes={"x": list(x.shape)})
    with torch.no_grad():
        expected = module(x).numpy()
    actual = kt.run_artifact(artifact, {"x": x.numpy()})["y"]
    kt.assert_close(actual, expected, "%s at %s vs PyTorch" % (name, dims))


torch.manual_seed(7)
mlp = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))
mlp_path = export(mlp, torch.randn(2, 16), "mlp_dyn", {"x": {0: "batch"}, "y": {0: "batch"}}, 13)
for batch in (1, 5):
    check(mlp, mlp_path, "mlp", torch.randn(batch, 16))

torch.manual_seed(8)
encoder = EncoderLayer()
enc_path = export(encoder, torch.randn(2, 10, 32), "encoder_dyn",
                  {"x": {0: "batch", 1: "seq"}, "y": {0: "batch", 1: "seq"}}, 17)
for b, s in ((1, 3), (3, 12)):
    check(encoder, enc_path, "encoder", torch.randn(b, s, 32))

proc = subprocess.run([kt.KILN, "compile", enc_path, "-o", os.path.join(work, "unbound")],
                      capture_output=True, text=True)
assert proc.returncode == 1, proc
assert "'x'" in proc.stderr and "--shape" in proc.stderr, proc.stderr
assert proc.stderr.count("\n") == 1, proc.stderr
assert not os.path.exists(os.path.join(work, "unbound"))
print(proc.stderr.strip())
