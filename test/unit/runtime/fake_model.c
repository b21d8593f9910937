/* fake_model.c: a hand-written stand-in for a Kiln-compiled model, exporting what the compiler's code
 * exports for artifact format 2 (docs/artifact-format.md) so the runtime can be tested without the compiler.
 * One entry point, "run":
 *
 *   input  x   f32[ROWS,COLS]
 *   output y   f32[ROWS,COLS]  y = 2x + 1
 *   output idx i64[ROWS]       idx[r] = argmax of row r (first maximum)
 *
 * It needs FAKE_SCRATCH_BYTES of scratch memory and leaves 2 * (the last row of x) at its start, so a test
 * can see that the caller's scratch buffer was the one used.
 *
 * Build-time knobs (CMake sets them per fixture):
 *   FAKE_ROWS, FAKE_COLS     the shape (defaults 2, 3); FAKE_ROWS=0 gives zero-byte tensors
 *   FAKE_RESULT              a code the entry point returns instead of computing (default 0: compute)
 *   FAKE_RESULT_FROM_INPUT   return (int)x[0] instead of computing: one library for every return code
 *   FAKE_OMIT_SIGNATURE      leave out fake_signature, as a broken library would
 *   FAKE_OMIT_CTX            leave out fake_run_ctx
 *   FAKE_OMIT_PLAIN          leave out fake_run
 *   FAKE_EMPTY_WEIGHTS       compiled with external weights that hold no tensor: the signature ends in
 *                            "|weights=", and the code wants a non-NULL ctx->weights of 0 bytes
 *
 * With a context of num_threads > 1, it wants the pool too (parallel_for and pool non-NULL) and computes
 * idx through parallel_for, one task per row, as generated code does; fake_threads_last_run() returns the
 * last run's ctx->num_threads (0 without a context), and fake_scratch_last_run() its ctx->scratch (NULL
 * without a context or scratch), so a test can see what the runtime lent.
 */
#include "kiln_abi.h"

#include <stdint.h>
#include <stdlib.h>

#ifndef FAKE_ROWS
#define FAKE_ROWS 2
#endif
#ifndef FAKE_COLS
#define FAKE_COLS 3
#endif
#ifndef FAKE_RESULT
#define FAKE_RESULT 0
#endif

#define FAKE_SCRATCH_BYTES 64
#define STR2(x) #x
#define STR(x) STR2(x)

/* The helpers are static so that each fixture's library uses its own code even when several libraries
 * exporting the same names are loaded into one process. */

#ifndef FAKE_OMIT_CTX
/* As generated code checks its arguments: only non-empty buffers must be non-NULL. */
static int null_argument(const void *const *inputs, void *const *outputs) {
  if (!inputs || !outputs)
    return 1;
  return FAKE_ROWS * FAKE_COLS != 0 && (!inputs[0] || !outputs[0] || !outputs[1]);
}

static uint32_t threads_last_run;

uint32_t fake_threads_last_run(void) { return threads_last_run; }

static void *scratch_last_run;

void *fake_scratch_last_run(void) { return scratch_last_run; }

struct argmax_task {
  const float *x;
  int64_t *idx;
};

static int64_t row_argmax(const float *x, size_t r) {
  int64_t best = 0;
  for (int c = 0; c < FAKE_COLS; ++c)
    if (x[r * FAKE_COLS + c] > x[r * FAKE_COLS + best])
      best = c;
  return best;
}

static void argmax_row(void *arg, size_t r) {
  const struct argmax_task *task = (const struct argmax_task *)arg;
  task->idx[r] = row_argmax(task->x, r);
}

static int compute(const void *const *inputs, void *const *outputs, float *twice) {
  const float *x = (const float *)inputs[0];
  float *y = (float *)outputs[0];
  int64_t *idx = (int64_t *)outputs[1];
  /* Goes through the scratch buffer, as real generated code does for intermediates. */
  for (int r = 0; r < FAKE_ROWS; ++r) {
    for (int c = 0; c < FAKE_COLS; ++c)
      twice[c] = 2.0f * x[r * FAKE_COLS + c];
    int64_t best = 0;
    for (int c = 0; c < FAKE_COLS; ++c) {
      y[r * FAKE_COLS + c] = twice[c] + 1.0f;
      if (x[r * FAKE_COLS + c] > x[r * FAKE_COLS + best])
        best = c;
    }
    idx[r] = best;
  }
  return KILN_CODE_OK;
}

