# The bundled example, in both its ONNX and JSON forms, against onnxruntime:
# through `kiln run`, and through a C program that links libsmall_cnn.a with
# nothing but libc and libm. Also checks that every undefined symbol of the
# generated object is exported by libc or libm.
# RUN: rm -rf %t && %python %s %t
import os
import re
import sys

import numpy as np

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
examples = os.path.join(kt.SRC, "examples")
x = np.load(os.path.join(examples, "small_cnn_input.npy"))
expected = kt.onnxruntime_outputs(os.path.join(examples, "small_cnn.onnx"), {"x": x})

for form in ("onnx", "json"):
    artifact = os.path.join(work, form)
    kt.compile_model(os.path.join(examples, "small_cnn." + form), artifact)
    actual = kt.run_artifact(artifact, {"x": x})
    for name in ("logits", "probs"):
        kt.assert_close(actual[name], expected[name], "%s %s vs onnxruntime" % (form, name))

# Static link: the example C program prints logits and probabilities with 6 decimals.
artifact = os.path.join(work, "onnx")
demo = os.path.join(work, "demo")
kt.run_tool([kt.CC, "-std=c11", "-Wall", "-Wextra", "-Werror", os.path.join(examples, "main.c"),
             "-I" + artifact, os.path.join(artifact, "libsmall_cnn.a"), "-lm", "-o", demo])
out = kt.run_tool([demo, os.path.join(examples, "small_cnn_input.npy")]).stdout
rows = [line.split() for line in out.splitlines() if re.match(r"\s*\d+\s+[+-]", line)]
logits = np.array([[float(r[1]) for r in rows]], dtype=np.float32)
probs = np.array([[float(r[2]) for r in rows]], dtype=np.float32)
kt.assert_close(logits, expected["logits"], "C program logits vs onnxruntime", atol=2e-4)
kt.assert_close(probs, expected["probs"], "C program probs vs onnxruntime", atol=2e-4)

# Undefined symbols of the static library: only what libc/libm export.
foreign, undefined = kt.foreign_symbols(os.path.join(artifact, "libsmall_cnn.a"))
if foreign:
    raise SystemExit("generated code needs symbols outside libc/libm: %s" % foreign)
if not undefined:
    raise SystemExit("nm found no undefined symbol in libsmall_cnn.a: the check above proved nothing")
print("undefined symbols, all from libc/libm: %s" % " ".join(undefined))
