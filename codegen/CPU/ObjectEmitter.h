//===- ObjectEmitter.h - LLVM dialect -> native object code -----*- C++ -*-===//
//
// The last step of the CPU pipeline, in process: translate the LLVM-dialect
// module to LLVM IR, add the C entry points of the artifact ABI
// (docs/artifact-format.md), optimize at -O3 for the target CPU and emit an
// object file or assembly through an llvm::TargetMachine.
//
// Functions here are stateless; initializeLLVMTargets() must run once per
// process before createTargetMachine (it is idempotent and thread-safe).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_OBJECTEMITTER_H
#define KILN_CODEGEN_CPU_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir::kiln {

/// What the user asked for; "native" means the host CPU and its features.
struct TargetRequest {
  std::string triple; // empty: the host's default triple
  std::string cpu = "native";
  std::string features; // extra "+feat,-feat" on top of the CPU's
};

/// The entry points to generate around `<symbolPrefix>_impl`.
struct EntryPointABI {
  std::string symbolPrefix;
  unsigned numInputs = 0;
  unsigned numOutputs = 0;
  /// Bytes of each input, then each output. A 0-byte buffer may be NULL.
  std::vector<int64_t> bufferBytes;
  int64_t scratchBytes = 0;
  std::string signature; // returned by <symbolPrefix>_signature()
};

void initializeLLVMTargets();

/// A TargetMachine for `request` (PIC, -O3), with the triple, CPU and
/// feature string it resolved to. Fails with a readable message for an
/// unknown triple or CPU.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetRequest &request);

/// Translates `module` (LLVM dialect), adds the ABI entry points and runs
/// LLVM's -O3 pipeline for `tm`.
llvm::Expected<std::unique_ptr<llvm::Module>>
buildLLVMModule(ModuleOp module, llvm::LLVMContext &ctx,
                const EntryPointABI &abi, llvm::TargetMachine &tm);

/// Object file or assembly text of an LLVM module.
llvm::Expected<std::string> emitMachineCode(llvm::Module &module,
                                            llvm::TargetMachine &tm,
                                            llvm::CodeGenFileType kind);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_CPU_OBJECTEMITTER_H
