// cuda_test.cpp: the runtime's CUDA path against the fake driver (fake_cuda/fake_cuda.c) and the gpu fixture
// (fake_cuda/gpu_model.c, gpu.json): what is loaded, launched and copied, checked against the driver's
// recording, and the results the fake's kernels compute, checked against values computed here.
#include "runtime/kiln_runtime.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string fixture(const std::string &relative) { return std::string(KILN_TEST_FIXTURES) + "/" + relative; }

struct ModelDeleter {
  void operator()(kiln_model_t *model) const { kiln_model_destroy(model); }
};
using ModelPtr = std::unique_ptr<kiln_model_t, ModelDeleter>;

#define EXPECT_FAILS(call, expected, needle)                                                                 \
  do {                                                                                                       \
    kiln_status_t status_ = (call);                                                                          \
    EXPECT_EQ(status_, expected) << kiln_status_string(status_) << ": " << kiln_last_error();               \
    EXPECT_NE(std::strstr(kiln_last_error(), needle), nullptr)                                               \
        << "last error: " << kiln_last_error() << "\nexpected it to contain: " << needle;                   \
  } while (0)

// The fake driver's knobs (fake_cuda.c), cleared before and after every test.
const char *const kFakeVariables[] = {"KILN_FAKE_CUDA_ARCH",         "KILN_FAKE_CUDA_DEVICES",
                                      "KILN_FAKE_CUDA_INIT_ERROR",   "KILN_FAKE_CUDA_ALLOC_LIMIT",
                                      "KILN_FAKE_CUDA_LAUNCH_ERROR", "KILN_FAKE_CUDA_SYNC_ERROR",
                                      "KILN_CUDA_DEVICE"};

// What the gpu fixture computes: y = x * w + b, with gpu_weights.c's w[i] = i + 1 and b[i] = 0.5 i.
std::vector<float> expectedY(const std::vector<float> &x) {
  std::vector<float> y(8);
  for (int i = 0; i < 8; ++i)
    y[i] = x[i] * static_cast<float>(i + 1) + 0.5f * static_cast<float>(i);
  return y;
}

std::vector<float> someInput(float shift) {
  std::vector<float> x(8);
  for (int i = 0; i < 8; ++i)
    x[i] = 0.5f * static_cast<float>(i) - 1.0f + shift;
  return x;
}

class CudaTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "kiln-cuda-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(&pattern[0]), nullptr);
    dir_ = pattern;
    log_ = dir_ + "/driver.log";
    for (const char *name : kFakeVariables)
      unsetenv(name);
    setenv("KILN_CUDA_DRIVER", fixture("libfake_cuda.so").c_str(), 1);
    setenv("KILN_FAKE_CUDA_LOG", log_.c_str(), 1);
  }
  void TearDown() override {
    for (const char *name : kFakeVariables)
      unsetenv(name);
    unsetenv("KILN_CUDA_DRIVER");
    unsetenv("KILN_FAKE_CUDA_LOG");
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  ModelPtr load(const std::string &path = fixture("gpu")) {
    kiln_model_t *model = nullptr;
    kiln_status_t status = kiln_model_load(path.c_str(), &model);
    EXPECT_EQ(status, KILN_OK) << kiln_last_error();
    return ModelPtr(model);
  }

  // The driver calls recorded so far, one per line.
  std::vector<std::string> calls() const {
    std::ifstream in(log_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
      lines.push_back(line);
    return lines;
  }
  // The calls whose line starts with |prefix|.
  std::vector<std::string> calls(const std::string &prefix) const {
    std::vector<std::string> all = calls(), matching;
    std::copy_if(all.begin(), all.end(), std::back_inserter(matching),
                 [&](const std::string &line) { return line.compare(0, prefix.size(), prefix) == 0; });
    return matching;
  }
  void clearCalls() const { std::ofstream(log_, std::ios::trunc); }

  // A copy of the gpu fixture in this test's folder, its manifest changed by |edit|.
  std::string editedCopy(const std::function<void(json &)> &edit) const {
    std::string copy = dir_ + "/gpu";
    fs::create_directory(copy);
    for (const auto &file : fs::directory_iterator(fixture("gpu")))
      fs::copy_file(file.path(), copy + "/" + file.path().filename().string(), fs::copy_options::overwrite_existing);
    json manifest = json::parse(std::ifstream(copy + "/gpu.json"));
    edit(manifest);
    std::ofstream(copy + "/gpu.json", std::ios::trunc) << manifest.dump(2);
    return copy;
  }

  // Runs "run" on host buffers; returns the status, y in |y|.
  kiln_status_t run(const kiln_model_t *model, const std::vector<float> &x, std::vector<float> &y,
                    const kiln_run_options_t *options = nullptr) {
    y.assign(8, -99.0f);
    kiln_input_t in[1] = {{x.data(), 32}};
    kiln_output_t out[1] = {{y.data(), 32}};
    return kiln_model_run_entry(model, 0, in, 1, out, 1, options);
  }

  std::string dir_, log_;
};

// ---------------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------------

TEST_F(CudaTest, LoadsTheImageAndUploadsTheWeights) {
  ModelPtr model = load();
  ASSERT_TRUE(model);
  std::vector<std::string> expected = {
      "cuInit flags=0",
      "cuDeviceGetCount count=1",
      "cuDeviceGet ordinal=0",
      "cuDeviceGetAttribute attribute=75 device=0 value=9",
      "cuDeviceGetAttribute attribute=76 device=0 value=0",
      "cuDevicePrimaryCtxRetain device=0",
      "cuModuleLoadData image=fake-cuda-image sm_90 cubin kernels=2",
      "cuModuleGetFunction name=gpu_run_k0_mul",
      "cuModuleGetFunction name=gpu_run_k1_add",
      "cuMemAlloc bytes=96",
      "cuMemcpyHtoDAsync bytes=96 stream=0",
      "cuStreamSynchronize stream=0",
  };
  EXPECT_EQ(calls(), expected);
  kiln_device_info_t info;
  ASSERT_EQ(kiln_model_device_info(model.get(), &info), KILN_OK) << kiln_last_error();
  EXPECT_STREQ(info.kind, "cuda");
  EXPECT_EQ(info.device_ordinal, 0);
  EXPECT_STREQ(info.device_architecture, "sm_90");
  EXPECT_EQ(info.loaded_image, 1u);
}

TEST_F(CudaTest, RunLaunchesTheKernelsInOrderAndCopies) {
  ModelPtr model = load();
  ASSERT_TRUE(model);
  clearCalls();
  std::vector<float> x = someInput(0), y;
  ASSERT_EQ(run(model.get(), x, y), KILN_OK) << kiln_last_error();
  EXPECT_EQ(y, expectedY(x));
  // One allocation for x, y and the scratch (each at a multiple of 256 bytes); both kernels with the
  // manifest's shapes on the call's stream; y back; then the stream is synchronized.
  std::vector<std::string> expected = {
      "cuStreamCreate stream=1 flags=1",
      "cuMemAlloc bytes=768",
      "cuMemcpyHtoDAsync bytes=32 stream=1",
      "cuLaunchKernel kernel=gpu_run_k0_mul grid=2,1,1 block=4,1,1 shared=0 stream=1",
      "cuLaunchKernel kernel=gpu_run_k1_add grid=1,1,1 block=8,1,1 shared=128 stream=1",
      "cuMemcpyDtoHAsync bytes=32 stream=1",
      "cuStreamSynchronize stream=1",
  };
  EXPECT_EQ(calls(), expected);

  clearCalls();
  model.reset();
  std::vector<std::string> destroyed = {"cuMemFree", "cuStreamDestroy stream=1", "cuMemFree",
                                        "cuModuleUnload image=fake-cuda-image sm_90 cubin",
                                        "cuDevicePrimaryCtxRelease device=0"};
  EXPECT_EQ(calls(), destroyed);
}

TEST_F(CudaTest, WeightsAreUploadedOnceAndBuffersKept) {
  ModelPtr model = load();
  ASSERT_TRUE(model);
  for (float shift : {0.0f, 3.0f, -7.5f}) {
    std::vector<float> x = someInput(shift), y;
    ASSERT_EQ(run(model.get(), x, y), KILN_OK) << kiln_last_error();
    EXPECT_EQ(y, expectedY(x)) << "shift " << shift;
  }
  EXPECT_EQ(calls("cuMemcpyHtoDAsync bytes=96").size(), 1u); // the weights
  EXPECT_EQ(calls("cuMemcpyHtoDAsync bytes=32").size(), 3u); // x, every run
  EXPECT_EQ(calls("cuMemcpyDtoHAsync bytes=32").size(), 3u); // y, every run
  EXPECT_EQ(calls("cuMemAlloc").size(), 2u);                 // the weights, and one call's buffers
  EXPECT_EQ(calls("cuStreamCreate").size(), 1u);
  model.reset();
  EXPECT_EQ(calls("cuMemFree").size(), calls("cuMemAlloc").size());
}

TEST_F(CudaTest, ImageChoice) {
  struct Case {
    const char *arch;
    const char *image;
    size_t index;
  } cases[] = {{"90", "sm_90 cubin", 1}, {"80", "sm_80 cubin", 0}, {"100", "sm_90 ptx", 3}, {"86", "sm_80 cubin", 0}};
  for (const Case &c : cases) {
    SCOPED_TRACE(std::string("device sm_") + c.arch);
    setenv("KILN_FAKE_CUDA_ARCH", c.arch, 1);
    clearCalls();
    ModelPtr model = load();
    ASSERT_TRUE(model);
    EXPECT_EQ(calls("cuModuleLoadData").at(0), std::string("cuModuleLoadData image=fake-cuda-image ") + c.image +
                                                   " kernels=2");
    kiln_device_info_t info;
    ASSERT_EQ(kiln_model_device_info(model.get(), &info), KILN_OK);
    EXPECT_EQ(info.device_architecture, std::string("sm_") + c.arch);
    EXPECT_EQ(info.loaded_image, c.index);
    for (size_t i = 0; i < info.num_images; ++i) {
      kiln_image_info_t image;
      ASSERT_EQ(kiln_model_image_info(model.get(), i, &image), KILN_OK);
      EXPECT_EQ(image.loaded, i == c.index ? 1 : 0) << "image " << i;
    }
    std::vector<float> x = someInput(1), y;
    ASSERT_EQ(run(model.get(), x, y), KILN_OK) << kiln_last_error();
    EXPECT_EQ(y, expectedY(x));
  }
}

TEST_F(CudaTest, NoImageForTheDevice) {
  setenv("KILN_FAKE_CUDA_ARCH", "75", 1);
  kiln_model_t *model = nullptr;
  EXPECT_FAILS(kiln_model_load(fixture("gpu").c_str(), &model), KILN_ERROR_LOAD,
               "no image for this GPU's architecture sm_75: the artifact has sm_80 cubin, sm_90 cubin, sm_80 ptx, "
               "sm_90 ptx");
  EXPECT_EQ(model, nullptr);
  // Nothing was left behind on the device.
  EXPECT_TRUE(calls("cuModuleLoadData").empty());
  EXPECT_TRUE(calls("cuMemAlloc").empty());
}

TEST_F(CudaTest, MissingDriver) {
  setenv("KILN_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  kiln_model_t *model = nullptr;
  EXPECT_FAILS(kiln_model_load(fixture("gpu").c_str(), &model), KILN_ERROR_LOAD,
               "kiln_model_load: cannot load the CUDA driver '/nonexistent/libcuda.so.1' (");
  EXPECT_EQ(model, nullptr);
  EXPECT_EQ(std::string(kiln_last_error()).find('\n'), std::string::npos);
  // A library that is not a driver: the missing function is named.
  setenv("KILN_CUDA_DRIVER", fixture("good/libfake.so").c_str(), 1);
  EXPECT_FAILS(kiln_model_load(fixture("gpu").c_str(), &model), KILN_ERROR_LOAD, "does not export cuInit");
  // CPU artifacts never need the driver.
  setenv("KILN_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  ModelPtr cpu = load(fixture("good"));
  EXPECT_TRUE(cpu);
}

TEST_F(CudaTest, NoDevice) {
  kiln_model_t *model = nullptr;
  setenv("KILN_FAKE_CUDA_INIT_ERROR", "100", 1);
  EXPECT_FAILS(kiln_model_load(fixture("gpu").c_str(), &model), KILN_ERROR_LOAD,
               "could not initialize (cuInit): CUDA_ERROR_NO_DEVICE");
  unsetenv("KILN_FAKE_CUDA_INIT_ERROR");
  setenv("KILN_FAKE_CUDA_DEVICES", "0", 1);
  EXPECT_FAILS(kiln_model_load(fixture("gpu").c_str(), &model), KILN_ERROR_LOAD, "found no CUDA device");
  EXPECT_EQ(model, nullptr);
}

TEST_F(CudaTest, DeviceSelection) {
  setenv("KILN_FAKE_CUDA_DEVICES", "2", 1);
  setenv("KILN_CUDA_DEVICE", "1", 1);
  ModelPtr model = load();
  ASSERT_TRUE(model);
  EXPECT_EQ(calls("cuDeviceGet ").at(0), "cuDeviceGet ordinal=1");
  kiln_device_info_t info;
  ASSERT_EQ(kiln_model_device_info(model.get(), &info), KILN_OK);
  EXPECT_EQ(info.device_ordinal, 1);
  kiln_model_t *raw = nullptr;
  for (const char *bad : {"2", "-1", "one", "1x"}) {
    setenv("KILN_CUDA_DEVICE", bad, 1);
    EXPECT_FAILS(kiln_model_load(fixture("gpu").c_str(), &raw), KILN_ERROR_LOAD,
                 ("KILN_CUDA_DEVICE is '" + std::string(bad) + "', not a device index below 2").c_str());
  }
}

TEST_F(CudaTest, OutOfDeviceMemory) {
  kiln_model_t *raw = nullptr;
  setenv("KILN_FAKE_CUDA_ALLOC_LIMIT", "0", 1); // not even the weights
  EXPECT_FAILS(kiln_model_load(fixture("gpu").c_str(), &raw), KILN_ERROR_OUT_OF_MEMORY,
               "could not allocate 96 bytes of device memory on device 0 (sm_90) for the weights: "
               "CUDA_ERROR_OUT_OF_MEMORY");
  EXPECT_EQ(raw, nullptr);
  // What was made before the failure is released.
  EXPECT_EQ(calls("cuModuleUnload").size(), 1u);
  EXPECT_EQ(calls("cuDevicePrimaryCtxRelease").size(), 1u);

  setenv("KILN_FAKE_CUDA_ALLOC_LIMIT", "1", 1); // the weights, but not a call's buffers
  ModelPtr model = load();
  ASSERT_TRUE(model);
  std::vector<float> x = someInput(0), y;
  EXPECT_FAILS(run(model.get(), x, y), KILN_ERROR_OUT_OF_MEMORY,
               "could not allocate 768 bytes of device memory on device 0 (sm_90) for the inputs, outputs and "
               "scratch memory of one call: CUDA_ERROR_OUT_OF_MEMORY");
  EXPECT_TRUE(calls("cuLaunchKernel").empty());
}

TEST_F(CudaTest, LaunchFailureNamesTheKernel) {
  setenv("KILN_FAKE_CUDA_LAUNCH_ERROR", "gpu_run_k1_add=701", 1);
  ModelPtr model = load();
  ASSERT_TRUE(model);
  clearCalls();
  std::vector<float> x = someInput(0), y;
  EXPECT_FAILS(run(model.get(), x, y), KILN_ERROR_EXECUTION,
               "kiln_model_run_entry: gpu_run_ctx: kernel 'gpu_run_k1_add' could not be launched: "
               "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES");
  // Nothing is copied back, but the stream is synchronized before its buffers are reused.
  EXPECT_TRUE(calls("cuMemcpyDtoHAsync").empty());
  EXPECT_EQ(calls("cuStreamSynchronize stream=1").size(), 1u);
  EXPECT_EQ(calls("cuLaunchKernel").size(), 2u);
  // The model stays usable.
  unsetenv("KILN_FAKE_CUDA_LAUNCH_ERROR");
  ASSERT_EQ(run(model.get(), x, y), KILN_OK) << kiln_last_error();
  EXPECT_EQ(y, expectedY(x));
}

TEST_F(CudaTest, KernelFailureAtSynchronization) {
  ModelPtr model = load();
  ASSERT_TRUE(model);
  setenv("KILN_FAKE_CUDA_SYNC_ERROR", "700", 1);
  std::vector<float> x = someInput(0), y;
  EXPECT_FAILS(run(model.get(), x, y), KILN_ERROR_EXECUTION,
               "gpu_run_ctx on device 0 failed after 2 kernel launches (kernels run asynchronously; the last "
               "launched was 'gpu_run_k1_add'): CUDA_ERROR_ILLEGAL_ADDRESS");
}

TEST_F(CudaTest, NoDeviceCodeIsAnExecutionError) {
  // The manifest says "run" needs no scratch, so the runtime lends none; the code needs 32 bytes.
  std::string artifact = editedCopy([](json &m) { m["entry_points"][0]["scratch_bytes"] = 0; });
  ModelPtr model = load(artifact);
  ASSERT_TRUE(model);
  std::vector<float> x = someInput(0), y;
  EXPECT_FAILS(run(model.get(), x, y), KILN_ERROR_EXECUTION,
               "gpu_run_ctx returned 7 (KILN_CODE_NO_DEVICE: the device code was given no device or no scratch "
               "memory)");
  EXPECT_TRUE(calls("cuMemcpyDtoHAsync").empty());
}

TEST_F(CudaTest, DeviceBuffersArePassedThrough) {
  ModelPtr model = load();
  ASSERT_TRUE(model);
  clearCalls();
  // The fake's device memory is host memory, so these stand for the caller's device allocations.
  alignas(256) float x[8], y[8], scratch[16];
  std::vector<float> input = someInput(2);
  std::copy(input.begin(), input.end(), x);
  std::fill(y, y + 8, -1.0f);
  std::fill(scratch, scratch + 16, -1.0f);
  kiln_input_t in[1] = {{x, sizeof x}};
  kiln_output_t out[1] = {{y, sizeof y}};
  kiln_run_options_t options = KILN_RUN_OPTIONS_INIT;
  options.device_buffers = 1;
  options.scratch = scratch;
  options.scratch_bytes = sizeof scratch;
  ASSERT_EQ(kiln_model_run_entry(model.get(), 0, in, 1, out, 1, &options), KILN_OK) << kiln_last_error();
  EXPECT_EQ(std::vector<float>(y, y + 8), expectedY(input));
  // The kernels used the caller's scratch: kernel 0 left x * w there.
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(scratch[i], input[i] * static_cast<float>(i + 1)) << "scratch[" << i << "]";
  std::vector<std::string> expected = {
      "cuStreamCreate stream=1 flags=1",
      "cuLaunchKernel kernel=gpu_run_k0_mul grid=2,1,1 block=4,1,1 shared=0 stream=1",
      "cuLaunchKernel kernel=gpu_run_k1_add grid=1,1,1 block=8,1,1 shared=128 stream=1",
      "cuStreamSynchronize stream=1",
  };
  EXPECT_EQ(calls(), expected);

  // Without a scratch buffer, the runtime lends device scratch (and allocates nothing else).
  clearCalls();
  options.scratch = nullptr;
  options.scratch_bytes = 0;
  ASSERT_EQ(kiln_model_run_entry(model.get(), 0, in, 1, out, 1, &options), KILN_OK) << kiln_last_error();
  EXPECT_EQ(std::vector<float>(y, y + 8), expectedY(input));
  EXPECT_EQ(calls("cuMemAlloc"), std::vector<std::string>{"cuMemAlloc bytes=256"});
  EXPECT_TRUE(calls("cuMemcpy").empty());
}

TEST_F(CudaTest, HostScratchIsRefused) {
  ModelPtr model = load();
  ASSERT_TRUE(model);
  alignas(64) unsigned char scratch[64];
  std::vector<float> x = someInput(0), y(8);
  kiln_run_options_t options = KILN_RUN_OPTIONS_INIT;
  options.scratch = scratch;
  options.scratch_bytes = sizeof scratch;
  EXPECT_FAILS(run(model.get(), x, y, &options), KILN_ERROR_INVALID_ARGUMENT,
               "a scratch buffer was given without options->device_buffers: its scratch must be device memory");
  kiln_input_t in[1] = {{x.data(), 32}};
  kiln_output_t out[1] = {{y.data(), 32}};
  EXPECT_FAILS(kiln_model_run_with_scratch(model.get(), in, 1, out, 1, scratch, sizeof scratch),
               KILN_ERROR_INVALID_ARGUMENT, "its scratch must be device memory");
  EXPECT_TRUE(calls("cuLaunchKernel").empty());
}

TEST_F(CudaTest, DeviceBuffersOnACpuModelAreRefused) {
  ModelPtr model = load(fixture("good"));
  ASSERT_TRUE(model);
  float x[6] = {0}, y[6];
  int64_t idx[2];
  kiln_input_t in[1] = {{x, sizeof x}};
  kiln_output_t out[2] = {{y, sizeof y}, {idx, sizeof idx}};
  kiln_run_options_t options = KILN_RUN_OPTIONS_INIT;
  options.device_buffers = 1;
  EXPECT_FAILS(kiln_model_run_entry(model.get(), 0, in, 1, out, 2, &options), KILN_ERROR_INVALID_ARGUMENT,
               "options->device_buffers is set, but model 'fake' runs on the CPU");
}

// A caller compiled against the header before device_buffers was added.
struct OldRunOptions {
  size_t struct_size;
  void *scratch;
  size_t scratch_bytes;
  size_t num_threads;
};

TEST_F(CudaTest, OptionsOfTheOldSizeAreAccepted) {
  static_assert(sizeof(OldRunOptions) == offsetof(kiln_run_options_t, device_buffers), "the old layout");
  ModelPtr model = load();
  ASSERT_TRUE(model);
  // Whatever follows the old struct in memory is not read as device_buffers.
  struct {
    OldRunOptions options;
    int garbage;
  } old = {{sizeof(OldRunOptions), nullptr, 0, 1}, 1};
  std::vector<float> x = someInput(0), y;
  ASSERT_EQ(run(model.get(), x, y, reinterpret_cast<const kiln_run_options_t *>(&old)), KILN_OK)
      << kiln_last_error();
  EXPECT_EQ(y, expectedY(x));
  EXPECT_EQ(calls("cuMemcpyDtoHAsync bytes=32").size(), 1u); // host buffers: copied
  old.options.struct_size = sizeof(OldRunOptions) + 1;
  EXPECT_FAILS(run(model.get(), x, y, reinterpret_cast<const kiln_run_options_t *>(&old)),
               KILN_ERROR_INVALID_ARGUMENT, "options->struct_size is 33, expected 40");
}

TEST_F(CudaTest, ConcurrentRunsUseTheirOwnStreams) {
  ModelPtr model = load();
  ASSERT_TRUE(model);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < 20; ++r) {
        std::vector<float> x = someInput(static_cast<float>(t * 100 + r)), y(8);
        kiln_input_t in[1] = {{x.data(), 32}};
        kiln_output_t out[1] = {{y.data(), 32}};
        if (kiln_model_run(model.get(), in, 1, out, 1) != KILN_OK || y != expectedY(x))
          ++failures[t];
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
  size_t streams = calls("cuStreamCreate").size();
  EXPECT_GE(streams, 1u);
  EXPECT_LE(streams, 4u);
  EXPECT_EQ(calls("cuLaunchKernel").size(), 160u);
  model.reset();
  EXPECT_EQ(calls("cuStreamDestroy").size(), streams);
  EXPECT_EQ(calls("cuMemFree").size(), calls("cuMemAlloc").size());
}

TEST_F(CudaTest, BrokenImages) {
  kiln_model_t *raw = nullptr;
  std::string artifact = editedCopy([](json &) {});
  fs::remove(artifact + "/gpu.sm_90.cubin");
  EXPECT_FAILS(kiln_model_load(artifact.c_str(), &raw), KILN_ERROR_NOT_FOUND,
               "gpu.sm_90.cubin' (sm_90 cubin): No such file or directory");
  std::ofstream(artifact + "/gpu.sm_90.cubin") << "\x7f" "ELF, but not one the fake driver reads";
  EXPECT_FAILS(kiln_model_load(artifact.c_str(), &raw), KILN_ERROR_LOAD,
               "the CUDA driver refused image");
  EXPECT_NE(std::strstr(kiln_last_error(), "(sm_90 cubin) for device 0 (sm_90): CUDA_ERROR_INVALID_IMAGE"), nullptr)
      << kiln_last_error();
  artifact = editedCopy([](json &m) { m["device"]["kernels"][1]["name"] = "gpu_run_k9_gone"; });
  EXPECT_FAILS(kiln_model_load(artifact.c_str(), &raw), KILN_ERROR_NOT_FOUND,
               "has no kernel 'gpu_run_k9_gone' (device.kernels[1]): CUDA_ERROR_NOT_FOUND");
  EXPECT_EQ(raw, nullptr);
}

// ---------------------------------------------------------------------------------------------------------
// Inspection and the manifest
// ---------------------------------------------------------------------------------------------------------

TEST_F(CudaTest, ManifestOnlyNeedsNoDriver) {
  setenv("KILN_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  kiln_model_t *raw = nullptr;
  ASSERT_EQ(kiln_model_load_manifest(fixture("gpu").c_str(), &raw), KILN_OK) << kiln_last_error();
  ModelPtr model(raw);
  kiln_device_info_t info;
  ASSERT_EQ(kiln_model_device_info(model.get(), &info), KILN_OK);
  EXPECT_STREQ(info.kind, "cuda");
  ASSERT_EQ(info.num_architectures, 2u);
  EXPECT_STREQ(info.architectures[0], "sm_80");
  EXPECT_STREQ(info.architectures[1], "sm_90");
  EXPECT_EQ(info.num_kernels, 2u);
  EXPECT_EQ(info.num_images, 4u);
  EXPECT_EQ(info.device_ordinal, -1);
  EXPECT_STREQ(info.device_architecture, "");
  EXPECT_EQ(info.loaded_image, SIZE_MAX);

  kiln_kernel_info_t kernel;
  ASSERT_EQ(kiln_model_kernel_info(model.get(), 1, &kernel), KILN_OK);
  EXPECT_STREQ(kernel.name, "gpu_run_k1_add");
  EXPECT_EQ(std::vector<uint32_t>(kernel.grid, kernel.grid + 3), (std::vector<uint32_t>{1, 1, 1}));
  EXPECT_EQ(std::vector<uint32_t>(kernel.block, kernel.block + 3), (std::vector<uint32_t>{8, 1, 1}));
  EXPECT_EQ(kernel.shared_bytes, 128u);
  EXPECT_EQ(kernel.params, 3u);
  EXPECT_FAILS(kiln_model_kernel_info(model.get(), 2, &kernel), KILN_ERROR_INVALID_ARGUMENT,
               "kernel index 2 is out of range; the model has 2");

  kiln_image_info_t image;
  ASSERT_EQ(kiln_model_image_info(model.get(), 3, &image), KILN_OK);
  EXPECT_STREQ(image.architecture, "sm_90");
  EXPECT_STREQ(image.format, "ptx");
  EXPECT_EQ(std::string(image.path), fixture("gpu") + "/gpu.sm_90.ptx");
  EXPECT_EQ(image.loaded, 0);
  EXPECT_FAILS(kiln_model_image_info(model.get(), 4, &image), KILN_ERROR_INVALID_ARGUMENT, "image index 4");
  EXPECT_FAILS(kiln_model_device_info(model.get(), nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
  EXPECT_FAILS(kiln_model_device_info(nullptr, &info), KILN_ERROR_INVALID_ARGUMENT, "model is NULL");
  EXPECT_FALSE(fs::exists(log_)) << "the driver was loaded";

  std::vector<float> x = someInput(0), y;
  EXPECT_FAILS(run(model.get(), x, y), KILN_ERROR_INVALID_ARGUMENT, "kiln_model_load_manifest");
}

TEST_F(CudaTest, CpuModelsHaveNoDevice) {
  ModelPtr model = load(fixture("good"));
  ASSERT_TRUE(model);
  kiln_device_info_t info;
  ASSERT_EQ(kiln_model_device_info(model.get(), &info), KILN_OK);
  EXPECT_STREQ(info.kind, "cpu");
  EXPECT_EQ(info.num_architectures, 0u);
  EXPECT_EQ(info.architectures, nullptr);
  EXPECT_EQ(info.num_kernels, 0u);
  EXPECT_EQ(info.num_images, 0u);
  EXPECT_EQ(info.device_ordinal, -1);
  kiln_kernel_info_t kernel;
  EXPECT_FAILS(kiln_model_kernel_info(model.get(), 0, &kernel), KILN_ERROR_INVALID_ARGUMENT,
               "the model has 0 (it runs on the CPU)");
}

TEST_F(CudaTest, BadDeviceManifests) {
  struct Case {
    std::function<void(json &)> edit;
    const char *needle;
  } cases[] = {
      {[](json &m) { m["device"] = "cuda"; }, "field 'device' must be an object"},
      {[](json &m) { m["device"]["kind"] = "rocm"; }, "device.kind 'rocm' is not supported"},
      {[](json &m) { m["device"]["kind"] = "cpu"; }, "device.kind 'cpu' is not supported"},
      {[](json &m) { m["device"].erase("kind"); }, "missing field 'device.kind'"},
      {[](json &m) { m["device"]["kind"] = 1; }, "field 'device.kind' must be a string"},
      {[](json &m) { m["device"].erase("architectures"); }, "missing field 'device.architectures'"},
      {[](json &m) { m["device"]["architectures"] = json::array(); }, "field 'device.architectures' is empty"},
      {[](json &m) { m["device"]["architectures"][1] = "compute_90"; },
       "field 'device.architectures[1]' is 'compute_90', not a CUDA architecture like 'sm_90'"},
      {[](json &m) { m["device"]["architectures"][0] = 80; }, "field 'device.architectures[0]' must be a string"},
      {[](json &m) { m["device"].erase("kernels"); }, "missing field 'device.kernels'"},
      {[](json &m) { m["device"]["kernels"] = json::object(); }, "field 'device.kernels' must be an array"},
      {[](json &m) { m["device"]["kernels"][0] = 7; }, "device.kernels[0] must be an object"},
      {[](json &m) { m["device"]["kernels"][0]["grid"][0] = 0; },
       "field 'device.kernels[0].grid[0]' is 0; launch dimensions must be positive"},
      {[](json &m) { m["device"]["kernels"][1]["block"][2] = -1; },
       "field 'device.kernels[1].block[2]' must be a non-negative integer below 2^32"},
      {[](json &m) { m["device"]["kernels"][1]["block"] = {256, 1}; },
       "field 'device.kernels[1].block' must have 3 entries (x, y, z), not 2"},
      {[](json &m) { m["device"]["kernels"][0]["grid"][1] = 1.5; },
       "field 'device.kernels[0].grid[1]' must be a non-negative integer"},
      {[](json &m) { m["device"]["kernels"][0]["grid"][1] = 4294967296ull; },
       "field 'device.kernels[0].grid[1]' must be a non-negative integer below 2^32"},
      {[](json &m) { m["device"]["kernels"][0].erase("shared_bytes"); },
       "missing field 'device.kernels[0].shared_bytes'"},
      {[](json &m) { m["device"]["kernels"][0]["params"] = "3"; },
       "field 'device.kernels[0].params' must be a non-negative integer"},
      {[](json &m) { m["device"]["kernels"][0]["name"] = ""; }, "field 'device.kernels[0].name' is empty"},
      {[](json &m) { m["device"]["kernels"][1]["name"] = "gpu_run_k0_mul"; },
       "device.kernels has two kernels named 'gpu_run_k0_mul'"},
      {[](json &m) { m["device"]["images"] = json::array(); }, "field 'device.images' is empty"},
      {[](json &m) { m["device"]["images"][0]["file"] = "../gpu.sm_80.cubin"; },
       "device.images[0].file '../gpu.sm_80.cubin' is not a plain file name inside the artifact folder"},
      {[](json &m) { m["device"]["images"][2]["file"] = "/tmp/x.ptx"; }, "device.images[2].file '/tmp/x.ptx'"},
      {[](json &m) { m["device"]["images"][1]["format"] = "sass"; },
       "field 'device.images[1].format' is 'sass', expected 'cubin' or 'ptx'"},
      {[](json &m) { m["device"]["images"][1].erase("architecture"); },
       "missing field 'device.images[1].architecture'"},
      {[](json &m) { m["device"]["images"][1]["architecture"] = "sm_9"; },
       "field 'device.images[1].architecture' is 'sm_9', not a CUDA architecture"},
  };
  for (const Case &c : cases) {
    std::string artifact = editedCopy(c.edit);
    kiln_model_t *raw = nullptr;
    // Refused before anything is opened: by both loaders, whatever the driver.
    EXPECT_FAILS(kiln_model_load_manifest(artifact.c_str(), &raw), KILN_ERROR_BAD_MANIFEST, c.needle);
    EXPECT_FAILS(kiln_model_load(artifact.c_str(), &raw), KILN_ERROR_BAD_MANIFEST, c.needle);
    EXPECT_EQ(raw, nullptr);
  }
  EXPECT_FALSE(fs::exists(log_)) << "the driver was loaded for a bad manifest";
  // Architecture-specific names are architectures too.
  std::string artifact = editedCopy([](json &m) { m["device"]["architectures"][1] = "sm_90a"; });
  kiln_model_t *raw = nullptr;
  ASSERT_EQ(kiln_model_load_manifest(artifact.c_str(), &raw), KILN_OK) << kiln_last_error();
  kiln_model_destroy(raw);
}

} // namespace
