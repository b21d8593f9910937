// kiln_runtime.cpp: the C runtime behind kiln_runtime.h.
//
// C++17 inside, C outside. Internally, failures are thrown as `Failure{status, message}`; every extern "C"
// function catches everything at the boundary (see `guarded`) and turns it into a kiln_status_t plus a
// thread-local message, so no exception ever reaches a C caller.
//
// A model is immutable once kiln_model_load returns (its weights are mapped read-only); that is what makes
// kiln_model_run_entry thread-safe without locks. The contract implemented here is docs/artifact-format.md;
// every constant of it comes from kiln_abi.h. CUDA artifacts are read and checked here like any other; what
// happens on the GPU (the driver, the module, device memory, launches) is in cuda_model.cpp.
#include "kiln_runtime.h"
#include "cuda_model.h"
#include "runtime_internal.h"

#include <dirent.h>
#include "thread_pool.h"
#include <sched.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using Json = nlohmann::json;
using EntryFn = int (*)(const kiln_context_t *, const void *const *, void *const *);
using SignatureFn = const char *(*)(void);

// Manifests are a few KB; the cap keeps a wrong or hostile file from exhausting memory.
constexpr size_t kMaxManifestBytes = 16u << 20;

// The element types, indexed by kiln_dtype_t (which kiln_runtime.h generates from the same table).
struct DtypeEntry {
  const char *numpyName; // manifest spelling
  const char *abiName;   // signature spelling
  size_t size;           // bytes per element; 0 for the packed sub-byte types
  unsigned bits;         // per element
};
#define KILN_DTYPE_ENTRY(ENUM, code, numpyName, abiName, bytes, bits) {numpyName, abiName, bytes, bits},
constexpr DtypeEntry kDtypes[] = {KILN_DTYPES(KILN_DTYPE_ENTRY)};
#undef KILN_DTYPE_ENTRY
constexpr size_t kNumDtypes = sizeof(kDtypes) / sizeof(kDtypes[0]);

// Indexing kDtypes by code needs the codes to be 0, 1, 2, ... in table order.
#define KILN_DTYPE_CODE(ENUM, code, numpyName, abiName, bytes, bits) code,
constexpr int kDtypeCodes[] = {KILN_DTYPES(KILN_DTYPE_CODE)};
#undef KILN_DTYPE_CODE
constexpr bool codesAreIndices() {
  for (size_t i = 0; i < kNumDtypes; ++i)
    if (kDtypeCodes[i] != static_cast<int>(i))
      return false;
  return true;
}
static_assert(codesAreIndices(), "KILN_DTYPES codes must be 0, 1, 2, ... in table order");

// Stands in for a zero-byte scratch buffer or weights file, which generated code would take as "none given".
alignas(KILN_SCRATCH_ALIGNMENT) unsigned char zeroBytes[KILN_SCRATCH_ALIGNMENT];

const DtypeEntry *dtypeEntry(const kiln_dtype_t &dtype) {
  int index = enumBits(dtype);
  return index >= 0 && static_cast<size_t>(index) < kNumDtypes ? &kDtypes[index] : nullptr;
}

bool dtypeFromName(const std::string &name, kiln_dtype_t &out) {
  auto found = std::find_if(std::begin(kDtypes), std::end(kDtypes),
                            [&](const DtypeEntry &e) { return name == e.numpyName; });
  out = static_cast<kiln_dtype_t>(found - std::begin(kDtypes));
  return found != std::end(kDtypes);
}

using kiln_runtime::Failure;
using kiln_runtime::fail;
using kiln_runtime::quote;

thread_local std::string tlsLastError;
thread_local bool tlsLastErrorLost = false; // formatting the message itself ran out of memory

void setLastError(const char *function, const std::string &message) noexcept {
  try {
    tlsLastError = std::string(function) + ": " + message;
    tlsLastErrorLost = false;
  } catch (...) {
    // A fixed message beats a stale one that describes some earlier failure.
    tlsLastErrorLost = true;
  }
}

// Runs |body| and converts anything it throws into a status and a kiln_last_error message. |fallback| is the
// status for exceptions that are not Failures (internal bugs), chosen per call site.
template <typename Body>
kiln_status_t guarded(const char *function, kiln_status_t fallback, Body &&body) noexcept {
  try {
    body();
    return KILN_OK;
  } catch (const Failure &failure) {
    setLastError(function, failure.message);
    return failure.status;
  } catch (const std::bad_alloc &) {
    setLastError(function, "out of memory");
    return KILN_ERROR_OUT_OF_MEMORY;
  } catch (const std::exception &e) {
    setLastError(function, std::string("internal error: ") + e.what());
    return fallback;
  } catch (...) {
    setLastError(function, "internal error");
    return fallback;
  }
}

std::string join(const std::vector<std::string> &items) {
  std::string s;
  for (const std::string &item : items)
    s += (s.empty() ? "" : ", ") + item;
  return s;
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string dirName(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

std::string baseName(const std::string &path) { return path.substr(path.find_last_of('/') + 1); }

std::string joinPath(const std::string &folder, const std::string &name) {
  return endsWith(folder, "/") ? folder + name : folder + "/" + name;
}

// Thread-safe, unlike std::strerror.
std::string errnoText(int err) { return std::generic_category().message(err); }

kiln_status_t statusForErrno(int err) {
  return err == ENOENT || err == ENOTDIR ? KILN_ERROR_NOT_FOUND : KILN_ERROR_IO;
}

// Tensors and signatures ----------------------------------------------------------------------------------

struct Tensor {
  std::string name;
  kiln_dtype_t dtype;
  std::vector<int64_t> shape;
  size_t bytes;
};

struct EntryPoint {
  std::string name;   // "run", "grad", ...
  std::string symbol; // NAME_E; the runtime calls symbol + "_ctx"
  size_t scratchBytes = 0;
  std::vector<Tensor> inputs, outputs;
  bool hasState = false; // its last output is the training state buffer ("state": true)
  EntryFn run = nullptr; // NAME_E_ctx; null until the library is opened
};

struct Weight {
  Tensor tensor;
  size_t offset; // in the weights file
};

// "[1,3,32,32]": the same spelling in messages and in signatures.
std::string dims(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

// "float32[1,3,32,32]", the spelling used in every message about a tensor.
std::string describe(const Tensor &t) { return kDtypes[t.dtype].numpyName + dims(t.shape); }

// Escapes a tensor name as the signature string requires: bytes outside [A-Za-z0-9_.-] become %XX.
std::string escapeName(const std::string &name) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                 c == '.' || c == '-';
    out += plain ? std::string(1, static_cast<char>(c)) : std::string{'%', kHex[c >> 4], kHex[c & 15]};
  }
  return out;
}

// TENSOR = NAME:DTYPE[D0,D1,...]
std::string signatureOf(const Tensor &t) { return escapeName(t.name) + ":" + kDtypes[t.dtype].abiName + dims(t.shape); }

std::string signatureOf(const std::vector<Tensor> &tensors) {
  std::string s;
  for (size_t i = 0; i < tensors.size(); ++i)
    s += (i ? "," : "") + signatureOf(tensors[i]);
  return s;
}

std::string signatureOf(const std::vector<Weight> &tensors) {
  std::string s;
  for (size_t i = 0; i < tensors.size(); ++i)
    s += (i ? "," : "") + signatureOf(tensors[i].tensor) + "@" + std::to_string(tensors[i].offset);
  return s;
}

// kiln-abi-2|ENTRY:in=TENSOR,...;out=TENSOR,...|ENTRY:...[|weights=TENSOR@OFFSET,...][|state=TENSOR@OFFSET,...]
std::string signatureOf(const std::vector<EntryPoint> &entries, const std::vector<Weight> *weights,
                        const std::vector<Weight> *state) {
  std::string s = KILN_ABI_TAG;
  for (const EntryPoint &e : entries)
    s += "|" + e.name + ":in=" + signatureOf(e.inputs) + ";out=" + signatureOf(e.outputs);
  if (weights)
    s += "|weights=" + signatureOf(*weights);
  if (state)
    s += "|state=" + signatureOf(*state);
  return s;
}

} // namespace

// The model -----------------------------------------------------------------------------------------------

namespace {

// The thread pools of one model. A pool runs one parallelFor call at a time, so every
// concurrent run borrows a pool of its own and gives it back; pools are made when a run first hands out
// tasks (small models never do) and kept until the model is destroyed. Concurrent runs share the CPUs: a
// run gets fewer threads (down to one: serial) while other runs of the model hold them, so that together
// they never use more threads than max(CPUs, what one run asked for): threads that outnumber the CPUs only
// take turns.
class ThreadPools {
public:
  ThreadPools() = default;
  ThreadPools(const ThreadPools &) = delete;
  ThreadPools &operator=(const ThreadPools &) = delete;
  ~ThreadPools() = default;

  // How many threads a run that asked for |threads| gets, on a machine where the process may use |cpus|.
  // Every grant is given back with giveBackThreads().
  size_t grantThreads(size_t threads, size_t cpus) {
    std::lock_guard<std::mutex> lock(mutex);
    size_t limit = std::max(threads, cpus);
    size_t granted = busy >= limit ? 1 : std::max<size_t>(1, std::min(threads, limit - busy));
    busy += granted;
    return granted;
  }
  void giveBackThreads(size_t threads) {
    std::lock_guard<std::mutex> lock(mutex);
    busy -= threads;
  }

