//===- ReductionOps.cpp - ONNX Reduce*, ArgMax and ArgMin -> kiln ---------===//
//
// ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum and ReduceLogSumExp are
// kiln.reduce_sum between elementwise kiln ops, and ArgMin is kiln.argmax of
// an order-reversing map, so each lowers through the ops' own linalg.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// Builds a reduction of `x` over the sorted, non-empty `axes`.
using ReductionBuilder = std::function<FailureOr<Value>(
    NodeImporter &n, Value x, ArrayRef<int64_t> axes, bool keepdims)>;

/// Reduce*: `axes` is an attribute before `axesInputSince` (13 for
/// ReduceSum, 18 for the others) and an optional constant input from then on,
/// together with `noop_with_empty_axes`. No or empty axes reduce every dim,
/// unless noop_with_empty_axes makes the op the identity.
OpHandler reduceWith(ReductionBuilder build, int64_t axesInputSince) {
  return [build, axesInputSince](NodeImporter &n) -> LogicalResult {
    AttributeReader &a = n.attrs();
    bool axesAsInput = n.opset() >= axesInputSince;
    bool keepdims = a.getBool("keepdims", true);
    bool noop = axesAsInput && a.getBool("noop_with_empty_axes", false);
    std::optional<SmallVector<int64_t>> axes;
    if (!axesAsInput)
      axes = a.getInts("axes");
    if (failed(n.checkArity(1, axesAsInput ? 2 : 1)) || failed(a.status()))
      return failure();
    if (axesAsInput && n.hasInput(1)) {
      FailureOr<SmallVector<int64_t>> v = n.constantInts(1, "axes");
      if (failed(v))
        return failure();
      axes = *v;
    }
    int64_t rank = n.inputType(0).getRank();
    SmallVector<int64_t> normalized;
    // With noop_with_empty_axes and no axes nothing is reduced, but the
    // elementwise parts still apply (ReduceSumSquare squares), as they do on
    // a rank-0 input: `build` gets no axes then.
    if (!axes || axes->empty()) {
      if (noop)
        rank = 0;
      for (int64_t d = 0; d < rank; ++d)
        normalized.push_back(d);
    } else {
      FailureOr<SmallVector<int64_t>> v = n.normalizeAxes(*axes, rank);
      if (failed(v))
        return failure();
      normalized = *v;
      llvm::sort(normalized); // the order of axes does not matter
    }
    FailureOr<Value> y = build(n, n.input(0), normalized, keepdims);
    if (failed(y))
      return failure();
    n.setOutput(0, *y);
    return success();
  };
}

/// `kilnOp` over `axes`; x itself when there are none.
FailureOr<Value> reduceOp(NodeImporter &n, StringRef kilnOp, Value x,
                          ArrayRef<int64_t> axes, bool keepdims) {
  if (axes.empty())
    return x;
  return n.create(kilnOp, x,
                  {n.namedI64s("axes", axes), n.namedBool("keepdims", keepdims)});
}

OpHandler reduce(StringRef kilnOp, int64_t axesInputSince) {
  return reduceWith(
      [kilnOp = kilnOp.str()](NodeImporter &n, Value x, ArrayRef<int64_t> axes,
                              bool keepdims) -> FailureOr<Value> {
        // Bools (ReduceMax/ReduceMin from opset 20: any/all) as uint8.
        Type et = cast<RankedTensorType>(x.getType()).getElementType();
        bool isBool = et.isInteger(1) && (kilnOp == "kiln.reduce_max" ||
                                          kilnOp == "kiln.reduce_min");
        if (!isBool)
          return reduceOp(n, kilnOp, x, axes, keepdims);
        auto u8 = IntegerType::get(n.context(), 8, IntegerType::Unsigned);
        FailureOr<Value> wide = n.cast(x, u8);
        if (failed(wide))
          return failure();
        FailureOr<Value> r = reduceOp(n, kilnOp, *wide, axes, keepdims);
        return failed(r) ? r : n.cast(*r, et);
      },
      axesInputSince);
}

