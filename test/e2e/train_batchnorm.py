# Training-mode batch normalization: a CNN with BatchNorm2d and BatchNorm1d
# (and a Dropout of ratio 0) exported by PyTorch with
# training=TrainingMode.TRAINING compiles with --train; kiln train follows
# PyTorch's own training loop (module.train(), the same initial weights and
# batches) step for step for 20 steps with SGD, momentum and Adam: the loss
# within 1e-4 relative, and after training the weights and the running
# statistics (momentum 0.1, unbiased variance, as PyTorch updates them) from
# --output-dir and in the model --save writes (no --model: the manifest
# records the model's path).
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

RTOL = 1e-4
STEPS = 20

OPTIMIZERS = [
    ("sgd", ["--lr", "0.05"], lambda p: torch.optim.SGD(p, lr=0.05)),
    ("momentum", ["--lr", "0.02", "--momentum", "0.9", "--weight-decay", "0.01"],
     lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9, weight_decay=0.01)),
    ("adam", ["--lr", "0.005"], lambda p: torch.optim.Adam(p, lr=0.005)),
]


# The layers before a batch norm have no bias, as usual: a bias there has a
# gradient of exactly zero in theory and of rounding noise in practice, which
# Adam's normalization turns into steps of size lr in arbitrary directions, in
# PyTorch and Kiln alike (a comparison of noise).
class BatchNormCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8, momentum=0.2)
        self.drop = nn.Dropout(0.0)
        self.fc1 = nn.Linear(8 * 4 * 4, 16, bias=False)
        self.bn3 = nn.BatchNorm1d(16)
        self.fc2 = nn.Linear(16, 5)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.bn2(self.conv2(x)))
        x = self.drop(torch.flatten(x, 1))
        return self.fc2(torch.relu(self.bn3(self.fc1(x))))


def torch_training(module, make_optimizer, xs, ts):
    module = copy.deepcopy(module).train()
    optimizer = make_optimizer(module.parameters())
    losses = []
    for k in range(STEPS):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(module(xs[k % len(xs)]), ts[k % len(ts)])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, module


def main():
    work = torch_common.work_dir()
    os.makedirs(work, exist_ok=True)
    torch.manual_seed(5)
    module = BatchNormCNN()
    # Running statistics that are not the defaults, so both terms of the update count.
    with torch.no_grad():
        for bn in (module.bn1, module.bn2, module.bn3):
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
    xs = [torch.randn(6, 3, 8, 8) for _ in range(4)]
    ts = [torch.randint(0, 5, (6,)) for _ in range(4)]
    path = os.path.join(work, "bn_cnn.onnx")
    exported = copy.deepcopy(module).train()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(exported, (xs[0],), path, opset_version=15, input_names=["x"], output_names=["y"],
                          training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False)
    modes = [a.i for n in onnx.load(path).graph.node if n.op_type == "BatchNormalization"
             for a in n.attribute if a.name == "training_mode"]
    assert modes == [1, 1, 1], "the export is not in training mode: %s" % modes
    # Tracing in training mode ran one forward pass, which moved the running
    # statistics: the exported initializers are `exported`'s state, PyTorch's
    # starting point too.
    initial = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
    for name, value in exported.state_dict().items():
        if name in initial:
            assert np.array_equal(initial[name], value.numpy()), name
    module = exported
    np.save(os.path.join(work, "x.npy"), np.stack([x.numpy() for x in xs]))
    np.save(os.path.join(work, "t.npy"), np.stack([t.numpy() for t in ts]))

    for opt, flags, make in OPTIMIZERS:
        artifact = os.path.join(work, opt)
        kt.compile_model(path, artifact, extra=["--train", "--loss", "cross_entropy", "--optimizer", opt] + flags)
        trained = os.path.join(work, opt + "_trained")
        saved = trained + ".onnx"
        out = kt.run_tool([kt.KILN, "train", artifact, "--input", "x=" + os.path.join(work, "x.npy"),
                           "--target", os.path.join(work, "t.npy"), "--steps", str(STEPS),
                           "--output-dir", trained, "--save", saved]).stdout
        lines = out.splitlines()
        assert len(lines) == STEPS, out
        losses = [float(l.split()[3]) for l in lines]
        expected, reference = torch_training(module, make, xs, ts)
        worst = max(abs(a - b) / abs(b) for a, b in zip(losses, expected))
        if worst > RTOL:
            raise SystemExit("%s: losses differ from PyTorch's by %.3g relative:\n%s\n%s" % (
                opt, worst, losses, expected))
        if losses[-1] >= losses[0]:
            raise SystemExit("%s: the loss did not decrease: %s" % (opt, losses))
        state = reference.state_dict()
        saved_inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(saved).graph.initializer}
        worst_stat = 0.0
        for name, value in state.items():
            if name.endswith("num_batches_tracked"):
                continue
            want = value.detach().numpy()
            got = np.load(os.path.join(trained, name + ".npy"))
            gt.assert_close_norm(got, want, "%s: trained %s" % (opt, name), 1e-3)
            gt.assert_close_norm(saved_inits[name], want, "%s: saved %s" % (opt, name), 1e-3)
            if "running" in name:
                worst_stat = max(worst_stat, float(np.linalg.norm(got - want) / np.linalg.norm(want)))
        print("%s: %d losses match PyTorch's (worst %.3g relative; %.4f -> %.4f); running statistics "
              "within %.3g relative" % (opt, STEPS, worst, losses[0], losses[-1], worst_stat))


main()
