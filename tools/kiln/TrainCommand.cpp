// TrainCommand.cpp: `kiln train`, which trains a model compiled with `kiln compile --train` through the C
// runtime: kiln_model_init_state fills one state buffer (weights and optimizer state), then
// kiln_model_train_step updates it in place N times. --seed writes the state's dropout.seed in between.
//
// With --save it writes the ONNX model with the trained weights as its initializers (ONNX protobuf, the same
// library the frontend reads models with); the model is --model, else the `source_path` the manifest records.
//
// Inputs and the target are .npy files matching the train step's inputs exactly, or holding one more leading
// dimension: then step K uses batch K modulo that dimension.
#include "tools/kiln/Commands.h"
#include "tools/kiln/Npy.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

namespace kiln::cli {
namespace {

using detail::describeTensor;
using detail::printable;

constexpr const char kUsage[] =
    "usage: kiln train ARTIFACT --input NAME=FILE.npy [...] --target FILE.npy --steps N [--output-dir DIR]\n"
    "                  [--threads N] [--seed N] [--save OUT.onnx [--model MODEL.onnx]]\n"
    "\n"
    "Trains a model compiled with `kiln compile --train`: runs its init_state entry point once, then train_step\n"
    "N times, printing `step K loss X` for each step.\n"
    "\n"
    "  ARTIFACT                the artifact folder, its libNAME.so, or its NAME.json\n"
    "  -i, --input NAME=FILE   a model input; its shape exactly, or with one more leading dimension: one batch\n"
    "                          per step, in order, wrapping around\n"
    "  -t, --target FILE       the loss's target (class indices as int64 for cross_entropy), batched the same way\n"
    "  -n, --steps N           how many steps to run (default 1)\n"
    "  -o, --output-dir DIR    write the trained weights and optimizer state there, DIR/NAME.npy each\n"
    "  -j, --threads N         threads each step may use, counting the calling one (default: KILN_NUM_THREADS,\n"
    "                          else every CPU the process may use)\n"
    "  --seed N                the key of training-mode Dropout's masks (an unsigned 64-bit integer), written\n"
    "                          into the state's dropout.seed after init_state; default: the compile-time\n"
    "                          seed (kiln compile --seed, default 0)\n"
    "  --save OUT.onnx         write the model with its initializers replaced by the trained weights\n"
    "  --model MODEL.onnx      the model for --save (default: the model the artifact was compiled from, as its\n"
    "                          manifest records it)\n"
    "  -h, --help              show this help\n";

struct ModelDeleter {
  void operator()(kiln_model_t *model) const { kiln_model_destroy(model); }
};

int failure(const std::string &message) {
  std::fprintf(stderr, "kiln train: error: %s\n", message.c_str());
  return 1;
}

int usage(const std::string &message) {
  std::fprintf(stderr, "kiln train: %s\n%s", message.c_str(), kUsage);
  return 2;
}

struct Entry {
  size_t index = 0;
  std::vector<kiln_tensor_info_t> inputs, outputs;
};

bool lookup(kiln_model_t *model, const char *name, Entry &entry) {
  kiln_entry_point_info_t info;
  if (kiln_model_find_entry_point(model, name, &entry.index) != KILN_OK ||
      kiln_model_entry_point_info(model, entry.index, &info) != KILN_OK)
    return false;
  entry.inputs.resize(info.num_inputs);
  entry.outputs.resize(info.num_outputs);
  for (size_t i = 0; i < info.num_inputs; ++i)
    if (kiln_model_entry_input_info(model, entry.index, i, &entry.inputs[i]) != KILN_OK)
      return false;
  for (size_t i = 0; i < info.num_outputs; ++i)
    if (kiln_model_entry_output_info(model, entry.index, i, &entry.outputs[i]) != KILN_OK)
      return false;
  return true;
}

// A .npy for one train_step input: the tensor itself (batches = 0) or a stack of them.
struct Feed {
  npy::Array array;
  size_t batches = 0;
  size_t bytes = 0;
  const void *batch(size_t step) const {
    return array.data.data() + (batches ? (step % batches) * bytes : 0);
  }
};

std::string loadFeed(const std::string &file, const kiln_tensor_info_t &info, Feed &feed) {
  std::string error;
  if (!npy::readFile(file, feed.array, error))
    return "'" + printable(info.name) + "': " + error;
  const std::vector<int64_t> &shape = feed.array.shape;
  std::vector<int64_t> expected(info.shape, info.shape + info.rank);
  bool exact = shape == expected;
  bool stacked = shape.size() == expected.size() + 1 && shape[0] > 0 &&
                 std::vector<int64_t>(shape.begin() + 1, shape.end()) == expected;
  if (!npy::descrMatches(feed.array.descr, info.dtype) || (!exact && !stacked))
    return "'" + printable(info.name) + "': " + file + " holds " + npy::describeDescr(feed.array.descr) +
           " of another shape; expected " + describeTensor(info.dtype, info.rank, info.shape) +
           ", or a stack of them";
  feed.bytes = info.bytes;
  feed.batches = exact ? 0 : static_cast<size_t>(shape[0]);
  return "";
}

// The model the artifact was compiled from, as its manifest's `source_path` records it; "" if it does not.
std::string recordedModelPath(kiln_model_t *model) {
  kiln_model_info_t info;
  if (kiln_model_info(model, &info) != KILN_OK)
    return "";
  std::ifstream in(info.manifest_path);
  try {
    nlohmann::json doc = nlohmann::json::parse(in);
    auto path = doc.find("source_path");
    return path != doc.end() && path->is_string() ? path->get<std::string>() : "";
  } catch (const nlohmann::json::exception &) {
    return "";
  }
}

float lossValue(const kiln_tensor_info_t &info, const std::vector<unsigned char> &data) {
  if (info.dtype == KILN_DTYPE_F64) {
    double d;
    std::memcpy(&d, data.data(), sizeof d);
    return static_cast<float>(d);
  }
  float f;
  std::memcpy(&f, data.data(), sizeof f);
  return f;
}

// The ONNX model at |modelPath| with each initializer named in |trained| replaced by its trained value (same
// dtype and shape, checked), written to |outPath|. Returns "" or an error.
std::string saveTrainedModel(
    const std::string &modelPath, const std::string &outPath,
    const std::map<std::string, std::pair<const kiln_tensor_info_t *, const std::vector<unsigned char> *>> &trained) {
  onnx::ModelProto model;
  {
    std::ifstream in(modelPath, std::ios::binary);
    if (!in || !model.ParseFromIstream(&in))
      return "cannot read the ONNX model '" + modelPath + "'";
  }
  size_t replaced = 0;
  for (onnx::TensorProto &init : *model.mutable_graph()->mutable_initializer()) {
    auto it = trained.find(init.name());
    if (it == trained.end())
      continue;
    const kiln_tensor_info_t &info = *it->second.first;
    bool sameType = (init.data_type() == onnx::TensorProto::FLOAT && info.dtype == KILN_DTYPE_F32) ||
                    (init.data_type() == onnx::TensorProto::DOUBLE && info.dtype == KILN_DTYPE_F64);
    bool sameShape = static_cast<size_t>(init.dims_size()) == info.rank;
    for (size_t d = 0; sameShape && d < info.rank; ++d)
      sameShape = init.dims(static_cast<int>(d)) == info.shape[d];
    if (!sameType || !sameShape)
      return "initializer '" + printable(info.name) + "' of " + modelPath +
             " does not match the artifact's weight " + describeTensor(info.dtype, info.rank, info.shape) +
             ": is this the model the artifact was compiled from?";
    // Raw little-endian bytes, as the runtime holds them; nothing external any more.
    init.clear_float_data();
    init.clear_double_data();
    init.clear_external_data();
    init.set_data_location(onnx::TensorProto::DEFAULT);
    const std::vector<unsigned char> &bytes = *it->second.second;
    init.set_raw_data(bytes.data(), bytes.size());
    ++replaced;
  }
  if (replaced == 0)
    return "no initializer of " + modelPath + " is a trained weight: is this the model the artifact was "
           "compiled from?";
  std::ofstream out(outPath, std::ios::binary | std::ios::trunc);
  if (!out || !model.SerializeToOstream(&out))
    return "cannot write '" + outPath + "'";
  return "";
}

} // namespace

int trainCommand(int argc, char **argv) {
  std::string artifact, targetFile, outputDir, savePath, modelPath;
  std::map<std::string, std::string> inputFiles;
  long steps = 1;
  size_t threads = 0; // 0: the runtime chooses
  std::optional<uint64_t> seed; // none: the compile-time one
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg.empty() || arg[0] != '-') {
      if (!artifact.empty())
        return usage("unexpected argument '" + arg + "' (only one ARTIFACT)");
      artifact = arg;
      continue;
    }
    std::string flag = arg, value;
    size_t equals = arg.find('=');
    bool inlineValue = arg.compare(0, 2, "--") == 0 && equals != std::string::npos;
    if (inlineValue) {
      flag = arg.substr(0, equals);
      value = arg.substr(equals + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return usage("option '" + flag + "' needs a value");
    }
    if (flag == "--input" || flag == "-i") {
      size_t eq = value.find('=');
      if (eq == std::string::npos || eq == 0)
        return usage("--input '" + value + "' needs the form NAME=FILE");
      inputFiles[value.substr(0, eq)] = value.substr(eq + 1);
    } else if (flag == "--target" || flag == "-t") {
      targetFile = value;
    } else if (flag == "--steps" || flag == "-n") {
      char *end = nullptr;
      steps = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end || steps < 0)
        return usage("--steps expects a non-negative count, got '" + value + "'");
    } else if (flag == "--threads" || flag == "-j") {
      char *end = nullptr;
      long n = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end || n < 1)
        return usage("--threads expects a positive count, got '" + value + "'");
      threads = static_cast<size_t>(n);
    } else if (flag == "--seed") {
      char *end = nullptr;
      errno = 0;
      unsigned long long n = std::strtoull(value.c_str(), &end, 10);
      if (value.empty() || !std::isdigit(static_cast<unsigned char>(value[0])) || *end || errno == ERANGE)
        return usage("--seed expects an unsigned 64-bit integer, got '" + value + "'");
      seed = static_cast<uint64_t>(n);
    } else if (flag == "--output-dir" || flag == "-o") {
      outputDir = value;
    } else if (flag == "--save") {
      savePath = value;
    } else if (flag == "--model") {
      modelPath = value;
    } else {
      return usage("unknown option '" + arg + "'");
    }
  }
  if (artifact.empty())
    return usage("missing ARTIFACT");
  if (targetFile.empty())
    return usage("missing --target FILE");

  kiln_model_t *raw = nullptr;
  if (kiln_model_load(artifact.c_str(), &raw) != KILN_OK)
    return failure(detail::runtimeError());
  std::unique_ptr<kiln_model_t, ModelDeleter> model(raw);
  Entry step;
  size_t stateBytes = kiln_model_state_bytes(model.get());
  if (!lookup(model.get(), "train_step", step))
    return failure(detail::runtimeError() + " (compile the model with kiln compile --train)");
  if (stateBytes == 0)
    return failure("the artifact has no training state (compile the model with kiln compile --train)");
  if (!savePath.empty() && modelPath.empty()) {
    modelPath = recordedModelPath(model.get());
    if (modelPath.empty())
      return usage("--save needs --model MODEL.onnx: the artifact does not record the model it was compiled "
                   "from");
  }
  kiln_run_options_t options = KILN_RUN_OPTIONS_INIT;
  options.num_threads = threads;

  // The state: one buffer, filled once, updated in place by every step.
  std::vector<unsigned char> state(stateBytes);
  if (kiln_model_init_state(model.get(), state.data(), state.size(), &options) != KILN_OK)
    return failure(detail::runtimeError());
  std::vector<kiln_state_tensor_info_t> layout(kiln_model_state_tensor_count(model.get()));
  for (size_t i = 0; i < layout.size(); ++i)
    if (kiln_model_state_tensor_info(model.get(), i, &layout[i]) != KILN_OK)
      return failure(detail::runtimeError());
  if (seed) {
    size_t index;
    if (kiln_model_find_state_tensor(model.get(), "dropout.seed", &index) != KILN_OK)
      return failure("--seed: the model has no training-mode Dropout (no dropout.seed in its state)");
    // The seed's bits as the state's int64.
    std::memcpy(state.data() + layout[index].offset, &*seed, sizeof(uint64_t));
  }

  // Each train_step input is the target or a model input.
  std::vector<Feed> feeds(step.inputs.size());
  for (size_t i = 0; i < step.inputs.size(); ++i) {
    const kiln_tensor_info_t &info = step.inputs[i];
    std::string name = info.name, error;
    if (name == "target") {
      error = loadFeed(targetFile, info, feeds[i]);
    } else if (inputFiles.count(name)) {
      error = loadFeed(inputFiles[name], info, feeds[i]);
      inputFiles.erase(name);
    } else {
      error = "missing --input for '" + printable(info.name) + "' (" +
              describeTensor(info.dtype, info.rank, info.shape) + ")";
    }
    if (!error.empty())
      return failure(error);
  }
  if (!inputFiles.empty())
    return failure("the model has no input '" + printable(inputFiles.begin()->first.c_str()) + "'");

  // Every output of train_step but the last, the state.
  std::vector<std::vector<unsigned char>> results(step.outputs.size() - 1);
  std::vector<kiln_output_t> outputs(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    results[i].resize(step.outputs[i].bytes);
    outputs[i] = {results[i].data(), results[i].size()};
  }
  std::vector<kiln_input_t> inputs(step.inputs.size());
  for (long k = 0; k < steps; ++k) {
    for (size_t i = 0; i < inputs.size(); ++i)
      inputs[i] = {feeds[i].batch(static_cast<size_t>(k)), feeds[i].bytes};
    if (kiln_model_train_step(model.get(), state.data(), state.size(), inputs.data(), inputs.size(),
                              outputs.data(), outputs.size(), &options) != KILN_OK)
      return failure(detail::runtimeError());
    for (size_t i = 0; i < results.size(); ++i)
      if (std::string(step.outputs[i].name) == "loss")
        std::printf("step %ld loss %.9g\n", k + 1, lossValue(step.outputs[i], results[i]));
  }
  auto bytesOf = [&](const kiln_state_tensor_info_t &t) {
    return std::vector<unsigned char>(state.begin() + t.offset, state.begin() + t.offset + t.tensor.bytes);
  };

  if (!savePath.empty()) {
    std::vector<std::vector<unsigned char>> values;
    values.reserve(layout.size());
    std::map<std::string, std::pair<const kiln_tensor_info_t *, const std::vector<unsigned char> *>> trained;
    for (const kiln_state_tensor_info_t &t : layout) {
      values.push_back(bytesOf(t));
      trained[t.tensor.name] = {&t.tensor, &values.back()};
    }
    std::string error = saveTrainedModel(modelPath, savePath, trained);
    if (!error.empty())
      return failure(error);
  }

  if (!outputDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(outputDir, ec);
    if (ec)
      return failure("cannot create output folder '" + outputDir + "': " + ec.message());
    for (const kiln_state_tensor_info_t &t : layout) {
      const kiln_tensor_info_t &info = t.tensor;
      // Same escaping as kiln run's outputs.
      std::string stem;
      for (const char *p = info.name; *p; ++p)
        stem += (std::isalnum(static_cast<unsigned char>(*p)) || *p == '_' || *p == '.' || *p == '-') ? *p : '_';
      if (stem.empty() || stem[0] == '.')
        stem = "_" + stem;
      std::string error;
      std::vector<unsigned char> data = bytesOf(t);
      if (!npy::writeFile(outputDir + "/" + stem + ".npy", npy::descrFor(info.dtype),
                          std::vector<int64_t>(info.shape, info.shape + info.rank), data.data(), data.size(),
                          error))
        return failure("'" + printable(info.name) + "': " + error);
    }
  }
  return 0;
}

} // namespace kiln::cli
