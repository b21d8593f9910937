//===- FusionReport.cpp - What `kiln compile --report` prints -------------===//

#include "compiler/driver/FusionReport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// One fused group: a top-level op of a model function that computes.
struct Group {
  unsigned id = 0;
  Operation *op = nullptr;
  std::string kind;             // contraction, reduction, elementwise, pad, copy, ...
  std::string math;             // the math ops it evaluates, e.g. "erf, exp"
  std::vector<std::string> nodes; // ONNX nodes, in the order their ops appear
  std::string tiles;            // the kiln.tiles attribute, printed; empty if none
  int64_t tasks = 0;            // parallel tasks (an scf.forall's trip count); 0: serial
};

/// Ops that compute: loop nests and foralls, linalg ops, pads and copies.
/// The rest (constants, tensor.empty, reshapes, slices) are views or
/// metadata that cost nothing on their own.
bool computes(Operation *op) {
  if (op->getNumRegions() > 0 && !isa<func::FuncOp>(op))
    return true;
  return isa<linalg::LinalgOp, tensor::PadOp, tensor::InsertSliceOp, tensor::ConcatOp>(op);
}

std::string printed(Attribute attr) {
  std::string s;
  llvm::raw_string_ostream os(s);
  attr.print(os);
  return s;
}

std::string printed(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

Group describe(Operation *root, unsigned id) {
  Group g;
  g.id = id;
  g.op = root;
  llvm::StringSet<> seenNodes, seenMath;
  std::vector<std::string> math;
  bool tiled = false, contraction = false, reduction = false, pooling = false, fill = false,
       elementwise = false;
  root->walk<WalkOrder::PreOrder>([&](Operation *op) {
    op->getLoc()->walk([&](Location loc) {
      if (auto name = dyn_cast<NameLoc>(loc))
        if (seenNodes.insert(name.getName().strref()).second)
          g.nodes.push_back(name.getName().str());
      return WalkResult::advance();
    });
    if (auto tiles = op->getAttrOfType<DictionaryAttr>("kiln.tiles")) {
      tiled = true;
      if (g.tiles.empty())
        g.tiles = printed(tiles);
    }
    if (op->getName().getDialectNamespace() == "math" &&
        seenMath.insert(op->getName().stripDialect()).second)
      math.push_back(op->getName().stripDialect().str());
    // Register tiles that kiln-cpu-tile-contractions vectorized: a tiled
    // contraction, also where its loops had one trip and folded away with
    // the tiles they carried.
    if (isa<vector::FMAOp, vector::ContractionOp, vector::OuterProductOp>(op))
      tiled = true;
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      StringRef opName = op->getName().getStringRef();
      if (isa<linalg::FillOp>(op))
        fill = true;
      else if (opName.contains("pooling"))
        pooling = true;
      else if (linalgOp.getNumReductionLoops() > 0 &&
               (linalg::isaContractionOpInterface(linalgOp) || linalg::isaConvolutionOpInterface(linalgOp)))
        contraction = true;
      else if (linalgOp.getNumReductionLoops() > 0)
        reduction = true;
      else if (!isa<linalg::CopyOp, linalg::TransposeOp, linalg::BroadcastOp>(op))
        elementwise = true;
    }
    return WalkResult::advance();
  });
  if (tiled || contraction)
    g.kind = tiled ? "contraction" : "contraction (untiled)";
  else if (isa<tensor::PadOp>(root))
    g.kind = "pad";
  else if (isa<tensor::InsertSliceOp, tensor::ConcatOp, linalg::CopyOp>(root))
    g.kind = "copy";
  else if (pooling)
    g.kind = "pooling";
  else if (reduction)
    g.kind = "reduction";
  else if (elementwise)
    g.kind = "elementwise";
  else if (fill)
    g.kind = "fill";
  else
    g.kind = "data movement";
  g.math = llvm::join(math, ", ");
  // Contractions split for several cores carry their parallel tile sizes.
  auto linalgRoot = dyn_cast<linalg::LinalgOp>(root);
  auto tiles = root->getAttrOfType<DictionaryAttr>("kiln.tiles");
  auto parallel = tiles ? tiles.getAs<DenseI64ArrayAttr>("parallel") : nullptr;
  if (linalgRoot && parallel) {
    SmallVector<int64_t> ranges = linalgRoot.getStaticLoopRanges();
    int64_t tasks = 1;
    for (auto [range, size] : llvm::zip(ranges, parallel.asArrayRef()))
      if (size > 0 && range > 0)
        tasks *= (range + size - 1) / size;
    g.tasks = tasks;
  }
  if (auto forall = dyn_cast<scf::ForallOp>(root)) {
    int64_t tasks = 1;
    for (auto [lb, ub, step] : llvm::zip(forall.getMixedLowerBound(), forall.getMixedUpperBound(),
                                         forall.getMixedStep())) {
      std::optional<int64_t> l = getConstantIntValue(lb), u = getConstantIntValue(ub),
                             s = getConstantIntValue(step);
      tasks = (l && u && s && *s > 0) ? tasks * ((*u - *l + *s - 1) / *s) : -1;
      if (tasks < 0)
        break;
    }
    g.tasks = tasks;
  }
  return g;
}

/// Names in the order first inserted, each once.
struct OrderedNames {
  std::vector<std::string> list;
  llvm::StringSet<> seen;
  void insert(const std::string &name) {
    if (seen.insert(name).second)
      list.push_back(name);
  }
};

