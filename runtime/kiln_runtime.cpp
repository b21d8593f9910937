// kiln_runtime.cpp: the C runtime behind kiln_runtime.h.
//
// C++17 inside, C outside. Internally, failures are thrown as `Failure{status, message}`; every extern "C"
// function catches everything at the boundary (see `guarded`) and turns it into a kiln_status_t plus a
// thread-local message, so no exception ever reaches a C caller.
//
// A model is immutable once kiln_model_load returns; that is what makes kiln_model_run thread-safe without
// locks. The contract implemented here is docs/artifact-format.md.
#include "kiln_runtime.h"

#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using Json = nlohmann::json;
using RunFn = int (*)(const void *const *, void *const *);
using RunWithScratchFn = int (*)(const void *const *, void *const *, void *);
using SignatureFn = const char *(*)(void);

// Manifests are a few KB; the cap keeps a wrong or hostile file from exhausting memory.
constexpr size_t kMaxManifestBytes = 16u << 20;
constexpr size_t kScratchAlignment = 64;

struct DtypeEntry {
  const char *numpyName; // manifest spelling
  const char *abiName;   // signature spelling
  size_t size;
};
// Indexed by kiln_dtype_t.
constexpr DtypeEntry kDtypes[] = {
    {"float16", "f16", 2}, {"bfloat16", "bf16", 2}, {"float32", "f32", 4}, {"float64", "f64", 8},
    {"bool", "i1", 1},     {"int8", "i8", 1},       {"int32", "i32", 4},   {"int64", "i64", 8},
};
constexpr size_t kNumDtypes = sizeof(kDtypes) / sizeof(kDtypes[0]);

const DtypeEntry *dtypeEntry(kiln_dtype_t dtype) {
  auto index = static_cast<size_t>(dtype);
  return index < kNumDtypes ? &kDtypes[index] : nullptr;
}

bool dtypeFromName(const std::string &name, kiln_dtype_t &out) {
  auto found = std::find_if(std::begin(kDtypes), std::end(kDtypes),
                            [&](const DtypeEntry &e) { return name == e.numpyName; });
  out = static_cast<kiln_dtype_t>(found - std::begin(kDtypes));
  return found != std::end(kDtypes);
}

struct Failure {
  kiln_status_t status;
  std::string message;
};

[[noreturn]] void fail(kiln_status_t status, std::string message) { throw Failure{status, std::move(message)}; }

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

std::string quote(const std::string &s) { return "'" + s + "'"; }

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

std::string signatureOf(const std::vector<Tensor> &inputs, const std::vector<Tensor> &outputs) {
  auto list = [](const std::vector<Tensor> &tensors) {
    std::string s;
    for (size_t i = 0; i < tensors.size(); ++i)
      s += (i ? "," : "") + escapeName(tensors[i].name) + ":" + kDtypes[tensors[i].dtype].abiName +
           dims(tensors[i].shape);
    return s;
  };
  return std::string(KILN_ABI_TAG) + ";inputs=" + list(inputs) + ";outputs=" + list(outputs);
}

} // namespace

// The model -----------------------------------------------------------------------------------------------

struct kiln_model {
  std::string name, source, kilnVersion, triple, cpu, features, signature;
  std::string manifestPath, libraryPath;
  size_t scratchBytes = 0;
  std::vector<Tensor> inputs, outputs;
  void *handle = nullptr; // dlopen handle; null for kiln_model_load_manifest
  RunFn run = nullptr;
  RunWithScratchFn runWithScratch = nullptr;

