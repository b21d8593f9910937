//===- IndexingOps.cpp - ONNX GatherND, Scatter*, TensorScatter, TopK -----===//
//
// Ops that index by run-time values, built from existing kiln ops:
//
//   - GatherND turns each index tuple into one linear index into data with
//     its indexed dims (and batch dims) flattened, then kiln.gather picks the
//     slices: O(output) work.
//   - ScatterElements and ScatterND compare every index with every position
//     it may write (a one-hot [updates, positions] mask, as GatherElements
//     does) and reduce the selected updates over the updates: O(updates x
//     positions) work, refused past kMaxOneHot elements.
//   - TensorScatter writes each batch entry's update at its write index:
//     every cache position p along the axis learns which update row i it
//     receives (p - write_index, modulo the cache length when circular) and
//     takes it through a one-hot [positions, rows] select, the rest keeps
//     the past value: O(cache x update rows) work, refused past kMaxOneHot.
//   - TopK ranks each element by the elements that beat it (larger, or equal
//     at a lower index: ONNX's order) and picks rank k for output k: O(L^2)
//     work along the axis, refused past L = 4096.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"
#include "ir/Shapes.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

constexpr int64_t kMaxOneHot = int64_t(1) << 24;
constexpr int64_t kMaxTopKAxis = 4096;

Value cmp(OpChain &c, ComparePredicate p, Value a, Value b) {
  return c.compare(static_cast<uint32_t>(p), a, b);
}

/// An i64 constant of `shape` holding 0, 1, ... along dim `dim` (the only
/// dim of `shape` that is not 1).
Value iota(NodeImporter &n, ArrayRef<int64_t> shape, int64_t dim) {
  SmallVector<int64_t> values;
  for (int64_t k = 0; k < shape[dim]; ++k)
    values.push_back(k);
  return n.constant(DenseElementsAttr::get(
      RankedTensorType::get(shape, n.b().getI64Type()), ArrayRef(values)));
}

/// Static shapes for `inputs`, and int32 or int64 indices at input 1 if it
/// is among them; an error naming the node otherwise.
LogicalResult checkStatic(NodeImporter &n, ArrayRef<unsigned> inputs) {
  for (unsigned i : inputs)
    if (!n.inputType(i).hasStaticShape())
      return n.error() << "expects static shapes, got " << n.inputType(i)
                       << " for '" << n.inputName(i) << "'";
  if (!llvm::is_contained(inputs, 1u))
    return success();
  Type it = n.inputType(1).getElementType();
  if (!(it.isSignlessInteger(32) || it.isSignlessInteger(64)))
    return n.error() << "expects int32 or int64 indices, got "
                     << n.inputType(1);
  return success();
}

/// The linear index into dims [first, first + k) of `data` of each index
/// tuple (the last dim of `indices`, k long), negative entries counted from
/// the end: shape indices.shape[:-1].
Value linearIndex(OpChain &c, Value indices, ArrayRef<int64_t> dataShape,
                  int64_t first) {
  NodeImporter &n = c.n;
  auto type = cast<RankedTensorType>(indices.getType());
  int64_t k = type.getShape().back();
  SmallVector<int64_t> sizes(dataShape.slice(first, k)), strides(k, 1);
  for (int64_t j = k - 2; j >= 0; --j)
    strides[j] = strides[j + 1] * sizes[j + 1];
  Type i64 = n.b().getI64Type();
  Value idx = c.cast(indices, i64);
  Value negative = cmp(c, ComparePredicate::lt, idx, c.scalar(i64, 0));
  idx = c.op("kiln.select",
             {negative, c.op("kiln.add", {idx, n.i64Vector(sizes)}), idx});
  Value scaled = c.op("kiln.mul", {idx, n.i64Vector(strides)});
  return c.sum(scaled, {type.getRank() - 1}, false);
}

