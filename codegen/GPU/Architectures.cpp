//===- Architectures.cpp - The NVIDIA GPU architectures Kiln compiles for -===//

#include "codegen/GPU/Architectures.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir::kiln;

namespace {
struct Architecture {
  llvm::StringLiteral chip;
  llvm::StringLiteral ptx; // the PTX ISA version that introduced it
  int64_t multiprocessors; // of its usual data-centre part
  bool tensorCoreMMA;      // see hasTensorCoreMMA
};
// Oldest first. PTX ISA versions from NVIDIA's PTX ISA document, "Release
// Notes" (the version each target first appears in). Multiprocessors from
// NVIDIA's data sheets: T4, A100, A10, Jetson AGX Orin, L4, H100 SXM.
constexpr Architecture kArchitectures[] = {
    {"sm_75", "+ptx63", 40, false}, {"sm_80", "+ptx70", 108, true},
    {"sm_86", "+ptx71", 72, true},  {"sm_87", "+ptx74", 16, true},
    {"sm_89", "+ptx78", 58, true},  {"sm_90", "+ptx78", 132, true},
    {"sm_90a", "+ptx80", 132, true},
};
const Architecture *find(llvm::StringRef chip) {
  for (const Architecture &a : kArchitectures)
    if (a.chip == chip)
      return &a;
  return nullptr;
}
} // namespace

llvm::SmallVector<std::string> mlir::kiln::defaultArchitectures() { return {"sm_80", "sm_90"}; }

bool mlir::kiln::isKnownArchitecture(llvm::StringRef chip, std::string &error) {
  if (find(chip))
    return true;
  error = "unknown GPU architecture '" + chip.str() + "'; expected one of";
  for (const Architecture &a : kArchitectures)
    error += " " + a.chip.str();
  return false;
}

std::string mlir::kiln::ptxFeatures(llvm::StringRef chip) {
  const Architecture *a = find(chip);
  return a ? a->ptx.str() : "";
}

int64_t mlir::kiln::multiprocessors(llvm::StringRef chip) {
  const Architecture *a = find(chip);
  return a ? a->multiprocessors : 0;
}

bool mlir::kiln::hasTensorCoreMMA(llvm::StringRef chip) {
  const Architecture *a = find(chip);
  return a && a->tensorCoreMMA;
}

void mlir::kiln::sortArchitectures(llvm::SmallVectorImpl<std::string> &chips) {
  auto rank = [](llvm::StringRef chip) {
    for (auto [i, a] : llvm::enumerate(kArchitectures))
      if (a.chip == chip)
        return static_cast<int>(i);
    return -1;
  };
  llvm::sort(chips, [&](const std::string &a, const std::string &b) { return rank(a) < rank(b); });
  chips.erase(std::unique(chips.begin(), chips.end()), chips.end());
}
