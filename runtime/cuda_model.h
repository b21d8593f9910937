// cuda_model.h: the CUDA side of a model (private to the runtime; not installed).
//
// A CUDA artifact (docs/artifact-format.md, "CUDA artifacts") is a CPU artifact whose entry points launch
// kernels, plus a manifest `device` object and the kernels' images. kiln_runtime.cpp reads and checks the
// rest of the artifact as for the CPU, then hands the device part to this file:
//   - parseDeviceSpec checks the manifest's `device` object (also for kiln_model_load_manifest, which opens
//     nothing else);
//   - CudaModel::load opens the driver, picks the device and the image for its architecture, loads the
//     module and its kernels and uploads the weights;
//   - CudaModel::run runs one call of an entry point: copies, the entry point's launches, synchronization.
// A CudaModel owns everything it creates on the device; nothing is global.
#ifndef KILN_RUNTIME_CUDA_MODEL_H
#define KILN_RUNTIME_CUDA_MODEL_H

#include "cuda_driver.h"
#include "kiln_runtime.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kiln_runtime {

// One entry of device.kernels.
struct KernelSpec {
  std::string name;
  uint32_t grid[3], block[3];
  uint32_t sharedBytes, params;
};

// One entry of device.images.
struct ImageSpec {
  std::string architecture; // "sm_90" (or "sm_90a": architecture-specific, runs on exactly sm_90)
  unsigned version;         // 90 for sm_90 and sm_90a: major * 10 + minor
  bool specific;            // the "a" suffix
  std::string format;       // "cubin" or "ptx"
  std::string path;         // DIR/file
};

// The manifest's `device` object; kind "cpu" and nothing else when it has none.
struct DeviceSpec {
  std::string kind = "cpu";
  std::vector<std::string> architectures;
  std::vector<KernelSpec> kernels;
  std::vector<ImageSpec> images;
};

// Checks |device| (the manifest's `device` value) as docs/artifact-format.md describes it and returns it;
// Failure(KILN_ERROR_BAD_MANIFEST) "MANIFEST: device...: what is wrong" otherwise. |folder| is where the
// images are.
DeviceSpec parseDeviceSpec(const nlohmann::json &device, const std::string &manifestPath, const std::string &folder);

// The index of the image a device of architecture |version| (major * 10 + minor) runs: the cubin of exactly
// that architecture, else the PTX of the newest architecture not above it. Failure(KILN_ERROR_LOAD) naming the
// device's architecture and the artifact's if there is none.
size_t chooseImage(const DeviceSpec &spec, unsigned version);

// One call of an entry point, as kiln_runtime.cpp checked it.
struct DeviceCall {
  std::string function;       // NAME_E_ctx, for messages
  int (*entry)(const kiln_context_t *, const void *const *, void *const *);
  std::vector<size_t> inputBytes, outputBytes;
  bool stateOutput;           // the last output is the training state: read as well as written
  const void *const *inputs;  // host buffers, or device addresses with deviceBuffers
  void *const *outputs;
  bool deviceBuffers;
  size_t scratchNeeded;       // the entry point's scratch_bytes
  CUdeviceptr callerScratch;  // with deviceBuffers: the caller's device scratch (0: lend one)
  size_t callerScratchBytes;
};

class CudaModel {
public:
  // Everything kiln_model_load does for the device: the driver (CudaDriver), the device (KILN_CUDA_DEVICE
  // or 0), its primary context, the image (chooseImage; read into memory and NUL-terminated), the module, every
  // kernel in manifest order, and one device allocation holding |weights| (|weightsBytes| bytes; null when the
  // artifact has none). Failures: KILN_ERROR_LOAD (no driver, no device, no image, the driver refused the
  // image), KILN_ERROR_NOT_FOUND / KILN_ERROR_IO (an image file missing / unreadable; a kernel the image lacks
  // is KILN_ERROR_NOT_FOUND), KILN_ERROR_OUT_OF_MEMORY (device memory).
  static std::unique_ptr<CudaModel> load(const DeviceSpec &spec, const void *weights, size_t weightsBytes);
  ~CudaModel();
  CudaModel(const CudaModel &) = delete;
  CudaModel &operator=(const CudaModel &) = delete;

  // Runs |call| on a stream and device buffers of its own (kept for later calls), synchronizes, and returns
  // the entry point's code. A CUDA error (a copy, a launch, the synchronization) is a Failure:
  // KILN_ERROR_EXECUTION naming the kernel and the error, or KILN_ERROR_OUT_OF_MEMORY when device memory for
  // the call's buffers ran out. Thread-safe.
  int run(const DeviceCall &call) const;

  int ordinal() const { return ordinal_; }
  const std::string &architecture() const { return architecture_; } // the device's, "sm_90"
  size_t image() const { return image_; }                            // the index of the image loaded

private:
  struct Slot; // a stream and one device buffer, for one call in flight
  class Slots;
  struct Launches;
  friend struct Launches;

  CudaModel() = default;
  void check(CUresult result, kiln_status_t status, const std::string &what) const;
  CUdeviceptr allocate(size_t bytes, const std::string &what) const;
  static int32_t launch(const kiln_device_t *device, void *stream, uint32_t kernel, uint32_t gridX,
                        uint32_t gridY, uint32_t gridZ, uint32_t blockX, uint32_t blockY, uint32_t blockZ,
                        uint32_t sharedBytes, void **args);

  std::unique_ptr<CudaDriver> driver_;
  DeviceSpec spec_;
  int ordinal_ = 0;
  CUdevice device_ = 0;
  std::string architecture_;
  size_t image_ = 0;
  CUcontext context_ = nullptr; // the device's primary context, retained
  CUmodule module_ = nullptr;
  std::vector<CUfunction> functions_; // manifest order
  CUdeviceptr weights_ = 0;
  size_t weightsBytes_ = 0;
  std::unique_ptr<Slots> slots_;
};

} // namespace kiln_runtime

#endif // KILN_RUNTIME_CUDA_MODEL_H