LogicalResult importGatherND(NodeImporter &n) {
  int64_t batchDims = n.opset() >= 12 ? n.attrs().getInt("batch_dims", 0) : 0;
  if (failed(n.checkArity(2, 2)) || failed(n.attrs().status()) ||
      failed(checkStatic(n, {0, 1})))
    return failure();
  ArrayRef<int64_t> data = n.inputType(0).getShape();
  ArrayRef<int64_t> indices = n.inputType(1).getShape();
  int64_t r = data.size(), q = indices.size();
  int64_t k = q ? indices.back() : 0;
  if (q < 1 || batchDims < 0 || batchDims >= std::min(q, r) ||
      batchDims + k > r || data.take_front(batchDims) != indices.take_front(batchDims))
    return n.error() << "indices " << n.inputType(1) << " do not index data "
                     << n.inputType(0) << " with batch_dims = " << batchDims;
  OpChain c{n};
  Value lin = linearIndex(c, n.input(1), data, batchDims);
  int64_t block = numElements(data.slice(batchDims, k));
  if (batchDims > 0) {
    // Each tuple's batch, as an offset of whole batches into the flat data.
    ArrayRef<int64_t> tuples = indices.drop_back();
    int64_t perBatch = numElements(tuples.drop_front(batchDims));
    SmallVector<int64_t> offsets;
    for (int64_t f = 0, e = numElements(tuples); f < e; ++f)
      offsets.push_back(f / perBatch * block);
    lin = c.op("kiln.add",
               {lin, n.constant(DenseElementsAttr::get(
                         RankedTensorType::get(tuples, n.b().getI64Type()),
                         ArrayRef(offsets)))});
  }
  SmallVector<int64_t> flat = {numElements(data.take_front(batchDims)) * block};
  llvm::append_range(flat, data.drop_front(batchDims + k));
  Value y = c.op("kiln.gather", {c.reshape(n.input(0), flat), lin},
                 {n.namedI64("axis", 0)});
  return c.output(0, y);
}

enum class Reduction { none, add, mul, max, min };

FailureOr<Reduction> readReduction(NodeImporter &n) {
  if (n.opset() < 16)
    return Reduction::none;
  SmallVector<StringRef> allowed = {"none", "add", "mul"};
  if (n.opset() >= 18)
    allowed.append({"max", "min"});
  unsigned r = n.attrs().getChoice("reduction", "none", allowed);
  if (failed(n.attrs().status()))
    return failure();
  return static_cast<Reduction>(r);
}

/// data (shape S) with the updates a one-hot `hit` selects written in: hit
/// and `updates` have a dim M (one per update) inserted at `axis` before S's
/// dims (hit as [.., M, L, ..], updates as [.., M, 1, ..]); `expanded` is
/// data with a 1 there.
Value combine(OpChain &c, Reduction reduction, Value data, Value expanded,
              Value hit, Value updates, int64_t axis) {
  Type et = cast<RankedTensorType>(data.getType()).getElementType();
  auto picked = [&](Value otherwise) {
    return c.op("kiln.select", {hit, updates, otherwise});
  };
  auto reduce = [&](StringRef op, Value v) {
    return c.op(op, v, {c.n.namedI64s("axes", {axis}),
                        c.n.namedBool("keepdims", false)});
  };
  switch (reduction) {
  case Reduction::none: {
    Type i32 = c.n.b().getI32Type();
    Value count = c.sum(c.cast(hit, i32), {axis}, false);
    Value any = cmp(c, ComparePredicate::gt, count, c.scalar(i32, 0));
    return c.op("kiln.select",
                {any, c.sum(picked(c.scalar(et, 0)), {axis}, false), data});
  }
  case Reduction::add:
    return c.op("kiln.add", {data, c.sum(picked(c.scalar(et, 0)), {axis}, false)});
  case Reduction::mul:
    return c.op("kiln.mul",
                {data, reduce("kiln.reduce_prod", picked(c.scalar(et, 1)))});
  // Where no update lands the reduction sees data; data joins it once more
  // for positions every update lands on.
  case Reduction::max:
    return c.op("kiln.max", {data, reduce("kiln.reduce_max", picked(expanded))});
  case Reduction::min:
    return c.op("kiln.min", {data, reduce("kiln.reduce_min", picked(expanded))});
  }
  return {};
}

