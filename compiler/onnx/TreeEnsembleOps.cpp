//===- TreeEnsembleOps.cpp - ai.onnx.ml tree ensembles -> kiln ------------===//
//
// TreeEnsemble (ai.onnx.ml 5) and TreeEnsembleRegressor (1, 3) as dense
// tensor algebra over kiln ops, the "GEMM" strategy of Hummingbird
// (Nakandala et al., "A Tensor Compiler for Unified Machine Learning
// Prediction Serving", OSDI 2020). The trees are attributes, so:
//
//   1. every internal node's condition is evaluated for every sample at once:
//      X gathered at the nodes' features ([N, I]) and compared with their
//      splits, one comparison per mode present, picked per node by a
//      constant mask (set membership: equality with the set's members, any;
//      a NaN feature takes the true branch where the node says so);
//   2. each root-to-leaf path l is a column of C [I, L]: +1 at the nodes it
//      leaves through their true branch, -1 at those it leaves through their
//      false branch; cond @ C equals the path's number of true turns exactly
//      when the sample follows the path, so that comparison marks the leaf
//      each tree reaches ([N, L], one per tree);
//   3. the reached leaves' weights are aggregated per target: a [L, T]
//      matmul for SUM and AVERAGE, a masked reduce_min / reduce_max over the
//      (leaf, target) pairs for MIN and MAX.
//
// The work is O(N * I * L) in the matmul, against O(N * depth) for a walk
// down each tree; trees of the size classical-ML exports have (hundreds of
// nodes) keep it small, and it has no data-dependent control flow.
// Ensembles past kMaxPathMatrix entries in C are refused.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "llvm/ADT/DenseMap.h"

#include <cmath>
#include <limits>
#include <map>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

constexpr int64_t kMaxPathMatrix = int64_t(1) << 24;

/// A node's comparison, as TreeEnsemble-5 numbers them.
enum class Branch { LEQ, LT, GTE, GT, EQ, NEQ, MEMBER };

/// A child: an internal node or a leaf, by index.
struct Child {
  bool leaf;
  int64_t index;
};

struct InternalNode {
  int64_t feature;
  Branch mode;
  double split;              // all but MEMBER
  SmallVector<double> members; // MEMBER
  bool missingTracksTrue;
  Child whenTrue, whenFalse;
};

struct Leaf {
  SmallVector<std::pair<int64_t, double>> weights; // (target, weight)
};

enum class Aggregate { AVERAGE, SUM, MIN, MAX };

struct Ensemble {
  SmallVector<InternalNode> nodes;
  SmallVector<Leaf> leaves;
  SmallVector<Child> roots;
  int64_t targets;
  Aggregate aggregate;
  /// The value of a target no reached leaf has a weight for, under MIN and
  /// MAX (0 for the regressor, as onnxruntime; the type's extreme for
  /// TreeEnsemble, as ONNX's reference implementation).
  std::optional<double> emptyValue;
  SmallVector<double> base; // per target, added last; empty for none
};

/// One root-to-leaf path: (node, went true) per internal node, and the leaf.
struct Path {
  SmallVector<std::pair<int64_t, bool>> turns;
  int64_t leaf;
};

LogicalResult collectPaths(NodeImporter &n, const Ensemble &e, Child at,
                           SmallVector<std::pair<int64_t, bool>> &prefix,
                           SmallVector<Path> &paths) {
  if (at.leaf) {
    paths.push_back({prefix, at.index});
    return success();
  }
  // A path longer than the node count revisits a node: the "tree" has a cycle.
  if (static_cast<int64_t>(prefix.size()) >= static_cast<int64_t>(e.nodes.size()))
    return n.error() << "the trees have a cycle through node " << at.index;
  if (static_cast<int64_t>(paths.size()) * static_cast<int64_t>(e.nodes.size()) >
      kMaxPathMatrix)
    return n.error() << "the trees have more than " << kMaxPathMatrix
                     << " (node, path) pairs";
  const InternalNode &node = e.nodes[at.index];
  for (bool turn : {true, false}) {
    prefix.push_back({at.index, turn});
    if (failed(collectPaths(n, e, turn ? node.whenTrue : node.whenFalse, prefix,
                            paths)))
      return failure();
    prefix.pop_back();
  }
  return success();
}

