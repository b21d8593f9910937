// runtime_test.cpp: the C runtime against the fake artifacts built by this folder's CMakeLists.txt.
//
// Every failing call is checked twice: its status code, and that kiln_last_error() names the problem.
#include "runtime/kiln_runtime.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
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

// Asserts that |status| is |expected| and that the thread's last error contains |needle|.
#define EXPECT_FAILS(call, expected, needle)                                                                 \
  do {                                                                                                       \
    kiln_status_t status_ = (call);                                                                          \
    EXPECT_EQ(status_, expected) << kiln_status_string(status_) << ": " << kiln_last_error();               \
    EXPECT_NE(std::strstr(kiln_last_error(), needle), nullptr)                                               \
        << "last error: " << kiln_last_error() << "\nexpected it to contain: " << needle;                   \
  } while (0)

ModelPtr loadOrDie(const std::string &path) {
  kiln_model_t *model = nullptr;
  kiln_status_t status = kiln_model_load(path.c_str(), &model);
  EXPECT_EQ(status, KILN_OK) << kiln_last_error();
  return ModelPtr(model);
}

// A scratch folder removed at the end of the test.
class TempDir {
public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kiln-runtime-test-XXXXXX").string();
    path_ = mkdtemp(&pattern[0]) ? pattern : "";
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string &path() const { return path_; }
  std::string write(const std::string &name, const std::string &content) const {
    std::string file = path_ + "/" + name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }

private:
  std::string path_;
};

std::string readText(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The fake model's expected results, computed independently of fake_model.c.
void expectFakeResults(const float x[6], const float y[6], const int64_t idx[2]) {
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], 2 * x[i] + 1) << "y[" << i << "]";
  for (int r = 0; r < 2; ++r) {
    int best = 0;
    for (int c = 1; c < 3; ++c)
      if (x[r * 3 + c] > x[r * 3 + best])
        best = c;
    EXPECT_EQ(idx[r], best) << "idx[" << r << "]";
  }
}

// ---------------------------------------------------------------------------------------------------------
// Constants and small functions
// ---------------------------------------------------------------------------------------------------------

TEST(RuntimeBasics, StatusStrings) {
  EXPECT_STREQ(kiln_status_string(KILN_OK), "KILN_OK");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_INVALID_ARGUMENT), "KILN_ERROR_INVALID_ARGUMENT");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_NOT_FOUND), "KILN_ERROR_NOT_FOUND");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_IO), "KILN_ERROR_IO");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_BAD_MANIFEST), "KILN_ERROR_BAD_MANIFEST");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_LOAD), "KILN_ERROR_LOAD");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_OUT_OF_MEMORY), "KILN_ERROR_OUT_OF_MEMORY");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_EXECUTION), "KILN_ERROR_EXECUTION");
  EXPECT_STREQ(kiln_status_string(static_cast<kiln_status_t>(99)), "KILN_ERROR_UNKNOWN");
  EXPECT_EQ(KILN_OK, 0);
}

