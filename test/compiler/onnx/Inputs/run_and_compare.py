"""Runs a compiled artifact with `kiln run` on .npy inputs and compares each output with a NumPy
reference, exactly for integers and bools, floats to rtol 1e-5 and atol 1e-6 (NaN where NaN is expected).

usage: run_and_compare.py KILN ARTIFACT WORK NAME=INPUT.npy... -- NAME=EXPECTED.npy...
Prints "OK NAME" per matching output; exits 1 at the first difference, naming it.
"""
import os
import subprocess
import sys

import numpy as np

kiln, artifact, work = sys.argv[1:4]
rest = sys.argv[4:]
split = rest.index("--")
inputs, expected = rest[:split], rest[split + 1:]
out = os.path.join(work, "out")
args = [kiln, "run", artifact, "--output-dir", out]
for item in inputs:
    args += ["--input", item]
subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
for item in expected:
    name, path = item.split("=", 1)
    want = np.load(path)
    got = np.load(os.path.join(out, name + ".npy"))
    if got.dtype != want.dtype or got.shape != want.shape:
        sys.exit("%s: %s%s, expected %s%s" % (name, got.dtype, got.shape, want.dtype, want.shape))
    same = np.allclose(got, want, rtol=1e-5, atol=1e-6, equal_nan=True) if want.dtype.kind == "f" else \
        np.array_equal(got, want)
    if not same:
        sys.exit("%s: %s, expected %s" % (name, got.tolist(), want.tolist()))
    print("OK", name)