/// TensorScatter (opset 24): present = past_cache with, for each batch entry
/// b, update[b, .., i, ..] at position write_indices[b] + i along `axis`
/// (modulo max_sequence_length when `mode` is circular). A linear write past
/// the cache's end, which the operator text rules out, writes nothing.
LogicalResult importTensorScatter(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t axisAttr = a.getInt("axis", -2);
  bool circular = a.getChoice("mode", "linear", {"linear", "circular"}) == 1;
  if (failed(n.checkArity(2, 3)) || failed(a.status()))
    return failure();
  for (unsigned i = 0; i < 3; ++i)
    if (n.hasInput(i) && !n.inputType(i).hasStaticShape())
      return n.error() << "expects static shapes, got " << n.inputType(i)
                       << " for '" << n.inputName(i) << "'";
  RankedTensorType past = n.inputType(0), update = n.inputType(1);
  int64_t rank = past.getRank();
  if (rank < 2 || update.getRank() != rank)
    return n.error() << "expects past_cache and update of one rank >= 2, got "
                     << past << " and " << update;
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, rank);
  if (failed(axis))
    return failure();
  if (*axis == 0)
    return n.error() << "attribute 'axis' must not be the batch dim 0";
  if (past.getElementType() != update.getElementType())
    return n.error() << "expects past_cache and update of one element type, got "
                     << past << " and " << update;
  int64_t cacheLength = past.getDimSize(*axis), rows = update.getDimSize(*axis);
  for (int64_t d = 0; d < rank; ++d)
    if (d != *axis && past.getDimSize(d) != update.getDimSize(d))
      return n.error() << "update " << update << " differs from past_cache "
                       << past << " in dim " << d << " (only the sequence dim "
                       << *axis << " may)";
  if (rows > cacheLength)
    return n.error() << "update " << update << " has more rows along the "
                        "sequence dim than past_cache "
                     << past;
  int64_t batch = past.getDimSize(0);
  if (past.getNumElements() * rows > kMaxOneHot)
    return n.error() << "past_cache " << past << " times " << rows
                     << " update rows exceeds " << kMaxOneHot
                     << " one-hot elements";
  OpChain c{n};
  Type i64 = n.b().getI64Type();
  // Each batch entry's write index, as [B, 1, ..] (rank dims).
  SmallVector<int64_t> batchShape(rank, 1);
  batchShape[0] = batch;
  Value start = c.scalar(i64, 0);
  if (n.hasInput(2)) {
    RankedTensorType indices = n.inputType(2);
    Type it = indices.getElementType();
    if (indices.getRank() != 1 || indices.getDimSize(0) != batch ||
        !(it.isSignlessInteger(32) || it.isSignlessInteger(64)))
      return n.error() << "expects int32 or int64 write_indices of shape ["
                       << batch << "], got " << indices;
    start = c.reshape(c.cast(n.input(2), i64), batchShape);
  }
  SmallVector<int64_t> posShape(rank, 1);
  posShape[*axis] = cacheLength;
  // rel = which update row lands at position p: p - start, taken modulo
  // the cache length when circular (start first, so rel is in (-L, L)).
  Value zero = c.scalar(i64, 0), length = c.scalar(i64, cacheLength);
  auto wrapNegative = [&](Value v) {
    return c.op("kiln.select", {cmp(c, ComparePredicate::lt, v, zero),
                                c.op("kiln.add", {v, length}), v});
  };
  if (circular)
    start = wrapNegative(c.op(
        "kiln.sub",
        {start, c.op("kiln.mul", {c.op("kiln.div", {start, length}), length})}));
  Value rel = c.op("kiln.sub", {iota(n, posShape, *axis), start});
  if (circular)
    rel = wrapNegative(rel);
  // One-hot over the update rows, in a dim after the axis.
  if (!c.ok)
    return failure();
  SmallVector<int64_t> relShape(cast<RankedTensorType>(rel.getType()).getShape()),
      rowShape(rank + 1, 1), updateShape(update.getShape());
  relShape.insert(relShape.begin() + *axis + 1, 1);
  rowShape[*axis + 1] = rows;
  updateShape.insert(updateShape.begin() + *axis, 1);
  Value hot = cmp(c, ComparePredicate::eq, c.reshape(rel, relShape),
                  iota(n, rowShape, *axis + 1));
  // At most one row is hot per position, so the sum is that row's value;
  // bool caches sum as int8.
  Type et = past.getElementType();
  Type sumType = et.isInteger(1) ? n.b().getI8Type() : et;
  Value picked = c.cast(
      c.sum(c.op("kiln.select", {hot, c.cast(c.reshape(n.input(1), updateShape), sumType),
                                 c.scalar(sumType, 0)}),
            {*axis + 1}, false),
      et);
  Value written = c.op("kiln.and", {cmp(c, ComparePredicate::ge, rel, zero),
                                    cmp(c, ComparePredicate::lt, rel,
                                        c.scalar(i64, rows))});
  return c.output(0, c.op("kiln.select", {written, picked, n.input(0)}));
}

