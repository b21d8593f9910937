#!/usr/bin/env python3
"""Kiln's speed against its peers, in one sitting on the same cores.

    scripts/bench.sh [--threads 1,2] [--runs 30] [--models resnet18,...] [--no-gemm] [--quick]

(scripts/bench.sh installs the optional peers, oneDNN and matplotlib, then runs this with the repo's .venv.)

For each model (ResNet-18, ResNet-50 and MobileNetV2 at 1x3x224x224, a BERT-style encoder at sequence 128;
bench/models.py exports them from PyTorch with random weights) and each thread count:
  - Kiln: `kiln run --threads N --runs R` on the compiled artifact (the runtime's thread pool; the median of
    R runs after one warm-up, timed inside the process);
  - onnxruntime: InferenceSession.run with intra_op_num_threads = N, inter_op = 1, median of R runs;
  Kiln and onnxruntime are timed in alternating rounds (--rounds, R/rounds runs each), and each figure is the
  median of its rounds' medians: on a shared 2-core machine the speed drifts by up to 20% from one minute to
  the next, and timing one peer after the other would put that drift into the ratio.
  - PyTorch eager (torch.set_num_threads(N)), median of fewer runs (Debian's PyTorch 1.13 is a slow build:
    printed for context, never the bar). torch.compile is timed where PyTorch has it (>= 2.0).
Kiln's output is checked against onnxruntime's before anything is timed.

The GEMM sweep (C = A B, both operands inputs): square 256..2048 and the rectangular shapes of the models,
against onnxruntime's MatMul, oneDNN's sgemm (bench/gemm_dnnl.c, when Debian's libdnnl-dev is installed) and
the FMA ceiling that ../shared/tools/fma-peak.c measures in the same run.

Prints a table of ratios (Kiln time / peer time: below 1 is faster), writes it as markdown (--markdown, default
docs/performance.md) and as a plot (--plot, default docs/performance.png, when matplotlib is installed), with
compile times and library sizes.
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

MODELS = ["resnet18", "resnet50", "mobilenet_v2", "encoder"]
TITLES = {"resnet18": "ResNet-18 1x3x224x224", "resnet50": "ResNet-50 1x3x224x224",
          "mobilenet_v2": "MobileNetV2 1x3x224x224", "encoder": "BERT-style encoder, 6 layers, d=384, seq 128"}
# (M, N, K): square, then shapes the models multiply (the encoder's projections and FFN; ResNet-50's 1x1
# and 3x3 convolutions as Kiln's im2col matmuls see them).
GEMMS = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048),
         (128, 384, 384), (128, 1536, 384), (128, 384, 1536),
         (3136, 64, 576), (784, 512, 128), (196, 256, 2304)]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def median_ms(fn, runs, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def machine():
    model = platform.processor()
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "%s, %d CPUs the process may use" % (model, len(os.sched_getaffinity(0)))


def fma_ceiling(work):
    """{threads: GFLOP/s} from ../shared/tools/fma-peak.c (the zmm figures with AVX-512, else ymm)."""
    src = os.path.join(ROOT, "..", "shared", "tools", "fma-peak.c")
    if not os.path.exists(src):
        log("fma-peak.c not found (%s): no FMA ceiling" % src)
        return {}
    exe = os.path.join(work, "fma-peak")
    subprocess.run(["cc", "-O2", "-pthread", src, "-o", exe], check=True)
    out = subprocess.run([exe], capture_output=True, text=True, timeout=300).stdout
    best = {}
    for kind, threads, gflops in re.findall(r"(zmm|ymm) threads=(\d+) GFLOPS=([\d.]+)", out):
        best[int(threads)] = max(best.get(int(threads), 0.0), float(gflops))
    return best


def interleaved(kiln_round, ort_round, rounds):
    """Median of each peer's round medians, the rounds alternating Kiln, onnxruntime, Kiln, ...

    After each onnxruntime round the machine is left idle for a moment: its worker threads spin
    after a run before they sleep, and a Kiln process started meanwhile would find its cores taken
    (a small GEMM's second thread then did nothing: 2-thread times equal to 1-thread ones)."""
    kiln_ms, ort_ms = [], []
    for _ in range(rounds):
        kiln_ms.append(kiln_round())
        ort_ms.append(ort_round())
        time.sleep(0.25)
    return statistics.median(kiln_ms), statistics.median(ort_ms)


def kiln_compile(kiln, model_path, out_dir, name):
    t0 = time.perf_counter()
    subprocess.run([kiln, "compile", model_path, "-o", out_dir, "--name", name], check=True)
    return time.perf_counter() - t0


def kiln_time(kiln, artifact, feeds, threads, runs, work):
    """Median ms of `kiln run --threads N --runs R`, and the first run's outputs."""
    args = [kiln, "run", artifact, "--threads", str(threads), "--runs", str(runs),
            "--output-dir", os.path.join(work, "out")]
    for name, value in feeds.items():
        path = os.path.join(work, "in_%s.npy" % name)
        np.save(path, value)
        args += ["--input", "%s=%s" % (name, path)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    m = re.search(r"time: median ([\d.]+) ms", out)
    outputs = {f[:-4]: np.load(os.path.join(work, "out", f)) for f in os.listdir(os.path.join(work, "out"))}
    return float(m.group(1)), outputs


def ort_session(path, threads):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def library_bytes(artifact, name):
    return os.path.getsize(os.path.join(artifact, "lib%s.so" % name))


def weight_bytes(path):
    import onnx
    model = onnx.load(path)
    return sum(onnx.numpy_helper.to_array(t).nbytes for t in model.graph.initializer)


def bench_models(args, kiln, work, results):
    import torch
    import models
    for name in args.models:
        log("== %s" % name)
        path = os.path.join(work, name + ".onnx")
        feeds_list = models.export(name, path)
        artifact = os.path.join(work, name)
        compile_s = kiln_compile(kiln, path, artifact, name)
        module, example, _ = models.BUILDERS[name]()
        feeds = {"input%d" % i: a for i, a in enumerate(feeds_list)}
        row = {"kind": "model", "name": name, "title": TITLES[name], "compile_s": compile_s,
               "library_bytes": library_bytes(artifact, name), "weight_bytes": weight_bytes(path), "threads": {}}
        for threads in args.threads:
            _, outs = kiln_time(kiln, artifact, feeds, threads, 1, os.path.join(work, "run"))
            sess = ort_session(path, threads)
            expected = sess.run(None, feeds)[0]
            err = float(np.max(np.abs(outs["output"] - expected)))
            scale = float(np.max(np.abs(expected)))
            if not err <= 1e-3 * max(scale, 1.0):
                raise SystemExit("%s: Kiln differs from onnxruntime by %.3g (scale %.3g)" % (name, err, scale))
            per_round = max(3, args.runs // args.rounds)
            kiln_ms, ort_ms = interleaved(
                lambda: kiln_time(kiln, artifact, feeds, threads, per_round, os.path.join(work, "run"))[0],
                lambda: median_ms(lambda: sess.run(None, feeds), per_round, warmup=2), args.rounds)
            torch.set_num_threads(threads)
            with torch.no_grad():
                torch_ms = median_ms(lambda: module(*example), args.torch_runs)
                compiled_ms = None
                if hasattr(torch, "compile") and not args.quick:
                    try:
                        compiled = torch.compile(module)
                        compiled(*example)
                        compiled_ms = median_ms(lambda: compiled(*example), args.torch_runs)
                    except Exception as e:  # torch.compile needs a working C++ toolchain and Triton/inductor
                        log("torch.compile failed: %s" % str(e).splitlines()[0])
            row["threads"][threads] = {"kiln_ms": kiln_ms, "ort_ms": ort_ms, "torch_ms": torch_ms,
                                       "torch_compile_ms": compiled_ms, "max_abs_err": err}
            log("  %d thread(s): kiln %.2f ms, onnxruntime %.2f ms (%.2fx), torch %.1f ms" % (
                threads, kiln_ms, ort_ms, kiln_ms / ort_ms, torch_ms))
        results.append(row)


def gemm_model(path, m, n, k):
    import onnx
    from onnx import TensorProto, helper
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"])], "gemm",
                              [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k]),
                               helper.make_tensor_value_info("b", TensorProto.FLOAT, [k, n])],
                              [helper.make_tensor_value_info("c", TensorProto.FLOAT, [m, n])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def bench_gemms(args, kiln, work, ceiling, results):
    dnnl = None
    if os.path.exists("/usr/include/dnnl.h"):
        dnnl = os.path.join(work, "gemm_dnnl")
        subprocess.run(["cc", "-O2", os.path.join(ROOT, "bench", "gemm_dnnl.c"), "-o", dnnl, "-ldnnl"], check=True)
    else:
        log("oneDNN not installed (Debian's libdnnl-dev; scripts/bench.sh installs it): no oneDNN column")
    rng = np.random.default_rng(0)
    for m, n, k in GEMMS:
        name = "gemm_%dx%dx%d" % (m, n, k)
        log("== %s" % name)
        path = os.path.join(work, name + ".onnx")
        gemm_model(path, m, n, k)
        artifact = os.path.join(work, name)
        compile_s = kiln_compile(kiln, path, artifact, "gemm")
        feeds = {"a": rng.standard_normal((m, k)).astype(np.float32),
                 "b": rng.standard_normal((k, n)).astype(np.float32)}
        flop = 2.0 * m * n * k
        row = {"kind": "gemm", "name": name, "title": "MatMul %dx%dx%d" % (m, n, k), "compile_s": compile_s,
               "flop": flop, "threads": {}}
        for threads in args.threads:
            _, outs = kiln_time(kiln, artifact, feeds, threads, 1, os.path.join(work, "run"))
            expected = feeds["a"].astype(np.float64) @ feeds["b"].astype(np.float64)
            err = float(np.max(np.abs(outs["c"] - expected)))
            if not err <= 1e-4 * math.sqrt(k) * float(np.max(np.abs(expected))):
                raise SystemExit("%s: Kiln differs from NumPy (float64) by %.3g" % (name, err))
            sess = ort_session(path, threads)
            per_round = max(3, args.runs // args.rounds)
            kiln_ms, ort_ms = interleaved(
                lambda: kiln_time(kiln, artifact, feeds, threads, per_round, os.path.join(work, "run"))[0],
                lambda: median_ms(lambda: sess.run(None, feeds), per_round, warmup=2), args.rounds)
            dnnl_ms = None
            if dnnl:
                env = dict(os.environ, OMP_NUM_THREADS=str(threads))
                out = subprocess.run([dnnl, str(m), str(n), str(k), str(args.runs)], capture_output=True,
                                     text=True, check=True, env=env).stdout
                dnnl_ms = float(re.search(r"median_ms ([\d.]+)", out).group(1))
            peak = ceiling.get(threads)
            row["threads"][threads] = {
                "kiln_ms": kiln_ms, "ort_ms": ort_ms, "dnnl_ms": dnnl_ms,
                "kiln_gflops": flop / kiln_ms / 1e6,
                "kiln_peak_share": (flop / kiln_ms / 1e6) / peak if peak else None}
            log("  %d thread(s): kiln %.3f ms (%.0f GFLOP/s%s), onnxruntime %.3f ms%s" % (
                threads, kiln_ms, flop / kiln_ms / 1e6,
                ", %.0f%% of the FMA ceiling" % (100 * flop / kiln_ms / 1e6 / peak) if peak else "", ort_ms,
                ", oneDNN %.3f ms" % dnnl_ms if dnnl_ms else ""))
        results.append(row)


def geomean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def markdown(args, results, ceiling, started):
    import onnxruntime
    import torch
    lines = ["# Performance", "",
             "Written by `scripts/bench.sh` (bench/run.py); the latest run replaces this file. Ratios are Kiln's "
             "time over the peer's (below 1.00x Kiln is faster), fp32, batch 1, in one sitting. Kiln and "
             "onnxruntime ran in %d alternating rounds of %d runs each; a time is the median of its rounds' "
             "medians." % (args.rounds, max(3, args.runs // args.rounds)), "",
             "- Machine: %s" % machine(),
             "- Date: %s" % started.strftime("%Y-%m-%d %H:%M UTC"),
             "- Peers: onnxruntime %s (intra-op threads = Kiln's threads, inter-op 1); PyTorch %s eager "
             "(median of %d runs, for context only: Debian's build is slow)" % (
                 onnxruntime.__version__, torch.__version__, args.torch_runs),
             "- FMA ceiling (../shared/tools/fma-peak.c): %s" % (
                 ", ".join("%.0f GFLOP/s at %d thread%s" % (v, t, "s" if t > 1 else "")
                           for t, v in sorted(ceiling.items())) or "not measured"), ""]
    ths = args.threads
    header = "| model | " + " | ".join(
        "Kiln %dT ms | ORT %dT ms | ratio %dT | PyTorch %dT ms" % (t, t, t, t) for t in ths) + \
        " | compile s | library MB | weights MB |"
    lines += ["## Models", "", header, "|" + "---|" * (1 + 4 * len(ths) + 3)]
    model_ratios = {t: [] for t in ths}
    for r in results:
        if r["kind"] != "model":
            continue
        cells = []
        for t in ths:
            d = r["threads"][t]
            ratio = d["kiln_ms"] / d["ort_ms"]
            model_ratios[t].append(ratio)
            cells.append("%.2f | %.2f | **%.2fx** | %.1f" % (d["kiln_ms"], d["ort_ms"], ratio, d["torch_ms"]))
        lines.append("| %s | %s | %.1f | %.2f | %.2f |" % (r["title"], " | ".join(cells), r["compile_s"],
                                                          r["library_bytes"] / 1e6, r["weight_bytes"] / 1e6))
    gemm_ratios = {t: [] for t in ths}
    if any(r["kind"] == "gemm" for r in results):
        header = "| MatMul MxNxK | " + " | ".join(
            "Kiln %dT ms | GFLOP/s | of FMA ceiling | ORT %dT ms | ratio | oneDNN ms | ratio" % (t, t)
            for t in ths) + " |"
        lines += ["", "## GEMM", "", header, "|" + "---|" * (1 + 7 * len(ths))]
        for r in results:
            if r["kind"] != "gemm":
                continue
            cells = []
            for t in ths:
                d = r["threads"][t]
                ratio = d["kiln_ms"] / d["ort_ms"]
                gemm_ratios[t].append(ratio)
                share = "%.0f%%" % (100 * d["kiln_peak_share"]) if d["kiln_peak_share"] else "-"
                dn = "%.3f | %.2fx" % (d["dnnl_ms"], d["kiln_ms"] / d["dnnl_ms"]) if d["dnnl_ms"] else "- | -"
                cells.append("%.3f | %.0f | %s | %.3f | **%.2fx** | %s" % (
                    d["kiln_ms"], d["kiln_gflops"], share, d["ort_ms"], ratio, dn))
            lines.append("| %s | %s |" % (r["title"][len("MatMul "):], " | ".join(cells)))
    lines += ["", "## Geometric means of Kiln / onnxruntime", ""]
    for t in ths:
        lines.append("- %d thread%s: models %s, GEMMs %s" % (
            t, "s" if t > 1 else "",
            "%.2fx" % geomean(model_ratios[t]) if model_ratios[t] else "-",
            "%.2fx" % geomean(gemm_ratios[t]) if gemm_ratios[t] else "-"))
    return "\n".join(lines) + "\n"


def plot(path, args, results):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib not installed (scripts/bench.sh installs python3-matplotlib): no plot")
        return False
    rows = [r for r in results]
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(rows)), 4))
    width = 0.8 / len(args.threads)
    for i, t in enumerate(args.threads):
        ratios = [r["threads"][t]["kiln_ms"] / r["threads"][t]["ort_ms"] for r in rows]
        ax.bar([x + i * width for x in range(len(rows))], ratios, width, label="%d thread%s" % (t, "s" if t > 1 else ""))
    ax.set_yscale("log")  # 0.5x and 2x are the same distance from 1
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks([x + width * (len(args.threads) - 1) / 2 for x in range(len(rows))])
    ax.set_xticklabels([r["name"].replace("gemm_", "") for r in rows], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("Kiln time / onnxruntime time")
    ax.set_title("Kiln vs onnxruntime (below 1: Kiln faster)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    ap.add_argument("--runs", type=int, default=30, help="timed runs per measurement (default 30)")
    ap.add_argument("--rounds", type=int, default=5,
                    help="alternating Kiln/onnxruntime rounds the runs are split into (default 5)")
    ap.add_argument("--torch-runs", type=int, default=5, help="timed runs of PyTorch eager (default 5)")
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated subset of " + ",".join(MODELS))
    ap.add_argument("--no-gemm", action="store_true", help="skip the GEMM sweep")
    ap.add_argument("--quick", action="store_true", help="5 runs, no torch.compile: a smoke test, not figures")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work", help="folder for models and artifacts (default: a temporary one)")
    ap.add_argument("--markdown", default=os.path.join(ROOT, "docs", "performance.md"))
    ap.add_argument("--plot", default=os.path.join(ROOT, "docs", "performance.png"))
    ap.add_argument("--json", help="also write the raw figures here")
    args = ap.parse_args()
    args.threads = [int(t) for t in args.threads.split(",")]
    args.models = [m for m in args.models.split(",") if m]
    for m in args.models:
        if m not in MODELS:
            ap.error("unknown model %r (expected some of %s)" % (m, ", ".join(MODELS)))
    if args.quick:
        args.runs, args.torch_runs, args.rounds = 5, 1, 1
    kiln = os.path.join(args.build, "bin", "kiln")
    if not os.path.exists(kiln):
        ap.error("%s not found: build Kiln first (scripts/test.sh or scripts/run-example.sh)" % kiln)
    started = datetime.datetime.now(datetime.timezone.utc)
    work = args.work or tempfile.mkdtemp(prefix="kiln-bench-")
    os.makedirs(work, exist_ok=True)
    os.makedirs(os.path.join(work, "run"), exist_ok=True)
    ceiling = fma_ceiling(work)
    results = []
    bench_models(args, kiln, work, results)
    if not args.no_gemm:
        bench_gemms(args, kiln, work, ceiling, results)
    text = markdown(args, results, ceiling, started)
    print(text)
    if args.plot and plot(args.plot, args, results):
        text += "\n![Kiln / onnxruntime](%s)\n" % os.path.basename(args.plot)
    with open(args.markdown, "w") as f:
        f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"ceiling": ceiling, "results": results}, f, indent=1)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
