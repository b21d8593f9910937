//===- ArtifactWriter.h - libNAME.so/.a, NAME.h, NAME.json -------*- C++ -*-===//
//
// Turns compiled object code into the artifact folder documented in
// docs/artifact-format.md. Everything is rendered in memory first and moved
// into place only when all files are ready, so a failed compile never leaves
// a partial artifact.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_ARTIFACTWRITER_H
#define KILN_COMPILER_ARTIFACTWRITER_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"

#include <string>
#include <vector>

namespace mlir::kiln {

struct TensorSpec {
  std::string name;
  Type elementType;
  SmallVector<int64_t> shape;
  int64_t numElements() const;
  int64_t bytes() const;
};

struct ArtifactInfo {
  std::string name;   // C identifier; symbol prefix and file stem
  std::string source; // model file name, for the manifest
  std::string triple, cpu, features;
  std::vector<TensorSpec> inputs, outputs;
  int64_t scratchBytes = 0;
  /// Link libNAME.so too. Only for the host's architecture and OS: the
  /// system's C compiler driver links it, and cannot for another target
  /// (a cross-compiled artifact is the static library, header and manifest).
  bool sharedLibrary = true;
};

/// `resnet-18.onnx` -> `resnet_18`; a leading digit gets `m_`.
std::string defaultArtifactName(StringRef modelPath);
/// True if `name` is a valid C identifier.
bool isCIdentifier(StringRef name);

/// The canonical signature string (kiln-abi-1;inputs=...;outputs=...).
std::string renderSignature(const ArtifactInfo &info);
std::string renderHeader(const ArtifactInfo &info);
std::string renderManifest(const ArtifactInfo &info);

/// Writes DIR/libNAME.a, DIR/libNAME.so (linked from `object` by the system
/// C compiler driver), DIR/NAME.h and DIR/NAME.json. Errors are emitted at
/// `loc`.
LogicalResult writeArtifact(Location loc, StringRef dir,
                            const ArtifactInfo &info, StringRef object);

} // namespace mlir::kiln

#endif // KILN_COMPILER_ARTIFACTWRITER_H
