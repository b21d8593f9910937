// cuda_model.cpp: CUDA artifacts: the manifest's `device` object, loading the kernels onto a GPU, and
// running entry points there (see cuda_model.h).
#include "cuda_model.h"

#include "runtime_internal.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <system_error>

namespace kiln_runtime {
namespace {

using Json = nlohmann::json;

// The device buffers of one call are carved out of one allocation at offsets of this many bytes (what
// cuMemAlloc guarantees for the allocation itself), so each is aligned for every element type and the scratch
// buffer for KILN_SCRATCH_ALIGNMENT.
constexpr size_t kDeviceAlignment = 256;
static_assert(kDeviceAlignment % KILN_SCRATCH_ALIGNMENT == 0, "scratch carved from a call's buffer is aligned");

size_t alignUp(size_t bytes) { return (bytes + kDeviceAlignment - 1) / kDeviceAlignment * kDeviceAlignment; }

std::string listed(const std::vector<std::string> &items) {
  std::string s;
  for (const std::string &item : items)
    s += (s.empty() ? "" : ", ") + item;
  return s;
}

// Parsing `device` ------------------------------------------------------------------------------------------

struct DeviceReader {
  const std::string &path;

  [[noreturn]] void bad(const std::string &what) const { fail(KILN_ERROR_BAD_MANIFEST, path + ": " + what); }

  const Json &get(const Json &object, const char *key, const std::string &field) const {
    auto it = object.find(key);
    if (it == object.end())
      bad("missing field '" + field + "'");
    return *it;
  }
  std::string string(const Json &object, const char *key, const std::string &field) const {
    const Json &value = get(object, key, field);
    if (!value.is_string())
      bad("field '" + field + "' must be a string");
    return value.get<std::string>();
  }
  const Json &array(const Json &object, const char *key, const std::string &field) const {
    const Json &value = get(object, key, field);
    if (!value.is_array())
      bad("field '" + field + "' must be an array");
    return value;
  }
  uint32_t count(const Json &value, const std::string &field, bool positive) const {
    if (!value.is_number_unsigned() || value.get<uint64_t>() > UINT32_MAX)
      bad("field '" + field + "' must be a non-negative integer below 2^32");
    if (positive && value.get<uint64_t>() == 0)
      bad("field '" + field + "' is 0; launch dimensions must be positive");
    return static_cast<uint32_t>(value.get<uint64_t>());
  }

  // "sm_90" -> 90; "sm_90a" -> 90, specific. Anything else is refused.
  void architecture(const std::string &arch, const std::string &field, unsigned &version, bool &specific) const {
    size_t end = arch.size() - (!arch.empty() && arch.back() == 'a' ? 1 : 0);
    std::string digits = arch.compare(0, 3, "sm_") == 0 ? arch.substr(3, end - 3) : "";
    bool ok = digits.size() >= 2 && digits.size() <= 4 && digits[0] != '0' &&
              digits.find_first_not_of("0123456789") == std::string::npos;
    if (!ok)
      bad("field '" + field + "' is " + quote(arch) + ", not a CUDA architecture like 'sm_90'");
    version = static_cast<unsigned>(std::stoul(digits));
    specific = end != arch.size();
  }

  void dims(const Json &kernel, const char *key, const std::string &where, uint32_t out[3]) const {
    std::string field = where + "." + key;
    const Json &list = array(kernel, key, field);
    if (list.size() != 3)
      bad("field '" + field + "' must have 3 entries (x, y, z), not " + std::to_string(list.size()));
    for (size_t i = 0; i < 3; ++i)
      out[i] = count(list[i], field + "[" + std::to_string(i) + "]", true);
  }

  KernelSpec kernel(const Json &object, const std::string &where) const {
    if (!object.is_object())
      bad(where + " must be an object");
    KernelSpec k;
    k.name = string(object, "name", where + ".name");
    if (k.name.empty() || k.name.find('\0') != std::string::npos)
      bad("field '" + where + ".name' is empty or contains a NUL character");
    dims(object, "grid", where, k.grid);
    dims(object, "block", where, k.block);
    k.sharedBytes = count(get(object, "shared_bytes", where + ".shared_bytes"), where + ".shared_bytes", false);
    k.params = count(get(object, "params", where + ".params"), where + ".params", false);
    return k;
  }