  // A pool of |threads| threads (the caller's included) for one run; null if none could be made.
  std::unique_ptr<kiln_runtime::ThreadPool> takePool(size_t threads) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      for (size_t i = 0; i < idle.size(); ++i)
        if (idle[i]->threads() == threads) {
          std::unique_ptr<kiln_runtime::ThreadPool> pool = std::move(idle[i]);
          idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(i));
          return pool;
        }
    }
    try {
      return std::make_unique<kiln_runtime::ThreadPool>(threads);
    } catch (const std::exception &) {
      return nullptr; // no threads to be had (std::system_error) or no memory
    }
  }
  void givePool(std::unique_ptr<kiln_runtime::ThreadPool> pool) {
    pool->sleepWorkers(); // until the pool's next run, instead of spinning
    std::lock_guard<std::mutex> lock(mutex);
    idle.push_back(std::move(pool));
  }

private:
  std::mutex mutex;
  std::vector<std::unique_ptr<kiln_runtime::ThreadPool>> idle;
  size_t busy = 0; // threads the model's runs in flight hold, the calling threads included
};

// The scratch buffers the runtime lends runs that bring none: one per run in flight, kept between runs and
// freed with the model, so that a run allocates nothing after the first. Left to itself, the generated code
// allocates and frees its scratch on every call; with glibc, buffers over 32 MB (ResNet-50 needs about that)
// come from mmap every time, and each run then pays thousands of page faults.
class ScratchBuffers {
public:
  ScratchBuffers() = default;
  ScratchBuffers(const ScratchBuffers &) = delete;
  ScratchBuffers &operator=(const ScratchBuffers &) = delete;
  ~ScratchBuffers() {
    for (const Buffer &b : idle)
      std::free(b.data);
  }

  // A KILN_SCRATCH_ALIGNMENT-aligned buffer of at least |bytes| (> 0) for one run; null if out of memory.
  // Every buffer taken is given back with give().
  void *take(size_t bytes, size_t &capacity) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      for (size_t i = 0; i < idle.size(); ++i)
        if (idle[i].bytes >= bytes) {
          Buffer b = idle[i];
          idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(i));
          capacity = b.bytes;
          return b.data;
        }
    }
    size_t rounded = (bytes + KILN_SCRATCH_ALIGNMENT - 1) / KILN_SCRATCH_ALIGNMENT * KILN_SCRATCH_ALIGNMENT;
    capacity = rounded;
    return std::aligned_alloc(KILN_SCRATCH_ALIGNMENT, rounded);
  }
  void give(void *data, size_t capacity) {
    std::lock_guard<std::mutex> lock(mutex);
    idle.push_back({data, capacity});
  }

private:
  struct Buffer {
    void *data;
    size_t bytes;
  };
  std::mutex mutex;
  std::vector<Buffer> idle;
};

} // namespace

struct kiln_model {
  std::string name, source, kilnVersion, triple, cpu, features, signature;
  std::string manifestPath, libraryPath;
  std::vector<EntryPoint> entries;
  size_t runIndex = SIZE_MAX; // the entry point named "run"; SIZE_MAX if there is none
  // External weights; all empty when they are embedded in the library.
  bool externalWeights = false;
  std::string weightsPath;
  size_t weightsBytes = 0;
  std::vector<Weight> weights;
  const void *weightsData = nullptr; // what every run gets as ctx->weights; null until mapped
  // The training state buffer's layout (kiln compile --train); empty and 0 without one.
  std::vector<Weight> state;
  size_t stateBytes = 0;
  void *mapping = nullptr;           // mmap of the weights file; null if not mapped (or 0 bytes)
  void *handle = nullptr;            // dlopen handle; null for kiln_model_load_manifest
  mutable ThreadPools pools;         // for runs with more than one thread; runs take a const model
  mutable ScratchBuffers scratch;    // lent to runs that bring no scratch buffer
  // The manifest's `device` (kind "cpu" without one) and, for a CUDA artifact opened with kiln_model_load,
  // the module and device memory on the GPU that runs it.
  kiln_runtime::DeviceSpec device;
  std::vector<const char *> architectureNames; // device.architectures as C strings, for kiln_device_info_t
  std::unique_ptr<kiln_runtime::CudaModel> cuda;

  kiln_model() = default;
  kiln_model(const kiln_model &) = delete;
  kiln_model &operator=(const kiln_model &) = delete;
  ~kiln_model() {
    if (mapping)
      munmap(mapping, weightsBytes);
    if (handle)
      dlclose(handle);
  }
};

namespace {

// Finding and reading the manifest ------------------------------------------------------------------------

struct Location {
  std::string manifestPath;
  std::string folder;
  std::string givenLibrary; // the .so's file name when the caller passed one, else empty
};

Location locate(const std::string &path) {
  if (path.empty())
    fail(KILN_ERROR_INVALID_ARGUMENT, "path is empty");
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    int err = errno;
    fail(statusForErrno(err), quote(path) + ": " + errnoText(err));
  }
  if (S_ISDIR(st.st_mode)) {
    std::unique_ptr<DIR, int (*)(DIR *)> dir(opendir(path.c_str()), &closedir);
    if (!dir) {
      int err = errno;
      fail(KILN_ERROR_IO, "cannot list folder " + quote(path) + ": " + errnoText(err));
    }
    std::vector<std::string> manifests;
    while (const dirent *entry = readdir(dir.get())) {
      std::string file = entry->d_name;
      if (endsWith(file, ".json") && file.size() > 5)
        manifests.push_back(file);
    }
    std::sort(manifests.begin(), manifests.end());
    if (manifests.empty())
      fail(KILN_ERROR_NOT_FOUND, "no manifest (*.json) in artifact folder " + quote(path));
    if (manifests.size() > 1)
      fail(KILN_ERROR_INVALID_ARGUMENT, "artifact folder " + quote(path) + " holds several manifests (" +
                                            join(manifests) + "); pass the one to load");
    return {joinPath(path, manifests[0]), path, ""};
  }
  std::string base = baseName(path);
  if (endsWith(base, ".json"))
    return {path, dirName(path), ""};
  if (endsWith(base, ".so")) {
    // libNAME.so sits beside NAME.json.
    std::string stem = base.substr(0, base.size() - 3);
    if (stem.compare(0, 3, "lib") == 0 && stem.size() > 3)
      stem = stem.substr(3);
    return {joinPath(dirName(path), stem + ".json"), dirName(path), base};
  }
  fail(KILN_ERROR_INVALID_ARGUMENT, quote(path) + " is not an artifact folder, a .so or a .json manifest");
}

std::string readManifestText(const std::string &path) {
  std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    int err = errno;
    kiln_status_t status = statusForErrno(err);
    fail(status,
         "manifest " + quote(path) + (status == KILN_ERROR_NOT_FOUND ? " not found: " : ": ") + errnoText(err));
  }
  std::string text;
  char buffer[65536];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, file.get())) {
    text.append(buffer, n);
    if (text.size() > kMaxManifestBytes)
      fail(KILN_ERROR_BAD_MANIFEST, path + ": larger than " + std::to_string(kMaxManifestBytes) + " bytes");
  }
  if (std::ferror(file.get()))
    fail(KILN_ERROR_IO, "cannot read manifest " + quote(path));
  return text;
}

// Validating the manifest -----------------------------------------------------------------------------------
// Every message starts with the manifest's path and names the offending field ("entry_points[0].inputs[1]").

bool isCIdentifier(const std::string &s) {
  auto valid = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  return !s.empty() && !(s[0] >= '0' && s[0] <= '9') && std::all_of(s.begin(), s.end(), valid);
}

struct ManifestReader {
  const std::string &path;

  [[noreturn]] void bad(const std::string &what) const { fail(KILN_ERROR_BAD_MANIFEST, path + ": " + what); }

  // object[key] as |field|; nullptr if it is absent and optional.
  const Json *get(const Json &object, const char *key, const std::string &field, bool required = true) const {
    auto it = object.find(key);
    if (it == object.end() && required)
      bad("missing field '" + field + "'");
    return it == object.end() ? nullptr : &*it;
  }
  const Json &getContainer(const Json &object, const char *key, const std::string &field, Json::value_t type) const {
    const Json &value = *get(object, key, field);
    if (value.type() != type)
      bad("field '" + field + "' must be " + (type == Json::value_t::array ? "an array" : "an object"));
    return value;
  }
  std::string string(const Json &object, const char *key, const std::string &field, bool required = true) const {
    const Json *value = get(object, key, field, required);
    if (value && !value->is_string())
      bad("field '" + field + "' must be a string");
    return value ? value->get<std::string>() : "";
  }
  uint64_t count(const Json &value, const std::string &field) const {
    if (!value.is_number_unsigned())
      bad("field '" + field + "' must be a non-negative integer");
    return value.get<uint64_t>();
  }
  // A byte count that must fit a size_t with room to spare (so sums of two never wrap).
  size_t size(const Json &object, const char *key, const std::string &field) const {
    uint64_t value = count(*get(object, key, field), field);
    if (value > std::numeric_limits<size_t>::max() / 2)
      bad(field + " " + std::to_string(value) + " is too large");
    return static_cast<size_t>(value);
  }

