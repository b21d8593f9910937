"""Compiles and runs every case composite_ops.py wrote into FOLDER; prints one line per failing
case and a summary. usage: run_composite_ops.py KILN FOLDER"""
import os
import subprocess
import sys

kiln, folder = sys.argv[1:3]
here = os.path.dirname(os.path.abspath(__file__))
names = sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".onnx"))
failed = 0
for name in names:
    artifact = os.path.join(folder, "a_" + name)
    proc = subprocess.run([kiln, "compile", os.path.join(folder, name + ".onnx"), "-o", artifact],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print("%s: compile failed: %s" % (name, (proc.stderr.strip().splitlines() or
                                                 ["exit status %d" % proc.returncode])[0]))
        failed += 1
        continue
    with open(os.path.join(folder, name + ".args")) as f:
        args = f.read().split()
    proc = subprocess.run([sys.executable, os.path.join(here, "run_and_compare.py"), kiln, artifact,
                           artifact] + args, capture_output=True, text=True)
    if proc.returncode != 0:
        print("%s: %s" % (name, (proc.stderr.strip().splitlines() or ["failed"])[-1]))
        failed += 1
print("%d cases, %d failed" % (len(names), failed))
