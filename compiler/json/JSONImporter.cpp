//===- JSONImporter.cpp - Kiln's JSON graph format -> kiln dialect --------===//
//
// The format is documented in docs/json-format.md (schema:
// docs/kiln-graph.schema.json). Nodes name kiln ops directly, so this file is
// mostly validation: every name resolved, every attribute of the right kind,
// weights read only from inside the model's folder.
//
//===----------------------------------------------------------------------===//

#include "compiler/json/ImportJSON.h"
#include "compiler/import/InputShapes.h"
#include "compiler/import/KilnBuilder.h"
#include "compiler/import/Parameters.h"
#include "compiler/import/TensorData.h"

#include "ir/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <nlohmann/json.hpp>

using namespace mlir;
using namespace mlir::kiln;
using Json = nlohmann::json;

namespace {

/// Attribute kinds by name. Every kiln attribute is listed once; the op's own
/// definition then decides whether it has that attribute.
enum class AttrKind { I64, F64, Bool, I64Array, Enum };

std::optional<AttrKind> attrKind(StringRef name) {
  return llvm::StringSwitch<std::optional<AttrKind>>(name)
      .Cases("axis", "groups", AttrKind::I64)
      .Cases("alpha", "beta", "epsilon", "min", "max", "value", AttrKind::F64)
      .Cases("keepdims", "ceil_mode", "count_include_pad", "select_last_index",
             AttrKind::Bool)
      .Cases("strides", "pads", "dilations", "kernel_shape", "axes", "perm",
             AttrKind::I64Array)
      .Cases("shape", "sizes", "starts", "ends", "steps", AttrKind::I64Array)
      .Cases("predicate", "approximate", "mode", AttrKind::Enum)
      .Default(std::nullopt);
}

std::optional<int32_t> enumValue(StringRef attr, StringRef value) {
  if (attr == "predicate")
    if (auto v = symbolizeComparePredicate(value))
      return static_cast<int32_t>(*v);
  if (attr == "approximate")
    if (auto v = symbolizeGeluApproximation(value))
      return static_cast<int32_t>(*v);
  if (attr == "mode")
    if (auto v = symbolizePadMode(value))
      return static_cast<int32_t>(*v);
  return std::nullopt;
}

class JSONImporter {
public:
  JSONImporter(MLIRContext &ctx, const ImportOptions &options)
      : ctx(ctx), options(options), builder(&ctx),
        fileLoc(FileLineColLoc::get(&ctx, options.path, 0, 0)) {}

  OwningOpRef<ModuleOp> run();

private:
  /// A location naming `node` inside the file, at the line where its name
  /// first appears after the "nodes" key (best effort: JSON parsers do not
  /// keep positions).
  Location nodeLoc(StringRef name);
  InFlightDiagnostic error(const Twine &what) { return emitError(fileLoc) << what; }

  FailureOr<Type> elementType(const Json &dtype, const Twine &where);
  FailureOr<RankedTensorType> tensorType(const Json &spec, const Twine &where,
                                         SmallVector<std::string> *symbolic);
  LogicalResult importInputs(const Json &model, func::FuncOp fn, Block *body);
  LogicalResult importConstants(const Json &model);
  LogicalResult importNode(const Json &node, size_t index);
  FailureOr<NamedAttribute> convertAttr(StringRef name, const Json &value,
                                        Location loc, StringRef op);
  FailureOr<Value> lookup(const Json &name, const Twine &where, Location loc);

  MLIRContext &ctx;
  const ImportOptions &options;
  OpBuilder builder;
  Location fileLoc;
  std::string text;
  size_t nodesOffset = 0;
  llvm::StringMap<Value> values;
};

} // namespace

Location JSONImporter::nodeLoc(StringRef name) {
  size_t pos = text.find("\"" + name.str() + "\"", nodesOffset);
  unsigned line = 0, col = 0;
  if (pos != std::string::npos) {
    line = 1 + std::count(text.begin(), text.begin() + pos, '\n');
    size_t lineStart = text.rfind('\n', pos);
    col = 1 + pos - (lineStart == std::string::npos ? 0 : lineStart + 1);
  }
  return NameLoc::get(StringAttr::get(&ctx, name),
                      FileLineColLoc::get(&ctx, options.path, line, col));
}

FailureOr<Type> JSONImporter::elementType(const Json &dtype,
                                          const Twine &where) {
  if (!dtype.is_string()) {
    error(where + ": 'dtype' must be a string such as \"float32\"");
    return failure();
  }
  Type t = parseDTypeName(&ctx, dtype.get<std::string>());
  if (!t) {
    error(where + ": unsupported dtype '" + dtype.get<std::string>() +
          "' (supported: " + supportedDTypeNames() + ")");
    return failure();
  }
  return t;
}

