//===- ArtifactWriter.cpp - libNAME.so/.a, NAME.h, NAME.json --------------===//

#include "compiler/artifact/ArtifactWriter.h"

#include "ir/DTypes.h"
#include "runtime/kiln_abi.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>

using namespace mlir;
using namespace mlir::kiln;

#ifndef KILN_VERSION
#define KILN_VERSION "unknown"
#endif

int64_t TensorSpec::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int64_t TensorSpec::bytes() const {
  return bufferBytes(elementType, numElements());
}

std::string mlir::kiln::defaultArtifactName(StringRef modelPath) {
  std::string name;
  for (char c : llvm::sys::path::stem(modelPath))
    name += llvm::isAlnum(c) ? c : '_';
  if (name.empty() || llvm::isDigit(name[0]))
    name = "m_" + name;
  return name;
}

/// Text safe inside a C comment.
static std::string commentSafe(StringRef s) {
  std::string out;
  for (char c : s)
    out += llvm::isPrint(c) ? c : '?';
  size_t pos;
  while ((pos = out.find("*/")) != std::string::npos)
    out.replace(pos, 2, "*\\/");
  return out;
}

/// Text safe inside a C string literal: printable ASCII, with quotes,
/// backslashes and '?' (trigraphs) escaped, anything else as an octal escape.
static std::string cStringSafe(StringRef s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\' || c == '?') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (llvm::isPrint(c)) {
      out += static_cast<char>(c);
    } else {
      char octal[5];
      std::snprintf(octal, sizeof octal, "\\%03o", c);
      out += octal;
    }
  }
  return out;
}

/// runtime/kiln_abi.h, as the build read it (kKilnABIHeader).
#include "compiler/artifact/KilnABIHeader.inc"

/// PREFIX_RANK, _ELEMENTS, _BYTES and (rank > 0) the PREFIX_SHAPE array of
/// tensor `t`: an entry point's inputs and outputs, and the state tensors.
static void renderTensorMacros(llvm::raw_ostream &os, const std::string &prefix,
                               const TensorSpec &t) {
  os << "#define " << prefix << "_RANK " << t.shape.size() << "\n"
     << "#define " << prefix << "_ELEMENTS " << t.numElements() << "\n"
     << "#define " << prefix << "_BYTES " << t.bytes() << "\n";
  if (!t.shape.empty()) {
    os << "static const int64_t KILN_SHAPE_ATTRIBUTE " << prefix << "_SHAPE["
       << t.shape.size() << "] = {";
    llvm::interleaveComma(t.shape, os);
    os << "};\n";
  }
}

/// The macros and prototypes of one entry point. Macro names include the
/// entry point's name, except for `run`.
static void renderEntryPoint(llvm::raw_ostream &os, const ArtifactInfo &info,
                             const EntryPointSpec &e) {
  const std::string &n = info.name;
  std::string m = StringRef(n).upper();
  if (e.name != "run")
    m += "_" + StringRef(e.name).upper();
  std::string fn = n + "_" + e.name;
  os << "\n/* ---- Entry point \"" << e.name << "\": " << fn << ", " << fn
     << "_ctx ---- */\n\n"
     << "#define " << m << "_NUM_INPUTS " << e.inputs.size() << "\n"
     << "#define " << m << "_NUM_OUTPUTS " << e.outputs.size() << "\n"
     << "/* Bytes of scratch memory " << fn << "_ctx needs in ctx->scratch ("
     << KILN_SCRATCH_ALIGNMENT << "-byte aligned). */\n"
     << "#define " << m << "_SCRATCH_BYTES " << e.scratchBytes << "\n";
  auto tensors = [&](const char *kind, const std::vector<TensorSpec> &list) {
    for (auto [i, t] : llvm::enumerate(list)) {
      std::string p = m + "_" + kind + std::to_string(i);
      os << "\n/* " << StringRef(kind).lower() << " " << i << ": \""
         << commentSafe(t.name) << "\", " << dtypeName(t.elementType) << "[";
      llvm::interleaveComma(t.shape, os);
      os << "] */\n";
      renderTensorMacros(os, p, t);
    }
  };
  tensors("INPUT", e.inputs);
  tensors("OUTPUT", e.outputs);
  if (e.hasState)
    os << "\n/* output " << e.outputs.size() - 1 << ", \"state\", is the training state buffer ("
       << StringRef(n).upper() << "_STATE_* below): "
       << (e.inputs.empty() && e.outputs.size() == 1 ? "filled" : "read, then updated in place") << ". */\n";
  os << "\n/* Runs \"" << e.name << "\": inputs[i] and outputs[j] in the order above,\n"
     << " * dense row-major buffers; ctx may be NULL (serial, scratch allocated\n"
     << " * here" << (info.weights.empty() ? "" : ", but then the external weights are missing")
     << "). Returns KILN_CODE_OK or a KILN_CODE_* code. Reentrant. */\n"
     << "int " << fn << "_ctx(const kiln_context_t *ctx, const void *const *inputs,\n"
     << "    void *const *outputs);\n"
     << "/* " << fn << "_ctx(NULL, inputs, outputs). */\n"
     << "int " << fn << "(const void *const *inputs, void *const *outputs);\n";
}