/// ScatterElements (and Scatter, its opset 9 name): data with
/// data[.., indices[.., m, ..], ..] = updates[.., m, ..] along `axis`,
/// combined by `reduction`.
LogicalResult importScatterElements(NodeImporter &n) {
  int64_t axisAttr = n.attrs().getInt("axis", 0);
  FailureOr<Reduction> reduction = readReduction(n);
  if (failed(reduction) || failed(n.checkArity(3, 3)) ||
      failed(n.attrs().status()) || failed(checkStatic(n, {0, 1, 2})))
    return failure();
  RankedTensorType data = n.inputType(0), index = n.inputType(1);
  if (index.getShape() != n.inputType(2).getShape() ||
      data.getRank() != index.getRank())
    return n.error() << "expects indices and updates of one shape and data's "
                        "rank, got "
                     << index << " and " << n.inputType(2);
  if (data.getElementType().isInteger(1) ||
      n.inputType(2).getElementType() != data.getElementType())
    return n.error() << "expects numeric data and updates of its type, got "
                     << data << " and " << n.inputType(2);
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, data.getRank());
  if (failed(axis))
    return failure();
  int64_t rank = data.getRank(), length = data.getDimSize(*axis);
  SmallVector<int64_t> padEnds(rank, 0);
  for (int64_t d = 0; d < rank; ++d) {
    if (d != *axis && index.getDimSize(d) > data.getDimSize(d))
      return n.error() << "indices " << index << " exceed data " << data
                       << " in dim " << d;
    if (d != *axis)
      padEnds[d] = data.getDimSize(d) - index.getDimSize(d);
  }
  if (data.getNumElements() / std::max<int64_t>(length, 1) *
          index.getDimSize(*axis) * length > kMaxOneHot)
    return n.error() << "updates " << n.inputType(2) << " into " << length
                     << " positions along axis " << *axis
                     << " are too many for Kiln's one-hot scatter";
  OpChain c{n};
  Type i64 = n.b().getI64Type();
  Value idx = c.cast(n.input(1), i64);
  Value negative = cmp(c, ComparePredicate::lt, idx, c.scalar(i64, 0));
  idx = c.op("kiln.select",
             {negative, c.op("kiln.add", {idx, c.scalar(i64, length)}), idx});
  Value updates = n.input(2);
  // Updates cover a corner of data in the other dims: pad them to data's
  // extent with indices that match no position.
  if (llvm::any_of(padEnds, [](int64_t p) { return p != 0; })) {
    SmallVector<int64_t> pads(rank, 0);
    pads.append(padEnds);
    idx = c.op("kiln.pad", idx, {n.namedI64s("pads", pads), n.namedF64("value", -1)});
    updates = c.op("kiln.pad", updates, {n.namedI64s("pads", pads)});
  }
  SmallVector<int64_t> perUpdate(data.getShape()), positions(rank + 1, 1),
      expanded(data.getShape());
  perUpdate[*axis] = index.getDimSize(*axis);
  perUpdate.insert(perUpdate.begin() + *axis + 1, 1);
  positions[*axis + 1] = length;
  expanded.insert(expanded.begin() + *axis, 1);
  // One op-creating argument per call: argument order is unspecified.
  Value idxPerUpdate = c.reshape(idx, perUpdate);
  Value hit = cmp(c, ComparePredicate::eq, idxPerUpdate, iota(n, positions, *axis + 1));
  Value dataExpanded = c.reshape(n.input(0), expanded);
  Value updatesPerUpdate = c.reshape(updates, perUpdate);
  Value y = combine(c, *reduction, n.input(0), dataExpanded, hit, updatesPerUpdate, *axis);
  return c.output(0, y);
}

