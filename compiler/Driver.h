//===- Driver.h - The compile pipeline, end to end --------------*- C++ -*-===//
//
// compileModel() runs every stage: import, graph passes, lowering to linalg,
// bufferization and memory planning, lowering to LLVM, LLVM -O3, machine code,
// artifact. `emit` stops after an intermediate stage and writes its IR.
//
// Diagnostics go to the context's diagnostic handler; compileModel returns
// failure after reporting. One compile per MLIRContext at a time.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_DRIVER_H
#define KILN_COMPILER_DRIVER_H

#include "codegen/CPU/ObjectEmitter.h"
#include "compiler/Frontend.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::kiln {

enum class EmitKind {
  Artifact, // the artifact folder (default)
  Kiln,     // kiln dialect after the graph passes
  Linalg,   // linalg on tensors
  MemRef,   // bufferized, with the entry ABI and planned memory
  LLVM,     // LLVM dialect
  LLVMIR,   // optimized LLVM IR
  Assembly, // target assembly
  Object,   // a relocatable object file
};

/// Parses "kiln", "linalg", ... ("artifact" too); nullopt if unknown.
std::optional<EmitKind> parseEmitKind(StringRef name);

struct CompileOptions {
  ImportOptions import;
  /// Artifact: the output folder. Other kinds: a file, or "-" for stdout.
  std::string output;
  /// Symbol prefix and file stem; default: the model's stem.
  std::string name;
  TargetRequest target;
  EmitKind emit = EmitKind::Artifact;
  /// Print each stage's wall time to `log`.
  bool verbose = false;
  /// MLIR's per-pass timing report, and IR printing after every pass.
  bool timePasses = false;
  bool printIRAfterAll = false;
  /// How --emit prints IR: with op locations (ONNX node names), and with
  /// large constants elided. Unelided, emitted kiln IR compiles again.
  bool printLocations = false;
  bool elideConstants = false;
  /// The most memory, in bytes, that any one of these may need: the scratch
  /// buffer, an input or output buffer, the constants embedded in the
  /// library. A model asking for more fails to compile, naming the node,
  /// instead of producing code that cannot run (or a library of that size).
  int64_t memoryLimit = kDefaultMemoryLimit;
  static constexpr int64_t kDefaultMemoryLimit = int64_t(16) << 30; // 16 GiB
};

/// Parses a byte count: digits with an optional binary suffix K, M, G or T
/// (KiB..TiB; "16G" is 16 << 30). Fails on anything else or on overflow.
FailureOr<int64_t> parseByteSize(StringRef text);
/// "16 GiB", "1.5 MiB", "100 bytes": for messages.
std::string formatBytes(int64_t bytes);

LogicalResult compileModel(MLIRContext &ctx, const CompileOptions &options,
                           llvm::raw_ostream &log);

/// Registers every dialect, interface and translation the pipeline needs.
void registerCompilerDialects(DialectRegistry &registry);

} // namespace mlir::kiln

#endif // KILN_COMPILER_DRIVER_H