  // Files must be plain names inside the artifact folder: a manifest may come from an untrusted source and
  // must not make the runtime open anything else.
  std::string plainFileName(const Json &files, const char *key, bool required) const {
    std::string field = std::string("files.") + key, file = string(files, key, field, required);
    bool absent = !required && !files.contains(key);
    if (!absent && (file.empty() || file == "." || file == ".." ||
                    file.find_first_of(std::string("/\\\0", 3)) != std::string::npos))
      bad(field + " " + quote(file) + " is not a plain file name inside the artifact folder");
    return file;
  }

  std::vector<int64_t> shape(const Json &entry, const std::string &where) const {
    const Json &list = getContainer(entry, "shape", where + ".shape", Json::value_t::array);
    std::vector<int64_t> result;
    for (size_t d = 0; d < list.size(); ++d) {
      std::string field = where + ".shape[" + std::to_string(d) + "]";
      uint64_t dim = count(list[d], field);
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        bad("field '" + field + "' is too large");
      result.push_back(static_cast<int64_t>(dim));
    }
    return result;
  }

  // Checked multiplication: a hostile shape must not wrap around to a small byte count. Counted in bits, then
  // rounded up to whole bytes: the packed types (kiln_abi.h) hold several elements per byte.
  size_t bytesOf(const Tensor &t, const std::string &where) const {
    bool empty = std::find(t.shape.begin(), t.shape.end(), 0) != t.shape.end();
    uint64_t bits = empty ? 0 : kDtypes[t.dtype].bits;
    for (int64_t dim : t.shape) {
      if (bits != 0 && static_cast<uint64_t>(dim) > std::numeric_limits<size_t>::max() / 16 / bits)
        bad(where + " " + describe(t) + " is too large to address");
      bits *= static_cast<uint64_t>(dim);
    }
    return static_cast<size_t>((bits + 7) / 8);
  }

  Tensor tensor(const Json &entry, const std::string &where) const {
    if (!entry.is_object())
      bad(where + " must be an object");
    Tensor t;
    t.name = string(entry, "name", where + ".name");
    if (t.name.empty() || t.name.find('\0') != std::string::npos)
      bad("field '" + where + ".name' is empty or contains a NUL character");
    std::string dtype = string(entry, "dtype", where + ".dtype");
    if (!dtypeFromName(dtype, t.dtype))
      bad("field '" + where + ".dtype' has unknown dtype " + quote(dtype));
    t.shape = shape(entry, where);
    t.bytes = bytesOf(t, where);
    uint64_t declared = count(*get(entry, "bytes", where + ".bytes"), where + ".bytes");
    if (declared != t.bytes)
      bad(where + " " + quote(t.name) + " says " + std::to_string(declared) + " bytes, but " + describe(t) + " is " +
          std::to_string(t.bytes));
    return t;
  }

  // object[key] as a list of tensors with unique names; |field| names the list in messages.
  std::vector<Tensor> tensors(const Json &object, const char *key, const std::string &field) const {
    const Json &list = getContainer(object, key, field, Json::value_t::array);
    std::vector<Tensor> result;
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      result.push_back(tensor(list[i], field + "[" + std::to_string(i) + "]"));
      if (!seen.insert(result.back().name).second)
        bad(field + " has two tensors named " + quote(result.back().name));
    }
    return result;
  }

  EntryPoint entryPoint(const Json &object, const std::string &where, const std::string &modelName) const {
    if (!object.is_object())
      bad(where + " must be an object");
    EntryPoint e;
    e.name = string(object, "name", where + ".name");
    if (!isCIdentifier(e.name))
      bad(where + ".name " + quote(e.name) + " is not a C identifier");
    e.symbol = string(object, "symbol", where + ".symbol");
    if (e.symbol != modelName + "_" + e.name)
      bad(where + ".symbol " + quote(e.symbol) + " should be " + quote(modelName + "_" + e.name));
    e.scratchBytes = size(object, "scratch_bytes", where + ".scratch_bytes");
    e.inputs = tensors(object, "inputs", where + ".inputs");
    e.outputs = tensors(object, "outputs", where + ".outputs");
    const Json &outputs = object["outputs"];
    for (size_t i = 0; i < outputs.size(); ++i) {
      auto flag = outputs[i].find("state");
      if (flag == outputs[i].end())
        continue;
      std::string field = where + ".outputs[" + std::to_string(i) + "].state";
      if (!flag->is_boolean())
        bad("field '" + field + "' must be a boolean");
      if (!flag->get<bool>())
        continue;
      const Tensor &t = e.outputs[i];
      if (i + 1 != outputs.size() || t.dtype != KILN_DTYPE_U8 || t.shape.size() != 1)
        bad("field '" + field + "': the state buffer must be the last output, uint8[bytes]");
      e.hasState = true;
    }
    return e;
  }

  std::vector<EntryPoint> entryPoints(const Json &doc, const std::string &modelName) const {
    const Json &list = getContainer(doc, "entry_points", "entry_points", Json::value_t::array);
    if (list.empty())
      bad("field 'entry_points' is empty; an artifact has at least one entry point");
    std::vector<EntryPoint> result;
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      result.push_back(entryPoint(list[i], "entry_points[" + std::to_string(i) + "]", modelName));
      if (!seen.insert(result.back().name).second)
        bad("entry_points has two entry points named " + quote(result.back().name));
    }
    return result;
  }

  Weight weight(const Json &object, const std::string &where) const {
    Weight w{tensor(object, where), 0};
    w.offset = size(object, "offset", where + ".offset");
    return w;
  }

  // The generated code finds each weight (state tensor) at its offset in one mapping (buffer): offsets must be
  // aligned, in order, disjoint and inside it. |section| is "weights" or "state".
  void checkLayout(const std::vector<Weight> &weights, size_t fileBytes, const std::string &section = "weights",
                   size_t alignment = KILN_WEIGHTS_ALIGNMENT) const {
    size_t end = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      const Weight &w = weights[i];
      std::string label = section + ".tensors[" + std::to_string(i) + "] " + quote(w.tensor.name);
      if (w.offset % alignment != 0)
        bad(label + " starts at offset " + std::to_string(w.offset) + ", not a multiple of " +
            std::to_string(alignment));
      if (w.offset < end)
        bad(label + " starts at offset " + std::to_string(w.offset) + ", before the previous " +
            (section == "weights" ? "weight" : "state tensor") + " ends (" + std::to_string(end) + "); " +
            (section == "weights" ? "weights" : "state tensors") + " must be in order and must not overlap");
      if (w.offset > fileBytes || w.tensor.bytes > fileBytes - w.offset)
        bad(label + " ends at byte " + std::to_string(w.offset + w.tensor.bytes) + ", past " + section +
            ".bytes " + std::to_string(fileBytes));
      end = w.offset + w.tensor.bytes;
    }
  }
};

void parseFormat(const ManifestReader &r, const Json &doc) {
  std::string format = r.string(doc, "format", "format");
  if (format != KILN_ARTIFACT_FORMAT)
    r.bad("format is " + quote(format) + ", expected " + quote(KILN_ARTIFACT_FORMAT));
  const Json &version = *r.get(doc, "format_version", "format_version");
  std::string supported = std::to_string(KILN_ARTIFACT_FORMAT_VERSION);
  if (version.is_number_integer() && version.get<int64_t>() == 1)
    r.bad("format_version 1: this artifact was written by an older Kiln; compile the model again with this "
          "version of Kiln (this runtime reads format_version " + supported + ")");
  if (!version.is_number_integer() || version.get<int64_t>() != KILN_ARTIFACT_FORMAT_VERSION)
    r.bad("format_version " + version.dump() + " is not supported (this runtime reads " + supported + ")");
}

void parseTarget(kiln_model &m, const ManifestReader &r, const Json &doc) {
  const Json &target = r.getContainer(doc, "target", "target", Json::value_t::object);
  m.triple = r.string(target, "triple", "target.triple");
  m.cpu = r.string(target, "cpu", "target.cpu", false);
  m.features = r.string(target, "features", "target.features", false);
}

// `weights` and `files.weights` come together, with --weights external, or not at all.
void parseWeights(kiln_model &m, const ManifestReader &r, const Json &doc, const Json &files,
                  const std::string &folder) {
  bool hasWeights = doc.contains("weights"), hasFile = files.contains("weights");
  if (hasWeights != hasFile)
    r.bad(hasWeights ? "has 'weights' but no 'files.weights'" : "has 'files.weights' but no 'weights'");
  if (!hasWeights)
    return;
  const Json &weights = r.getContainer(doc, "weights", "weights", Json::value_t::object);
  m.externalWeights = true;
  m.weightsBytes = r.size(weights, "bytes", "weights.bytes");
  const Json &list = r.getContainer(weights, "tensors", "weights.tensors", Json::value_t::array);
  std::set<std::string> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    m.weights.push_back(r.weight(list[i], "weights.tensors[" + std::to_string(i) + "]"));
    if (!seen.insert(m.weights.back().tensor.name).second)
      r.bad("weights.tensors has two tensors named " + quote(m.weights.back().tensor.name));
  }
  r.checkLayout(m.weights, m.weightsBytes);
  m.weightsPath = joinPath(folder, r.plainFileName(files, "weights", true));
}

