//===- Frontend.cpp - Choosing a frontend, binding input shapes -----------===//

#include "compiler/Frontend.h"

#include "ir/KilnDialect.h"
#include "ir/Shapes.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

func::FuncOp mlir::kiln::getModelFunction(ModuleOp module) {
  return module.lookupSymbol<func::FuncOp>(kModelFunctionName);
}

FailureOr<SmallVector<int64_t>> mlir::kiln::parseDims(StringRef text) {
  SmallVector<StringRef> parts;
  text.split(parts, text.contains(',') ? ',' : 'x', -1, /*KeepEmpty=*/true);
  SmallVector<int64_t> dims;
  for (StringRef p : parts) {
    int64_t d;
    if (p.trim().getAsInteger(10, d) || d < 0)
      return failure();
    dims.push_back(d);
  }
  if (text.trim().empty())
    dims.clear(); // "" is a rank-0 shape
  return dims;
}

LogicalResult mlir::kiln::checkShapeBindings(Location loc,
                                             ArrayRef<std::string> inputNames,
                                             const ImportOptions &options) {
  for (const auto &binding : options.shapes)
    if (!llvm::is_contained(inputNames, binding.getKey().str()))
      return emitError(loc) << "--shape names '" << binding.getKey()
                            << "', which is not an input of the model (inputs: "
                            << llvm::join(inputNames, ", ") << ")";
  return success();
}

FailureOr<RankedTensorType>
mlir::kiln::resolveInputType(Location loc, StringRef name,
                             RankedTensorType declared,
                             ArrayRef<std::string> symbolicDims,
                             const ImportOptions &options) {
  auto it = options.shapes.find(name);
  if (it != options.shapes.end()) {
    ArrayRef<int64_t> dims = it->second;
    bool agrees = static_cast<int64_t>(dims.size()) == declared.getRank();
    for (size_t d = 0; agrees && d < dims.size(); ++d)
      agrees = declared.isDynamicDim(d) || declared.getDimSize(d) == dims[d];
    if (!agrees)
      return emitError(loc) << "--shape " << name << "=" << formatShape(dims)
                            << " does not match the model's input '" << name
                            << "' of shape " << formatShape(declared.getShape());
    return RankedTensorType::get(dims, declared.getElementType());
  }
  if (declared.hasStaticShape())
    return declared;
  InFlightDiagnostic diag = emitError(loc)
                            << "input '" << name << "' has dims "
                            << formatShape(declared.getShape());
  SmallVector<std::string> symbolic;
  for (const std::string &s : symbolicDims)
    if (!s.empty())
      symbolic.push_back(s);
  if (!symbolic.empty())
    diag << " (symbolic: " << llvm::join(symbolic, ", ") << ")";
  SmallVector<std::string> example;
  for (int64_t d : declared.getShape())
    example.push_back(ShapedType::isDynamic(d) ? "N" : std::to_string(d));
  diag << "; bind them with --shape " << name << "=" << llvm::join(example, "x");
  return failure();
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
  // The body still has the old shapes; importModel refines them.
  return module;
}

OwningOpRef<ModuleOp> mlir::kiln::importModel(MLIRContext &ctx,
                                              const ImportOptions &options) {
  ctx.loadDialect<KilnDialect, func::FuncDialect>();
  StringRef ext = llvm::sys::path::extension(options.path);
  OwningOpRef<ModuleOp> module;
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
  if (!module)
    return nullptr;
  // Bound input shapes flow through the body before the first verification
  // (an op like kiln.relu must see its new operand and result types at once).
  PassManager pm(&ctx);
  pm.enableVerifier(false);
  pm.addNestedPass<func::FuncOp>(createKilnShapeInference());
  if (failed(pm.run(*module)) || failed(verify(*module)))
    return nullptr;
  return module;
}
