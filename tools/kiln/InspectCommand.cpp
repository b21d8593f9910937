// InspectCommand.cpp: `kiln inspect`, which prints what an artifact's manifest says: the artifact, its
// external weights if any, for a CUDA artifact its device (architectures, images, kernels and their launch
// shapes), and each entry point with its inputs, outputs and scratch memory.
//
// By default the library is loaded (and the weights file mapped) too, so a successful inspect also proves
// the manifest, the .so and the weights belong together. --manifest-only skips that: for artifacts built for
// another machine, or not trusted (dlopen runs the library's initializers).
#include "tools/kiln/Commands.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace kiln::cli {
namespace {

using detail::describeTensor;
using detail::printable;

constexpr const char kUsage[] =
    "usage: kiln inspect ARTIFACT [--manifest-only]\n"
    "\n"
    "Prints an artifact's name, target and weights, for a CUDA artifact its architectures, images and\n"
    "kernels, and each entry point's inputs, outputs and scratch memory.\n"
    "\n"
    "  ARTIFACT          the artifact folder, its libNAME.so, or its NAME.json\n"
    "  --manifest-only   read only the manifest; do not load the library or check its signature (nor, for a\n"
    "                    CUDA artifact, load the CUDA driver: works without a GPU)\n"
    "  -h, --help        show this help\n";

struct ModelDeleter {
  void operator()(kiln_model_t *model) const { kiln_model_destroy(model); }
};

int failure(const std::string &message) {
  std::fprintf(stderr, "kiln inspect: error: %s\n", message.c_str());
  return 1;
}

// Prints an entry point's inputs or outputs as an aligned table: index, name, type, bytes.
bool printTensors(const kiln_model_t *model, size_t entry, size_t count, bool inputs) {
  std::vector<std::string> names, types;
  std::vector<size_t> bytes;
  for (size_t i = 0; i < count; ++i) {
    kiln_tensor_info_t info;
    kiln_status_t status = inputs ? kiln_model_entry_input_info(model, entry, i, &info)
                                  : kiln_model_entry_output_info(model, entry, i, &info);
    if (status != KILN_OK)
      return false;
    names.push_back(printable(info.name));
    types.push_back(describeTensor(info.dtype, info.rank, info.shape));
    bytes.push_back(info.bytes);
  }
  size_t nameWidth = 0, typeWidth = 0;
  for (size_t i = 0; i < count; ++i) {
    nameWidth = std::max(nameWidth, names[i].size());
    typeWidth = std::max(typeWidth, types[i].size());
  }
  std::printf("%s (%zu):\n", inputs ? "inputs" : "outputs", count);
  for (size_t i = 0; i < count; ++i)
    std::printf("  %zu  %-*s  %-*s  %zu bytes\n", i, static_cast<int>(nameWidth), names[i].c_str(),
                static_cast<int>(typeWidth), types[i].c_str(), bytes[i]);
  return true;
}

// "entry point:   run (symbol fake_run, scratch 64 bytes)", then its inputs and outputs.
bool printEntryPoint(const kiln_model_t *model, size_t entry) {
  kiln_entry_point_info_t info;
  if (kiln_model_entry_point_info(model, entry, &info) != KILN_OK)
    return false;
  std::printf("entry point:   %s (symbol %s, scratch %zu bytes)\n", info.name, info.symbol, info.scratch_bytes);
  return printTensors(model, entry, info.num_inputs, true) && printTensors(model, entry, info.num_outputs, false);
}

// "weights:       DIR/NAME.weights.bin (128 bytes, 2 tensors, mapped)", or where they are when embedded.
void printWeights(const kiln_model_t *model, const kiln_model_info_t &info) {
  if (!*info.weights_path)
    return void(std::printf("weights:       embedded in the library\n"));
  kiln_device_info_t device;
  bool onDevice = kiln_model_device_info(model, &device) == KILN_OK && *device.device_architecture;
  std::printf("weights:       %s (%zu bytes, %zu tensor%s, %s)\n", info.weights_path, info.weights_bytes,
              info.num_weights, info.num_weights == 1 ? "" : "s",
              !info.library_loaded ? "not opened: --manifest-only" : onDevice ? "mapped, uploaded to the device"
                                                                               : "mapped");
}

// The training state buffer (kiln compile --train): its size and each tensor's place in it.
bool printState(kiln_model_t *model) {
  size_t count = kiln_model_state_tensor_count(model);
  if (count == 0)
    return true;
  std::printf("state:         %zu bytes, %zu tensor%s (train_step updates it in place)\n",
              kiln_model_state_bytes(model), count, count == 1 ? "" : "s");
  for (size_t i = 0; i < count; ++i) {
    kiln_state_tensor_info_t t;
    if (kiln_model_state_tensor_info(model, i, &t) != KILN_OK)
      return false;
    std::printf("  %-24s %s at byte %zu\n", printable(t.tensor.name).c_str(),
                describeTensor(t.tensor.dtype, t.tensor.rank, t.tensor.shape).c_str(), t.offset);
  }
  return true;
}

// A CUDA artifact's device: "device: cuda (sm_80, sm_90)", where it was loaded, then its images and its
// kernels with their launch shapes. Nothing for a CPU artifact.
bool printDevice(const kiln_model_t *model) {
  kiln_device_info_t device;
  if (kiln_model_device_info(model, &device) != KILN_OK)
    return false;
  if (std::string(device.kind) == "cpu")
    return true;
  std::string architectures;
  for (size_t i = 0; i < device.num_architectures; ++i)
    architectures += (i ? ", " : "") + printable(device.architectures[i]);
  std::printf("device:        %s (architectures %s)\n", device.kind, architectures.c_str());
  if (*device.device_architecture)
    std::printf("loaded on:     CUDA device %d (%s)\n", device.device_ordinal, device.device_architecture);
  else
    std::printf("loaded on:     no device: --manifest-only\n");
  std::printf("images (%zu):\n", device.num_images);
  for (size_t i = 0; i < device.num_images; ++i) {
    kiln_image_info_t image;
    if (kiln_model_image_info(model, i, &image) != KILN_OK)
      return false;
    std::printf("  %-7s %-6s %s%s\n", printable(image.architecture).c_str(), image.format,
                printable(image.path).c_str(), image.loaded ? "  (loaded)" : "");
  }
  std::printf("kernels (%zu):\n", device.num_kernels);
  for (size_t i = 0; i < device.num_kernels; ++i) {
    kiln_kernel_info_t k;
    if (kiln_model_kernel_info(model, i, &k) != KILN_OK)
      return false;
    std::printf("  %zu  %s  grid [%u,%u,%u]  block [%u,%u,%u]  shared %u bytes  %u params\n", i,
                printable(k.name).c_str(), k.grid[0], k.grid[1], k.grid[2], k.block[0], k.block[1], k.block[2],
                k.shared_bytes, k.params);
  }
  return true;
}

} // namespace

