//===- ONNXImporter.cpp - ONNX model -> kiln dialect ----------------------===//
//
// Reads an ONNX ModelProto (libonnx's protobuf classes) and builds
// `func.func @main`: graph inputs that are not initializers become arguments
// (shapes bound with --shape), initializers become kiln.constant, and each
// node goes to the handler the OpTable maps its op type to. Before anything
// is built, the whole graph is checked so that every unsupported op is
// reported in one message.
//
// With ImportOptions::keepGoing (kiln check), the import goes on after a
// problem to find the others: unsupported ops are reported per node, a node,
// input or initializer that fails leaves its tensors undefined, and nodes
// that read an undefined tensor are reported as not examined, unless the
// model declares the tensor's full static type (value_info, or a graph
// output's type): then a placeholder of that type stands in for it, so that
// its readers are examined too. The import then fails; the module is never
// compiled.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "compiler/onnx/ImportONNX.h"
#include "compiler/import/InputShapes.h"
#include "compiler/import/KilnBuilder.h"
#include "compiler/import/Parameters.h"

#include "ir/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <climits>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

class ONNXImporter {
public:
  ONNXImporter(MLIRContext &ctx, const ImportOptions &options)
      : ctx(ctx), options(options), builder(&ctx),
        fileLoc(FileLineColLoc::get(&ctx, options.path, 0, 0)),
        tensors(ctx, options.path) {}

  OwningOpRef<ModuleOp> run();

private:
  InFlightDiagnostic error() { return emitError(fileLoc); }

  LogicalResult loadModel();
  LogicalResult readOpset();
  LogicalResult checkOps(const OpTable &table);
  LogicalResult collectNames();
  LogicalResult importInitializers();
  LogicalResult importInputs(func::FuncOp fn, Block *body);
  LogicalResult importConstantInput(const onnx::ValueInfoProto &in,
                                    const ConstantInput &value);
  void importParameters(func::FuncOp fn);
  LogicalResult importNode(const OpTable &table, int index);
  LogicalResult importNode(const onnx::NodeProto &node, Location loc,
                           int index);
  FailureOr<SmallVector<Value>> importSubgraph(const onnx::GraphProto &graph,
                                               ValueRange inputs,
                                               Location where);
  LogicalResult importOutputs(func::FuncOp fn);
  bool keepGoingAfterFailure();
  void markUndefined(const std::string &name);
  bool readsUndefined(int index);
  FailureOr<RankedTensorType> declaredType(const onnx::ValueInfoProto &info,
                                           const Twine &where,
                                           SmallVector<std::string> *symbolic);
  std::string nodeName(int index) const;
  Location nodeLoc(int index) const;
  /// Why `spec`, the table's entry for `node` (null if none), cannot import
  /// it: the op is unsupported, or the model's opset of its domain lacks it
  /// (or is newer than Kiln's); empty if it can.
  std::string refusal(const OpSpec *spec, const onnx::NodeProto &node) const;
  /// Whether the model's opset is 1 to 6: it is imported as opset 7 if each
  /// node's op is defined there as at opset 7 (legacyDefinitionSince).
  bool readsOlderOpset() const {
    return modelOpset >= 1 && modelOpset < kMinOpset;
  }

  MLIRContext &ctx;
  const ImportOptions &options;
  OpBuilder builder;
  Location fileLoc;
  TensorReader tensors;
  onnx::ModelProto model;
  /// The default domain's opset the import follows: the model's, clamped to
  /// [kMinOpset, kMaxOpset] (an opset-6 model is imported as opset 7 when
  /// each of its ops is defined there as at opset 7).
  int64_t opset = 0;
  /// The default domain's opset the model imports (0 if none).
  int64_t modelOpset = 0;
  /// The opsets the model imports of other domains than the default one.
  llvm::StringMap<int64_t> domainOpsets;
  /// Values defined so far, by tensor name.
  llvm::StringMap<Value> values;
  /// Node index producing each tensor (for the topological-order message).
  llvm::StringMap<int> producers;
  llvm::StringSet<> initializerNames;
  /// Initializers that become parameters (WeightsMode::Parameters), in order.
  SmallVector<std::pair<std::string, DenseElementsAttr>> parameters;
  /// Tensors read by a node or a graph output.
  llvm::StringSet<> used;
  /// Weights nodes update in training (ImportOptions::stateUpdates).
  SmallVector<StateUpdate> stateUpdates;
  const OpTable *opTable = nullptr;
  /// Subgraphs being imported, one inside the other.
  int subgraphDepth = 0;

