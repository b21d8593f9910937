//===- EmbedParameters.cpp - Weight arguments back into constants ---------===//

#include "passes/Passes.h"

#include "ir/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/BitVector.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNEMBEDPARAMETERS
#include "passes/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct KilnEmbedParameters
    : kiln::impl::KilnEmbedParametersBase<KilnEmbedParameters> {
  using Base::Base;

  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (!fn.isExternal() && failed(embed(fn)))
        return signalPassFailure();
  }

  LogicalResult embed(func::FuncOp fn) {
    OpBuilder builder(fn.getContext());
    builder.setInsertionPointToStart(&fn.getBody().front());
    llvm::BitVector erase(fn.getNumArguments());
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      if (!fn.getArgAttr(i, kParameterAttr))
        continue;
      auto value = fn.getArgAttrOfType<DenseElementsAttr>(i, kValueAttr);
      BlockArgument arg = fn.getArgument(i);
      if (!value || value.getType() != arg.getType())
        return fn.emitError("weight '")
               << fn.getArgAttrOfType<StringAttr>(i, kTensorNameAttr)
               << "' has no value of its type";
      auto constant = builder.create<ConstantOp>(arg.getLoc(), value);
      arg.replaceAllUsesWith(constant);
      erase.set(i);
    }
    fn.eraseArguments(erase);
    return success();
  }
};

} // namespace
