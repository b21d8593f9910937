//===- Tensors.cpp - ONNX element types and TensorProto data --------------===//
//
// A TensorProto keeps its data in one of three places: `raw_data`
// (little-endian bytes), a typed repeated field (float_data, int32_data, ...;
// int32_data also carries float16/bfloat16 bit patterns, bools and int8s), or
// an external file named by `external_data`. Dims and lengths come from an
// untrusted file, so every size is checked against the data actually present
// before anything is allocated.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"

#include <onnx/onnx_pb.h>

#include <cstring>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {
// TensorProto.DataType codes (onnx.proto).
enum : int32_t {
  kFloat = 1, kUInt8 = 2, kInt8 = 3, kUInt16 = 4, kInt16 = 5, kInt32 = 6,
  kInt64 = 7, kString = 8, kBool = 9, kFloat16 = 10, kDouble = 11,
  kUInt32 = 12, kUInt64 = 13, kComplex64 = 14, kComplex128 = 15,
  kBFloat16 = 16, kFloat8E4M3FN = 17, kFloat8E4M3FNUZ = 18, kFloat8E5M2 = 19,
  kFloat8E5M2FNUZ = 20, kUInt4 = 21, kInt4 = 22, kFloat4E2M1 = 23,
  kFloat8E8M0 = 24, kUInt2 = 25, kInt2 = 26,
};
} // namespace

Type onnx_import::elementTypeFor(MLIRContext *ctx, int32_t onnxType) {
  Builder b(ctx);
  switch (onnxType) {
  case kFloat: return b.getF32Type();
  case kFloat16: return b.getF16Type();
  case kBFloat16: return b.getBF16Type();
  case kDouble: return b.getF64Type();
  case kBool: return b.getI1Type();
  case kInt8: return b.getIntegerType(8);
  case kInt16: return b.getIntegerType(16);
  case kInt32: return b.getI32Type();
  case kInt64: return b.getI64Type();
  case kUInt8: return b.getIntegerType(8, /*isSigned=*/false);
  case kUInt16: return b.getIntegerType(16, /*isSigned=*/false);
  case kUInt32: return b.getIntegerType(32, /*isSigned=*/false);
  case kUInt64: return b.getIntegerType(64, /*isSigned=*/false);
  case kFloat8E4M3FN: return b.getFloat8E4M3FNType();
  case kFloat8E4M3FNUZ: return b.getFloat8E4M3FNUZType();
  case kFloat8E5M2: return b.getFloat8E5M2Type();
  case kFloat8E5M2FNUZ: return b.getFloat8E5M2FNUZType();
  case kInt4: return b.getIntegerType(4);
  case kUInt4: return b.getIntegerType(4, /*isSigned=*/false);
  case kInt2: return b.getIntegerType(2);
  case kUInt2: return b.getIntegerType(2, /*isSigned=*/false);
  // float4e2m1, float8e8m0 and float6: MLIR 19, which Kiln builds on, has
  // no such types (they come in MLIR 20).
  default: return Type();
  }
}

std::string onnx_import::onnxTypeName(int32_t onnxType) {
  static const char *const names[] = {
      "undefined", "float",   "uint8",     "int8",       "uint16",
      "int16",     "int32",   "int64",     "string",     "bool",
      "float16",   "double",  "uint32",    "uint64",     "complex64",
      "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz",
      "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1",
      "float8e8m0", "uint2", "int2", "float6e2m3", "float6e3m2"};
  if (onnxType >= 0 &&
      onnxType < static_cast<int32_t>(sizeof(names) / sizeof(names[0])))
    return names[onnxType];
  return "data type " + std::to_string(onnxType);
}

std::string onnx_import::unsupportedDType(int32_t onnxType) {
  bool noMLIRType = onnxType == kFloat4E2M1 || onnxType == kFloat8E8M0 ||
                    onnxType == 27 || onnxType == 28; // float6e2m3, float6e3m2
  return onnxTypeName(onnxType) + ", which Kiln does not support (" +
         (noMLIRType ? "MLIR 19, which it builds on, has no such type; " : "") +
         "supported: " + supportedDTypeNames() + ")";
}

int32_t onnx_import::onnxTypeCode(Type t) {
  if (t.isF32()) return kFloat;
  if (t.isF16()) return kFloat16;
  if (t.isBF16()) return kBFloat16;
  if (t.isF64()) return kDouble;
  if (t.isInteger(1)) return kBool;
  if (t.isUnsignedInteger(8)) return kUInt8;
  if (t.isUnsignedInteger(16)) return kUInt16;
  if (t.isUnsignedInteger(32)) return kUInt32;
  if (t.isUnsignedInteger(64)) return kUInt64;
  if (t.isSignlessInteger(8)) return kInt8;
  if (t.isSignlessInteger(16)) return kInt16;
  if (t.isSignlessInteger(32)) return kInt32;
  if (t.isSignlessInteger(64)) return kInt64;
  if (t.isFloat8E4M3FN()) return kFloat8E4M3FN;
  if (t.isFloat8E4M3FNUZ()) return kFloat8E4M3FNUZ;
  if (t.isFloat8E5M2()) return kFloat8E5M2;
  if (t.isFloat8E5M2FNUZ()) return kFloat8E5M2FNUZ;
  if (t.isUnsignedInteger(4)) return kUInt4;
  if (t.isSignlessInteger(4)) return kInt4;
  if (t.isUnsignedInteger(2)) return kUInt2;
  if (t.isSignlessInteger(2)) return kInt2;
  return 0;
}

