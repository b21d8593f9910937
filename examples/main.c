/* A C program that links a Kiln-compiled model statically.
 *
 * Build (scripts/run-example.sh does this):
 *   kiln compile examples/small_cnn.onnx -o out
 *   cc examples/main.c -Iout out/libsmall_cnn.a -lm -o small_cnn_demo
 *
 * Everything the program needs to know about the model (counts, shapes,
 * sizes) comes from the generated header small_cnn.h.
 */
#include "small_cnn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Reads a float32 .npy file of exactly `count` elements (the sample input). */
static int read_npy_f32(const char *path, float *data, size_t count) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  unsigned char preamble[10];
  int ok = fread(preamble, 1, 10, f) == 10 && preamble[0] == 0x93 && preamble[6] == 1;
  if (ok) {
    /* Version 1.0: a 2-byte header length, then the header text. */
    long header = preamble[8] | (preamble[9] << 8);
    ok = fseek(f, 10 + header, SEEK_SET) == 0 && fread(data, sizeof(float), count, f) == count;
  }
  fclose(f);
  return ok ? 0 : -1;
}

int main(int argc, char **argv) {
  static float x[SMALL_CNN_INPUT0_ELEMENTS];
  if (argc > 1) {
    if (read_npy_f32(argv[1], x, SMALL_CNN_INPUT0_ELEMENTS) != 0) {
      fprintf(stderr, "cannot read %s as float32[1,3,32,32] .npy\n", argv[1]);
      return 1;
    }
  } else {
    for (int i = 0; i < SMALL_CNN_INPUT0_ELEMENTS; ++i)
      x[i] = sinf(0.01f * (float)i);
  }

  float logits[SMALL_CNN_OUTPUT0_ELEMENTS], probs[SMALL_CNN_OUTPUT1_ELEMENTS];
  const void *inputs[SMALL_CNN_NUM_INPUTS] = {x};
  void *outputs[SMALL_CNN_NUM_OUTPUTS] = {logits, probs};

  int status = small_cnn_run(inputs, outputs);
  if (status != KILN_CODE_OK) {
    fprintf(stderr, "small_cnn_run failed with status %d\n", status);
    return 1;
  }

  int best = 0;
  printf("class  logit      probability\n");
  for (int i = 0; i < SMALL_CNN_OUTPUT0_ELEMENTS; ++i) {
    printf("%5d  %+.6f  %.6f\n", i, logits[i], probs[i]);
    if (logits[i] > logits[best])
      best = i;
  }
  printf("predicted class: %d (p = %.4f)\n", best, probs[best]);
  return 0;
}