  // keepGoing (kiln check) only.
  /// Whether a problem was reported (the import fails at the end).
  bool failedAny = false;
  /// Nodes checkOps refused (unsupported op, or newer than the opset).
  llvm::DenseSet<int> refusedNodes;
  /// Tensors left without a value by a problem, and the types the model
  /// declares for tensors (value_info, graph outputs), for placeholders.
  llvm::StringSet<> undefined;
  llvm::StringMap<const onnx::ValueInfoProto *> declaredTypes;
};

} // namespace

LogicalResult ONNXImporter::loadModel() {
  auto buffer = llvm::MemoryBuffer::getFile(options.path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return error() << "cannot read the model: " << buffer.getError().message();
  StringRef bytes = (*buffer)->getBuffer();
  // Protobuf messages are limited to 2 GiB; larger models keep their weights
  // in external data files.
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    return error() << "the model file is " << bytes.size()
                   << " bytes; ONNX files are limited to 2 GiB (larger "
                      "models keep weights in external data)";
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return error() << "not a valid ONNX model: the file is not a ModelProto "
                      "(truncated, corrupt, or another format)";
  if (!model.has_graph())
    return error() << "not a valid ONNX model: it has no graph";
  return success();
}

/// Whether a node of `graph` or of its subgraphs is of the default domain.
static bool usesDefaultDomain(const onnx::GraphProto &graph, int depth) {
  if (depth > 64)
    return false; // deeper subgraphs are refused when imported
  for (const onnx::NodeProto &node : graph.node()) {
    if (isDefaultDomain(node.domain()))
      return true;
    for (const onnx::AttributeProto &attr : node.attribute()) {
      if (attr.has_g() && usesDefaultDomain(attr.g(), depth + 1))
        return true;
      for (const onnx::GraphProto &g : attr.graphs())
        if (usesDefaultDomain(g, depth + 1))
          return true;
    }
  }
  return false;
}

LogicalResult ONNXImporter::readOpset() {
  std::optional<int64_t> version;
  for (const onnx::OperatorSetIdProto &entry : model.opset_import()) {
    if (!isDefaultDomain(entry.domain())) {
      // Other domains matter only if a node uses them.
      domainOpsets[entry.domain()] = entry.version();
      continue;
    }
    if (version && *version != entry.version())
      return error() << "the model imports the default ONNX domain twice, "
                        "with opsets "
                     << *version << " and " << entry.version();
    version = entry.version();
  }
  // A model of other domains' ops only (the training ops' node tests) needs
  // no default-domain import; the opset is then never read.
  if (!version && !usesDefaultDomain(model.graph(), 0)) {
    opset = kMaxOpset;
    return success();
  }
  if (!version)
    return error() << "the model does not import the default ONNX domain "
                      "(opset_import has no entry for \"\" or \"ai.onnx\")";
  // kiln check goes on with the nearest opset Kiln implements.
  modelOpset = *version;
  opset = std::clamp<int64_t>(*version, kMinOpset, kMaxOpset);
  // Opsets 1 to 6 are read node by node (refusal): most ops kept their
  // definition into opset 7.
  if (*version < 1 || *version > kMaxOpset)
    return error() << "the model uses ONNX opset " << *version
                   << "; Kiln supports opsets " << kMinOpset << " to "
                   << kMaxOpset;
  return success();
}

std::string ONNXImporter::nodeName(int index) const {
  const onnx::NodeProto &node = model.graph().node(index);
  if (!node.name().empty())
    return node.name();
  return node.op_type() + "_" + std::to_string(index);
}

Location ONNXImporter::nodeLoc(int index) const {
  return NameLoc::get(StringAttr::get(&ctx, nodeName(index)), fileLoc);
}

namespace {
/// Op names with the nodes that use them, in order of first appearance:
/// "TopK (nodes 'a', 'b'), NonZero (node 'c')".
class OpsWithNodes {
public:
  void add(const std::string &op, const std::string &node) {
    auto [it, inserted] = index.try_emplace(op, entries.size());
    if (inserted)
      entries.push_back({op, {}});
    entries[it->second].second.push_back(node);
  }
  bool empty() const { return entries.empty(); }
  std::string str() const {
    SmallVector<std::string> parts;
    for (const auto &[op, nodes] : entries)
      parts.push_back(op + (nodes.size() == 1 ? " (node " : " (nodes ") +
                      llvm::join(nodes, ", ") + ")");
    return llvm::join(parts, ", ");
  }

private:
  llvm::StringMap<size_t> index;
  std::vector<std::pair<std::string, SmallVector<std::string>>> entries;
};
} // namespace

/// What refusals of ops of an opset older than 7 add.
static constexpr llvm::StringLiteral kOlderOpsetsNote =
    " (Kiln implements opsets 7 to 28, and older ones only for ops whose "
    "definition is the same as at opset 7)";
static_assert(kMinOpset == 7 && kMaxOpset == 28,
              "kOlderOpsetsNote names the opsets");

std::string ONNXImporter::refusal(const OpSpec *spec,
                                  const onnx::NodeProto &node) const {
  if (!spec)
    return "unsupported ONNX op";
  StringRef domain = node.domain();
  if (isDefaultDomain(domain)) {
    if (spec->sinceVersion > opset)
      return "the op is newer than the model's opset " +
             std::to_string(readsOlderOpset() ? modelOpset : opset) +
             " (it exists from opset " +
             std::to_string(spec->sinceVersion) + ")";
    if (!readsOlderOpset())
      return "";
    std::optional<int64_t> since = legacyDefinitionSince(node.op_type());
    if (since && *since <= modelOpset)
      return "";
    return "Kiln does not implement the op's definition at the model's "
           "opset " +
           std::to_string(modelOpset) + kOlderOpsetsNote.str();
  }
  int64_t version = domainOpsets.lookup(domain);
  std::string ofDomain = " of domain '" + domain.str() + "'";
  if (version > maxDomainOpset(domain))
    return "the model imports opset " + std::to_string(version) + ofDomain +
           "; Kiln supports opsets up to " +
           std::to_string(maxDomainOpset(domain));
  if (spec->sinceVersion > version)
    return "the op exists from opset " + std::to_string(spec->sinceVersion) +
           ofDomain + (version ? ", the model imports opset " +
                                     std::to_string(version)
                               : ", which the model does not import");
  return "";
}

LogicalResult ONNXImporter::checkOps(const OpTable &table) {
  // op -> its nodes, in order of first appearance.
  OpsWithNodes unsupported, tooNew, redefined, otherDomains;
  const onnx::GraphProto &graph = model.graph();
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &node = graph.node(i);
    std::string quoted = "'" + nodeName(i) + "'";
    bool defaultDomain = isDefaultDomain(node.domain());
    const OpSpec *spec = table.lookup(node.domain(), node.op_type());
    std::string why = refusal(spec, node);
    if (why.empty())
      continue;
    refusedNodes.insert(i);
    std::string op = defaultDomain ? node.op_type()
                                   : node.domain() + "." + node.op_type();
    // kiln check reports each node on its own line, as other node errors.
    if (options.keepGoing)
      emitError(nodeLoc(i)) << op << ": " << why;
    else if (!spec)
      unsupported.add(op, quoted);
    else if (!defaultDomain)
      otherDomains.add(op + ": " + why, quoted);
    else if (spec->sinceVersion > opset)
      tooNew.add(op + ", from opset " + std::to_string(spec->sinceVersion),
                 quoted);
    else
      redefined.add(op, quoted);
  }
  if (options.keepGoing)
    return success(refusedNodes.empty());
  if (!unsupported.empty())
    error() << "unsupported ONNX ops: " << unsupported.str();
  if (!tooNew.empty())
    error() << "ops newer than the model's opset "
            << (readsOlderOpset() ? modelOpset : opset) << ": "
            << tooNew.str();
  if (!redefined.empty())
    error() << "ops whose definition at the model's opset " << modelOpset
            << " Kiln does not implement" << kOlderOpsetsNote << ": "
            << redefined.str();
  if (!otherDomains.empty())
    error() << "ops the model's opsets lack: " << otherDomains.str();
  return success(unsupported.empty() && tooNew.empty() && redefined.empty() &&
                 otherDomains.empty());
}

