//===- TensorData.cpp - Element types and weight data for frontends -------===//

#include "compiler/import/TensorData.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstdint>
#include <cstring>

using namespace mlir;
using namespace mlir::kiln;

FailureOr<DenseElementsAttr>
mlir::kiln::elementsFromBytes(Location loc, RankedTensorType type,
                              ArrayRef<char> bytes, const Twine &where) {
  Type et = type.getElementType();
  int64_t expected = bufferBytes(et, type.getNumElements());
  if (static_cast<int64_t>(bytes.size()) != expected)
    return emitError(loc) << where << ": holds " << bytes.size()
                          << " bytes, but " << type << " needs " << expected;
  if (isPackedDType(et)) {
    // Several to a byte, lowest bits first (kiln_abi.h); MLIR keeps each
    // element in a byte of its own.
    unsigned width = et.getIntOrFloatBitWidth(), perByte = 8 / width;
    SmallVector<APInt> values;
    for (int64_t i = 0, n = type.getNumElements(); i < n; ++i) {
      unsigned byte = static_cast<unsigned char>(bytes[i / perByte]);
      values.push_back(APInt(width, (byte >> (i % perByte * width)) & ((1u << width) - 1)));
    }
    return DenseElementsAttr::get(type, values);
  }
  if (et.isInteger(1)) {
    // MLIR packs bools as bits; tensors store a byte each.
    SmallVector<bool> values;
    for (char c : bytes)
      values.push_back(c != 0);
    return DenseElementsAttr::get(type, values);
  }
  // Kiln targets little-endian hosts, so the bytes are MLIR's raw layout.
  bool splat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, bytes, splat))
    return emitError(loc) << where << ": data does not fit " << type;
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}

FailureOr<DenseElementsAttr>
mlir::kiln::elementsFromDoubles(Location loc, RankedTensorType type,
                                ArrayRef<double> values, const Twine &where) {
  if (static_cast<int64_t>(values.size()) != type.getNumElements())
    return emitError(loc) << where << ": has " << values.size()
                          << " values, but " << type << " holds "
                          << type.getNumElements();
  Type et = type.getElementType();
  if (auto ft = dyn_cast<FloatType>(et)) {
    SmallVector<llvm::APFloat> out;
    for (double v : values) {
      llvm::APFloat f(v);
      bool lost;
      f.convert(ft.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven, &lost);
      out.push_back(f);
    }
    return DenseElementsAttr::get(type, out);
  }
  if (et.isInteger(1)) {
    SmallVector<bool> out;
    for (double v : values)
      out.push_back(v != 0);
    return DenseElementsAttr::get(type, out);
  }
  unsigned width = et.getIntOrFloatBitWidth();
  bool isUnsigned = et.isUnsignedInteger();
  double lo = isUnsigned ? 0.0 : -std::ldexp(1.0, width - 1);
  double hi = std::ldexp(1.0, isUnsigned ? width : width - 1);
  SmallVector<llvm::APInt> out;
  for (double v : values) {
    if (v != std::floor(v) || v < lo || v >= hi)
      return emitError(loc) << where << ": " << v << " is not a valid "
                            << dtypeName(et);
    out.push_back(isUnsigned
                      ? llvm::APInt(width, static_cast<uint64_t>(v))
                      : llvm::APInt(width, static_cast<int64_t>(v),
                                    /*isSigned=*/true));
  }
  return DenseElementsAttr::get(type, out);
}

FailureOr<WeightsFile> WeightsFile::open(Location loc, StringRef modelPath,
                                         StringRef relative,
                                         const Twine &where) {
  std::string prefix = where.isTriviallyEmpty() ? "" : where.str() + ": ";
  auto refuse = [&](const Twine &why) -> FailureOr<WeightsFile> {
    emitError(loc) << prefix << "weights file '" << relative << "' " << why;
    return failure();
  };
  if (relative.empty() || llvm::sys::path::is_absolute(relative))
    return refuse("must be a relative path inside the model's folder");
  // The OS would see the path only up to a NUL, not what was checked here.
  if (relative.contains('\0'))
    return refuse("contains a NUL character");
  for (auto it = llvm::sys::path::begin(relative),
            end = llvm::sys::path::end(relative);
       it != end; ++it)
    if (*it == "..")
      return refuse("must not contain '..'");

  SmallString<256> folder(modelPath);
  llvm::sys::path::remove_filename(folder);
  if (folder.empty())
    folder = ".";
  SmallString<256> realFolder, candidate(folder), realFile;
  llvm::sys::path::append(candidate, relative);
  if (llvm::sys::fs::real_path(folder, realFolder))
    return refuse("cannot be resolved: the model's folder is unreadable");
  if (std::error_code ec = llvm::sys::fs::real_path(candidate, realFile))
    return refuse("cannot be opened: " + ec.message());
  // Symlinks may point anywhere; the resolved path must stay in the folder.
  StringRef resolved = realFile, root = realFolder;
  bool inside = resolved.starts_with(root) &&
                (resolved.size() == root.size() ||
                 llvm::sys::path::is_separator(root.back()) ||
                 llvm::sys::path::is_separator(resolved[root.size()]));
  if (!inside)
    return refuse("resolves outside the model's folder");
  if (!llvm::sys::fs::is_regular_file(realFile))
    return refuse("is not a regular file");

  auto buffer = llvm::MemoryBuffer::getFile(realFile, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return refuse("cannot be read: " + buffer.getError().message());
  WeightsFile file;
  file.name = relative.str();
  file.buffer = std::move(*buffer);
  return file;
}

FailureOr<ArrayRef<char>> WeightsFile::bytes(Location loc, uint64_t offset,
                                             uint64_t length,
                                             const Twine &where) const {
  uint64_t size = buffer->getBufferSize();
  if (offset > size || length > size - offset) {
    InFlightDiagnostic diag = emitError(loc) << where << ": ";
    // offset + length may not fit in 64 bits; then say so in words.
    if (length > UINT64_MAX - offset)
      diag << "offset " << offset << " plus " << length << " bytes are";
    else
      diag << "bytes [" << offset << ", " << offset + length << ") are";
    diag << " outside weights file '" << name << "' (" << size << " bytes)";
    return failure();
  }
  return ArrayRef<char>(buffer->getBufferStart() + offset, length);
}

FailureOr<DenseElementsAttr> WeightsFile::read(Location loc,
                                               RankedTensorType type,
                                               uint64_t offset,
                                               const Twine &where) const {
  uint64_t length = bufferBytes(type.getElementType(), type.getNumElements());
  FailureOr<ArrayRef<char>> data = bytes(loc, offset, length, where);
  if (failed(data))
    return failure();
  return elementsFromBytes(loc, type, *data, where);
}
