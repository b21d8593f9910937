//===- FuzzImport.cpp - libFuzzer target: a model file through the frontend and the graph stage -===//
//
// One input is one model file (ONNX protobuf, or a Kiln JSON graph when built with
// KILN_FUZZ_EXTENSION=".json"): it is imported, and if that succeeds the graph stage (shape inference,
// folding, canonicalization) runs on it, each in a fresh MLIRContext. Any input may be rejected with an
// error; none may crash, hang, or make ASan or UBSan report. scripts/fuzz.sh runs it; crashes it finds are
// kept in test/fuzz/regressions/ and replayed by ctest (test/fuzz/CMakeLists.txt).
//
// The importers read a path, so each input goes through a file in /dev/shm (or $TMPDIR): a few
// microseconds, small beside an import.
//
//===----------------------------------------------------------------------===//

#include "codegen/Pipeline.h"
#include "compiler/driver/Driver.h"
#include "compiler/frontend/Frontend.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

#ifndef KILN_FUZZ_EXTENSION
#define KILN_FUZZ_EXTENSION ".onnx"
#endif

namespace {

std::string inputPath() {
  const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  return std::string(dir) + "/kiln-fuzz-" + std::to_string(getpid()) + KILN_FUZZ_EXTENSION;
}

const mlir::DialectRegistry &registry() {
  static const mlir::DialectRegistry *r = [] {
    auto *registry = new mlir::DialectRegistry();
    mlir::kiln::registerCompilerDialects(*registry);
    return registry;
  }();
  return *r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const std::string path = inputPath();
  FILE *file = std::fopen(path.c_str(), "wb");
  if (!file)
    return 0;
  std::fwrite(data, 1, size, file);
  std::fclose(file);

  mlir::MLIRContext ctx(registry(), mlir::MLIRContext::Threading::DISABLED);
  // Errors are expected; printing them would only slow the fuzzer down.
  mlir::ScopedDiagnosticHandler quiet(&ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::kiln::ImportOptions options;
  options.path = path;
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::kiln::importModel(ctx, options);
  if (!module)
    return 0;
  mlir::PassManager pm(&ctx);
  mlir::kiln::buildPipeline(pm, mlir::kiln::PipelineOptions(), "graph");
  (void)pm.run(*module);
  return 0;
}