FailureOr<RankedTensorType>
JSONImporter::tensorType(const Json &spec, const Twine &where,
                         SmallVector<std::string> *symbolic) {
  if (!spec.is_object() || !spec.contains("dtype") || !spec.contains("shape")) {
    error(where + ": needs 'dtype' and 'shape'");
    return failure();
  }
  FailureOr<Type> et = elementType(spec["dtype"], where);
  if (failed(et))
    return failure();
  const Json &shape = spec["shape"];
  if (!shape.is_array()) {
    error(where + ": 'shape' must be an array of dims");
    return failure();
  }
  SmallVector<int64_t> dims;
  for (const Json &d : shape) {
    if (d.is_number_integer() && d.get<int64_t>() >= 0) {
      dims.push_back(d.get<int64_t>());
      if (symbolic)
        symbolic->push_back("");
    } else if (symbolic && (d.is_string() || d.is_null())) {
      dims.push_back(ShapedType::kDynamic);
      symbolic->push_back(d.is_string() ? d.get<std::string>() : "?");
    } else {
      error(where + ": shape entries must be non-negative integers" +
            (symbolic ? " or names of symbolic dims" : ""));
      return failure();
    }
  }
  return RankedTensorType::get(dims, *et);
}

LogicalResult JSONImporter::importInputs(const Json &model, func::FuncOp fn,
                                         Block *body) {
  const Json &inputs = model["inputs"];
  SmallVector<std::string> names;
  SmallVector<Type> types;
  bool ok = true;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string where = "inputs[" + std::to_string(i) + "]";
    const Json &in = inputs[i];
    if (!in.is_object() || !in.contains("name") || !in["name"].is_string()) {
      error(where + ": needs a string 'name'");
      return failure();
    }
    std::string name = in["name"].get<std::string>();
    names.push_back(name);
    SmallVector<std::string> symbolic;
    FailureOr<RankedTensorType> declared = tensorType(in, where, &symbolic);
    if (failed(declared))
      return failure();
    FailureOr<RankedTensorType> type =
        resolveInputType(fileLoc, name, *declared, symbolic, options);
    if (failed(type)) {
      ok = false;
      continue;
    }
    if (values.count(name)) {
      error(where + ": duplicate tensor name '" + name + "'");
      return failure();
    }
    values[name] = body->addArgument(*type, fileLoc);
    types.push_back(*type);
  }
  // Every problem with the inputs at once: unbound dims and stray bindings.
  bool bindingsOk = succeeded(checkShapeBindings(fileLoc, names, options));
  if (!ok || !bindingsOk)
    return failure();
  fn.setType(builder.getFunctionType(types, {}));
  for (auto [i, name] : llvm::enumerate(names))
    fn.setArgAttr(i, kTensorNameAttr, builder.getStringAttr(name));
  return success();
}

LogicalResult JSONImporter::importConstants(const Json &model) {
  if (!model.contains("constants"))
    return success();
  const Json &constants = model["constants"];
  if (!constants.is_array())
    return error("'constants' must be an array");
  std::optional<WeightsFile> weights;
  if (model.contains("weights")) {
    if (!model["weights"].is_string())
      return error("'weights' must be a file name");
    FailureOr<WeightsFile> w =
        WeightsFile::open(fileLoc, options.path, model["weights"].get<std::string>());
    if (failed(w))
      return failure();
    weights = std::move(*w);
  }
  for (size_t i = 0; i < constants.size(); ++i) {
    std::string where = "constants[" + std::to_string(i) + "]";
    const Json &c = constants[i];
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string())
      return error(where + ": needs a string 'name'");
    std::string name = c["name"].get<std::string>();
    where += " '" + name + "'";
    FailureOr<RankedTensorType> type = tensorType(c, where, nullptr);
    if (failed(type))
      return failure();
    DenseElementsAttr value;
    if (c.contains("data")) {
      std::vector<double> flat;
      std::function<bool(const Json &)> flatten = [&](const Json &j) {
        if (j.is_array()) {
          for (const Json &e : j)
            if (!flatten(e))
              return false;
          return true;
        }
        if (j.is_number() || j.is_boolean()) {
          flat.push_back(j.is_boolean() ? (j.get<bool>() ? 1.0 : 0.0)
                                        : j.get<double>());
          return true;
        }
        return false;
      };
      if (!flatten(c["data"]))
        return error(where + ": 'data' must hold only numbers");
      FailureOr<DenseElementsAttr> v =
          elementsFromDoubles(fileLoc, *type, flat, where);
      if (failed(v))
        return failure();
      value = *v;
    } else if (c.contains("offset")) {
      if (!weights)
        return error(where + ": has an 'offset' but the model names no 'weights' file");
      if (!c["offset"].is_number_unsigned())
        return error(where + ": 'offset' must be a non-negative integer");
      FailureOr<DenseElementsAttr> v =
          weights->read(fileLoc, *type, c["offset"].get<uint64_t>(), where);
      if (failed(v))
        return failure();
      value = *v;
    } else {
      return error(where + ": needs inline 'data' or an 'offset' into the weights file");
    }
    if (values.count(name))
      return error(where + ": duplicate tensor name '" + name + "'");
    if (isParameter(options, value))
      values[name] = addParameter(
          cast<func::FuncOp>(builder.getBlock()->getParentOp()), name, value);
    else
      values[name] = builder.create<ConstantOp>(nodeLoc(name), value);
  }
  return success();
}