// `state`: the training state buffer's layout (kiln compile --train), which entry points with a state output
// read and write; both come together or not at all.
void parseState(kiln_model &m, const ManifestReader &r, const Json &doc) {
  bool used = false;
  for (const EntryPoint &e : m.entries)
    used |= e.hasState;
  if (!doc.contains("state")) {
    if (used)
      r.bad("an entry point has a state output, but there is no 'state'");
    return;
  }
  const Json &state = r.getContainer(doc, "state", "state", Json::value_t::object);
  m.stateBytes = r.size(state, "bytes", "state.bytes");
  const Json &list = r.getContainer(state, "tensors", "state.tensors", Json::value_t::array);
  std::set<std::string> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    m.state.push_back(r.weight(list[i], "state.tensors[" + std::to_string(i) + "]"));
    if (!seen.insert(m.state.back().tensor.name).second)
      r.bad("state.tensors has two tensors named " + quote(m.state.back().tensor.name));
  }
  r.checkLayout(m.state, m.stateBytes, "state", KILN_STATE_ALIGNMENT);
  for (const EntryPoint &e : m.entries)
    if (e.hasState && e.outputs.back().bytes != m.stateBytes)
      r.bad("entry point " + quote(e.name) + "'s state output has " + std::to_string(e.outputs.back().bytes) +
            " bytes, but state.bytes is " + std::to_string(m.stateBytes));
}

void parseFiles(kiln_model &m, const ManifestReader &r, const Json &doc, const Location &where) {
  const Json &files = r.getContainer(doc, "files", "files", Json::value_t::object);
  // A cross-compiled artifact has only its static library (see ArtifactWriter).
  if (!files.contains("shared_library"))
    r.bad("has no shared library: it was compiled for " + quote(m.triple) +
          ", not for this machine; link its static library into a program for that target");
  std::string library = r.plainFileName(files, "shared_library", true);
  r.plainFileName(files, "static_library", false);
  r.plainFileName(files, "header", false);
  if (!where.givenLibrary.empty() && library != where.givenLibrary)
    r.bad("names shared library " + quote(library) + ", not the " + quote(where.givenLibrary) + " given");
  m.libraryPath = joinPath(where.folder, library);
  parseWeights(m, r, doc, files, where.folder);
}

