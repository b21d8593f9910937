//===- ObjectEmitter.h - LLVM dialect -> native object code -----*- C++ -*-===//
//
// The last steps of the CPU target, in process: an llvm::TargetMachine for
// the request, translation of the LLVM-dialect module (C entry points
// included) to LLVM IR, -O3 for the target CPU, and an object file or
// assembly. Private to codegen/CPU.
//
// Functions here are stateless; initializeLLVMTargets() must run once per
// process before createTargetMachine (it is idempotent and thread-safe).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_OBJECTEMITTER_H
#define KILN_CODEGEN_CPU_OBJECTEMITTER_H

#include "codegen/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace mlir::kiln {

void initializeLLVMTargets();

/// A TargetMachine for `request` (PIC, -O3), with the triple, CPU and
/// feature string it resolved to. Fails with a readable message for an
/// unknown triple or CPU.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetRequest &request);

/// Translates `module` (LLVM dialect) into an LLVM module called `name` and
/// runs LLVM's -O3 pipeline for `tm`.
llvm::Expected<std::unique_ptr<llvm::Module>>
buildLLVMModule(ModuleOp module, llvm::LLVMContext &ctx, StringRef name,
                llvm::TargetMachine &tm);

/// The object files of `module` (LLVM dialect) for `request`, compiled in
/// parallel on the host's cores: the module is split into up to 8 parts of
/// code, each optimized (-O3) and compiled in a context of its own, and one
/// part for the large constants (the embedded weights), which is compiled
/// without optimization. Local functions and large constants become hidden
/// symbols named after `symbolPrefix` (also the LLVM module's name) so
/// that the parts link to each other; the split depends on the module
/// alone, so a model gives the same objects on every machine. Calls across parts are not inlined (the parts are
/// kernels, which are never inlined into each other anyway).
llvm::Expected<std::vector<std::string>>
emitObjectFiles(ModuleOp module, StringRef symbolPrefix, const TargetRequest &request);

/// Object file or assembly text of an LLVM module.
llvm::Expected<std::string> emitMachineCode(llvm::Module &module,
                                            llvm::TargetMachine &tm,
                                            llvm::CodeGenFileType kind);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_CPU_OBJECTEMITTER_H