  kiln_model() = default;
  kiln_model(const kiln_model &) = delete;
  kiln_model &operator=(const kiln_model &) = delete;
  ~kiln_model() {
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
// Every message starts with the manifest's path and names the offending field ("inputs[0].shape[1]").

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
    const Json &shape = getContainer(entry, "shape", where + ".shape", Json::value_t::array);
    for (size_t d = 0; d < shape.size(); ++d) {
      std::string field = where + ".shape[" + std::to_string(d) + "]";
      uint64_t dim = count(shape[d], field);
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        bad("field '" + field + "' is too large");
      t.shape.push_back(static_cast<int64_t>(dim));
    }
    // Checked multiplication: a hostile shape must not wrap around to a small byte count.
    bool empty = std::find(t.shape.begin(), t.shape.end(), 0) != t.shape.end();
    uint64_t bytes = empty ? 0 : kDtypes[t.dtype].size;
    for (int64_t dim : t.shape) {
      if (bytes != 0 && static_cast<uint64_t>(dim) > std::numeric_limits<size_t>::max() / bytes)
        bad(where + " " + describe(t) + " is too large to address");
      bytes *= static_cast<uint64_t>(dim);
    }
    uint64_t declared = count(*get(entry, "bytes", where + ".bytes"), where + ".bytes");
    if (declared != bytes)
      bad(where + " " + quote(t.name) + " says " + std::to_string(declared) + " bytes, but " + describe(t) + " is " +
          std::to_string(bytes));
    t.bytes = static_cast<size_t>(bytes);
    return t;
  }

  std::vector<Tensor> tensors(const Json &doc, const char *key) const {
    const Json &list = getContainer(doc, key, key, Json::value_t::array);
    std::vector<Tensor> result;
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      result.push_back(tensor(list[i], key + ("[" + std::to_string(i) + "]")));
      if (!seen.insert(result.back().name).second)
        bad(std::string(key) + " has two tensors named " + quote(result.back().name));
    }
    return result;
  }
};

bool isCIdentifier(const std::string &s) {
  auto valid = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  return !s.empty() && !(s[0] >= '0' && s[0] <= '9') && std::all_of(s.begin(), s.end(), valid);
}

void parseManifest(kiln_model &m, const Location &where) {
  ManifestReader r{m.manifestPath};
  std::string text = readManifestText(m.manifestPath);
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error &e) {
    // e.what() starts with "[json.exception.parse_error.101] "; the rest is the useful part.
    std::string what = e.what();
    size_t bracket = what.find("] ");
    r.bad("not valid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
  if (!doc.is_object())
    r.bad("not a JSON object");

  std::string format = r.string(doc, "format", "format");
  if (format != "kiln-artifact")
    r.bad("format is " + quote(format) + ", expected 'kiln-artifact'");
  const Json &version = *r.get(doc, "format_version", "format_version");
  if (!version.is_number_integer() || version.get<int64_t>() != KILN_ARTIFACT_FORMAT_VERSION)
    r.bad("format_version " + version.dump() + " is not supported (this runtime reads " +
          std::to_string(KILN_ARTIFACT_FORMAT_VERSION) + ")");

  m.name = r.string(doc, "name", "name");
  if (!isCIdentifier(m.name))
    r.bad("name " + quote(m.name) + " is not a C identifier");
  std::string entry = r.string(doc, "entry", "entry");
  if (entry != m.name + "_run")
    r.bad("entry " + quote(entry) + " should be " + quote(m.name + "_run"));
  m.source = r.string(doc, "source", "source", false);
  m.kilnVersion = r.string(doc, "kiln_version", "kiln_version", false);
  const Json &target = r.getContainer(doc, "target", "target", Json::value_t::object);
  m.triple = r.string(target, "triple", "target.triple");
  m.cpu = r.string(target, "cpu", "target.cpu", false);
  m.features = r.string(target, "features", "target.features", false);
  uint64_t scratch = r.count(*r.get(doc, "scratch_bytes", "scratch_bytes"), "scratch_bytes");
  if (scratch > std::numeric_limits<size_t>::max() / 2)
    r.bad("scratch_bytes " + std::to_string(scratch) + " is too large");
  m.scratchBytes = static_cast<size_t>(scratch);

  m.inputs = r.tensors(doc, "inputs");
  m.outputs = r.tensors(doc, "outputs");
  m.signature = signatureOf(m.inputs, m.outputs);
  std::string declared = r.string(doc, "signature", "signature");
  if (declared != m.signature)
    r.bad("signature " + quote(declared) + " does not match its inputs and outputs " + quote(m.signature));

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
}

// Opening the library -------------------------------------------------------------------------------------

void *symbol(const kiln_model &m, const std::string &name) {
  void *address = dlsym(m.handle, name.c_str());
  if (!address)
    fail(KILN_ERROR_NOT_FOUND, "library " + quote(m.libraryPath) + " does not export " + quote(name));
  return address;
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
  // POSIX leaves object-to-function pointer casts to the platform; dlsym requires them to work.
  m.run = reinterpret_cast<RunFn>(symbol(m, m.name + "_run"));
  m.runWithScratch = reinterpret_cast<RunWithScratchFn>(symbol(m, m.name + "_run_with_scratch"));
  auto signatureFn = reinterpret_cast<SignatureFn>(symbol(m, m.name + "_signature"));
  const char *compiled = signatureFn();
  if (!compiled)
    fail(KILN_ERROR_LOAD, "library " + quote(m.libraryPath) + ": " + m.name + "_signature() returned NULL");
  if (m.signature != compiled)
    fail(KILN_ERROR_BAD_MANIFEST, m.manifestPath + ": signature " + quote(m.signature) +
                                      " differs from the library's " + quote(compiled) +
                                      "; the manifest and " + quote(m.libraryPath) + " do not belong together");
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
    *out_model = model.release();
  });
}

