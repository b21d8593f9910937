//===- Architectures.h - The NVIDIA GPU architectures Kiln compiles for -*- C++ -*-===//
//
// One table: which `--gpu` names are accepted and the PTX ISA version each
// needs. The floor is what both LLVM 19's NVPTX backend and CUDA 13's
// ptxas support (CUDA 13 dropped everything before Turing, sm_75); the
// ceiling is LLVM 19's newest (sm_90a). Newer GPUs run the PTX of the
// newest architecture, which their driver compiles.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_GPU_ARCHITECTURES_H
#define KILN_CODEGEN_GPU_ARCHITECTURES_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir::kiln {

/// sm_80 (A100) and sm_90 (H100, H200): what a compile without --gpu makes.
llvm::SmallVector<std::string> defaultArchitectures();

/// Whether `chip` is in the table; otherwise `error` says what is.
bool isKnownArchitecture(llvm::StringRef chip, std::string &error);

/// The target features NVPTX needs for `chip`: its minimum PTX ISA
/// ("+ptx78" for sm_90).
std::string ptxFeatures(llvm::StringRef chip);

/// The multiprocessors of `chip`'s usual data-centre part (108 for sm_80's
/// A100, 132 for sm_90's H100 SXM); 0 if `chip` is unknown.
int64_t multiprocessors(llvm::StringRef chip);

/// Whether `chip` has the tensor-core instructions Kiln's MMA kernels use:
/// mma.sync m16n8k16 on f16 and bf16 and m16n8k8 on tf32, with f32
/// accumulators, and cp.async (sm_80 on; sm_75 has only f16 m16n8k8).
bool hasTensorCoreMMA(llvm::StringRef chip);

/// Sorts `chips` oldest first (by the table's order) and drops repeats.
void sortArchitectures(llvm::SmallVectorImpl<std::string> &chips);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_GPU_ARCHITECTURES_H
