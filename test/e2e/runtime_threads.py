# One model loaded through the C runtime and run from several threads at once:
# each thread runs the bundled small CNN (conv, batch norm, pooling, residual
# add, softmax) many times on its own input, and every thread's last outputs
# must match onnxruntime on that input. Concurrent calls share the model and
# the weights; each allocates its own scratch memory, or (odd threads) uses a
# scratch buffer of its own through kiln_model_run_with_scratch.
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np

import kiln_testing as kt

THREADS, RUNS = 4, 25

C_PROGRAM = r"""
#include "kiln_runtime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { THREADS = %(threads)d, RUNS = %(runs)d, IN = 3 * 32 * 32, OUT = 10 };

static kiln_model_t *model;
static float inputs[THREADS][IN];
static float logits[THREADS][OUT], probs[THREADS][OUT];
static int failures;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *work(void *arg) {
  int t = (int)(size_t)arg;
  kiln_input_t in[1] = {{inputs[t], sizeof inputs[t]}};
  kiln_output_t out[2] = {{logits[t], sizeof logits[t]}, {probs[t], sizeof probs[t]}};
  size_t scratch_bytes = kiln_model_scratch_bytes(model);
  void *scratch = aligned_alloc(64, (scratch_bytes + 63) / 64 * 64 + 64);
  for (int r = 0; r < RUNS; ++r) {
    kiln_status_t s = (t %% 2) ? kiln_model_run_with_scratch(model, in, 1, out, 2, scratch, scratch_bytes)
                              : kiln_model_run(model, in, 1, out, 2);
    if (s != KILN_OK) {
      pthread_mutex_lock(&lock);
      ++failures;
      fprintf(stderr, "thread %%d run %%d: %%s\n", t, r, kiln_last_error());
      pthread_mutex_unlock(&lock);
    }
  }
  free(scratch);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4)
    return 2;
  if (kiln_model_load(argv[1], &model) != KILN_OK) {
    fprintf(stderr, "load: %%s\n", kiln_last_error());
    return 1;
  }
  FILE *f = fopen(argv[2], "rb");
  if (!f || fread(inputs, sizeof inputs, 1, f) != 1)
    return 1;
  fclose(f);
  pthread_t threads[THREADS];
  for (int t = 0; t < THREADS; ++t)
    pthread_create(&threads[t], NULL, work, (void *)(size_t)t);
  for (int t = 0; t < THREADS; ++t)
    pthread_join(threads[t], NULL);
  f = fopen(argv[3], "wb");
  if (!f || fwrite(logits, sizeof logits, 1, f) != 1 || fwrite(probs, sizeof probs, 1, f) != 1)
    return 1;
  fclose(f);
  kiln_model_destroy(model);
  return failures ? 1 : 0;
}
"""

work = sys.argv[1]
os.makedirs(work)
model = os.path.join(kt.SRC, "examples", "small_cnn.onnx")
artifact = kt.compile_model(model, os.path.join(work, "small_cnn"))

src = os.path.join(work, "threads.c")
with open(src, "w") as f:
    f.write(C_PROGRAM % {"threads": THREADS, "runs": RUNS})
exe = os.path.join(work, "threads")
obj_root = os.environ["KILN_OBJ_ROOT"]
kt.run_tool([kt.CC, "-std=c11", "-O1", "-Wall", "-Wextra", "-Werror", src,
             "-I" + os.path.join(kt.SRC, "runtime"),
             os.path.join(obj_root, "lib", "libkiln_runtime.a")] + kt.RUNTIME_LINK_FLAGS +
            ["-o", exe])

rng = np.random.default_rng(11)
inputs = rng.standard_normal((THREADS, 1, 3, 32, 32)).astype(np.float32)
inputs.tofile(os.path.join(work, "inputs.bin"))
kt.run_tool([exe, artifact, os.path.join(work, "inputs.bin"), os.path.join(work, "outputs.bin")])
outputs = np.fromfile(os.path.join(work, "outputs.bin"), dtype=np.float32)
logits = outputs[:THREADS * 10].reshape(THREADS, 1, 10)
probs = outputs[THREADS * 10:].reshape(THREADS, 1, 10)

for t in range(THREADS):
    expected = kt.onnxruntime_outputs(model, {"x": inputs[t]})
    kt.assert_close(logits[t], expected["logits"], "thread %d logits vs onnxruntime" % t)
    kt.assert_close(probs[t], expected["probs"], "thread %d probs vs onnxruntime" % t)
# Different inputs really gave different answers (the check above is not vacuous).
assert not np.allclose(logits[0], logits[1])