/// Adds the tensors the subgraphs of `node` read (If's branches, Loop's and
/// Scan's bodies, and theirs) to `used`: they may read the outer graph's.
static void collectSubgraphNames(const onnx::NodeProto &node,
                                 llvm::StringSet<> &used, int depth) {
  if (depth > 64)
    return; // deeper subgraphs are refused when imported
  for (const onnx::AttributeProto &attr : node.attribute()) {
    SmallVector<const onnx::GraphProto *> graphs;
    if (attr.has_g())
      graphs.push_back(&attr.g());
    for (const onnx::GraphProto &g : attr.graphs())
      graphs.push_back(&g);
    for (const onnx::GraphProto *g : graphs) {
      for (const onnx::NodeProto &inner : g->node()) {
        for (const std::string &in : inner.input())
          if (!in.empty())
            used.insert(in);
        collectSubgraphNames(inner, used, depth + 1);
      }
      for (const onnx::ValueInfoProto &out : g->output())
        used.insert(out.name());
    }
  }
}

LogicalResult ONNXImporter::collectNames() {
  const onnx::GraphProto &graph = model.graph();
  for (int i = 0; i < graph.node_size(); ++i) {
    collectSubgraphNames(graph.node(i), used, 0);
    for (const std::string &in : graph.node(i).input())
      if (!in.empty())
        used.insert(in);
    for (const std::string &out : graph.node(i).output())
      if (!out.empty() && !producers.try_emplace(out, i).second)
        return emitError(nodeLoc(i))
               << "output '" << out << "' is also produced by node '"
               << nodeName(producers.lookup(out))
               << "'; ONNX tensor names must be unique";
  }
  for (const onnx::ValueInfoProto &out : graph.output())
    used.insert(out.name());
  return success();
}