std::string mlir::kiln::renderHeader(const ArtifactInfo &info) {
  std::string s;
  llvm::raw_string_ostream os(s);
  // Functions keep the artifact's name; macros use it upper-cased.
  const std::string &n = info.name;
  std::string m = StringRef(n).upper();
  std::string guard = "KILN_GENERATED_" + m + "_H";
  os << "/* " << n << ".h - generated by Kiln " << KILN_VERSION << " from "
     << commentSafe(info.source) << "\n"
     << " * for " << info.triple << " (" << info.cpu << "). Do not edit.\n"
     << " *\n"
     << " * Link with lib" << n << ".a (or lib" << n << ".so) and -lm. Inputs and\n"
     << " * outputs are dense row-major buffers in the order below; no output\n"
     << " * may share memory with an input or another output. See\n"
     << " * docs/artifact-format.md in Kiln for the full contract.\n"
     << " *\n"
     << " *   const void *in[" << m << "_NUM_INPUTS] = {...};\n"
     << " *   void *out[" << m << "_NUM_OUTPUTS] = {...};\n"
     << " *   int status = " << n << "_run(in, out);   (KILN_CODE_OK is 0)\n";
  if (!info.deviceKind.empty())
    os << " *\n"
       << " * A " << info.deviceKind << " artifact: its kernels are in " << n << ".<arch>.cubin / .ptx\n"
       << " * (" << info.kernels.size() << " kernels, listed in " << n << ".json). Every buffer an entry\n"
       << " * point takes is a device address, and it launches the kernels through\n"
       << " * ctx->device (kiln_device_t) on ctx->stream: use " << n << "_run_ctx with a\n"
       << " * context that has them, or Kiln's runtime (kiln_model_run), which loads the\n"
       << " * images and uploads " << n << ".weights.bin. " << n << "_run without a context\n"
       << " * returns KILN_CODE_NO_DEVICE.\n";
  os << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "/* ---- runtime/kiln_abi.h of Kiln " << KILN_VERSION
     << ", verbatim ---- */\n"
     << kKilnABIHeader
     << "/* ---- end of kiln_abi.h ---- */\n\n"
     << "#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* The shape arrays are unused in most programs that include this. */\n"
     << "#if defined(__GNUC__) && !defined(KILN_SHAPE_ATTRIBUTE)\n"
     << "#define KILN_SHAPE_ATTRIBUTE __attribute__((unused))\n"
     << "#elif !defined(KILN_SHAPE_ATTRIBUTE)\n"
     << "#define KILN_SHAPE_ATTRIBUTE\n"
     << "#endif\n";
  for (const EntryPointSpec &e : info.entryPoints)
    renderEntryPoint(os, info, e);
  if (info.stateBytes) {
    os << "\n/* ---- Training state ---- */\n\n"
       << "/* One caller-owned buffer of " << m << "_STATE_BYTES bytes holds every trained\n"
       << " * weight and the optimizer state. " << n << "_init_state fills it (its only\n"
       << " * output); " << n << "_train_step reads it and updates it in place (its last\n"
       << " * output; the buffer must not overlap any other). Tensor i lies at byte\n"
       << " * " << m << "_STATE<i>_OFFSET (a multiple of KILN_STATE_ALIGNMENT), dense,\n"
       << " * row-major, little-endian: save and restore the buffer as bytes, or read a\n"
       << " * tensor at its offset. Element alignment suffices for the buffer itself. */\n"
       << "#define " << m << "_STATE_BYTES " << info.stateBytes << "\n"
       << "#define " << m << "_STATE_NUM_TENSORS " << info.state.size() << "\n";
    for (auto [i, st] : llvm::enumerate(info.state)) {
      const TensorSpec &t = st.tensor;
      std::string p = m + "_STATE" + std::to_string(i);
      os << "\n/* state tensor " << i << ": \"" << commentSafe(t.name) << "\", "
         << dtypeName(t.elementType) << "[";
      llvm::interleaveComma(t.shape, os);
      os << "] */\n"
         << "#define " << p << "_NAME \"" << cStringSafe(t.name) << "\"\n"
         << "#define " << p << "_OFFSET " << st.offset << "\n";
      renderTensorMacros(os, p, t);
    }
  }
  if (!info.weights.empty())
    os << "\n/* External weights: pass the contents of this file (read or mmap'ed)\n"
       << " * as ctx->weights, and its size as ctx->weights_bytes. */\n"
       << "#define " << m << "_WEIGHTS_FILE \"" << n << ".weights.bin\"\n"
       << "#define " << m << "_WEIGHTS_BYTES " << info.weightsBytes << "\n";
  os << "\n/* The signature this code was compiled for (static storage). */\n"
     << "const char *" << n << "_signature(void);\n\n"
     << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* " << guard
     << " */\n";
  return s;
}

