//===- RotaryEmbeddingOps.cpp - ONNX RotaryEmbedding -> kiln --------------===//
//
// RotaryEmbedding (opset 23) composed of kiln ops as its function body
// computes it, in the input's type T, without moving X:
//
//   X           4-D [B, heads, S, D], or 3-D [B, S, heads * D] viewed as
//               [B, S, heads, D] (num_heads)
//   cos, sin    cos_cache[position_ids] ([B, S, C] from a [P, C] cache), or
//               the [B, S, C] caches themselves without position_ids; their
//               first R / 2 columns, broadcast over the heads
//   x1, x2      the first R elements of each head (R = rotary_embedding_dim,
//               else D): halves x[:R/2], x[R/2:R], or with interleaved the
//               even and odd elements x[0:R:2], x[1:R:2]
//   Y           cos * x1 - sin * x2 and sin * x1 + cos * x2, concatenated
//               (interleaved: pairwise), then the D - R elements not rotated
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// kiln.slice of the last dim of `v`: [start, end) by `step`.
Value sliceLast(OpChain &c, Value v, int64_t start, int64_t end,
                int64_t step = 1) {
  if (!c.ok || !v)
    return {};
  auto type = cast<RankedTensorType>(v.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> starts(rank, 0), ends(type.getShape()), steps(rank, 1);
  starts.back() = start;
  ends.back() = end;
  steps.back() = step;
  return c.op("kiln.slice", v,
              {c.n.namedI64s("starts", starts), c.n.namedI64s("ends", ends),
               c.n.namedI64s("steps", steps)});
}

/// The node's shapes: X viewed as [B, S, heads, D] (`headsFirst` when X is
/// 4-D [B, heads, S, D]) and the rotated length R.
struct RotaryShapes {
  int64_t batch, seq, heads, headSize, rotary;
  bool headsFirst;
};

FailureOr<RotaryShapes> checkShapes(NodeImporter &n,
                                    std::optional<int64_t> numHeads,
                                    int64_t rotaryDim) {
  RankedTensorType x = n.inputType(0);
  if (!x.hasStaticShape() || (x.getRank() != 3 && x.getRank() != 4))
    return n.error() << "expects X of static shape [B, heads, S, D] or "
                        "[B, S, hidden], got "
                     << x;
  if (!isa<FloatType>(x.getElementType()))
    return n.error() << "expects a floating-point X, got " << x;
  RotaryShapes s;
  s.batch = x.getDimSize(0);
  s.headsFirst = x.getRank() == 4;
  if (s.headsFirst) {
    s.heads = x.getDimSize(1);
    s.seq = x.getDimSize(2);
    s.headSize = x.getDimSize(3);
    if (numHeads && *numHeads != s.heads)
      return n.error() << "attribute 'num_heads' = " << *numHeads
                       << " disagrees with the " << s.heads
                       << " heads of X " << x;
  } else {
    if (!numHeads || *numHeads < 1)
      return n.error() << "a 3-D X needs attribute 'num_heads' (positive)";
    s.heads = *numHeads;
    s.seq = x.getDimSize(1);
    if (x.getDimSize(2) % s.heads)
      return n.error() << "attribute 'num_heads' = " << s.heads
                       << " does not divide the hidden size of X " << x;
    s.headSize = x.getDimSize(2) / s.heads;
  }
  if (!rotaryDim && s.headSize % 2)
    return n.error() << "the head size " << s.headSize << " of X " << x
                     << " must be even";
  s.rotary = rotaryDim ? rotaryDim : s.headSize;
  if (s.rotary < 0 || s.rotary > s.headSize || s.rotary % 2)
    return n.error() << "attribute 'rotary_embedding_dim' = " << s.rotary
                     << " must be even and at most the head size "
                     << s.headSize;
  return s;
}

/// cos_cache or sin_cache (input `i`) as [B, S, R / 2], gathered by
/// position_ids if given; null after reporting an error.
Value cacheRows(OpChain &c, unsigned i, StringRef what,
                const RotaryShapes &s) {
  NodeImporter &n = c.n;
  RankedTensorType type = n.inputType(i);
  Type t = n.inputType(0).getElementType();
  int64_t half = s.rotary / 2;
  bool gathered = n.hasInput(3);
  int64_t rank = gathered ? 2 : 3;
  int64_t columns = type.getRank() == rank ? type.getDimSize(rank - 1) : 0;
  bool ok = type.hasStaticShape() && type.getRank() == rank &&
            type.getElementType() == t && columns >= half &&
            (gathered || (type.getDimSize(0) == s.batch &&
                          type.getDimSize(1) == s.seq));
  if (!ok) {
    InFlightDiagnostic diag = n.error() << "expects '" << what << "' of " << t;
    if (gathered)
      diag << " [P, " << half << "]";
    else
      diag << " [" << s.batch << ", " << s.seq << ", " << half << "]";
    diag << " (R / 2 = " << half << " columns";
    diag << (gathered ? ", with 'position_ids'" : ", without 'position_ids'")
         << "), got " << type;
    c.ok = false;
    return {};
  }
  Value rows = n.input(i);
  if (gathered)
    rows = c.op("kiln.gather", {rows, n.input(3)}, {n.namedI64("axis", 0)});
  // The function body takes the first R / 2 columns.
  if (columns != half)
    rows = sliceLast(c, rows, 0, half);
  // Broadcast over the heads: [B, 1, S, R/2] or [B, S, 1, R/2].
  return s.headsFirst ? c.reshape(rows, {s.batch, 1, s.seq, half})
                      : c.reshape(rows, {s.batch, s.seq, 1, half});
}

LogicalResult importRotaryEmbedding(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  std::optional<int64_t> numHeads = a.getOptionalInt("num_heads");
  int64_t rotaryDim = a.getInt("rotary_embedding_dim", 0);
  bool interleaved = a.getBool("interleaved", false);
  if (failed(n.checkArity(3, 4)) || failed(a.status()))
    return failure();
  FailureOr<RotaryShapes> shapes = checkShapes(n, numHeads, rotaryDim);
  if (failed(shapes))
    return failure();
  const RotaryShapes &s = *shapes;
  if (n.hasInput(3)) {
    RankedTensorType ids = n.inputType(3);
    if (ids.getShape() != ArrayRef<int64_t>{s.batch, s.seq} ||
        !ids.getElementType().isInteger(64))
      return n.error() << "expects 'position_ids' of int64[" << s.batch << ", "
                       << s.seq << "], got " << ids;
  }
  OpChain c{n};
  Value cos = cacheRows(c, 1, "cos_cache", s);
  Value sin = cacheRows(c, 2, "sin_cache", s);
  if (!c.ok)
    return failure();

  Value x = n.input(0);
  if (!s.headsFirst)
    x = c.reshape(x, {s.batch, s.seq, s.heads, s.headSize});
  int64_t half = s.rotary / 2;
  Value x1 = interleaved ? sliceLast(c, x, 0, s.rotary, 2)
                         : sliceLast(c, x, 0, half);
  Value x2 = interleaved ? sliceLast(c, x, 1, s.rotary, 2)
                         : sliceLast(c, x, half, s.rotary);
  Value real = c.op("kiln.sub", {c.op("kiln.mul", {cos, x1}),
                                 c.op("kiln.mul", {sin, x2})});
  Value imag = c.op("kiln.add", {c.op("kiln.mul", {sin, x1}),
                                 c.op("kiln.mul", {cos, x2})});
  Value rotated;
  if (interleaved) {
    // [..., R/2, 2] pairs (real, imag), flattened back to [..., R].
    SmallVector<int64_t> pairs(
        cast<RankedTensorType>(x.getType()).getShape().drop_back());
    SmallVector<int64_t> flat = pairs;
    pairs.append({half, 1});
    flat.push_back(s.rotary);
    Value both = c.op("kiln.concat", {c.reshape(real, pairs),
                                      c.reshape(imag, pairs)},
                      {n.namedI64("axis", 4)});
    rotated = c.reshape(both, flat);
  } else {
    rotated = c.op("kiln.concat", {real, imag}, {n.namedI64("axis", 3)});
  }
  Value y = rotated;
  if (s.rotary < s.headSize)
    y = c.op("kiln.concat", {rotated, sliceLast(c, x, s.rotary, s.headSize)},
             {n.namedI64("axis", 3)});
  if (!s.headsFirst)
    y = c.reshape(y, n.inputType(0).getShape());
  return c.output(0, y);
}

} // namespace

void onnx_import::registerRotaryEmbeddingOps(OpTable &t) {
  t.add("RotaryEmbedding", 23, importRotaryEmbedding);
}
