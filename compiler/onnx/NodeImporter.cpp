//===- NodeImporter.cpp - Attributes, inputs and outputs of one node ------===//

#include "compiler/onnx/ONNXImporter.h"

#include "compiler/import/KilnBuilder.h"

#include "ir/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"

#include <limits>
#include <set>

#include <onnx/onnx_pb.h>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

//===----------------------------------------------------------------------===//
// AttributeReader
//===----------------------------------------------------------------------===//

AttributeReader::AttributeReader(const onnx::NodeProto &node, Location loc,
                                 StringRef opType)
    : loc(loc), opType(opType.str()) {
  for (const onnx::AttributeProto &attr : node.attribute()) {
    if (!byName.try_emplace(attr.name(), &attr).second)
      duplicates.push_back(attr.name());
    order.push_back(attr.name());
  }
}

InFlightDiagnostic AttributeReader::error() {
  failed = true;
  return emitError(loc) << opType << ": ";
}

namespace {
const char *kindName(onnx::AttributeProto::AttributeType t) {
  switch (t) {
  case onnx::AttributeProto::FLOAT: return "a float";
  case onnx::AttributeProto::INT: return "an int";
  case onnx::AttributeProto::STRING: return "a string";
  case onnx::AttributeProto::TENSOR: return "a tensor";
  case onnx::AttributeProto::GRAPH: return "a graph";
  case onnx::AttributeProto::SPARSE_TENSOR: return "a sparse tensor";
  case onnx::AttributeProto::TYPE_PROTO: return "a type";
  case onnx::AttributeProto::FLOATS: return "a list of floats";
  case onnx::AttributeProto::INTS: return "a list of ints";
  case onnx::AttributeProto::STRINGS: return "a list of strings";
  case onnx::AttributeProto::TENSORS: return "a list of tensors";
  case onnx::AttributeProto::GRAPHS: return "a list of graphs";
  case onnx::AttributeProto::SPARSE_TENSORS: return "a list of sparse tensors";
  case onnx::AttributeProto::TYPE_PROTOS: return "a list of types";
  default: return "of no known kind";
  }
}

/// The attribute's kind: its `type` field, or for files too old to set it,
/// the field that holds a value.
onnx::AttributeProto::AttributeType kindOf(const onnx::AttributeProto &a) {
  if (a.type() != onnx::AttributeProto::UNDEFINED)
    return a.type();
  if (a.has_f()) return onnx::AttributeProto::FLOAT;
  if (a.has_i()) return onnx::AttributeProto::INT;
  if (a.has_s()) return onnx::AttributeProto::STRING;
  if (a.has_t()) return onnx::AttributeProto::TENSOR;
  if (a.has_g()) return onnx::AttributeProto::GRAPH;
  if (a.floats_size()) return onnx::AttributeProto::FLOATS;
  if (a.ints_size()) return onnx::AttributeProto::INTS;
  if (a.strings_size()) return onnx::AttributeProto::STRINGS;
  return onnx::AttributeProto::UNDEFINED;
}
} // namespace

const onnx::AttributeProto *AttributeReader::lookup(StringRef name, Kind kind) {
  read.insert(name);
  auto it = byName.find(name);
  if (it == byName.end())
    return nullptr;
  const onnx::AttributeProto &attr = *it->second;
  onnx::AttributeProto::AttributeType expected = onnx::AttributeProto::UNDEFINED;
  const char *expectedName = "";
  switch (kind) {
  case Kind::Int: expected = onnx::AttributeProto::INT; expectedName = "an int"; break;
  case Kind::Float: expected = onnx::AttributeProto::FLOAT; expectedName = "a float"; break;
  case Kind::String: expected = onnx::AttributeProto::STRING; expectedName = "a string"; break;
  case Kind::Tensor: expected = onnx::AttributeProto::TENSOR; expectedName = "a tensor"; break;
  case Kind::Ints: expected = onnx::AttributeProto::INTS; expectedName = "a list of ints"; break;
  case Kind::Floats: expected = onnx::AttributeProto::FLOATS; expectedName = "a list of floats"; break;
  case Kind::Graph: expected = onnx::AttributeProto::GRAPH; expectedName = "a graph"; break;
  case Kind::Strings: expected = onnx::AttributeProto::STRINGS; expectedName = "a list of strings"; break;
  }
  onnx::AttributeProto::AttributeType actual = kindOf(attr);
  // An untyped empty list is indistinguishable from any other empty list.
  bool emptyList = actual == onnx::AttributeProto::UNDEFINED &&
                   (kind == Kind::Ints || kind == Kind::Floats ||
                    kind == Kind::Strings);
  if (actual != expected && !emptyList) {
    error() << "attribute '" << name << "' must be " << expectedName
            << ", got " << kindName(actual);
    return nullptr;
  }
  return &attr;
}