/// f(x) summed, then g applied: the Reduce* ops ONNX defines that way.
OpHandler reduceSumOf(StringRef before, StringRef after) {
  return reduceWith(
      [before = before.str(), after = after.str()](
          NodeImporter &n, Value x, ArrayRef<int64_t> axes,
          bool keepdims) -> FailureOr<Value> {
        FailureOr<Value> v = x;
        if (before == "square")
          v = n.create("kiln.mul", {x, x});
        else if (!before.empty())
          v = n.create(before, x);
        if (failed(v))
          return failure();
        FailureOr<Value> sum = reduceOp(n, "kiln.reduce_sum", *v, axes, keepdims);
        if (failed(sum) || after.empty())
          return sum;
        return n.create(after, *sum);
      },
      18);
}

/// log(sum(exp(x - m))) + m with m the max over the axes (0 where it is not
/// finite), so exp cannot overflow: ONNX's log(sum(exp(x))) where that is
/// representable.
FailureOr<Value> logSumExp(NodeImporter &n, Value x, ArrayRef<int64_t> axes,
                           bool keepdims) {
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  FailureOr<Value> max = reduceOp(n, "kiln.reduce_max", x, axes, true);
  FailureOr<Value> absMax = failed(max) ? max : n.create("kiln.abs", *max);
  FailureOr<Value> inf = n.scalar(et, std::numeric_limits<double>::infinity());
  FailureOr<Value> zero = n.scalar(et, 0.0);
  if (failed(absMax) || failed(inf) || failed(zero))
    return failure();
  FailureOr<Value> finite = n.create(
      "kiln.compare", {*absMax, *inf},
      {n.b().getNamedAttr("predicate",
                          n.b().getI32IntegerAttr(static_cast<int32_t>(
                              ComparePredicate::lt)))});
  if (failed(finite))
    return failure();
  FailureOr<Value> shift = n.create("kiln.select", {*finite, *max, *zero});
  if (failed(shift))
    return failure();
  FailureOr<Value> centered = n.create("kiln.sub", {x, *shift});
  FailureOr<Value> e = failed(centered) ? centered : n.create("kiln.exp", *centered);
  FailureOr<Value> sum =
      failed(e) ? e : reduceOp(n, "kiln.reduce_sum", *e, axes, keepdims);
  FailureOr<Value> log = failed(sum) ? sum : n.create("kiln.log", *sum);
  if (failed(log))
    return failure();
  Value offset = *shift;
  if (!keepdims) {
    FailureOr<Value> squeezed = n.reshape(
        offset, cast<RankedTensorType>(log->getType()).getShape());
    if (failed(squeezed))
      return failure();
    offset = *squeezed;
  }
  return n.create("kiln.add", {*log, offset});
}

