/* multi_model.c: a second hand-written model, for the names, dtypes and ranks fake_model.c lacks.
 *
 *   inputs   a        i32[4]
 *            mask:0   bool[4]
 *            scale    bf16[]      (a scalar)
 *   outputs  out/sum  i32[]       sum of a[i] where mask[i]
 *            half     f16[4]      a[i] * scale, as float16
 *            scaled   bf16[4]     a[i] * scale, as bfloat16 (truncated)
 *
 * One entry point, "run", which needs no scratch memory (scratch_bytes 0) and ignores its context.
 * Conversions are exact for the small values the tests use: no rounding logic.
 */
#include "kiln_abi.h"

#include <stdint.h>
#include <string.h>

static float bf16_to_float(uint16_t b) {
  uint32_t bits = (uint32_t)b << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static uint16_t float_to_bf16(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  return (uint16_t)(bits >> 16);
}

/* Truncating binary32 -> binary16 for normal values and zero; enough for test data. */
static uint16_t float_to_half(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  uint16_t sign = (uint16_t)((bits >> 16) & 0x8000u);
  int32_t exponent = (int32_t)((bits >> 23) & 0xFF) - 127 + 15;
  if ((bits & 0x7FFFFFFFu) == 0 || exponent <= 0)
    return sign;
  if (exponent >= 31)
    return (uint16_t)(sign | 0x7C00u);
  return (uint16_t)(sign | ((uint32_t)exponent << 10) | ((bits >> 13) & 0x3FFu));
}

static int compute(const void *const *inputs, void *const *outputs) {
  if (!inputs || !outputs)
    return 1;
  for (int i = 0; i < 3; ++i)
    if (!inputs[i] || !outputs[i])
      return 1;
  const int32_t *a = (const int32_t *)inputs[0];
  const uint8_t *mask = (const uint8_t *)inputs[1];
  uint16_t scale;
  memcpy(&scale, inputs[2], sizeof scale);
  int32_t sum = 0;
  for (int i = 0; i < 4; ++i) {
    if (mask[i])
      sum += a[i];
    float product = (float)a[i] * bf16_to_float(scale);
    uint16_t half = float_to_half(product), bf = float_to_bf16(product);
    memcpy((char *)outputs[1] + 2 * i, &half, 2);
    memcpy((char *)outputs[2] + 2 * i, &bf, 2);
  }
  memcpy(outputs[0], &sum, sizeof sum);
  return 0;
}

int multi_run_ctx(const kiln_context_t *ctx, const void *const *inputs, void *const *outputs) {
  (void)ctx;
  return compute(inputs, outputs);
}

int multi_run(const void *const *inputs, void *const *outputs) { return multi_run_ctx(NULL, inputs, outputs); }

const char *multi_signature(void) {
  return KILN_ABI_TAG "|run:in=a:i32[4],mask%3A0:i1[4],scale:bf16[];out=out%2Fsum:i32[],half:f16[4],scaled:bf16[4]";
}