  ImageSpec image(const Json &object, const std::string &where, const std::string &folder) const {
    if (!object.is_object())
      bad(where + " must be an object");
    ImageSpec image;
    image.architecture = string(object, "architecture", where + ".architecture");
    architecture(image.architecture, where + ".architecture", image.version, image.specific);
    image.format = string(object, "format", where + ".format");
    if (image.format != "cubin" && image.format != "ptx")
      bad("field '" + where + ".format' is " + quote(image.format) + ", expected 'cubin' or 'ptx'");
    std::string file = string(object, "file", where + ".file");
    // As for `files`: a manifest may come from an untrusted source and must not make the runtime read
    // anything outside the artifact folder.
    if (file.empty() || file == "." || file == ".." || file.find_first_of(std::string("/\\\0", 3)) != std::string::npos)
      bad(where + ".file " + quote(file) + " is not a plain file name inside the artifact folder");
    image.path = folder + (folder.empty() || folder.back() == '/' ? "" : "/") + file;
    return image;
  }
};

// Loading ---------------------------------------------------------------------------------------------------

// The image file's bytes and a NUL after them: PTX must be a C string; a cubin's ELF header gives its size,
// so the NUL costs it nothing.
std::vector<char> readImage(const ImageSpec &image) {
  std::string label = "image file " + quote(image.path) + " (" + image.architecture + " " + image.format + ")";
  std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(image.path.c_str(), "rb"), &std::fclose);
  if (!file) {
    int err = errno;
    fail(err == ENOENT || err == ENOTDIR ? KILN_ERROR_NOT_FOUND : KILN_ERROR_IO,
         label + ": " + std::generic_category().message(err));
  }
  std::vector<char> bytes;
  char buffer[65536];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, file.get()))
    bytes.insert(bytes.end(), buffer, buffer + n);
  if (std::ferror(file.get()))
    fail(KILN_ERROR_IO, "cannot read " + label);
  if (bytes.empty())
    fail(KILN_ERROR_LOAD, label + " is empty");
  bytes.push_back('\0');
  return bytes;
}

// The device KILN_CUDA_DEVICE names, else 0.
int deviceOrdinal(int count) {
  const char *env = std::getenv("KILN_CUDA_DEVICE");
  if (!env || !*env)
    return 0;
  char *end = nullptr;
  errno = 0;
  long ordinal = std::strtol(env, &end, 10);
  if (*end != '\0' || errno != 0 || ordinal < 0 || ordinal >= count)
    fail(KILN_ERROR_LOAD, "KILN_CUDA_DEVICE is " + quote(env) + ", not a device index below " +
                              std::to_string(count) + " (the number of CUDA devices)");
  return static_cast<int>(ordinal);
}

} // namespace

DeviceSpec parseDeviceSpec(const Json &device, const std::string &manifestPath, const std::string &folder) {
  DeviceReader r{manifestPath};
  if (!device.is_object())
    r.bad("field 'device' must be an object");
  DeviceSpec spec;
  spec.kind = r.string(device, "kind", "device.kind");
  if (spec.kind != "cuda")
    r.bad("device.kind " + quote(spec.kind) + " is not supported (this runtime runs 'cuda' devices; an artifact "
                                              "for the CPU has no 'device')");
  const Json &architectures = r.array(device, "architectures", "device.architectures");
  if (architectures.empty())
    r.bad("field 'device.architectures' is empty");
  for (size_t i = 0; i < architectures.size(); ++i) {
    std::string field = "device.architectures[" + std::to_string(i) + "]";
    if (!architectures[i].is_string())
      r.bad("field '" + field + "' must be a string");
    unsigned version;
    bool specific;
    r.architecture(architectures[i].get<std::string>(), field, version, specific);
    spec.architectures.push_back(architectures[i].get<std::string>());
  }
  const Json &kernels = r.array(device, "kernels", "device.kernels");
  std::set<std::string> names;
  for (size_t i = 0; i < kernels.size(); ++i) {
    spec.kernels.push_back(r.kernel(kernels[i], "device.kernels[" + std::to_string(i) + "]"));
    if (!names.insert(spec.kernels.back().name).second)
      r.bad("device.kernels has two kernels named " + quote(spec.kernels.back().name));
  }
  const Json &images = r.array(device, "images", "device.images");
  if (images.empty())
    r.bad("field 'device.images' is empty; a CUDA artifact needs at least one image");
  for (size_t i = 0; i < images.size(); ++i)
    spec.images.push_back(r.image(images[i], "device.images[" + std::to_string(i) + "]", folder));
  return spec;
}