/// ScatterND: data with the slices data[indices[.., :]] = updates[..],
/// combined by `reduction`.
LogicalResult importScatterND(NodeImporter &n) {
  FailureOr<Reduction> reduction = readReduction(n);
  if (failed(reduction) || failed(n.checkArity(3, 3)) ||
      failed(n.attrs().status()) || failed(checkStatic(n, {0, 1, 2})))
    return failure();
  ArrayRef<int64_t> data = n.inputType(0).getShape();
  ArrayRef<int64_t> indices = n.inputType(1).getShape();
  // Check the index depth k before slicing by it: a rank-0 `indices` or a k
  // outside [1, rank] would slice past the shapes' ends.
  int64_t k = indices.empty() ? 0 : indices.back();
  bool fits = k >= 1 && k <= static_cast<int64_t>(data.size());
  SmallVector<int64_t> updatesShape;
  if (fits) {
    updatesShape.assign(indices.begin(), indices.end() - 1);
    llvm::append_range(updatesShape, data.drop_front(k));
  }
  if (!fits || n.inputType(2).getShape() != ArrayRef<int64_t>(updatesShape))
    return n.error() << "indices " << n.inputType(1) << " and updates "
                     << n.inputType(2) << " do not fit data " << n.inputType(0);
  Type et = n.inputType(0).getElementType();
  if (et.isInteger(1) || n.inputType(2).getElementType() != et)
    return n.error() << "expects numeric data and updates of its type, got "
                     << n.inputType(0) << " and " << n.inputType(2);
  int64_t count = numElements(indices.drop_back());
  int64_t positions = numElements(data.take_front(k));
  ArrayRef<int64_t> rest = data.drop_front(k);
  if (count * positions > kMaxOneHot)
    return n.error() << count << " updates into " << positions
                     << " positions are too many for Kiln's one-hot scatter";
  OpChain c{n};
  Value lin = c.reshape(linearIndex(c, n.input(1), data, 0), {count});
  SmallVector<int64_t> ones(rest.size(), 1);
  SmallVector<int64_t> linShape = {count, 1}, iotaShape = {1, positions};
  linShape.append(ones);
  iotaShape.append(ones);
  SmallVector<int64_t> flat = {positions}, expanded = {1, positions},
                       perUpdate = {count, 1};
  llvm::append_range(flat, rest);
  llvm::append_range(expanded, rest);
  llvm::append_range(perUpdate, rest);
  // One op-creating argument per call: argument order is unspecified.
  Value linColumn = c.reshape(lin, linShape);
  Value hit = cmp(c, ComparePredicate::eq, linColumn, iota(n, iotaShape, 1));
  Value dataFlat = c.reshape(n.input(0), flat);
  Value dataExpanded = c.reshape(n.input(0), expanded);
  Value updatesPerUpdate = c.reshape(n.input(2), perUpdate);
  Value y = combine(c, *reduction, dataFlat, dataExpanded, hit, updatesPerUpdate, 0);
  return c.output(0, c.reshape(y, data));
}

