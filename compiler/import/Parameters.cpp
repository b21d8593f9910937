//===- Parameters.cpp - Weights as arguments of the model function --------===//

#include "compiler/import/Parameters.h"

#include "codegen/Common/ABI.h"
#include "ir/KilnDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::kiln;

bool mlir::kiln::isParameter(const ImportOptions &options, DenseElementsAttr value) {
  return options.weights == WeightsMode::Parameters &&
         isa<FloatType>(value.getElementType());
}

BlockArgument mlir::kiln::addParameter(func::FuncOp fn, StringRef name,
                                       DenseElementsAttr value) {
  Block &body = fn.getBody().front();
  BlockArgument arg = body.addArgument(value.getType(), fn.getLoc());
  fn.setType(FunctionType::get(fn.getContext(), body.getArgumentTypes(),
                               fn.getResultTypes()));
  Builder b(fn.getContext());
  unsigned i = arg.getArgNumber();
  fn.setArgAttr(i, kTensorNameAttr, b.getStringAttr(name));
  fn.setArgAttr(i, abi::kParameterAttr, b.getUnitAttr());
  fn.setArgAttr(i, abi::kValueAttr, value);
  return arg;
}
