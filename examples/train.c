/* A C program that trains the bundled small CNN with nothing but the code Kiln generated.
 *
 * Build (test/e2e/example_train.py does this):
 *   kiln compile examples/small_cnn.onnx --train --optimizer momentum --lr 0.01 -o out
 *   cc examples/train.c -Iout out/libsmall_cnn.a -lm -o small_cnn_train
 *   ./small_cnn_train [EPOCHS [STATE_FILE]]
 *
 * The data set is generated here: 10 classes, each a bright 8x8 patch at its own place in a 32x32 image
 * (channel c % 3) plus noise. Every trained weight and the momentum buffers live in one state buffer of
 * SMALL_CNN_STATE_BYTES bytes: small_cnn_init_state fills it, small_cnn_train_step takes an image and its
 * class, returns the loss and the model's outputs (from the weights before the update) and updates the
 * state in place. The layout macros (SMALL_CNN_STATE<i>_NAME, _OFFSET, _BYTES, ...) say where each tensor
 * lies, so the program can save the state (to STATE_FILE), restore it and inspect it. Accuracy is measured
 * on held-out images with the same call, the state restored from a snapshot after each one.
 *
 * Inputs of train_step (manifest order): x, target. Outputs: loss, logits, probs, state. The model's batch
 * normalization is the inference form: its running statistics stay as compiled (not trained).
 */
#include "small_cnn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_CLASSES 10
#define PIXELS (3 * 32 * 32)

/* The header's counts must be the ones this program was written for. */
typedef char check_inputs[SMALL_CNN_TRAIN_STEP_NUM_INPUTS == 2 ? 1 : -1];
typedef char check_outputs[SMALL_CNN_TRAIN_STEP_NUM_OUTPUTS == 4 ? 1 : -1];
typedef char check_state[SMALL_CNN_TRAIN_STEP_OUTPUT3_BYTES == SMALL_CNN_STATE_BYTES ? 1 : -1];

/* A small deterministic generator (no global state: the caller owns it). */
static float uniform(unsigned long long *seed) {
  *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
  return (float)((*seed >> 40) & 0xFFFFFF) / (float)0x1000000;
}

static void make_image(int label, unsigned long long *seed, float *x) {
  for (int i = 0; i < PIXELS; ++i)
    x[i] = 0.3f * (uniform(seed) - 0.5f);
  int row = (label / 5) * 16 + 4, col = (label % 5) * 6;
  for (int r = row; r < row + 8; ++r)
    for (int c = col; c < col + 8 && c < 32; ++c)
      x[(label % 3) * 1024 + r * 32 + c] += 1.0f;
}

/* One call of train_step, which updates |state| in place; returns its loss and writes the predicted class. */
static float step(unsigned char *state, const float *x, long long label, int *predicted) {
  const void *inputs[SMALL_CNN_TRAIN_STEP_NUM_INPUTS] = {x, &label};
  float loss, logits[NUM_CLASSES], probs[NUM_CLASSES];
  void *outputs[SMALL_CNN_TRAIN_STEP_NUM_OUTPUTS] = {&loss, logits, probs, state};
  int status = small_cnn_train_step(inputs, outputs);
  if (status != KILN_CODE_OK) {
    fprintf(stderr, "small_cnn_train_step returned %d\n", status);
    exit(1);
  }
  int best = 0;
  for (int k = 1; k < NUM_CLASSES; ++k)
    if (logits[k] > logits[best])
      best = k;
  *predicted = best;
  return loss;
}

/* Predictions with the weights in |state|, which stays as it was: each step runs on |scratch|, a copy
 * restored before every image. */
static float accuracy(const unsigned char *state, unsigned char *scratch, const float *images, const int *labels,
                      int count) {
  int correct = 0, predicted;
  for (int i = 0; i < count; ++i) {
    memcpy(scratch, state, SMALL_CNN_STATE_BYTES);
    step(scratch, images + (size_t)i * PIXELS, labels[i], &predicted);
    correct += predicted == labels[i];
  }
  return (float)correct / (float)count;
}

/* The root mean square of state tensor |offset|, |elements| floats: inspection through the layout. */
static double rms(const unsigned char *state, size_t offset, size_t elements) {
  const float *w = (const float *)(state + offset);
  double sum = 0;
  for (size_t i = 0; i < elements; ++i)
    sum += (double)w[i] * w[i];
  return sqrt(sum / (double)elements);
}

int main(int argc, char **argv) {
  int epochs = argc > 1 ? atoi(argv[1]) : 4;
  enum { TRAIN = 200, TEST = 100 };
  static float train_x[TRAIN * PIXELS], test_x[TEST * PIXELS];
  int train_y[TRAIN], test_y[TEST];
  unsigned long long seed = 42;
  for (int i = 0; i < TRAIN; ++i) {
    train_y[i] = i % NUM_CLASSES;
    make_image(train_y[i], &seed, train_x + (size_t)i * PIXELS);
  }
  for (int i = 0; i < TEST; ++i) {
    test_y[i] = (i * 7) % NUM_CLASSES;
    make_image(test_y[i], &seed, test_x + (size_t)i * PIXELS);
  }

  /* The state buffer; malloc's alignment is enough (the tensors' offsets are multiples of 64). */
  unsigned char *state = malloc(SMALL_CNN_STATE_BYTES), *scratch = malloc(SMALL_CNN_STATE_BYTES);
  if (!state || !scratch)
    return 1;
  if (small_cnn_init_state(NULL, (void *const[]){state}) != KILN_CODE_OK)
    return 1;

  printf("accuracy before training: %.2f\n", accuracy(state, scratch, test_x, test_y, TEST));
  printf("%s rms before training: %.4f\n", SMALL_CNN_STATE0_NAME,
         rms(state, SMALL_CNN_STATE0_OFFSET, SMALL_CNN_STATE0_ELEMENTS));
  int predicted;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    double total = 0;
    for (int i = 0; i < TRAIN; ++i)
      total += step(state, train_x + (size_t)i * PIXELS, train_y[i], &predicted);
    printf("epoch %d mean loss %.4f\n", epoch + 1, total / TRAIN);
  }
  printf("%s rms after training: %.4f\n", SMALL_CNN_STATE0_NAME,
         rms(state, SMALL_CNN_STATE0_OFFSET, SMALL_CNN_STATE0_ELEMENTS));

  /* Save the state, restore it into a fresh buffer, and measure accuracy with the restored copy. */
  if (argc > 2) {
    FILE *f = fopen(argv[2], "wb");
    if (!f || fwrite(state, 1, SMALL_CNN_STATE_BYTES, f) != SMALL_CNN_STATE_BYTES || fclose(f) != 0)
      return 1;
    memset(state, 0, SMALL_CNN_STATE_BYTES);
    f = fopen(argv[2], "rb");
    if (!f || fread(state, 1, SMALL_CNN_STATE_BYTES, f) != SMALL_CNN_STATE_BYTES || fclose(f) != 0)
      return 1;
    printf("state saved to and restored from %s (%d bytes)\n", argv[2], SMALL_CNN_STATE_BYTES);
  }
  printf("accuracy after training: %.2f\n", accuracy(state, scratch, test_x, test_y, TEST));
  free(state);
  free(scratch);
  return 0;
}