/// TopK: the k largest (or smallest) elements along `axis` and their
/// indices, sorted, equal elements in index order.
LogicalResult importTopK(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t axisAttr = a.getInt("axis", -1);
  std::optional<int64_t> kAttr;
  if (n.opset() < 10)
    kAttr = a.getOptionalInt("k");
  bool largest = n.opset() >= 11 ? a.getBool("largest", true) : true;
  // Unsorted results may come in any order: sorted ones are such an order.
  if (n.opset() >= 11)
    a.getBool("sorted", true);
  if (failed(n.checkArity(n.opset() < 10 ? 1 : 2, n.opset() < 10 ? 1 : 2, 2,
                          2)) ||
      failed(a.status()) || failed(checkStatic(n, {0})))
    return failure();
  int64_t k;
  if (n.opset() < 10) {
    if (!kAttr)
      return n.error() << "attribute 'k' is required";
    k = *kAttr;
  } else {
    FailureOr<SmallVector<int64_t>> kInput = n.constantInts(1, "K");
    if (failed(kInput))
      return failure();
    if (kInput->size() != 1)
      return n.error() << "input 'K' must have one element";
    k = kInput->front();
  }
  RankedTensorType type = n.inputType(0);
  if (type.getElementType().isInteger(1))
    return n.error() << "expects a numeric input, got " << type;
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, type.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t length = shape[*axis];
  if (k < 0 || k > length)
    return n.error() << "K = " << k << " is not in [0, " << length
                     << "], the length of axis " << *axis;
  if (length > kMaxTopKAxis)
    return n.error() << "axis " << *axis << " has " << length
                     << " elements; Kiln's TopK compares every pair and "
                        "takes at most "
                     << kMaxTopKAxis;
  auto around = [&](int64_t first, int64_t second) {
    SmallVector<int64_t> s(shape.take_front(*axis));
    s.append({first, second});
    llvm::append_range(s, shape.drop_front(*axis + 1));
    return s;
  };
  auto ones = [&](int64_t first, int64_t second) {
    SmallVector<int64_t> s(shape.size() + 1, 1);
    s[*axis] = first;
    s[*axis + 1] = second;
    return s;
  };
  OpChain c{n};
  Type i64 = n.b().getI64Type();
  Value xi = c.reshape(n.input(0), around(length, 1));
  Value xj = c.reshape(n.input(0), around(1, length));
  Value ii = iota(n, ones(length, 1), *axis);
  Value jj = iota(n, ones(1, length), *axis + 1);
  Value better = cmp(c, largest ? ComparePredicate::gt : ComparePredicate::lt, xj, xi);
  Value tie = c.op("kiln.and", {cmp(c, ComparePredicate::eq, xj, xi),
                                cmp(c, ComparePredicate::lt, jj, ii)});
  Value beats = c.op("kiln.or", {better, tie});
  Value rank = c.sum(c.cast(beats, i64), {*axis + 1}, false);
  Value rankColumn = c.reshape(rank, around(1, length));
  Value hit = cmp(c, ComparePredicate::eq, rankColumn, iota(n, ones(k, 1), *axis));
  Type et = type.getElementType();
  Value values = c.sum(c.op("kiln.select", {hit, xj, c.scalar(et, 0)}),
                       {*axis + 1}, false);
  Value indices = c.sum(c.op("kiln.select", {hit, jj, c.scalar(i64, 0)}),
                        {*axis + 1}, false);
  if (failed(c.output(0, values)))
    return failure();
  return c.output(1, indices);
}