size_t chooseImage(const DeviceSpec &spec, unsigned version) {
  for (size_t i = 0; i < spec.images.size(); ++i)
    if (spec.images[i].format == "cubin" && spec.images[i].version == version)
      return i;
  // A cubin runs on later GPUs of its major version (sm_80's on sm_86): the newest such, before any PTX,
  // which the driver would have to compile.
  size_t best = SIZE_MAX;
  for (size_t i = 0; i < spec.images.size(); ++i) {
    const ImageSpec &image = spec.images[i];
    if (image.format == "cubin" && !image.specific && image.version / 10 == version / 10 &&
        image.version < version && (best == SIZE_MAX || image.version > spec.images[best].version))
      best = i;
  }
  if (best != SIZE_MAX)
    return best;
  for (size_t i = 0; i < spec.images.size(); ++i) {
    const ImageSpec &image = spec.images[i];
    // Architecture-specific PTX (sm_90a) runs on exactly its architecture; plain PTX on newer ones too.
    bool runs = image.specific ? image.version == version : image.version <= version;
    if (image.format == "ptx" && runs && (best == SIZE_MAX || image.version > spec.images[best].version))
      best = i;
  }
  if (best != SIZE_MAX)
    return best;
  std::vector<std::string> images;
  for (const ImageSpec &image : spec.images)
    images.push_back(image.architecture + " " + image.format);
  fail(KILN_ERROR_LOAD, "no image for this GPU's architecture sm_" + std::to_string(version) +
                            ": the artifact has " + listed(images) +
                            " (a cubin runs on its architecture and later ones of the same major version, PTX on "
                            "newer ones too); compile it "
                            "again with --gpu sm_" + std::to_string(version));
}

// The model's context, current on the calling thread for the guard's lifetime (each call may come from
// another thread).
class CurrentContext {
public:
  CurrentContext(const CudaDriver &driver, CUcontext context, kiln_status_t status) : driver_(driver) {
    CUresult result = driver.cuCtxPushCurrent_v2(context);
    if (result != kCudaSuccess)
      fail(status, "cuCtxPushCurrent failed: " + driver.errorName(result));
  }
  ~CurrentContext() {
    CUcontext popped;
    driver_.cuCtxPopCurrent_v2(&popped);
  }
  CurrentContext(const CurrentContext &) = delete;
  CurrentContext &operator=(const CurrentContext &) = delete;

private:
  const CudaDriver &driver_;
};

struct CudaModel::Slot {
  CUstream stream = nullptr;
  CUdeviceptr buffer = 0;
  size_t capacity = 0;
};

// The streams and device buffers of the calls in flight, as ScratchBuffers in kiln_runtime.cpp keeps host
// scratch: a call takes an idle slot (or a new one) and gives it back, so calls allocate nothing after the
// first and concurrent calls never share a stream or a buffer.
class CudaModel::Slots {
public:
  Slot take(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.empty())
      return {};
    size_t pick = idle_.size() - 1;
    for (size_t i = 0; i < idle_.size(); ++i)
      if (idle_[i].capacity >= bytes)
        pick = i;
    Slot slot = idle_[pick];
    idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(pick));
    return slot;
  }
  void give(const Slot &slot) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(slot);
  }
  std::vector<Slot> &all() { return idle_; } // only once no call is in flight

private:
  std::mutex mutex_;
  std::vector<Slot> idle_;
};