int64_t AttributeReader::getInt(StringRef name, int64_t defaultValue) {
  std::optional<int64_t> v = getOptionalInt(name);
  return v ? *v : defaultValue;
}

std::optional<int64_t> AttributeReader::getOptionalInt(StringRef name) {
  if (const onnx::AttributeProto *a = lookup(name, Kind::Int))
    return a->i();
  return std::nullopt;
}

bool AttributeReader::getBool(StringRef name, bool defaultValue) {
  std::optional<int64_t> v = getOptionalInt(name);
  if (!v)
    return defaultValue;
  if (*v != 0 && *v != 1) {
    error() << "attribute '" << name << "' must be 0 or 1, got " << *v;
    return defaultValue;
  }
  return *v == 1;
}

double AttributeReader::getFloat(StringRef name, double defaultValue) {
  std::optional<double> v = getOptionalFloat(name);
  return v ? *v : defaultValue;
}

std::optional<double> AttributeReader::getOptionalFloat(StringRef name) {
  if (const onnx::AttributeProto *a = lookup(name, Kind::Float))
    return a->f();
  return std::nullopt;
}

std::string AttributeReader::getString(StringRef name, StringRef defaultValue) {
  if (const onnx::AttributeProto *a = lookup(name, Kind::String))
    return a->s();
  return defaultValue.str();
}

unsigned AttributeReader::getChoice(StringRef name, StringRef defaultValue,
                                    ArrayRef<StringRef> allowed) {
  std::string value = getString(name, defaultValue);
  for (auto [i, a] : llvm::enumerate(allowed))
    if (a == value)
      return i;
  error() << "attribute '" << name << "' is '" << value
          << "', which is not supported (expected "
          << llvm::join(allowed, ", ") << ")";
  for (auto [i, a] : llvm::enumerate(allowed))
    if (a == defaultValue)
      return i;
  return 0;
}

std::optional<SmallVector<int64_t>> AttributeReader::getInts(StringRef name) {
  if (const onnx::AttributeProto *a = lookup(name, Kind::Ints))
    return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
  return std::nullopt;
}

std::optional<SmallVector<double>> AttributeReader::getFloats(StringRef name) {
  if (const onnx::AttributeProto *a = lookup(name, Kind::Floats))
    return SmallVector<double>(a->floats().begin(), a->floats().end());
  return std::nullopt;
}

std::optional<SmallVector<std::string>>
AttributeReader::getStrings(StringRef name) {
  if (const onnx::AttributeProto *a = lookup(name, Kind::Strings))
    return SmallVector<std::string>(a->strings().begin(), a->strings().end());
  return std::nullopt;
}

const onnx::GraphProto *AttributeReader::getGraph(StringRef name) {
  if (const onnx::AttributeProto *a = lookup(name, Kind::Graph))
    return &a->g();
  return nullptr;
}

const onnx::TensorProto *AttributeReader::getTensor(StringRef name) {
  if (const onnx::AttributeProto *a = lookup(name, Kind::Tensor))
    return &a->t();
  return nullptr;
}

LogicalResult AttributeReader::rejectIfPresent(StringRef name,
                                               const Twine &why) {
  read.insert(name);
  if (!has(name))
    return success();
  error() << "attribute '" << name << "' " << why;
  return failure();
}

LogicalResult AttributeReader::checkAllRead() {
  if (!duplicates.empty()) {
    error() << "attribute '" << duplicates.front() << "' is given twice";
    return failure();
  }
  SmallVector<std::string> unread;
  for (const std::string &name : order) {
    const onnx::AttributeProto &attr = *byName.lookup(name);
    if (!attr.ref_attr_name().empty()) {
      error() << "attribute '" << name
              << "' refers to a function attribute, which is only valid "
                 "inside ONNX functions";
      return failure();
    }
    if (!read.contains(name))
      unread.push_back("'" + name + "'");
  }
  if (unread.empty())
    return success();
  error() << (unread.size() == 1 ? "attribute " : "attributes ")
          << llvm::join(unread, ", ")
          << (unread.size() == 1 ? " is" : " are")
          << " not supported by Kiln's import of this op";
  return failure();
}