std::string mlir::kiln::renderManifest(const ArtifactInfo &info) {
  using Json = nlohmann::ordered_json;
  auto tensor = [](const TensorSpec &t) {
    return Json{{"name", t.name},
                {"dtype", dtypeName(t.elementType)},
                {"shape", std::vector<int64_t>(t.shape.begin(), t.shape.end())},
                {"bytes", t.bytes()}};
  };
  auto tensors = [&](const std::vector<TensorSpec> &list) {
    Json array = Json::array();
    for (const TensorSpec &t : list)
      array.push_back(tensor(t));
    return array;
  };
  Json entries = Json::array();
  for (const EntryPointSpec &e : info.entryPoints) {
    Json outputs = tensors(e.outputs);
    if (e.hasState)
      outputs.back()["state"] = true;
    entries.push_back({{"name", e.name},
                       {"symbol", info.name + "_" + e.name},
                       {"scratch_bytes", e.scratchBytes},
                       {"inputs", tensors(e.inputs)},
                       {"outputs", outputs}});
  }
  Json m = {
      {"format", KILN_ARTIFACT_FORMAT},
      {"format_version", KILN_ARTIFACT_FORMAT_VERSION},
      {"kiln_version", KILN_VERSION},
      {"name", info.name},
      {"source", info.source},
      {"target", {{"triple", info.triple}, {"cpu", info.cpu}, {"features", info.features}}},
      {"signature", info.signature},
      {"entry_points", entries},
  };
  if (!info.weights.empty()) {
    Json weights = Json::array();
    for (const WeightSpec &w : info.weights) {
      Json t = tensor(w.tensor);
      t["offset"] = w.offset;
      weights.push_back(t);
    }
    m["weights"] = {{"bytes", info.weightsBytes}, {"tensors", weights}};
  }
  if (info.stateBytes) {
    m["source_path"] = info.sourcePath;
    Json state = Json::array();
    for (const StateTensorSpec &st : info.state) {
      Json t = tensor(st.tensor);
      t["offset"] = st.offset;
      state.push_back(t);
    }
    m["state"] = {{"bytes", info.stateBytes}, {"tensors", state}};
  }
  if (!info.deviceKind.empty()) {
    Json kernels = Json::array(), images = Json::array();
    for (const KernelSpec &k : info.kernels)
      kernels.push_back({{"name", k.name},
                         {"entry", k.entry},
                         {"grid", k.grid},
                         {"block", k.block},
                         {"shared_bytes", k.sharedBytes},
                         {"params", k.params}});
    for (const DeviceImage &image : info.images)
      images.push_back({{"architecture", image.architecture},
                        {"format", image.format},
                        {"file", imageFileName(info, image)}});
    m["device"] = {{"kind", info.deviceKind},
                   {"architectures", info.gpuArchitectures},
                   {"kernels", kernels},
                   {"images", images}};
  }
  Json files;
  if (info.sharedLibrary)
    files["shared_library"] = "lib" + info.name + ".so";
  files["static_library"] = "lib" + info.name + ".a";
  files["header"] = info.name + ".h";
  if (!info.weights.empty())
    files["weights"] = info.name + ".weights.bin";
  m["files"] = files;
  return m.dump(2, ' ', /*ensure_ascii=*/false,
                nlohmann::ordered_json::error_handler_t::replace) +
         "\n";
}

