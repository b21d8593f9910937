/* A C program that trains the bundled small CNN with nothing but the code Kiln generated.
 *
 * Build (test/e2e/example_train.py does this):
 *   kiln compile examples/small_cnn.onnx --train --optimizer momentum --lr 0.01 -o out
 *   cc examples/train.c -Iout out/libsmall_cnn.a -lm -o small_cnn_train
 *
 * The data set is generated here: 10 classes, each a bright 8x8 patch at its own place in a 32x32 image
 * (channel c % 3) plus noise. small_cnn_init_state gives the initial weights and the optimizer state;
 * small_cnn_train_step takes an image, the weights, its class and the state, and returns the loss, the
 * model's outputs (from the weights it was given) and the weights and state after one SGD-with-momentum
 * step. Accuracy is measured on held-out images from the same call, its updated weights thrown away.
 *
 * Inputs of train_step (manifest order): x, the 10 trained weights, target, the 10 momentum buffers.
 * Outputs: loss, logits, probs, the 10 weights, the 10 buffers. init_state returns the 10 weights and the 10
 * buffers, in the order train_step takes them, so one array of 20 state buffers serves both. The model's
 * batch normalization is the inference form: its running statistics stay as compiled (not trained).
 */
#include "small_cnn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_WEIGHTS 10
#define NUM_STATE (2 * NUM_WEIGHTS)
#define NUM_CLASSES 10
#define PIXELS (3 * 32 * 32)

/* The header's counts must be the ones this program was written for. */
typedef char check_inputs[SMALL_CNN_TRAIN_STEP_NUM_INPUTS == 2 + NUM_STATE ? 1 : -1];
typedef char check_outputs[SMALL_CNN_TRAIN_STEP_NUM_OUTPUTS == 3 + NUM_STATE ? 1 : -1];
typedef char check_state[SMALL_CNN_INIT_STATE_NUM_OUTPUTS == NUM_STATE ? 1 : -1];

#define B(i) SMALL_CNN_INIT_STATE_OUTPUT##i##_BYTES
static const size_t state_bytes[NUM_STATE] = {B(0),  B(1),  B(2),  B(3),  B(4),  B(5),  B(6),
                                              B(7),  B(8),  B(9),  B(10), B(11), B(12), B(13),
                                              B(14), B(15), B(16), B(17), B(18), B(19)};

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

/* One call of train_step; returns its loss and writes the predicted class. */
static float step(void *const *state, void *const *next, const float *x, long long label, int *predicted) {
  const void *inputs[SMALL_CNN_TRAIN_STEP_NUM_INPUTS];
  void *outputs[SMALL_CNN_TRAIN_STEP_NUM_OUTPUTS];
  float loss, logits[NUM_CLASSES], probs[NUM_CLASSES];
  inputs[0] = x;
  for (int i = 0; i < NUM_WEIGHTS; ++i)
    inputs[1 + i] = state[i];
  inputs[1 + NUM_WEIGHTS] = &label;
  for (int i = NUM_WEIGHTS; i < NUM_STATE; ++i)
    inputs[2 + i] = state[i];
  outputs[0] = &loss;
  outputs[1] = logits;
  outputs[2] = probs;
  for (int i = 0; i < NUM_STATE; ++i)
    outputs[3 + i] = next[i];
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

static float accuracy(void *const *state, void *const *scratch, const float *images, const int *labels,
                      int count) {
  int correct = 0, predicted;
  for (int i = 0; i < count; ++i) {
    step(state, scratch, images + (size_t)i * PIXELS, labels[i], &predicted);
    correct += predicted == labels[i];
  }
  return (float)correct / (float)count;
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

  /* Two sets of state buffers: each step reads one and writes the other. */
  void *state[NUM_STATE], *next[NUM_STATE];
  for (int i = 0; i < NUM_STATE; ++i) {
    state[i] = malloc(state_bytes[i]);
    next[i] = malloc(state_bytes[i]);
    if (!state[i] || !next[i])
      return 1;
  }
  if (small_cnn_init_state(NULL, state) != KILN_CODE_OK)
    return 1;

  printf("accuracy before training: %.2f\n", accuracy(state, next, test_x, test_y, TEST));
  int predicted;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    double total = 0;
    for (int i = 0; i < TRAIN; ++i) {
      total += step(state, next, train_x + (size_t)i * PIXELS, train_y[i], &predicted);
      for (int k = 0; k < NUM_STATE; ++k) {
        void *t = state[k];
        state[k] = next[k];
        next[k] = t;
      }
    }
    printf("epoch %d mean loss %.4f\n", epoch + 1, total / TRAIN);
  }
  printf("accuracy after training: %.2f\n", accuracy(state, next, test_x, test_y, TEST));
  for (int i = 0; i < NUM_STATE; ++i) {
    free(state[i]);
    free(next[i]);
  }
  return 0;
}
