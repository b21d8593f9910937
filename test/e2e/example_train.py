# examples/train.c: the bundled small CNN compiled with --train, linked
# statically with nothing but libc and libm, trained from C on a generated
# data set; the loss falls every epoch and the held-out accuracy rises from
# chance (0.10) to above 0.9. The program saves its state buffer to a file
# and trains on from the restored copy: the file holds the manifest's layout
# (the first tensor's rms as the program printed it). The undefined symbols
# of the library are only libc's and libm's.
# RUN: rm -rf %t && %python %s %t
import os
import json
import re
import sys

import numpy as np

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
examples = os.path.join(kt.SRC, "examples")
artifact = os.path.join(work, "art")
kt.compile_model(os.path.join(examples, "small_cnn.onnx"), artifact,
                 extra=["--train", "--optimizer", "momentum", "--lr", "0.01"])
program = os.path.join(work, "small_cnn_train")
kt.run_tool([kt.CC, "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", os.path.join(examples, "train.c"),
             "-I" + artifact, os.path.join(artifact, "libsmall_cnn.a"), "-lm", "-o", program])
state_file = os.path.join(work, "small_cnn.state")
out = kt.run_tool([program, "4", state_file]).stdout
print(out)
before = float(re.search(r"accuracy before training: ([0-9.]+)", out).group(1))
after = float(re.search(r"accuracy after training: ([0-9.]+)", out).group(1))
losses = [float(v) for v in re.findall(r"mean loss ([0-9.naif]+)", out)]
if len(losses) != 4 or any(b >= a for a, b in zip(losses, losses[1:])):
    raise SystemExit("the loss did not fall every epoch: %s" % losses)
if not (before <= 0.3 and after >= 0.9):
    raise SystemExit("accuracy %.2f -> %.2f; expected chance before and >= 0.9 after" % (before, after))

manifest = json.load(open(os.path.join(artifact, "small_cnn.json")))
layout = manifest["state"]
saved = open(state_file, "rb").read()
if len(saved) != layout["bytes"]:
    raise SystemExit("the state file has %d bytes, the manifest says %d" % (len(saved), layout["bytes"]))
first = layout["tensors"][0]
weights = np.frombuffer(saved, np.float32, int(np.prod(first["shape"])), first["offset"])
printed = float(re.search(re.escape(first["name"]) + r" rms after training: ([0-9.]+)", out).group(1))
if abs(float(np.sqrt(np.mean(weights.astype(np.float64) ** 2))) - printed) > 1e-4:
    raise SystemExit("the saved %s has rms %.6f, the program printed %.4f" % (
        first["name"], np.sqrt(np.mean(weights ** 2)), printed))


foreign, _ = kt.foreign_symbols(os.path.join(artifact, "libsmall_cnn.a"))
if foreign:
    raise SystemExit("the trained library needs symbols beyond libc and libm: %s" % foreign)
print("accuracy %.2f -> %.2f; the library needs only libc and libm" % (before, after))
