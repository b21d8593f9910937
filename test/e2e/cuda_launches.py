# A compiled CUDA artifact through the runtime without a GPU: `kiln run` with the recording fake driver
# (test/unit/runtime/fake_cuda/fake_cuda.c; it loads real PTX and cubins, finds their kernels by name, and
# records launches without computing). Checks the image the runtime chooses for each device, that every
# manifest kernel is resolved from it, that the compiled host code launches exactly the manifest's kernels,
# in order, with their grid and block, on the run's stream, and that the weights are uploaded once while
# inputs and outputs are copied on every run.
# REQUIRES: cuda-toolkit
# RUN: rm -rf %t && %python %s %t
import json
import os
import subprocess
import sys

import numpy as np

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
fake = os.path.join(kt.OBJ, "test", "unit", "runtime", "fixtures", "libfake_cuda.so")
assert os.path.exists(fake), fake
artifact = os.path.join(work, "cnn")
kt.run_tool([kt.KILN, "compile", os.path.join(kt.SRC, "examples", "small_cnn.onnx"), "--target", "cuda",
             "--gpu", "sm_80,sm_90", "-o", artifact])
manifest = json.load(open(os.path.join(artifact, "small_cnn.json")))
kernels = manifest["device"]["kernels"]
entry = manifest["entry_points"][0]
x = np.random.default_rng(0).standard_normal(entry["inputs"][0]["shape"]).astype(np.float32)
np.save(os.path.join(work, "x.npy"), x)


def run_with(arch, runs):
    log = os.path.join(work, "log-%s.txt" % arch)
    if os.path.exists(log):
        os.remove(log)
    env = dict(os.environ, KILN_CUDA_DRIVER=fake, KILN_FAKE_CUDA_ARCH=arch, KILN_FAKE_CUDA_LOG=log)
    args = [kt.KILN, "run", artifact, "--input", "%s=%s" % (entry["inputs"][0]["name"],
                                                              os.path.join(work, "x.npy")),
            "--output-dir", os.path.join(work, "out-" + arch), "--runs", str(runs - 1)]
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return [line.split() for line in open(log).read().splitlines()]


def size(file):
    return os.path.getsize(os.path.join(artifact, file))


for arch, image in (("90", "small_cnn.sm_90.cubin"), ("86", "small_cnn.sm_80.cubin"),
                    ("100", "small_cnn.sm_90.ptx")):
    calls = run_with(arch, runs=3)
    loads = [c for c in calls if c[0] == "cuModuleLoadData"]
    fmt = image.rsplit(".", 1)[1]
    assert loads == [["cuModuleLoadData", "image=%s" % fmt, "bytes=%d" % size(image)]], (arch, loads)
    resolved = [c[1] for c in calls if c[0] == "cuModuleGetFunction"]
    assert resolved == ["name=" + k["name"] for k in kernels], (arch, resolved[:3])
    launches = [c for c in calls if c[0] == "cuLaunchKernel"]
    expected = [["cuLaunchKernel", "kernel=" + k["name"], "grid=%d,%d,%d" % tuple(k["grid"]),
                 "block=%d,%d,%d" % tuple(k["block"]), "shared=%d" % k["shared_bytes"]]
                for k in kernels]
    assert len(launches) == 3 * len(kernels), (arch, len(launches))
    for run in range(3):
        got = [l[:5] for l in launches[run * len(kernels):(run + 1) * len(kernels)]]
        assert got == expected, (arch, run, [g for g, e in zip(got, expected) if g != e][:2])
    streams = {l[5] for l in launches}
    assert len(streams) == 1 and streams != {"stream=0"}, streams
    uploads = [int(c[1].split("=")[1]) for c in calls if c[0] == "cuMemcpyHtoDAsync"]
    weights = manifest["weights"]["bytes"]
    assert uploads.count(weights) == 1, (arch, uploads)
    assert uploads.count(entry["inputs"][0]["bytes"]) == 3, (arch, uploads)
    downloads = [int(c[1].split("=")[1]) for c in calls if c[0] == "cuMemcpyDtoHAsync"]
    assert sorted(downloads) == sorted([o["bytes"] for o in entry["outputs"]] * 3), (arch, downloads)
    print("device sm_%s: %s, %d kernels resolved, 3 runs of %d launches in manifest order" % (
        arch, image, len(resolved), len(kernels)))

# Training through the runtime: init_state once, then each train_step launches exactly its own kernels in
# manifest order, with the state buffer uploaded before and downloaded after every call.
trained = os.path.join(work, "train")
kt.run_tool([kt.KILN, "compile", os.path.join(kt.SRC, "examples", "small_cnn.onnx"), "--target", "cuda",
             "--train", "--loss", "cross_entropy", "--optimizer", "adam", "-o", trained])
manifest = json.load(open(os.path.join(trained, "small_cnn.json")))
by_entry = {}
for k in manifest["device"]["kernels"]:
    by_entry.setdefault(k["entry"], []).append("kernel=" + k["name"])
assert set(by_entry) == {"run", "train_step", "init_state"}, by_entry.keys()
np.save(os.path.join(work, "target.npy"), np.array([3], np.int64))
log = os.path.join(work, "train-log.txt")
env = dict(os.environ, KILN_CUDA_DRIVER=fake, KILN_FAKE_CUDA_ARCH="90", KILN_FAKE_CUDA_LOG=log)
proc = subprocess.run([kt.KILN, "train", trained, "--input", "x=%s" % os.path.join(work, "x.npy"),
                       "--target", os.path.join(work, "target.npy"), "--steps", "2",
                       "--output-dir", os.path.join(work, "trained")], env=env, capture_output=True, text=True)
assert proc.returncode == 0, proc.stderr
calls = [line.split() for line in open(log).read().splitlines()]
launched = [c[1] for c in calls if c[0] == "cuLaunchKernel"]
assert launched == by_entry["init_state"] + by_entry["train_step"] * 2, (len(launched), launched[:3])
state = manifest["state"]["bytes"]
copies = [(c[0], c[1]) for c in calls if c[0].startswith("cuMemcpy")]
assert copies.count(("cuMemcpyHtoDAsync", "bytes=%d" % state)) == 3, copies
assert copies.count(("cuMemcpyDtoHAsync", "bytes=%d" % state)) == 3, copies
print("train: init_state (%d launches) and 2 train steps (%d launches each), the %d-byte state in and out"
      " of every call" % (len(by_entry["init_state"]), len(by_entry["train_step"]), state))