// What the launch callback of one call sees (kiln_device_t.user).
struct CudaModel::Launches {
  const CudaModel *model;
  size_t launched = 0;
  uint32_t last = 0;          // the last kernel queued
  bool failed = false;
  uint32_t failedKernel = 0;  // the kernel that could not be queued
  CUresult failure = kCudaSuccess;
};

void CudaModel::check(CUresult result, kiln_status_t status, const std::string &what) const {
  if (result != kCudaSuccess)
    fail(result == kCudaErrorOutOfMemory ? KILN_ERROR_OUT_OF_MEMORY : status,
         what + ": " + driver_->errorName(result));
}

CUdeviceptr CudaModel::allocate(size_t bytes, const std::string &what) const {
  CUdeviceptr address = 0;
  CUresult result = driver_->cuMemAlloc_v2(&address, bytes);
  if (result != kCudaSuccess)
    fail(result == kCudaErrorOutOfMemory ? KILN_ERROR_OUT_OF_MEMORY : KILN_ERROR_EXECUTION,
         "could not allocate " + std::to_string(bytes) + " bytes of device memory on device " +
             std::to_string(ordinal_) + " (" + architecture_ + ") for " + what + ": " + driver_->errorName(result));
  return address;
}

std::unique_ptr<CudaModel> CudaModel::load(const DeviceSpec &spec, const void *weights, size_t weightsBytes) {
  std::unique_ptr<CudaModel> m(new CudaModel);
  m->spec_ = spec;
  m->slots_ = std::make_unique<Slots>();
  m->driver_ = std::make_unique<CudaDriver>();
  const CudaDriver &d = *m->driver_;
  std::string driverName = "the CUDA driver " + quote(d.path());
  m->check(d.cuInit(0), KILN_ERROR_LOAD, driverName + " could not initialize (cuInit)");
  int count = 0;
  m->check(d.cuDeviceGetCount(&count), KILN_ERROR_LOAD, "cuDeviceGetCount failed");
  if (count <= 0)
    fail(KILN_ERROR_LOAD, driverName + " found no CUDA device");
  m->ordinal_ = deviceOrdinal(count);
  m->check(d.cuDeviceGet(&m->device_, m->ordinal_), KILN_ERROR_LOAD,
           "cuDeviceGet(" + std::to_string(m->ordinal_) + ") failed");
  int major = 0, minor = 0;
  m->check(d.cuDeviceGetAttribute(&major, kCudaAttributeComputeCapabilityMajor, m->device_), KILN_ERROR_LOAD,
           "cannot read device " + std::to_string(m->ordinal_) + "'s compute capability");
  m->check(d.cuDeviceGetAttribute(&minor, kCudaAttributeComputeCapabilityMinor, m->device_), KILN_ERROR_LOAD,
           "cannot read device " + std::to_string(m->ordinal_) + "'s compute capability");
  unsigned version = static_cast<unsigned>(major * 10 + minor);
  m->architecture_ = "sm_" + std::to_string(version);
  m->image_ = chooseImage(spec, version);
  const ImageSpec &image = spec.images[m->image_];
  std::vector<char> bytes = readImage(image);

  m->check(d.cuDevicePrimaryCtxRetain(&m->context_, m->device_), KILN_ERROR_LOAD,
           "cannot use device " + std::to_string(m->ordinal_) + " (cuDevicePrimaryCtxRetain)");
  CurrentContext current(d, m->context_, KILN_ERROR_LOAD);
  m->check(d.cuModuleLoadData(&m->module_, bytes.data()), KILN_ERROR_LOAD,
           "the CUDA driver refused image " + quote(image.path) + " (" + image.architecture + " " + image.format +
               ") for device " + std::to_string(m->ordinal_) + " (" + m->architecture_ + ")");
  for (size_t i = 0; i < spec.kernels.size(); ++i) {
    CUfunction function = nullptr;
    CUresult result = d.cuModuleGetFunction(&function, m->module_, spec.kernels[i].name.c_str());
    if (result != kCudaSuccess)
      fail(KILN_ERROR_NOT_FOUND, "image " + quote(image.path) + " has no kernel " + quote(spec.kernels[i].name) +
                                     " (device.kernels[" + std::to_string(i) + "]): " + d.errorName(result));
    m->functions_.push_back(function);
  }
  if (weights) {
    // Uploaded once; every call's ctx->weights points here. A zero-byte weights file still gets a real
    // (non-NULL) device address, since NULL means "none given".
    m->weights_ = m->allocate(weightsBytes ? weightsBytes : kDeviceAlignment, "the weights");
    m->weightsBytes_ = weightsBytes;
    if (weightsBytes) {
      m->check(d.cuMemcpyHtoDAsync_v2(m->weights_, weights, weightsBytes, nullptr), KILN_ERROR_LOAD,
               "uploading the weights failed");
      m->check(d.cuStreamSynchronize(nullptr), KILN_ERROR_LOAD, "uploading the weights failed");
    }
  }
  return m;
}

