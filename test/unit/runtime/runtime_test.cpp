// runtime_test.cpp: the C runtime against the fake artifacts built by this folder's CMakeLists.txt.
//
// Every failing call is checked twice: its status code, and that kiln_last_error() names the problem.
#include "runtime/kiln_runtime.h"

#include <dlfcn.h>
#include <sched.h>

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

bool endsWithText(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Copies fixture folder |from|'s |files| into |dir|, to break one of them there.
void copyFiles(const std::string &from, const TempDir &dir, const std::vector<std::string> &files) {
  for (const std::string &file : files)
    fs::copy_file(fixture(from + "/" + file), dir.path() + "/" + file, fs::copy_options::overwrite_existing);
}

// The index of entry point |name|, or a failed assertion.
size_t entryIndex(const kiln_model_t *model, const char *name) {
  size_t index = 99;
  EXPECT_EQ(kiln_model_find_entry_point(model, name, &index), KILN_OK) << kiln_last_error();
  return index;
}

// The lin fixture's weights (lin_weights.c), and what its entry points compute from them.
constexpr float kLinW[3] = {0.5f, -2.0f, 3.0f}, kLinB[3] = {1.0f, 0.25f, -4.0f};

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
    size_t size, bits;
  } expected[] = {{KILN_DTYPE_F16, "float16", 2, 16},
                  {KILN_DTYPE_BF16, "bfloat16", 2, 16},
                  {KILN_DTYPE_F32, "float32", 4, 32},
                  {KILN_DTYPE_F64, "float64", 8, 64},
                  {KILN_DTYPE_BOOL, "bool", 1, 8},
                  {KILN_DTYPE_I8, "int8", 1, 8},
                  {KILN_DTYPE_I32, "int32", 4, 32},
                  {KILN_DTYPE_I64, "int64", 8, 64},
                  {KILN_DTYPE_U8, "uint8", 1, 8},
                  {KILN_DTYPE_I16, "int16", 2, 16},
                  {KILN_DTYPE_U16, "uint16", 2, 16},
                  {KILN_DTYPE_U32, "uint32", 4, 32},
                  {KILN_DTYPE_U64, "uint64", 8, 64},
                  {KILN_DTYPE_F8E4M3FN, "float8_e4m3fn", 1, 8},
                  {KILN_DTYPE_F8E4M3FNUZ, "float8_e4m3fnuz", 1, 8},
                  {KILN_DTYPE_F8E5M2, "float8_e5m2", 1, 8},
                  {KILN_DTYPE_F8E5M2FNUZ, "float8_e5m2fnuz", 1, 8},
                  {KILN_DTYPE_I4, "int4", 0, 4},
                  {KILN_DTYPE_U4, "uint4", 0, 4},
                  {KILN_DTYPE_I2, "int2", 0, 2},
                  {KILN_DTYPE_U2, "uint2", 0, 2}};
  for (const auto &e : expected) {
    EXPECT_STREQ(kiln_dtype_name(e.dtype), e.name);
    EXPECT_EQ(kiln_dtype_size(e.dtype), e.size) << e.name;
    EXPECT_EQ(kiln_dtype_bits(e.dtype), e.bits) << e.name;
    kiln_dtype_t parsed = KILN_DTYPE_F64;
    ASSERT_EQ(kiln_dtype_from_name(e.name, &parsed), KILN_OK) << e.name;
    EXPECT_EQ(parsed, e.dtype);
  }
  // The enum, the names and the sizes are those of the ABI table.