FailureOr<RankedTensorType>
ONNXImporter::declaredType(const onnx::ValueInfoProto &info, const Twine &where,
                           SmallVector<std::string> *symbolic) {
  if (!info.has_type() || !info.type().has_tensor_type()) {
    error() << where << " is not a tensor (Kiln supports tensor inputs and "
                        "outputs only)";
    return failure();
  }
  const onnx::TypeProto::Tensor &tensor = info.type().tensor_type();
  Type et = elementTypeFor(&ctx, tensor.elem_type());
  if (!et) {
    error() << where << " has dtype " << unsupportedDType(tensor.elem_type());
    return failure();
  }
  if (!tensor.has_shape())
    return RankedTensorType(); // rank unknown; the caller decides
  SmallVector<int64_t> dims;
  for (const onnx::TensorShapeProto::Dimension &d : tensor.shape().dim()) {
    // Old exporters (paddle2onnx, early tf2onnx) write -1 for a dim they do
    // not know: it is symbolic, like a dim_param, so --shape binds it. A 0 is
    // a real, zero-length dim.
    if (d.has_dim_value() && d.dim_value() >= 0) {
      if (d.dim_value() > kMaxElements) {
        error() << where << " has an invalid dim " << d.dim_value();
        return failure();
      }
      dims.push_back(d.dim_value());
      if (symbolic)
        symbolic->push_back("");
    } else {
      dims.push_back(ShapedType::kDynamic);
      if (symbolic)
        symbolic->push_back(d.dim_param());
    }
  }
  return RankedTensorType::get(dims, et);
}

LogicalResult ONNXImporter::importInitializers() {
  const onnx::GraphProto &graph = model.graph();
  if (graph.sparse_initializer_size() > 0)
    return error() << "sparse initializers ('"
                   << graph.sparse_initializer(0).values().name()
                   << "') are not supported";
  for (const onnx::TensorProto &init : graph.initializer()) {
    const std::string &name = init.name();
    if (name.empty())
      return error() << "an initializer has no name";
    if (values.count(name))
      return error() << "initializer '" << name << "' is defined twice";
    if (producers.count(name))
      return error() << "initializer '" << name
                     << "' is also the output of node '"
                     << nodeName(producers.lookup(name)) << "'";
    FailureOr<DenseElementsAttr> value =
        tensors.read(init, fileLoc, "initializer '" + name + "'");
    initializerNames.insert(name);
    if (failed(value)) {
      if (!keepGoingAfterFailure())
        return failure();
      markUndefined(name);
      continue;
    }
    // A parameter becomes an argument after the inputs (importParameters).
    if (isParameter(options, *value)) {
      if (used.contains(name))
        parameters.push_back({name, *value});
      continue;
    }
    values[name] = builder.create<ConstantOp>(fileLoc, *value);
  }
  return success();
}

