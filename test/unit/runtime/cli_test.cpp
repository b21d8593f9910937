// cli_test.cpp: `kiln run` and `kiln inspect` (tools/kiln/RunCommand.cpp, InspectCommand.cpp), called as
// kiln.cpp calls them, against the fake artifacts. Checks exit codes, the exact lines printed, and the
// .npy files written.
#include "tools/kiln/Commands.h"
#include "tools/kiln/Npy.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using kiln::npy::Array;

std::string fixture(const std::string &relative) { return std::string(KILN_TEST_FIXTURES) + "/" + relative; }

struct Result {
  int code;
  std::string out, err;
};

Result call(int (*command)(int, char **), std::vector<std::string> args) {
  std::vector<char *> argv;
  for (std::string &arg : args)
    argv.push_back(&arg[0]);
  argv.push_back(nullptr);
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  int code = command(static_cast<int>(args.size()), argv.data());
  std::fflush(stdout);
  std::fflush(stderr);
  Result result{code, testing::internal::GetCapturedStdout(), testing::internal::GetCapturedStderr()};
  return result;
}

Result run(std::vector<std::string> args) {
  args.insert(args.begin(), "run");
  return call(kiln::cli::runCommand, args);
}

Result inspect(std::vector<std::string> args) {
  args.insert(args.begin(), "inspect");
  return call(kiln::cli::inspectCommand, args);
}

class CliTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "kiln-cli-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(&pattern[0]), nullptr);
    dir_ = pattern;
    x_ = write("x.npy", "<f4", {2, 3}, std::vector<float>{1, 5, 3, -2, -7, 0});
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  template <typename T>
  std::string write(const std::string &name, const std::string &descr, const std::vector<int64_t> &shape,
                    const std::vector<T> &values) {
    std::string path = dir_ + "/" + name, error;
    EXPECT_TRUE(kiln::npy::writeFile(path, descr, shape, values.data(), values.size() * sizeof(T), error)) << error;
    return path;
  }

  template <typename T> std::vector<T> readValues(const std::string &path, const std::string &descr,
                                                  const std::vector<int64_t> &shape) {
    Array array;
    std::string error;
    EXPECT_TRUE(kiln::npy::readFile(path, array, error)) << error;
    EXPECT_EQ(array.descr, descr) << path;
    EXPECT_EQ(array.shape, shape) << path;
    std::vector<T> values(array.data.size() / sizeof(T));
    if (!values.empty())
      std::memcpy(values.data(), array.data.data(), values.size() * sizeof(T));
    return values;
  }

  // A failure: exit code 1, one line on stderr starting with |prefix| and containing |needle|, no stdout.
  void expectError(const Result &r, const std::string &needle, const std::string &prefix = "kiln run: error: ") {
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_EQ(r.err.compare(0, prefix.size(), prefix), 0) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err << "\nexpected: " << needle;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "");
  }

  std::string dir_, x_;
};

// ---------------------------------------------------------------------------------------------------------
// kiln run
// ---------------------------------------------------------------------------------------------------------

TEST_F(CliTest, RunWritesOutputsAndPrintsStatistics) {
  std::string out = dir_ + "/out";
  Result r = run({fixture("good"), "--input", "x=" + x_, "--output-dir", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "y: float32[2,3] min=-13 max=11 mean=1 -> " + out + "/y.npy\n" +
                       "idx: int64[2] min=1 max=2 mean=1.5 -> " + out + "/idx.npy\n");
  EXPECT_EQ(readValues<float>(out + "/y.npy", "<f4", {2, 3}), (std::vector<float>{3, 11, 7, -3, -13, 1}));
  EXPECT_EQ(readValues<int64_t>(out + "/idx.npy", "<i8", {2}), (std::vector<int64_t>{1, 2}));
}

TEST_F(CliTest, RunArgumentSpellings) {
  const std::vector<std::vector<std::string>> spellings = {
      {fixture("good/libfake.so"), "--input=x=" + x_, "--output-dir=" + dir_ + "/a"},
      {fixture("good/fake.json"), "-i", x_, "-o", dir_ + "/a/"},            // single input: bare file
      {"--input", "x=" + x_, "-o", dir_ + "/a", fixture("good")},           // ARTIFACT last
      {"-o", dir_ + "/a", "--", fixture("good"), "--input", "x=" + x_}};    // "--" ends the options
  for (const auto &args : spellings) {
    SCOPED_TRACE(args[0] + " " + args[1]);
    fs::remove_all(dir_ + "/a");
    Result r = run(args);
    if (args[2] == "--") {
      // After "--", "--input" is a second positional argument: wrong usage.
      EXPECT_EQ(r.code, 2) << r.err;
      continue;
    }
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(readValues<float>(dir_ + "/a/y.npy", "<f4", {2, 3}), (std::vector<float>{3, 11, 7, -3, -13, 1}));
  }
}

TEST_F(CliTest, RunDefaultsToTheCurrentFolder) {
  std::string previous = fs::current_path().string();
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  Result r = run({fixture("good"), "--input", "x.npy"});
  ASSERT_EQ(chdir(previous.c_str()), 0);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("-> y.npy\n"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir_ + "/y.npy"));
  EXPECT_TRUE(fs::exists(dir_ + "/idx.npy"));
}