// Running -------------------------------------------------------------------------------------------------

// Stands in for the data pointer of a zero-byte tensor, which the generated code would reject if NULL.
alignas(64) unsigned char zeroByteTensor[64];

template <typename Buffer, typename Pointer>
void checkBuffers(const char *kind, const std::vector<Tensor> &tensors, const Buffer *buffers, size_t count,
                  std::vector<Pointer> &pointers) {
  if (count != tensors.size())
    fail(KILN_ERROR_INVALID_ARGUMENT, "got " + std::to_string(count) + " " + kind + "s, the model has " +
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
    pointers[i] = buffers[i].data ? static_cast<Pointer>(buffers[i].data) : zeroByteTensor;
  }
}

// The generated code writes each output as if no other buffer it touches
// shares its bytes (outputs are `restrict`), so an output overlapping an
// input, another output or the scratch buffer would silently give wrong
// results. Checked before any code runs.
struct Span {
  enum Kind { Input, Output, Scratch } kind;
  size_t index; // into the model's inputs or outputs
  uintptr_t begin, end;

  // Only built for the error message, off the normal path.
  std::string label(const kiln_model_t &model) const {
    if (kind == Scratch)
      return "the scratch buffer";
    const Tensor &t = kind == Input ? model.inputs[index] : model.outputs[index];
    return (kind == Input ? "input " : "output ") + std::to_string(index) + " " + quote(t.name);
  }
};

bool overlap(const Span &a, const Span &b) { return a.begin < b.end && b.begin < a.end; }

void checkNoOverlap(const kiln_model_t &model, const kiln_input_t *inputs, const kiln_output_t *outputs,
                    const void *scratch, size_t scratchBytes) {
  auto span = [](Span::Kind kind, size_t index, const void *data, size_t bytes) {
    uintptr_t begin = reinterpret_cast<uintptr_t>(data);
    return Span{kind, index, begin, begin + bytes};
  };
  std::vector<Span> others;
  for (size_t i = 0; i < model.inputs.size(); ++i)
    if (inputs[i].bytes != 0)
      others.push_back(span(Span::Input, i, inputs[i].data, inputs[i].bytes));
  if (scratch && scratchBytes != 0)
    others.push_back(span(Span::Scratch, 0, scratch, scratchBytes));
  for (size_t i = 0; i < model.outputs.size(); ++i) {
    if (outputs[i].bytes == 0)
      continue;
    Span out = span(Span::Output, i, outputs[i].data, outputs[i].bytes);
    for (const Span &other : others)
      if (overlap(out, other))
        fail(KILN_ERROR_INVALID_ARGUMENT, out.label(model) + " overlaps " + other.label(model) +
                                              "; outputs must not share memory with inputs, other outputs or scratch");
    others.push_back(out);
  }
}

