//===- DTypes.cpp - Kiln element types as the artifact ABI names them -----===//

#include "ir/DTypes.h"

#include "runtime/kiln_abi.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

enum class Kind { F16, BF16, F32, F64, BOOL, I8, I32, I64, U8, I16, U16, U32, U64 };

struct Row {
  Kind kind;
  DType dtype;
};

constexpr Row kRows[] = {
#define KILN_DTYPE_ROW(ENUM, CODE, NUMPY, ABI, BYTES) {Kind::ENUM, {CODE, NUMPY, ABI, BYTES}},
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

std::string mlir::kiln::supportedDTypeNames() {
  std::string names;
  for (const Row &row : kRows)
    names += std::string(names.empty() ? "" : ", ") + row.dtype.numpyName;
  return names;
}
