/* c_api_test.c: the runtime header (and kiln_abi.h through it) used from strict C11 (-pedantic-errors), the
 * way an installed user includes it, running the fake model end to end, and the second entry point and the
 * external weights of the lin fixture. Usage: kiln_runtime_c_test FIXTURES_FOLDER */
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

/* lin: "grad" found by name and run with options and a scratch buffer; its weights described. */
static void check_entry_points_and_weights(const char *fixtures) {
  char path[4096];
  kiln_model_t *model = NULL;
  kiln_entry_point_info_t entry_info;
  kiln_weight_info_t weight;
  kiln_model_info_t info;
  kiln_run_options_t options = KILN_RUN_OPTIONS_INIT;
  static _Alignas(KILN_SCRATCH_ALIGNMENT) unsigned char scratch[64];
  float x[3] = {2, -1, 0.5f}, dy[3] = {1, 4, -2}, dx[3] = {0}, dw[3] = {0};
  const float expected_dx[3] = {0.5f, -8, -6}, expected_dw[3] = {2, -4, -1};
  kiln_input_t inputs[2];
  kiln_output_t outputs[2];
  size_t grad = 99, index = 99;
  int i;

  snprintf(path, sizeof path, "%s/lin", fixtures);
  CHECK(kiln_model_load(path, &model) == KILN_OK);
  if (!model)
    return;
  CHECK(kiln_model_entry_point_count(model) == 2);
  CHECK(kiln_model_find_entry_point(model, "grad", &grad) == KILN_OK && grad == 1);
  CHECK(kiln_model_entry_point_info(model, grad, &entry_info) == KILN_OK);
  CHECK(strcmp(entry_info.name, "grad") == 0 && strcmp(entry_info.symbol, "lin_grad") == 0);
  CHECK(entry_info.scratch_bytes == 64 && entry_info.num_inputs == 2 && entry_info.num_outputs == 2);
  CHECK(kiln_model_entry_find_input(model, grad, "dy", &index) == KILN_OK && index == 1);

  inputs[0].data = x;
  inputs[0].bytes = sizeof x;
  inputs[1].data = dy;
  inputs[1].bytes = sizeof dy;
  outputs[0].data = dx;
  outputs[0].bytes = sizeof dx;
  outputs[1].data = dw;
  outputs[1].bytes = sizeof dw;
  options.scratch = scratch;
  options.scratch_bytes = sizeof scratch;
  CHECK(kiln_model_run_entry(model, grad, inputs, 2, outputs, 2, &options) == KILN_OK);
  for (i = 0; i < 3; ++i)
    CHECK(dx[i] == expected_dx[i] && dw[i] == expected_dw[i]);
  options.scratch_bytes = 32;
  CHECK(kiln_model_run_entry(model, grad, inputs, 2, outputs, 2, &options) == KILN_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(kiln_last_error(), "scratch has 32 bytes, entry point 'grad' needs 64") != NULL);

  CHECK(kiln_model_info(model, &info) == KILN_OK);
  CHECK(info.num_entry_points == 2 && info.weights_bytes == 128 && info.num_weights == 2);
  CHECK(strstr(info.weights_path, "lin.weights.bin") != NULL);
  CHECK(kiln_model_find_weight(model, "b", &index) == KILN_OK && index == 1);
  CHECK(kiln_model_weight_info(model, index, &weight) == KILN_OK);
  CHECK(weight.offset == 64 && weight.tensor.bytes == 12 && weight.data != NULL);
  CHECK(weight.data && ((const float *)weight.data)[2] == -4.0f);
  kiln_model_destroy(model);
}

/* The device API from C, on the CUDA fixture's manifest (no driver needed) and a CPU model. */
static void check_devices(const char *fixtures, const kiln_model_t *cpu) {
  char path[4096];
  kiln_model_t *model = NULL;
  kiln_device_info_t device;
  kiln_kernel_info_t kernel;
  kiln_image_info_t image;
  kiln_run_options_t options = KILN_RUN_OPTIONS_INIT;
  CHECK(options.device_buffers == 0);
  CHECK(kiln_model_device_info(cpu, &device) == KILN_OK && strcmp(device.kind, "cpu") == 0);
  snprintf(path, sizeof path, "%s/gpu", fixtures);
  CHECK(kiln_model_load_manifest(path, &model) == KILN_OK);
  if (!model)
    return;
  CHECK(kiln_model_device_info(model, &device) == KILN_OK);
  CHECK(strcmp(device.kind, "cuda") == 0 && device.num_architectures == 2 && device.num_kernels == 2);
  CHECK(strcmp(device.architectures[1], "sm_90") == 0 && device.loaded_image == SIZE_MAX);
  CHECK(kiln_model_kernel_info(model, 0, &kernel) == KILN_OK);
  CHECK(strcmp(kernel.name, "gpu_run_k0_mul") == 0 && kernel.grid[0] == 2 && kernel.block[0] == 4);
  CHECK(kiln_model_image_info(model, 2, &image) == KILN_OK);
  CHECK(strcmp(image.architecture, "sm_80") == 0 && strcmp(image.format, "ptx") == 0 && !image.loaded);
  kiln_model_destroy(model);
}

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

  check_devices(argv[1], model);
  kiln_model_destroy(model);
  check_entry_points_and_weights(argv[1]);
  if (failures == 0)
    printf("kiln_runtime_c_test: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