CudaModel::~CudaModel() {
  if (!context_)
    return;
  const CudaDriver &d = *driver_;
  if (d.cuCtxPushCurrent_v2(context_) == kCudaSuccess) {
    for (const Slot &slot : slots_->all()) {
      if (slot.buffer)
        d.cuMemFree_v2(slot.buffer);
      if (slot.stream)
        d.cuStreamDestroy_v2(slot.stream);
    }
    if (weights_)
      d.cuMemFree_v2(weights_);
    if (module_)
      d.cuModuleUnload(module_);
    CUcontext popped;
    d.cuCtxPopCurrent_v2(&popped);
  }
  d.cuDevicePrimaryCtxRelease_v2(device_);
}

int32_t CudaModel::launch(const kiln_device_t *device, void *stream, uint32_t kernel, uint32_t gridX,
                          uint32_t gridY, uint32_t gridZ, uint32_t blockX, uint32_t blockY, uint32_t blockZ,
                          uint32_t sharedBytes, void **args) {
  auto *call = static_cast<Launches *>(device->user);
  const CudaModel &m = *call->model;
  CUresult result = kCudaErrorInvalidValue;
  if (kernel < m.functions_.size())
    result = m.driver_->cuLaunchKernel(m.functions_[kernel], gridX, gridY, gridZ, blockX, blockY, blockZ,
                                       sharedBytes, static_cast<CUstream>(stream), args, nullptr);
  if (result != kCudaSuccess) {
    call->failed = true;
    call->failedKernel = kernel;
    call->failure = result;
    return 1;
  }
  call->last = kernel;
  ++call->launched;
  return 0;
}