/// A rank-1 constant of `type` elements.
Value vector(NodeImporter &n, Type type, ArrayRef<double> values) {
  auto shaped = RankedTensorType::get({static_cast<int64_t>(values.size())}, type);
  if (isa<FloatType>(type)) {
    SmallVector<APFloat> floats;
    for (double v : values) {
      APFloat f(v);
      bool lost;
      f.convert(cast<FloatType>(type).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      floats.push_back(f);
    }
    return n.constant(DenseElementsAttr::get(shaped, floats));
  }
  SmallVector<bool> bits(values.begin(), values.end());
  return n.constant(DenseElementsAttr::get(shaped, ArrayRef<bool>(bits)));
}

/// [N, T] in `type` for X [N, F] of the same float type.
FailureOr<Value> evaluate(NodeImporter &n, Value x, const Ensemble &e) {
  auto xType = cast<RankedTensorType>(x.getType());
  Type ft = xType.getElementType();
  int64_t rows = xType.getDimSize(0), features = xType.getDimSize(1);
  int64_t inner = e.nodes.size();
  for (const InternalNode &node : e.nodes)
    if (node.feature < 0 || node.feature >= features)
      return n.error() << "a node reads feature " << node.feature
                       << ", but X has " << features;
  SmallVector<Path> paths;
  for (Child root : e.roots) {
    SmallVector<std::pair<int64_t, bool>> prefix;
    if (failed(collectPaths(n, e, root, prefix, paths)))
      return failure();
  }
  int64_t columns = paths.size();
  OpChain c{n};
  Builder &b = n.b();
  Type f32 = b.getF32Type(), i1 = b.getI1Type();
  auto cmp = [&](ComparePredicate p, Value l, Value r) {
    return c.compare(static_cast<uint32_t>(p), l, r);
  };

  // 1. cond [N, I], as 0/1 floats.
  Value cond;
  if (inner > 0) {
    SmallVector<int64_t> featureIds;
    for (const InternalNode &node : e.nodes)
      featureIds.push_back(node.feature);
    Value picked = c.op("kiln.gather", {x, n.i64Vector(featureIds)},
                        {n.namedI64("axis", 1)}); // [N, I]
    SmallVector<double> splits;
    for (const InternalNode &node : e.nodes)
      splits.push_back(node.split);
    Value splitValues = vector(n, ft, splits);
    static constexpr std::pair<Branch, ComparePredicate> kCompares[] = {
        {Branch::LEQ, ComparePredicate::le}, {Branch::LT, ComparePredicate::lt},
        {Branch::GTE, ComparePredicate::ge}, {Branch::GT, ComparePredicate::gt},
        {Branch::EQ, ComparePredicate::eq},  {Branch::NEQ, ComparePredicate::ne}};
    Value truth;
    auto merge = [&](Branch mode, Value value) {
      SmallVector<double> mask;
      bool any = false;
      for (const InternalNode &node : e.nodes) {
        mask.push_back(node.mode == mode);
        any |= node.mode == mode;
      }
      if (!any)
        return;
      truth = truth ? c.op("kiln.select", {vector(n, i1, mask), value, truth})
                    : value;
    };
    for (auto [mode, predicate] : kCompares)
      merge(mode, cmp(predicate, picked, splitValues));
    size_t widest = 0;
    for (const InternalNode &node : e.nodes)
      if (node.mode == Branch::MEMBER)
        widest = std::max(widest, node.members.size());
    if (widest > 0) {
      // [I, K] members, padded with NaN (equal to nothing).
      SmallVector<double> members;
      for (const InternalNode &node : e.nodes)
        for (size_t k = 0; k < widest; ++k)
          members.push_back(k < node.members.size()
                                ? node.members[k]
                                : std::numeric_limits<double>::quiet_NaN());
      Value set = c.reshape(vector(n, ft, members), {inner, static_cast<int64_t>(widest)});
      Value hits = c.cast(cmp(ComparePredicate::eq, c.reshape(picked, {rows, inner, 1}), set), f32);
      merge(Branch::MEMBER, cmp(ComparePredicate::gt, c.sum(hits, {2}, false),
                                c.scalar(f32, 0.0)));
    }
    SmallVector<double> tracks;
    bool anyTracks = false;
    for (const InternalNode &node : e.nodes) {
      tracks.push_back(node.missingTracksTrue);
      anyTracks |= node.missingTracksTrue;
    }
    if (anyTracks) {
      Value missing = c.op("kiln.and", {cmp(ComparePredicate::ne, picked, picked),
                                        vector(n, i1, tracks)});
      truth = c.op("kiln.or", {truth, missing});
    }
    cond = c.cast(truth, f32);
  }

  // 2. reached [N, L]: cond @ C == true turns.
  Value reached;
  SmallVector<double> trueTurns;
  for (const Path &p : paths)
    trueTurns.push_back(llvm::count_if(p.turns, [](auto t) { return t.second; }));
  if (inner > 0) {
    SmallVector<float> pathMatrix(inner * columns, 0.0f);
    for (auto [l, p] : llvm::enumerate(paths))
      for (auto [node, turn] : p.turns)
        pathMatrix[node * columns + l] = turn ? 1.0f : -1.0f;
    Value score = c.op(
        "kiln.matmul",
        {cond, n.constant(DenseElementsAttr::get(
                   RankedTensorType::get({inner, columns}, f32), ArrayRef(pathMatrix)))});
    reached = cmp(ComparePredicate::eq, score, vector(n, f32, trueTurns));
  } else {
    reached = n.constant(DenseElementsAttr::get(
        RankedTensorType::get({rows, columns}, i1), true));
  }

  // 3. Aggregate per target, in `ft`.
  Value out;
  if (e.aggregate == Aggregate::SUM || e.aggregate == Aggregate::AVERAGE) {
    double scale = e.aggregate == Aggregate::AVERAGE
                       ? 1.0 / static_cast<double>(e.roots.size())
                       : 1.0;
    SmallVector<double> weights(columns * e.targets, 0.0);
    for (auto [l, p] : llvm::enumerate(paths))
      for (auto [target, w] : e.leaves[p.leaf].weights)
        weights[l * e.targets + target] += w * scale;
    out = c.op("kiln.matmul",
               {c.cast(reached, ft),
                c.reshape(vector(n, ft, weights), {columns, e.targets})});
  } else {
    bool isMin = e.aggregate == Aggregate::MIN;
    SmallVector<int64_t> pairColumn;
    SmallVector<double> pairWeight, pairTarget;
    for (auto [l, p] : llvm::enumerate(paths))
      for (auto [target, w] : e.leaves[p.leaf].weights) {
        pairColumn.push_back(l);
        pairWeight.push_back(w);
        for (int64_t t = 0; t < e.targets; ++t)
          pairTarget.push_back(t == target);
      }
    int64_t pairs = pairColumn.size();
    double inf = std::numeric_limits<double>::infinity();
    double none = isMin ? inf : -inf;
    if (pairs == 0)
      return n.error() << "no leaf has a weight";
    // [N, P, 1] weights where the pair's leaf is reached, `none` elsewhere;
    // [P, T] one-hot targets.
    Value active = c.reshape(
        c.op("kiln.gather", {reached, n.i64Vector(pairColumn)}, {n.namedI64("axis", 1)}),
        {rows, pairs, 1});
    Value onehot = c.reshape(vector(n, i1, pairTarget), {pairs, e.targets});
    Value candidate = c.op(
        "kiln.select",
        {c.op("kiln.and", {active, onehot}),
         c.reshape(vector(n, ft, pairWeight), {pairs, 1}), c.scalar(ft, none)});
    out = c.op(isMin ? "kiln.reduce_min" : "kiln.reduce_max", candidate,
               {n.namedI64s("axes", {1}), n.namedBool("keepdims", false)});
    // A target no reached leaf weighs in gets the empty value.
    out = c.op("kiln.select",
               {cmp(ComparePredicate::eq, out, c.scalar(ft, none)),
                c.scalar(ft, e.emptyValue.value_or(0.0)), out});
  }
  if (!e.base.empty())
    out = c.op("kiln.add", {out, vector(n, ft, e.base)});
  if (!c.ok)
    return failure();
  return out;
}

/// X as a static [N, F] float tensor: of its own float type (TreeEnsemble),
/// or converted to `computeType` from a float, int32 or int64 X (the
/// regressor computes in float32).
FailureOr<Value> floatInput(NodeImporter &n, Type computeType = {}) {
  RankedTensorType x = n.inputType(0);
  if (!x.hasStaticShape() || x.getRank() < 1 || x.getRank() > 2)
    return n.error() << "expects a static X of rank 1 or 2, got " << x;
  Type et = x.getElementType();
  OpChain c{n};
  Value v = n.input(0);
  if (!isa<FloatType>(et) &&
      !(computeType && (et.isSignlessInteger(32) || et.isSignlessInteger(64))))
    return n.error() << "expects a float X, got " << x;
  if (computeType)
    v = c.cast(v, computeType);
  if (x.getRank() == 1)
    v = c.reshape(v, {1, x.getDimSize(0)});
  if (!c.ok)
    return failure();
  return v;
}

/// A float tensor attribute's values; `what` names it.
FailureOr<SmallVector<double>> tensorValues(NodeImporter &n, StringRef what) {
  const onnx::TensorProto *t = n.attrs().getTensor(what);
  if (!t)
    return SmallVector<double>{};
  FailureOr<DenseElementsAttr> v =
      n.tensors().read(*t, n.loc(), "attribute '" + what + "'");
  if (failed(v))
    return failure();
  SmallVector<double> out;
  if (isa<FloatType>(v->getElementType())) {
    for (const APFloat &f : v->getValues<APFloat>())
      out.push_back(f.convertToDouble());
  } else {
    for (const APInt &i : v->getValues<APInt>())
      out.push_back(static_cast<double>(i.getZExtValue()));
  }
  return out;
}

LogicalResult checkSize(NodeImporter &n, StringRef what, size_t size,
                        size_t expected) {
  if (size != expected)
    return n.error() << "attribute '" << what << "' has " << size
                     << " entries, expected " << expected;
  return success();
}

/// TreeEnsemble (ai.onnx.ml 5): internal nodes and leaves in arrays of
/// their own; children index one or the other by the *leafs flags.
LogicalResult importTreeEnsemble(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t aggregate = a.getInt("aggregate_function", 1);
  int64_t postTransform = a.getInt("post_transform", 0);
  std::optional<int64_t> targets = a.getOptionalInt("n_targets");
  auto ints = [&](StringRef name) {
    return a.getInts(name).value_or(SmallVector<int64_t>{});
  };
  SmallVector<int64_t> featureIds = ints("nodes_featureids"),
                       trueIds = ints("nodes_truenodeids"),
                       falseIds = ints("nodes_falsenodeids"),
                       trueLeafs = ints("nodes_trueleafs"),
                       falseLeafs = ints("nodes_falseleafs"),
                       tracks = ints("nodes_missing_value_tracks_true"),
                       leafTargets = ints("leaf_targetids"),
                       roots = ints("tree_roots");
  // Hit rates only describe the training data.
  a.accept("nodes_hitrates");
  FailureOr<SmallVector<double>> modes = tensorValues(n, "nodes_modes");
  FailureOr<SmallVector<double>> splits = tensorValues(n, "nodes_splits");
  FailureOr<SmallVector<double>> leafWeights = tensorValues(n, "leaf_weights");
  FailureOr<SmallVector<double>> members = tensorValues(n, "membership_values");
  if (failed(n.checkArity(1, 1)) || failed(a.status()) || failed(modes) ||
      failed(splits) || failed(leafWeights) || failed(members))
    return failure();
  if (aggregate < 0 || aggregate > 3)
    return n.error() << "attribute 'aggregate_function' is " << aggregate
                     << ", expected 0 (AVERAGE), 1 (SUM), 2 (MIN) or 3 (MAX)";
  // ONNX's reference implementation applies none of them either.
  if (postTransform != 0)
    return n.error() << "attribute 'post_transform' is " << postTransform
                     << ", which is not supported (expected 0, NONE)";
  if (!targets || *targets < 1)
    return n.error() << "attribute 'n_targets' must be given and positive";
  size_t count = featureIds.size();
  if (failed(checkSize(n, "nodes_truenodeids", trueIds.size(), count)) ||
      failed(checkSize(n, "nodes_falsenodeids", falseIds.size(), count)) ||
      failed(checkSize(n, "nodes_trueleafs", trueLeafs.size(), count)) ||
      failed(checkSize(n, "nodes_falseleafs", falseLeafs.size(), count)) ||
      failed(checkSize(n, "nodes_modes", modes->size(), count)) ||
      failed(checkSize(n, "nodes_splits", splits->size(), count)) ||
      (!tracks.empty() &&
       failed(checkSize(n, "nodes_missing_value_tracks_true", tracks.size(), count))) ||
      failed(checkSize(n, "leaf_weights", leafWeights->size(), leafTargets.size())))
    return failure();

  Ensemble e;
  e.targets = *targets;
  e.aggregate = static_cast<Aggregate>(aggregate);
  RankedTensorType xType = n.inputType(0);
  if (auto ft = dyn_cast<FloatType>(xType.getElementType()))
    e.emptyValue = (aggregate == 2 ? 1.0 : -1.0) *
                   APFloat::getLargest(ft.getFloatSemantics()).convertToDouble();
  size_t nextMember = 0;
  for (size_t i = 0; i < count; ++i) {
    int64_t mode = static_cast<int64_t>((*modes)[i]);
    if (mode < 0 || mode > 6)
      return n.error() << "attribute 'nodes_modes' has " << mode << " at node "
                       << i << ", expected 0 to 6";
    InternalNode node{featureIds[i], static_cast<Branch>(mode),
                      (*splits)[i], {}, !tracks.empty() && tracks[i] != 0,
                      {trueLeafs[i] != 0, trueIds[i]}, {falseLeafs[i] != 0, falseIds[i]}};
    if (node.mode == Branch::MEMBER) {
      // The members of each set-membership node, in node order, each set
      // ended by a NaN.
      while (nextMember < members->size() && !std::isnan((*members)[nextMember]))
        node.members.push_back((*members)[nextMember++]);
      if (nextMember >= members->size())
        return n.error() << "attribute 'membership_values' has no NaN-ended "
                            "set for set-membership node "
                         << i;
      ++nextMember;
    }
    for (Child child : {node.whenTrue, node.whenFalse})
      if (child.index < 0 ||
          child.index >= static_cast<int64_t>(child.leaf ? leafTargets.size() : count))
        return n.error() << "node " << i << " has a " << (child.leaf ? "leaf" : "node")
                         << " child " << child.index << " out of range";
    e.nodes.push_back(std::move(node));
  }
  for (auto [target, weight] : llvm::zip(leafTargets, *leafWeights)) {
    if (target < 0 || target >= *targets)
      return n.error() << "attribute 'leaf_targetids' has " << target
                       << ", expected one of the " << *targets << " targets";
    e.leaves.push_back({{{target, weight}}});
  }
  if (roots.empty())
    return n.error() << "attribute 'tree_roots' is empty";
  for (int64_t root : roots) {
    if (root < 0 || root >= static_cast<int64_t>(count))
      return n.error() << "attribute 'tree_roots' has " << root << " out of range";
    // A tree that is one leaf: a root whose branches are the same leaf.
    const InternalNode &node = e.nodes[root];
    if (node.whenTrue.leaf && node.whenFalse.leaf &&
        node.whenTrue.index == node.whenFalse.index)
      e.roots.push_back(node.whenTrue);
    else
      e.roots.push_back({false, root});
  }
  FailureOr<Value> x = floatInput(n);
  if (failed(x))
    return failure();
  FailureOr<Value> y = evaluate(n, *x, e);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

/// TreeEnsembleRegressor (ai.onnx.ml 1 and 3): nodes named (tree id, node
/// id), leaves among them (mode LEAF), weights attached to leaves by
/// (tree id, node id, target id).
LogicalResult importTreeEnsembleRegressor(NodeImporter &n) {
  if (n.domainOpset() >= 5)
    return n.error() << "TreeEnsembleRegressor is deprecated from ai.onnx.ml "
                        "opset 5 on (the model's is "
                     << n.domainOpset() << "); use TreeEnsemble";
  AttributeReader &a = n.attrs();
  unsigned aggregate =
      a.getChoice("aggregate_function", "SUM", {"AVERAGE", "SUM", "MIN", "MAX"});
  unsigned postTransform = a.getChoice(
      "post_transform", "NONE", {"NONE", "SOFTMAX", "LOGISTIC", "SOFTMAX_ZERO", "PROBIT"});
  std::optional<int64_t> targets = a.getOptionalInt("n_targets");
  auto ints = [&](StringRef name) {
    return a.getInts(name).value_or(SmallVector<int64_t>{});
  };
  SmallVector<int64_t> treeIds = ints("nodes_treeids"), nodeIds = ints("nodes_nodeids"),
                       featureIds = ints("nodes_featureids"),
                       trueIds = ints("nodes_truenodeids"),
                       falseIds = ints("nodes_falsenodeids"),
                       tracks = ints("nodes_missing_value_tracks_true"),
                       targetTrees = ints("target_treeids"),
                       targetNodes = ints("target_nodeids"), targetIds = ints("target_ids");
  std::optional<SmallVector<std::string>> modeNames = a.getStrings("nodes_modes");
  // Hit rates only describe the training data.
  a.accept("nodes_hitrates");
  auto floats = [&](StringRef name) -> FailureOr<SmallVector<double>> {
    if (n.domainOpset() >= 3 && a.has((name + "_as_tensor").str())) {
      if (a.has(name))
        return n.error() << "attributes '" << name << "' and '" << name
                         << "_as_tensor' are both given";
      return tensorValues(n, (name + "_as_tensor").str());
    }
    return a.getFloats(name).value_or(SmallVector<double>{});
  };
  if (n.domainOpset() >= 3)
    a.accept("nodes_hitrates_as_tensor");
  FailureOr<SmallVector<double>> values = floats("nodes_values");
  FailureOr<SmallVector<double>> weights = floats("target_weights");
  FailureOr<SmallVector<double>> base = floats("base_values");
  if (failed(n.checkArity(1, 1)) || failed(a.status()) || failed(values) ||
      failed(weights) || failed(base))
    return failure();
  if (postTransform != 0)
    return n.error() << "attribute 'post_transform' is not supported unless "
                        "NONE (a regressor's outputs are not probabilities)";
  if (!targets || *targets < 1)
    return n.error() << "attribute 'n_targets' must be given and positive";
  if (!modeNames)
    return n.error() << "attribute 'nodes_modes' is required";
  size_t count = nodeIds.size();
  if (failed(checkSize(n, "nodes_treeids", treeIds.size(), count)) ||
      failed(checkSize(n, "nodes_featureids", featureIds.size(), count)) ||
      failed(checkSize(n, "nodes_truenodeids", trueIds.size(), count)) ||
      failed(checkSize(n, "nodes_falsenodeids", falseIds.size(), count)) ||
      failed(checkSize(n, "nodes_modes", modeNames->size(), count)) ||
      failed(checkSize(n, "nodes_values", values->size(), count)) ||
      (!tracks.empty() &&
       failed(checkSize(n, "nodes_missing_value_tracks_true", tracks.size(), count))) ||
      failed(checkSize(n, "target_nodeids", targetNodes.size(), targetTrees.size())) ||
      failed(checkSize(n, "target_ids", targetIds.size(), targetTrees.size())) ||
      failed(checkSize(n, "target_weights", weights->size(), targetTrees.size())) ||
      (!base->empty() &&
       failed(checkSize(n, "base_values", base->size(), static_cast<size_t>(*targets)))))
    return failure();

  static constexpr std::pair<StringRef, Branch> kModes[] = {
      {"BRANCH_LEQ", Branch::LEQ}, {"BRANCH_LT", Branch::LT},
      {"BRANCH_GTE", Branch::GTE}, {"BRANCH_GT", Branch::GT},
      {"BRANCH_EQ", Branch::EQ},   {"BRANCH_NEQ", Branch::NEQ}};
  // (tree, node) -> child; leaves and internal nodes numbered apart.
  std::map<std::pair<int64_t, int64_t>, Child> byId;
  SmallVector<size_t> internalAt;
  Ensemble e;
  e.targets = *targets;
  e.aggregate = static_cast<Aggregate>(aggregate);
  e.base = *base;
  for (size_t i = 0; i < count; ++i) {
    bool leaf = (*modeNames)[i] == "LEAF";
    auto key = std::make_pair(treeIds[i], nodeIds[i]);
    if (byId.count(key))
      return n.error() << "tree " << treeIds[i] << " has node " << nodeIds[i]
                       << " twice";
    byId[key] = {leaf, static_cast<int64_t>(leaf ? e.leaves.size() : internalAt.size())};
    if (leaf) {
      e.leaves.emplace_back();
      continue;
    }
    auto mode = llvm::find_if(kModes, [&](auto m) { return m.first == (*modeNames)[i]; });
    if (mode == std::end(kModes))
      return n.error() << "attribute 'nodes_modes' has '" << (*modeNames)[i]
                       << "' at node " << i
                       << ", expected BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, "
                          "BRANCH_GT, BRANCH_EQ, BRANCH_NEQ or LEAF";
    internalAt.push_back(i);
    e.nodes.push_back({featureIds[i], mode->second, (*values)[i], {},
                       !tracks.empty() && tracks[i] != 0, {}, {}});
  }
  auto childOf = [&](int64_t tree, int64_t id, size_t from) -> FailureOr<Child> {
    auto it = byId.find({tree, id});
    if (it == byId.end())
      return n.error() << "node " << from << " of tree " << tree
                       << " has a child " << id
                       << " (in 'nodes_truenodeids' or 'nodes_falsenodeids') "
                          "the tree does not have";
    return it->second;
  };
  for (auto [k, i] : llvm::enumerate(internalAt)) {
    FailureOr<Child> t = childOf(treeIds[i], trueIds[i], i);
    FailureOr<Child> f = childOf(treeIds[i], falseIds[i], i);
    if (failed(t) || failed(f))
      return failure();
    e.nodes[k].whenTrue = *t;
    e.nodes[k].whenFalse = *f;
  }
  for (size_t j = 0; j < targetTrees.size(); ++j) {
    auto it = byId.find({targetTrees[j], targetNodes[j]});
    if (it == byId.end() || !it->second.leaf)
      return n.error() << "entry " << j
                       << " of 'target_treeids' and 'target_nodeids' names node "
                       << targetNodes[j] << " of tree " << targetTrees[j]
                       << ", which is not a leaf of the ensemble";
    if (targetIds[j] < 0 || targetIds[j] >= *targets)
      return n.error() << "attribute 'target_ids' has " << targetIds[j]
                       << ", expected one of the " << *targets << " targets";
    e.leaves[it->second.index].weights.push_back({targetIds[j], (*weights)[j]});
  }
  // Each tree's root: the node no other node of the tree points to.
  std::map<int64_t, llvm::DenseSet<int64_t>> pointedTo;
  for (size_t i = 0; i < count; ++i)
    if ((*modeNames)[i] != "LEAF") {
      pointedTo[treeIds[i]].insert(trueIds[i]);
      pointedTo[treeIds[i]].insert(falseIds[i]);
    }
  std::map<int64_t, SmallVector<size_t>> rootsOf;
  for (size_t i = 0; i < count; ++i)
    if (!pointedTo[treeIds[i]].contains(nodeIds[i]))
      rootsOf[treeIds[i]].push_back(i);
  for (auto &[tree, candidates] : rootsOf) {
    if (candidates.size() != 1)
      return n.error() << "tree " << tree << " has " << candidates.size()
                       << " nodes that no entry of 'nodes_truenodeids' or "
                          "'nodes_falsenodeids' points to, expected one root";
    e.roots.push_back(byId[{tree, nodeIds[candidates.front()]}]);
  }
  if (e.roots.empty())
    return n.error() << "the ensemble has no trees";
  FailureOr<Value> x = floatInput(n, n.b().getF32Type());
  if (failed(x))
    return failure();
  FailureOr<Value> y = evaluate(n, *x, e);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

} // namespace

void onnx_import::registerTreeEnsembleOps(OpTable &t) {
  t.add("TreeEnsemble", 5, importTreeEnsemble, kMLDomain);
  t.add("TreeEnsembleRegressor", 1, importTreeEnsembleRegressor, kMLDomain);
}