Json parseJson(const ManifestReader &r, const std::string &text) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error &e) {
    // e.what() starts with "[json.exception.parse_error.101] "; the rest is the useful part.
    std::string what = e.what();
    size_t bracket = what.find("] ");
    r.bad("not valid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
}

void parseManifest(kiln_model &m, const Location &where) {
  ManifestReader r{m.manifestPath};
  Json doc = parseJson(r, readManifestText(m.manifestPath));
  if (!doc.is_object())
    r.bad("not a JSON object");
  parseFormat(r, doc);
  m.name = r.string(doc, "name", "name");
  if (!isCIdentifier(m.name))
    r.bad("name " + quote(m.name) + " is not a C identifier");
  m.source = r.string(doc, "source", "source", false);
  m.kilnVersion = r.string(doc, "kiln_version", "kiln_version", false);
  parseTarget(m, r, doc);
  m.entries = r.entryPoints(doc, m.name);
  for (size_t i = 0; i < m.entries.size(); ++i)
    if (m.entries[i].name == "run")
      m.runIndex = i;
  parseFiles(m, r, doc, where);
  parseState(m, r, doc);
  if (doc.contains("device"))
    m.device = kiln_runtime::parseDeviceSpec(doc["device"], m.manifestPath, where.folder);
  for (const std::string &arch : m.device.architectures)
    m.architectureNames.push_back(arch.c_str());

  m.signature = signatureOf(m.entries, m.externalWeights ? &m.weights : nullptr,
                            m.stateBytes || !m.state.empty() ? &m.state : nullptr);
  std::string declared = r.string(doc, "signature", "signature");
  if (declared != m.signature)
    r.bad("signature " + quote(declared) + " does not match its entry points and weights " + quote(m.signature));
}

// Opening the library and the weights ---------------------------------------------------------------------

void *symbol(const kiln_model &m, const std::string &name) {
  void *address = dlsym(m.handle, name.c_str());
  if (!address)
    fail(KILN_ERROR_NOT_FOUND, "library " + quote(m.libraryPath) + " does not export " + quote(name));
  return address;
}

void checkSignature(const kiln_model &m) {
  auto signatureFn = reinterpret_cast<SignatureFn>(symbol(m, m.name + "_signature"));
  const char *compiled = signatureFn();
  if (!compiled)
    fail(KILN_ERROR_LOAD, "library " + quote(m.libraryPath) + ": " + m.name + "_signature() returned NULL");
  if (m.signature != compiled)
    fail(KILN_ERROR_BAD_MANIFEST, m.manifestPath + ": signature " + quote(m.signature) +
                                      " differs from the library's " + quote(compiled) +
                                      "; the manifest and " + quote(m.libraryPath) + " do not belong together");
}

void openLibrary(kiln_model &m) {
  struct stat st;
  if (stat(m.libraryPath.c_str(), &st) != 0) {
    int err = errno;
    fail(statusForErrno(err), "shared library " + quote(m.libraryPath) + " named by " + quote(m.manifestPath) +
                                  ": " + errnoText(err));
  }
  m.handle = dlopen(m.libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!m.handle) {
    const char *why = dlerror();
    fail(KILN_ERROR_LOAD, "dlopen failed: " + std::string(why ? why : "unknown reason"));
  }
  checkSignature(m);
  // NAME_E is never called (runs go through NAME_E_ctx), but the contract promises both to programs that
  // dlopen the library themselves.
  for (EntryPoint &e : m.entries) {
    symbol(m, e.symbol);
    // POSIX leaves object-to-function pointer casts to the platform; dlsym requires them to work.
    e.run = reinterpret_cast<EntryFn>(symbol(m, e.symbol + "_ctx"));
  }
}

// Closes the descriptor on every path; the mapping outlives it.
struct FileDescriptor {
  int fd;
  ~FileDescriptor() {
    if (fd >= 0)
      close(fd);
  }
};

// Maps the weights file read-only for the model's lifetime: concurrent runs share it, and pages are read
// only when the generated code touches them.
void mapWeights(kiln_model &m) {
  FileDescriptor file{open(m.weightsPath.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    int err = errno;
    fail(statusForErrno(err), "weights file " + quote(m.weightsPath) + " named by " + quote(m.manifestPath) +
                                  ": " + errnoText(err));
  }
  struct stat st;
  if (fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode))
    fail(KILN_ERROR_IO, "weights file " + quote(m.weightsPath) + " is not a regular file");
  if (static_cast<uint64_t>(st.st_size) != m.weightsBytes)
    fail(KILN_ERROR_BAD_MANIFEST, m.manifestPath + ": weights file " + quote(m.weightsPath) + " has " +
                                      std::to_string(st.st_size) + " bytes, weights.bytes says " +
                                      std::to_string(m.weightsBytes));
  // mmap refuses length 0; an empty file still has to reach the code as "weights given".
  if (m.weightsBytes == 0)
    return void(m.weightsData = zeroBytes);
  void *address = mmap(nullptr, m.weightsBytes, PROT_READ, MAP_PRIVATE, file.fd, 0);
  if (address == MAP_FAILED) {
    int err = errno;
    fail(err == ENOMEM ? KILN_ERROR_OUT_OF_MEMORY : KILN_ERROR_IO,
         "cannot map weights file " + quote(m.weightsPath) + ": " + errnoText(err));
  }
  m.mapping = address;
  m.weightsData = address;
}

kiln_status_t load(const char *function, const char *path, kiln_model_t **out_model, bool withLibrary) {
  return guarded(function, KILN_ERROR_BAD_MANIFEST, [&] {
    if (!path)
      fail(KILN_ERROR_INVALID_ARGUMENT, "path is NULL");
    if (!out_model)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_model is NULL");
    Location where = locate(path);
    auto model = std::make_unique<kiln_model>();
    model->manifestPath = where.manifestPath;
    parseManifest(*model, where);
    if (withLibrary)
      openLibrary(*model);
    if (withLibrary && model->externalWeights)
      mapWeights(*model);
    if (withLibrary && model->device.kind == "cuda")
      model->cuda = kiln_runtime::CudaModel::load(model->device, model->weightsData, model->weightsBytes);
    *out_model = model.release();
  });
}

// Queries -------------------------------------------------------------------------------------------------

void checkModel(const kiln_model_t *model) {
  if (!model)
    fail(KILN_ERROR_INVALID_ARGUMENT, "model is NULL");
}

std::string entryNames(const kiln_model_t &model) {
  std::vector<std::string> names;
  for (const EntryPoint &e : model.entries)
    names.push_back(quote(e.name));
  return join(names);
}

// "the model" for "run", whose shorthands read as if it were the model; "entry point 'grad'" otherwise.
std::string ownerOf(const EntryPoint &e) { return e.name == "run" ? "the model" : "entry point " + quote(e.name); }

const EntryPoint &entryAt(const kiln_model_t *model, size_t entry) {
  checkModel(model);
  if (entry >= model->entries.size())
    fail(KILN_ERROR_INVALID_ARGUMENT, "entry point index " + std::to_string(entry) +
                                          " is out of range; the model has " + std::to_string(model->entries.size()));
  return model->entries[entry];
}

// The entry point the shorthands without an entry argument refer to.
size_t runEntryIndex(const kiln_model_t *model) {
  checkModel(model);
  if (model->runIndex == SIZE_MAX)
    fail(KILN_ERROR_NOT_FOUND, "model " + quote(model->name) + " has no entry point 'run' (it has " +
                                   entryNames(*model) + "); use the kiln_model_entry_* functions");
  return model->runIndex;
}

// For the accessors that cannot fail: "run", or nullptr.
const EntryPoint *runEntryOrNull(const kiln_model_t *model) {
  return model && model->runIndex != SIZE_MAX ? &model->entries[model->runIndex] : nullptr;
}

kiln_tensor_info_t infoOf(const Tensor &t) {
  static const int64_t kNoDims[1] = {0};
  return {t.name.c_str(), t.dtype, t.shape.size(), t.shape.empty() ? kNoDims : t.shape.data(), t.bytes};
}

void tensorInfo(const kiln_model_t *model, size_t entry, size_t index, kiln_tensor_info_t *out, bool input) {
  const EntryPoint &e = entryAt(model, entry);
  if (!out)
    fail(KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
  const std::vector<Tensor> &tensors = input ? e.inputs : e.outputs;
  if (index >= tensors.size())
    fail(KILN_ERROR_INVALID_ARGUMENT, std::string(input ? "input" : "output") + " index " + std::to_string(index) +
                                          " is out of range; " + ownerOf(e) + " has " + std::to_string(tensors.size()));
  *out = infoOf(tensors[index]);
}

void findTensor(const kiln_model_t *model, size_t entry, const char *name, size_t *out_index, bool input) {
  const EntryPoint &e = entryAt(model, entry);
  if (!name)
    fail(KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
  if (!out_index)
    fail(KILN_ERROR_INVALID_ARGUMENT, "out_index is NULL");
  const std::vector<Tensor> &tensors = input ? e.inputs : e.outputs;
  auto found = std::find_if(tensors.begin(), tensors.end(), [&](const Tensor &t) { return t.name == name; });
  if (found != tensors.end())
    return void(*out_index = static_cast<size_t>(found - tensors.begin()));
  std::vector<std::string> known;
  for (const Tensor &t : tensors)
    known.push_back(quote(t.name));
  std::string owner = "model " + quote(model->name) + (e.name == "run" ? "" : " entry point " + quote(e.name));
  fail(KILN_ERROR_NOT_FOUND, owner + " has no " + (input ? "input " : "output ") + quote(name) + " (it has " +
                                 (known.empty() ? "none" : join(known)) + ")");
}

// Running -------------------------------------------------------------------------------------------------

// The scratch buffer of one call, as the caller gave it.
struct Scratch {
  bool given = false; // false: the generated code allocates its own
  void *data = nullptr;
  size_t bytes = 0;
};

template <typename Buffer, typename Pointer>
void checkBuffers(const EntryPoint &e, const char *kind, const std::vector<Tensor> &tensors, const Buffer *buffers,
                  size_t count, std::vector<Pointer> &pointers) {
  if (count != tensors.size())
    fail(KILN_ERROR_INVALID_ARGUMENT, "got " + std::to_string(count) + " " + kind + "s, " + ownerOf(e) + " has " +
                                          std::to_string(tensors.size()));
  if (!buffers && count != 0)
    fail(KILN_ERROR_INVALID_ARGUMENT, std::string(kind) + "s is NULL");
  pointers.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const Tensor &t = tensors[i];
    auto label = [&] { return kind + (" " + std::to_string(i)) + " " + quote(t.name); }; // only on failure
    if (buffers[i].bytes != t.bytes)
      fail(KILN_ERROR_INVALID_ARGUMENT, label() + " has " + std::to_string(buffers[i].bytes) + " bytes, expected " +
                                            std::to_string(t.bytes) + " (" + describe(t) + ")");
    if (!buffers[i].data && t.bytes != 0)
      fail(KILN_ERROR_INVALID_ARGUMENT, label() + " data is NULL");
    // Passed through unchanged: the generated code never touches a zero-byte buffer, NULL or not.
    pointers[i] = static_cast<Pointer>(buffers[i].data);
  }
}

// Refused before the generated code could misuse it (it would return MISALIGNED_SCRATCH or
// SCRATCH_TOO_SMALL, or read past the end of a buffer it was told is large enough).
void checkScratch(const EntryPoint &e, const Scratch &scratch) {
  if (!scratch.given)
    return;
  if (scratch.bytes < e.scratchBytes)
    fail(KILN_ERROR_INVALID_ARGUMENT, "scratch has " + std::to_string(scratch.bytes) + " bytes, entry point " +
                                          quote(e.name) + " needs " + std::to_string(e.scratchBytes));
  if (!scratch.data && e.scratchBytes != 0)
    fail(KILN_ERROR_INVALID_ARGUMENT, "scratch is NULL");
  if (reinterpret_cast<uintptr_t>(scratch.data) % KILN_SCRATCH_ALIGNMENT != 0)
    fail(KILN_ERROR_INVALID_ARGUMENT, "scratch is not " + std::to_string(KILN_SCRATCH_ALIGNMENT) + "-byte aligned");
}

// The generated code writes each output as if no other buffer it touches
// shares its bytes (outputs are `restrict`), so an output overlapping an
// input, another output or the scratch buffer would silently give wrong
// results. Checked before any code runs.
struct Span {
  enum Kind { Input, Output, Scratch } kind;
  size_t index; // into the entry point's inputs or outputs
  uintptr_t begin, end;

  // Only built for the error message, off the normal path.
  std::string label(const EntryPoint &e) const {
    if (kind == Scratch)
      return "the scratch buffer";
    const Tensor &t = kind == Input ? e.inputs[index] : e.outputs[index];
    return (kind == Input ? "input " : "output ") + std::to_string(index) + " " + quote(t.name);
  }
};

bool overlap(const Span &a, const Span &b) { return a.begin < b.end && b.begin < a.end; }

void checkNoOverlap(const EntryPoint &e, const kiln_input_t *inputs, const kiln_output_t *outputs,
                    const Scratch &scratch) {
  auto span = [](Span::Kind kind, size_t index, const void *data, size_t bytes) {
    uintptr_t begin = reinterpret_cast<uintptr_t>(data);
    return Span{kind, index, begin, begin + bytes};
  };
  std::vector<Span> others;
  for (size_t i = 0; i < e.inputs.size(); ++i)
    if (inputs[i].bytes != 0)
      others.push_back(span(Span::Input, i, inputs[i].data, inputs[i].bytes));
  if (scratch.data && scratch.bytes != 0)
    others.push_back(span(Span::Scratch, 0, scratch.data, scratch.bytes));
  for (size_t i = 0; i < e.outputs.size(); ++i) {
    if (outputs[i].bytes == 0)
      continue;
    Span out = span(Span::Output, i, outputs[i].data, outputs[i].bytes);
    for (const Span &other : others)
      if (overlap(out, other))
        fail(KILN_ERROR_INVALID_ARGUMENT, out.label(e) + " overlaps " + other.label(e) +
                                              "; outputs must not share memory with inputs, other outputs or scratch");
    others.push_back(out);
  }
}

// What the runtime hands the generated code: the caller's scratch (if any) and the mapped weights (if
// external); the thread pool is added by runChecked. No device.
kiln_context_t contextFor(const kiln_model_t &model, const Scratch &scratch) {
  kiln_context_t ctx;
  std::memset(&ctx, 0, sizeof ctx); // reserved fields must be 0 / NULL
  ctx.abi_version = KILN_ABI_VERSION;
  ctx.struct_size = sizeof ctx;
  if (scratch.given) {
    // A NULL scratch means "allocate it" to the code; the caller asked for no allocation.
    ctx.scratch = scratch.data ? scratch.data : zeroBytes;
    ctx.scratch_bytes = scratch.data ? scratch.bytes : 0;
  }
  if (model.externalWeights) {
    ctx.weights = model.weightsData;
    ctx.weights_bytes = model.weightsBytes;
  }
  return ctx;
}

// The KILN_CODE_* codes of kiln_abi.h, for messages.
struct CodeName {
  int code;
  const char *name, *meaning;
};
constexpr CodeName kCodes[] = {
    {KILN_CODE_NULL_ARGUMENT, "KILN_CODE_NULL_ARGUMENT", "a NULL argument"},
    {KILN_CODE_OUT_OF_MEMORY, "KILN_CODE_OUT_OF_MEMORY", "out of memory"},
    {KILN_CODE_MISALIGNED_SCRATCH, "KILN_CODE_MISALIGNED_SCRATCH", "misaligned scratch"},
    {KILN_CODE_SCRATCH_TOO_SMALL, "KILN_CODE_SCRATCH_TOO_SMALL", "scratch too small"},
    {KILN_CODE_BAD_CONTEXT, "KILN_CODE_BAD_CONTEXT", "the code does not accept this runtime's context"},
    {KILN_CODE_MISSING_WEIGHTS, "KILN_CODE_MISSING_WEIGHTS", "the code expects external weights"},
    {KILN_CODE_NO_DEVICE, "KILN_CODE_NO_DEVICE", "the device code was given no device or no scratch memory"},
    {KILN_CODE_LAUNCH_FAILED, "KILN_CODE_LAUNCH_FAILED", "a kernel could not be launched"},
};

std::string codeText(int code) {
  for (const CodeName &c : kCodes)
    if (c.code == code)
      return std::to_string(code) + " (" + c.name + ": " + c.meaning + ")";
  return std::to_string(code);
}

// Turns a non-zero code of the generated code into a Failure. Codes that blame the caller's scratch are
// the caller's error; out-of-memory is one only when the code allocated; the rest mean the code and the
// runtime disagree about the contract.
[[noreturn]] void failWithCode(const EntryPoint &e, const Scratch &scratch, int code) {
  std::string function = e.symbol + "_ctx";
  if (code == KILN_CODE_OUT_OF_MEMORY && !scratch.given)
    fail(KILN_ERROR_OUT_OF_MEMORY, function + " could not allocate its " + std::to_string(e.scratchBytes) +
                                       " bytes of scratch memory (returned " + codeText(code) + ")");
  bool callersScratch = code == KILN_CODE_MISALIGNED_SCRATCH || code == KILN_CODE_SCRATCH_TOO_SMALL;
  fail(callersScratch ? KILN_ERROR_INVALID_ARGUMENT : KILN_ERROR_EXECUTION,
       function + " returned " + codeText(code));
}

// The CPUs this process may run on.
size_t availableCpus() {
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 0)
    return static_cast<size_t>(CPU_COUNT(&cpus));
  return 1;
}

// How many threads a run uses when its options leave it to the runtime: KILN_NUM_THREADS if it is a positive
// integer, else every CPU this process may run on.
size_t defaultThreads() {
  if (const char *env = std::getenv("KILN_NUM_THREADS")) {
    char *end = nullptr;
    unsigned long long n = std::strtoull(env, &end, 10);
    if (end != env && *end == '\0' && n > 0)
      return static_cast<size_t>(std::min<unsigned long long>(n, 1024));
  }
  return availableCpus();
}

// What one run lends the generated code as kiln_context_t.pool: its share of the model's threads, and the
// pool it takes on its first parallel_for.
struct LentPool {
  ThreadPools *pools;
  size_t threads;
  std::unique_ptr<kiln_runtime::ThreadPool> pool;
  bool unavailable = false; // no pool could be made: run tasks on the calling thread
};

// kiln_parallel_for_fn over the run's ThreadPool. The workers spin a little between the calls of one run,
// which come in quick succession.
void parallelFor(void *lent, size_t count, kiln_task_fn task, void *taskArg) {
  auto *run = static_cast<LentPool *>(lent);
  if (!run->pool && !run->unavailable) {
    run->pool = run->pools->takePool(run->threads);
    run->unavailable = !run->pool; // out of threads costs speed, not the answer
  }
  if (!run->pool) {
    for (size_t i = 0; i < count; ++i)
      task(taskArg, i);
    return;
  }
  run->pool->parallelFor(count, task, taskArg);
}

// How one call runs, from its kiln_run_options_t (all defaults without one).
struct RunOptions {
  Scratch scratch;
  size_t threads = 0;         // 0: the runtime chooses
  bool deviceBuffers = false; // CUDA: every buffer is a device address
};

// A CUDA model's call: copies, launches and synchronization happen in cuda_model.cpp. A caller's scratch is
// refused unless it is device memory (deviceBuffers): the kernels cannot use a host buffer, and quietly
// lending a device buffer instead would make the caller believe theirs was used.
void runOnDevice(const kiln_model_t &model, const EntryPoint &e, const void *const *in, void *const *out,
                 const RunOptions &options) {
  const Scratch &scratch = options.scratch;
  if (scratch.given && scratch.data && !options.deviceBuffers)
    fail(KILN_ERROR_INVALID_ARGUMENT,
         "model " + quote(model.name) + " runs on a CUDA device, and a scratch buffer was given without "
         "options->device_buffers: its scratch must be device memory (or give none: the runtime lends one)");
  kiln_runtime::DeviceCall call;
  call.function = e.symbol + "_ctx";
  call.entry = e.run;
  for (const Tensor &t : e.inputs)
    call.inputBytes.push_back(t.bytes);
  for (const Tensor &t : e.outputs)
    call.outputBytes.push_back(t.bytes);
  call.stateOutput = e.hasState;
  call.inputs = in;
  call.outputs = out;
  call.deviceBuffers = options.deviceBuffers;
  call.scratchNeeded = e.scratchBytes;
  call.callerScratch = scratch.given ? reinterpret_cast<uintptr_t>(scratch.data) : 0;
  call.callerScratchBytes = scratch.given ? scratch.bytes : 0;
  int code = model.cuda->run(call);
  // Device code never allocates (its scratch is always given), so KILN_CODE_OUT_OF_MEMORY is not the
  // caller's out-of-memory but a broken contract: an execution error, as failWithCode treats it when scratch
  // was given.
  if (code != KILN_CODE_OK)
    failWithCode(e, Scratch{true, nullptr, 0}, code);
}

void runChecked(const kiln_model_t *model, size_t entry, const kiln_input_t *inputs, size_t numInputs,
                const kiln_output_t *outputs, size_t numOutputs, const RunOptions &options) {
  const EntryPoint &e = entryAt(model, entry);
  const Scratch &scratch = options.scratch;
  size_t threads = options.threads;
  if (!model->handle)
    fail(KILN_ERROR_INVALID_ARGUMENT, "model " + quote(model->name) +
                                          " was opened with kiln_model_load_manifest; use kiln_model_load to run it");
  if (options.deviceBuffers && !model->cuda)
    fail(KILN_ERROR_INVALID_ARGUMENT, "options->device_buffers is set, but model " + quote(model->name) +
                                          " runs on the CPU: its buffers are host memory");
  std::vector<const void *> in;
  std::vector<void *> out;
  checkBuffers(e, "input", e.inputs, inputs, numInputs, in);
  checkBuffers(e, "output", e.outputs, outputs, numOutputs, out);
  checkScratch(e, scratch);
  checkNoOverlap(e, inputs, outputs, scratch);
  if (model->cuda)
    return runOnDevice(*model, e, in.data(), out.data(), options);
  // A run without the caller's scratch borrows one of the model's buffers (given back on every path).
  struct Lent {
    ScratchBuffers &buffers;
    void *data = nullptr;
    size_t capacity = 0;
    ~Lent() {
      if (data)
        buffers.give(data, capacity);
    }
  } lentScratch{model->scratch};
  Scratch used = scratch;
  if (!scratch.given && e.scratchBytes != 0) {
    lentScratch.data = model->scratch.take(e.scratchBytes, lentScratch.capacity);
    if (!lentScratch.data)
      fail(KILN_ERROR_OUT_OF_MEMORY, "could not allocate the " + std::to_string(e.scratchBytes) +
                                         " bytes of scratch memory of " + ownerOf(e));
    used = Scratch{true, lentScratch.data, lentScratch.capacity};
  }
  kiln_context_t ctx = contextFor(*model, used);
  LentPool lent{&model->pools, model->pools.grantThreads(threads == 0 ? defaultThreads() : threads,
                                                         availableCpus())};
  if (lent.threads > 1) {
    ctx.parallel_for = parallelFor;
    ctx.pool = &lent;
    ctx.num_threads = static_cast<uint32_t>(lent.threads);
  }
  int code = e.run(&ctx, in.data(), out.data());
  if (lent.pool)
    model->pools.givePool(std::move(lent.pool));
  model->pools.giveBackThreads(lent.threads);
  if (code != KILN_CODE_OK)
    failWithCode(e, scratch, code);
}

// The struct_size of kiln_run_options_t before device_buffers was added (runtime 0.2.0's header): callers
// compiled against it are still accepted, and get the default for the fields they lack.
constexpr size_t kRunOptionsSizeWithoutDeviceBuffers = offsetof(kiln_run_options_t, device_buffers);

RunOptions readOptions(const kiln_run_options_t *options) {
  if (!options)
    return {};
  size_t size = options->struct_size;
  if (size != sizeof(kiln_run_options_t) && size != kRunOptionsSizeWithoutDeviceBuffers)
    fail(KILN_ERROR_INVALID_ARGUMENT, "options->struct_size is " + std::to_string(size) + ", expected " +
                                          std::to_string(sizeof(kiln_run_options_t)) +
                                          "; initialize options with KILN_RUN_OPTIONS_INIT");
  if (!options->scratch && options->scratch_bytes != 0)
    fail(KILN_ERROR_INVALID_ARGUMENT, "options->scratch is NULL but options->scratch_bytes is " +
                                          std::to_string(options->scratch_bytes));
  RunOptions result;
  if (options->scratch)
    result.scratch = {true, options->scratch, options->scratch_bytes};
  result.threads = options->num_threads;
  result.deviceBuffers = size > kRunOptionsSizeWithoutDeviceBuffers && options->device_buffers != 0;
  return result;
}

} // namespace