std::optional<int64_t> onnx_import::checkedNumElements(ArrayRef<int64_t> dims) {
  int64_t count = 1;
  bool empty = false;
  for (int64_t d : dims) {
    if (d < 0 || d > kMaxElements)
      return std::nullopt;
    if (d == 0)
      empty = true;
    else if (count > kMaxElements / d)
      return std::nullopt;
    else
      count *= d;
  }
  return empty ? 0 : count;
}

FailureOr<const WeightsFile *>
TensorReader::weightsFile(Location loc, StringRef location,
                          const std::string &where) {
  auto it = files.find(location);
  if (it != files.end())
    return it->second.get();
  FailureOr<WeightsFile> file =
      WeightsFile::open(loc, modelPath, location, where);
  if (failed(file))
    return failure();
  auto owned = std::make_unique<WeightsFile>(std::move(*file));
  const WeightsFile *raw = owned.get();
  files[location] = std::move(owned);
  return raw;
}

FailureOr<DenseElementsAttr> TensorReader::read(const onnx::TensorProto &tensor,
                                                Location loc,
                                                const Twine &whereTwine) {
  std::string where = whereTwine.str();
  Type et = elementTypeFor(&ctx, tensor.data_type());
  if (!et)
    return emitError(loc) << where << " has dtype "
                          << unsupportedDType(tensor.data_type());
  SmallVector<int64_t> dims(tensor.dims().begin(), tensor.dims().end());
  if (!checkedNumElements(dims)) {
    InFlightDiagnostic diag = emitError(loc) << where << " has dims [";
    llvm::interleaveComma(dims, diag);
    return diag << "]: each must be >= 0 and the tensor at most "
                << kMaxElements << " elements";
  }
  if (tensor.has_segment())
    return emitError(loc) << where
                          << " is a segment of a larger tensor, which Kiln "
                             "does not support";
  auto type = RankedTensorType::get(dims, et);
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return readExternal(tensor, type, loc, where);
  if (!tensor.external_data().empty())
    return emitError(loc) << where
                          << " has external_data entries but its "
                             "data_location is not EXTERNAL";
  if (tensor.has_raw_data()) {
    // A tensor keeps its values in one place; with two, which one counts
    // would be a guess.
    if (tensor.float_data_size() || tensor.double_data_size() ||
        tensor.int32_data_size() || tensor.int64_data_size() ||
        tensor.uint64_data_size() || tensor.string_data_size())
      return emitError(loc) << where
                            << " has both raw_data and typed values";
    const std::string &raw = tensor.raw_data();
    return elementsFromBytes(loc, type, ArrayRef<char>(raw.data(), raw.size()),
                             where + " (raw_data)");
  }
  return readTyped(tensor, type, loc, where);
}

FailureOr<DenseElementsAttr>
TensorReader::readExternal(const onnx::TensorProto &tensor,
                           RankedTensorType type, Location loc,
                           const std::string &where) {
  if (tensor.has_raw_data())
    return emitError(loc) << where
                          << " has both raw_data and external data";
  std::optional<std::string> location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    StringRef key = entry.key(), value = entry.value();
    if (key == "location") {
      location = value.str();
    } else if (key == "offset" || key == "length") {
      uint64_t v;
      if (value.getAsInteger(10, v))
        return emitError(loc) << where << ": external data " << key << " '"
                              << value << "' is not a non-negative integer";
      if (key == "offset")
        offset = v;
      else
        length = v;
    } else if (key == "checksum") {
      // An optional SHA-1 that the ONNX tools neither write nor check; the
      // bounds checks below are what keep reads safe.
    } else {
      return emitError(loc) << where << ": unknown external data key '" << key
                            << "' (expected location, offset, length or "
                               "checksum)";
    }
  }
  if (!location)
    return emitError(loc) << where
                          << " has data_location EXTERNAL but no 'location'";
  uint64_t expected = bufferBytes(type.getElementType(), type.getNumElements());
  if (length && *length != expected)
    return emitError(loc) << where << ": external data length " << *length
                          << " differs from the " << expected << " bytes of "
                          << type;
  FailureOr<const WeightsFile *> file = weightsFile(loc, *location, where);
  if (failed(file))
    return failure();
  FailureOr<ArrayRef<char>> bytes = (*file)->bytes(loc, offset, expected, where);
  if (failed(bytes))
    return failure();
  return elementsFromBytes(loc, type, *bytes, where);
}

namespace {
template <typename T>
void appendBytes(std::vector<char> &out, T value) {
  char buf[sizeof(T)];
  std::memcpy(buf, &value, sizeof(T));
  out.insert(out.end(), buf, buf + sizeof(T));
}
} // namespace

