# `kiln compile --train` + `kiln train` against PyTorch's own training loop:
# the same initial weights and data, 20 steps of SGD, momentum (with weight
# decay) and Adam; kiln's loss must follow PyTorch's step for step within
# 1e-4 relative, and the trained weights (kiln train --output-dir) must match
# PyTorch's; the model kiln train --save writes runs under onnxruntime as
# PyTorch's trained model does. An MLP with cross_entropy on one fixed batch, and a small CNN
# (conv, max and average pooling) with mse on a different batch per step.
# RUN: rm -rf %t && %python %s %t
import copy
import os

import numpy as np
import torch
from torch import nn

import grad_testing as gt
import kiln_testing as kt
import torch_common

RTOL = 1e-4
STEPS = 20

OPTIMIZERS = [
    ("sgd", ["--lr", "0.1"], lambda p: torch.optim.SGD(p, lr=0.1)),
    ("momentum", ["--lr", "0.05", "--momentum", "0.9", "--weight-decay", "0.01"],
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01)),
    ("adam", ["--lr", "0.01", "--beta1", "0.8", "--beta2", "0.99", "--eps", "1e-7"],
     lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-7)),
]


def torch_losses(module, make_optimizer, loss_fn, xs, ts):
    module = copy.deepcopy(module).train()
    optimizer = make_optimizer(module.parameters())
    losses = []
    for k in range(STEPS):
        x, t = xs[k % len(xs)], ts[k % len(ts)]
        optimizer.zero_grad()
        loss = loss_fn(module(x), t)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, module


def check(name, module, loss, xs, ts, work):
    module.eval()
    path = os.path.join(work, name + ".onnx")
    kt.torch_export(module, (xs[0],), path, 17, ["x"], ["y"])
    stacked = len(xs) > 1
    np.save(os.path.join(work, name + "_x.npy"),
            np.stack([x.numpy() for x in xs]) if stacked else xs[0].numpy())
    np.save(os.path.join(work, name + "_t.npy"),
            np.stack([t.numpy() for t in ts]) if stacked else ts[0].numpy())
    loss_fn = nn.functional.cross_entropy if loss == "cross_entropy" else nn.functional.mse_loss
    for opt, flags, make in OPTIMIZERS:
        artifact = os.path.join(work, "%s_%s" % (name, opt))
        kt.compile_model(path, artifact, extra=["--train", "--loss", loss, "--optimizer", opt] + flags)
        trained = os.path.join(work, "%s_%s_trained" % (name, opt))
        saved = trained + ".onnx"
        out = kt.run_tool([kt.KILN, "train", artifact, "--input",
                           "x=" + os.path.join(work, name + "_x.npy"),
                           "--target", os.path.join(work, name + "_t.npy"),
                           "--steps", str(STEPS), "--output-dir", trained,
                           "--save", saved, "--model", path]).stdout
        lines = out.splitlines()
        assert len(lines) == STEPS and all(l.startswith("step %d loss " % (k + 1))
                                           for k, l in enumerate(lines)), out
        losses = [float(l.split()[3]) for l in lines]
        expected, reference = torch_losses(module, make, loss_fn, xs, ts)
        worst = max(abs(a - b) / abs(b) for a, b in zip(losses, expected))
        if worst > RTOL:
            raise SystemExit("%s %s: losses differ from PyTorch's by %.3g relative:\n%s\n%s" % (
                name, opt, worst, losses, expected))
        print("%s %s: %d losses match PyTorch's (worst %.3g relative; %.4f -> %.4f)" % (
            name, opt, STEPS, worst, losses[0], losses[-1]))
        if losses[-1] >= losses[0]:
            raise SystemExit("%s %s: the loss did not decrease" % (name, opt))
        for pname, p in reference.named_parameters():
            got = np.load(os.path.join(trained, pname + ".npy"))
            gt.assert_close_norm(got, p.detach().numpy(), "%s %s: trained %s" % (name, opt, pname), 1e-3)
        reference.eval()
        with torch.no_grad():
            expected_y = reference(xs[0]).numpy()
        saved_y = kt.onnxruntime_outputs(saved, {"x": xs[0].numpy()})["y"]
        gt.assert_close_norm(saved_y, expected_y, "%s %s: saved model under onnxruntime vs PyTorch's trained "
                             "model" % (name, opt), 1e-3)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=2)
        self.avg = nn.AvgPool2d(2)
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.avg(torch.tanh(self.conv2(x)))
        return self.head(torch.flatten(x, 1))


def main():
    work = torch_common.work_dir()
    os.makedirs(work, exist_ok=True)
    torch.manual_seed(3)
    mlp = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 32), nn.GELU(), nn.Linear(32, 10))
    check("mlp", mlp, "cross_entropy", [torch.randn(8, 16)], [torch.randint(0, 10, (8,))], work)
    cnn = SmallCNN()
    xs = [torch.randn(4, 3, 8, 8) for _ in range(3)]
    ts = [torch.randn(4, 4) for _ in range(3)]
    check("cnn", cnn, "mse", xs, ts, work)


main()
