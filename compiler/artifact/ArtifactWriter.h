//===- ArtifactWriter.h - libNAME.so/.a, NAME.h, NAME.json -------*- C++ -*-===//
//
// Turns the target's code objects into the artifact folder documented in
// docs/artifact-format.md. Everything is rendered in memory first and moved
// into place only when all files are ready, so a failed compile never leaves
// a partial artifact.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_ARTIFACT_ARTIFACTWRITER_H
#define KILN_COMPILER_ARTIFACT_ARTIFACTWRITER_H

#include "codegen/Target.h"

#include "mlir/IR/BuiltinAttributes.h"
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

/// One entry point of the artifact: NAME_E and NAME_E_ctx.
struct EntryPointSpec {
  std::string name; // E, a C identifier
  std::vector<TensorSpec> inputs, outputs;
  int64_t scratchBytes = 0;
  /// Its last output is the training state buffer (read and updated).
  bool hasState = false;
};

/// One external weight: its place in NAME.weights.bin and its value.
struct WeightSpec {
  TensorSpec tensor;
  int64_t offset = 0;
  DenseElementsAttr value;
};

/// One tensor of the training state buffer (kiln compile --train): where it
/// starts in the buffer (abi::layoutState decides).
struct StateTensorSpec {
  TensorSpec tensor;
  int64_t offset = 0;
};

struct ArtifactInfo {
  std::string name;   // C identifier; symbol prefix and file stem
  std::string source; // model file name, for the manifest
  /// The model file's absolute path: recorded (as `source_path`) only for an
  /// artifact with a training state, for `kiln train --save`.
  std::string sourcePath;
  std::string triple, cpu, features;
  /// The library's signature string (NAME_signature()).
  std::string signature;
  std::vector<EntryPointSpec> entryPoints;
  /// External weights (--weights external); none when embedded.
  std::vector<WeightSpec> weights;
  int64_t weightsBytes = 0;
  /// The training state buffer: its tensors and size; none without --train.
  std::vector<StateTensorSpec> state;
  int64_t stateBytes = 0;
  /// A device target's part (kiln compile --target cuda): its kind, the
  /// architectures, the kernels and their images (one file each, named by
  /// imageFileName). Empty for the CPU.
  std::string deviceKind;
  std::vector<std::string> gpuArchitectures;
  std::vector<KernelSpec> kernels;
  std::vector<DeviceImage> images;
  /// Link libNAME.so too. Only for the host's architecture and OS: the
  /// system's C compiler driver links it, and cannot for another target
  /// (a cross-compiled artifact is the static library, header and manifest).
  bool sharedLibrary = true;
};

/// `resnet-18.onnx` -> `resnet_18`; a leading digit gets `m_`.
std::string defaultArtifactName(StringRef modelPath);

/// "NAME.sm_90.cubin", "NAME.sm_90.ptx".
std::string imageFileName(const ArtifactInfo &info, const DeviceImage &image);

std::string renderHeader(const ArtifactInfo &info);
std::string renderManifest(const ArtifactInfo &info);
/// The bytes of NAME.weights.bin: each weight at its offset, zero padding.
std::string renderWeights(const ArtifactInfo &info);

/// Writes DIR/libNAME.a, DIR/libNAME.so (linked from the host object by the
/// system C compiler driver), DIR/NAME.h, DIR/NAME.json, with external
/// weights DIR/NAME.weights.bin, and a device target's images. Errors are emitted at `loc`.
LogicalResult writeArtifact(Location loc, StringRef dir,
                            const ArtifactInfo &info, const CodeObjects &objects);

} // namespace mlir::kiln

#endif // KILN_COMPILER_ARTIFACT_ARTIFACTWRITER_H