int inspectCommand(int argc, char **argv) {
  std::string artifact;
  bool manifestOnly = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string problem;
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--manifest-only")
      manifestOnly = true;
    else if (!arg.empty() && arg[0] == '-' && arg != "-")
      problem = "unknown option '" + arg + "'";
    else if (!artifact.empty())
      problem = "unexpected argument '" + arg + "' (only one ARTIFACT)";
    else
      artifact = arg;
    if (!problem.empty()) {
      std::fprintf(stderr, "kiln inspect: %s\n%s", problem.c_str(), kUsage);
      return 2;
    }
  }
  if (artifact.empty()) {
    std::fprintf(stderr, "kiln inspect: missing ARTIFACT\n%s", kUsage);
    return 2;
  }

  kiln_model_t *raw = nullptr;
  kiln_status_t status = manifestOnly ? kiln_model_load_manifest(artifact.c_str(), &raw)
                                      : kiln_model_load(artifact.c_str(), &raw);
  if (status == KILN_ERROR_LOAD)
    return failure(detail::runtimeError() + " (--manifest-only reads the manifest alone)");
  if (status != KILN_OK)
    return failure(detail::runtimeError());
  std::unique_ptr<kiln_model_t, ModelDeleter> model(raw);
  kiln_model_info_t info;
  if (kiln_model_info(model.get(), &info) != KILN_OK)
    return failure(detail::runtimeError());

  std::string target = info.target_triple;
  if (*info.target_cpu)
    target += std::string(", cpu ") + info.target_cpu;
  if (*info.target_features)
    target += std::string(", features ") + info.target_features;
  std::printf("name:          %s\n", info.name);
  std::printf("source:        %s\n", *info.source ? printable(info.source).c_str() : "(not recorded)");
  std::printf("kiln version:  %s\n", *info.kiln_version ? printable(info.kiln_version).c_str() : "(not recorded)");
  std::printf("target:        %s\n", printable(target.c_str()).c_str());
  std::printf("signature:     %s\n", info.signature);
  std::printf("manifest:      %s\n", info.manifest_path);
  std::printf("library:       %s (%s)\n", info.library_path,
              info.library_loaded ? "loaded, signature matches" : "not loaded: --manifest-only");
  printWeights(model.get(), info);
  if (!printDevice(model.get()))
    return failure(detail::runtimeError());
  if (!printState(model.get()))
    return failure(detail::runtimeError());
  for (size_t entry = 0; entry < info.num_entry_points; ++entry)
    if (!printEntryPoint(model.get(), entry))
      return failure(detail::runtimeError());
  return 0;
}

} // namespace kiln::cli