/// `--constant NAME=FILE.npy`: the input becomes a kiln.constant of the
/// file's value, which must have the input's dtype and agree with its
/// declared dims (symbolic dims take the file's).
LogicalResult
ONNXImporter::importConstantInput(const onnx::ValueInfoProto &in,
                                  const ConstantInput &value) {
  const std::string &name = in.name();
  std::string where = "--constant " + name + "=" + value.file;
  FailureOr<RankedTensorType> declared =
      declaredType(in, "input '" + name + "'", nullptr);
  if (failed(declared))
    return failure();
  Type et = parseDTypeName(&ctx, value.dtype);
  Type expected = in.type().tensor_type().elem_type()
                      ? elementTypeFor(&ctx, in.type().tensor_type().elem_type())
                      : Type();
  // bfloat16 and float8 values come as bit patterns of the unsigned type of
  // their width (NumPy has neither), as `kiln run` reads them.
  bool bitPatterns = expected && (expected.isBF16() || isFloat8(expected));
  if (bitPatterns && et && et.isUnsignedInteger(expected.getIntOrFloatBitWidth()))
    et = expected;
  if (value.voidItems && et != expected)
    return error() << where << ": the file holds " << value.dtype.substr(4)
                   << "-bit void items (an ml_dtypes array), which only a "
                      "bfloat16 or float8 input takes; input '"
                   << name << "' is " << dtypeName(expected);
  if (!et || et != expected)
    return error() << where << ": the file holds " << value.dtype
                   << " values, but input '" << name << "' is "
                   << dtypeName(expected);
  bool agrees = !*declared || (declared->getRank() ==
                               static_cast<int64_t>(value.shape.size()));
  for (size_t d = 0; agrees && *declared && d < value.shape.size(); ++d)
    agrees = declared->isDynamicDim(d) ||
             declared->getDimSize(d) == value.shape[d];
  if (!agrees)
    return error() << where << ": the file's shape ["
                   << llvm::join(llvm::map_range(value.shape,
                                                 [](int64_t d) {
                                                   return std::to_string(d);
                                                 }),
                                 ", ")
                   << "] does not match input '" << name << "' ("
                   << *declared << ")";
  if (!checkedNumElements(value.shape))
    return error() << where << ": the file's value is too large";
  FailureOr<DenseElementsAttr> attr = elementsFromBytes(
      fileLoc, RankedTensorType::get(value.shape, et), value.bytes, where);
  if (failed(attr))
    return failure();
  values[name] = builder.create<ConstantOp>(fileLoc, *attr);
  return success();
}

LogicalResult ONNXImporter::importInputs(func::FuncOp fn, Block *body) {
  SmallVector<std::string> names, frozen;
  SmallVector<Type> types;
  bool ok = true;
  for (const onnx::ValueInfoProto &in : model.graph().input()) {
    const std::string &name = in.name();
    // An initializer may also be listed as an input (IR version < 4 had to);
    // it is a constant, not something the caller passes.
    if (initializerNames.contains(name))
      continue;
    if (name.empty())
      return error() << "a graph input has no name";
    if (auto it = options.constants.find(name);
        it != options.constants.end()) {
      frozen.push_back(name);
      if (failed(importConstantInput(in, it->second))) {
        if (!keepGoingAfterFailure())
          return failure();
        ok = false;
        markUndefined(name);
      }
      continue;
    }
    if (llvm::is_contained(names, name))
      return error() << "graph input '" << name << "' is listed twice";
    if (producers.count(name))
      return error() << "graph input '" << name
                     << "' is also the output of node '"
                     << nodeName(producers.lookup(name)) << "'";
    std::string where = "input '" + name + "'";
    SmallVector<std::string> symbolic;
    FailureOr<RankedTensorType> declared = declaredType(in, where, &symbolic);
    if (failed(declared)) {
      if (!keepGoingAfterFailure())
        return failure();
      markUndefined(name);
      continue;
    }
    if (!*declared) {
      // No shape at all: --shape alone gives the rank and dims.
      auto it = options.shapes.find(name);
      if (it == options.shapes.end()) {
        error() << where << " has no declared shape; give it with --shape "
                << name << "=DIMS";
        ok = false;
        markUndefined(name);
        continue;
      }
      Type et = elementTypeFor(&ctx, in.type().tensor_type().elem_type());
      *declared = RankedTensorType::get(
          SmallVector<int64_t>(it->second.size(), ShapedType::kDynamic), et);
      symbolic.assign(it->second.size(), "");
    }
    FailureOr<RankedTensorType> type =
        resolveInputType(fileLoc, name, *declared, symbolic, options);
    if (failed(type)) {
      ok = false;
      markUndefined(name);
      continue;
    }
    if (!checkedNumElements(type->getShape())) {
      error() << where << " is too large (" << *type << ")";
      return failure();
    }
    values[name] = body->addArgument(*type, fileLoc);
    names.push_back(name);
    types.push_back(*type);
  }
  for (const auto &constant : options.constants)
    if (!llvm::is_contained(frozen, constant.getKey().str())) {
      error() << "--constant names '" << constant.getKey()
              << "', which is not an input of the model (inputs: "
              << llvm::join(names, ", ") << ")";
      ok = false;
    }
  if ((!ok || failed(checkShapeBindings(fileLoc, names, options))) &&
      !keepGoingAfterFailure())
    return failure();
  fn.setType(builder.getFunctionType(types, {}));
  for (auto [i, name] : llvm::enumerate(names))
    fn.setArgAttr(i, kTensorNameAttr, builder.getStringAttr(name));
  return success();
}