// The NAME_ERROR_* codes of docs/artifact-format.md, for messages.
const char *generatedCodeMeaning(int code) {
  return code == 1   ? " (a NULL argument)"
         : code == 2 ? " (out of memory)"
         : code == 3 ? " (misaligned scratch)"
                     : "";
}

kiln_status_t run(const char *function, const kiln_model_t *model, const kiln_input_t *inputs, size_t numInputs,
                  const kiln_output_t *outputs, size_t numOutputs, bool withScratch, void *scratch,
                  size_t scratchBytes) {
  return guarded(function, KILN_ERROR_EXECUTION, [&] {
    if (!model)
      fail(KILN_ERROR_INVALID_ARGUMENT, "model is NULL");
    if (!model->run)
      fail(KILN_ERROR_INVALID_ARGUMENT, "model " + quote(model->name) +
                                            " was opened with kiln_model_load_manifest; use kiln_model_load to run it");
    std::vector<const void *> in;
    std::vector<void *> out;
    checkBuffers("input", model->inputs, inputs, numInputs, in);
    checkBuffers("output", model->outputs, outputs, numOutputs, out);
    checkNoOverlap(*model, inputs, outputs, withScratch ? scratch : nullptr, withScratch ? scratchBytes : 0);
    int code;
    if (withScratch) {
      if (scratchBytes < model->scratchBytes)
        fail(KILN_ERROR_INVALID_ARGUMENT, "scratch has " + std::to_string(scratchBytes) + " bytes, the model needs " +
                                              std::to_string(model->scratchBytes));
      if (!scratch && model->scratchBytes != 0)
        fail(KILN_ERROR_INVALID_ARGUMENT, "scratch is NULL");
      if (reinterpret_cast<uintptr_t>(scratch) % kScratchAlignment != 0)
        fail(KILN_ERROR_INVALID_ARGUMENT, "scratch is not " + std::to_string(kScratchAlignment) + "-byte aligned");
      code = model->runWithScratch(in.data(), out.data(), scratch ? scratch : zeroByteTensor);
    } else {
      code = model->run(in.data(), out.data());
    }
    std::string entry = model->name + (withScratch ? "_run_with_scratch" : "_run");
    if (code == 2 && !withScratch)
      fail(KILN_ERROR_OUT_OF_MEMORY, entry + " could not allocate its " + std::to_string(model->scratchBytes) +
                                         " bytes of scratch memory");
    if (code != 0)
      fail(KILN_ERROR_EXECUTION, entry + " returned " + std::to_string(code) + generatedCodeMeaning(code));
  });
}

kiln_status_t tensorInfo(const char *function, const kiln_model_t *model, size_t index, kiln_tensor_info_t *out,
                         bool input) {
  return guarded(function, KILN_ERROR_INVALID_ARGUMENT, [&] {
    if (!model)
      fail(KILN_ERROR_INVALID_ARGUMENT, "model is NULL");
    if (!out)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
    const std::vector<Tensor> &tensors = input ? model->inputs : model->outputs;
    if (index >= tensors.size())
      fail(KILN_ERROR_INVALID_ARGUMENT, std::string(input ? "input" : "output") + " index " + std::to_string(index) +
                                            " is out of range; the model has " + std::to_string(tensors.size()));
    static const int64_t kNoDims[1] = {0};
    const Tensor &t = tensors[index];
    *out = {t.name.c_str(), t.dtype, t.shape.size(), t.shape.empty() ? kNoDims : t.shape.data(), t.bytes};
  });
}

