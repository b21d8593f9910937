//===- Frontend.cpp - Choosing a frontend; the MLIR one -------------------===//

#include "compiler/frontend/Frontend.h"

#include "compiler/import/InputShapes.h"
#include "compiler/json/ImportJSON.h"
#include "compiler/onnx/ImportONNX.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

func::FuncOp mlir::kiln::getModelFunction(ModuleOp module) {
  return module.lookupSymbol<func::FuncOp>(kModelFunctionName);
}

OwningOpRef<ModuleOp> mlir::kiln::importMLIR(MLIRContext &ctx,
                                             const ImportOptions &options) {
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(options.path, &ctx);
  if (!module)
    return nullptr;
  func::FuncOp fn = getModelFunction(*module);
  if (!fn || fn.isExternal()) {
    emitError(FileLineColLoc::get(&ctx, options.path, 0, 0))
        << "the module has no function @" << kModelFunctionName
        << " to compile";
    return nullptr;
  }
  for (Type t : llvm::concat<const Type>(fn.getArgumentTypes(),
                                         fn.getResultTypes()))
    if (!isa<RankedTensorType>(t)) {
      fn.emitError("@main takes and returns ranked tensors only, got ") << t;
      return nullptr;
    }
  SmallVector<std::string> names;
  bool ok = true;
  for (BlockArgument arg : fn.getArguments()) {
    auto attr = fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kTensorNameAttr);
    names.push_back(attr ? attr.str() : "arg" + std::to_string(arg.getArgNumber()));
    FailureOr<RankedTensorType> type =
        resolveInputType(fn.getLoc(), names.back(),
                         cast<RankedTensorType>(arg.getType()), {}, options);
    if (failed(type)) {
      ok = false;
      continue;
    }
    arg.setType(*type);
  }
  bool bindingsOk = succeeded(checkShapeBindings(fn.getLoc(), names, options));
  if (!ok || !bindingsOk)
    return nullptr;
  fn.setType(FunctionType::get(&ctx, fn.getBody().getArgumentTypes(),
                               fn.getResultTypes()));
  // The body still has the old shapes: the pipeline's first pass, shape
  // inference, refines them.
  return module;
}

OwningOpRef<ModuleOp> mlir::kiln::importModel(MLIRContext &ctx,
                                              const ImportOptions &options) {
  ctx.loadDialect<KilnDialect, func::FuncDialect>();
  StringRef ext = llvm::sys::path::extension(options.path);
  OwningOpRef<ModuleOp> module;
  if (!options.constants.empty() && !ext.equals_insensitive(".onnx")) {
    emitError(FileLineColLoc::get(&ctx, options.path, 0, 0))
        << "--constant " << options.constants.begin()->getKey()
        << ": only ONNX models take --constant (a JSON or kiln model states "
           "its constants itself)";
    return nullptr;
  }
  if (ext.equals_insensitive(".onnx"))
    module = importONNX(ctx, options);
  else if (ext.equals_insensitive(".json"))
    module = importJSON(ctx, options);
  else if (ext.equals_insensitive(".mlir"))
    module = importMLIR(ctx, options);
  else {
    emitError(FileLineColLoc::get(&ctx, options.path, 0, 0))
        << "unknown model format '" << ext
        << "' (expected .onnx, .json or .mlir)";
    return nullptr;
  }
  return module;
}