void ONNXImporter::importParameters(func::FuncOp fn) {
  for (const auto &[name, value] : parameters)
    values[name] = addParameter(fn, name, value);
}

LogicalResult ONNXImporter::importNode(const OpTable &, int index) {
  return importNode(model.graph().node(index), nodeLoc(index), index);
}

/// `index` is the node's in the main graph, -1 in a subgraph.
LogicalResult ONNXImporter::importNode(const onnx::NodeProto &node,
                                       Location loc, int index) {
  const OpTable &table = *opTable;
  SmallVector<Value> inputs;
  for (auto [i, name] : llvm::enumerate(node.input())) {
    if (name.empty()) {
      inputs.push_back(Value()); // an omitted optional input
      continue;
    }
    auto it = values.find(name);
    if (it != values.end()) {
      inputs.push_back(it->second);
      continue;
    }
    InFlightDiagnostic diag = emitError(loc) << node.op_type() << ": input "
                                             << i << " '" << name << "' ";
    auto producer = producers.find(name);
    if (index >= 0 && producer != producers.end() && producer->second >= index)
      diag << "is produced by node '" << nodeName(producer->second)
           << "', which comes "
           << (producer->second == index ? "from this node itself"
                                         : "later: the graph is not in "
                                           "topological order");
    else
      diag << "is not a graph input, an initializer or the output of any node";
    return failure();
  }

  GraphState state{tensors, used, stateUpdates,
                   [this](const onnx::GraphProto &g, ValueRange in,
                          Location where) {
                     return importSubgraph(g, in, where);
                   }};
  int64_t domainOpset = isDefaultDomain(node.domain())
                            ? opset
                            : domainOpsets.lookup(node.domain());
  NodeImporter importer(state, node, loc, opset, domainOpset, std::move(inputs),
                        builder);
  const OpSpec *spec = table.lookup(node.domain(), node.op_type());
  if (failed(spec->handler(importer)) || failed(importer.attrs().status()) ||
      failed(importer.attrs().checkAllRead()))
    return failure();
  for (auto [i, name] : llvm::enumerate(node.output())) {
    if (name.empty())
      continue;
    Value v = importer.outputs()[i];
    if (!v) {
      if (!importer.isOutputUsed(i))
        continue;
      return emitError(loc) << node.op_type() << ": output " << i << " ('"
                            << name << "') is not computed by Kiln's import "
                            << "of this op";
    }
    if (!checkedNumElements(cast<RankedTensorType>(v.getType()).getShape()))
      return emitError(loc) << node.op_type() << ": output '" << name
                            << "' is too large (" << v.getType() << ")";
    values[name] = v;
  }
  return success();
}

/// A subgraph sees the tensors of the graphs around it, and its own names
/// go out of scope when it ends: `values` is restored afterwards.
FailureOr<SmallVector<Value>>
ONNXImporter::importSubgraph(const onnx::GraphProto &graph, ValueRange inputs,
                             Location where) {
  constexpr int kMaxDepth = 16;
  if (subgraphDepth >= kMaxDepth) {
    emitError(where) << "subgraphs are nested more than " << kMaxDepth
                     << " deep";
    return failure();
  }
  std::string name = graph.name().empty() ? "(unnamed)" : graph.name();
  if (graph.input_size() != static_cast<int>(inputs.size())) {
    emitError(where) << "subgraph '" << name << "' has "
                     << graph.input_size() << " inputs; " << inputs.size()
                     << " expected";
    return failure();
  }
  if (graph.sparse_initializer_size() > 0) {
    emitError(where) << "subgraph '" << name
                     << "' has sparse initializers, which are not supported";
    return failure();
  }
  llvm::StringMap<Value> outer = values;
  ++subgraphDepth;
  auto restore = llvm::make_scope_exit([&] {
    values = std::move(outer);
    --subgraphDepth;
  });
  for (const onnx::TensorProto &init : graph.initializer()) {
    FailureOr<DenseElementsAttr> value = tensors.read(
        init, where, "initializer '" + init.name() + "' of subgraph '" + name + "'");
    if (failed(value))
      return failure();
    values[init.name()] = builder.create<ConstantOp>(where, *value);
  }
  for (auto [i, in] : llvm::enumerate(graph.input()))
    values[in.name()] = inputs[i];
  for (auto [i, node] : llvm::enumerate(graph.node())) {
    std::string nodeName = !node.name().empty()
                               ? node.name()
                               : node.op_type() + "_" + name + "_" +
                                     std::to_string(i);
    Location loc = NameLoc::get(StringAttr::get(&ctx, nodeName), fileLoc);
    bool defaultDomain = isDefaultDomain(node.domain());
    const OpSpec *spec = opTable->lookup(node.domain(), node.op_type());
    if (std::string why = refusal(spec, node); !why.empty()) {
      InFlightDiagnostic diag = emitError(loc)
                                << (defaultDomain ? "" : node.domain() + ".")
                                << node.op_type() << ": " << why;
      if (!spec)
        diag << " (in subgraph '" << name << "')";
      return failure();
    }
    if (failed(importNode(node, loc, -1)))
      return failure();
  }
  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end()) {
      emitError(where) << "output '" << out.name() << "' of subgraph '"
                       << name << "' is not computed by any of its nodes";
      return failure();
    }
    results.push_back(it->second);
  }
  return results;
}

