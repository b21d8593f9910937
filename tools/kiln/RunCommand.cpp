// RunCommand.cpp: `kiln run`, which runs one entry point of a compiled artifact (by default "run") on .npy
// inputs through the C runtime.
//
// Inputs must match the manifest exactly (dtype and shape): converting silently would hide the mistakes
// (float64 arrays, a missing batch dimension) that users most often make.
#include "tools/kiln/Commands.h"
#include "tools/kiln/Npy.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <filesystem>
#include <system_error>
#include <vector>

namespace kiln::cli {
namespace {

using detail::describeTensor;
using detail::printable;

constexpr const char kUsage[] =
    "usage: kiln run ARTIFACT [--entry NAME] --input NAME=FILE.npy [--input NAME=FILE.npy ...] "
    "[--cotangent OUTPUT=FILE.npy ...] [--output-dir DIR] [--threads N] [--runs R]\n"
    "\n"
    "Runs an entry point of a compiled model on .npy inputs and writes DIR/OUTPUT.npy for each of its outputs.\n"
    "\n"
    "  ARTIFACT                  the artifact folder, its libNAME.so, or its NAME.json\n"
    "  -e, --entry NAME          the entry point to run (default: run); `kiln inspect` lists them\n"
    "  -i, --input NAME=FILE     one input; the .npy's dtype and shape must match the manifest exactly.\n"
    "                            A model with a single input also takes --input FILE.\n"
    "  --cotangent OUTPUT=FILE   for a gradient entry point (kiln compile --grad): the cotangent of OUTPUT,\n"
    "                            the same as --input OUTPUT.cotangent=FILE. Outputs of one element need none.\n"
    "                            Gradients are outputs named TENSOR.grad, written to DIR/TENSOR.grad.npy.\n"
    "  -o, --output-dir DIR      where to write the outputs (default: the current folder; created if needed).\n"
    "                            Characters outside [A-Za-z0-9_.-] in output names become '_'.\n"
    "  -t, --threads N           threads the run may use, counting the calling one (default: KILN_NUM_THREADS\n"
    "                            if set, else every CPU this process may use); results do not depend on N\n"
    "  -r, --runs R              run R more times after the first and print the median and fastest wall time\n"
    "                            of those R runs in ms (the outputs written are the first run's)\n"
    "  -h, --help                show this help\n"
    "\n"
    "bfloat16 tensors are read and written as raw 16-bit patterns ('<u2'), float8 ones as 8-bit patterns\n"
    "('|u1'), int4/int2 one value per byte ('|i1') and uint4/uint2 likewise ('|u1'); each also takes what\n"
    "np.save writes for an ml_dtypes array ('|V2', '|V1').\n"
    "A CUDA artifact (kiln compile --target cuda) runs on the GPU KILN_CUDA_DEVICE names (default 0), through\n"
    "the CUDA driver (KILN_CUDA_DRIVER, default libcuda.so.1); --threads does not apply to it.\n";

struct Options {
  std::string artifact;
  std::string entry = "run";
  bool entryGiven = false;
  std::vector<std::string> inputs; // raw --input values
  std::string outputDir = ".";
  bool outputDirGiven = false;
  size_t threads = 0; // 0: the runtime chooses
  bool threadsGiven = false;
  size_t runs = 0; // timed runs after the first
  bool runsGiven = false;
};

enum class ParseResult { Ok, Help, Usage };

ParseResult parseArguments(int argc, char **argv, Options &options, std::string &problem) {
  bool optionsEnded = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (optionsEnded || arg.empty() || arg[0] != '-' || arg == "-") {
      if (!options.artifact.empty()) {
        problem = "unexpected argument '" + arg + "' (only one ARTIFACT)";
        return ParseResult::Usage;
      }
      options.artifact = arg;
      continue;
    }
    if (arg == "--") {
      optionsEnded = true;
      continue;
    }
    if (arg == "-h" || arg == "--help")
      return ParseResult::Help;
    // --flag VALUE, --flag=VALUE, -f VALUE.
    std::string flag = arg, value;
    bool inlineValue = false;
    size_t equals = arg.find('=');
    if (arg.compare(0, 2, "--") == 0 && equals != std::string::npos) {
      flag = arg.substr(0, equals);
      value = arg.substr(equals + 1);
      inlineValue = true;
    }
    bool isInput = flag == "--input" || flag == "-i";
    bool isOutputDir = flag == "--output-dir" || flag == "-o";
    bool isEntry = flag == "--entry" || flag == "-e";
    bool isCotangent = flag == "--cotangent";
    bool isThreads = flag == "--threads" || flag == "-t";
    bool isRuns = flag == "--runs" || flag == "-r";
    if (!isInput && !isOutputDir && !isEntry && !isCotangent && !isThreads && !isRuns) {
      problem = "unknown option '" + arg + "'";
      return ParseResult::Usage;
    }
    if (!inlineValue) {
      if (i + 1 >= argc) {
        problem = "option '" + flag + "' needs a value";
        return ParseResult::Usage;
      }
      value = argv[++i];
    }
    if (value.empty()) {
      problem = "option '" + flag + "' needs a non-empty value";
      return ParseResult::Usage;
    }
    if (isInput) {
      options.inputs.push_back(value);
    } else if (isCotangent) {
      size_t equals = value.find('=');
      if (equals == std::string::npos || equals == 0) {
        problem = "--cotangent '" + value + "' needs the form OUTPUT=FILE";
        return ParseResult::Usage;
      }
      options.inputs.push_back(value.substr(0, equals) + ".cotangent" + value.substr(equals));
    } else if (isEntry) {
      if (options.entryGiven) {
        problem = "--entry given twice";
        return ParseResult::Usage;
      }
      options.entry = value;
      options.entryGiven = true;
    } else if (isThreads || isRuns) {
      bool &given = isThreads ? options.threadsGiven : options.runsGiven;
      if (given) {
        problem = flag + " given twice";
        return ParseResult::Usage;
      }
      char *end = nullptr;
      errno = 0;
      unsigned long long n = std::strtoull(value.c_str(), &end, 10);
      unsigned long long most = isThreads ? 1024 : 1000000;
      if (value[0] == '-' || *end != '\0' || errno == ERANGE || n == 0 || n > most) {
        problem = flag + " needs a whole number from 1 to " + std::to_string(most) + ", not '" + value + "'";
        return ParseResult::Usage;
      }
      (isThreads ? options.threads : options.runs) = static_cast<size_t>(n);
      given = true;
    } else {
      if (options.outputDirGiven) {
        problem = "--output-dir given twice";
        return ParseResult::Usage;
      }
      options.outputDir = value;
      options.outputDirGiven = true;
    }
  }
  if (options.artifact.empty()) {
    problem = "missing ARTIFACT";
    return ParseResult::Usage;
  }
  return ParseResult::Ok;
}

int failure(const std::string &message) {
  std::fprintf(stderr, "kiln run: error: %s\n", message.c_str());
  return 1;
}

struct ModelDeleter {
  void operator()(kiln_model_t *model) const { kiln_model_destroy(model); }
};
using ModelPtr = std::unique_ptr<kiln_model_t, ModelDeleter>;

std::string tensorLabel(const kiln_tensor_info_t &info) {
  return "'" + printable(info.name) + "' (" + describeTensor(info.dtype, info.rank, info.shape) + ")";
}

std::string inputNames(const std::vector<kiln_tensor_info_t> &inputs) {
  std::string names;
  for (const kiln_tensor_info_t &info : inputs)
    names += (names.empty() ? "" : ", ") + tensorLabel(info);
  return names.empty() ? "none" : names;
}

// "the model" for the entry point "run", as users think of it; "entry point 'grad'" for the others.
std::string ownerOf(const std::string &entry) {
  return entry == "run" ? "the model" : "entry point '" + printable(entry.c_str()) + "'";
}

// Maps each --input value to an input index and a file, in manifest order. Returns "" or an error.
std::string assignInputs(const Options &options, const std::vector<kiln_tensor_info_t> &inputs,
                         std::vector<std::string> &files) {
  files.assign(inputs.size(), "");
  for (const std::string &value : options.inputs) {
    size_t index = inputs.size();
    std::string file;
    size_t equals = value.find('=');
    if (equals != std::string::npos) {
      std::string name = value.substr(0, equals);
      for (size_t i = 0; i < inputs.size(); ++i)
        if (name == inputs[i].name)
          index = i;
      if (index != inputs.size())
        file = value.substr(equals + 1);
    }
    std::error_code ec;
    if (index == inputs.size() && inputs.size() == 1 &&
        (equals == std::string::npos || std::filesystem::exists(value, ec))) {
      // A single-input model takes a bare file name, which may itself contain '='.
      index = 0;
      file = value;
    }
    if (index == inputs.size()) {
      if (equals == std::string::npos)
        return "--input '" + value + "' needs the form NAME=FILE; the inputs of " + ownerOf(options.entry) +
               " are " + inputNames(inputs);
      return ownerOf(options.entry) + " has no input '" + value.substr(0, equals) + "'; its inputs are " +
             inputNames(inputs);
    }
    if (file.empty())
      return "--input '" + value + "' names no file";
    if (!files[index].empty())
      return "input '" + printable(inputs[index].name) + "' given twice";
    files[index] = file;
  }
  std::string missing;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (files[i].empty())
      missing += (missing.empty() ? "" : ", ") + tensorLabel(inputs[i]);
  if (!missing.empty())
    return "missing --input for " + missing;
  return "";
}

bool sameShape(const std::vector<int64_t> &shape, const kiln_tensor_info_t &info) {
  if (shape.size() != info.rank)
    return false;
  for (size_t i = 0; i < info.rank; ++i)
    if (shape[i] != info.shape[i])
      return false;
  return true;
}

std::string describeArray(const npy::Array &array) {
  std::string s = npy::describeDescr(array.descr) + " [";
  for (size_t i = 0; i < array.shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(array.shape[i]);
  return s + "]";
}

// ---------------------------------------------------------------------------------------------------------
// Output statistics
// ---------------------------------------------------------------------------------------------------------

double halfToDouble(uint16_t h) {
  int exponent = (h >> 10) & 0x1F;
  int mantissa = h & 0x3FF;
  double value;
  if (exponent == 0)
    value = std::ldexp(mantissa, -24); // subnormal
  else if (exponent == 31)
    value = mantissa ? NAN : INFINITY;
  else
    value = std::ldexp(mantissa + 1024, exponent - 25);
  return (h & 0x8000) ? -value : value;
}

double bfloat16ToDouble(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// A float8 bit pattern's value: |exponentBits| and |mantissaBits| with |bias|; |fnuz| formats have no
// infinity and no -0 (0x80 is their NaN); e4m3fn (|ieee| false, |fnuz| false) has only the NaN S.1111.111.
double float8ToDouble(uint8_t b, int exponentBits, int mantissaBits, int bias, bool ieee, bool fnuz) {
  int magnitude = b & 0x7F, exponent = magnitude >> mantissaBits, mantissa = b & ((1 << mantissaBits) - 1);
  int maxExponent = (1 << exponentBits) - 1;
  if (fnuz ? b == 0x80 : ieee ? (exponent == maxExponent && mantissa) : magnitude == 0x7F)
    return NAN;
  double value;
  if (ieee && exponent == maxExponent)
    value = INFINITY;
  else if (exponent == 0)
    value = std::ldexp(mantissa, 1 - bias - mantissaBits);
  else
    value = std::ldexp(mantissa + (1 << mantissaBits), exponent - bias - mantissaBits);
  return (b & 0x80) ? -value : value;
}

template <typename T> T load(const unsigned char *p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

double elementAsDouble(kiln_dtype_t dtype, const unsigned char *p) {
  switch (dtype) {
  case KILN_DTYPE_F16: return halfToDouble(load<uint16_t>(p));
  case KILN_DTYPE_BF16: return bfloat16ToDouble(load<uint16_t>(p));
  case KILN_DTYPE_F32: return load<float>(p);
  case KILN_DTYPE_F64: return load<double>(p);
  case KILN_DTYPE_BOOL: return *p != 0;
  case KILN_DTYPE_I8: return load<int8_t>(p);
  case KILN_DTYPE_I32: return load<int32_t>(p);
  case KILN_DTYPE_I64: return static_cast<double>(load<int64_t>(p));
  case KILN_DTYPE_U8: return *p;
  case KILN_DTYPE_I16: return load<int16_t>(p);
  case KILN_DTYPE_U16: return load<uint16_t>(p);
  case KILN_DTYPE_U32: return load<uint32_t>(p);
  case KILN_DTYPE_U64: return static_cast<double>(load<uint64_t>(p));
  case KILN_DTYPE_F8E4M3FN: return float8ToDouble(*p, 4, 3, 7, false, false);
  case KILN_DTYPE_F8E4M3FNUZ: return float8ToDouble(*p, 4, 3, 8, false, true);
  case KILN_DTYPE_F8E5M2: return float8ToDouble(*p, 5, 2, 15, true, false);
  case KILN_DTYPE_F8E5M2FNUZ: return float8ToDouble(*p, 5, 2, 16, false, true);
  // One value per byte: statistics() sees the unpacked form.
  case KILN_DTYPE_I4:
  case KILN_DTYPE_I2: return load<int8_t>(p);
  case KILN_DTYPE_U4:
  case KILN_DTYPE_U2: return *p;
  }
  return NAN;
}

bool isPacked(kiln_dtype_t dtype) { return kiln_dtype_bits(dtype) < 8; }

// One element per byte (|data|, as the .npy holds it) -> the artifact's packed buffer (kiln_abi.h). The
// int8/uint8 form must hold values of the type's range; ml_dtypes' '|V1' form is its bits.
bool pack(const kiln_tensor_info_t &info, const npy::Array &array, std::vector<unsigned char> &packed,
          std::string &error) {
  unsigned width = static_cast<unsigned>(kiln_dtype_bits(info.dtype)), perByte = 8 / width;
  bool isSigned = npy::descrFor(info.dtype)[1] == 'i', raw = array.descr[1] == 'V';
  int lowest = isSigned ? -(1 << (width - 1)) : 0, highest = isSigned ? (1 << (width - 1)) - 1 : (1 << width) - 1;
  packed.assign(info.bytes, 0);
  for (size_t i = 0; i < array.data.size(); ++i) {
    int value = isSigned && !raw ? static_cast<int8_t>(array.data[i]) : array.data[i];
    if (!raw && (value < lowest || value > highest)) {
      error = "element " + std::to_string(i) + " is " + std::to_string(value) + ", outside " +
              kiln_dtype_name(info.dtype) + "'s range [" + std::to_string(lowest) + ", " + std::to_string(highest) +
              "]";
      return false;
    }
    packed[i / perByte] |= static_cast<unsigned char>((value & ((1 << width) - 1)) << (i % perByte * width));
  }
  return true;
}

// The artifact's packed buffer -> one element per byte, sign-extended for int4 and int2.
std::vector<unsigned char> unpack(const kiln_tensor_info_t &info, const std::vector<unsigned char> &packed) {
  unsigned width = static_cast<unsigned>(kiln_dtype_bits(info.dtype)), perByte = 8 / width;
  bool isSigned = npy::descrFor(info.dtype)[1] == 'i';
  size_t count = 1;
  for (size_t d = 0; d < info.rank; ++d)
    count *= static_cast<size_t>(info.shape[d]);
  std::vector<unsigned char> values(count);
  for (size_t i = 0; i < count; ++i) {
    unsigned bits = (packed[i / perByte] >> (i % perByte * width)) & ((1u << width) - 1);
    bool negative = isSigned && (bits >> (width - 1));
    values[i] = static_cast<unsigned char>(negative ? bits | (0xFFu << width) : bits);
  }
  return values;
}

// "min=-1.23 max=4.56 mean=0.12"; NaNs are left out of the three and counted. Packed types come unpacked.
std::string statistics(const kiln_tensor_info_t &info, const std::vector<unsigned char> &data) {
  size_t itemBytes = isPacked(info.dtype) ? 1 : kiln_dtype_size(info.dtype);
  size_t count = itemBytes ? data.size() / itemBytes : 0;
  if (count == 0)
    return "empty";
  double minimum = INFINITY, maximum = -INFINITY, sum = 0;
  size_t nans = 0;
  for (size_t i = 0; i < count; ++i) {
    double v = elementAsDouble(info.dtype, data.data() + i * itemBytes);
    if (std::isnan(v)) {
      ++nans;
      continue;
    }
    minimum = std::fmin(minimum, v);
    maximum = std::fmax(maximum, v);
    sum += v;
  }
  char text[160] = "";
  if (nans < count)
    std::snprintf(text, sizeof text, "min=%.6g max=%.6g mean=%.6g", minimum, maximum,
                  sum / static_cast<double>(count - nans));
  std::string result = text;
  if (nans)
    result += (result.empty() ? "nan=" : " nan=") + std::to_string(nans);
  return result;
}

// An output name made into a file name: bytes outside [A-Za-z0-9_.-] become '_', and a leading '.' is
// prefixed with '_' so no output becomes hidden, "." or "..".
std::string safeFileStem(const char *name) {
  std::string stem;
  for (const char *p = name; *p; ++p) {
    char c = *p;
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                 c == '.' || c == '-';
    stem += plain ? c : '_';
  }
  if (stem.empty() || stem[0] == '.')
    stem = "_" + stem;
  return stem;
}

} // namespace

int runCommand(int argc, char **argv) {
  Options options;
  std::string problem;
  switch (parseArguments(argc, argv, options, problem)) {
  case ParseResult::Help:
    std::fputs(kUsage, stdout);
    return 0;
  case ParseResult::Usage:
    std::fprintf(stderr, "kiln run: %s\n%s", problem.c_str(), kUsage);
    return 2;
  case ParseResult::Ok:
    break;
  }

  kiln_model_t *raw = nullptr;
  if (kiln_model_load(options.artifact.c_str(), &raw) != KILN_OK)
    return failure(detail::runtimeError());
  ModelPtr model(raw);

  size_t entry = 0;
  kiln_entry_point_info_t entryInfo;
  if (kiln_model_find_entry_point(model.get(), options.entry.c_str(), &entry) != KILN_OK ||
      kiln_model_entry_point_info(model.get(), entry, &entryInfo) != KILN_OK)
    return failure(detail::runtimeError());
  std::vector<kiln_tensor_info_t> inputInfo(entryInfo.num_inputs);
  std::vector<kiln_tensor_info_t> outputInfo(entryInfo.num_outputs);
  for (size_t i = 0; i < inputInfo.size(); ++i)
    if (kiln_model_entry_input_info(model.get(), entry, i, &inputInfo[i]) != KILN_OK)
      return failure(detail::runtimeError());
  for (size_t i = 0; i < outputInfo.size(); ++i)
    if (kiln_model_entry_output_info(model.get(), entry, i, &outputInfo[i]) != KILN_OK)
      return failure(detail::runtimeError());

  std::vector<std::string> files;
  std::string assignError = assignInputs(options, inputInfo, files);
  if (!assignError.empty())
    return failure(assignError);

  std::vector<npy::Array> arrays(inputInfo.size());
  std::vector<kiln_input_t> inputs(inputInfo.size());
  for (size_t i = 0; i < inputInfo.size(); ++i) {
    const kiln_tensor_info_t &info = inputInfo[i];
    std::string error;
    if (!npy::readFile(files[i], arrays[i], error))
      return failure("input '" + printable(info.name) + "': " + error);
    if (!npy::descrMatches(arrays[i].descr, info.dtype) || !sameShape(arrays[i].shape, info))
      return failure("input '" + printable(info.name) + "': " + files[i] + " holds " + describeArray(arrays[i]) +
                     ", expected " + describeTensor(info.dtype, info.rank, info.shape) + " (" +
                     npy::descrFor(info.dtype) + ")");
    if (isPacked(info.dtype)) {
      std::vector<unsigned char> packed;
      std::string error;
      if (!pack(info, arrays[i], packed, error))
        return failure("input '" + printable(info.name) + "': " + files[i] + ": " + error);
      arrays[i].data = std::move(packed);
    }
    inputs[i] = {arrays[i].data.data(), arrays[i].data.size()};
  }

  std::vector<std::vector<unsigned char>> results(outputInfo.size());
  std::vector<kiln_output_t> outputs(outputInfo.size());
  for (size_t i = 0; i < outputInfo.size(); ++i) {
    results[i].resize(outputInfo[i].bytes);
    outputs[i] = {results[i].data(), results[i].size()};
  }
  kiln_run_options_t runOptions = KILN_RUN_OPTIONS_INIT;
  runOptions.num_threads = options.threads;
  if (kiln_model_run_entry(model.get(), entry, inputs.data(), inputs.size(), outputs.data(), outputs.size(),
                           &runOptions) != KILN_OK)
    return failure(detail::runtimeError());
  if (options.runs != 0) {
    // Later runs write into copies, so the files hold the first run's outputs whatever the timed runs do.
    std::vector<std::vector<unsigned char>> scratchResults(results);
    std::vector<kiln_output_t> timedOutputs(outputs.size());
    for (size_t i = 0; i < outputs.size(); ++i)
      timedOutputs[i] = {scratchResults[i].data(), scratchResults[i].size()};
    std::vector<double> ms;
    for (size_t r = 0; r < options.runs; ++r) {
      auto start = std::chrono::steady_clock::now();
      if (kiln_model_run_entry(model.get(), entry, inputs.data(), inputs.size(), timedOutputs.data(),
                               timedOutputs.size(), &runOptions) != KILN_OK)
        return failure(detail::runtimeError());
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    double median = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    std::printf("time: median %.3f ms, fastest %.3f ms over %zu runs (%s)\n", median, ms.front(), ms.size(),
                options.threadsGiven ? ("--threads " + std::to_string(options.threads)).c_str()
                                     : "threads chosen by the runtime");
  }

  std::error_code ec;
  std::filesystem::create_directories(options.outputDir, ec);
  if (ec)
    return failure("cannot create output folder '" + options.outputDir + "': " + ec.message());

  std::set<std::string> usedStems;
  for (size_t i = 0; i < outputInfo.size(); ++i) {
    const kiln_tensor_info_t &info = outputInfo[i];
    // Distinct names can map to the same file name ("a/b", "a_b"): never let one output overwrite another.
    std::string stem = safeFileStem(info.name);
    while (!usedStems.insert(stem).second)
      stem += "_" + std::to_string(i);
    std::string path = options.outputDir == "." ? stem + ".npy"
                       : options.outputDir.back() == '/' ? options.outputDir + stem + ".npy"
                                                         : options.outputDir + "/" + stem + ".npy";
    std::vector<int64_t> shape(info.shape, info.shape + info.rank);
    std::string error;
    if (isPacked(info.dtype))
      results[i] = unpack(info, results[i]);
    if (!npy::writeFile(path, npy::descrFor(info.dtype), shape, results[i].data(), results[i].size(), error))
      return failure("output '" + printable(info.name) + "': " + error);
    std::printf("%s: %s %s -> %s\n", printable(info.name).c_str(),
                describeTensor(info.dtype, info.rank, info.shape).c_str(), statistics(info, results[i]).c_str(),
                path.c_str());
  }
  return 0;
}

} // namespace kiln::cli
