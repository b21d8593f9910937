/* fake_model.c: a hand-written stand-in for a Kiln-compiled model, exporting what the compiler's code
 * exports (docs/artifact-format.md) so the runtime can be tested before the compiler exists.
 *
 *   input  x   f32[ROWS,COLS]
 *   output y   f32[ROWS,COLS]  y = 2x + 1
 *   output idx i64[ROWS]       idx[r] = argmax of row r (first maximum)
 *
 * Build-time knobs (CMake sets them per fixture):
 *   FAKE_ROWS, FAKE_COLS   the shape (defaults 2, 3); FAKE_ROWS=0 gives zero-byte tensors
 *   FAKE_RESULT            a code both entry points return instead of computing (default 0: compute)
 *   FAKE_OMIT_SIGNATURE    leave out fake_signature, as a broken library would
 */
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
static int compute(const void *const *inputs, void *const *outputs, void *scratch) {
  if (FAKE_RESULT != 0)
    return FAKE_RESULT;
  if (!inputs || !outputs || !inputs[0] || !outputs[0] || !outputs[1] || !scratch)
    return 1;
  if ((uintptr_t)scratch % 64 != 0)
    return 3;
  const float *x = (const float *)inputs[0];
  float *y = (float *)outputs[0];
  int64_t *idx = (int64_t *)outputs[1];
  /* Goes through the scratch buffer, as real generated code does for intermediates. */
  float *twice = (float *)scratch;
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
  return 0;
}

int fake_run_with_scratch(const void *const *inputs, void *const *outputs, void *scratch) {
  return compute(inputs, outputs, scratch);
}

int fake_run(const void *const *inputs, void *const *outputs) {
  void *scratch = aligned_alloc(64, FAKE_SCRATCH_BYTES);
  if (!scratch)
    return 2;
  int result = compute(inputs, outputs, scratch);
  free(scratch);
  return result;
}

#ifndef FAKE_OMIT_SIGNATURE
const char *fake_signature(void) {
  return "kiln-abi-1;inputs=x:f32[" STR(FAKE_ROWS) "," STR(FAKE_COLS) "];outputs=y:f32[" STR(FAKE_ROWS) "," STR(
      FAKE_COLS) "],idx:i64[" STR(FAKE_ROWS) "]";
}
#endif
