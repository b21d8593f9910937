//===- DTypes.h - Kiln element types as the artifact ABI names them -*- C++ -*-===//
//
// The element types a kiln tensor may have, and their names and sizes in the
// artifact ABI (manifests, signatures, headers, .npy files, JSON models). The
// table itself is KILN_DTYPES in runtime/kiln_abi.h: the compiler reads the
// same definitions the runtime and generated headers do.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_DTYPES_H
#define KILN_IR_DTYPES_H

#include "mlir/IR/Types.h"

#include <optional>
#include <string>

namespace mlir::kiln {

/// One row of KILN_DTYPES.
struct DType {
  int code;              // kiln_dtype_t value
  const char *numpyName; // "float32": manifests, JSON models, .npy
  const char *abiName;   // "f32": signature strings
  int64_t bytes;         // per element in buffers (bool: 1); 0 when packed
  int64_t bits;          // per element in buffers (bool: 8)
};

/// The ABI's description of `elementType`; nullopt if it is not a kiln
/// element type.
std::optional<DType> getDType(Type elementType);
/// The element type a NumPy name denotes; null if none.
Type parseDTypeName(MLIRContext *ctx, StringRef numpyName);
/// "float32"; "unsupported" for a type outside the table.
std::string dtypeName(Type elementType);
/// "f32"; "unsupported" for a type outside the table.
std::string shortDTypeName(Type elementType);
/// Bytes per element in buffers (bool: 1); 0 for a type outside the table
/// and for the packed types (i4, ui4, i2, ui2), several to a byte.
int64_t dtypeBytes(Type elementType);
/// Bits per element in buffers (bool: 8); 0 for a type outside the table.
int64_t dtypeBits(Type elementType);
/// i4, ui4, i2 or ui2: packed several to a byte in the artifact's buffers
/// (kiln_abi.h), one to a byte inside the generated code.
bool isPackedDType(Type elementType);
/// The bytes `numElements` elements take in the artifact's buffers and
/// weights: ceil(numElements * bits / 8).
int64_t bufferBytes(Type elementType, int64_t numElements);
/// f8E4M3FN, f8E4M3FNUZ, f8E5M2 or f8E5M2FNUZ.
bool isFloat8(Type elementType);
/// "float16, bfloat16, float32, ..." for messages.
std::string supportedDTypeNames();

} // namespace mlir::kiln

#endif // KILN_IR_DTYPES_H