FailureOr<NamedAttribute> JSONImporter::convertAttr(StringRef name,
                                                    const Json &value,
                                                    Location loc, StringRef op) {
  auto fail = [&](const Twine &expected) -> FailureOr<NamedAttribute> {
    emitError(loc) << op << ": attribute '" << name << "' must be " << expected;
    return failure();
  };
  std::optional<AttrKind> kind = attrKind(name);
  if (!kind)
    return fail("one of kiln's attributes; '" + name + "' is not");
  StringAttr id = builder.getStringAttr(name);
  switch (*kind) {
  case AttrKind::I64:
    if (!value.is_number_integer())
      return fail("an integer");
    return NamedAttribute(id, builder.getI64IntegerAttr(value.get<int64_t>()));
  case AttrKind::F64:
    if (!value.is_number())
      return fail("a number");
    return NamedAttribute(id, builder.getF64FloatAttr(value.get<double>()));
  case AttrKind::Bool:
    if (!value.is_boolean())
      return fail("true or false");
    return NamedAttribute(id, builder.getBoolAttr(value.get<bool>()));
  case AttrKind::I64Array: {
    if (!value.is_array())
      return fail("an array of integers");
    SmallVector<int64_t> v;
    for (const Json &e : value) {
      if (!e.is_number_integer())
        return fail("an array of integers");
      v.push_back(e.get<int64_t>());
    }
    return NamedAttribute(id, builder.getDenseI64ArrayAttr(v));
  }
  case AttrKind::Enum: {
    std::optional<int32_t> v;
    if (value.is_string())
      v = enumValue(name, value.get<std::string>());
    if (!v)
      return fail(name == "predicate"    ? "one of eq, ne, lt, le, gt, ge"
                  : name == "approximate" ? "none or tanh"
                                          : "constant, reflect or edge");
    return NamedAttribute(id, builder.getI32IntegerAttr(*v));
  }
  }
  llvm_unreachable("all attribute kinds handled");
}

FailureOr<Value> JSONImporter::lookup(const Json &name, const Twine &where,
                                      Location loc) {
  if (!name.is_string()) {
    emitError(loc) << where << " must be a tensor name";
    return failure();
  }
  auto it = values.find(name.get<std::string>());
  if (it == values.end()) {
    emitError(loc) << where << " names '" << name.get<std::string>()
                   << "', which is not an input, a constant or the output of "
                      "an earlier node";
    return failure();
  }
  return it->second;
}

