//===- CPUPasses.h - Passes of the CPU target -------------------*- C++ -*-===//

#ifndef KILN_CODEGEN_CPU_CPUPASSES_H
#define KILN_CODEGEN_CPU_CPUPASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::kiln {

#define GEN_PASS_DECL
#include "codegen/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/CPU/Passes.h.inc"

/// Host code with memrefs, arith, func and cf (no vectors, no scf) -> the
/// LLVM dialect, with bare-pointer calls: the end of the CPU target's
/// lowering, which the CUDA target's host code (launches and buffer
/// arithmetic) shares.
void buildHostToLLVMPasses(OpPassManager &pm);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_CPU_CPUPASSES_H