/// Compress: the slices along `axis` (of the flattened input without it)
/// whose condition entry is true. Their count decides the output's shape, so
/// the condition must be known at compile time; then this is a kiln.gather
/// of the constant positions.
LogicalResult importCompress(NodeImporter &n) {
  std::optional<int64_t> axisAttr = n.attrs().getOptionalInt("axis");
  if (failed(n.checkArity(2, 2)) || failed(n.attrs().status()) ||
      failed(checkStatic(n, {0})))
    return failure();
  FailureOr<DenseElementsAttr> condition = n.constantInput(1, "condition");
  if (failed(condition))
    return failure();
  RankedTensorType type = n.inputType(0);
  int64_t axis = 0;
  OpChain c{n};
  Value x = n.input(0);
  if (axisAttr) {
    FailureOr<int64_t> a = n.normalizeAxis(*axisAttr, type.getRank());
    if (failed(a))
      return failure();
    axis = *a;
  } else {
    x = c.reshape(x, {type.getNumElements()});
  }
  int64_t length = cast<RankedTensorType>(x.getType()).getDimSize(axis);
  auto conditionType = cast<RankedTensorType>(condition->getType());
  if (conditionType.getRank() != 1 || !conditionType.getElementType().isInteger(1) ||
      conditionType.getNumElements() > length)
    return n.error() << "input 'condition' must be 1-D bool with at most "
                     << length << " entries, got " << conditionType;
  SmallVector<int64_t> kept;
  for (auto [i, keep] : llvm::enumerate(condition->getValues<bool>()))
    if (keep)
      kept.push_back(i);
  Value positions = n.constant(DenseElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(kept.size())},
                            n.b().getI64Type()),
      ArrayRef(kept)));
  return c.output(0, c.op("kiln.gather", {x, positions},
                          {n.namedI64("axis", axis)}));
}

/// ReverseSequence: along `time_axis`, the first sequence_lens[b] elements
/// of each batch entry b reversed, the rest kept. The lengths decide which
/// element goes where, so they must be known at compile time; then this is a
/// kiln.gather of constant positions from the two axes flattened into one.
LogicalResult importReverseSequence(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  int64_t batchAxis = a.getInt("batch_axis", 1);
  int64_t timeAxis = a.getInt("time_axis", 0);
  if (failed(n.checkArity(2, 2)) || failed(a.status()) ||
      failed(checkStatic(n, {0})))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 2 || !((batchAxis == 0 && timeAxis == 1) ||
                              (batchAxis == 1 && timeAxis == 0)))
    return n.error() << "expects batch_axis and time_axis to be 0 and 1 (in "
                        "either order) of an input of rank 2 or more, got "
                     << batchAxis << " and " << timeAxis << " for " << type;
  FailureOr<SmallVector<int64_t>> lens = n.constantInts(1, "sequence_lens");
  if (failed(lens))
    return failure();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t batch = shape[batchAxis], time = shape[timeAxis];
  if (static_cast<int64_t>(lens->size()) != batch)
    return n.error() << "input 'sequence_lens' has " << lens->size()
                     << " entries for a batch of " << batch;
  SmallVector<int64_t> positions;
  for (int64_t i0 = 0; i0 < shape[0]; ++i0) {
    for (int64_t i1 = 0; i1 < shape[1]; ++i1) {
      int64_t t = timeAxis == 0 ? i0 : i1, b = batchAxis == 0 ? i0 : i1;
      int64_t len = std::clamp<int64_t>((*lens)[b], 0, time);
      int64_t from = t < len ? len - 1 - t : t;
      positions.push_back(timeAxis == 0 ? from * shape[1] + i1
                                        : i0 * shape[1] + from);
    }
  }
  OpChain c{n};
  SmallVector<int64_t> flat = {shape[0] * shape[1]};
  llvm::append_range(flat, shape.drop_front(2));
  Value index = n.constant(DenseElementsAttr::get(
      RankedTensorType::get({shape[0], shape[1]}, n.b().getI64Type()),
      ArrayRef(positions)));
  return c.output(0, c.op("kiln.gather", {c.reshape(n.input(0), flat), index},
                          {n.namedI64("axis", 0)}));
}

} // namespace

void onnx_import::registerIndexingOps(OpTable &t) {
  t.add("Compress", 9, importCompress);
  t.add("GatherND", 11, importGatherND);
  t.add("ReverseSequence", 10, importReverseSequence);
  t.add("Scatter", 9, importScatterElements);
  t.add("ScatterElements", 11, importScatterElements);
  t.add("ScatterND", 11, importScatterND);
  t.add("TensorScatter", 24, importTensorScatter);
  t.add("TopK", 1, importTopK);
}
