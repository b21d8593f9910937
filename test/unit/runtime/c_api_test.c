/* c_api_test.c: the runtime header used from strict C11 (-pedantic-errors), the way an installed user
 * includes it, running the fake model end to end. Usage: kiln_runtime_c_test FIXTURES_FOLDER */
#include "kiln_runtime.h"

#include <stdio.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                                                        \
  do {                                                                                                     \
    if (!(cond)) {                                                                                         \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond,           \
              kiln_last_error());                                                                          \
      ++failures;                                                                                          \
    }                                                                                                      \
  } while (0)

int main(int argc, char **argv) {
  char path[4096];
  kiln_model_t *model = NULL;
  kiln_tensor_info_t info;
  float x[6] = {1, 5, 3, -2, -7, 0};
  float y[6] = {0};
  int64_t idx[2] = {-1, -1};
  const float expected_y[6] = {3, 11, 7, -3, -13, 1};
  kiln_input_t inputs[1];
  kiln_output_t outputs[2];
  int i;

  if (argc != 2) {
    fprintf(stderr, "usage: %s FIXTURES_FOLDER\n", argv[0]);
    return 2;
  }
  snprintf(path, sizeof path, "%s/good", argv[1]);

  CHECK(kiln_model_load(path, &model) == KILN_OK);
  if (!model)
    return 1;
  CHECK(strcmp(kiln_model_name(model), "fake") == 0);
  CHECK(kiln_model_input_info(model, 0, &info) == KILN_OK);
  CHECK(info.dtype == KILN_DTYPE_F32 && info.rank == 2 && info.shape[0] == 2 && info.shape[1] == 3);
  CHECK(info.bytes == sizeof x);

  inputs[0].data = x;
  inputs[0].bytes = sizeof x;
  outputs[0].data = y;
  outputs[0].bytes = sizeof y;
  outputs[1].data = idx;
  outputs[1].bytes = sizeof idx;
  CHECK(kiln_model_run(model, inputs, 1, outputs, 2) == KILN_OK);
  for (i = 0; i < 6; ++i)
    CHECK(y[i] == expected_y[i]);
  CHECK(idx[0] == 1 && idx[1] == 2);

  inputs[0].bytes = 5;
  CHECK(kiln_model_run(model, inputs, 1, outputs, 2) == KILN_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(kiln_last_error(), "input 0 'x' has 5 bytes, expected 24 (float32[2,3])") != NULL);
  CHECK(strcmp(kiln_status_string(KILN_ERROR_INVALID_ARGUMENT), "KILN_ERROR_INVALID_ARGUMENT") == 0);

  kiln_model_destroy(model);
  if (failures == 0)
    printf("kiln_runtime_c_test: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
