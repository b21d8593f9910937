//===- GPUPasses.h - Passes of the GPU targets -----------------*- C++ -*-===//

#ifndef KILN_CODEGEN_GPU_GPUPASSES_H
#define KILN_CODEGEN_GPU_GPUPASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::kiln {

#define GEN_PASS_DECL
#include "codegen/GPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/GPU/Passes.h.inc"

struct TargetDescription;

/// The CUDA target's mapping of bufferized entry functions to gpu.launch
/// kernels, with the tiles of `description`: contractions as tiled kernels,
/// row reductions as block reductions, every other op one thread per
/// iteration. What kiln-gpu-launches-as-loops runs on a CPU to check it.
void buildGPUMappingPasses(OpPassManager &pm, const TargetDescription &description);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_GPU_GPUPASSES_H
