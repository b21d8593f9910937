//===- KilnBuilder.cpp - Safe creation of kiln ops for frontends ----------===//

#include "compiler/import/KilnBuilder.h"

#include "ir/KilnOps.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::kiln;

FailureOr<Operation *> mlir::kiln::createKilnOp(OpBuilder &b, Location loc,
                                                StringRef opName,
                                                ValueRange operands,
                                                ArrayRef<NamedAttribute> attributes,
                                                unsigned numResults,
                                                TypeRange explicitTypes) {
  MLIRContext *ctx = b.getContext();
  std::optional<RegisteredOperationName> name =
      RegisteredOperationName::lookup(opName, ctx);
  if (!name)
    return emitError(loc) << "unknown op '" << opName << "'";
  // Attributes the op does not declare would silently become discardable
  // attributes; a frontend passing one has a bug or an unsupported input.
  for (const NamedAttribute &attr : attributes)
    if (!llvm::is_contained(name->getAttributeNames(), attr.getName()))
      return emitError(loc) << "'" << opName << "' has no attribute '"
                            << attr.getName().getValue() << "'";

  bool infers = name->hasInterface<InferTypeOpInterface>();
  if (!infers && explicitTypes.size() != numResults)
    return emitError(loc) << "internal error: '" << opName
                          << "' needs explicit result types";
  OperationState state(loc, *name);
  state.addOperands(operands);
  state.addAttributes(attributes);
  if (infers)
    state.addTypes(SmallVector<Type>(numResults, NoneType::get(ctx)));
  else
    state.addTypes(explicitTypes);
  Operation *op = b.create(state);

  auto fail = [&]() -> FailureOr<Operation *> {
    op->erase();
    return failure();
  };
  if (infers) {
    SmallVector<Type> types;
    if (failed(cast<InferTypeOpInterface>(op).inferReturnTypes(
            ctx, loc, op->getOperands(), op->getRawDictionaryAttrs(),
            op->getPropertiesStorage(), op->getRegions(), types)))
      return fail();
    if (types.size() != numResults) {
      emitError(loc) << "'" << opName << "' produces " << types.size()
                     << " results, the model expects " << numResults;
      return fail();
    }
    for (auto [result, type] : llvm::zip(op->getResults(), types))
      result.setType(type);
  }
  if (failed(verify(op)))
    return fail();
  return op;
}

FailureOr<SmallVector<Value>> mlir::kiln::createFolded(
    OpBuilder &b, Location loc, StringRef opName, ValueRange operands,
    ArrayRef<NamedAttribute> attributes, unsigned numResults,
    TypeRange explicitTypes) {
  FailureOr<Operation *> op = createKilnOp(b, loc, opName, operands, attributes,
                                           numResults, explicitTypes);
  if (failed(op))
    return failure();
  SmallVector<Value> results;
  if (succeeded(b.tryFold(*op, results)) && !results.empty()) {
    (*op)->erase();
    return results;
  }
  return SmallVector<Value>((*op)->getResults());
}

DenseElementsAttr mlir::kiln::getConstantValue(Value v) {
  if (auto c = v.getDefiningOp<ConstantOp>())
    return dyn_cast<DenseElementsAttr>(c.getValue());
  return {};
}
