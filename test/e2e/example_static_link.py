# The bundled example, in both its ONNX and JSON forms, against onnxruntime:
# through `kiln run`, and through a C program that links libsmall_cnn.a with
# nothing but libc and libm. Also checks that every undefined symbol of the
# generated objects is exported by libc or libm, and that two models link
# into one program: the objects' internal symbols (kernels, weights) are
# named after the model, so two libraries define none twice.
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

# Two models in one program: small_cnn under two names, both static libraries
# linked (a symbol defined twice fails the link), each run on the input.
two = os.path.join(work, "two")
for name in ("first", "second"):
    kt.compile_model(os.path.join(examples, "small_cnn.onnx"), os.path.join(two, name), name=name)
main = os.path.join(two, "main.c")
with open(main, "w") as f:
    f.write("""#include <stdio.h>
#include "first.h"
#include "second.h"
int main(int argc, char **argv) {
  static float x[FIRST_INPUT0_BYTES / sizeof(float)], l1[10], p1[10], l2[10], p2[10];
  if (argc != 2) return 1;
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(x, 1, sizeof x, f) != sizeof x) return 2;
  fclose(f);
  const void *in[1] = {x};
  void *o1[2] = {l1, p1}, *o2[2] = {l2, p2};
  if (first_run(in, o1) != 0 || second_run(in, o2) != 0) return 3;
  for (int i = 0; i < 10; ++i) printf("%.7g %.7g\\n", l1[i], l2[i]);
  return 0;
}
""")
raw = os.path.join(two, "x.bin")
x.astype(np.float32).tofile(raw)
exe = os.path.join(two, "main")
kt.run_tool([kt.CC, "-std=c11", "-Wall", "-Wextra", "-Werror", main, "-I" + os.path.join(two, "first"),
             "-I" + os.path.join(two, "second"), os.path.join(two, "first", "libfirst.a"),
             os.path.join(two, "second", "libsecond.a"), "-lm", "-o", exe])
pairs = np.array([[float(v) for v in line.split()] for line in kt.run_tool([exe, raw]).stdout.splitlines()],
                 dtype=np.float32)
kt.assert_close(pairs[:, 0][None], expected["logits"], "first_run in a program with two models", atol=2e-4)
kt.assert_close(pairs[:, 1][None], expected["logits"], "second_run in a program with two models", atol=2e-4)