kiln_status_t findTensor(const char *function, const kiln_model_t *model, const char *name, size_t *out_index,
                         bool input) {
  return guarded(function, KILN_ERROR_INVALID_ARGUMENT, [&] {
    if (!model)
      fail(KILN_ERROR_INVALID_ARGUMENT, "model is NULL");
    if (!name)
      fail(KILN_ERROR_INVALID_ARGUMENT, "name is NULL");
    if (!out_index)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_index is NULL");
    const std::vector<Tensor> &tensors = input ? model->inputs : model->outputs;
    auto found = std::find_if(tensors.begin(), tensors.end(), [&](const Tensor &t) { return t.name == name; });
    if (found != tensors.end())
      return void(*out_index = static_cast<size_t>(found - tensors.begin()));
    std::vector<std::string> known;
    for (const Tensor &t : tensors)
      known.push_back(quote(t.name));
    fail(KILN_ERROR_NOT_FOUND, "model " + quote(model->name) + " has no " + (input ? "input " : "output ") +
                                   quote(name) + " (it has " + (known.empty() ? "none" : join(known)) + ")");
  });
}

} // namespace

// The C API -----------------------------------------------------------------------------------------------

extern "C" {

const char *kiln_status_string(kiln_status_t status) {
  static const char *const kNames[] = {"KILN_OK",         "KILN_ERROR_INVALID_ARGUMENT", "KILN_ERROR_NOT_FOUND",
                                       "KILN_ERROR_IO",   "KILN_ERROR_BAD_MANIFEST",     "KILN_ERROR_LOAD",
                                       "KILN_ERROR_OUT_OF_MEMORY", "KILN_ERROR_EXECUTION"};
  auto index = static_cast<size_t>(status);
  return index < sizeof kNames / sizeof kNames[0] ? kNames[index] : "KILN_ERROR_UNKNOWN";
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

size_t kiln_model_scratch_bytes(const kiln_model_t *model) { return model ? model->scratchBytes : 0; }

size_t kiln_model_input_count(const kiln_model_t *model) { return model ? model->inputs.size() : 0; }

size_t kiln_model_output_count(const kiln_model_t *model) { return model ? model->outputs.size() : 0; }

kiln_status_t kiln_model_input_info(const kiln_model_t *model, size_t index, kiln_tensor_info_t *out_info) {
  return tensorInfo("kiln_model_input_info", model, index, out_info, true);
}

kiln_status_t kiln_model_output_info(const kiln_model_t *model, size_t index, kiln_tensor_info_t *out_info) {
  return tensorInfo("kiln_model_output_info", model, index, out_info, false);
}

kiln_status_t kiln_model_find_input(const kiln_model_t *model, const char *name, size_t *out_index) {
  return findTensor("kiln_model_find_input", model, name, out_index, true);
}

kiln_status_t kiln_model_find_output(const kiln_model_t *model, const char *name, size_t *out_index) {
  return findTensor("kiln_model_find_output", model, name, out_index, false);
}

kiln_status_t kiln_model_info(const kiln_model_t *model, kiln_model_info_t *out_info) {
  return guarded("kiln_model_info", KILN_ERROR_INVALID_ARGUMENT, [&] {
    if (!model)
      fail(KILN_ERROR_INVALID_ARGUMENT, "model is NULL");
    if (!out_info)
      fail(KILN_ERROR_INVALID_ARGUMENT, "out_info is NULL");
    *out_info = {model->name.c_str(),        model->source.c_str(),       model->kilnVersion.c_str(),
                 model->triple.c_str(),      model->cpu.c_str(),          model->features.c_str(),
                 model->signature.c_str(),   model->manifestPath.c_str(), model->libraryPath.c_str(),
                 model->handle ? 1 : 0,      model->scratchBytes,         model->inputs.size(),
                 model->outputs.size()};
  });
}

kiln_status_t kiln_model_run(const kiln_model_t *model, const kiln_input_t *inputs, size_t num_inputs,
                             const kiln_output_t *outputs, size_t num_outputs) {
  return run("kiln_model_run", model, inputs, num_inputs, outputs, num_outputs, false, nullptr, 0);
}

kiln_status_t kiln_model_run_with_scratch(const kiln_model_t *model, const kiln_input_t *inputs,
                                          size_t num_inputs, const kiln_output_t *outputs, size_t num_outputs,
                                          void *scratch, size_t scratch_bytes) {
  return run("kiln_model_run_with_scratch", model, inputs, num_inputs, outputs, num_outputs, true, scratch,
             scratch_bytes);
}

} // extern "C"
