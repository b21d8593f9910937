/* lin_model.c: a fake artifact with two entry points and external weights (docs/artifact-format.md), as
 * `kiln compile --weights external` writes for a model with a gradient. Artifact name "lin".
 *
 *   weights  w f32[3] at offset 0, b f32[3] at offset 64, in a 128-byte lin.weights.bin (lin_weights.c)
 *   run      x f32[3] -> y f32[3]                   y = w * x + b          (no scratch)
 *   grad     x f32[3], dy f32[3] -> dx f32[3],     dx = dy * w, dw = dy * x  (LIN_GRAD_SCRATCH bytes of
 *                                  dw f32[3]                                 scratch)
 *
 * Every entry point reads w (and b) from ctx->weights, so only a runtime that mapped the right file and
 * passed it gives the right numbers; without them (ctx NULL, ctx->weights NULL, or ctx->weights_bytes not
 * 128) it returns KILN_CODE_MISSING_WEIGHTS, as generated code does.
 *
 * Build-time knobs:
 *   LIN_FIRST               the first entry point's name (default run); another name makes a model
 *                           without "run"
 *   LIN_EMBEDDED_SIGNATURE  leave the weights out of the signature, for a manifest that claims embedded
 *                           weights (the runtime then passes none, and the code refuses to run)
 */
#include "kiln_abi.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef LIN_FIRST
#define LIN_FIRST run
#endif

#define LIN_WEIGHTS_BYTES 128
#define LIN_W_OFFSET 0
#define LIN_B_OFFSET 64
#define LIN_GRAD_SCRATCH 64

#define STR2(x) #x
#define STR(x) STR2(x)
#define CAT3(a, b, c) a##b##c
#define SYMBOL(entry, suffix) CAT3(lin_, entry, suffix)

static int bad_context(const kiln_context_t *ctx) {
  return ctx && (ctx->abi_version != KILN_ABI_VERSION || ctx->struct_size < sizeof(kiln_context_t));
}

/* The weights the caller passed, or NULL if they are missing or of the wrong size. */
static const unsigned char *weights(const kiln_context_t *ctx) {
  if (!ctx || !ctx->weights || ctx->weights_bytes != LIN_WEIGHTS_BYTES)
    return NULL;
  return (const unsigned char *)ctx->weights;
}

static float weight_at(const unsigned char *file, size_t offset, int i) {
  float v;
  memcpy(&v, file + offset + 4 * (size_t)i, sizeof v);
  return v;
}

static int null_buffers(const void *const *inputs, int n_in, void *const *outputs, int n_out) {
  if (!inputs || !outputs)
    return 1;
  for (int i = 0; i < n_in; ++i)
    if (!inputs[i])
      return 1;
  for (int i = 0; i < n_out; ++i)
    if (!outputs[i])
      return 1;
  return 0;
}

int SYMBOL(LIN_FIRST, _ctx)(const kiln_context_t *ctx, const void *const *inputs, void *const *outputs) {
  if (null_buffers(inputs, 1, outputs, 1))
    return KILN_CODE_NULL_ARGUMENT;
  if (bad_context(ctx))
    return KILN_CODE_BAD_CONTEXT;
  const unsigned char *file = weights(ctx);
  if (!file)
    return KILN_CODE_MISSING_WEIGHTS;
  const float *x = (const float *)inputs[0];
  float *y = (float *)outputs[0];
  for (int i = 0; i < 3; ++i)
    y[i] = weight_at(file, LIN_W_OFFSET, i) * x[i] + weight_at(file, LIN_B_OFFSET, i);
  return KILN_CODE_OK;
}

int SYMBOL(LIN_FIRST, )(const void *const *inputs, void *const *outputs) {
  return SYMBOL(LIN_FIRST, _ctx)(NULL, inputs, outputs);
}

/* The products go through scratch memory, as intermediates of generated code do. */
static void grad(const unsigned char *file, const void *const *inputs, void *const *outputs, float *scratch) {
  const float *x = (const float *)inputs[0], *dy = (const float *)inputs[1];
  for (int i = 0; i < 3; ++i) {
    scratch[i] = dy[i] * weight_at(file, LIN_W_OFFSET, i);
    scratch[3 + i] = dy[i] * x[i];
  }
  memcpy(outputs[0], scratch, 3 * sizeof(float));
  memcpy(outputs[1], scratch + 3, 3 * sizeof(float));
}

int lin_grad_ctx(const kiln_context_t *ctx, const void *const *inputs, void *const *outputs) {
  if (null_buffers(inputs, 2, outputs, 2))
    return KILN_CODE_NULL_ARGUMENT;
  if (bad_context(ctx))
    return KILN_CODE_BAD_CONTEXT;
  const unsigned char *file = weights(ctx);
  if (!file)
    return KILN_CODE_MISSING_WEIGHTS;
  if (ctx->scratch) {
    if ((uintptr_t)ctx->scratch % KILN_SCRATCH_ALIGNMENT != 0)
      return KILN_CODE_MISALIGNED_SCRATCH;
    if (ctx->scratch_bytes < LIN_GRAD_SCRATCH)
      return KILN_CODE_SCRATCH_TOO_SMALL;
    grad(file, inputs, outputs, (float *)ctx->scratch);
    return KILN_CODE_OK;
  }
  float *scratch = (float *)aligned_alloc(KILN_SCRATCH_ALIGNMENT, LIN_GRAD_SCRATCH);
  if (!scratch)
    return KILN_CODE_OUT_OF_MEMORY;
  grad(file, inputs, outputs, scratch);
  free(scratch);
  return KILN_CODE_OK;
}

int lin_grad(const void *const *inputs, void *const *outputs) { return lin_grad_ctx(NULL, inputs, outputs); }

#ifdef LIN_EMBEDDED_SIGNATURE
#define LIN_WEIGHTS_SIGNATURE ""
#else
#define LIN_WEIGHTS_SIGNATURE "|weights=w:f32[3]@0,b:f32[3]@64"
#endif

const char *lin_signature(void) {
  return KILN_ABI_TAG "|" STR(LIN_FIRST) ":in=x:f32[3];out=y:f32[3]|grad:in=x:f32[3],dy:f32[3];out=dx:f32[3],"
                                         "dw:f32[3]" LIN_WEIGHTS_SIGNATURE;
}
