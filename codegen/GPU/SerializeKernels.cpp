//===- SerializeKernels.cpp - The gpu.module -> PTX and cubin images ------===//
//
// See KilnGPUSerializeKernels in codegen/GPU/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/GPU/GPUPasses.h"

#include "mlir/Dialect/GPU/IR/CompilationInterfaces.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPUSERIALIZEKERNELS
#include "codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct KilnGPUSerializeKernels
    : kiln::impl::KilnGPUSerializeKernelsBase<KilnGPUSerializeKernels> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(&getContext());
    SmallVector<Attribute> images;
    std::optional<SymbolTable> parentTable;
    auto symbolTable = [&]() -> SymbolTable * {
      if (!parentTable)
        parentTable.emplace(module);
      return &*parentTable;
    };
    SmallVector<gpu::GPUModuleOp> kernelModules(module.getOps<gpu::GPUModuleOp>());
    for (gpu::GPUModuleOp kernels : kernelModules) {
      ArrayAttr targets = kernels.getTargetsAttr();
      if (!targets || targets.empty()) {
        kernels.emitError("has no GPU targets to compile for");
        return signalPassFailure();
      }
      auto serialize = [&](gpu::TargetAttrInterface target, gpu::CompilationTarget format,
                           StringRef formatName) -> LogicalResult {
        gpu::TargetOptions options(toolkit, /*linkFiles=*/{}, /*cmdOptions=*/"", format,
                                   symbolTable);
        std::optional<SmallVector<char, 0>> object = target.serializeToObject(kernels, options);
        auto nvvm = dyn_cast<NVVM::NVVMTargetAttr>(target);
        StringRef chip = nvvm ? nvvm.getChip() : StringRef("?");
        if (!object)
          return kernels.emitError("could not compile the kernels to ")
                 << formatName << " for " << chip
                 << " (see the errors above)";
        StringRef bytes(object->data(), object->size());
        // PTX comes NUL-terminated; the file is plain text (the runtime adds the NUL back).
        if (format == gpu::CompilationTarget::Assembly)
          bytes = bytes.rtrim('\0');
        NamedAttrList image;
        image.append("architecture", b.getStringAttr(chip));
        image.append("format", b.getStringAttr(formatName));
        image.append("data", b.getStringAttr(bytes));
        images.push_back(image.getDictionary(&getContext()));
        return success();
      };
      for (Attribute attr : targets) {
        auto target = dyn_cast<gpu::TargetAttrInterface>(attr);
        if (!target) {
          kernels.emitError("target ") << attr << " cannot compile kernels";
          return signalPassFailure();
        }
        if (cubins && failed(serialize(target, gpu::CompilationTarget::Binary, "cubin")))
          return signalPassFailure();
      }
      // PTX for the newest architecture (the targets are oldest first).
      if (failed(serialize(cast<gpu::TargetAttrInterface>(targets[targets.size() - 1]),
                           gpu::CompilationTarget::Assembly, "ptx")))
        return signalPassFailure();
      kernels.erase();
    }
    module->setAttr(abi::kGPUImagesAttr, b.getArrayAttr(images));
  }
};

} // namespace