LogicalResult ONNXImporter::importOutputs(func::FuncOp fn) {
  SmallVector<Value> results;
  SmallVector<std::string> names;
  for (const onnx::ValueInfoProto &out : model.graph().output()) {
    const std::string &name = out.name();
    if (undefined.contains(name))
      continue; // kiln check: its producer's problem is reported
    auto it = values.find(name);
    if (it == values.end())
      return error() << "graph output '" << name
                     << "' is not an input, an initializer or the output of "
                        "any node";
    if (llvm::is_contained(names, name))
      return error() << "graph output '" << name << "' is listed twice";
    // A declared output type must agree with what the graph computes.
    std::string where = "output '" + name + "'";
    if (out.has_type()) {
      FailureOr<RankedTensorType> declared = declaredType(out, where, nullptr);
      if (failed(declared))
        return failure();
      auto actual = cast<RankedTensorType>(it->second.getType());
      // Without a shape (a null type) only the dtype is declared.
      Type declaredElement =
          *declared ? declared->getElementType()
                    : elementTypeFor(&ctx, out.type().tensor_type().elem_type());
      bool agrees = actual.getElementType() == declaredElement;
      if (agrees && *declared) {
        agrees = declared->getRank() == actual.getRank();
        for (int64_t d = 0; agrees && d < actual.getRank(); ++d)
          agrees = declared->isDynamicDim(d) ||
                   declared->getDimSize(d) == actual.getDimSize(d);
      }
      if (!agrees) {
        InFlightDiagnostic diag = error() << where << " is declared as ";
        if (*declared)
          diag << *declared;
        else
          diag << onnxTypeName(out.type().tensor_type().elem_type())
               << " with no shape";
        return diag << " but the graph computes " << actual;
      }
    }
    results.push_back(it->second);
    names.push_back(name);
  }
  if (results.empty() && !failedAny)
    return error() << "the model's graph has no outputs";
  // With --train, each updated weight's next value, after the outputs.
  size_t numOutputs = results.size();
  for (const StateUpdate &u : options.stateUpdates ? ArrayRef(stateUpdates)
                                                   : ArrayRef<StateUpdate>()) {
    auto arg = dyn_cast<BlockArgument>(u.weight);
    auto name = arg && arg.getOwner() == &fn.front()
                    ? fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kTensorNameAttr)
                    : StringAttr();
    if (!name || !fn.getArgAttr(arg.getArgNumber(), kParameterAttr))
      return emitError(u.loc) << "a training step updates this input (a running "
                                 "statistic), but it is not an initializer";
    if (llvm::is_contained(names, name.str()))
      return emitError(u.loc) << "initializer '" << name.getValue()
                              << "' is updated by two nodes in training";
    results.push_back(u.next);
    names.push_back(name.str());
  }
  builder.create<func::ReturnOp>(fileLoc, results);
  fn.setType(builder.getFunctionType(fn.getArgumentTypes(),
                                     ValueRange(results).getTypes()));
  for (auto [i, name] : llvm::enumerate(names)) {
    fn.setResultAttr(i, kTensorNameAttr, builder.getStringAttr(name));
    if (i >= numOutputs)
      fn.setResultAttr(i, kStateUpdateAttr, builder.getUnitAttr());
  }
  return success();
}