std::string mlir::kiln::renderWeights(const ArtifactInfo &info) {
  std::string bytes(info.weightsBytes, '\0');
  for (const WeightSpec &w : info.weights) {
    // Dense float data is stored little-endian, element after element, as
    // the ABI wants it; a splat stores its one element.
    ArrayRef<char> raw = w.value.getRawData();
    int64_t size = w.tensor.bytes();
    if (w.value.isSplat()) {
      for (int64_t at = 0; at < size; at += raw.size())
        std::memcpy(&bytes[w.offset + at], raw.data(), raw.size());
    } else {
      std::memcpy(&bytes[w.offset], raw.data(), size);
    }
  }
  return bytes;
}

/// The C compiler driver used as the linker: $CC, else cc, gcc or clang.
static std::string findLinker() {
  if (std::optional<std::string> cc = llvm::sys::Process::GetEnv("CC"))
    if (auto path = llvm::sys::findProgramByName(*cc))
      return *path;
  for (const char *name : {"cc", "gcc", "clang", "clang-19"})
    if (auto path = llvm::sys::findProgramByName(name))
      return *path;
  return {};
}

static LogicalResult writeFile(Location loc, StringRef path, StringRef data) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (!ec) {
    os << data;
    os.close();
    ec = os.error();
  }
  if (ec)
    return emitError(loc) << "cannot write " << path << ": " << ec.message();
  return success();
}

/// Links `objectPaths` into a shared library. -z defs makes any symbol outside
/// libc/libm an error here rather than at load time.
static LogicalResult linkSharedLibrary(Location loc, ArrayRef<std::string> objectPaths,
                                       StringRef output, StringRef soname) {
  std::string linker = findLinker();
  if (linker.empty())
    return emitError(loc) << "no C compiler driver (cc, gcc or clang) found to "
                             "link the shared library; install one or set CC";
  SmallString<128> log;
  llvm::sys::fs::createTemporaryFile("kiln-link", "log", log);
  auto removeLog = llvm::make_scope_exit([&] { llvm::sys::fs::remove(log); });
  std::string sonameFlag = ("-Wl,-soname," + soname).str();
  SmallVector<StringRef> args = {linker, "-shared", "-o", output};
  args.append(objectPaths.begin(), objectPaths.end());
  args.append({"-lm", "-Wl,-z,defs", sonameFlag});
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(linker, args, std::nullopt, redirects,
                                     /*SecondsToWait=*/300, 0, &error);
  if (rc == 0)
    return success();
  std::string detail = error;
  if (auto buffer = llvm::MemoryBuffer::getFile(log))
    detail += (*buffer)->getBuffer().trim().str();
  return emitError(loc) << "linking " << llvm::sys::path::filename(output)
                        << " with " << linker << " failed: " << detail;
}

std::string mlir::kiln::imageFileName(const ArtifactInfo &info, const DeviceImage &image) {
  return info.name + "." + image.architecture + "." + image.format;
}