TEST_F(CliTest, RunMultiDtypeModel) {
  std::string a = write("a.npy", "<i4", {4}, std::vector<int32_t>{1, 2, 3, 4});
  std::string mask = write("mask.npy", "|b1", {4}, std::vector<uint8_t>{1, 0, 1, 1});
  std::string scale = write("scale.npy", "<u2", {}, std::vector<uint16_t>{0x3F00}); // bfloat16 0.5
  std::string out = dir_ + "/out";
  Result r = run({fixture("multi"), "--input", "a=" + a, "--input", "mask:0=" + mask, "--input", "scale=" + scale,
                  "-o", out});
  ASSERT_EQ(r.code, 0) << r.err;
  // "out/sum" is written as out_sum.npy: output names never make paths.
  EXPECT_EQ(r.out, "out/sum: int32[] min=8 max=8 mean=8 -> " + out + "/out_sum.npy\n" +
                       "half: float16[4] min=0.5 max=2 mean=1.25 -> " + out + "/half.npy\n" +
                       "scaled: bfloat16[4] min=0.5 max=2 mean=1.25 -> " + out + "/scaled.npy\n");
  EXPECT_EQ(readValues<int32_t>(out + "/out_sum.npy", "<i4", {}), (std::vector<int32_t>{8}));
  EXPECT_EQ(readValues<uint16_t>(out + "/half.npy", "<f2", {4}),
            (std::vector<uint16_t>{0x3800, 0x3C00, 0x3E00, 0x4000}));
  EXPECT_EQ(readValues<uint16_t>(out + "/scaled.npy", "<u2", {4}),
            (std::vector<uint16_t>{0x3F00, 0x3F80, 0x3FC0, 0x4000}));
  EXPECT_FALSE(fs::exists(out + "/out"));

  // An ml_dtypes-style '<V2' file is accepted for a bfloat16 input.
  std::string scaleV2 = write("scale_v2.npy", "<V2", {}, std::vector<uint16_t>{0x3F80}); // 1.0
  r = run({fixture("multi"), "--input", "a=" + a, "--input", "mask:0=" + mask, "--input", "scale=" + scaleV2, "-o",
           out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("half: float16[4] min=1 max=4 mean=2.5"), std::string::npos) << r.out;
}

TEST_F(CliTest, RunRejectsWrongInputs) {
  expectError(run({fixture("good"), "--input", "z=" + x_}),
              "the model has no input 'z'; its inputs are 'x' (float32[2,3])");
  expectError(run({fixture("good"), "--input", x_, "--input", "x=" + x_}), "input 'x' given twice");
  expectError(run({fixture("good")}), "missing --input for 'x' (float32[2,3])");
  expectError(run({fixture("good"), "--input", "x=" + dir_ + "/nope.npy"}),
              "input 'x': " + dir_ + "/nope.npy: No such file or directory");

  std::string f64 = write("f64.npy", "<f8", {2, 3}, std::vector<double>(6, 1.0));
  expectError(run({fixture("good"), "--input", "x=" + f64}),
              "input 'x': " + f64 + " holds float64 (<f8) [2,3], expected float32[2,3] (<f4)");
  std::string transposed = write("t.npy", "<f4", {3, 2}, std::vector<float>(6, 1.0f));
  expectError(run({fixture("good"), "--input", "x=" + transposed}),
              "holds float32 (<f4) [3,2], expected float32[2,3] (<f4)");
  std::string flat = write("flat.npy", "<f4", {6}, std::vector<float>(6, 1.0f));
  expectError(run({fixture("good"), "--input", "x=" + flat}), "holds float32 (<f4) [6], expected float32[2,3]");
  std::string garbage = dir_ + "/garbage.npy";
  {
    std::string error;
    ASSERT_TRUE(kiln::npy::writeFile(garbage, "|u1", {3}, "abc", 3, error)) << error;
    FILE *f = std::fopen(garbage.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fputs("JUNK", f);
    std::fclose(f);
  }
  expectError(run({fixture("good"), "--input", "x=" + garbage}), "not a .npy file (wrong magic bytes)");

  std::string a = write("a.npy", "<i4", {4}, std::vector<int32_t>{1, 2, 3, 4});
  expectError(run({fixture("multi"), "--input", a}), "--input '" + a + "' needs the form NAME=FILE");
  expectError(run({fixture("multi"), "--input", "a=" + a}),
              "missing --input for 'mask:0' (bool[4]), 'scale' (bfloat16[])");
  std::string mask = write("mask.npy", "|b1", {4}, std::vector<uint8_t>{1, 0, 1, 1});
  std::string halfScale = write("hs.npy", "<f2", {}, std::vector<uint16_t>{0x3800});
  expectError(run({fixture("multi"), "--input", "a=" + a, "--input", "mask:0=" + mask, "--input",
                   "scale=" + halfScale}),
              "input 'scale': " + halfScale + " holds float16 (<f2) [], expected bfloat16[] (<u2)");
  expectError(run({fixture("multi"), "--input", "a=" + a, "--input", "mask:0=" + a, "--input", "scale=" + a}),
              "input 'mask:0': " + a + " holds int32 (<i4) [4], expected bool[4] (|b1)");
}

TEST_F(CliTest, RunReportsArtifactAndRuntimeFailures) {
  expectError(run({fixture("nothing"), "--input", x_}), "'" + fixture("nothing") + "': No such file or directory");
  expectError(run({fixture("mismatch"), "--input", x_}), "differs from the library's");
  expectError(run({fixture("evil"), "--input", x_}), "'../evil.so' is not a plain file name");
  expectError(run({fixture("failing"), "--input", x_, "-o", dir_ + "/never"}), "fake_run_ctx returned 7");
  EXPECT_FALSE(fs::exists(dir_ + "/never")) << "nothing is written when the model fails";
  expectError(run({fixture("good"), "--input", x_, "-o", x_}), "cannot create output folder '" + x_ + "'");
}

// --entry picks the entry point; its inputs and outputs are the ones read and written.
TEST_F(CliTest, RunSecondEntryPoint) {
  std::string x = write("lx.npy", "<f4", {3}, std::vector<float>{2, -1, 0.5f});
  std::string dy = write("dy.npy", "<f4", {3}, std::vector<float>{1, 4, -2});
  std::string out = dir_ + "/grad";
  Result r = run({fixture("lin"), "--entry", "grad", "--input", "x=" + x, "--input", "dy=" + dy, "-o", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "dx: float32[3] min=-8 max=0.5 mean=-4.5 -> " + out + "/dx.npy\n" +
                       "dw: float32[3] min=-4 max=2 mean=-1 -> " + out + "/dw.npy\n");
  // dx = dy * w with w = {0.5, -2, 3} from lin.weights.bin; dw = dy * x.
  EXPECT_EQ(readValues<float>(out + "/dx.npy", "<f4", {3}), (std::vector<float>{0.5f, -8, -6}));
  EXPECT_EQ(readValues<float>(out + "/dw.npy", "<f4", {3}), (std::vector<float>{2, -4, -1}));
  EXPECT_FALSE(fs::exists(out + "/y.npy"));

  // -e and --entry=, and the default "run", which reads the weights too: y = w * x + b.
  for (const std::vector<std::string> &args :
       {std::vector<std::string>{fixture("lin"), "-e", "run", "-i", x, "-o", out},
        std::vector<std::string>{fixture("lin"), "--entry=run", "-i", x, "-o", out},
        std::vector<std::string>{fixture("lin"), "-i", x, "-o", out}}) {
    SCOPED_TRACE(args[1]);
    r = run(args);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(readValues<float>(out + "/y.npy", "<f4", {3}), (std::vector<float>{2, 2.25f, -2.5f}));
  }
}

TEST_F(CliTest, RunRejectsWrongEntryPoints) {
  std::string x = write("lx.npy", "<f4", {3}, std::vector<float>{2, -1, 0.5f});
  expectError(run({fixture("lin"), "--entry", "train_step", "-i", x}),
              "model 'lin' has no entry point 'train_step' (it has 'run', 'grad')");
  // A model without "run" needs --entry.
  expectError(run({fixture("lin_no_run"), "-i", x}), "model 'lin' has no entry point 'run' (it has 'forward', 'grad')");
  Result r = run({fixture("lin_no_run"), "--entry", "forward", "-i", x, "-o", dir_ + "/f"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(readValues<float>(dir_ + "/f/y.npy", "<f4", {3}), (std::vector<float>{2, 2.25f, -2.5f}));
  // Inputs are matched against the chosen entry point, and messages name it.
  expectError(run({fixture("lin"), "--entry", "grad", "-i", "x=" + x}), "missing --input for 'dy' (float32[3])");
  expectError(run({fixture("lin"), "--entry", "grad", "-i", "y=" + x}),
              "entry point 'grad' has no input 'y'; its inputs are 'x' (float32[3]), 'dy' (float32[3])");
  expectError(run({fixture("lin"), "--entry", "grad", "-i", x}),
              "--input '" + x + "' needs the form NAME=FILE; the inputs of entry point 'grad' are 'x' (float32[3]), "
              "'dy' (float32[3])");
  // The code refuses to run without its weights; the runtime says so.
  expectError(run({fixture("lin_embedded"), "-i", x, "-o", dir_ + "/never"}),
              "lin_run_ctx returned 6 (KILN_CODE_MISSING_WEIGHTS");
  EXPECT_FALSE(fs::exists(dir_ + "/never"));
}

TEST_F(CliTest, RunWrongUsage) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "kiln run: missing ARTIFACT"},
      {{"--input", "x=a.npy"}, "kiln run: missing ARTIFACT"},
      {{fixture("good"), "--bogus"}, "kiln run: unknown option '--bogus'"},
      {{"--bogus", fixture("good")}, "kiln run: unknown option '--bogus'"},
      {{fixture("good"), "--input"}, "kiln run: option '--input' needs a value"},
      {{fixture("good"), "-i"}, "kiln run: option '-i' needs a value"},
      {{fixture("good"), "--output-dir"}, "kiln run: option '--output-dir' needs a value"},
      {{fixture("good"), "--input="}, "kiln run: option '--input' needs a non-empty value"},
      {{fixture("good"), fixture("good")}, "kiln run: unexpected argument"},
      {{fixture("good"), "-o", "a", "-o", "b"}, "kiln run: --output-dir given twice"},
      {{fixture("good"), "--entry"}, "kiln run: option '--entry' needs a value"},
      {{fixture("good"), "-e"}, "kiln run: option '-e' needs a value"},
      {{fixture("good"), "--entry="}, "kiln run: option '--entry' needs a non-empty value"},
      {{fixture("good"), "-e", "run", "--entry", "grad"}, "kiln run: --entry given twice"},
  };
  for (const auto &[args, message] : cases) {
    SCOPED_TRACE(message);
    Result r = run(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err.compare(0, message.size(), message), 0) << r.err;
    EXPECT_NE(r.err.find("usage: kiln run ARTIFACT"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  Result help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_EQ(help.out.compare(0, 24, "usage: kiln run ARTIFACT"), 0) << help.out;
  EXPECT_EQ(help.err, "");
}

// ---------------------------------------------------------------------------------------------------------
// kiln inspect
// ---------------------------------------------------------------------------------------------------------

TEST_F(CliTest, InspectPrintsTheManifest) {
  Result r = inspect({fixture("good")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const std::string expected = "name:          fake\n"
                               "source:        fake.onnx\n"
                               "kiln version:  0.2.0\n"
                               "target:        x86_64-unknown-linux-gnu, cpu znver4, features +avx2,+fma\n"
                               "signature:     kiln-abi-2|run:in=x:f32[2,3];out=y:f32[2,3],idx:i64[2]\n"
                               "manifest:      " +
                               fixture("good/fake.json") + "\n" + "library:       " + fixture("good/libfake.so") +
                               " (loaded, signature matches)\n"
                               "weights:       embedded in the library\n"
                               "entry point:   run (symbol fake_run, scratch 64 bytes)\n"
                               "inputs (1):\n"
                               "  0  x  float32[2,3]  24 bytes\n"
                               "outputs (2):\n"
                               "  0  y    float32[2,3]  24 bytes\n"
                               "  1  idx  int64[2]      16 bytes\n";
  EXPECT_EQ(r.out, expected);
}

TEST_F(CliTest, InspectMultiAndManifestOnly) {
  Result r = inspect({fixture("multi/libmulti.so")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("target:        x86_64-unknown-linux-gnu, cpu generic\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inputs (3):\n"
                       "  0  a       int32[4]    16 bytes\n"
                       "  1  mask:0  bool[4]     4 bytes\n"
                       "  2  scale   bfloat16[]  2 bytes\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  0  out/sum  int32[]      4 bytes\n"), std::string::npos) << r.out;

  // The library is missing: only --manifest-only can show this artifact.
  r = inspect({"--manifest-only", fixture("missing_so")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("library:       " + fixture("missing_so/libnothere.so") + " (not loaded: --manifest-only)"),
            std::string::npos)
      << r.out;
  expectError(inspect({fixture("missing_so")}), "libnothere.so", "kiln inspect: error: ");
  expectError(inspect({fixture("mismatch")}), "differs from the library's", "kiln inspect: error: ");
  expectError(inspect({fixture("truncated")}), "not valid JSON", "kiln inspect: error: ");
}

// Every entry point with its scratch, inputs and outputs, and the weights file.
TEST_F(CliTest, InspectEntryPointsAndWeights) {
  Result r = inspect({fixture("lin")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const std::string expected =
      "library:       " + fixture("lin/liblin.so") + " (loaded, signature matches)\n" +
      "weights:       " + fixture("lin/lin.weights.bin") + " (128 bytes, 2 tensors, mapped)\n" +
      "entry point:   run (symbol lin_run, scratch 0 bytes)\n"
      "inputs (1):\n"
      "  0  x  float32[3]  12 bytes\n"
      "outputs (1):\n"
      "  0  y  float32[3]  12 bytes\n"
      "entry point:   grad (symbol lin_grad, scratch 64 bytes)\n"
      "inputs (2):\n"
      "  0  x   float32[3]  12 bytes\n"
      "  1  dy  float32[3]  12 bytes\n"
      "outputs (2):\n"
      "  0  dx  float32[3]  12 bytes\n"
      "  1  dw  float32[3]  12 bytes\n";
  ASSERT_GE(r.out.size(), expected.size()) << r.out;
  EXPECT_EQ(r.out.substr(r.out.size() - expected.size()), expected);
  EXPECT_NE(r.out.find("target:        x86_64-unknown-linux-gnu\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("signature:     kiln-abi-2|run:in=x:f32[3];out=y:f32[3]|grad:"), std::string::npos) << r.out;

  // Without a weights file, only --manifest-only can show the artifact.
  std::string copy = dir_ + "/lin";
  fs::create_directory(copy);
  fs::copy_file(fixture("lin/lin.json"), copy + "/lin.json");
  fs::copy_file(fixture("lin/liblin.so"), copy + "/liblin.so");
  expectError(inspect({copy}), "weights file '" + copy + "/lin.weights.bin' named by", "kiln inspect: error: ");
  r = inspect({"--manifest-only", copy});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("weights:       " + copy + "/lin.weights.bin (128 bytes, 2 tensors, not opened: "
                                                "--manifest-only)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("entry point:   grad (symbol lin_grad, scratch 64 bytes)\n"), std::string::npos) << r.out;
}

TEST_F(CliTest, InspectWrongUsage) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "kiln inspect: missing ARTIFACT"},
      {{"--manifest-only"}, "kiln inspect: missing ARTIFACT"},
      {{"--verbose", fixture("good")}, "kiln inspect: unknown option '--verbose'"},
      {{fixture("good"), fixture("multi")}, "kiln inspect: unexpected argument"},
  };
  for (const auto &[args, message] : cases) {
    SCOPED_TRACE(message);
    Result r = inspect(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err.compare(0, message.size(), message), 0) << r.err;
    EXPECT_NE(r.err.find("usage: kiln inspect ARTIFACT"), std::string::npos) << r.err;
  }
  Result help = inspect({"-h"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("usage: kiln inspect ARTIFACT"), std::string::npos);
}

} // namespace
