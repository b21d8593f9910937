#!/usr/bin/env python3
"""Time per training step: Kiln's compiled train_step against PyTorch eager, same cores, same thread count.

    .venv/bin/python bench/train_step.py [--threads 1] [--steps 200]

For an MLP (784-256-256-10, batch 64) and a small CNN (two 3x3 convolutions with max pooling, a linear head,
batch 32, 3x32x32), both with cross entropy and SGD with momentum: `kiln compile --train`, then
`kiln train --steps N` timed as a whole minus `kiln train --steps 0` (loading, init_state, reading the
data), divided by N; PyTorch: the same step (zero_grad, forward, loss, backward, optimizer.step) timed over
N steps after a warm-up of 10. Both at KILN_NUM_THREADS / torch.set_num_threads = --threads. Debian's
PyTorch 1.13 is not the fastest build of PyTorch: the ratio is a figure for this machine, not a ranking.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KILN = os.path.join(ROOT, "build", "bin", "kiln")


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Linear(32 * 8 * 8, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.c1(x)))
        x = self.pool(torch.relu(self.c2(x)))
        return self.head(torch.flatten(x, 1))


def time_kiln(model, x, t, steps, threads, work):
    onnx_path = os.path.join(work, "m.onnx")
    model.eval()
    torch.onnx.export(model, (x,), onnx_path, opset_version=17, input_names=["x"], output_names=["y"])
    art = os.path.join(work, "art")
    start = time.perf_counter()
    subprocess.run([KILN, "compile", onnx_path, "--train", "--optimizer", "momentum", "--lr", "0.01",
                    "-o", art], check=True)
    compile_s = time.perf_counter() - start
    np.save(os.path.join(work, "x.npy"), x.numpy())
    np.save(os.path.join(work, "t.npy"), t.numpy())
    env = dict(os.environ, KILN_NUM_THREADS=str(threads))

    def run(n):
        start = time.perf_counter()
        subprocess.run([KILN, "train", art, "--input", "x=" + os.path.join(work, "x.npy"), "--target",
                        os.path.join(work, "t.npy"), "--steps", str(n)], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        return time.perf_counter() - start

    base = min(run(0) for _ in range(3))
    total = min(run(steps) for _ in range(3))
    return (total - base) / steps, compile_s


def time_torch(model, x, t, steps, threads):
    torch.set_num_threads(threads)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), t).backward()
        opt.step()

    for _ in range(10):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    torch.manual_seed(0)
    cases = [
        ("mlp 784-256-256-10, batch 64",
         nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)),
         torch.randn(64, 784), torch.randint(0, 10, (64,))),
        ("cnn 3x32x32, batch 32", SmallCNN(), torch.randn(32, 3, 32, 32), torch.randint(0, 10, (32,))),
    ]
    print("threads %d, %d steps; time per training step (forward, loss, backward, SGD with momentum)" % (
        args.threads, args.steps))
    print("%-32s %12s %12s %8s %10s" % ("model", "kiln ms", "pytorch ms", "ratio", "compile s"))
    for name, model, x, t in cases:
        with tempfile.TemporaryDirectory() as work:
            kiln_s, compile_s = time_kiln(model, x, t, args.steps, args.threads, work)
        torch_s = time_torch(model, x, t, args.steps, args.threads)
        print("%-32s %12.3f %12.3f %8.2f %10.1f" % (name, kiln_s * 1e3, torch_s * 1e3, kiln_s / torch_s,
                                                   compile_s))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
