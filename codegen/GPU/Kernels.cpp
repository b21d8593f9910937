//===- Kernels.cpp - What the GPU kernel passes share ---------------------===//

#include "codegen/GPU/Kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

namespace {
/// The buffer `value` is a view of (a function argument).
Value rootBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}
} // namespace

linalg::FillOp mlir::kiln::initializingFill(Operation *op, Value init) {
  Value root = rootBuffer(init);
  for (Operation *it = op->getPrevNode(); it; it = it->getPrevNode()) {
    if (isMemoryEffectFree(it))
      continue;
    auto fill = dyn_cast<linalg::FillOp>(it);
    if (fill && fill.getOutputs()[0] == init)
      return matchPattern(fill.getInputs()[0], m_Constant()) ? fill : nullptr;
    llvm::SetVector<Value> used(it->operand_begin(), it->operand_end());
    getUsedValuesDefinedAbove(it->getRegions(), used);
    for (Value value : used)
      if (isa<MemRefType>(value.getType()) && rootBuffer(value) == root)
        return nullptr;
  }
  return nullptr;
}

void mlir::kiln::delinearizeLoops(OpBuilder &builder, Location loc, ArrayRef<int64_t> ranges,
                                  ArrayRef<unsigned> dims, Value linear,
                                  MutableArrayRef<Value> ivs) {
  for (unsigned d : llvm::reverse(dims)) {
    if (d == dims.front()) {
      ivs[d] = linear;
      break;
    }
    Value size = builder.create<arith::ConstantIndexOp>(loc, ranges[d]);
    ivs[d] = builder.create<arith::RemUIOp>(loc, linear, size);
    linear = builder.create<arith::DivUIOp>(loc, linear, size);
  }
}

SmallVector<Value> mlir::kiln::indicesAt(AffineMap map, ArrayRef<Value> ivs) {
  SmallVector<Value> indices;
  for (AffineExpr result : map.getResults())
    indices.push_back(ivs[cast<AffineDimExpr>(result).getPosition()]);
  return indices;
}

Value mlir::kiln::buildVector(OpBuilder &builder, Location loc, VectorType type,
                              ValueRange elements) {
  Value vector = builder.create<arith::ConstantOp>(loc, type, builder.getZeroAttr(type));
  for (auto [i, element] : llvm::enumerate(elements)) {
    SmallVector<int64_t> position = delinearize(static_cast<int64_t>(i), computeStrides(type.getShape()));
    vector = builder.create<vector::InsertOp>(loc, element, vector, position);
  }
  return vector;
}