// The C API -----------------------------------------------------------------------------------------------

extern "C" {

const char *kiln_status_string(kiln_status_t status) {
  static const char *const kNames[] = {"KILN_OK",         "KILN_ERROR_INVALID_ARGUMENT", "KILN_ERROR_NOT_FOUND",
                                       "KILN_ERROR_IO",   "KILN_ERROR_BAD_MANIFEST",     "KILN_ERROR_LOAD",
                                       "KILN_ERROR_OUT_OF_MEMORY", "KILN_ERROR_EXECUTION"};
  int index = enumBits(status);
  return index >= 0 && static_cast<size_t>(index) < sizeof kNames / sizeof kNames[0] ? kNames[index]
                                                                                     : "KILN_ERROR_UNKNOWN";
}

const char *kiln_last_error(void) {
  return tlsLastErrorLost ? "kiln: out of memory while reporting an error" : tlsLastError.c_str();
}

#define KILN_STRINGIFY2(x) #x
#define KILN_STRINGIFY(x) KILN_STRINGIFY2(x)
const char *kiln_runtime_version(void) {
  return KILN_STRINGIFY(KILN_RUNTIME_VERSION_MAJOR) "." KILN_STRINGIFY(KILN_RUNTIME_VERSION_MINOR) "." KILN_STRINGIFY(
      KILN_RUNTIME_VERSION_PATCH);
}

size_t kiln_dtype_size(kiln_dtype_t dtype) {
  const DtypeEntry *entry = dtypeEntry(dtype);
  return entry ? entry->size : 0;
}

size_t kiln_dtype_bits(kiln_dtype_t dtype) {
  const DtypeEntry *entry = dtypeEntry(dtype);
  return entry ? entry->bits : 0;
}

const char *kiln_dtype_name(kiln_dtype_t dtype) {
  const DtypeEntry *entry = dtypeEntry(dtype);
  return entry ? entry->numpyName : nullptr;
}

kiln_status_t kiln_dtype_from_name(const char *name, kiln_dtype_t *out_dtype) {
  return guarded("kiln_dtype_from_name", KILN_ERROR_INVALID_ARGUMENT, [&] {
    if (!name)
      fail(KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
    if (!out_dtype)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_dtype is NULL");
    if (!dtypeFromName(name, *out_dtype))
      fail(KILN_ERROR_INVALID_ARGUMENT, "unknown dtype " + quote(name));
  });
}

kiln_status_t kiln_model_load(const char *path, kiln_model_t **out_model) {
  return load("kiln_model_load", path, out_model, true);
}

kiln_status_t kiln_model_load_manifest(const char *path, kiln_model_t **out_model) {
  return load("kiln_model_load_manifest", path, out_model, false);
}

void kiln_model_destroy(kiln_model_t *model) { delete model; }

const char *kiln_model_name(const kiln_model_t *model) { return model ? model->name.c_str() : nullptr; }

kiln_status_t kiln_model_info(const kiln_model_t *model, kiln_model_info_t *out_info) {
  return guarded("kiln_model_info", KILN_ERROR_INVALID_ARGUMENT, [&] {
    checkModel(model);
    if (!out_info)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
    const EntryPoint *run = runEntryOrNull(model);
    *out_info = {model->name.c_str(),        model->source.c_str(),
                 model->kilnVersion.c_str(), model->triple.c_str(),
                 model->cpu.c_str(),         model->features.c_str(),
                 model->signature.c_str(),   model->manifestPath.c_str(),
                 model->libraryPath.c_str(), model->handle ? 1 : 0,
                 run ? run->scratchBytes : 0, run ? run->inputs.size() : 0,
                 run ? run->outputs.size() : 0, model->entries.size(),
                 model->weightsPath.c_str(), model->weightsBytes,
                 model->weights.size()};
  });
}

// Entry points

size_t kiln_model_entry_point_count(const kiln_model_t *model) { return model ? model->entries.size() : 0; }

kiln_status_t kiln_model_find_entry_point(const kiln_model_t *model, const char *name, size_t *out_entry) {
  return guarded("kiln_model_find_entry_point", KILN_ERROR_INVALID_ARGUMENT, [&] {
    checkModel(model);
    if (!name)
      fail(KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
    if (!out_entry)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_entry is NULL");
    for (size_t i = 0; i < model->entries.size(); ++i)
      if (model->entries[i].name == name)
        return void(*out_entry = i);
    fail(KILN_ERROR_NOT_FOUND, "model " + quote(model->name) + " has no entry point " + quote(name) + " (it has " +
                                   entryNames(*model) + ")");
  });
}

kiln_status_t kiln_model_entry_point_info(const kiln_model_t *model, size_t entry,
                                          kiln_entry_point_info_t *out_info) {
  return guarded("kiln_model_entry_point_info", KILN_ERROR_INVALID_ARGUMENT, [&] {
    const EntryPoint &e = entryAt(model, entry);
    if (!out_info)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
    *out_info = {e.name.c_str(), e.symbol.c_str(), e.scratchBytes, e.inputs.size(), e.outputs.size()};
  });
}

kiln_status_t kiln_model_entry_input_info(const kiln_model_t *model, size_t entry, size_t index,
                                          kiln_tensor_info_t *out_info) {
  return guarded("kiln_model_entry_input_info", KILN_ERROR_INVALID_ARGUMENT,
                 [&] { tensorInfo(model, entry, index, out_info, true); });
}

kiln_status_t kiln_model_entry_output_info(const kiln_model_t *model, size_t entry, size_t index,
                                           kiln_tensor_info_t *out_info) {
  return guarded("kiln_model_entry_output_info", KILN_ERROR_INVALID_ARGUMENT,
                 [&] { tensorInfo(model, entry, index, out_info, false); });
}

kiln_status_t kiln_model_entry_find_input(const kiln_model_t *model, size_t entry, const char *name,
                                          size_t *out_index) {
  return guarded("kiln_model_entry_find_input", KILN_ERROR_INVALID_ARGUMENT,
                 [&] { findTensor(model, entry, name, out_index, true); });
}

kiln_status_t kiln_model_entry_find_output(const kiln_model_t *model, size_t entry, const char *name,
                                           size_t *out_index) {
  return guarded("kiln_model_entry_find_output", KILN_ERROR_INVALID_ARGUMENT,
                 [&] { findTensor(model, entry, name, out_index, false); });
}

// The entry point "run"

size_t kiln_model_scratch_bytes(const kiln_model_t *model) {
  const EntryPoint *run = runEntryOrNull(model);
  return run ? run->scratchBytes : 0;
}

size_t kiln_model_input_count(const kiln_model_t *model) {
  const EntryPoint *run = runEntryOrNull(model);
  return run ? run->inputs.size() : 0;
}

size_t kiln_model_output_count(const kiln_model_t *model) {
  const EntryPoint *run = runEntryOrNull(model);
  return run ? run->outputs.size() : 0;
}

kiln_status_t kiln_model_input_info(const kiln_model_t *model, size_t index, kiln_tensor_info_t *out_info) {
  return guarded("kiln_model_input_info", KILN_ERROR_INVALID_ARGUMENT,
                 [&] { tensorInfo(model, runEntryIndex(model), index, out_info, true); });
}

kiln_status_t kiln_model_output_info(const kiln_model_t *model, size_t index, kiln_tensor_info_t *out_info) {
  return guarded("kiln_model_output_info", KILN_ERROR_INVALID_ARGUMENT,
                 [&] { tensorInfo(model, runEntryIndex(model), index, out_info, false); });
}

kiln_status_t kiln_model_find_input(const kiln_model_t *model, const char *name, size_t *out_index) {
  return guarded("kiln_model_find_input", KILN_ERROR_INVALID_ARGUMENT,
                 [&] { findTensor(model, runEntryIndex(model), name, out_index, true); });
}

kiln_status_t kiln_model_find_output(const kiln_model_t *model, const char *name, size_t *out_index) {
  return guarded("kiln_model_find_output", KILN_ERROR_INVALID_ARGUMENT,
                 [&] { findTensor(model, runEntryIndex(model), name, out_index, false); });
}

// External weights

kiln_status_t kiln_model_weight_info(const kiln_model_t *model, size_t index, kiln_weight_info_t *out_info) {
  return guarded("kiln_model_weight_info", KILN_ERROR_INVALID_ARGUMENT, [&] {
    checkModel(model);
    if (!out_info)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
    if (index >= model->weights.size())
      fail(KILN_ERROR_INVALID_ARGUMENT, "weight index " + std::to_string(index) + " is out of range; the model has " +
                                            std::to_string(model->weights.size()) +
                                            (model->externalWeights ? "" : " (its weights are embedded)"));
    const Weight &w = model->weights[index];
    const auto *base = static_cast<const unsigned char *>(model->weightsData);
    *out_info = {infoOf(w.tensor), w.offset, base ? base + w.offset : nullptr};
  });
}

kiln_status_t kiln_model_find_weight(const kiln_model_t *model, const char *name, size_t *out_index) {
  return guarded("kiln_model_find_weight", KILN_ERROR_INVALID_ARGUMENT, [&] {
    checkModel(model);
    if (!name)
      fail(KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
    if (!out_index)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_index is NULL");
    for (size_t i = 0; i < model->weights.size(); ++i)
      if (model->weights[i].tensor.name == name)
        return void(*out_index = i);
    fail(KILN_ERROR_NOT_FOUND, "model " + quote(model->name) + " has no weight " + quote(name) +
                                   (model->externalWeights ? "" : " (its weights are embedded)"));
  });
}

// Devices

kiln_status_t kiln_model_device_info(const kiln_model_t *model, kiln_device_info_t *out_info) {
  return guarded("kiln_model_device_info", KILN_ERROR_INVALID_ARGUMENT, [&] {
    checkModel(model);
    if (!out_info)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
    const kiln_runtime::DeviceSpec &d = model->device;
    const kiln_runtime::CudaModel *cuda = model->cuda.get();
    *out_info = {d.kind.c_str(),
                 d.architectures.size(),
                 model->architectureNames.empty() ? nullptr : model->architectureNames.data(),
                 d.kernels.size(),
                 d.images.size(),
                 cuda ? cuda->ordinal() : -1,
                 cuda ? cuda->architecture().c_str() : "",
                 cuda ? cuda->image() : SIZE_MAX};
  });
}

kiln_status_t kiln_model_kernel_info(const kiln_model_t *model, size_t index, kiln_kernel_info_t *out_info) {
  return guarded("kiln_model_kernel_info", KILN_ERROR_INVALID_ARGUMENT, [&] {
    checkModel(model);
    if (!out_info)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
    const std::vector<kiln_runtime::KernelSpec> &kernels = model->device.kernels;
    if (index >= kernels.size())
      fail(KILN_ERROR_INVALID_ARGUMENT, "kernel index " + std::to_string(index) + " is out of range; the model has " +
                                            std::to_string(kernels.size()) +
                                            (model->device.kind == "cpu" ? " (it runs on the CPU)" : ""));
    const kiln_runtime::KernelSpec &k = kernels[index];
    *out_info = {k.name.c_str(), {k.grid[0], k.grid[1], k.grid[2]}, {k.block[0], k.block[1], k.block[2]},
                 k.sharedBytes, k.params};
  });
}

kiln_status_t kiln_model_image_info(const kiln_model_t *model, size_t index, kiln_image_info_t *out_info) {
  return guarded("kiln_model_image_info", KILN_ERROR_INVALID_ARGUMENT, [&] {
    checkModel(model);
    if (!out_info)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
    const std::vector<kiln_runtime::ImageSpec> &images = model->device.images;
    if (index >= images.size())
      fail(KILN_ERROR_INVALID_ARGUMENT, "image index " + std::to_string(index) + " is out of range; the model has " +
                                            std::to_string(images.size()) +
                                            (model->device.kind == "cpu" ? " (it runs on the CPU)" : ""));
    const kiln_runtime::ImageSpec &image = images[index];
    *out_info = {image.architecture.c_str(), image.format.c_str(), image.path.c_str(),
                 model->cuda && model->cuda->image() == index ? 1 : 0};
  });
}

// Running

kiln_status_t kiln_model_run_entry(const kiln_model_t *model, size_t entry, const kiln_input_t *inputs,
                                   size_t num_inputs, const kiln_output_t *outputs, size_t num_outputs,
                                   const kiln_run_options_t *options) {
  return guarded("kiln_model_run_entry", KILN_ERROR_EXECUTION, [&] {
    entryAt(model, entry); // an unknown entry point is reported before anything about its options
    runChecked(model, entry, inputs, num_inputs, outputs, num_outputs, readOptions(options));
  });
}

kiln_status_t kiln_model_run(const kiln_model_t *model, const kiln_input_t *inputs, size_t num_inputs,
                             const kiln_output_t *outputs, size_t num_outputs) {
  return guarded("kiln_model_run", KILN_ERROR_EXECUTION, [&] {
    runChecked(model, runEntryIndex(model), inputs, num_inputs, outputs, num_outputs, RunOptions{});
  });
}

kiln_status_t kiln_model_run_with_scratch(const kiln_model_t *model, const kiln_input_t *inputs,
                                          size_t num_inputs, const kiln_output_t *outputs, size_t num_outputs,
                                          void *scratch, size_t scratch_bytes) {
  return guarded("kiln_model_run_with_scratch", KILN_ERROR_EXECUTION, [&] {
    RunOptions options;
    options.scratch = {true, scratch, scratch_bytes};
    runChecked(model, runEntryIndex(model), inputs, num_inputs, outputs, num_outputs, options);
  });
}

// Training state

size_t kiln_model_state_bytes(const kiln_model_t *model) { return model ? model->stateBytes : 0; }

size_t kiln_model_state_tensor_count(const kiln_model_t *model) { return model ? model->state.size() : 0; }

kiln_status_t kiln_model_state_tensor_info(const kiln_model_t *model, size_t index,
                                           kiln_state_tensor_info_t *out_info) {
  return guarded("kiln_model_state_tensor_info", KILN_ERROR_INVALID_ARGUMENT, [&] {
    checkModel(model);
    if (!out_info)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
    if (index >= model->state.size())
      fail(KILN_ERROR_INVALID_ARGUMENT, "state tensor index " + std::to_string(index) +
                                            " is out of range; the model has " +
                                            std::to_string(model->state.size()));
    const Weight &t = model->state[index];
    *out_info = {infoOf(t.tensor), t.offset};
  });
}

kiln_status_t kiln_model_find_state_tensor(const kiln_model_t *model, const char *name, size_t *out_index) {
  return guarded("kiln_model_find_state_tensor", KILN_ERROR_INVALID_ARGUMENT, [&] {
    checkModel(model);
    if (!name)
      fail(KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
    if (!out_index)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_index is NULL");
    for (size_t i = 0; i < model->state.size(); ++i)
      if (model->state[i].tensor.name == name)
        return void(*out_index = i);
    fail(KILN_ERROR_NOT_FOUND, "model " + quote(model->name) + " has no state tensor " + quote(name) +
                                   (model->state.empty() ? " (it has no training state: compile it with --train)"
                                                         : ""));
  });
}

namespace {

// Runs entry point |name|, whose last output is the state buffer, with the caller's outputs and then |state|.
void runWithState(const kiln_model_t *model, const char *name, void *state, size_t stateBytes,
                  const kiln_input_t *inputs, size_t numInputs, const kiln_output_t *outputs, size_t numOutputs,
                  const kiln_run_options_t *options) {
  checkModel(model);
  size_t entry = 0;
  const EntryPoint *e = nullptr;
  for (size_t i = 0; i < model->entries.size(); ++i)
    if (model->entries[i].name == name && model->entries[i].hasState)
      e = &model->entries[entry = i];
  if (!e)
    fail(KILN_ERROR_NOT_FOUND, "model " + quote(model->name) + " has no entry point " + quote(name) +
                                   " with a training state; compile it with kiln compile --train");
  if (!state)
    fail(KILN_ERROR_INVALID_ARGUMENT, "state is NULL");
  if (stateBytes != model->stateBytes)
    fail(KILN_ERROR_INVALID_ARGUMENT, "state has " + std::to_string(stateBytes) + " bytes, the model's state has " +
                                          std::to_string(model->stateBytes));
  size_t expected = e->outputs.size() - 1;
  if (numOutputs != expected)
    fail(KILN_ERROR_INVALID_ARGUMENT, "got " + std::to_string(numOutputs) + " outputs, entry point " + quote(name) +
                                          " has " + std::to_string(expected) + " besides the state");
  if (!outputs && numOutputs != 0)
    fail(KILN_ERROR_INVALID_ARGUMENT, "outputs is NULL");
  std::vector<kiln_output_t> all(outputs, outputs + numOutputs);
  all.push_back({state, stateBytes});
  runChecked(model, entry, inputs, numInputs, all.data(), all.size(), readOptions(options));
}

} // namespace

kiln_status_t kiln_model_init_state(const kiln_model_t *model, void *state, size_t state_bytes,
                                    const kiln_run_options_t *options) {
  return guarded("kiln_model_init_state", KILN_ERROR_EXECUTION, [&] {
    runWithState(model, "init_state", state, state_bytes, nullptr, 0, nullptr, 0, options);
  });
}

kiln_status_t kiln_model_train_step(const kiln_model_t *model, void *state, size_t state_bytes,
                                    const kiln_input_t *inputs, size_t num_inputs, const kiln_output_t *outputs,
                                    size_t num_outputs, const kiln_run_options_t *options) {
  return guarded("kiln_model_train_step", KILN_ERROR_EXECUTION, [&] {
    runWithState(model, "train_step", state, state_bytes, inputs, num_inputs, outputs, num_outputs, options);
  });
}

} // extern "C"
