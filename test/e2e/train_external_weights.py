# `kiln compile --train --weights external`: the weights stay out of the
# library (NAME.weights.bin only; init_state reads them from there as run
# does), and kiln train follows PyTorch's SGD loss curve step for step, as
# the embedded build does; run uses the external weights too.
# RUN: rm -rf %t && %python %s %t
import copy
import os
import warnings

import numpy as np
import onnx
from onnx import numpy_helper
import torch
from torch import nn

import grad_testing as gt
import kiln_testing as kt
import torch_common

STEPS = 10


def torch_losses(module, x, t, lr):
    module = copy.deepcopy(module).train()
    optimizer = torch.optim.SGD(module.parameters(), lr=lr)
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(module(x), t)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, module


def main():
    work = torch_common.work_dir()
    os.makedirs(work, exist_ok=True)
    torch.manual_seed(3)
    module = nn.Sequential(nn.Linear(32, 64), nn.Tanh(), nn.Linear(64, 5))
    x = torch.randn(16, 32)
    t = torch.randint(0, 5, (16,))
    path = os.path.join(work, "mlp.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(copy.deepcopy(module).train(), (x,), path, opset_version=15, input_names=["x"],
                          output_names=["y"], training=torch.onnx.TrainingMode.TRAINING,
                          do_constant_folding=False)
    np.save(os.path.join(work, "x.npy"), x.numpy())
    np.save(os.path.join(work, "t.npy"), t.numpy())
    weights = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
    big = max(weights, key=lambda n: weights[n].size)
    pattern = weights[big].tobytes()[:256]
    expected, reference = torch_losses(module, x, t, 0.1)

    for mode in ("embedded", "external"):
        artifact = kt.compile_model(path, os.path.join(work, mode), name="model", extra=[
            "--train", "--loss", "cross_entropy", "--optimizer", "sgd", "--lr", "0.1", "--weights", mode])
        with open(os.path.join(artifact, "libmodel.so"), "rb") as f:
            library = f.read()
        has_file = os.path.exists(os.path.join(artifact, "model.weights.bin"))
        # The library holds the weights exactly when they are embedded (the
        # check can fail: it finds them in the embedded build).
        if (pattern in library) != (mode == "embedded") or has_file != (mode == "external"):
            raise SystemExit("%s: weight '%s' in the library: %s, weights file: %s" % (
                mode, big, pattern in library, has_file))
        trained = os.path.join(work, mode + "_trained")
        out = kt.run_tool([kt.KILN, "train", artifact, "--input", "x=" + os.path.join(work, "x.npy"),
                           "--target", os.path.join(work, "t.npy"), "--steps", str(STEPS),
                           "--output-dir", trained]).stdout
        losses = [float(l.split()[3]) for l in out.splitlines()]
        worst = max(abs(a - b) / abs(b) for a, b in zip(losses, expected))
        if len(losses) != STEPS or worst > 1e-4:
            raise SystemExit("%s: losses %s, PyTorch's %s" % (mode, losses, expected))
        for name, value in reference.state_dict().items():
            gt.assert_close_norm(np.load(os.path.join(trained, name + ".npy")), value.numpy(),
                                 "%s: trained %s" % (mode, name), 1e-4)
        with torch.no_grad():
            want = module.eval()(x).numpy()
        got = kt.run_artifact(artifact, {"x": x.numpy()})["y"]
        kt.assert_close(got, want, "%s: run vs PyTorch" % mode)
        print("%s: weights in the library %s, %d losses within %.2g of PyTorch's" % (
            mode, pattern in library, STEPS, worst))


main()