/* The context checks generated code makes: a context of this ABI whose reserved fields are zero. */
static int bad_context(const kiln_context_t *ctx) {
  return ctx->abi_version != KILN_ABI_VERSION || ctx->struct_size < sizeof(kiln_context_t) ||
         ctx->reserved0 != 0 || ctx->device || ctx->stream;
}

int fake_run_ctx(const kiln_context_t *ctx, const void *const *inputs, void *const *outputs) {
  if (FAKE_RESULT != 0)
    return FAKE_RESULT;
  if (null_argument(inputs, outputs))
    return KILN_CODE_NULL_ARGUMENT;
#ifdef FAKE_RESULT_FROM_INPUT
  return (int)((const float *)inputs[0])[0];
#endif
  if (ctx && bad_context(ctx))
    return KILN_CODE_BAD_CONTEXT;
  threads_last_run = ctx ? ctx->num_threads : 0;
  if (ctx && ctx->num_threads > 1) {
    if (!ctx->parallel_for || !ctx->pool)
      return KILN_CODE_BAD_CONTEXT;
    int64_t *idx = (int64_t *)outputs[1];
    for (int r = 0; r < FAKE_ROWS; ++r)
      idx[r] = -1;
    struct argmax_task task = {(const float *)inputs[0], idx};
    ctx->parallel_for(ctx->pool, FAKE_ROWS, argmax_row, &task);
    /* compute() below writes idx again; the pool's answer must already be right. */
    for (int r = 0; r < FAKE_ROWS; ++r)
      if (idx[r] != row_argmax(task.x, (size_t)r))
        return KILN_CODE_BAD_CONTEXT;
  }
#ifdef FAKE_EMPTY_WEIGHTS
  if (!ctx || !ctx->weights || ctx->weights_bytes != 0)
    return KILN_CODE_MISSING_WEIGHTS;
#endif
  scratch_last_run = ctx ? ctx->scratch : NULL;
  if (ctx && ctx->scratch) {
    if ((uintptr_t)ctx->scratch % KILN_SCRATCH_ALIGNMENT != 0)
      return KILN_CODE_MISALIGNED_SCRATCH;
    if (ctx->scratch_bytes < FAKE_SCRATCH_BYTES)
      return KILN_CODE_SCRATCH_TOO_SMALL;
    return compute(inputs, outputs, (float *)ctx->scratch);
  }
  float *scratch = (float *)aligned_alloc(KILN_SCRATCH_ALIGNMENT, FAKE_SCRATCH_BYTES);
  if (!scratch)
    return KILN_CODE_OUT_OF_MEMORY;
  int result = compute(inputs, outputs, scratch);
  free(scratch);
  return result;
}
#endif

#if !defined(FAKE_OMIT_PLAIN) && !defined(FAKE_OMIT_CTX)
int fake_run(const void *const *inputs, void *const *outputs) { return fake_run_ctx(NULL, inputs, outputs); }
#elif !defined(FAKE_OMIT_PLAIN)
int fake_run(const void *const *inputs, void *const *outputs) { return KILN_CODE_OK; }
#endif

#ifdef FAKE_EMPTY_WEIGHTS
#define FAKE_WEIGHTS_SIGNATURE "|weights="
#else
#define FAKE_WEIGHTS_SIGNATURE ""
#endif

#ifndef FAKE_OMIT_SIGNATURE
const char *fake_signature(void) {
  return KILN_ABI_TAG "|run:in=x:f32[" STR(FAKE_ROWS) "," STR(FAKE_COLS) "];out=y:f32[" STR(FAKE_ROWS) "," STR(
      FAKE_COLS) "],idx:i64[" STR(FAKE_ROWS) "]" FAKE_WEIGHTS_SIGNATURE;
}
#endif