LogicalResult mlir::kiln::writeArtifact(Location loc, StringRef dir,
                                        const ArtifactInfo &info,
                                        const CodeObjects &objects) {
  // DIR as an absolute path without '.' or '..' components, so that walking
  // up its parents below names the folders that creating it will create.
  SmallString<256> folder(dir);
  llvm::sys::fs::make_absolute(folder);
  llvm::sys::path::remove_dots(folder, /*remove_dot_dot=*/true);
  // The outermost folder this call creates (DIR or one of its parents), if
  // any: a failure removes it again, so nothing is left behind.
  SmallString<256> created, p(folder);
  while (!p.empty() && !llvm::sys::fs::exists(p)) {
    created = p;
    llvm::sys::path::remove_filename(p);
    if (p == created) // nothing left to strip
      break;
  }
  if (std::error_code ec = llvm::sys::fs::create_directories(folder))
    return emitError(loc) << "cannot create " << dir << ": " << ec.message();
  bool complete = false;
  auto removeCreated = llvm::make_scope_exit([&] {
    if (!complete && !created.empty())
      llvm::sys::fs::remove_directories(created);
  });
  // Stage everything in a private folder inside DIR, then rename into place:
  // an existing DIR keeps its files unless all new ones are ready.
  // (createUniqueDirectory would put a relative pattern under the temp
  // folder; `folder` is absolute.)
  SmallString<256> staging(folder);
  llvm::sys::path::append(staging, ".kiln-staging");
  SmallString<256> stagingDir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory(staging, stagingDir))
    return emitError(loc) << "cannot write into " << dir << ": " << ec.message();
  auto cleanup = llvm::make_scope_exit(
      [&] { llvm::sys::fs::remove_directories(stagingDir); });
  auto staged = [&](StringRef file) {
    SmallString<256> p(stagingDir);
    llvm::sys::path::append(p, file);
    return std::string(p);
  };

  // The target's objects, as NAME.o, or NAME.0.o, NAME.1.o, ... when it
  // made several (the CPU target compiles a model in parts, in parallel).
  const std::string &n = info.name;
  const std::vector<std::string> &objectData = objects.hostObjects;
  std::vector<std::string> memberNames, objectFiles;
  for (size_t i = 0; i < objectData.size(); ++i) {
    memberNames.push_back(objectData.size() == 1 ? n + ".o" : n + "." + std::to_string(i) + ".o");
    objectFiles.push_back(staged(memberNames.back()));
    if (failed(writeFile(loc, objectFiles.back(), objectData[i])))
      return failure();
  }

  // The members' names must outlive `members`: MemoryBufferRef keeps a
  // reference to them, and writeArchive reads them (a temporary here was a
  // stack-use-after-scope, found by ASan).
  std::vector<llvm::NewArchiveMember> members;
  for (size_t i = 0; i < objectData.size(); ++i)
    members.emplace_back(llvm::MemoryBufferRef(objectData[i], memberNames[i]));
  if (llvm::Error e = llvm::writeArchive(
          staged("lib" + n + ".a"), members,
          llvm::SymtabWritingMode::NormalSymtab, llvm::object::Archive::K_GNU,
          /*Deterministic=*/true, /*Thin=*/false))
    return emitError(loc) << "cannot write lib" << n
                          << ".a: " << llvm::toString(std::move(e));
  if ((info.sharedLibrary &&
       failed(linkSharedLibrary(loc, objectFiles, staged("lib" + n + ".so"),
                                "lib" + n + ".so"))) ||
      failed(writeFile(loc, staged(n + ".h"), renderHeader(info))) ||
      failed(writeFile(loc, staged(n + ".json"), renderManifest(info))) ||
      (!info.weights.empty() &&
       failed(writeFile(loc, staged(n + ".weights.bin"), renderWeights(info)))))
    return failure();

  SmallVector<std::string> files = {"lib" + n + ".a", n + ".h", n + ".json"};
  if (info.sharedLibrary)
    files.push_back("lib" + n + ".so");
  if (!info.weights.empty())
    files.push_back(n + ".weights.bin");
  for (const DeviceImage &image : info.images) {
    std::string file = imageFileName(info, image);
    if (failed(writeFile(loc, staged(file), image.bytes)))
      return failure();
    files.push_back(file);
  }
  for (const std::string &file : files) {
    SmallString<256> target(folder);
    llvm::sys::path::append(target, file);
    if (std::error_code ec = llvm::sys::fs::rename(staged(file), target))
      return emitError(loc) << "cannot move " << file << " into " << dir << ": "
                            << ec.message();
  }
  // A libNAME.so or NAME.weights.bin left from an earlier compile would not
  // match the new manifest.
  auto removeStale = [&](const std::string &file) {
    SmallString<256> stale(folder);
    llvm::sys::path::append(stale, file);
    llvm::sys::fs::remove(stale);
  };
  if (!info.sharedLibrary)
    removeStale("lib" + n + ".so");
  if (info.weights.empty())
    removeStale(n + ".weights.bin");
  complete = true;
  return success();
}