/// Graphviz's double-quoted strings: quotes and backslashes escaped, line
/// breaks as \n.
std::string quoted(StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string argumentName(func::FuncOp fn, unsigned i) {
  if (auto name = fn.getArgAttrOfType<StringAttr>(i, "kiln.name"))
    return name.str();
  return "arg" + std::to_string(i);
}

std::string resultName(func::FuncOp fn, unsigned i) {
  if (auto name = fn.getResultAttrOfType<StringAttr>(i, "kiln.name"))
    return name.str();
  return "result" + std::to_string(i);
}

void reportFunction(func::FuncOp fn, llvm::raw_ostream &text, llvm::raw_ostream &dot) {
  std::vector<Group> groups;
  llvm::DenseMap<Operation *, unsigned> groupOf;
  for (Operation &op : fn.getBody().front()) {
    if (!computes(&op))
      continue;
    groupOf[&op] = groups.size();
    groups.push_back(describe(&op, groups.size()));
  }

  // Where a value comes from: the groups and function arguments it is
  // computed from, looking through views and metadata ops.
  std::string prefix = fn.getSymName().str() + "_";
  std::function<void(Value, OrderedNames &, llvm::DenseSet<Value> &)> sources =
      [&](Value v, OrderedNames &out, llvm::DenseSet<Value> &seen) {
        if (!seen.insert(v).second)
          return;
        if (auto arg = dyn_cast<BlockArgument>(v)) {
          if (arg.getOwner()->getParentOp() == fn.getOperation())
            out.insert(prefix + "in" + std::to_string(arg.getArgNumber()));
          return;
        }
        Operation *def = v.getDefiningOp();
        auto it = groupOf.find(def);
        if (it != groupOf.end()) {
          out.insert(prefix + "g" + std::to_string(it->second));
          return;
        }
        if (def->getParentOp() != fn.getOperation())
          return;
        for (Value operand : def->getOperands())
          sources(operand, out, seen);
      };

  size_t nodeCount = 0;
  for (const Group &g : groups)
    nodeCount += g.nodes.size();
  text << "@" << fn.getSymName() << ": " << groups.size() << " fused group"
       << (groups.size() == 1 ? "" : "s") << " (kernels and parallel tasks) computing " << nodeCount
       << " ONNX node" << (nodeCount == 1 ? "" : "s") << "\n";
  dot << "  subgraph " << quoted("cluster_" + fn.getSymName().str()) << " {\n    label="
      << quoted("@" + fn.getSymName().str()) << ";\n";
  for (unsigned i = 0; i < fn.getNumArguments(); ++i)
    dot << "    " << quoted(prefix + "in" + std::to_string(i)) << " [shape=ellipse, label="
        << quoted(argumentName(fn, i) + "\n" + printed(fn.getArgument(i).getType())) << "];\n";

  for (const Group &g : groups) {
    std::string results;
    for (Type t : g.op->getResultTypes())
      results += (results.empty() ? "" : ", ") + printed(t);
    text << "  g" << g.id << "  " << g.kind;
    if (!g.math.empty())
      text << " [" << g.math << "]";
    if (!results.empty())
      text << " -> " << results;
    if (g.tasks > 0)
      text << ", " << g.tasks << " parallel task" << (g.tasks == 1 ? "" : "s");
    text << "\n      nodes: " << (g.nodes.empty() ? "(none)" : llvm::join(g.nodes, ", ")) << "\n";
    if (!g.tiles.empty())
      text << "      tiles: " << g.tiles << "\n";

    std::string label = "g" + std::to_string(g.id) + " " + g.kind;
    if (!g.math.empty())
      label += " [" + g.math + "]";
    if (g.tasks > 0)
      label += ", " + std::to_string(g.tasks) + " tasks";
    // Long node lists are cut: the text report has them all.
    std::vector<std::string> shown(g.nodes.begin(), g.nodes.begin() + std::min<size_t>(g.nodes.size(), 6));
    if (g.nodes.size() > shown.size())
      shown.push_back("... " + std::to_string(g.nodes.size() - shown.size()) + " more");
    label += "\n" + llvm::join(shown, "\n");
    if (!results.empty())
      label += "\n" + results;
    dot << "    " << quoted(prefix + "g" + std::to_string(g.id)) << " [label=" << quoted(label)
        << (g.kind == "contraction" ? ", style=filled, fillcolor=lightblue" : "") << "];\n";

    OrderedNames from;
    llvm::DenseSet<Value> seen;
    llvm::SetVector<Value> used;
    for (Value v : g.op->getOperands())
      used.insert(v);
    for (Region &region : g.op->getRegions())
      getUsedValuesDefinedAbove(region, used);
    for (Value v : used)
      sources(v, from, seen);
    for (const std::string &src : from.list)
      dot << "    " << quoted(src) << " -> " << quoted(prefix + "g" + std::to_string(g.id)) << ";\n";
  }

  auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    std::string out = prefix + "out" + std::to_string(i);
    dot << "    " << quoted(out) << " [shape=ellipse, label="
        << quoted(resultName(fn, i) + "\n" + printed(v.getType())) << "];\n";
    OrderedNames from;
    llvm::DenseSet<Value> seen;
    sources(v, from, seen);
    for (const std::string &src : from.list)
      dot << "    " << quoted(src) << " -> " << quoted(out) << ";\n";
  }
  dot << "  }\n";
}

} // namespace

void mlir::kiln::writeFusionReport(ModuleOp module, llvm::raw_ostream &text, llvm::raw_ostream &dot) {
  dot << "digraph kiln_fusion {\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n";
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isExternal() && fn.isPublic())
      reportFunction(fn, text, dot);
  dot << "}\n";
}