OwningOpRef<ModuleOp> ONNXImporter::run() {
  if (failed(loadModel()))
    return nullptr;
  if (failed(readOpset())) {
    if (!keepGoingAfterFailure())
      return nullptr;
    opset = opset ? opset : kMaxOpset; // no usable default-domain import
  }
  OpTable table;
  registerAttentionOps(table);
  registerBitwiseOps(table);
  registerCol2ImOps(table);
  registerConstantOps(table);
  registerElementwiseOps(table);
  registerConvOps(table);
  registerDataDependentOps(table);
  registerDetOps(table);
  registerEinsumOps(table);
  registerIndexingOps(table);
  registerLinearAttentionOps(table);
  registerMatmulOps(table);
  registerMLOps(table);
  registerNormalizationOps(table);
  registerPoolingOps(table);
  registerQuantizationOps(table);
  registerRecurrentOps(table);
  registerReductionOps(table);
  registerLossOps(table);
  registerOptionalOps(table);
  registerTfIdfVectorizerOps(table);
  registerTreeEnsembleOps(table);
  registerResizeOps(table);
  registerRoiAlignOps(table);
  registerRotaryEmbeddingOps(table);
  registerSignalOps(table);
  registerTrainingOps(table);
  registerGridSampleOps(table);
  registerDataMovementOps(table);
  registerControlFlowOps(table);
  opTable = &table;
  if ((failed(checkOps(table)) && !keepGoingAfterFailure()) ||
      failed(collectNames()))
    return nullptr;
  if (options.keepGoing) {
    const onnx::GraphProto &graph = model.graph();
    for (const auto *infos : {&graph.value_info(), &graph.output()})
      for (const onnx::ValueInfoProto &info : *infos)
        declaredTypes[info.name()] = &info;
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  auto fn = builder.create<func::FuncOp>(fileLoc, kModelFunctionName,
                                         builder.getFunctionType({}, {}));
  Block *body = fn.addEntryBlock();
  builder.setInsertionPointToStart(body);
  if (failed(importInitializers()) || failed(importInputs(fn, body)))
    return nullptr;
  importParameters(fn);
  for (int i = 0; i < model.graph().node_size(); ++i) {
    // kiln check: a refused node's problem is reported already, and a node
    // reading an undefined tensor cannot be examined.
    bool skip = options.keepGoing &&
                (refusedNodes.contains(i) || readsUndefined(i));
    if (skip || failed(importNode(table, i))) {
      if (!skip && !keepGoingAfterFailure())
        return nullptr;
      for (const std::string &out : model.graph().node(i).output())
        markUndefined(out);
    }
  }
  if (failed(importOutputs(fn)) || failedAny)
    return nullptr;
  return module;
}

bool ONNXImporter::keepGoingAfterFailure() {
  failedAny = true;
  return options.keepGoing;
}

void ONNXImporter::markUndefined(const std::string &name) {
  if (name.empty())
    return;
  values.erase(name);
  // A placeholder needs the full static type, of a dtype Kiln has.
  const onnx::ValueInfoProto *info = declaredTypes.lookup(name);
  if (!info || !info->type().has_tensor_type() ||
      !info->type().tensor_type().has_shape()) {
    undefined.insert(name);
    return;
  }
  const onnx::TypeProto::Tensor &tensor = info->type().tensor_type();
  Type et = elementTypeFor(&ctx, tensor.elem_type());
  SmallVector<int64_t> dims;
  for (const onnx::TensorShapeProto::Dimension &d : tensor.shape().dim())
    dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
  if (!et || !checkedNumElements(dims)) {
    undefined.insert(name);
    return;
  }
  // An op with no semantics of its own, so that nothing folds or lowers it.
  values[name] = builder
                     .create<UnrealizedConversionCastOp>(
                         fileLoc, TypeRange{RankedTensorType::get(dims, et)},
                         ValueRange{})
                     .getResult(0);
}

bool ONNXImporter::readsUndefined(int index) {
  const onnx::NodeProto &node = model.graph().node(index);
  for (const std::string &in : node.input())
    if (!in.empty() && undefined.contains(in)) {
      emitWarning(nodeLoc(index))
          << node.op_type() << ": not examined: input '" << in
          << "' has no value after an earlier problem";
      return true;
    }
  return false;
}

OwningOpRef<ModuleOp> mlir::kiln::importONNX(MLIRContext &ctx,
                                             const ImportOptions &options) {
  return ONNXImporter(ctx, options).run();
}
