#!/usr/bin/env python3
"""ResNet-18 at 1x3x224x224: Kiln against onnxruntime, side by side.

    .venv/bin/python bench/resnet18.py [--threads N] [--runs R] [--build build]

Exports torchvision's ResNet-18 (random weights, eval mode, opset 13),
compiles it with `kiln compile`, checks Kiln's output against onnxruntime's,
then times both on the same input in the same process:
  - Kiln: the generated resnet18_run() called through ctypes (no process
    start-up, no runtime overhead), median of R runs after 2 warm-ups;
  - onnxruntime: InferenceSession.run with intra_op_num_threads = N (and
    inter_op = 1), median of R runs after 2 warm-ups.
Kiln's generated code is single-threaded today, so the fair comparison is
--threads 1; onnxruntime at more threads is printed for context.
Also builds and runs ../shared/tools/fma-peak.c (if present) to report the
machine's FMA ceiling, since CPU models differ between machines.
"""
import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median_ms(fn, runs):
    for _ in range(2):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times)


def fma_peak(work):
    src = os.path.join(ROOT, "..", "shared", "tools", "fma-peak.c")
    if not os.path.exists(src):
        return None
    exe = os.path.join(work, "fma-peak")
    if subprocess.run(["cc", "-O2", "-march=native", src, "-o", exe, "-lpthread", "-lm"],
                      capture_output=True).returncode != 0:
        return None
    out = subprocess.run([exe], capture_output=True, text=True, timeout=120)
    return out.stdout.strip() or None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work", default=None, help="folder for the model and artifact (default: a temp folder)")
    args = ap.parse_args()

    import onnxruntime as ort
    import torch
    import torchvision

    work = args.work or tempfile.mkdtemp(prefix="kiln-bench-")
    os.makedirs(work, exist_ok=True)
    model_path = os.path.join(work, "resnet18.onnx")
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).eval()
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        torch.onnx.export(model, (x,), model_path, opset_version=13,
                          input_names=["input"], output_names=["logits"])

    artifact = os.path.join(work, "resnet18")
    t0 = time.perf_counter()
    subprocess.run([os.path.join(args.build, "bin", "kiln"), "compile", model_path, "-o", artifact],
                   check=True)
    compile_s = time.perf_counter() - t0

    xn = x.numpy()
    so = ctypes.CDLL(os.path.join(artifact, "libresnet18.so"))
    run = so.resnet18_run
    run.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]
    run.restype = ctypes.c_int
    out = np.empty((1, 1000), dtype=np.float32)
    ins = (ctypes.c_void_p * 1)(xn.ctypes.data)
    outs = (ctypes.c_void_p * 1)(out.ctypes.data)

    def kiln_once():
        if run(ins, outs) != 0:
            raise SystemExit("resnet18_run failed")

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(model_path, opts, providers=["CPUExecutionProvider"])
    ort_once = lambda: sess.run(["logits"], {"input": xn})

    kiln_once()
    reference = ort_once()[0]
    err = float(np.max(np.abs(out - reference)))
    kiln_ms, kiln_best = median_ms(kiln_once, args.runs)
    ort_ms, ort_best = median_ms(ort_once, args.runs)

    with open(os.path.join(artifact, "resnet18.json")) as f:
        manifest = json.load(f)
    print("ResNet-18, 1x3x224x224, float32, %d run(s) each after 2 warm-ups" % args.runs)
    print("machine: %d cores; target cpu %s" % (os.cpu_count(), manifest["target"]["cpu"]))
    peak = fma_peak(work)
    if peak:
        print("fma-peak: %s" % peak.replace("\n", "; "))
    print("kiln compile: %.1f s; scratch memory %.1f MiB" % (compile_s, manifest["entry_points"][0]["scratch_bytes"] / 2**20))
    print("max |kiln - onnxruntime| = %.2e" % err)
    print("%-28s %10s %10s" % ("", "median ms", "best ms"))
    print("%-28s %10.2f %10.2f" % ("kiln (1 thread)", kiln_ms, kiln_best))
    print("%-28s %10.2f %10.2f" % ("onnxruntime (%d thread%s)" % (args.threads, "s" * (args.threads > 1)),
                                   ort_ms, ort_best))
    print("kiln / onnxruntime time ratio: %.2fx" % (kiln_ms / ort_ms))
    flops = 1.814e9  # ResNet-18 at 224x224: ~1.81 GMAC-equivalent FLOPs (x2 for FMA counted below)
    print("kiln: %.1f GFLOP/s; onnxruntime: %.1f GFLOP/s (2 x 1.81 GMAC)" % (
        2 * flops / kiln_ms / 1e6, 2 * flops / ort_ms / 1e6))
    if err > 1e-2:
        raise SystemExit("outputs disagree; the timing is meaningless")


if __name__ == "__main__":
    main()