int CudaModel::run(const DeviceCall &call) const {
  const CudaDriver &d = *driver_;
  CurrentContext current(d, context_, KILN_ERROR_EXECUTION);
  // The slot goes back on every path, after its stream has finished with its buffers.
  struct Lease {
    const CudaModel &model;
    Slot slot;
    bool pending = false; // work may be queued on slot.stream
    ~Lease() {
      if (pending)
        model.driver_->cuStreamSynchronize(slot.stream);
      model.slots_->give(slot);
    }
  };

  // Where each buffer lives in the call's device allocation.
  size_t need = 0;
  auto place = [&](size_t bytes) {
    size_t at = need;
    need += alignUp(bytes);
    return at;
  };
  std::vector<size_t> inputAt, outputAt;
  if (!call.deviceBuffers) {
    for (size_t bytes : call.inputBytes)
      inputAt.push_back(place(bytes));
    for (size_t bytes : call.outputBytes)
      outputAt.push_back(place(bytes));
  }
  bool lendScratch = call.scratchNeeded != 0 && !call.callerScratch;
  size_t scratchAt = lendScratch ? place(call.scratchNeeded) : 0;

  Lease lease{*this, slots_->take(need)};
  Slot &slot = lease.slot;
  if (!slot.stream)
    check(d.cuStreamCreate(&slot.stream, kCudaStreamNonBlocking), KILN_ERROR_EXECUTION, "cuStreamCreate failed");
  if (need > slot.capacity) {
    if (slot.buffer)
      check(d.cuMemFree_v2(slot.buffer), KILN_ERROR_EXECUTION, "cuMemFree failed");
    slot.buffer = 0;
    slot.capacity = 0;
    slot.buffer = allocate(need, "the inputs, outputs and scratch memory of one call");
    slot.capacity = need;
  }

  std::vector<const void *> in(call.inputBytes.size());
  std::vector<void *> out(call.outputBytes.size());
  auto device = [&](size_t at, size_t bytes) {
    return bytes ? reinterpret_cast<void *>(static_cast<uintptr_t>(slot.buffer + at)) : nullptr;
  };
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = call.deviceBuffers ? call.inputs[i] : device(inputAt[i], call.inputBytes[i]);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = call.deviceBuffers ? call.outputs[i] : device(outputAt[i], call.outputBytes[i]);

  lease.pending = true;
  if (!call.deviceBuffers) {
    for (size_t i = 0; i < in.size(); ++i)
      if (call.inputBytes[i])
        check(d.cuMemcpyHtoDAsync_v2(reinterpret_cast<uintptr_t>(in[i]), call.inputs[i], call.inputBytes[i],
                                     slot.stream),
              KILN_ERROR_EXECUTION, "copying input " + std::to_string(i) + " to the device failed");
    // The training state is updated in place: the code reads it too.
    size_t last = out.size() - 1;
    if (call.stateOutput && call.outputBytes[last])
      check(d.cuMemcpyHtoDAsync_v2(reinterpret_cast<uintptr_t>(out[last]), call.outputs[last],
                                   call.outputBytes[last], slot.stream),
            KILN_ERROR_EXECUTION, "copying the state buffer to the device failed");
  }

  Launches launches{this};
  kiln_device_t dev{};
  dev.struct_size = sizeof dev;
  dev.launch = &CudaModel::launch;
  dev.user = &launches;
  kiln_context_t ctx;
  std::memset(&ctx, 0, sizeof ctx);
  ctx.abi_version = KILN_ABI_VERSION;
  ctx.struct_size = sizeof ctx;
  CUdeviceptr scratch = lendScratch ? slot.buffer + scratchAt : call.callerScratch;
  ctx.scratch = reinterpret_cast<void *>(static_cast<uintptr_t>(scratch));
  ctx.scratch_bytes = lendScratch ? call.scratchNeeded : call.callerScratch ? call.callerScratchBytes : 0;
  ctx.weights = reinterpret_cast<const void *>(static_cast<uintptr_t>(weights_));
  ctx.weights_bytes = weightsBytes_;
  ctx.device = &dev;
  ctx.stream = slot.stream;
  int code = call.entry(&ctx, in.data(), out.data());

  if (code == KILN_CODE_OK && !call.deviceBuffers)
    for (size_t i = 0; i < out.size(); ++i)
      if (call.outputBytes[i])
        check(d.cuMemcpyDtoHAsync_v2(call.outputs[i], reinterpret_cast<uintptr_t>(out[i]), call.outputBytes[i],
                                     slot.stream),
              KILN_ERROR_EXECUTION, "copying output " + std::to_string(i) + " from the device failed");
  lease.pending = false;
  CUresult synced = d.cuStreamSynchronize(slot.stream);
  if (launches.failed) {
    std::string kernel = launches.failedKernel < spec_.kernels.size()
                             ? "kernel " + quote(spec_.kernels[launches.failedKernel].name)
                             : "kernel index " + std::to_string(launches.failedKernel) + " (the manifest lists " +
                                   std::to_string(spec_.kernels.size()) + ")";
    fail(KILN_ERROR_EXECUTION, call.function + ": " + kernel + " could not be launched: " +
                                   d.errorName(launches.failure));
  }
  if (synced != kCudaSuccess) {
    std::string kernels =
        launches.launched == 0
            ? "before any kernel ran"
            : "after " + std::to_string(launches.launched) + " kernel launch" + (launches.launched == 1 ? "" : "es") +
                  " (kernels run asynchronously; the last launched was " +
                  quote(spec_.kernels[launches.last].name) + ")";
    fail(KILN_ERROR_EXECUTION, call.function + " on device " + std::to_string(ordinal_) + " failed " + kernels +
                                   ": " + d.errorName(synced));
  }
  return code;
}

} // namespace kiln_runtime
