/* gpu_model.c: a hand-written stand-in for the host code of a CUDA artifact (kiln compile --target cuda),
 * exporting what docs/artifact-format.md ("CUDA artifacts") says generated code exports and doing what it
 * says generated code does: every buffer is a device address it never dereferences, and each kernel is
 * launched through ctx->device->launch on ctx->stream. With fake_cuda.c's kernels (gpu.json.in, the images):
 *
 *   input  x  f32[2,4]
 *   weights  w f32[8] at 0, b f32[8] at 64 (gpu.weights.bin, gpu_weights.c)
 *   kernel 0 gpu_run_k0_mul  grid 2,1,1  block 4,1,1  shared 0    t = x * w   (t: the first 32 scratch bytes)
 *   kernel 1 gpu_run_k1_add  grid 1,1,1  block 8,1,1  shared 128  y = t + b
 *   output y  f32[2,4]
 *
 * Returns KILN_CODE_NO_DEVICE without a context, a device or the scratch it needs, and
 * KILN_CODE_LAUNCH_FAILED (launching nothing more) when a launch fails.
 */
#include "kiln_abi.h"

#include <stdint.h>

#define GPU_SCRATCH_BYTES 32
#define GPU_WEIGHTS_BYTES 96

int gpu_run_ctx(const kiln_context_t *ctx, const void *const *inputs, void *const *outputs) {
  if (!ctx || ctx->abi_version != KILN_ABI_VERSION || ctx->struct_size < sizeof(kiln_context_t))
    return ctx ? KILN_CODE_BAD_CONTEXT : KILN_CODE_NO_DEVICE;
  if (!ctx->device || !ctx->device->launch || !ctx->scratch)
    return KILN_CODE_NO_DEVICE;
  if (ctx->scratch_bytes < GPU_SCRATCH_BYTES)
    return KILN_CODE_SCRATCH_TOO_SMALL;
  if ((uintptr_t)ctx->scratch % KILN_SCRATCH_ALIGNMENT != 0)
    return KILN_CODE_MISALIGNED_SCRATCH;
  if (!ctx->weights || ctx->weights_bytes != GPU_WEIGHTS_BYTES)
    return KILN_CODE_MISSING_WEIGHTS;
  if (!inputs || !outputs || !inputs[0] || !outputs[0])
    return KILN_CODE_NULL_ARGUMENT;
  /* Device addresses: computed with, never read. */
  void *x = (void *)inputs[0], *y = outputs[0], *t = ctx->scratch;
  void *w = (void *)((uintptr_t)ctx->weights + 0), *b = (void *)((uintptr_t)ctx->weights + 64);
  void *k0[3] = {&x, &w, &t};
  if (ctx->device->launch(ctx->device, ctx->stream, 0, 2, 1, 1, 4, 1, 1, 0, k0) != 0)
    return KILN_CODE_LAUNCH_FAILED;
  void *k1[3] = {&t, &b, &y};
  if (ctx->device->launch(ctx->device, ctx->stream, 1, 1, 1, 1, 8, 1, 1, 128, k1) != 0)
    return KILN_CODE_LAUNCH_FAILED;
  return KILN_CODE_OK;
}

int gpu_run(const void *const *inputs, void *const *outputs) { return gpu_run_ctx(NULL, inputs, outputs); }

const char *gpu_signature(void) { return KILN_ABI_TAG "|run:in=x:f32[2,4];out=y:f32[2,4]|weights=w:f32[8]@0,b:f32[8]@64"; }