LogicalResult JSONImporter::importNode(const Json &node, size_t index) {
  std::string where = "nodes[" + std::to_string(index) + "]";
  if (!node.is_object() || !node.contains("op") || !node["op"].is_string())
    return error(where + ": needs a string 'op'");
  std::string op = node["op"].get<std::string>();
  std::string name = node.contains("name") && node["name"].is_string()
                         ? node["name"].get<std::string>()
                         : op + "_" + std::to_string(index);
  Location loc = nodeLoc(name);
  auto fail = [&](const Twine &msg) {
    return emitError(loc) << op << ": " << msg;
  };
  if (!node.contains("inputs") || !node["inputs"].is_array() ||
      !node.contains("outputs") || !node["outputs"].is_array() ||
      node["outputs"].empty())
    return fail("needs an 'inputs' array and a non-empty 'outputs' array");

  SmallVector<Value> operands;
  for (size_t i = 0; i < node["inputs"].size(); ++i) {
    FailureOr<Value> v =
        lookup(node["inputs"][i], op + ": input " + std::to_string(i), loc);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }

  SmallVector<NamedAttribute> attrs;
  SmallVector<Type> explicitTypes;
  if (node.contains("attributes")) {
    if (!node["attributes"].is_object())
      return fail("'attributes' must be an object");
    for (const auto &[key, value] : node["attributes"].items()) {
      if (op == "cast" && key == "to") {
        FailureOr<Type> to = elementType(value, where + " attribute 'to'");
        if (failed(to) || operands.size() != 1)
          return failure();
        auto in = cast<RankedTensorType>(operands[0].getType());
        explicitTypes.push_back(RankedTensorType::get(in.getShape(), *to));
        continue;
      }
      FailureOr<NamedAttribute> attr = convertAttr(key, value, loc, op);
      if (failed(attr))
        return failure();
      attrs.push_back(*attr);
    }
  }
  if (op == "cast" && explicitTypes.empty())
    return fail("needs the attribute 'to' (a dtype)");

  size_t numResults = node["outputs"].size();
  FailureOr<Operation *> created =
      createKilnOp(builder, loc, "kiln." + op, operands, attrs,
                   static_cast<unsigned>(numResults), explicitTypes);
  if (failed(created))
    return failure();
  for (size_t i = 0; i < numResults; ++i) {
    const Json &out = node["outputs"][i];
    if (!out.is_string())
      return fail("outputs must be tensor names");
    if (values.count(out.get<std::string>()))
      return fail("output '" + out.get<std::string>() +
                  "' reuses the name of another tensor");
    values[out.get<std::string>()] = (*created)->getResult(i);
  }
  return success();
}

OwningOpRef<ModuleOp> JSONImporter::run() {
  auto buffer = llvm::MemoryBuffer::getFile(options.path, /*IsText=*/true);
  if (!buffer) {
    error("cannot read the model: " + buffer.getError().message());
    return nullptr;
  }
  text = (*buffer)->getBuffer().str();
  Json model;
  try {
    model = Json::parse(text);
  } catch (const Json::exception &e) {
    // parse_error, and out_of_range for a number past 64 bits (found by
    // test/fuzz): both are a file that is not valid for us.
    error(std::string("not valid JSON: ") + e.what());
    return nullptr;
  }
  // value("format", "") would throw for a non-string "format".
  if (!model.is_object() || !model.contains("format") || !model["format"].is_string() ||
      model["format"] != "kiln-graph") {
    error("not a Kiln graph: expected an object with \"format\": \"kiln-graph\"");
    return nullptr;
  }
  if (!model.contains("version") || model["version"] != 1) {
    error("unsupported kiln-graph version (this Kiln reads version 1)");
    return nullptr;
  }
  for (const char *key : {"inputs", "outputs", "nodes"})
    if (!model.contains(key) || !model[key].is_array()) {
      error(std::string("'") + key + "' must be an array");
      return nullptr;
    }
  nodesOffset = text.find("\"nodes\"");
  if (nodesOffset == std::string::npos)
    nodesOffset = 0;

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  auto fn = builder.create<func::FuncOp>(fileLoc, kModelFunctionName,
                                         builder.getFunctionType({}, {}));
  Block *body = fn.addEntryBlock();
  builder.setInsertionPointToStart(body);

  try {
    if (failed(importInputs(model, fn, body)) || failed(importConstants(model)))
      return nullptr;
    const Json &nodes = model["nodes"];
    for (size_t i = 0; i < nodes.size(); ++i)
      if (failed(importNode(nodes[i], i)))
        return nullptr;

    SmallVector<Value> results;
    SmallVector<std::string> names;
    for (size_t i = 0; i < model["outputs"].size(); ++i) {
      FailureOr<Value> v = lookup(model["outputs"][i],
                                  "outputs[" + std::to_string(i) + "]", fileLoc);
      if (failed(v))
        return nullptr;
      results.push_back(*v);
      names.push_back(model["outputs"][i].get<std::string>());
    }
    if (results.empty()) {
      error("the model has no outputs");
      return nullptr;
    }
    builder.create<func::ReturnOp>(fileLoc, results);
    fn.setType(builder.getFunctionType(fn.getArgumentTypes(),
                                       ValueRange(results).getTypes()));
    for (auto [i, name] : llvm::enumerate(names))
      fn.setResultAttr(i, kTensorNameAttr, builder.getStringAttr(name));
  } catch (const Json::exception &e) {
    // Type errors deep in the document (a string where a number belongs).
    error(std::string("malformed model: ") + e.what());
    return nullptr;
  }
  return module;
}

OwningOpRef<ModuleOp> mlir::kiln::importJSON(MLIRContext &ctx,
                                             const ImportOptions &options) {
  return JSONImporter(ctx, options).run();
}
