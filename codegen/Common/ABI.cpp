//===- ABI.cpp - The artifact ABI as the codegen passes see it ------------===//

#include "codegen/Common/ABI.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "ir/DTypes.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::kiln;

SmallVector<abi::ModelFunction> abi::getModelFunctions(ModuleOp module) {
  SmallVector<ModelFunction> marked;
  for (auto fn : module.getOps<func::FuncOp>())
    if (auto name = fn->getAttrOfType<StringAttr>(kEntryPointAttr))
      marked.push_back({fn, name.str()});
  if (!marked.empty())
    return marked;
  if (auto main = module.lookupSymbol<func::FuncOp>(kDefaultEntryFunction))
    if (!main.isExternal() && !isEntryFunction(main))
      return {{main, kDefaultEntryName.str()}};
  return {};
}

bool abi::isEntryFunction(func::FuncOp fn) {
  return fn->hasAttrOfType<StringAttr>(kEntryAttr);
}

StringRef abi::getEntryName(func::FuncOp fn) {
  auto name = fn->getAttrOfType<StringAttr>(kEntryAttr);
  return name ? name.getValue() : StringRef();
}

Type abi::getArgElementType(func::FuncOp fn, unsigned index,
                            ShapedType type) {
  if (auto t = fn.getArgAttrOfType<TypeAttr>(index, kElementTypeAttr))
    return t.getValue();
  return type.getElementType();
}

Type abi::getResultElementType(func::FuncOp fn, unsigned index,
                               ShapedType type) {
  if (auto t = fn.getResultAttrOfType<TypeAttr>(index, kElementTypeAttr))
    return t.getValue();
  return type.getElementType();
}

std::string abi::implFunctionName(StringRef prefix, StringRef entry) {
  return (prefix + "_" + entry + "_impl").str();
}

SmallVector<std::pair<BlockArgument, StringRef>>
abi::getOutputArguments(func::FuncOp fn) {
  SmallVector<std::pair<BlockArgument, StringRef>> outputs;
  auto weights = fn->getAttrOfType<DenseI64ArrayAttr>(kArgWeightsAttr);
  auto names = fn->getAttrOfType<ArrayAttr>(kOutputNamesAttr);
  if (!weights || !names || fn.isExternal())
    return outputs;
  Block &entry = fn.getBody().front();
  for (auto [i, name] : llvm::enumerate(names)) {
    unsigned index = weights.size() + i;
    if (index >= entry.getNumArguments())
      break;
    outputs.push_back({entry.getArgument(index), cast<StringAttr>(name).getValue()});
  }
  return outputs;
}

/// Bytes outside [A-Za-z0-9_.-] as %XX, so names never contain the
/// signature's separators.
static std::string escapeName(StringRef name) {
  std::string out;
  for (unsigned char c : name) {
    if (llvm::isAlnum(c) || c == '_' || c == '.' || c == '-')
      out += static_cast<char>(c);
    else
      out += "%" + llvm::utohexstr(c, /*LowerCase=*/false, /*Width=*/2);
  }
  return out;
}

std::string abi::renderTensor(StringRef name, Type elementType,
                              ArrayRef<int64_t> shape) {
  SmallVector<std::string> dims;
  for (int64_t d : shape)
    dims.push_back(std::to_string(d));
  return escapeName(name) + ":" + shortDTypeName(elementType) + "[" +
         llvm::join(dims, ",") + "]";
}

std::string abi::renderEntry(StringRef entry, ArrayRef<std::string> inputs,
                             ArrayRef<std::string> outputs) {
  return (entry + ":in=" + llvm::join(inputs, ",") + ";out=" +
          llvm::join(outputs, ","))
      .str();
}

std::string abi::renderSignature(ArrayRef<std::string> entries,
                                 ArrayRef<std::string> weights,
                                 StringRef stateSignature) {
  std::string s = KILN_ABI_TAG;
  for (const std::string &e : entries)
    s += "|" + e;
  if (!weights.empty())
    s += "|weights=" + llvm::join(weights, ",");
  return s + stateSignature.str();
}

int64_t abi::StateLayout::find(StringRef name) const {
  for (auto [i, t] : llvm::enumerate(tensors))
    if (t.name == name)
      return i;
  return -1;
}

FailureOr<abi::StateLayout> abi::layoutState(ModuleOp module) {
  StateLayout layout;
  auto add = [&](func::FuncOp fn, StringAttr name, Type t, Type elementType) -> LogicalResult {
    auto type = cast<RankedTensorType>(t);
    if (!name)
      return fn.emitError("a state tensor without a ") << kTensorNameAttr;
    int64_t at = layout.find(name.getValue());
    if (at >= 0) {
      if (layout.tensors[at].type != type)
        return fn.emitError("state tensor '")
               << name.getValue() << "' is " << type << " here but "
               << layout.tensors[at].type << " elsewhere";
      return success();
    }
    int64_t offset = (layout.bytes + KILN_STATE_ALIGNMENT - 1) /
                     KILN_STATE_ALIGNMENT * KILN_STATE_ALIGNMENT;
    layout.tensors.push_back({name.str(), type, elementType, offset});
    layout.bytes = offset + bufferBytes(type.getElementType(), type.getNumElements());
    return success();
  };
  for (const ModelFunction &m : getModelFunctions(module)) {
    func::FuncOp fn = m.function;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      if (fn.getArgAttr(i, kStateAttr)) {
        Type t = fn.getArgument(i).getType();
        if (failed(add(fn, fn.getArgAttrOfType<StringAttr>(i, kTensorNameAttr), t,
                       getArgElementType(fn, i, cast<ShapedType>(t)))))
          return failure();
      }
    for (unsigned i = 0; i < fn.getNumResults(); ++i)
      if (fn.getResultAttr(i, kStateAttr)) {
        Type t = fn.getResultTypes()[i];
        if (failed(add(fn, fn.getResultAttrOfType<StringAttr>(i, kTensorNameAttr), t,
                       getResultElementType(fn, i, cast<ShapedType>(t)))))
          return failure();
      }
  }
  return layout;
}

std::string abi::renderStateSignature(const StateLayout &layout) {
  if (layout.tensors.empty())
    return "";
  SmallVector<std::string> parts;
  for (const StateTensor &t : layout.tensors)
    parts.push_back(renderTensor(t.name, t.elementType, t.type.getShape()) + "@" +
                    std::to_string(t.offset));
  return "|state=" + llvm::join(parts, ",");
}

int64_t abi::alignWeightOffset(int64_t offset) {
  return (offset + KILN_WEIGHTS_ALIGNMENT - 1) / KILN_WEIGHTS_ALIGNMENT *
         KILN_WEIGHTS_ALIGNMENT;
}

bool abi::isCIdentifier(StringRef name) {
  if (name.empty() || llvm::isDigit(name[0]))
    return false;
  return llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

Type mlir::kiln::abi::contextStructType(MLIRContext *ctx) {
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i32 = IntegerType::get(ctx, 32), i64 = IntegerType::get(ctx, 64);
  return LLVM::LLVMStructType::getLiteral(
      ctx, {i32, i32, ptr, i64, ptr, i64, ptr, ptr, i32, i32, ptr, ptr});
}

Type mlir::kiln::abi::deviceStructType(MLIRContext *ctx) {
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i32 = IntegerType::get(ctx, 32);
  return LLVM::LLVMStructType::getLiteral(ctx, {i32, i32, ptr, ptr});
}
