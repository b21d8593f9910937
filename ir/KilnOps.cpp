//===- KilnOps.cpp - Code shared by all kiln ops --------------------------===//
//
// The per-family code is in ir/ops/; this file holds what every op uses and
// the generated op definitions.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnOps.h"
#include "ir/ops/OpUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

bool mlir::kiln::areRefinementCompatible(TypeRange inferred, TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [i, a] : llvm::zip(inferred, actual)) {
    auto it = dyn_cast<RankedTensorType>(i);
    auto at = dyn_cast<RankedTensorType>(a);
    if (!it || !at || it.getElementType() != at.getElementType() ||
        it.getRank() != at.getRank())
      return false;
    for (auto [di, da] : llvm::zip(it.getShape(), at.getShape()))
      if (!ShapedType::isDynamic(di) && !ShapedType::isDynamic(da) && di != da)
        return false;
  }
  return true;
}

LogicalResult mlir::kiln::detail::verifyInferredShapes(Operation *op) {
  auto iface = cast<InferTypeOpInterface>(op);
  SmallVector<Type> inferred;
  if (failed(iface.inferReturnTypes(
          op->getContext(), op->getLoc(), op->getOperands(),
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
          op->getRegions(), inferred)))
    return failure();
  if (areRefinementCompatible(inferred, op->getResultTypes()))
    return success();
  if (inferred.size() != op->getNumResults()) {
    // kiln.split: one result per entry of `sizes`.
    InFlightDiagnostic diag = op->emitOpError("has ")
                              << op->getNumResults() << " result"
                              << (op->getNumResults() == 1 ? "" : "s")
                              << " but inference gives " << inferred.size()
                              << ": ";
    llvm::interleaveComma(inferred, diag);
    return diag;
  }
  InFlightDiagnostic diag = op->emitOpError("result type");
  if (op->getNumResults() != 1)
    diag << "s";
  diag << " ";
  llvm::interleaveComma(op->getResultTypes(), diag);
  diag << " incompatible with the inferred ";
  llvm::interleaveComma(inferred, diag);
  return diag;
}

bool mlir::kiln::detail::isExactInteger(double value, IntegerType type) {
  if (std::isnan(value) || value != std::trunc(value))
    return false;
  unsigned width = type.getWidth();
  if (width == 1)
    return value == 0 || value == 1;
  if (type.isUnsigned())
    return value >= 0 && value < std::ldexp(1.0, static_cast<int>(width));
  double limit = std::ldexp(1.0, static_cast<int>(width) - 1);
  return value >= -limit && value < limit;
}

LogicalResult mlir::kiln::detail::verifyExactSameType(Operation *op) {
  Type operand = op->getOperand(0).getType();
  for (Type result : op->getResultTypes())
    if (result != operand)
      return op->emitOpError("result type ")
             << result << " must equal the operand type " << operand;
  return success();
}

#include "ir/KilnEnums.cpp.inc"

#define GET_OP_CLASSES
#include "ir/KilnOps.cpp.inc"