#define CHECK_ABI_DTYPE(ENUM, code, numpyName, abiName, bytes, bits)                                             \
  EXPECT_EQ(KILN_DTYPE_##ENUM, code);                                                                         \
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_##ENUM), numpyName);                                                \
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_##ENUM), size_t(bytes));                                               \
  EXPECT_EQ(kiln_dtype_bits(KILN_DTYPE_##ENUM), size_t(bits));
  KILN_DTYPES(CHECK_ABI_DTYPE)
#undef CHECK_ABI_DTYPE
  auto invalid = static_cast<kiln_dtype_t>(21);
  EXPECT_EQ(kiln_dtype_name(invalid), nullptr);
  EXPECT_EQ(kiln_dtype_size(invalid), 0u);
  EXPECT_EQ(kiln_dtype_bits(invalid), 0u);
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
  EXPECT_EQ(kiln_model_entry_point_count(nullptr), 0u);
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
    EXPECT_EQ(kiln_model_entry_point_count(model.get()), 1u);
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
  EXPECT_STREQ(info.kiln_version, "0.2.0");
  EXPECT_STREQ(info.target_triple, "x86_64-unknown-linux-gnu");
  EXPECT_STREQ(info.target_cpu, "znver4");
  EXPECT_STREQ(info.target_features, "+avx2,+fma");
  EXPECT_STREQ(info.signature, "kiln-abi-2|run:in=x:f32[2,3];out=y:f32[2,3],idx:i64[2]");
  EXPECT_EQ(std::string(info.manifest_path), fixture("good/fake.json"));
  EXPECT_EQ(std::string(info.library_path), fixture("good/libfake.so"));
  EXPECT_EQ(info.library_loaded, 1);
  EXPECT_EQ(info.scratch_bytes, 64u);
  EXPECT_EQ(info.num_inputs, 1u);
  EXPECT_EQ(info.num_outputs, 2u);
  EXPECT_EQ(info.num_entry_points, 1u);
  EXPECT_STREQ(info.weights_path, ""); // embedded
  EXPECT_EQ(info.weights_bytes, 0u);
  EXPECT_EQ(info.num_weights, 0u);
}

TEST(RuntimeLoad, OptionalFieldsMayBeAbsent) {
  // lin.json has no target.cpu, target.features: they read as "".
  ModelPtr model = loadOrDie(fixture("lin"));
  ASSERT_TRUE(model);
  kiln_model_info_t info;
  ASSERT_EQ(kiln_model_info(model.get(), &info), KILN_OK);
  EXPECT_STREQ(info.target_cpu, "");
  EXPECT_STREQ(info.target_features, "");
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
  std::memset(scratch, 0, 128);
  EXPECT_EQ(kiln_model_run_with_scratch(model_.get(), in, 1, out, 2, scratch, 64), KILN_OK) << kiln_last_error();
  expectFakeResults(x, y, idx);
  // fake_run_ctx leaves 2 * (the last row of x) at the start of its scratch: it used ours.
  const float *twice = static_cast<const float *>(scratch);
  EXPECT_EQ(twice[0], -4.0f);
  EXPECT_EQ(twice[1], -14.0f);
  EXPECT_EQ(twice[2], 0.0f);

  std::fill(std::begin(y), std::end(y), -999.0f);
  std::fill(std::begin(idx), std::end(idx), -999);
  char *misaligned = static_cast<char *>(scratch) + 8;
  EXPECT_FAILS(kiln_model_run_with_scratch(model_.get(), in, 1, out, 2, misaligned, 64),
               KILN_ERROR_INVALID_ARGUMENT, "scratch is not 64-byte aligned");
  EXPECT_FAILS(kiln_model_run_with_scratch(model_.get(), in, 1, out, 2, scratch, 63), KILN_ERROR_INVALID_ARGUMENT,
               "scratch has 63 bytes, entry point 'run' needs 64");
  EXPECT_FAILS(kiln_model_run_with_scratch(model_.get(), in, 1, out, 2, nullptr, 64), KILN_ERROR_INVALID_ARGUMENT,
               "scratch is NULL");
  EXPECT_FAILS(kiln_model_run_with_scratch(nullptr, in, 1, out, 2, scratch, 64), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_run_with_scratch: model is NULL");
  EXPECT_TRUE(outputsUntouched());
  std::free(scratch);
}

// The thread count: options.num_threads when given, else KILN_NUM_THREADS, else the CPUs this process may
// use; more than one lends the code a pool (fake_run_ctx checks parallel_for and pool and computes idx
// through them), one lends none.
TEST_F(RunTest, LendsAThreadPool) {
  void *library = dlopen(fixture("good/libfake.so").c_str(), RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(library, nullptr) << "the runtime should have loaded libfake.so";
  auto threadsLastRun = reinterpret_cast<uint32_t (*)()>(dlsym(library, "fake_threads_last_run"));
  ASSERT_NE(threadsLastRun, nullptr);
  auto runWith = [&](size_t threads) {
    std::fill(std::begin(idx), std::end(idx), -999);
    kiln_run_options_t options = KILN_RUN_OPTIONS_INIT;
    options.num_threads = threads;
    EXPECT_EQ(kiln_model_run_entry(model_.get(), 0, in, 1, out, 2, &options), KILN_OK) << kiln_last_error();
    expectFakeResults(x, y, idx);
    return threadsLastRun();
  };
  EXPECT_EQ(runWith(1), 0u);
  EXPECT_EQ(runWith(3), 3u);
  EXPECT_EQ(runWith(3), 3u); // the pool made by the last run, borrowed again
  EXPECT_EQ(runWith(2), 2u);

  const char *saved = std::getenv("KILN_NUM_THREADS");
  std::string savedValue = saved ? saved : "";
  setenv("KILN_NUM_THREADS", "5", 1);
  EXPECT_EQ(runWith(0), 5u);
  EXPECT_EQ(runWith(2), 2u); // the option wins over the environment
  setenv("KILN_NUM_THREADS", "lots", 1); // not a number: ignored
  cpu_set_t cpus;
  ASSERT_EQ(sched_getaffinity(0, sizeof cpus, &cpus), 0);
  uint32_t available = static_cast<uint32_t>(CPU_COUNT(&cpus));
  EXPECT_EQ(runWith(0), available > 1 ? available : 0u);
  unsetenv("KILN_NUM_THREADS");
  EXPECT_EQ(runWith(0), available > 1 ? available : 0u);
  if (saved)
    setenv("KILN_NUM_THREADS", savedValue.c_str(), 1);
  dlclose(library);
}

// A run without the caller's scratch borrows one of the model's own buffers: aligned, big enough, and the
// same one again on the next run, so that runs allocate nothing after the first; a caller's buffer is used
// as it is.
TEST_F(RunTest, LendsScratchKeptWithTheModel) {
  void *library = dlopen(fixture("good/libfake.so").c_str(), RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(library, nullptr) << "the runtime should have loaded libfake.so";
  auto scratchLastRun = reinterpret_cast<void *(*)()>(dlsym(library, "fake_scratch_last_run"));
  ASSERT_NE(scratchLastRun, nullptr);
  ASSERT_EQ(kiln_model_run(model_.get(), in, 1, out, 2), KILN_OK) << kiln_last_error();
  expectFakeResults(x, y, idx);
  void *lent = scratchLastRun();
  ASSERT_NE(lent, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(lent) % KILN_SCRATCH_ALIGNMENT, 0u);
  EXPECT_EQ(static_cast<const float *>(lent)[0], -4.0f); // fake_run_ctx computed in it
  for (int run = 0; run < 3; ++run) {
    ASSERT_EQ(kiln_model_run(model_.get(), in, 1, out, 2), KILN_OK) << kiln_last_error();
    EXPECT_EQ(scratchLastRun(), lent);
  }
  alignas(64) static unsigned char mine[64];
  ASSERT_EQ(kiln_model_run_with_scratch(model_.get(), in, 1, out, 2, mine, sizeof mine), KILN_OK)
      << kiln_last_error();
  EXPECT_EQ(scratchLastRun(), static_cast<void *>(mine));
  dlclose(library);
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
  // Passed through as NULL, which the contract allows for zero-byte buffers.
  kiln_input_t in[1] = {{nullptr, 0}};
  kiln_output_t out[2] = {{nullptr, 0}, {nullptr, 0}};
  EXPECT_EQ(kiln_model_run(model.get(), in, 1, out, 2), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln_model_run_entry(model.get(), 0, in, 1, out, 2, nullptr), KILN_OK) << kiln_last_error();
  // The scratch is not a tensor: "run" needs 64 bytes of it even here.
  EXPECT_FAILS(kiln_model_run_with_scratch(model.get(), in, 1, out, 2, nullptr, 0), KILN_ERROR_INVALID_ARGUMENT,
               "scratch has 0 bytes, entry point 'run' needs 64");
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
  EXPECT_EQ(kiln_model_scratch_bytes(model.get()), 0u);
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

// Every code the generated code can return becomes the documented status, and the message names the
// function, the code and its meaning. The "codes" fixture returns (int)x[0].
TEST(RunFailures, GeneratedCodeErrors) {
  ModelPtr model = loadOrDie(fixture("codes"));
  ASSERT_TRUE(model);
  struct {
    int code;
    bool withScratch;
    kiln_status_t status;
    const char *message;
  } cases[] = {
      {KILN_CODE_NULL_ARGUMENT, false, KILN_ERROR_EXECUTION,
       "kiln_model_run: fake_run_ctx returned 1 (KILN_CODE_NULL_ARGUMENT: a NULL argument)"},
      {KILN_CODE_OUT_OF_MEMORY, false, KILN_ERROR_OUT_OF_MEMORY,
       "fake_run_ctx could not allocate its 64 bytes of scratch memory (returned 2 (KILN_CODE_OUT_OF_MEMORY"},
      // With the caller's scratch the code allocates nothing: out of memory is then unexpected.
      {KILN_CODE_OUT_OF_MEMORY, true, KILN_ERROR_EXECUTION, "fake_run_ctx returned 2 (KILN_CODE_OUT_OF_MEMORY"},
      {KILN_CODE_MISALIGNED_SCRATCH, true, KILN_ERROR_INVALID_ARGUMENT,
       "fake_run_ctx returned 3 (KILN_CODE_MISALIGNED_SCRATCH: misaligned scratch)"},
      {KILN_CODE_SCRATCH_TOO_SMALL, true, KILN_ERROR_INVALID_ARGUMENT,
       "fake_run_ctx returned 4 (KILN_CODE_SCRATCH_TOO_SMALL: scratch too small)"},
      {KILN_CODE_BAD_CONTEXT, false, KILN_ERROR_EXECUTION, "fake_run_ctx returned 5 (KILN_CODE_BAD_CONTEXT"},
      {KILN_CODE_MISSING_WEIGHTS, false, KILN_ERROR_EXECUTION, "fake_run_ctx returned 6 (KILN_CODE_MISSING_WEIGHTS"},
      {KILN_CODE_NO_DEVICE, false, KILN_ERROR_EXECUTION, "fake_run_ctx returned 7 (KILN_CODE_NO_DEVICE"},
      {KILN_CODE_LAUNCH_FAILED, false, KILN_ERROR_EXECUTION,
       "fake_run_ctx returned 8 (KILN_CODE_LAUNCH_FAILED: a kernel could not be launched)"},
      {-1, true, KILN_ERROR_EXECUTION, "fake_run_ctx returned -1"},
  };
  alignas(64) unsigned char scratch[64];
  for (const auto &c : cases) {
    SCOPED_TRACE(c.code);
    float x[6] = {static_cast<float>(c.code)}, y[6];
    int64_t idx[2];
    kiln_input_t in[1] = {{x, sizeof x}};
    kiln_output_t out[2] = {{y, sizeof y}, {idx, sizeof idx}};
    if (c.withScratch)
      EXPECT_FAILS(kiln_model_run_with_scratch(model.get(), in, 1, out, 2, scratch, 64), c.status, c.message);
    else
      EXPECT_FAILS(kiln_model_run(model.get(), in, 1, out, 2), c.status, c.message);
  }
  // An unknown code has no name to add.
  float x[6] = {9}, y[6];
  int64_t idx[2];
  kiln_input_t in[1] = {{x, sizeof x}};
  kiln_output_t out[2] = {{y, sizeof y}, {idx, sizeof idx}};
  EXPECT_EQ(kiln_model_run(model.get(), in, 1, out, 2), KILN_ERROR_EXECUTION);
  EXPECT_TRUE(endsWithText(kiln_last_error(), "fake_run_ctx returned 9")) << kiln_last_error();

  ModelPtr failing = loadOrDie(fixture("failing"));
  ASSERT_TRUE(failing);
  EXPECT_FAILS(kiln_model_run_entry(failing.get(), 0, in, 1, out, 2, nullptr), KILN_ERROR_EXECUTION,
               "kiln_model_run_entry: fake_run_ctx returned 7");
}

// ---------------------------------------------------------------------------------------------------------
// Training state (trainer_model.c)
// ---------------------------------------------------------------------------------------------------------

class StateTest : public ::testing::Test {
protected:
  void SetUp() override {
    model_ = loadOrDie(fixture("trainer"));
    ASSERT_TRUE(model_);
    std::fill(std::begin(state), std::end(state), 0xAB);
  }
  float floatAt(size_t offset) const {
    float f;
    std::memcpy(&f, state + offset, sizeof f);
    return f;
  }
  bool stateUntouched() const {
    return std::all_of(std::begin(state), std::end(state), [](unsigned char c) { return c == 0xAB; });
  }

  ModelPtr model_;
  alignas(8) unsigned char state[72];
  float x[2] = {1, 3}, target = 2, loss = -999;
  kiln_input_t in[2] = {{x, sizeof x}, {&target, sizeof target}};
  kiln_output_t out[1] = {{&loss, sizeof loss}};
};

TEST_F(StateTest, DescribesTheLayout) {
  kiln_model_t *m = model_.get();
  EXPECT_EQ(kiln_model_state_bytes(m), 72u);
  ASSERT_EQ(kiln_model_state_tensor_count(m), 2u);
  kiln_state_tensor_info_t info;
  ASSERT_EQ(kiln_model_state_tensor_info(m, 1, &info), KILN_OK) << kiln_last_error();
  EXPECT_STREQ(info.tensor.name, "w.momentum");
  EXPECT_EQ(info.tensor.dtype, KILN_DTYPE_F32);
  EXPECT_EQ(info.tensor.rank, 1u);
  EXPECT_EQ(info.tensor.shape[0], 2);
  EXPECT_EQ(info.tensor.bytes, 8u);
  EXPECT_EQ(info.offset, 64u);
  size_t index = 99;
  ASSERT_EQ(kiln_model_find_state_tensor(m, "w", &index), KILN_OK) << kiln_last_error();
  EXPECT_EQ(index, 0u);
  // A model without a state has an empty one.
  ModelPtr plain = loadOrDie(fixture("good"));
  EXPECT_EQ(kiln_model_state_bytes(plain.get()), 0u);
  EXPECT_EQ(kiln_model_state_tensor_count(plain.get()), 0u);
  EXPECT_EQ(kiln_model_state_bytes(nullptr), 0u);
  EXPECT_EQ(kiln_model_state_tensor_count(nullptr), 0u);
}

TEST_F(StateTest, TrainsInPlace) {
  kiln_model_t *m = model_.get();
  ASSERT_EQ(kiln_model_init_state(m, state, sizeof state, nullptr), KILN_OK) << kiln_last_error();
  EXPECT_EQ(floatAt(0), 1.0f);
  EXPECT_EQ(floatAt(4), 2.0f);
  EXPECT_EQ(floatAt(64), 0.0f);
  ASSERT_EQ(kiln_model_train_step(m, state, sizeof state, in, 2, out, 1, nullptr), KILN_OK) << kiln_last_error();
  EXPECT_EQ(loss, 1 * 1 + 2 * 3 - 2.0f); // the weights before the update
  EXPECT_EQ(floatAt(64), 1.0f);         // momentum += x
  EXPECT_EQ(floatAt(68), 3.0f);
  EXPECT_EQ(floatAt(0), 0.0f); // w -= momentum
  EXPECT_EQ(floatAt(4), -1.0f);
  kiln_run_options_t options = KILN_RUN_OPTIONS_INIT;
  options.num_threads = 1;
  ASSERT_EQ(kiln_model_train_step(m, state, sizeof state, in, 2, out, 1, &options), KILN_OK) << kiln_last_error();
  EXPECT_EQ(loss, 0 * 1 + -1 * 3 - 2.0f);
  EXPECT_EQ(floatAt(0), -2.0f);
  EXPECT_EQ(floatAt(4), -7.0f);
}

// One case per precondition; none may reach the generated code (the state keeps its sentinel bytes).
TEST_F(StateTest, RejectsEveryBadCall) {
  kiln_model_t *m = model_.get();
  kiln_state_tensor_info_t info;
  size_t index;
  EXPECT_FAILS(kiln_model_state_tensor_info(nullptr, 0, &info), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_state_tensor_info: model is NULL");
  EXPECT_FAILS(kiln_model_state_tensor_info(m, 0, nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
  EXPECT_FAILS(kiln_model_state_tensor_info(m, 2, &info), KILN_ERROR_INVALID_ARGUMENT,
               "state tensor index 2 is out of range; the model has 2");
  EXPECT_FAILS(kiln_model_find_state_tensor(m, nullptr, &index), KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
  EXPECT_FAILS(kiln_model_find_state_tensor(m, "w", nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_index is NULL");
  EXPECT_FAILS(kiln_model_find_state_tensor(m, "b", &index), KILN_ERROR_NOT_FOUND,
               "model 'trainer' has no state tensor 'b'");

  EXPECT_FAILS(kiln_model_init_state(nullptr, state, sizeof state, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_init_state: model is NULL");
  EXPECT_FAILS(kiln_model_init_state(m, nullptr, sizeof state, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "state is NULL");
  EXPECT_FAILS(kiln_model_init_state(m, state, 71, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "state has 71 bytes, the model's state has 72");
  kiln_run_options_t badOptions = KILN_RUN_OPTIONS_INIT;
  badOptions.struct_size = 3;
  EXPECT_FAILS(kiln_model_init_state(m, state, sizeof state, &badOptions), KILN_ERROR_INVALID_ARGUMENT,
               "options->struct_size is 3");

  EXPECT_FAILS(kiln_model_train_step(nullptr, state, sizeof state, in, 2, out, 1, nullptr),
               KILN_ERROR_INVALID_ARGUMENT, "kiln_model_train_step: model is NULL");
  EXPECT_FAILS(kiln_model_train_step(m, nullptr, sizeof state, in, 2, out, 1, nullptr),
               KILN_ERROR_INVALID_ARGUMENT, "state is NULL");
  EXPECT_FAILS(kiln_model_train_step(m, state, 73, in, 2, out, 1, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "state has 73 bytes, the model's state has 72");
  EXPECT_FAILS(kiln_model_train_step(m, state, sizeof state, in, 1, out, 1, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "got 1 inputs, entry point 'train_step' has 2");
  EXPECT_FAILS(kiln_model_train_step(m, state, sizeof state, in, 2, out, 2, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "got 2 outputs, entry point 'train_step' has 1 besides the state");
  EXPECT_FAILS(kiln_model_train_step(m, state, sizeof state, in, 2, nullptr, 1, nullptr),
               KILN_ERROR_INVALID_ARGUMENT, "outputs is NULL");
  EXPECT_FAILS(kiln_model_train_step(m, state, sizeof state, nullptr, 2, out, 1, nullptr),
               KILN_ERROR_INVALID_ARGUMENT, "inputs is NULL");
  kiln_input_t badIn[2] = {{x, 4}, {&target, sizeof target}};
  EXPECT_FAILS(kiln_model_train_step(m, state, sizeof state, badIn, 2, out, 1, nullptr),
               KILN_ERROR_INVALID_ARGUMENT, "input 0 'x' has 4 bytes, expected 8 (float32[2])");
  // The state shares bytes with an input or an output.
  kiln_input_t inState[2] = {{state, sizeof x}, {&target, sizeof target}};
  EXPECT_FAILS(kiln_model_train_step(m, state, sizeof state, inState, 2, out, 1, nullptr),
               KILN_ERROR_INVALID_ARGUMENT, "output 1 'state' overlaps input 0 'x'");
  kiln_output_t outState[1] = {{state + 68, sizeof loss}};
  EXPECT_FAILS(kiln_model_train_step(m, state, sizeof state, in, 2, outState, 1, nullptr),
               KILN_ERROR_INVALID_ARGUMENT, "overlaps output 0 'loss'");
  EXPECT_TRUE(stateUntouched());
  EXPECT_EQ(loss, -999);

  // A model without a training state.
  ModelPtr plain = loadOrDie(fixture("good"));
  EXPECT_FAILS(kiln_model_train_step(plain.get(), state, sizeof state, in, 2, out, 1, nullptr),
               KILN_ERROR_NOT_FOUND, "model 'fake' has no entry point 'train_step' with a training state");
  EXPECT_FAILS(kiln_model_init_state(plain.get(), state, sizeof state, nullptr), KILN_ERROR_NOT_FOUND,
               "no entry point 'init_state'");
  EXPECT_FAILS(kiln_model_find_state_tensor(plain.get(), "w", &index), KILN_ERROR_NOT_FOUND,
               "it has no training state");
}

TEST(RuntimeBadArtifacts, StateLayout) {
  const std::string text = readText(fixture("trainer/trainer.json"));
  auto broken = [&](const std::string &from, const std::string &to, const char *needle) {
    TempDir dir;
    copyFiles("trainer", dir, {"libtrainer.so"});
    std::string edited = text;
    size_t at = edited.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    for (; at != std::string::npos; at = edited.find(from, at + to.size())) // every occurrence
      edited.replace(at, from.size(), to);
    std::ofstream(dir.path() + "/trainer.json") << edited;
    kiln_model_t *model = nullptr;
    EXPECT_FAILS(kiln_model_load(dir.path().c_str(), &model), KILN_ERROR_BAD_MANIFEST, needle);
    EXPECT_EQ(model, nullptr);
  };
  broken("\"offset\": 64", "\"offset\": 60", "state.tensors[1] 'w.momentum' starts at offset 60, not a multiple of 64");
  broken("\"offset\": 64", "\"offset\": 128", "ends at byte 136, past state.bytes 72");
  broken("\"state\": {\"bytes\": 72", "\"unused\": {\"bytes\": 72",
         "an entry point has a state output, but there is no 'state'");
  broken("\"bytes\": 72, \"state\": true}\n     ]},\n    {",
         "\"bytes\": 72, \"state\": 1}\n     ]},\n    {", "outputs[0].state' must be a boolean");
  // A layout that differs from the manifest's own signature.
  broken("w.momentum\", \"dtype\": \"float32\", \"shape\": [2]",
         "w.velocity\", \"dtype\": \"float32\", \"shape\": [2]", "does not match its entry points");
  // One that differs from the library's (the manifest's signature says w.velocity too).
  broken("w.momentum", "w.velocity", "differs from the library's");
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
  // Both functions of every entry point must be there, though the runtime calls only NAME_E_ctx.
  EXPECT_FAILS(kiln_model_load(fixture("no_ctx_symbol").c_str(), &model), KILN_ERROR_NOT_FOUND,
               "no_ctx_symbol/libfake.so' does not export 'fake_run_ctx'");
  EXPECT_FAILS(kiln_model_load(fixture("no_plain_symbol").c_str(), &model), KILN_ERROR_NOT_FOUND,
               "no_plain_symbol/libfake.so' does not export 'fake_run'");
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeBadArtifacts, Mismatch) {
  kiln_model_t *model = nullptr;
  EXPECT_FAILS(kiln_model_load(fixture("mismatch").c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               "signature 'kiln-abi-2|run:in=x:f32[3,3];out=y:f32[3,3],idx:i64[3]' differs from the library's "
               "'kiln-abi-2|run:in=x:f32[2,3];out=y:f32[2,3],idx:i64[2]'");
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

// Each case edits a good manifest in one way; kiln_model_load_manifest must refuse it and say why.
struct ManifestCase {
  const char *what;
  std::function<void(json &)> edit;
  const char *message;
};

void expectRefused(const std::string &goodManifest, const std::string &fileName,
                   const std::vector<ManifestCase> &cases) {
  const json good = json::parse(readText(goodManifest));
  TempDir dir;
  for (const ManifestCase &c : cases) {
    SCOPED_TRACE(c.what);
    json edited = good;
    c.edit(edited);
    std::string path = dir.write(fileName, edited.dump());
    kiln_model_t *model = nullptr;
    EXPECT_FAILS(kiln_model_load_manifest(path.c_str(), &model), KILN_ERROR_BAD_MANIFEST, c.message);
    EXPECT_EQ(model, nullptr);
  }
}

TEST(RuntimeBadArtifacts, ManifestFieldChecks) {
  const char *kSig = "kiln-abi-2|run:in=x:f32[2,3];out=y:f32[2,3],idx:i64[2]";
  expectRefused(fixture("good/fake.json"), "fake.json", {
      {"no format", [](json &j) { j.erase("format"); }, "missing field 'format'"},
      {"other format", [](json &j) { j["format"] = "onnx"; }, "format is 'onnx', expected 'kiln-artifact'"},
      {"no version", [](json &j) { j.erase("format_version"); }, "missing field 'format_version'"},
      {"version as string", [](json &j) { j["format_version"] = "2"; }, "format_version \"2\" is not supported"},
      {"version 0", [](json &j) { j["format_version"] = 0; }, "format_version 0 is not supported"},
      {"version 3", [](json &j) { j["format_version"] = 3; },
       "format_version 3 is not supported (this runtime reads 2)"},
      {"version 2.0", [](json &j) { j["format_version"] = 2.0; }, "format_version 2.0 is not supported"},
      {"no name", [](json &j) { j.erase("name"); }, "missing field 'name'"},
      {"name not identifier", [](json &j) { j["name"] = "3d"; }, "name '3d' is not a C identifier"},
      {"name with slash", [](json &j) { j["name"] = "../x"; }, "is not a C identifier"},
      {"source not string", [](json &j) { j["source"] = 1; }, "field 'source' must be a string"},
      {"kiln_version not string", [](json &j) { j["kiln_version"] = json::array(); },
       "field 'kiln_version' must be a string"},
      {"no target", [](json &j) { j.erase("target"); }, "missing field 'target'"},
      {"target not object", [](json &j) { j["target"] = "x86"; }, "field 'target' must be an object"},
      {"triple not string", [](json &j) { j["target"]["triple"] = 5; }, "field 'target.triple' must be a string"},
      {"cpu not string", [](json &j) { j["target"]["cpu"] = 5; }, "field 'target.cpu' must be a string"},
      {"no signature", [](json &j) { j.erase("signature"); }, "missing field 'signature'"},

      // Entry points.
      {"no entry points", [](json &j) { j.erase("entry_points"); }, "missing field 'entry_points'"},
      {"entry points not array", [](json &j) { j["entry_points"] = json::object(); },
       "field 'entry_points' must be an array"},
      {"no entry point", [](json &j) { j["entry_points"] = json::array(); },
       "field 'entry_points' is empty; an artifact has at least one entry point"},
      {"entry point not object", [](json &j) { j["entry_points"][0] = "run"; }, "entry_points[0] must be an object"},
      {"entry without name", [](json &j) { j["entry_points"][0].erase("name"); },
       "missing field 'entry_points[0].name'"},
      {"entry name not string", [](json &j) { j["entry_points"][0]["name"] = 1; },
       "field 'entry_points[0].name' must be a string"},
      {"entry name with dash", [](json &j) { j["entry_points"][0]["name"] = "train-step"; },
       "entry_points[0].name 'train-step' is not a C identifier"},
      {"entry name with digit first", [](json &j) { j["entry_points"][0]["name"] = "2run"; },
       "entry_points[0].name '2run' is not a C identifier"},
      {"entry name empty", [](json &j) { j["entry_points"][0]["name"] = ""; },
       "entry_points[0].name '' is not a C identifier"},
      {"duplicate entry point",
       [](json &j) { j["entry_points"].push_back(j["entry_points"][0]); },
       "entry_points has two entry points named 'run'"},
      {"no symbol", [](json &j) { j["entry_points"][0].erase("symbol"); }, "missing field 'entry_points[0].symbol'"},
      {"wrong symbol", [](json &j) { j["entry_points"][0]["symbol"] = "fake_run_ctx"; },
       "entry_points[0].symbol 'fake_run_ctx' should be 'fake_run'"},
      {"symbol of another model", [](json &j) { j["entry_points"][0]["symbol"] = "other_run"; },
       "entry_points[0].symbol 'other_run' should be 'fake_run'"},
      {"symbol for another entry", [](json &j) { j["entry_points"][0]["name"] = "grad"; },
       "entry_points[0].symbol 'fake_run' should be 'fake_grad'"},
      {"no scratch", [](json &j) { j["entry_points"][0].erase("scratch_bytes"); },
       "missing field 'entry_points[0].scratch_bytes'"},
      {"negative scratch", [](json &j) { j["entry_points"][0]["scratch_bytes"] = -1; },
       "'entry_points[0].scratch_bytes' must be a non-negative integer"},
      {"fractional scratch", [](json &j) { j["entry_points"][0]["scratch_bytes"] = 1.5; },
       "'entry_points[0].scratch_bytes' must be a non-negative"},
      {"huge scratch", [](json &j) { j["entry_points"][0]["scratch_bytes"] = UINT64_MAX; },
       "entry_points[0].scratch_bytes 18446744073709551615 is too large"},

      // Tensors.
      {"no inputs", [](json &j) { j["entry_points"][0].erase("inputs"); }, "missing field 'entry_points[0].inputs'"},
      {"no outputs", [](json &j) { j["entry_points"][0].erase("outputs"); },
       "missing field 'entry_points[0].outputs'"},
      {"inputs not array", [](json &j) { j["entry_points"][0]["inputs"] = json::object(); },
       "field 'entry_points[0].inputs' must be an array"},
      {"input not object", [](json &j) { j["entry_points"][0]["inputs"][0] = 3; },
       "entry_points[0].inputs[0] must be an object"},
      {"input without name", [](json &j) { j["entry_points"][0]["inputs"][0].erase("name"); },
       "missing field 'entry_points[0].inputs[0].name'"},
      {"empty name", [](json &j) { j["entry_points"][0]["inputs"][0]["name"] = ""; },
       "field 'entry_points[0].inputs[0].name' is empty"},
      {"NUL in name", [](json &j) { j["entry_points"][0]["inputs"][0]["name"] = std::string("a\0b", 3); },
       "contains a NUL character"},
      {"unknown dtype", [](json &j) { j["entry_points"][0]["outputs"][1]["dtype"] = "float4_e2m1fn"; },
       "field 'entry_points[0].outputs[1].dtype' has unknown dtype 'float4_e2m1fn'"},
      {"signature dtype name", [](json &j) { j["entry_points"][0]["outputs"][1]["dtype"] = "i64"; },
       "has unknown dtype 'i64'"},
      {"no shape", [](json &j) { j["entry_points"][0]["outputs"][0].erase("shape"); },
       "missing field 'entry_points[0].outputs[0].shape'"},
      {"negative dim", [](json &j) { j["entry_points"][0]["inputs"][0]["shape"][1] = -3; },
       "field 'entry_points[0].inputs[0].shape[1]' must be a non-negative integer"},
      {"huge shape",
       [](json &j) { j["entry_points"][0]["inputs"][0]["shape"] = {uint64_t(1) << 62, uint64_t(1) << 62}; },
       "is too large to address"},
      {"dim above int64", [](json &j) { j["entry_points"][0]["inputs"][0]["shape"][0] = UINT64_MAX; },
       "shape[0]' is too large"},
      {"wrong bytes", [](json &j) { j["entry_points"][0]["inputs"][0]["bytes"] = 23; },
       "entry_points[0].inputs[0] 'x' says 23 bytes, but float32[2,3] is 24"},
      // float8 takes a byte per element; int4 two to a byte, rounded up.
      {"float8 bytes",
       [](json &j) {
         j["entry_points"][0]["inputs"][0]["dtype"] = "float8_e5m2";
         j["entry_points"][0]["inputs"][0]["bytes"] = 24;
       },
       "entry_points[0].inputs[0] 'x' says 24 bytes, but float8_e5m2[2,3] is 6"},
      {"int4 bytes unpacked",
       [](json &j) {
         j["entry_points"][0]["inputs"][0]["dtype"] = "int4";
         j["entry_points"][0]["inputs"][0]["shape"] = {5};
         j["entry_points"][0]["inputs"][0]["bytes"] = 5;
       },
       "entry_points[0].inputs[0] 'x' says 5 bytes, but int4[5] is 3"},
      {"uint2 bytes",
       [](json &j) {
         j["entry_points"][0]["inputs"][0]["dtype"] = "uint2";
         j["entry_points"][0]["inputs"][0]["shape"] = {5};
         j["entry_points"][0]["inputs"][0]["bytes"] = 1;
       },
       "entry_points[0].inputs[0] 'x' says 1 bytes, but uint2[5] is 2"},
      {"no bytes", [](json &j) { j["entry_points"][0]["inputs"][0].erase("bytes"); },
       "missing field 'entry_points[0].inputs[0].bytes'"},
      {"duplicate output", [](json &j) { j["entry_points"][0]["outputs"][1]["name"] = "y"; },
       "entry_points[0].outputs has two tensors named 'y'"},

      // Signature.
      {"inconsistent signature", [](json &j) { j["signature"] = "kiln-abi-2|run:in=;out="; },
       "does not match its entry points and weights 'kiln-abi-2|run:in=x:f32[2,3];out=y:f32[2,3],idx:i64[2]'"},
      {"old abi", [](json &j) { j["signature"] = "kiln-abi-1;inputs=x:f32[2,3];outputs=y:f32[2,3],idx:i64[2]"; },
       "signature 'kiln-abi-1;"},
      {"signature with weights", [kSig](json &j) { j["signature"] = std::string(kSig) + "|weights="; },
       "does not match its entry points and weights"},
      {"signature not string", [](json &j) { j["signature"] = 2; }, "field 'signature' must be a string"},

      // Files.
      {"no files", [](json &j) { j.erase("files"); }, "missing field 'files'"},
      {"no library", [](json &j) { j["files"].erase("shared_library"); }, "has no shared library: it was compiled for"},
      {"absolute library", [](json &j) { j["files"]["shared_library"] = "/tmp/libfake.so"; },
       "'/tmp/libfake.so' is not a plain file name"},
      {"library in subfolder", [](json &j) { j["files"]["shared_library"] = "sub/libfake.so"; },
       "'sub/libfake.so' is not a plain file name"},
      {"library dot-dot", [](json &j) { j["files"]["shared_library"] = ".."; }, "'..' is not a plain file name"},
      {"library dot", [](json &j) { j["files"]["shared_library"] = "."; }, "'.' is not a plain file name"},
      {"library empty", [](json &j) { j["files"]["shared_library"] = ""; }, "'' is not a plain file name"},
      {"library backslash", [](json &j) { j["files"]["shared_library"] = "..\\evil.so"; }, "is not a plain file"},
      {"static library path", [](json &j) { j["files"]["static_library"] = "../libfake.a"; },
       "files.static_library '../libfake.a' is not a plain file name"},
      {"header path", [](json &j) { j["files"]["header"] = "/etc/passwd"; }, "files.header '/etc/passwd'"},
      {"weights file without weights", [](json &j) { j["files"]["weights"] = "fake.weights.bin"; },
       "has 'files.weights' but no 'weights'"},
      {"not an object", [](json &j) { j = json::array(); }, "not a JSON object"},
  });
}

// The weights' own checks, on the lin fixture's manifest.
TEST(RuntimeBadArtifacts, WeightsManifestChecks) {
  auto tensor = [](json &j, int i) -> json & { return j["weights"]["tensors"][i]; };
  expectRefused(fixture("lin/lin.json"), "lin.json", {
      {"weights without file", [](json &j) { j["files"].erase("weights"); }, "has 'weights' but no 'files.weights'"},
      {"weights file in subfolder", [](json &j) { j["files"]["weights"] = "w/lin.weights.bin"; },
       "files.weights 'w/lin.weights.bin' is not a plain file name inside the artifact folder"},
      {"weights file outside", [](json &j) { j["files"]["weights"] = "../lin.weights.bin"; },
       "files.weights '../lin.weights.bin' is not a plain file name"},
      {"weights file not string", [](json &j) { j["files"]["weights"] = 1; }, "field 'files.weights' must be a string"},
      {"weights not object", [](json &j) { j["weights"] = json::array(); }, "field 'weights' must be an object"},
      {"no weights bytes", [](json &j) { j["weights"].erase("bytes"); }, "missing field 'weights.bytes'"},
      {"negative weights bytes", [](json &j) { j["weights"]["bytes"] = -128; },
       "field 'weights.bytes' must be a non-negative integer"},
      {"no tensors", [](json &j) { j["weights"].erase("tensors"); }, "missing field 'weights.tensors'"},
      {"tensors not array", [](json &j) { j["weights"]["tensors"] = 1; }, "field 'weights.tensors' must be an array"},
      {"no offset", [&](json &j) { tensor(j, 1).erase("offset"); }, "missing field 'weights.tensors[1].offset'"},
      {"negative offset", [&](json &j) { tensor(j, 1)["offset"] = -64; },
       "field 'weights.tensors[1].offset' must be a non-negative integer"},
      {"misaligned offset", [&](json &j) { tensor(j, 1)["offset"] = 60; },
       "weights.tensors[1] 'b' starts at offset 60, not a multiple of 64"},
      {"overlapping", [&](json &j) { tensor(j, 1)["offset"] = 0; },
       "weights.tensors[1] 'b' starts at offset 0, before the previous weight ends (12); weights must be in order "
       "and must not overlap"},
      {"out of order", [&](json &j) {
         tensor(j, 0)["offset"] = 64;
         tensor(j, 1)["offset"] = 0;
       },
       "weights.tensors[1] 'b' starts at offset 0, before the previous weight ends (76)"},
      {"past the end", [](json &j) { j["weights"]["bytes"] = 70; },
       "weights.tensors[1] 'b' ends at byte 76, past weights.bytes 70"},
      {"offset past the end", [&](json &j) { tensor(j, 1)["offset"] = 1u << 20; },
       "weights.tensors[1] 'b' ends at byte 1048588, past weights.bytes 128"},
      {"duplicate weight", [&](json &j) { tensor(j, 1)["name"] = "w"; }, "weights.tensors has two tensors named 'w'"},
      {"weight with wrong bytes", [&](json &j) { tensor(j, 0)["bytes"] = 16; },
       "weights.tensors[0] 'w' says 16 bytes, but float32[3] is 12"},
      {"weight with unknown dtype", [&](json &j) { tensor(j, 0)["dtype"] = "complex64"; },
       "field 'weights.tensors[0].dtype' has unknown dtype 'complex64'"},
      {"weight without name", [&](json &j) { tensor(j, 0).erase("name"); },
       "missing field 'weights.tensors[0].name'"},
      {"signature without weights",
       [](json &j) {
         std::string sig = j["signature"];
         j["signature"] = sig.substr(0, sig.find("|weights="));
       },
       "does not match its entry points and weights"},
      // The signature lists entry points in manifest order.
      {"entry points swapped", [](json &j) { std::swap(j["entry_points"][0], j["entry_points"][1]); },
       "does not match its entry points and weights 'kiln-abi-2|grad:in="},
  });
}

// An artifact of format 1 (as the Kiln before entry points wrote it) is refused, saying what to do.
TEST(RuntimeBadArtifacts, FormatOneIsRefused) {
  const std::string formatOne = R"({
    "format": "kiln-artifact", "format_version": 1, "kiln_version": "0.1.0", "name": "fake",
    "source": "fake.onnx", "target": {"triple": "x86_64-unknown-linux-gnu"}, "entry": "fake_run",
    "signature": "kiln-abi-1;inputs=x:f32[2,3];outputs=y:f32[2,3],idx:i64[2]", "scratch_bytes": 64,
    "inputs": [{"name": "x", "dtype": "float32", "shape": [2, 3], "bytes": 24}],
    "outputs": [{"name": "y", "dtype": "float32", "shape": [2, 3], "bytes": 24},
                {"name": "idx", "dtype": "int64", "shape": [2], "bytes": 16}],
    "files": {"shared_library": "libfake.so", "static_library": "libfake.a", "header": "fake.h"}})";
  TempDir dir;
  std::string path = dir.write("fake.json", formatOne);
  copyFiles("good", dir, {"libfake.so"});
  kiln_model_t *model = nullptr;
  const char *message = "fake.json: format_version 1: this artifact was written by an older Kiln; compile the "
                        "model again with this version of Kiln (this runtime reads format_version 2)";
  EXPECT_FAILS(kiln_model_load_manifest(path.c_str(), &model), KILN_ERROR_BAD_MANIFEST, message);
  EXPECT_FAILS(kiln_model_load(dir.path().c_str(), &model), KILN_ERROR_BAD_MANIFEST, message);
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeBadArtifacts, EscapedNamesInSignature) {
  // Names are %XX-escaped in the signature; a manifest spelling them raw is inconsistent.
  json manifest = json::parse(readText(fixture("multi/multi.json")));
  manifest["signature"] = "kiln-abi-2|run:in=a:i32[4],mask:0:i1[4],scale:bf16[];out=out/sum:i32[],half:f16[4],"
                          "scaled:bf16[4]";
  TempDir dir;
  std::string path = dir.write("multi.json", manifest.dump());
  kiln_model_t *model = nullptr;
  EXPECT_FAILS(kiln_model_load_manifest(path.c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               "in=a:i32[4],mask%3A0:i1[4],scale:bf16[];out=out%2Fsum:i32[]");
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
// Entry points (the lin fixture: "run" and "grad", external weights)
// ---------------------------------------------------------------------------------------------------------

class LinTest : public ::testing::Test {
protected:
  void SetUp() override {
    model_ = loadOrDie(fixture("lin"));
    ASSERT_TRUE(model_);
  }
  // Runs "grad" on x and dy with |options|; dx and dw receive the results.
  kiln_status_t runGrad(const kiln_run_options_t *options) {
    kiln_input_t in[2] = {{x, sizeof x}, {dy, sizeof dy}};
    kiln_output_t out[2] = {{dx, sizeof dx}, {dw, sizeof dw}};
    return kiln_model_run_entry(model_.get(), 1, in, 2, out, 2, options);
  }
  void expectGradResults() const {
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(dx[i], dy[i] * kLinW[i]) << i;
      EXPECT_EQ(dw[i], dy[i] * x[i]) << i;
    }
  }

  ModelPtr model_;
  float x[3] = {2, -1, 0.5f}, dy[3] = {1, 4, -2};
  float dx[3] = {-999, -999, -999}, dw[3] = {-999, -999, -999};
};

TEST_F(LinTest, DescribesEntryPoints) {
  kiln_model_t *m = model_.get();
  ASSERT_EQ(kiln_model_entry_point_count(m), 2u);
  kiln_entry_point_info_t info;
  ASSERT_EQ(kiln_model_entry_point_info(m, 0, &info), KILN_OK) << kiln_last_error();
  EXPECT_STREQ(info.name, "run");
  EXPECT_STREQ(info.symbol, "lin_run");
  EXPECT_EQ(info.scratch_bytes, 0u);
  EXPECT_EQ(info.num_inputs, 1u);
  EXPECT_EQ(info.num_outputs, 1u);
  ASSERT_EQ(kiln_model_entry_point_info(m, 1, &info), KILN_OK) << kiln_last_error();
  EXPECT_STREQ(info.name, "grad");
  EXPECT_STREQ(info.symbol, "lin_grad");
  EXPECT_EQ(info.scratch_bytes, 64u);
  EXPECT_EQ(info.num_inputs, 2u);
  EXPECT_EQ(info.num_outputs, 2u);

  EXPECT_EQ(entryIndex(m, "run"), 0u);
  EXPECT_EQ(entryIndex(m, "grad"), 1u);

  kiln_tensor_info_t tensor;
  ASSERT_EQ(kiln_model_entry_input_info(m, 1, 1, &tensor), KILN_OK) << kiln_last_error();
  EXPECT_STREQ(tensor.name, "dy");
  EXPECT_EQ(tensor.dtype, KILN_DTYPE_F32);
  ASSERT_EQ(tensor.rank, 1u);
  EXPECT_EQ(tensor.shape[0], 3);
  EXPECT_EQ(tensor.bytes, 12u);
  ASSERT_EQ(kiln_model_entry_output_info(m, 1, 1, &tensor), KILN_OK) << kiln_last_error();
  EXPECT_STREQ(tensor.name, "dw");
  size_t index = 99;
  ASSERT_EQ(kiln_model_entry_find_input(m, 1, "dy", &index), KILN_OK) << kiln_last_error();
  EXPECT_EQ(index, 1u);
  ASSERT_EQ(kiln_model_entry_find_output(m, 1, "dx", &index), KILN_OK) << kiln_last_error();
  EXPECT_EQ(index, 0u);
  // Each entry point has its own tensors: "y" is run's, not grad's.
  ASSERT_EQ(kiln_model_entry_find_output(m, 0, "y", &index), KILN_OK) << kiln_last_error();
  EXPECT_FAILS(kiln_model_entry_find_output(m, 1, "y", &index), KILN_ERROR_NOT_FOUND,
               "model 'lin' entry point 'grad' has no output 'y' (it has 'dx', 'dw')");

  // The shorthands are "run"'s.
  EXPECT_EQ(kiln_model_input_count(m), 1u);
  EXPECT_EQ(kiln_model_output_count(m), 1u);
  EXPECT_EQ(kiln_model_scratch_bytes(m), 0u);
  ASSERT_EQ(kiln_model_output_info(m, 0, &tensor), KILN_OK);
  EXPECT_STREQ(tensor.name, "y");
  kiln_model_info_t modelInfo;
  ASSERT_EQ(kiln_model_info(m, &modelInfo), KILN_OK);
  EXPECT_EQ(modelInfo.num_entry_points, 2u);
  EXPECT_EQ(modelInfo.num_inputs, 1u);
  EXPECT_STREQ(modelInfo.signature, "kiln-abi-2|run:in=x:f32[3];out=y:f32[3]|grad:in=x:f32[3],dy:f32[3];"
                                    "out=dx:f32[3],dw:f32[3]|weights=w:f32[3]@0,b:f32[3]@64");
}

TEST_F(LinTest, RejectsBadEntryQueries) {
  kiln_model_t *m = model_.get();
  size_t index = 99;
  kiln_entry_point_info_t info;
  kiln_tensor_info_t tensor;
  EXPECT_FAILS(kiln_model_find_entry_point(m, "train_step", &index), KILN_ERROR_NOT_FOUND,
               "kiln_model_find_entry_point: model 'lin' has no entry point 'train_step' (it has 'run', 'grad')");
  EXPECT_FAILS(kiln_model_find_entry_point(m, "Run", &index), KILN_ERROR_NOT_FOUND, "no entry point 'Run'");
  EXPECT_FAILS(kiln_model_find_entry_point(nullptr, "run", &index), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_find_entry_point: model is NULL");
  EXPECT_FAILS(kiln_model_find_entry_point(m, nullptr, &index), KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
  EXPECT_FAILS(kiln_model_find_entry_point(m, "run", nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_entry is NULL");
  EXPECT_EQ(index, 99u);

  EXPECT_FAILS(kiln_model_entry_point_info(m, 2, &info), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_entry_point_info: entry point index 2 is out of range; the model has 2");
  EXPECT_FAILS(kiln_model_entry_point_info(m, 0, nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
  EXPECT_FAILS(kiln_model_entry_point_info(nullptr, 0, &info), KILN_ERROR_INVALID_ARGUMENT, "model is NULL");
  EXPECT_FAILS(kiln_model_entry_input_info(m, 5, 0, &tensor), KILN_ERROR_INVALID_ARGUMENT,
               "entry point index 5 is out of range");
  EXPECT_FAILS(kiln_model_entry_input_info(m, 1, 2, &tensor), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_entry_input_info: input index 2 is out of range; entry point 'grad' has 2");
  EXPECT_FAILS(kiln_model_entry_output_info(m, 0, 1, &tensor), KILN_ERROR_INVALID_ARGUMENT,
               "output index 1 is out of range; the model has 1");
  EXPECT_FAILS(kiln_model_entry_output_info(m, 0, 0, nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
  EXPECT_FAILS(kiln_model_entry_find_input(m, 2, "x", &index), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_entry_find_input: entry point index 2 is out of range");
  EXPECT_FAILS(kiln_model_entry_find_input(m, 1, nullptr, &index), KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
  EXPECT_FAILS(kiln_model_entry_find_output(m, 1, "dx", nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_index is NULL");
}

TEST_F(LinTest, RunsTheSecondEntryPoint) {
  ASSERT_EQ(runGrad(nullptr), KILN_OK) << kiln_last_error();
  expectGradResults();
}

TEST_F(LinTest, RunsWithCallerScratch) {
  alignas(64) float scratch[32];
  std::fill(std::begin(scratch), std::end(scratch), -1.0f);
  kiln_run_options_t options = KILN_RUN_OPTIONS_INIT;
  options.scratch = scratch;
  options.scratch_bytes = sizeof scratch;
  ASSERT_EQ(runGrad(&options), KILN_OK) << kiln_last_error();
  expectGradResults();
  // lin_grad_ctx puts dx then dw in its scratch first: it used ours, not a buffer of its own.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(scratch[i], dx[i]) << i;
    EXPECT_EQ(scratch[3 + i], dw[i]) << i;
  }
  EXPECT_EQ(scratch[6], -1.0f);

  // num_threads is a bound the calling thread always honours.
  options.num_threads = 8;
  EXPECT_EQ(runGrad(&options), KILN_OK) << kiln_last_error();
  // Options without scratch: the code allocates its own, as with NULL options.
  kiln_run_options_t defaults = KILN_RUN_OPTIONS_INIT;
  std::fill(std::begin(dx), std::end(dx), -999.0f);
  ASSERT_EQ(runGrad(&defaults), KILN_OK) << kiln_last_error();
  expectGradResults();
}

// Every bad option is refused before the code runs.
TEST_F(LinTest, RejectsBadOptions) {
  alignas(64) unsigned char scratch[128];
  kiln_run_options_t options = KILN_RUN_OPTIONS_INIT;
  options.scratch = scratch;
  options.scratch_bytes = 63;
  EXPECT_FAILS(runGrad(&options), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_run_entry: scratch has 63 bytes, entry point 'grad' needs 64");
  options.scratch = scratch + 16;
  options.scratch_bytes = 64;
  EXPECT_FAILS(runGrad(&options), KILN_ERROR_INVALID_ARGUMENT, "scratch is not 64-byte aligned");
  options.scratch = nullptr;
  EXPECT_FAILS(runGrad(&options), KILN_ERROR_INVALID_ARGUMENT,
               "options->scratch is NULL but options->scratch_bytes is 64");
  kiln_run_options_t zeroed;
  std::memset(&zeroed, 0, sizeof zeroed);
  EXPECT_FAILS(runGrad(&zeroed), KILN_ERROR_INVALID_ARGUMENT,
               ("options->struct_size is 0, expected " + std::to_string(sizeof(kiln_run_options_t)) +
                "; initialize options with KILN_RUN_OPTIONS_INIT")
                   .c_str());
  zeroed.struct_size = sizeof(kiln_run_options_t) + 8;
  EXPECT_FAILS(runGrad(&zeroed), KILN_ERROR_INVALID_ARGUMENT, "options->struct_size is");
  for (float v : dx)
    EXPECT_EQ(v, -999.0f) << "nothing ran";
}

TEST_F(LinTest, RejectsBadRuns) {
  kiln_input_t in[2] = {{x, sizeof x}, {dy, sizeof dy}};
  kiln_output_t out[2] = {{dx, sizeof dx}, {dw, sizeof dw}};
  kiln_model_t *m = model_.get();
  EXPECT_FAILS(kiln_model_run_entry(nullptr, 1, in, 2, out, 2, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "kiln_model_run_entry: model is NULL");
  EXPECT_FAILS(kiln_model_run_entry(m, 2, in, 2, out, 2, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "entry point index 2 is out of range; the model has 2");
  // An unknown entry point is reported before its options.
  kiln_run_options_t zeroed;
  std::memset(&zeroed, 0, sizeof zeroed);
  EXPECT_FAILS(kiln_model_run_entry(m, 7, in, 2, out, 2, &zeroed), KILN_ERROR_INVALID_ARGUMENT,
               "entry point index 7 is out of range");
  // Counts and sizes are those of the entry point run, not of the model's "run".
  EXPECT_FAILS(kiln_model_run_entry(m, 1, in, 1, out, 2, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "got 1 inputs, entry point 'grad' has 2");
  EXPECT_FAILS(kiln_model_run_entry(m, 0, in, 2, out, 1, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "got 2 inputs, the model has 1");
  kiln_input_t shortDy[2] = {{x, sizeof x}, {dy, 8}};
  EXPECT_FAILS(kiln_model_run_entry(m, 1, shortDy, 2, out, 2, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "input 1 'dy' has 8 bytes, expected 12 (float32[3])");
  // Overlaps are checked per entry point, scratch from the options included.
  kiln_output_t intoDy[2] = {{dy, sizeof dy}, {dw, sizeof dw}};
  EXPECT_FAILS(kiln_model_run_entry(m, 1, in, 2, intoDy, 2, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "output 0 'dx' overlaps input 1 'dy'");
  alignas(64) unsigned char scratch[128];
  kiln_run_options_t options = KILN_RUN_OPTIONS_INIT;
  options.scratch = scratch;
  options.scratch_bytes = sizeof scratch;
  kiln_output_t intoScratch[2] = {{dx, sizeof dx}, {scratch + 100, sizeof dw}};
  EXPECT_FAILS(kiln_model_run_entry(m, 1, in, 2, intoScratch, 2, &options), KILN_ERROR_INVALID_ARGUMENT,
               "output 1 'dw' overlaps the scratch buffer");

  kiln_model_t *manifestOnly = nullptr;
  ASSERT_EQ(kiln_model_load_manifest(fixture("lin").c_str(), &manifestOnly), KILN_OK) << kiln_last_error();
  ModelPtr owned(manifestOnly);
  EXPECT_FAILS(kiln_model_run_entry(manifestOnly, 1, in, 2, out, 2, nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "opened with kiln_model_load_manifest");
  for (float v : dx)
    EXPECT_EQ(v, -999.0f) << "nothing ran";
}

// A model without "run": the shorthands say so rather than run something else.
TEST(RuntimeEntryPoints, ModelWithoutRun) {
  ModelPtr model = loadOrDie(fixture("lin_no_run"));
  ASSERT_TRUE(model);
  kiln_model_t *m = model.get();
  EXPECT_EQ(kiln_model_input_count(m), 0u);
  EXPECT_EQ(kiln_model_output_count(m), 0u);
  EXPECT_EQ(kiln_model_scratch_bytes(m), 0u);
  kiln_model_info_t info;
  ASSERT_EQ(kiln_model_info(m, &info), KILN_OK);
  EXPECT_EQ(info.num_entry_points, 2u);
  EXPECT_EQ(info.num_inputs, 0u);

  float x[3] = {1, 2, 3}, y[3];
  kiln_input_t in[1] = {{x, sizeof x}};
  kiln_output_t out[1] = {{y, sizeof y}};
  const char *noRun = "model 'lin' has no entry point 'run' (it has 'forward', 'grad'); use the kiln_model_entry_* "
                      "functions";
  EXPECT_FAILS(kiln_model_run(m, in, 1, out, 1), KILN_ERROR_NOT_FOUND, noRun);
  EXPECT_FAILS(kiln_model_run_with_scratch(m, in, 1, out, 1, nullptr, 0), KILN_ERROR_NOT_FOUND, noRun);
  kiln_tensor_info_t tensor;
  size_t index;
  EXPECT_FAILS(kiln_model_input_info(m, 0, &tensor), KILN_ERROR_NOT_FOUND, noRun);
  EXPECT_FAILS(kiln_model_output_info(m, 0, &tensor), KILN_ERROR_NOT_FOUND, noRun);
  EXPECT_FAILS(kiln_model_find_input(m, "x", &index), KILN_ERROR_NOT_FOUND, noRun);
  EXPECT_FAILS(kiln_model_find_output(m, "y", &index), KILN_ERROR_NOT_FOUND, noRun);

  // By its own name, the first entry point runs.
  size_t forward = entryIndex(m, "forward");
  ASSERT_EQ(kiln_model_run_entry(m, forward, in, 1, out, 1, nullptr), KILN_OK) << kiln_last_error();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(y[i], kLinW[i] * x[i] + kLinB[i]) << i;
}

// ---------------------------------------------------------------------------------------------------------
// External weights
// ---------------------------------------------------------------------------------------------------------

// lin_run_ctx computes y = w * x + b from ctx->weights: right numbers mean the runtime mapped the right file
// and passed all of it.
TEST_F(LinTest, RunReadsTheMappedWeights) {
  float in3[3] = {2, -1, 0.5f}, y[3] = {};
  kiln_input_t in[1] = {{in3, sizeof in3}};
  kiln_output_t out[1] = {{y, sizeof y}};
  ASSERT_EQ(kiln_model_run(model_.get(), in, 1, out, 1), KILN_OK) << kiln_last_error();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(y[i], kLinW[i] * in3[i] + kLinB[i]) << i;
  EXPECT_EQ(y[1], 2.25f); // -2 * -1 + 0.25, written out once
}

// The fake refuses to run without the weights, so the successes above prove the runtime supplied them.
TEST(RuntimeWeights, FakeNeedsTheWeights) {
  void *library = dlopen(fixture("lin/liblin.so").c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(library, nullptr) << dlerror();
  using CtxFn = int (*)(const kiln_context_t *, const void *const *, void *const *);
  auto runCtx = reinterpret_cast<CtxFn>(dlsym(library, "lin_run_ctx"));
  ASSERT_NE(runCtx, nullptr);
  float x[3] = {1, 2, 3}, y[3];
  const void *in[1] = {x};
  void *out[1] = {y};
  EXPECT_EQ(runCtx(nullptr, in, out), KILN_CODE_MISSING_WEIGHTS);
  kiln_context_t ctx;
  std::memset(&ctx, 0, sizeof ctx);
  ctx.abi_version = KILN_ABI_VERSION;
  ctx.struct_size = sizeof ctx;
  EXPECT_EQ(runCtx(&ctx, in, out), KILN_CODE_MISSING_WEIGHTS);
  std::string file = readText(fixture("lin/lin.weights.bin"));
  ASSERT_EQ(file.size(), 128u);
  ctx.weights = file.data();
  ctx.weights_bytes = 64; // not the file's size
  EXPECT_EQ(runCtx(&ctx, in, out), KILN_CODE_MISSING_WEIGHTS);
  ctx.weights_bytes = file.size();
  EXPECT_EQ(runCtx(&ctx, in, out), KILN_CODE_OK);
  EXPECT_EQ(y[2], 3 * 3.0f - 4.0f);
  dlclose(library);
}

// A manifest that claims embedded weights for code that wants external ones: the runtime passes none, and
// the code's KILN_CODE_MISSING_WEIGHTS is reported.
TEST(RuntimeWeights, MissingWeightsCodeIsReported) {
  ModelPtr model = loadOrDie(fixture("lin_embedded"));
  ASSERT_TRUE(model);
  float x[3] = {1, 2, 3}, y[3];
  kiln_input_t in[1] = {{x, sizeof x}};
  kiln_output_t out[1] = {{y, sizeof y}};
  EXPECT_FAILS(kiln_model_run(model.get(), in, 1, out, 1), KILN_ERROR_EXECUTION,
               "kiln_model_run: lin_run_ctx returned 6 (KILN_CODE_MISSING_WEIGHTS: the code expects external "
               "weights)");
}

TEST_F(LinTest, DescribesTheWeights) {
  kiln_model_info_t info;
  ASSERT_EQ(kiln_model_info(model_.get(), &info), KILN_OK);
  EXPECT_EQ(std::string(info.weights_path), fixture("lin/lin.weights.bin"));
  EXPECT_EQ(info.weights_bytes, 128u);
  EXPECT_EQ(info.num_weights, 2u);

  kiln_weight_info_t weight;
  ASSERT_EQ(kiln_model_weight_info(model_.get(), 1, &weight), KILN_OK) << kiln_last_error();
  EXPECT_STREQ(weight.tensor.name, "b");
  EXPECT_EQ(weight.tensor.dtype, KILN_DTYPE_F32);
  ASSERT_EQ(weight.tensor.rank, 1u);
  EXPECT_EQ(weight.tensor.shape[0], 3);
  EXPECT_EQ(weight.tensor.bytes, 12u);
  EXPECT_EQ(weight.offset, 64u);
  ASSERT_NE(weight.data, nullptr);
  // The data is the file's, at the offset.
  float b[3];
  std::memcpy(b, weight.data, sizeof b);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(b[i], kLinB[i]) << i;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(weight.data) % KILN_WEIGHTS_ALIGNMENT, 0u);

  size_t index = 99;
  ASSERT_EQ(kiln_model_find_weight(model_.get(), "w", &index), KILN_OK) << kiln_last_error();
  EXPECT_EQ(index, 0u);
  ASSERT_EQ(kiln_model_weight_info(model_.get(), 0, &weight), KILN_OK);
  EXPECT_EQ(weight.offset, 0u);
  EXPECT_EQ(static_cast<const float *>(weight.data)[1], kLinW[1]);

  EXPECT_FAILS(kiln_model_find_weight(model_.get(), "bias", &index), KILN_ERROR_NOT_FOUND,
               "kiln_model_find_weight: model 'lin' has no weight 'bias'");
  EXPECT_FAILS(kiln_model_weight_info(model_.get(), 2, &weight), KILN_ERROR_INVALID_ARGUMENT,
               "weight index 2 is out of range; the model has 2");
  EXPECT_FAILS(kiln_model_weight_info(model_.get(), 0, nullptr), KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
  EXPECT_FAILS(kiln_model_weight_info(nullptr, 0, &weight), KILN_ERROR_INVALID_ARGUMENT, "model is NULL");
  EXPECT_FAILS(kiln_model_find_weight(model_.get(), nullptr, &index), KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
  EXPECT_FAILS(kiln_model_find_weight(model_.get(), "w", nullptr), KILN_ERROR_INVALID_ARGUMENT,
               "out_index is NULL");
}

TEST(RuntimeWeights, EmbeddedAndManifestOnly) {
  ModelPtr embedded = loadOrDie(fixture("good"));
  ASSERT_TRUE(embedded);
  kiln_weight_info_t weight;
  size_t index;
  EXPECT_FAILS(kiln_model_weight_info(embedded.get(), 0, &weight), KILN_ERROR_INVALID_ARGUMENT,
               "weight index 0 is out of range; the model has 0 (its weights are embedded)");
  EXPECT_FAILS(kiln_model_find_weight(embedded.get(), "w", &index), KILN_ERROR_NOT_FOUND,
               "has no weight 'w' (its weights are embedded)");

  // kiln_model_load_manifest opens no weights file: described, but no data.
  TempDir dir;
  copyFiles("lin", dir, {"lin.json"});
  kiln_model_t *raw = nullptr;
  ASSERT_EQ(kiln_model_load_manifest(dir.path().c_str(), &raw), KILN_OK) << kiln_last_error();
  ModelPtr manifestOnly(raw);
  kiln_model_info_t info;
  ASSERT_EQ(kiln_model_info(raw, &info), KILN_OK);
  EXPECT_EQ(std::string(info.weights_path), dir.path() + "/lin.weights.bin");
  EXPECT_EQ(info.weights_bytes, 128u);
  ASSERT_EQ(kiln_model_weight_info(raw, 1, &weight), KILN_OK) << kiln_last_error();
  EXPECT_EQ(weight.offset, 64u);
  EXPECT_EQ(weight.data, nullptr);
}

// mmap cannot map an empty file, yet the code must still see weights given (a non-NULL pointer, 0 bytes):
// fake_run_ctx built with FAKE_EMPTY_WEIGHTS returns KILN_CODE_MISSING_WEIGHTS otherwise.
TEST(RuntimeWeights, EmptyWeightsFile) {
  ModelPtr model = loadOrDie(fixture("empty_weights"));
  ASSERT_TRUE(model);
  kiln_model_info_t info;
  ASSERT_EQ(kiln_model_info(model.get(), &info), KILN_OK);
  EXPECT_EQ(std::string(info.weights_path), fixture("empty_weights/fake.weights.bin"));
  EXPECT_EQ(info.weights_bytes, 0u);
  EXPECT_EQ(info.num_weights, 0u);
  EXPECT_TRUE(endsWithText(info.signature, "|weights=")) << info.signature;
  float x[6] = {1, 5, 3, -2, -7, 0}, y[6];
  int64_t idx[2];
  kiln_input_t in[1] = {{x, sizeof x}};
  kiln_output_t out[2] = {{y, sizeof y}, {idx, sizeof idx}};
  ASSERT_EQ(kiln_model_run(model.get(), in, 1, out, 2), KILN_OK) << kiln_last_error();
  expectFakeResults(x, y, idx);
}

// The weights file must exist beside the manifest with exactly weights.bytes bytes.
TEST(RuntimeWeights, BadWeightsFiles) {
  TempDir dir;
  copyFiles("lin", dir, {"lin.json", "liblin.so"});
  std::string weights = dir.path() + "/lin.weights.bin";
  kiln_model_t *model = nullptr;
  EXPECT_FAILS(kiln_model_load(dir.path().c_str(), &model), KILN_ERROR_NOT_FOUND,
               ("weights file '" + weights + "' named by '" + dir.path() + "/lin.json': No such file or directory")
                   .c_str());

  std::string good = readText(fixture("lin/lin.weights.bin"));
  dir.write("lin.weights.bin", good.substr(0, 100));
  EXPECT_FAILS(kiln_model_load(dir.path().c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               ("lin.json: weights file '" + weights + "' has 100 bytes, weights.bytes says 128").c_str());
  dir.write("lin.weights.bin", good + "x");
  EXPECT_FAILS(kiln_model_load(dir.path().c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               "has 129 bytes, weights.bytes says 128");
  dir.write("lin.weights.bin", "");
  EXPECT_FAILS(kiln_model_load(dir.path().c_str(), &model), KILN_ERROR_BAD_MANIFEST,
               "has 0 bytes, weights.bytes says 128");

  fs::remove(weights);
  fs::create_directory(weights);
  EXPECT_FAILS(kiln_model_load(dir.path().c_str(), &model), KILN_ERROR_IO,
               ("weights file '" + weights + "' is not a regular file").c_str());
  EXPECT_EQ(model, nullptr);

  // The file named by files.weights is the one opened.
  fs::remove(weights);
  dir.write("other.bin", good);
  json manifest = json::parse(readText(fixture("lin/lin.json")));
  manifest["files"]["weights"] = "other.bin";
  dir.write("lin.json", manifest.dump());
  ModelPtr renamed = loadOrDie(dir.path());
  EXPECT_TRUE(renamed);
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

// Both entry points of one model at once, with and without caller scratch, all reading the one mapping.
TEST(RuntimeThreads, EntryPointsAndWeightsFromEightThreads) {
  ModelPtr model = loadOrDie(fixture("lin"));
  ASSERT_TRUE(model);
  constexpr int kThreads = 8, kIterations = 2000;
  std::atomic<int> ready{0}, problems{0};
  std::vector<std::string> firstProblem(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ++ready;
      while (ready.load() < kThreads) {
      } // start together, to maximize overlap
      alignas(64) unsigned char scratch[64];
      kiln_run_options_t options = KILN_RUN_OPTIONS_INIT;
      options.scratch = scratch;
      options.scratch_bytes = sizeof scratch;
      for (int it = 0; it < kIterations; ++it) {
        float x[3], dy[3], y[3], dx[3], dw[3];
        for (int i = 0; i < 3; ++i) {
          x[i] = static_cast<float>(t * 100 + it % 97 + i);
          dy[i] = static_cast<float>((it + i * t) % 13) - 6;
        }
        kiln_input_t runIn[1] = {{x, sizeof x}}, gradIn[2] = {{x, sizeof x}, {dy, sizeof dy}};
        kiln_output_t runOut[1] = {{y, sizeof y}}, gradOut[2] = {{dx, sizeof dx}, {dw, sizeof dw}};
        bool ok = kiln_model_run_entry(model.get(), 0, runIn, 1, runOut, 1, nullptr) == KILN_OK &&
                  kiln_model_run_entry(model.get(), 1, gradIn, 2, gradOut, 2, it % 2 ? &options : nullptr) ==
                      KILN_OK;
        for (int i = 0; ok && i < 3; ++i)
          ok = y[i] == kLinW[i] * x[i] + kLinB[i] && dx[i] == dy[i] * kLinW[i] && dw[i] == dy[i] * x[i];
        if (!ok && problems++ == 0)
          firstProblem[t] = "thread " + std::to_string(t) + " iteration " + std::to_string(it) + ": " +
                            kiln_last_error();
      }
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  std::string all;
  for (const std::string &p : firstProblem)
    all += p.empty() ? "" : p + "\n";
  EXPECT_EQ(problems.load(), 0) << all;
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