//===----------------------------------------------------------------------===//
// NodeImporter
//===----------------------------------------------------------------------===//

NodeImporter::NodeImporter(GraphState &graph, const onnx::NodeProto &node,
                           Location loc, int64_t opset, int64_t domainOpset,
                           SmallVector<Value> inputs, OpBuilder &builder)
    : graph(graph), node(node), opTypeName(node.op_type()),
      opsetVersion(opset), domainOpsetVersion(domainOpset), location(loc),
      inputValues(std::move(inputs)),
      outputValues(node.output_size()), builder(builder),
      attributes(node, loc, node.op_type()) {}

InFlightDiagnostic NodeImporter::error() {
  return emitError(location) << opTypeName << ": ";
}

RankedTensorType NodeImporter::inputType(unsigned i) const {
  Value v = input(i);
  return v ? llvm::cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

std::string NodeImporter::inputName(unsigned i) const {
  return i < static_cast<unsigned>(node.input_size()) ? node.input(i)
                                                      : std::string();
}

size_t NodeImporter::numOutputs() const { return node.output_size(); }

LogicalResult NodeImporter::checkArity(unsigned minInputs, unsigned maxInputs,
                                       unsigned minOutputs,
                                       unsigned maxOutputs) {
  auto range = [](unsigned lo, unsigned hi, const char *what) {
    std::string s = lo == hi ? std::to_string(lo)
                    : hi == std::numeric_limits<unsigned>::max()
                        ? std::to_string(lo) + " or more"
                        : std::to_string(lo) + " to " + std::to_string(hi);
    return s + " " + what + (lo == 1 && hi == 1 ? "" : "s");
  };
  if (numInputs() < minInputs || numInputs() > maxInputs)
    return error() << "expects " << range(minInputs, maxInputs, "input")
                   << " in opset " << opsetVersion << ", got "
                   << numInputs();
  for (unsigned i = 0; i < minInputs; ++i)
    if (!hasInput(i))
      return error() << "input " << i << " is required but omitted";
  if (numOutputs() < minOutputs || numOutputs() > maxOutputs)
    return error() << "expects " << range(minOutputs, maxOutputs, "output")
                   << " in opset " << opsetVersion << ", got "
                   << numOutputs();
  if (minOutputs > 0 && node.output(0).empty())
    return error() << "output 0 must be named";
  return success();
}

DenseElementsAttr NodeImporter::knownValue(unsigned i) const {
  if (DenseElementsAttr value = getConstantValue(input(i)))
    return value;
  // A weight imported as a parameter (--weights external, --grad) that a node
  // needs at compile time (Resize's scales, Clip's bounds) is read from its
  // value: it is a hyper-parameter of the op, not a tensor the generated
  // code reads (nor one with a gradient).
  if (auto arg = dyn_cast_or_null<BlockArgument>(input(i)))
    if (auto fn = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp()))
      if (auto value = fn.getArgAttrOfType<DenseElementsAttr>(arg.getArgNumber(),
                                                               kValueAttr))
        return value;
  return {};
}

FailureOr<DenseElementsAttr> NodeImporter::constantInput(unsigned i,
                                                         StringRef what) {
  if (DenseElementsAttr value = knownValue(i))
    return value;
  InFlightDiagnostic diag =
      error() << "input '" << what << "' ('" << inputName(i)
              << "') must be a compile-time constant (an initializer, a "
                 "Constant, or computed from them and static shapes)";
  SmallVector<std::string> graphInputs = graphInputsBehind(input(i));
  if (!graphInputs.empty()) {
    diag << "; it is computed from graph input";
    diag << (graphInputs.size() > 1 ? "s" : "");
    for (auto [k, name] : llvm::enumerate(graphInputs))
      diag << (k ? ", '" : " '") << name << "'";
    diag << ": freeze " << (graphInputs.size() > 1 ? "them" : "it")
         << " with --constant " << graphInputs.front() << "=FILE.npy";
  }
  return diag;
}

