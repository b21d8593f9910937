//===- ConstantRelayout.cpp - A constant's elements moved at compile time -===//

#include "codegen/Common/ConstantRelayout.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

#include <vector>

using namespace mlir;

Value mlir::kiln::relayoutConstant(
    OpBuilder &builder, Location loc, Value value, RankedTensorType resultType,
    llvm::function_ref<void(ArrayRef<char>, MutableArrayRef<char>, int64_t)> move) {
  DenseElementsAttr dense;
  if (!matchPattern(value, m_Constant(&dense)))
    return {};
  if (dense.isSplat())
    return builder.create<arith::ConstantOp>(loc, dense.resizeSplat(resultType));
  unsigned bits = resultType.getElementTypeBitWidth();
  if (bits % 8 != 0)
    return {};
  ArrayRef<char> raw = dense.getRawData();
  std::vector<char> moved(raw.size());
  move(raw, moved, bits / 8);
  return builder.create<arith::ConstantOp>(loc, DenseElementsAttr::getFromRawBuffer(resultType, moved));
}