TEST(RuntimeBasics, Dtypes) {
  struct {
    kiln_dtype_t dtype;
    const char *name;
    size_t size;
  } expected[] = {{KILN_DTYPE_F16, "float16", 2}, {KILN_DTYPE_BF16, "bfloat16", 2}, {KILN_DTYPE_F32, "float32", 4},
                  {KILN_DTYPE_F64, "float64", 8}, {KILN_DTYPE_BOOL, "bool", 1},       {KILN_DTYPE_I8, "int8", 1},
                  {KILN_DTYPE_I32, "int32", 4},   {KILN_DTYPE_I64, "int64", 8}};
  for (const auto &e : expected) {
    EXPECT_STREQ(kiln_dtype_name(e.dtype), e.name);
    EXPECT_EQ(kiln_dtype_size(e.dtype), e.size) << e.name;
    kiln_dtype_t parsed = KILN_DTYPE_F64;
    ASSERT_EQ(kiln_dtype_from_name(e.name, &parsed), KILN_OK) << e.name;
    EXPECT_EQ(parsed, e.dtype);
  }
  auto invalid = static_cast<kiln_dtype_t>(8);
  EXPECT_EQ(kiln_dtype_name(invalid), nullptr);
  EXPECT_EQ(kiln_dtype_size(invalid), 0u);
  kiln_dtype_t out;
  EXPECT_FAILS(kiln_dtype_from_name("float128", &out), KILN_ERROR_INVALID_ARGUMENT, "unknown dtype 'float128'");
  EXPECT_FAILS(kiln_dtype_from_name(nullptr, &out), KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
  EXPECT_FAILS(kiln_dtype_from_name("float32", nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_dtype is NULL");
}

TEST(RuntimeBasics, Version) {
  std::string expected = std::to_string(KILN_RUNTIME_VERSION_MAJOR) + "." +
                         std::to_string(KILN_RUNTIME_VERSION_MINOR) + "." +
                         std::to_string(KILN_RUNTIME_VERSION_PATCH);
  EXPECT_EQ(kiln_runtime_version(), expected);
}

TEST(RuntimeBasics, NullModelAccessors) {
  EXPECT_EQ(kiln_model_name(nullptr), nullptr);
  EXPECT_EQ(kiln_model_scratch_bytes(nullptr), 0u);
  EXPECT_EQ(kiln_model_input_count(nullptr), 0u);
  EXPECT_EQ(kiln_model_output_count(nullptr), 0u);
  kiln_model_destroy(nullptr); // must be a no-op
}

// ---------------------------------------------------------------------------------------------------------
// Loading a good artifact
// ---------------------------------------------------------------------------------------------------------

TEST(RuntimeLoad, FromFolderSharedLibraryAndManifest) {
  for (const std::string &path : {fixture("good"), fixture("good/"), fixture("good/libfake.so"),
                                   fixture("good/fake.json")}) {
    SCOPED_TRACE(path);
    ModelPtr model = loadOrDie(path);
    ASSERT_TRUE(model);
    EXPECT_STREQ(kiln_model_name(model.get()), "fake");
    EXPECT_EQ(kiln_model_scratch_bytes(model.get()), 64u);
    EXPECT_EQ(kiln_model_input_count(model.get()), 1u);
    EXPECT_EQ(kiln_model_output_count(model.get()), 2u);
  }
}

TEST(RuntimeLoad, DescribesTensors) {
  ModelPtr model = loadOrDie(fixture("good"));
  ASSERT_TRUE(model);
  kiln_tensor_info_t info;
  ASSERT_EQ(kiln_model_input_info(model.get(), 0, &info), KILN_OK);
  EXPECT_STREQ(info.name, "x");
  EXPECT_EQ(info.dtype, KILN_DTYPE_F32);
  ASSERT_EQ(info.rank, 2u);
  EXPECT_EQ(info.shape[0], 2);
  EXPECT_EQ(info.shape[1], 3);
  EXPECT_EQ(info.bytes, 24u);

  ASSERT_EQ(kiln_model_output_info(model.get(), 0, &info), KILN_OK);
  EXPECT_STREQ(info.name, "y");
  EXPECT_EQ(info.dtype, KILN_DTYPE_F32);
  EXPECT_EQ(info.bytes, 24u);
  ASSERT_EQ(kiln_model_output_info(model.get(), 1, &info), KILN_OK);
  EXPECT_STREQ(info.name, "idx");
  EXPECT_EQ(info.dtype, KILN_DTYPE_I64);
  ASSERT_EQ(info.rank, 1u);
  EXPECT_EQ(info.shape[0], 2);
  EXPECT_EQ(info.bytes, 16u);

  size_t index = 99;
  ASSERT_EQ(kiln_model_find_input(model.get(), "x", &index), KILN_OK);
  EXPECT_EQ(index, 0u);
  ASSERT_EQ(kiln_model_find_output(model.get(), "idx", &index), KILN_OK);
  EXPECT_EQ(index, 1u);
  ASSERT_EQ(kiln_model_find_output(model.get(), "y", &index), KILN_OK);
  EXPECT_EQ(index, 0u);
}

TEST(RuntimeLoad, ModelInfo) {
  ModelPtr model = loadOrDie(fixture("good"));
  ASSERT_TRUE(model);
  kiln_model_info_t info;
  ASSERT_EQ(kiln_model_info(model.get(), &info), KILN_OK);
  EXPECT_STREQ(info.name, "fake");
  EXPECT_STREQ(info.source, "fake.onnx");
  EXPECT_STREQ(info.kiln_version, "0.1.0");
  EXPECT_STREQ(info.target_triple, "x86_64-unknown-linux-gnu");
  EXPECT_STREQ(info.target_cpu, "znver4");
  EXPECT_STREQ(info.target_features, "+avx2,+fma");
  EXPECT_STREQ(info.signature, "kiln-abi-1;inputs=x:f32[2,3];outputs=y:f32[2,3],idx:i64[2]");
  EXPECT_EQ(std::string(info.manifest_path), fixture("good/fake.json"));
  EXPECT_EQ(std::string(info.library_path), fixture("good/libfake.so"));
  EXPECT_EQ(info.library_loaded, 1);
  EXPECT_EQ(info.scratch_bytes, 64u);
  EXPECT_EQ(info.num_inputs, 1u);
  EXPECT_EQ(info.num_outputs, 2u);
}

TEST(RuntimeLoad, RankZeroAndEscapedNames) {
  ModelPtr model = loadOrDie(fixture("multi"));
  ASSERT_TRUE(model);
  kiln_tensor_info_t info;
  ASSERT_EQ(kiln_model_input_info(model.get(), 2, &info), KILN_OK);
  EXPECT_STREQ(info.name, "scale");
  EXPECT_EQ(info.dtype, KILN_DTYPE_BF16);
  EXPECT_EQ(info.rank, 0u);
  EXPECT_NE(info.shape, nullptr); // documented: never NULL, even for rank 0
  EXPECT_EQ(info.bytes, 2u);
  size_t index = 0;
  ASSERT_EQ(kiln_model_find_input(model.get(), "mask:0", &index), KILN_OK);
  EXPECT_EQ(index, 1u);
  ASSERT_EQ(kiln_model_find_output(model.get(), "out/sum", &index), KILN_OK);
  EXPECT_EQ(index, 0u);
}

TEST(RuntimeLoad, ManifestOnly) {
  kiln_model_t *raw = nullptr;
  // The library named by this manifest does not exist: only kiln_model_load needs it.
  ASSERT_EQ(kiln_model_load_manifest(fixture("missing_so").c_str(), &raw), KILN_OK) << kiln_last_error();
  ModelPtr model(raw);
  kiln_model_info_t info;
  ASSERT_EQ(kiln_model_info(model.get(), &info), KILN_OK);
  EXPECT_EQ(info.library_loaded, 0);
  EXPECT_EQ(std::string(info.library_path), fixture("missing_so/libnothere.so"));

  float x[6] = {}, y[6];
  int64_t idx[2];
  kiln_input_t in[] = {{x, sizeof x}};
  kiln_output_t out[] = {{y, sizeof y}, {idx, sizeof idx}};
  EXPECT_FAILS(kiln_model_run(model.get(), in, 1, out, 2), KILN_ERROR_INVALID_ARGUMENT,
               "opened with kiln_model_load_manifest");
}

// ---------------------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------------------

class RunTest : public ::testing::Test {
protected:
  void SetUp() override {
    model_ = loadOrDie(fixture("good"));
    ASSERT_TRUE(model_);
    std::fill(std::begin(y), std::end(y), -999.0f);
    std::fill(std::begin(idx), std::end(idx), -999);
  }
  // True if the outputs still hold the sentinels, i.e. the generated code was never called.
  bool outputsUntouched() const {
    return std::all_of(std::begin(y), std::end(y), [](float v) { return v == -999.0f; }) &&
           std::all_of(std::begin(idx), std::end(idx), [](int64_t v) { return v == -999; });
  }

  ModelPtr model_;
  float x[6] = {1, 5, 3, -2, -7, 0};
  float y[6];
  int64_t idx[2];
  kiln_input_t in[1] = {{x, sizeof x}};
  kiln_output_t out[2] = {{y, sizeof y}, {idx, sizeof idx}};
};

TEST_F(RunTest, ComputesTheModel) {
  ASSERT_EQ(kiln_model_run(model_.get(), in, 1, out, 2), KILN_OK) << kiln_last_error();
  const float expected[6] = {3, 11, 7, -3, -13, 1};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], expected[i]);
  EXPECT_EQ(idx[0], 1);
  EXPECT_EQ(idx[1], 2);
}

TEST_F(RunTest, WithCallerScratch) {
  void *scratch = std::aligned_alloc(64, 128);
  ASSERT_NE(scratch, nullptr);
  EXPECT_EQ(kiln_model_run_with_scratch(model_.get(), in, 1, out, 2, scratch, 64), KILN_OK) << kiln_last_error();
  expectFakeResults(x, y, idx);

  std::fill(std::begin(y), std::end(y), -999.0f);
  std::fill(std::begin(idx), std::end(idx), -999);
  char *misaligned = static_cast<char *>(scratch) + 8;
  EXPECT_FAILS(kiln_model_run_with_scratch(model_.get(), in, 1, out, 2, misaligned, 64),
               KILN_ERROR_INVALID_ARGUMENT, "scratch is not 64-byte aligned");
  EXPECT_FAILS(kiln_model_run_with_scratch(model_.get(), in, 1, out, 2, scratch, 63), KILN_ERROR_INVALID_ARGUMENT,
               "scratch has 63 bytes, the model needs 64");
  EXPECT_FAILS(kiln_model_run_with_scratch(model_.get(), in, 1, out, 2, nullptr, 64), KILN_ERROR_INVALID_ARGUMENT,
               "scratch is NULL");
  EXPECT_FAILS(kiln_model_run_with_scratch(nullptr, in, 1, out, 2, scratch, 64), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_run_with_scratch: model is NULL");
  EXPECT_TRUE(outputsUntouched());
  std::free(scratch);
}

// One case per precondition kiln_model_run checks; none may reach the generated code.
TEST_F(RunTest, RejectsEveryBadCall) {
  kiln_model_t *m = model_.get();
  EXPECT_FAILS(kiln_model_run(nullptr, in, 1, out, 2), KILN_ERROR_INVALID_ARGUMENT, "kiln_model_run: model is NULL");
  EXPECT_FAILS(kiln_model_run(m, nullptr, 1, out, 2), KILN_ERROR_INVALID_ARGUMENT, "inputs is NULL");
  EXPECT_FAILS(kiln_model_run(m, in, 1, nullptr, 2), KILN_ERROR_INVALID_ARGUMENT, "outputs is NULL");
  EXPECT_FAILS(kiln_model_run(m, in, 0, out, 2), KILN_ERROR_INVALID_ARGUMENT, "got 0 inputs, the model has 1");
  EXPECT_FAILS(kiln_model_run(m, in, 2, out, 2), KILN_ERROR_INVALID_ARGUMENT, "got 2 inputs, the model has 1");
  EXPECT_FAILS(kiln_model_run(m, in, 1, out, 1), KILN_ERROR_INVALID_ARGUMENT, "got 1 outputs, the model has 2");
  EXPECT_FAILS(kiln_model_run(m, in, 1, out, 3), KILN_ERROR_INVALID_ARGUMENT, "got 3 outputs, the model has 2");

  kiln_input_t badIn[1] = {{x, 23}};
  EXPECT_FAILS(kiln_model_run(m, badIn, 1, out, 2), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_run: input 0 'x' has 23 bytes, expected 24 (float32[2,3])");
  badIn[0] = {x, 48};
  EXPECT_FAILS(kiln_model_run(m, badIn, 1, out, 2), KILN_ERROR_INVALID_ARGUMENT,
               "input 0 'x' has 48 bytes, expected 24");
  badIn[0] = {nullptr, 24};
  EXPECT_FAILS(kiln_model_run(m, badIn, 1, out, 2), KILN_ERROR_INVALID_ARGUMENT, "input 0 'x' data is NULL");

  kiln_output_t badOut[2] = {{y, 25}, {idx, sizeof idx}};
  EXPECT_FAILS(kiln_model_run(m, in, 1, badOut, 2), KILN_ERROR_INVALID_ARGUMENT,
               "output 0 'y' has 25 bytes, expected 24 (float32[2,3])");
  badOut[0] = {y, sizeof y};
  badOut[1] = {idx, 8};
  EXPECT_FAILS(kiln_model_run(m, in, 1, badOut, 2), KILN_ERROR_INVALID_ARGUMENT,
               "output 1 'idx' has 8 bytes, expected 16 (int64[2])");
  badOut[1] = {nullptr, sizeof idx};
  EXPECT_FAILS(kiln_model_run(m, in, 1, badOut, 2), KILN_ERROR_INVALID_ARGUMENT, "output 1 'idx' data is NULL");
  badOut[0] = {nullptr, sizeof y};
  badOut[1] = {idx, sizeof idx};
  EXPECT_FAILS(kiln_model_run(m, in, 1, badOut, 2), KILN_ERROR_INVALID_ARGUMENT, "output 0 'y' data is NULL");

  EXPECT_TRUE(outputsUntouched());
}

// Outputs are written as `restrict` buffers: any sharing is refused up front.
TEST_F(RunTest, RejectsOverlappingBuffers) {
  kiln_model_t *m = model_.get();
  // y in place of x (same size: 6 floats).
  kiln_output_t inPlace[2] = {{x, sizeof x}, {idx, sizeof idx}};
  EXPECT_FAILS(kiln_model_run(m, in, 1, inPlace, 2), KILN_ERROR_INVALID_ARGUMENT,
               "output 0 'y' overlaps input 0 'x'; outputs must not share memory with inputs, other outputs or "
               "scratch");
  // Two outputs sharing bytes: idx inside y's 24 bytes.
  float both[6];
  kiln_output_t shared[2] = {{both, sizeof both}, {both + 2, sizeof idx}};
  EXPECT_FAILS(kiln_model_run(m, in, 1, shared, 2), KILN_ERROR_INVALID_ARGUMENT,
               "output 1 'idx' overlaps output 0 'y'");
  // An output inside the scratch buffer.
  alignas(64) unsigned char scratch[128];
  kiln_output_t inScratch[2] = {{y, sizeof y}, {scratch + 64, sizeof idx}};
  EXPECT_FAILS(kiln_model_run_with_scratch(m, in, 1, inScratch, 2, scratch, 128), KILN_ERROR_INVALID_ARGUMENT,
               "output 1 'idx' overlaps the scratch buffer");
  EXPECT_TRUE(outputsUntouched());
  // Adjacent buffers do not overlap.
  alignas(8) float adjacent[6 + 4];
  kiln_output_t touching[2] = {{adjacent, sizeof y}, {adjacent + 6, sizeof idx}};
  EXPECT_EQ(kiln_model_run(m, in, 1, touching, 2), KILN_OK) << kiln_last_error();
}

TEST_F(RunTest, RejectsBadQueries) {
  kiln_model_t *m = model_.get();
  kiln_tensor_info_t info;
  size_t index;
  kiln_model_info_t modelInfo;
  EXPECT_FAILS(kiln_model_input_info(nullptr, 0, &info), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_input_info: model is NULL");
  EXPECT_FAILS(kiln_model_input_info(m, 0, nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
  EXPECT_FAILS(kiln_model_input_info(m, 1, &info), KILN_ERROR_INVALID_ARGUMENT,
               "input index 1 is out of range; the model has 1");
  EXPECT_FAILS(kiln_model_output_info(nullptr, 0, &info), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_output_info: model is NULL");
  EXPECT_FAILS(kiln_model_output_info(m, 0, nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
  EXPECT_FAILS(kiln_model_output_info(m, 2, &info), KILN_ERROR_INVALID_ARGUMENT,
               "output index 2 is out of range; the model has 2");
  EXPECT_FAILS(kiln_model_output_info(m, static_cast<size_t>(-1), &info), KILN_ERROR_INVALID_ARGUMENT,
               "out of range");

  EXPECT_FAILS(kiln_model_find_input(nullptr, "x", &index), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_find_input: model is NULL");
  EXPECT_FAILS(kiln_model_find_input(m, nullptr, &index), KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
  EXPECT_FAILS(kiln_model_find_input(m, "x", nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_index is NULL");
  EXPECT_FAILS(kiln_model_find_input(m, "y", &index), KILN_ERROR_NOT_FOUND,
               "model 'fake' has no input 'y' (it has 'x')");
  EXPECT_FAILS(kiln_model_find_output(nullptr, "y", &index), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_find_output: model is NULL");
  EXPECT_FAILS(kiln_model_find_output(m, nullptr, &index), KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
  EXPECT_FAILS(kiln_model_find_output(m, "y", nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_index is NULL");
  EXPECT_FAILS(kiln_model_find_output(m, "Y", &index), KILN_ERROR_NOT_FOUND,
               "has no output 'Y' (it has 'y', 'idx')");

  EXPECT_FAILS(kiln_model_info(nullptr, &modelInfo), KILN_ERROR_INVALID_ARGUMENT, "kiln_model_info: model is NULL");
  EXPECT_FAILS(kiln_model_info(m, nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
}

TEST_F(RunTest, SuccessKeepsTheLastError) {
  kiln_tensor_info_t info;
  EXPECT_EQ(kiln_model_input_info(model_.get(), 5, &info), KILN_ERROR_INVALID_ARGUMENT);
  std::string before = kiln_last_error();
  ASSERT_EQ(kiln_model_run(model_.get(), in, 1, out, 2), KILN_OK);
  EXPECT_EQ(before, kiln_last_error());
}

TEST(RunEmpty, ZeroByteTensorsMayBeNull) {
  ModelPtr model = loadOrDie(fixture("empty"));
  ASSERT_TRUE(model);
  kiln_tensor_info_t info;
  ASSERT_EQ(kiln_model_input_info(model.get(), 0, &info), KILN_OK);
  EXPECT_EQ(info.bytes, 0u);
  // fake_run returns 1 for NULL pointers, so OK proves the runtime substituted non-NULL ones.
  kiln_input_t in[1] = {{nullptr, 0}};
  kiln_output_t out[2] = {{nullptr, 0}, {nullptr, 0}};
  EXPECT_EQ(kiln_model_run(model.get(), in, 1, out, 2), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln_model_run_with_scratch(model.get(), in, 1, out, 2, nullptr, 0), KILN_ERROR_INVALID_ARGUMENT);
}

TEST(RunMulti, ComputesEveryDtype) {
  ModelPtr model = loadOrDie(fixture("multi"));
  ASSERT_TRUE(model);
  int32_t a[4] = {1, 2, 3, -4};
  uint8_t mask[4] = {1, 0, 1, 1};
  uint16_t scale = 0x3F00; // bfloat16 0.5
  int32_t sum = 0;
  uint16_t half[4], scaled[4];
  kiln_input_t in[3] = {{a, sizeof a}, {mask, sizeof mask}, {&scale, sizeof scale}};
  kiln_output_t out[3] = {{&sum, sizeof sum}, {half, sizeof half}, {scaled, sizeof scaled}};
  // scratch_bytes is 0: NULL scratch is allowed.
  ASSERT_EQ(kiln_model_run_with_scratch(model.get(), in, 3, out, 3, nullptr, 0), KILN_OK) << kiln_last_error();
  EXPECT_EQ(sum, 1 + 3 - 4);
  const uint16_t expectedHalf[4] = {0x3800, 0x3C00, 0x3E00, 0xC000}; // 0.5 1 1.5 -2
  const uint16_t expectedBf16[4] = {0x3F00, 0x3F80, 0x3FC0, 0xC000};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(half[i], expectedHalf[i]) << i;
    EXPECT_EQ(scaled[i], expectedBf16[i]) << i;
  }
  kiln_input_t badIn[3] = {{a, sizeof a}, {mask, sizeof mask}, {&scale, 4}};
  EXPECT_FAILS(kiln_model_run(model.get(), badIn, 3, out, 3), KILN_ERROR_INVALID_ARGUMENT,
               "input 2 'scale' has 4 bytes, expected 2 (bfloat16[])");
}

// Generated-code failures are reported, with the code.
TEST(RunFailures, GeneratedCodeErrors) {
  float x[6] = {}, y[6];
  int64_t idx[2];
  kiln_input_t in[1] = {{x, sizeof x}};
  kiln_output_t out[2] = {{y, sizeof y}, {idx, sizeof idx}};
  alignas(64) unsigned char scratch[64];

  ModelPtr failing = loadOrDie(fixture("failing"));
  ASSERT_TRUE(failing);
  EXPECT_FAILS(kiln_model_run(failing.get(), in, 1, out, 2), KILN_ERROR_EXECUTION, "fake_run returned 7");
  EXPECT_FAILS(kiln_model_run_with_scratch(failing.get(), in, 1, out, 2, scratch, 64), KILN_ERROR_EXECUTION,
               "fake_run_with_scratch returned 7");

  ModelPtr oom = loadOrDie(fixture("oom"));
  ASSERT_TRUE(oom);
  EXPECT_FAILS(kiln_model_run(oom.get(), in, 1, out, 2), KILN_ERROR_OUT_OF_MEMORY,
               "fake_run could not allocate its 64 bytes of scratch memory");
  EXPECT_FAILS(kiln_model_run_with_scratch(oom.get(), in, 1, out, 2, scratch, 64), KILN_ERROR_EXECUTION,
               "fake_run_with_scratch returned 2 (out of memory)");
}

// ---------------------------------------------------------------------------------------------------------
// Broken artifacts
// ---------------------------------------------------------------------------------------------------------

TEST(RuntimeBadArtifacts, BadArguments) {
  kiln_model_t *model = reinterpret_cast<kiln_model_t *>(0x1); // must stay untouched on failure
  EXPECT_FAILS(kiln_model_load(nullptr, &model), KILN_ERROR_INVALID_ARGUMENT, "kiln_model_load: path is NULL");
  EXPECT_FAILS(kiln_model_load(fixture("good").c_str(), nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_model is NULL");
  EXPECT_FAILS(kiln_model_load("", &model), KILN_ERROR_INVALID_ARGUMENT, "path is empty");
  EXPECT_FAILS(kiln_model_load_manifest(nullptr, &model), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_load_manifest: path is NULL");
  EXPECT_FAILS(kiln_model_load_manifest(fixture("good").c_str(), nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "out_model is NULL");
  EXPECT_EQ(model, reinterpret_cast<kiln_model_t *>(0x1));
}

TEST(RuntimeBadArtifacts, Missing) {
  kiln_model_t *model = nullptr;
  EXPECT_FAILS(kiln_model_load(fixture("nothing_here").c_str(), &model), KILN_ERROR_NOT_FOUND, "nothing_here");
  EXPECT_FAILS(kiln_model_load(fixture("no_manifest").c_str(), &model), KILN_ERROR_NOT_FOUND,
               "no manifest (*.json) in artifact folder");
  EXPECT_FAILS(kiln_model_load(fixture("no_manifest/libfake.so").c_str(), &model), KILN_ERROR_NOT_FOUND,
               "no_manifest/fake.json' not found");
  EXPECT_FAILS(kiln_model_load(fixture("missing_so").c_str(), &model), KILN_ERROR_NOT_FOUND,
               "missing_so/libnothere.so");
  EXPECT_FAILS(kiln_model_load(fixture("no_symbol").c_str(), &model), KILN_ERROR_NOT_FOUND,
               "does not export 'fake_signature'");
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeBadArtifacts, Mismatch) {
  kiln_model_t *model = nullptr;
  EXPECT_FAILS(kiln_model_load(fixture("mismatch").c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               "signature 'kiln-abi-1;inputs=x:f32[3,3];outputs=y:f32[3,3],idx:i64[3]' differs from the library's "
               "'kiln-abi-1;inputs=x:f32[2,3];outputs=y:f32[2,3],idx:i64[2]'");
  EXPECT_EQ(model, nullptr);
  // The manifest alone is consistent; only the library gives it away.
  ASSERT_EQ(kiln_model_load_manifest(fixture("mismatch").c_str(), &model), KILN_OK) << kiln_last_error();
  kiln_model_destroy(model);
}

TEST(RuntimeBadArtifacts, PathOutsideTheFolder) {
  // ../evil.so exists and exports a matching fake model: only the name check stops it.
  ASSERT_TRUE(fs::exists(fixture("evil.so")));
  kiln_model_t *model = nullptr;
  EXPECT_FAILS(kiln_model_load(fixture("evil").c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               "files.shared_library '../evil.so' is not a plain file name inside the artifact folder");
  EXPECT_FAILS(kiln_model_load_manifest(fixture("evil").c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               "'../evil.so' is not a plain file name");
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeBadArtifacts, TruncatedVersionAndNotALibrary) {
  kiln_model_t *model = nullptr;
  EXPECT_FAILS(kiln_model_load(fixture("truncated").c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               "truncated/fake.json: not valid JSON: ");
  EXPECT_FAILS(kiln_model_load(fixture("bad_version").c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               "format_version 2 is not supported (this runtime reads 1)");
  EXPECT_FAILS(kiln_model_load(fixture("not_a_library").c_str(), &model), KILN_ERROR_LOAD, "dlopen failed");
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeBadArtifacts, AmbiguousAndWrongPaths) {
  TempDir dir;
  std::string good = readText(fixture("good/fake.json"));
  dir.write("a.json", good);
  dir.write("b.json", good);
  kiln_model_t *model = nullptr;
  EXPECT_FAILS(kiln_model_load(dir.path().c_str(), &model), KILN_ERROR_INVALID_ARGUMENT,
               "holds several manifests (a.json, b.json)");
  std::string text = dir.write("notes.txt", "hello");
  EXPECT_FAILS(kiln_model_load(text.c_str(), &model), KILN_ERROR_INVALID_ARGUMENT,
               "is not an artifact folder, a .so or a .json manifest");
  // Given libother.so, the manifest must name libother.so.
  dir.write("other.json", good);
  std::string other = dir.write("libother.so", "");
  EXPECT_FAILS(kiln_model_load(other.c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               "names shared library 'libfake.so', not the 'libother.so' given");
  EXPECT_EQ(model, nullptr);
}

// Each case edits the good manifest in one way; kiln_model_load_manifest must refuse it and say why.
struct ManifestCase {
  const char *what;
  std::function<void(json &)> edit;
  const char *message;
};

TEST(RuntimeBadArtifacts, ManifestFieldChecks) {
  const json good = json::parse(readText(fixture("good/fake.json")));
  const ManifestCase cases[] = {
      {"no format", [](json &j) { j.erase("format"); }, "missing field 'format'"},
      {"other format", [](json &j) { j["format"] = "onnx"; }, "format is 'onnx', expected 'kiln-artifact'"},
      {"version as string", [](json &j) { j["format_version"] = "1"; }, "format_version \"1\" is not supported"},
      {"version 0", [](json &j) { j["format_version"] = 0; }, "format_version 0 is not supported"},
      {"no name", [](json &j) { j.erase("name"); }, "missing field 'name'"},
      {"name not identifier", [](json &j) { j["name"] = "3d"; }, "name '3d' is not a C identifier"},
      {"name with slash", [](json &j) { j["name"] = "../x"; }, "is not a C identifier"},
      {"wrong entry", [](json &j) { j["entry"] = "main"; }, "entry 'main' should be 'fake_run'"},
      {"no target", [](json &j) { j.erase("target"); }, "missing field 'target'"},
      {"target not object", [](json &j) { j["target"] = "x86"; }, "field 'target' must be an object"},
      {"triple not string", [](json &j) { j["target"]["triple"] = 5; }, "field 'target.triple' must be a string"},
      {"negative scratch", [](json &j) { j["scratch_bytes"] = -1; }, "'scratch_bytes' must be a non-negative integer"},
      {"fractional scratch", [](json &j) { j["scratch_bytes"] = 1.5; }, "'scratch_bytes' must be a non-negative"},
      {"no inputs", [](json &j) { j.erase("inputs"); }, "missing field 'inputs'"},
      {"inputs not array", [](json &j) { j["inputs"] = json::object(); }, "field 'inputs' must be an array"},
      {"input not object", [](json &j) { j["inputs"][0] = 3; }, "inputs[0] must be an object"},
      {"input without name", [](json &j) { j["inputs"][0].erase("name"); }, "missing field 'inputs[0].name'"},
      {"empty name", [](json &j) { j["inputs"][0]["name"] = ""; }, "field 'inputs[0].name' is empty"},
      {"NUL in name", [](json &j) { j["inputs"][0]["name"] = std::string("a\0b", 3); }, "contains a NUL character"},
      {"unknown dtype", [](json &j) { j["outputs"][1]["dtype"] = "uint64"; },
       "field 'outputs[1].dtype' has unknown dtype 'uint64'"},
      {"no shape", [](json &j) { j["outputs"][0].erase("shape"); }, "missing field 'outputs[0].shape'"},
      {"negative dim", [](json &j) { j["inputs"][0]["shape"][1] = -3; },
       "field 'inputs[0].shape[1]' must be a non-negative integer"},
      {"huge shape", [](json &j) { j["inputs"][0]["shape"] = {uint64_t(1) << 62, uint64_t(1) << 62}; },
       "is too large to address"},
      {"dim above int64", [](json &j) { j["inputs"][0]["shape"][0] = UINT64_MAX; }, "shape[0]' is too large"},
      {"wrong bytes", [](json &j) { j["inputs"][0]["bytes"] = 23; },
       "inputs[0] 'x' says 23 bytes, but float32[2,3] is 24"},
      {"no bytes", [](json &j) { j["inputs"][0].erase("bytes"); }, "missing field 'inputs[0].bytes'"},
      {"duplicate output", [](json &j) { j["outputs"][1]["name"] = "y"; }, "outputs has two tensors named 'y'"},
      {"inconsistent signature", [](json &j) { j["signature"] = "kiln-abi-1;inputs=;outputs="; },
       "does not match its inputs and outputs 'kiln-abi-1;inputs=x:f32[2,3];outputs=y:f32[2,3],idx:i64[2]'"},
      {"old abi", [](json &j) { j["signature"] = "kiln-abi-0;inputs=x:f32[2,3];outputs=y:f32[2,3],idx:i64[2]"; },
       "signature 'kiln-abi-0;"},
      {"no files", [](json &j) { j.erase("files"); }, "missing field 'files'"},
      {"no library", [](json &j) { j["files"].erase("shared_library"); }, "has no shared library: it was compiled for"},
      {"absolute library", [](json &j) { j["files"]["shared_library"] = "/tmp/libfake.so"; },
       "'/tmp/libfake.so' is not a plain file name"},
      {"library in subfolder", [](json &j) { j["files"]["shared_library"] = "sub/libfake.so"; },
       "'sub/libfake.so' is not a plain file name"},
      {"library dot-dot", [](json &j) { j["files"]["shared_library"] = ".."; }, "'..' is not a plain file name"},
      {"library empty", [](json &j) { j["files"]["shared_library"] = ""; }, "'' is not a plain file name"},
      {"library backslash", [](json &j) { j["files"]["shared_library"] = "..\\evil.so"; }, "is not a plain file"},
      {"static library path", [](json &j) { j["files"]["static_library"] = "../libfake.a"; },
       "files.static_library '../libfake.a' is not a plain file name"},
      {"header path", [](json &j) { j["files"]["header"] = "/etc/passwd"; }, "files.header '/etc/passwd'"},
      {"not an object", [](json &j) { j = json::array(); }, "not a JSON object"},
  };
  TempDir dir;
  for (const ManifestCase &c : cases) {
    SCOPED_TRACE(c.what);
    json edited = good;
    c.edit(edited);
    std::string path = dir.write("fake.json", edited.dump());
    kiln_model_t *model = nullptr;
    EXPECT_FAILS(kiln_model_load_manifest(path.c_str(), &model), KILN_ERROR_BAD_MANIFEST, c.message);
    EXPECT_EQ(model, nullptr);
  }
}

TEST(RuntimeBadArtifacts, EscapedNamesInSignature) {
  // Names are %XX-escaped in the signature; a manifest spelling them raw is inconsistent.
  json manifest = json::parse(readText(fixture("multi/multi.json")));
  manifest["signature"] = "kiln-abi-1;inputs=a:i32[4],mask:0:i1[4],scale:bf16[];outputs=out/sum:i32[],half:f16[4],"
                          "scaled:bf16[4]";
  TempDir dir;
  std::string path = dir.write("multi.json", manifest.dump());
  kiln_model_t *model = nullptr;
  EXPECT_FAILS(kiln_model_load_manifest(path.c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               "inputs=a:i32[4],mask%3A0:i1[4],scale:bf16[];outputs=out%2Fsum:i32[]");
}

// No prefix of a valid manifest is valid, and none may crash the parser.
TEST(RuntimeBadArtifacts, EveryTruncation) {
  std::string good = readText(fixture("good/fake.json"));
  ASSERT_GT(good.size(), 100u);
  TempDir dir;
  // The last '}' is followed only by whitespace, so every prefix that cuts before it is incomplete.
  size_t end = good.find_last_of('}');
  for (size_t length = 0; length <= end; ++length) {
    std::string path = dir.write("fake.json", good.substr(0, length));
    kiln_model_t *model = nullptr;
    kiln_status_t status = kiln_model_load_manifest(path.c_str(), &model);
    ASSERT_EQ(status, KILN_ERROR_BAD_MANIFEST) << "prefix of " << length << " bytes: " << kiln_last_error();
    ASSERT_NE(std::strstr(kiln_last_error(), "not valid JSON"), nullptr) << kiln_last_error();
  }
}

TEST(RuntimeBadArtifacts, GarbageAndHugeManifests) {
  TempDir dir;
  kiln_model_t *model = nullptr;
  std::string garbage;
  for (int i = 0; i < 4096; ++i)
    garbage += static_cast<char>((i * 7919) & 0xFF);
  EXPECT_FAILS(kiln_model_load_manifest(dir.write("fake.json", garbage).c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               "not valid JSON");
  EXPECT_FAILS(kiln_model_load_manifest(dir.write("fake.json", std::string(100000, '[')).c_str(), &model),
               KILN_ERROR_BAD_MANIFEST, "not valid JSON");
  EXPECT_FAILS(kiln_model_load_manifest(dir.write("fake.json", std::string(17u << 20, ' ')).c_str(), &model),
               KILN_ERROR_BAD_MANIFEST, "larger than");
  EXPECT_EQ(model, nullptr);
}

// ---------------------------------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------------------------------

TEST(RuntimeThreads, EightThreadsRunOneModel) {
  ModelPtr model = loadOrDie(fixture("good"));
  ASSERT_TRUE(model);
  constexpr int kThreads = 8, kIterations = 2000;
  std::atomic<int> ready{0}, wrong{0}, failed{0};
  std::vector<std::string> firstProblem(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ++ready;
      while (ready.load() < kThreads) {
      } // start together, to maximize overlap
      alignas(64) unsigned char scratch[64];
      for (int it = 0; it < kIterations; ++it) {
        // Distinct values per thread and iteration, with a different argmax per row.
        float x[6];
        for (int i = 0; i < 6; ++i)
          x[i] = static_cast<float>(t * 1000 + it) + static_cast<float>((i * 7 + t + it) % 6);
        float y[6];
        int64_t idx[2];
        kiln_input_t in[1] = {{x, sizeof x}};
        kiln_output_t out[2] = {{y, sizeof y}, {idx, sizeof idx}};
        kiln_status_t status = it % 2 ? kiln_model_run(model.get(), in, 1, out, 2)
                                      : kiln_model_run_with_scratch(model.get(), in, 1, out, 2, scratch, 64);
        if (status != KILN_OK) {
          if (failed++ == 0)
            firstProblem[t] = kiln_last_error();
          continue;
        }
        bool ok = true;
        for (int i = 0; i < 6; ++i)
          ok &= y[i] == 2 * x[i] + 1;
        for (int r = 0; r < 2; ++r) {
          int best = 0;
          for (int c = 1; c < 3; ++c)
            if (x[r * 3 + c] > x[r * 3 + best])
              best = c;
          ok &= idx[r] == best;
        }
        if (!ok && wrong++ == 0)
          firstProblem[t] = "wrong result in thread " + std::to_string(t) + " iteration " + std::to_string(it);
        // A failing call in this thread must report this thread's problem, whatever the others do.
        kiln_input_t bad[1] = {{x, static_cast<size_t>(t)}};
        if (kiln_model_run(model.get(), bad, 1, out, 2) != KILN_ERROR_INVALID_ARGUMENT ||
            std::strstr(kiln_last_error(), ("has " + std::to_string(t) + " bytes").c_str()) == nullptr) {
          if (wrong++ == 0)
            firstProblem[t] = std::string("thread-local error mixed up: ") + kiln_last_error();
        }
      }
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  std::string problems;
  for (const std::string &p : firstProblem)
    problems += p.empty() ? "" : p + "\n";
  EXPECT_EQ(failed.load(), 0) << problems;
  EXPECT_EQ(wrong.load(), 0) << problems;
}

TEST(RuntimeThreads, LoadAndDestroyConcurrently) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        kiln_model_t *model = nullptr;
        if (kiln_model_load(fixture("good").c_str(), &model) != KILN_OK) {
          ++failures;
          continue;
        }
        float x[6] = {0, 1, 2, 3, 4, 5}, y[6];
        int64_t idx[2];
        kiln_input_t in[1] = {{x, sizeof x}};
        kiln_output_t out[2] = {{y, sizeof y}, {idx, sizeof idx}};
        if (kiln_model_run(model, in, 1, out, 2) != KILN_OK || y[5] != 11.0f || idx[0] != 2 || idx[1] != 2)
          ++failures;
        kiln_model_destroy(model);
      }
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
}

} // namespace