/// The graph inputs (function arguments, by kiln.name) that `value` is
/// computed from, in argument order: the inputs --constant would freeze.
SmallVector<std::string> NodeImporter::graphInputsBehind(Value value) const {
  llvm::SetVector<Value> seen;
  SmallVector<Value> work{value};
  std::set<unsigned> args;
  func::FuncOp fn;
  // A walk over the value's producers; bounded by the ops imported so far.
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!v || !seen.insert(v))
      continue;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (auto owner =
              dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp())) {
        fn = owner;
        args.insert(arg.getArgNumber());
      }
      continue;
    }
    for (Value operand : v.getDefiningOp()->getOperands())
      work.push_back(operand);
  }
  SmallVector<std::string> names;
  for (unsigned index : args)
    if (auto name = fn.getArgAttrOfType<StringAttr>(index, kTensorNameAttr))
      names.push_back(name.str());
  return names;
}

FailureOr<SmallVector<int64_t>> NodeImporter::constantInts(unsigned i,
                                                           StringRef what) {
  FailureOr<DenseElementsAttr> value = constantInput(i, what);
  if (failed(value))
    return failure();
  auto type = llvm::cast<RankedTensorType>(value->getType());
  Type et = type.getElementType();
  if (!(et.isSignlessInteger(32) || et.isSignlessInteger(64)) ||
      type.getRank() > 1)
    return error() << "input '" << what << "' must be a 1-D int32 or int64 "
                   << "tensor, got " << type;
  SmallVector<int64_t> out;
  for (const APInt &v : value->getValues<APInt>())
    out.push_back(v.getSExtValue());
  return out;
}

FailureOr<double> NodeImporter::constantScalar(unsigned i, StringRef what) {
  FailureOr<DenseElementsAttr> value = constantInput(i, what);
  if (failed(value))
    return failure();
  auto type = llvm::cast<RankedTensorType>(value->getType());
  if (type.getNumElements() != 1)
    return error() << "input '" << what << "' must hold one value, got "
                   << type;
  Type et = type.getElementType();
  if (isa<FloatType>(et))
    return (*value->getValues<APFloat>().begin()).convertToDouble();
  APInt v = *value->getValues<APInt>().begin();
  return et.isInteger(1) || et.isUnsignedInteger()
             ? static_cast<double>(v.getZExtValue())
             : static_cast<double>(v.getSExtValue());
}

bool NodeImporter::isOutputUsed(unsigned i) const {
  return i < numOutputs() && !node.output(i).empty() &&
         graph.used.contains(node.output(i));
}

LogicalResult NodeImporter::rejectOutputIfUsed(unsigned i, StringRef what) {
  if (!isOutputUsed(i))
    return success();
  return error() << "the " << what << " output ('" << node.output(i)
                 << "') is not supported; Kiln computes only the op's "
                    "inference result";
}

void NodeImporter::setOutput(unsigned i, Value value) {
  if (i < outputValues.size())
    outputValues[i] = value;
}

FailureOr<Value> NodeImporter::create(StringRef opName, ValueRange operands,
                                      ArrayRef<NamedAttribute> attributes,
                                      Type explicitType) {
  FailureOr<SmallVector<Value>> results =
      createFolded(builder, location, opName, operands, attributes, 1,
                   explicitType ? TypeRange(explicitType) : TypeRange());
  if (failed(results))
    return failure();
  return results->front();
}

FailureOr<SmallVector<Value>>
NodeImporter::createN(StringRef opName, ValueRange operands,
                      ArrayRef<NamedAttribute> attributes,
                      unsigned numResults) {
  return createFolded(builder, location, opName, operands, attributes,
                      numResults);
}

Value NodeImporter::constant(DenseElementsAttr value) {
  return builder.create<ConstantOp>(location, value);
}

FailureOr<Value> NodeImporter::scalar(Type elementType, double value) {
  FailureOr<DenseElementsAttr> attr =
      elementsFromDoubles(location, RankedTensorType::get({}, elementType),
                          {value}, opTypeName + ": a constant");
  if (failed(attr))
    return failure();
  return constant(*attr);
}

Value NodeImporter::i64Vector(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    builder.getI64Type());
  return constant(DenseElementsAttr::get(type, values));
}

FailureOr<Value> NodeImporter::reshape(Value input, ArrayRef<int64_t> shape) {
  if (llvm::cast<RankedTensorType>(input.getType()).getShape() == shape)
    return input;
  return create("kiln.reshape", input, {namedI64s("shape", shape)});
}

FailureOr<Value> NodeImporter::cast(Value input, Type elementType,
                                     bool saturate) {
  auto type = llvm::cast<RankedTensorType>(input.getType());
  if (type.getElementType() == elementType)
    return input;
  SmallVector<NamedAttribute> attrs;
  if (!saturate)
    attrs.push_back(namedBool("saturate", false));
  return create("kiln.cast", input, attrs, type.clone(elementType));
}

