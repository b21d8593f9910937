//===- ElementValues.cpp - How kiln element types compute -----------------===//

#include "ir/ElementValues.h"

#include <cmath>

using namespace mlir;
using llvm::APFloat;
using llvm::APInt;

Type mlir::kiln::getComputeType(Type elementType) {
  if (elementType.isF16() || elementType.isBF16())
    return Float32Type::get(elementType.getContext());
  return elementType;
}

APFloat mlir::kiln::getFloatElement(FloatType type, double value) {
  APFloat v(value);
  bool lost;
  v.convert(type.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
  return v;
}

APInt mlir::kiln::getIntElement(IntegerType type, double value) {
  unsigned width = type.getWidth();
  if (width == 1)
    return APInt(1, value != 0);
  if (type.isUnsigned()) {
    // [0, 2^width - 1]; 2^64 - 1 is no double, so compare with 2^width.
    double limit = std::ldexp(1.0, width);
    if (std::isnan(value) || value <= 0)
      return APInt::getZero(width);
    if (value >= limit)
      return APInt::getMaxValue(width);
    return APInt(width, static_cast<uint64_t>(value));
  }
  // Saturate before converting: a double outside int64 is undefined in C++.
  int64_t lo = APInt::getSignedMinValue(width).getSExtValue();
  int64_t hi = APInt::getSignedMaxValue(width).getSExtValue();
  int64_t v = std::isnan(value)                    ? 0
              : value <= static_cast<double>(lo) ? lo
              : value >= static_cast<double>(hi) ? hi
                                                 : static_cast<int64_t>(value);
  return APInt(width, v, /*isSigned=*/true);
}
