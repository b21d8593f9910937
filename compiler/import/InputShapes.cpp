//===- InputShapes.cpp - Binding the model's input shapes -----------------===//

#include "compiler/import/InputShapes.h"

#include "ir/Shapes.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::kiln;

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

LogicalResult mlir::kiln::addShapeBinding(StringRef text,
                                          ImportOptions &options,
                                          std::string &problem) {
  auto [name, dims] = text.split('=');
  FailureOr<SmallVector<int64_t>> parsed = parseDims(dims);
  if (name.empty() || !text.contains('=') || failed(parsed)) {
    problem = "--shape expects NAME=DIMS like x=1x3x224x224, got '" +
              text.str() + "'";
    return failure();
  }
  if (options.shapes.count(name)) {
    problem = "--shape " + name.str() + " given twice";
    return failure();
  }
  options.shapes[name] = *parsed;
  return success();
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

