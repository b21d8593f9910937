# --weights external: the float weights go to NAME.weights.bin, the manifest
# lists them with their offsets and the entry points, and the artifact run
# through `kiln run` (the runtime maps the file) and through a C program
# (which reads it and passes it in a kiln_context_t) gives the embedded
# build's outputs bit for bit. A C program also drives NAME_run_ctx through
# every return code of docs/artifact-format.md: a caller's scratch (used,
# misaligned, too small), a context of another ABI version or size, missing
# or truncated weights, NULL buffers.
# RUN: rm -rf %t && %python %s %t
import json
import os
import sys

import numpy as np

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
model = os.path.join(kt.SRC, "examples", "small_cnn.onnx")
x = np.load(os.path.join(kt.SRC, "examples", "small_cnn_input.npy"))

embedded = kt.compile_model(model, os.path.join(work, "embedded"))
external = kt.compile_model(model, os.path.join(work, "external"), extra=["--weights", "external"])

with open(os.path.join(external, "small_cnn.json")) as f:
    manifest = json.load(f)
assert [e["name"] for e in manifest["entry_points"]] == ["run"], manifest["entry_points"]
weights = manifest["weights"]
names = [t["name"] for t in weights["tensors"]]
assert "conv1.w" in names and "conv1.b" in names, names
assert all(t["offset"] % 64 == 0 for t in weights["tensors"])
assert os.path.getsize(os.path.join(external, manifest["files"]["weights"])) == weights["bytes"]
assert "weights" not in json.load(open(os.path.join(embedded, "small_cnn.json")))
print("manifest: entry points %s, %d weights in %d bytes" % (
    [e["symbol"] for e in manifest["entry_points"]], len(names), weights["bytes"]))

# The same numbers, bit for bit, however the weights arrive.
want = kt.run_artifact(embedded, {"x": x})
for how, got in [("kiln run", kt.run_artifact(external, {"x": x})),
                 ("C program", kt.run_static_c(external, {"x": x})),
                 ("embedded, C program", kt.run_static_c(embedded, {"x": x}))]:
    for name, value in want.items():
        if not np.array_equal(got[name].view(np.uint32), value.view(np.uint32)):
            raise SystemExit("%s: %s differs from the embedded build" % (how, name))
    print("%s: bit for bit equal to the embedded build" % how)
reference = kt.onnxruntime_outputs(model, {"x": x})
for name, value in want.items():
    kt.assert_close(value, reference[name], "embedded %s vs onnxruntime" % name)

# Every return code of NAME_run_ctx, from a C program linking the static library.
DRIVER = r"""
#include "small_cnn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *slurp(const char *path, size_t bytes) {
  void *p = malloc(bytes);
  FILE *f = fopen(path, "rb");
  if (!p || !f || fread(p, 1, bytes, f) != bytes) exit(3);
  fclose(f);
  return p;
}

#define EXPECT(what, got, want) \
  do { int g_ = (got); if (g_ != (want)) { printf("FAIL %s: %d, expected %d\n", what, g_, want); return 1; } \
       printf("%s: %d\n", what, g_); } while (0)

int main(int argc, char **argv) {
  (void)argc;
  static float x[SMALL_CNN_INPUT0_ELEMENTS], logits[10], probs[10], again[10], scratch_probs[10];
  const void *in[1] = {x};
  void *out[2] = {logits, probs};
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", argv[1], SMALL_CNN_WEIGHTS_FILE);
  void *weights = slurp(path, SMALL_CNN_WEIGHTS_BYTES);
  for (int i = 0; i < SMALL_CNN_INPUT0_ELEMENTS; ++i) x[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;

  kiln_context_t ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.abi_version = KILN_ABI_VERSION;
  ctx.struct_size = sizeof ctx;
  EXPECT("no context (weights missing)", small_cnn_run(in, out), KILN_CODE_MISSING_WEIGHTS);
  EXPECT("context without weights", small_cnn_run_ctx(&ctx, in, out), KILN_CODE_MISSING_WEIGHTS);
  ctx.weights = weights;
  ctx.weights_bytes = SMALL_CNN_WEIGHTS_BYTES - 1;
  EXPECT("truncated weights", small_cnn_run_ctx(&ctx, in, out), KILN_CODE_MISSING_WEIGHTS);
  ctx.weights_bytes = SMALL_CNN_WEIGHTS_BYTES;
  EXPECT("weights, scratch allocated", small_cnn_run_ctx(&ctx, in, out), KILN_CODE_OK);

  kiln_context_t old = ctx;
  old.abi_version = KILN_ABI_VERSION - 1;
  EXPECT("another ABI version", small_cnn_run_ctx(&old, in, out), KILN_CODE_BAD_CONTEXT);
  old = ctx;
  old.struct_size = 16;
  EXPECT("a context too small", small_cnn_run_ctx(&old, in, out), KILN_CODE_BAD_CONTEXT);

  /* A caller's scratch: too small, misaligned, then right (and really used). */
  size_t bytes = SMALL_CNN_SCRATCH_BYTES;
  unsigned char *scratch = aligned_alloc(KILN_SCRATCH_ALIGNMENT, bytes + KILN_SCRATCH_ALIGNMENT);
  ctx.scratch = scratch;
  ctx.scratch_bytes = bytes - 1;
  EXPECT("scratch too small", small_cnn_run_ctx(&ctx, in, out), KILN_CODE_SCRATCH_TOO_SMALL);
  ctx.scratch = scratch + 4;
  ctx.scratch_bytes = bytes;
  EXPECT("misaligned scratch", small_cnn_run_ctx(&ctx, in, out), KILN_CODE_MISALIGNED_SCRATCH);
  memset(scratch, 0xAB, bytes);
  ctx.scratch = scratch;
  out[0] = again;
  out[1] = scratch_probs;
  EXPECT("caller's scratch", small_cnn_run_ctx(&ctx, in, out), KILN_CODE_OK);
  size_t touched = 0;
  for (size_t i = 0; i < bytes; ++i) touched += scratch[i] != 0xAB;
  if (touched == 0) { printf("FAIL the caller's scratch was not used\n"); return 1; }
  if (memcmp(again, logits, sizeof logits) || memcmp(scratch_probs, probs, sizeof probs)) {
    printf("FAIL the caller's scratch changed the results\n");
    return 1;
  }
  printf("caller's scratch used (%zu of %zu bytes written), same results\n", touched, bytes);

  const void *null_in[1] = {NULL};
  EXPECT("NULL input buffer", small_cnn_run_ctx(&ctx, null_in, out), KILN_CODE_NULL_ARGUMENT);
  EXPECT("NULL input array", small_cnn_run_ctx(&ctx, NULL, out), KILN_CODE_NULL_ARGUMENT);
  EXPECT("NULL output array", small_cnn_run_ctx(&ctx, in, NULL), KILN_CODE_NULL_ARGUMENT);
  printf("signature: %s\n", small_cnn_signature());
  return 0;
}
"""
src = os.path.join(work, "driver.c")
with open(src, "w") as f:
    f.write(DRIVER)
exe = os.path.join(work, "driver")
kt.run_tool([kt.CC, "-std=c11", "-O1", "-Wall", "-Wextra", "-Werror", src, "-I" + external,
             os.path.join(external, "libsmall_cnn.a"), "-lm", "-o", exe])
proc = kt.run_tool([exe, external])
print(proc.stdout, end="")
assert proc.stdout.splitlines()[-1] == "signature: " + manifest["signature"], proc.stdout
