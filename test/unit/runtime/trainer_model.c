/* trainer_model.c: a hand-written model with a training state buffer, as `kiln compile --train` makes one.
 *
 *   state       w f32[2] at byte 0, w.momentum f32[2] at byte 64 (KILN_STATE_ALIGNMENT); 72 bytes
 *   init_state  outputs state u8[72]: w = {1, 2}, w.momentum = {0, 0}
 *   train_step  inputs x f32[2], target f32[]; outputs loss f32[], state u8[72]
 *               loss = w . x - target (before the update); w.momentum += x; w -= w.momentum (in place)
 *
 * Entry points need no scratch memory and ignore their context.
 */
#include "kiln_abi.h"

#include <stddef.h>
#include <string.h>

#define W_OFFSET 0
#define MOMENTUM_OFFSET 64

int trainer_init_state_ctx(const kiln_context_t *ctx, const void *const *inputs, void *const *outputs) {
  (void)ctx;
  (void)inputs;
  if (!outputs || !outputs[0])
    return KILN_CODE_NULL_ARGUMENT;
  unsigned char *state = (unsigned char *)outputs[0];
  const float w[2] = {1, 2}, zero[2] = {0, 0};
  memcpy(state + W_OFFSET, w, sizeof w);
  memcpy(state + MOMENTUM_OFFSET, zero, sizeof zero);
  return KILN_CODE_OK;
}

int trainer_init_state(const void *const *inputs, void *const *outputs) {
  return trainer_init_state_ctx(NULL, inputs, outputs);
}

int trainer_train_step_ctx(const kiln_context_t *ctx, const void *const *inputs, void *const *outputs) {
  (void)ctx;
  if (!inputs || !outputs || !inputs[0] || !inputs[1] || !outputs[0] || !outputs[1])
    return KILN_CODE_NULL_ARGUMENT;
  float x[2], target, w[2], m[2];
  unsigned char *state = (unsigned char *)outputs[1];
  memcpy(x, inputs[0], sizeof x);
  memcpy(&target, inputs[1], sizeof target);
  memcpy(w, state + W_OFFSET, sizeof w);
  memcpy(m, state + MOMENTUM_OFFSET, sizeof m);
  float loss = w[0] * x[0] + w[1] * x[1] - target;
  for (int i = 0; i < 2; ++i) {
    m[i] += x[i];
    w[i] -= m[i];
  }
  memcpy(outputs[0], &loss, sizeof loss);
  memcpy(state + W_OFFSET, w, sizeof w);
  memcpy(state + MOMENTUM_OFFSET, m, sizeof m);
  return KILN_CODE_OK;
}

int trainer_train_step(const void *const *inputs, void *const *outputs) {
  return trainer_train_step_ctx(NULL, inputs, outputs);
}

const char *trainer_signature(void) {
  return KILN_ABI_TAG "|init_state:in=;out=state:u8[72]"
                      "|train_step:in=x:f32[2],target:f32[];out=loss:f32[],state:u8[72]"
                      "|state=w:f32[2]@0,w.momentum:f32[2]@64";
}
