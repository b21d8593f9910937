//===- TensorData.h - Element types and weight data for frontends -*- C++ -*-===//
//
// Shared by the JSON and ONNX frontends and the artifact writer: the names
// of element types (NumPy's, as the manifest uses them), decoding of raw
// little-endian tensor bytes into DenseElementsAttr, and WeightsFile, which
// reads weight files that a model names - only from inside the model's own
// folder, since a model file is untrusted input.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_TENSORDATA_H
#define KILN_COMPILER_IMPORT_TENSORDATA_H

#include "ir/DTypes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>

namespace mlir::kiln {

/// Builds a constant of `type` from row-major little-endian bytes (bool: one
/// byte per element, nonzero = true). `bytes.size()` must equal the tensor's
/// byte size; otherwise an error naming `where` is emitted at `loc`.
FailureOr<DenseElementsAttr> elementsFromBytes(Location loc,
                                               RankedTensorType type,
                                               ArrayRef<char> bytes,
                                               const Twine &where);

/// Builds a constant of `type` from numbers (converted with rounding; for
/// integers the value must be integral and in range).
FailureOr<DenseElementsAttr> elementsFromDoubles(Location loc,
                                                 RankedTensorType type,
                                                 ArrayRef<double> values,
                                                 const Twine &where);

/// A weights file next to a model. Thread-compatible; owns its mapping.
class WeightsFile {
public:
  /// Opens `relative` from the folder of `modelPath`. Refuses absolute paths,
  /// `..` components and anything that resolves (through symlinks) outside
  /// that folder. A non-empty `where` (the tensor that names the file)
  /// prefixes the error messages.
  static FailureOr<WeightsFile> open(Location loc, StringRef modelPath,
                                     StringRef relative,
                                     const Twine &where = "");

  /// The bytes [offset, offset + length); fails if out of the file.
  FailureOr<ArrayRef<char>> bytes(Location loc, uint64_t offset,
                                  uint64_t length, const Twine &where) const;
  /// A constant of `type` stored at `offset`.
  FailureOr<DenseElementsAttr> read(Location loc, RankedTensorType type,
                                    uint64_t offset, const Twine &where) const;
  uint64_t size() const { return buffer->getBufferSize(); }

private:
  std::string name;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
};

} // namespace mlir::kiln

#endif // KILN_COMPILER_IMPORT_TENSORDATA_H