FailureOr<DenseElementsAttr>
TensorReader::readTyped(const onnx::TensorProto &tensor, RankedTensorType type,
                        Location loc, const std::string &where) {
  int32_t code = tensor.data_type();
  int64_t n = type.getNumElements();
  // Which typed field ONNX stores this dtype in, and how many values it has.
  const char *field;
  int64_t count;
  switch (code) {
  case kFloat: field = "float_data"; count = tensor.float_data_size(); break;
  case kDouble: field = "double_data"; count = tensor.double_data_size(); break;
  case kInt64: field = "int64_data"; count = tensor.int64_data_size(); break;
  case kUInt32:
  case kUInt64: field = "uint64_data"; count = tensor.uint64_data_size(); break;
  default: field = "int32_data"; count = tensor.int32_data_size(); break;
  }
  int64_t total = tensor.float_data_size() + tensor.double_data_size() +
                  tensor.int64_data_size() + tensor.int32_data_size() +
                  tensor.uint64_data_size() + tensor.string_data_size();
  if (total != count)
    return emitError(loc) << where << " of dtype " << onnxTypeName(code)
                          << " keeps values outside " << field;
  // The packed types keep one packed byte (two int4, four int2) in each
  // int32_data value.
  bool packed = isPackedDType(type.getElementType());
  int64_t needed = packed ? bufferBytes(type.getElementType(), n) : n;
  if (count != needed)
    return emitError(loc) << where << " has " << count << " values in "
                          << field << ", but its dims need " << needed
                          << (packed ? " (packed bytes)" : "");
  // `count` values exist in memory, so this allocation is bounded by the file.
  std::vector<char> bytes;
  bytes.reserve(bufferBytes(type.getElementType(), n));
  switch (code) {
  case kFloat:
    for (float v : tensor.float_data())
      appendBytes(bytes, v);
    break;
  case kDouble:
    for (double v : tensor.double_data())
      appendBytes(bytes, v);
    break;
  case kInt64:
    for (int64_t v : tensor.int64_data())
      appendBytes(bytes, v);
    break;
  case kInt32:
    for (int32_t v : tensor.int32_data())
      appendBytes(bytes, v);
    break;
  case kFloat16:
  case kBFloat16:
    // The 16-bit pattern sits in the low bits of each int32; anything in
    // the high bits means the field holds something else.
    for (int32_t v : tensor.int32_data()) {
      if (v < 0 || v > 0xFFFF)
        return emitError(loc) << where << ": int32_data value " << v
                              << " is not a 16-bit " << onnxTypeName(code)
                              << " bit pattern";
      appendBytes(bytes, static_cast<uint16_t>(v));
    }
    break;
  case kInt8:
    for (int32_t v : tensor.int32_data()) {
      if (v < -128 || v > 127)
        return emitError(loc) << where << ": " << v << " is not an int8";
      appendBytes(bytes, static_cast<int8_t>(v));
    }
    break;
  case kInt16:
    for (int32_t v : tensor.int32_data()) {
      if (v < -32768 || v > 32767)
        return emitError(loc) << where << ": " << v << " is not an int16";
      appendBytes(bytes, static_cast<int16_t>(v));
    }
    break;
  case kUInt8:
  case kUInt16: {
    int32_t max = code == kUInt8 ? 0xFF : 0xFFFF;
    for (int32_t v : tensor.int32_data()) {
      if (v < 0 || v > max)
        return emitError(loc) << where << ": " << v << " is not a "
                              << onnxTypeName(code);
      if (code == kUInt8)
        appendBytes(bytes, static_cast<uint8_t>(v));
      else
        appendBytes(bytes, static_cast<uint16_t>(v));
    }
    break;
  }
  case kUInt32:
    for (uint64_t v : tensor.uint64_data()) {
      if (v > 0xFFFFFFFFu)
        return emitError(loc) << where << ": " << v << " is not a uint32";
      appendBytes(bytes, static_cast<uint32_t>(v));
    }
    break;
  case kUInt64:
    for (uint64_t v : tensor.uint64_data())
      appendBytes(bytes, v);
    break;
  case kBool:
    for (int32_t v : tensor.int32_data())
      appendBytes(bytes, static_cast<uint8_t>(v != 0));
    break;
  case kFloat8E4M3FN:
  case kFloat8E4M3FNUZ:
  case kFloat8E5M2:
  case kFloat8E5M2FNUZ:
  case kInt4:
  case kUInt4:
  case kInt2:
  case kUInt2:
    // A float8 bit pattern, or a packed byte, in the low bits of each int32.
    for (int32_t v : tensor.int32_data()) {
      if (v < 0 || v > 0xFF)
        return emitError(loc) << where << ": int32_data value " << v
                              << " is not an 8-bit " << onnxTypeName(code)
                              << (packed ? " byte" : " bit pattern");
      appendBytes(bytes, static_cast<uint8_t>(v));
    }
    break;
  default:
    return emitError(loc) << where << " has dtype " << onnxTypeName(code)
                          << ", which Kiln does not support";
  }
  return elementsFromBytes(loc, type, bytes, where);
}