/// ArgMax, or with `min` ArgMin: the first (or last) index of the largest of
/// an order-reversing map of x: -x for floats (NaN stays NaN, as ArgMin's
/// NaN-first rule wants), ~x = -1 - x for integers (no overflow; for uiN
/// (2^n - 1) - x).
LogicalResult importArgExtremum(NodeImporter &n, bool min) {
  AttributeReader &a = n.attrs();
  int64_t axisAttr = a.getInt("axis", 0);
  bool keepdims = a.getBool("keepdims", true);
  bool selectLast = n.opset() >= 12 && a.getBool("select_last_index", false);
  if (failed(n.checkArity(1, 1)) || failed(a.status()))
    return failure();
  FailureOr<int64_t> axis = n.normalizeAxis(axisAttr, n.inputType(0).getRank());
  if (failed(axis))
    return failure();
  Value x = n.input(0);
  if (min) {
    Type et = n.inputType(0).getElementType();
    if (et.isInteger(1))
      return n.error() << "bool inputs are not supported";
    FailureOr<Value> reversed = failure();
    if (isa<FloatType>(et)) {
      reversed = n.create("kiln.neg", x);
    } else {
      FailureOr<Value> allOnes =
          n.scalar(et, et.isUnsignedInteger()
                           ? std::ldexp(1.0, et.getIntOrFloatBitWidth()) - 1
                           : -1.0);
      if (failed(allOnes))
        return failure();
      reversed = n.create("kiln.sub", {*allOnes, x});
    }
    if (failed(reversed))
      return failure();
    x = *reversed;
  }
  FailureOr<Value> y = n.create(
      "kiln.argmax", x,
      {n.namedI64("axis", *axis), n.namedBool("keepdims", keepdims),
       n.namedBool("select_last_index", selectLast)});
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

/// CumSum: y[.., i, ..] = the sum of x[.., j, ..] over j <= i along `axis`
/// (j < i with exclusive, j >= i / j > i with reverse). A constant [L, L]
/// mask selects, for each i, the j to add: select(mask, x broadcast to
/// [.., L(i), L(j), ..], 0) summed over j. A select, not a product, so an
/// inf or NaN reaches only the sums that include it. O(L^2) work per line.
/// CumProd (`product`) is the same with 1 for the unselected and a product.
LogicalResult importCumulative(NodeImporter &n, bool product) {
  AttributeReader &a = n.attrs();
  bool exclusive = a.getBool("exclusive", false);
  bool reverse = a.getBool("reverse", false);
  if (failed(n.checkArity(2, 2)) || failed(a.status()))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (!type.hasStaticShape())
    return n.error() << "expects a static input, got " << type;
  FailureOr<SmallVector<int64_t>> axisValue = n.constantInts(1, "axis");
  if (failed(axisValue))
    return failure();
  if (axisValue->size() != 1)
    return n.error() << "input 'axis' must hold one value";
  FailureOr<int64_t> axis = n.normalizeAxis(axisValue->front(), type.getRank());
  if (failed(axis))
    return failure();
  int64_t length = type.getDimSize(*axis);
  if (length > 4096)
    return n.error() << "axis " << *axis << " has " << length
                     << " elements; Kiln's " << n.opType()
                     << " takes at most 4096";
  SmallVector<bool> mask;
  for (int64_t i = 0; i < length; ++i)
    for (int64_t j = 0; j < length; ++j)
      mask.push_back(reverse ? (exclusive ? j > i : j >= i)
                             : (exclusive ? j < i : j <= i));
  SmallVector<int64_t> maskShape(type.getRank() + 1, 1);
  maskShape[*axis] = length;
  maskShape[*axis + 1] = length;
  Value maskValue = n.constant(DenseElementsAttr::get(
      RankedTensorType::get(maskShape, n.b().getI1Type()), ArrayRef(mask)));
  SmallVector<int64_t> lineShape(type.getShape());
  lineShape.insert(lineShape.begin() + *axis, 1);
  OpChain c{n};
  Value x = c.reshape(n.input(0), lineShape);
  Value picked = c.op("kiln.select", {maskValue, x,
                                      c.scalar(type.getElementType(), product)});
  if (product)
    return c.output(0, c.op("kiln.reduce_prod", picked,
                            {n.namedI64s("axes", {*axis + 1}),
                             n.namedBool("keepdims", false)}));
  return c.output(0, c.sum(picked, {*axis + 1}, false));
}

} // namespace

void onnx_import::registerReductionOps(OpTable &t) {
  t.add("ArgMax", 1, [](NodeImporter &n) { return importArgExtremum(n, false); });
  t.add("ArgMin", 1, [](NodeImporter &n) { return importArgExtremum(n, true); });
  t.add("CumProd", 26, [](NodeImporter &n) { return importCumulative(n, true); });
  t.add("CumSum", 11, [](NodeImporter &n) { return importCumulative(n, false); });
  t.add("ReduceL1", 1, reduceSumOf("kiln.abs", ""));
  t.add("ReduceL2", 1, reduceSumOf("square", "kiln.sqrt"));
  t.add("ReduceLogSum", 1, reduceSumOf("", "kiln.log"));
  t.add("ReduceLogSumExp", 1, reduceWith(logSumExp, 18));
  t.add("ReduceSumSquare", 1, reduceSumOf("square", ""));
  t.add("ReduceMax", 1, reduce("kiln.reduce_max", 18));
  t.add("ReduceMean", 1, reduce("kiln.reduce_mean", 18));
  t.add("ReduceMin", 1, reduce("kiln.reduce_min", 18));
  t.add("ReduceProd", 1, reduce("kiln.reduce_prod", 18));
  t.add("ReduceSum", 1, reduce("kiln.reduce_sum", 13));
}
