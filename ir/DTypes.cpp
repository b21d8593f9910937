//===- DTypes.cpp - Kiln element types as the artifact ABI names them -----===//

#include "ir/DTypes.h"

#include "runtime/kiln_abi.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

enum class Kind {
  F16, BF16, F32, F64, BOOL, I8, I32, I64, U8, I16, U16, U32, U64,
  F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, I4, U4, I2, U2
};

struct Row {
  Kind kind;
  DType dtype;
};

constexpr Row kRows[] = {
#define KILN_DTYPE_ROW(ENUM, CODE, NUMPY, ABI, BYTES, BITS) {Kind::ENUM, {CODE, NUMPY, ABI, BYTES, BITS}},
    KILN_DTYPES(KILN_DTYPE_ROW)
#undef KILN_DTYPE_ROW
};

Type typeOf(MLIRContext *ctx, Kind kind) {
  Builder b(ctx);
  switch (kind) {
  case Kind::F16: return b.getF16Type();
  case Kind::BF16: return b.getBF16Type();
  case Kind::F32: return b.getF32Type();
  case Kind::F64: return b.getF64Type();
  case Kind::BOOL: return b.getI1Type();
  case Kind::I8: return b.getIntegerType(8);
  case Kind::I32: return b.getI32Type();
  case Kind::I64: return b.getI64Type();
  case Kind::I16: return b.getIntegerType(16);
  case Kind::U8: return b.getIntegerType(8, /*isSigned=*/false);
  case Kind::U16: return b.getIntegerType(16, /*isSigned=*/false);
  case Kind::U32: return b.getIntegerType(32, /*isSigned=*/false);
  case Kind::U64: return b.getIntegerType(64, /*isSigned=*/false);
  case Kind::F8E4M3FN: return b.getFloat8E4M3FNType();
  case Kind::F8E4M3FNUZ: return b.getFloat8E4M3FNUZType();
  case Kind::F8E5M2: return b.getFloat8E5M2Type();
  case Kind::F8E5M2FNUZ: return b.getFloat8E5M2FNUZType();
  case Kind::I4: return b.getIntegerType(4);
  case Kind::U4: return b.getIntegerType(4, /*isSigned=*/false);
  case Kind::I2: return b.getIntegerType(2);
  case Kind::U2: return b.getIntegerType(2, /*isSigned=*/false);
  }
  return {};
}

} // namespace

std::optional<DType> mlir::kiln::getDType(Type t) {
  if (!t)
    return std::nullopt;
  for (const Row &row : kRows)
    if (typeOf(t.getContext(), row.kind) == t)
      return row.dtype;
  return std::nullopt;
}

Type mlir::kiln::parseDTypeName(MLIRContext *ctx, StringRef name) {
  for (const Row &row : kRows)
    if (name == row.dtype.numpyName)
      return typeOf(ctx, row.kind);
  return {};
}

std::string mlir::kiln::dtypeName(Type t) {
  std::optional<DType> d = getDType(t);
  return d ? d->numpyName : "unsupported";
}

std::string mlir::kiln::shortDTypeName(Type t) {
  std::optional<DType> d = getDType(t);
  return d ? d->abiName : "unsupported";
}

int64_t mlir::kiln::dtypeBytes(Type t) {
  std::optional<DType> d = getDType(t);
  return d ? d->bytes : 0;
}

int64_t mlir::kiln::dtypeBits(Type t) {
  std::optional<DType> d = getDType(t);
  return d ? d->bits : 0;
}

bool mlir::kiln::isPackedDType(Type t) {
  std::optional<DType> d = getDType(t);
  return d && d->bits < 8;
}

int64_t mlir::kiln::bufferBytes(Type elementType, int64_t numElements) {
  return (numElements * dtypeBits(elementType) + 7) / 8;
}

bool mlir::kiln::isFloat8(Type t) {
  return t.isFloat8E4M3FN() || t.isFloat8E4M3FNUZ() || t.isFloat8E5M2() ||
         t.isFloat8E5M2FNUZ();
}

std::string mlir::kiln::supportedDTypeNames() {
  std::string names;
  for (const Row &row : kRows)
    names += std::string(names.empty() ? "" : ", ") + row.dtype.numpyName;
  return names;
}