NamedAttribute NodeImporter::namedI64(StringRef name, int64_t v) {
  return builder.getNamedAttr(name, builder.getI64IntegerAttr(v));
}
NamedAttribute NodeImporter::namedF64(StringRef name, double v) {
  return builder.getNamedAttr(name, builder.getF64FloatAttr(v));
}
NamedAttribute NodeImporter::namedBool(StringRef name, bool v) {
  return builder.getNamedAttr(name, builder.getBoolAttr(v));
}
NamedAttribute NodeImporter::namedI64s(StringRef name, ArrayRef<int64_t> v) {
  return builder.getNamedAttr(name, builder.getDenseI64ArrayAttr(v));
}

FailureOr<int64_t> NodeImporter::normalizeAxis(int64_t axis, int64_t rank,
                                               StringRef what) {
  if (axis < -rank || axis >= rank)
    return error() << what << " " << axis << " is out of range [" << -rank
                   << ", " << rank << ") for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>>
NodeImporter::normalizeAxes(ArrayRef<int64_t> axes, int64_t rank,
                            StringRef what) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    FailureOr<int64_t> n = normalizeAxis(a, rank, what);
    if (failed(n))
      return failure();
    if (llvm::is_contained(out, *n))
      return error() << what << " name dim " << *n << " twice";
    out.push_back(*n);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// OpTable
//===----------------------------------------------------------------------===//

OpHandler onnx_import::oneToOne(StringRef kilnOp) {
  return [kilnOp = kilnOp.str()](NodeImporter &n) -> LogicalResult {
    if (failed(n.checkArity(1, 1)))
      return failure();
    FailureOr<Value> y = n.create(kilnOp, n.input(0));
    if (failed(y))
      return failure();
    n.setOutput(0, *y);
    return success();
  };
}

/// The table's key of an op: its type, after its domain unless that is the
/// default one (op types have no dots).
static std::string opKey(StringRef domain, StringRef opType) {
  return isDefaultDomain(domain) ? opType.str()
                                 : (domain + "." + opType).str();
}

void OpTable::add(StringRef opType, int64_t sinceVersion, OpHandler handler,
                  StringRef domain) {
  specs[opKey(domain, opType)] = OpSpec{sinceVersion, std::move(handler)};
}

const OpSpec *OpTable::lookup(StringRef domain, StringRef opType) const {
  auto it = specs.find(opKey(domain, opType));
  return it == specs.end() ? nullptr : &it->second;
}

//===----------------------------------------------------------------------===//
// OpChain
//===----------------------------------------------------------------------===//

Value OpChain::op(StringRef name, ValueRange operands,
                  ArrayRef<NamedAttribute> attributes) {
  if (!ok || llvm::any_of(operands, [](Value v) { return !v; })) {
    ok = false;
    return {};
  }
  FailureOr<Value> v = n.create(name, operands, attributes);
  ok = succeeded(v);
  return ok ? *v : Value();
}

Value OpChain::compare(uint32_t predicate, Value x, Value y) {
  return op("kiln.compare", {x, y},
            {n.b().getNamedAttr("predicate", n.b().getI32IntegerAttr(
                                                 static_cast<int32_t>(predicate)))});
}

Value OpChain::scalar(Type elementType, double value) {
  if (!ok)
    return {};
  FailureOr<Value> v = n.scalar(elementType, value);
  ok = succeeded(v);
  return ok ? *v : Value();
}

Value OpChain::reshape(Value v, ArrayRef<int64_t> shape) {
  if (!ok || !v) {
    ok = false;
    return {};
  }
  FailureOr<Value> r = n.reshape(v, shape);
  ok = succeeded(r);
  return ok ? *r : Value();
}

Value OpChain::cast(Value v, Type elementType) {
  if (!ok || !v) {
    ok = false;
    return {};
  }
  FailureOr<Value> r = n.cast(v, elementType);
  ok = succeeded(r);
  return ok ? *r : Value();
}

Value OpChain::sum(Value v, ArrayRef<int64_t> axes, bool keepdims) {
  return op("kiln.reduce_sum", v,
            {n.namedI64s("axes", axes), n.namedBool("keepdims", keepdims)});
}

LogicalResult OpChain::output(unsigned i, Value v) {
  if (!ok || !v)
    return failure();
  n.setOutput(i, v);
  return success();
}
