//===- AttentionOps.cpp - ONNX Attention -> kiln
//---------------------------===//
//
// Attention (opsets 23 and 24, and 25's sliding window) composed of kiln ops
// as its function body computes it, each step in the inputs' type T:
//
//   Q, K, V     3-D [B, S, heads * D] are split into heads: [B, heads, S, D]
//   present     K and V after past_key / past_value along the sequence
//   bias        [.., q, kv]: attn_mask (bool: 0 / -inf; float: itself; its
//               last dim padded to kv with -inf / false), plus -inf where
//               is_causal, the window or nonpad_kv_seqlen disallow a key
//   qk          (Q * sqrt(scale)) @ (K^T * sqrt(scale)), then softcap *
//               tanh(qk / softcap) if softcap > 0
//   P           softmax(qk + bias) (in softmax_precision if given), zero in
//               a row whose bias is all -inf, back in T
//   Y           P @ V, back to [B, q, heads * Dv] for 3-D inputs
//
// Grouped-query attention (q_num_heads a multiple of kv_num_heads) does not
// repeat K and V: query head h reads KV head h / (q_num_heads / kv_num_heads),
// so Q is viewed as [B, kv_heads, group * q, D] and each matmul runs once per
// KV head. The causal, window and padding masks are constants when they only
// depend on shapes (is_causal alone, or with past_key), kiln ops on
// nonpad_kv_seqlen otherwise.
//
// FlexAttention (ai.onnx.preview, opset 1) is built the same way, with its
// score_mod and prob_mod subgraphs imported inline on the scores and the
// probabilities.
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

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

/// The node's attributes, as the opset defines them.
struct AttentionAttrs {
  bool causal = false;
  std::optional<int64_t> qHeads, kvHeads;
  int64_t mode = 0;
  std::optional<double> scale;
  double softcap = 0;
  std::optional<int64_t> softmaxPrecision;
  int64_t leftWindow = -1, rightWindow = -1;
};

AttentionAttrs readAttrs(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  AttentionAttrs r;
  r.causal = a.getBool("is_causal", false);
  r.qHeads = a.getOptionalInt("q_num_heads");
  r.kvHeads = a.getOptionalInt("kv_num_heads");
  r.mode = a.getInt("qk_matmul_output_mode", 0);
  r.scale = a.getOptionalFloat("scale");
  r.softcap = a.getFloat("softcap", 0.0);
  r.softmaxPrecision = a.getOptionalInt("softmax_precision");
  if (n.opset() >= 25) {
    r.leftWindow = a.getInt("left_window_size", -1);
    r.rightWindow = a.getInt("right_window_size", -1);
  }
  return r;
}

/// The node's shapes once Q, K and V are 4-D [B, heads, S, D].
struct AttentionShapes {
  int64_t batch, qHeads, kvHeads, qLen, kvLen, pastLen, headSize, vHeadSize;
};

/// `v` ([B, S, heads * D]) as [B, heads, S, D].
Value splitHeads(OpChain &c, Value v, int64_t heads) {
  auto type = cast<RankedTensorType>(v.getType());
  ArrayRef<int64_t> s = type.getShape();
  Value r = c.reshape(v, {s[0], s[1], heads, s[2] / heads});
  return c.op("kiln.transpose", r, {c.n.namedI64s("perm", {0, 2, 1, 3})});
}

/// Checks the inputs' ranks, types and shapes against each other and the
/// head counts; the 4-D views of Q, K and V on success.
FailureOr<AttentionShapes> checkShapes(NodeImporter &n,
                                       const AttentionAttrs &a) {
  RankedTensorType q = n.inputType(0), k = n.inputType(1), v = n.inputType(2);
  for (unsigned i = 0; i < 3; ++i)
    if (!n.inputType(i).hasStaticShape())
      return n.error() << "expects static shapes, got " << n.inputType(i)
                       << " for input " << i;
  int64_t rank = q.getRank();
  if ((rank != 3 && rank != 4) || k.getRank() != rank || v.getRank() != rank)
    return n.error() << "expects Q, K and V all 3-D or all 4-D, got " << q
                     << ", " << k << ", " << v;
  Type t = q.getElementType();
  if (!isa<FloatType>(t) || k.getElementType() != t)
    return n.error() << "expects Q and K of one float type, got " << q
                     << " and " << k;
  if (v.getElementType() != t)
    return n.error() << "V of type " << v.getElementType()
                     << " differs from Q's " << t << "; not supported";
  AttentionShapes s;
  s.batch = q.getDimSize(0);
  if (rank == 3) {
    if (!a.qHeads || !a.kvHeads || *a.qHeads < 1 || *a.kvHeads < 1)
      return n.error() << "3-D inputs need attributes 'q_num_heads' and "
                          "'kv_num_heads' (positive)";
    s.qHeads = *a.qHeads;
    s.kvHeads = *a.kvHeads;
    if (q.getDimSize(2) % s.qHeads || k.getDimSize(2) % s.kvHeads ||
        v.getDimSize(2) % s.kvHeads)
      return n.error() << "attribute 'q_num_heads' = " << s.qHeads
                       << " / 'kv_num_heads' = " << s.kvHeads
                       << " does not divide the hidden sizes of " << q << ", "
                       << k << ", " << v;
    s.qLen = q.getDimSize(1);
    s.kvLen = k.getDimSize(1);
    s.headSize = q.getDimSize(2) / s.qHeads;
    s.vHeadSize = v.getDimSize(2) / s.kvHeads;
    if (k.getDimSize(2) / s.kvHeads != s.headSize)
      return n.error() << "head size of K (" << k.getDimSize(2) / s.kvHeads
                       << ") differs from Q's (" << s.headSize << ")";
    if (v.getDimSize(1) != s.kvLen)
      return n.error() << "K and V differ in sequence length: " << k << ", "
                       << v;
  } else {
    if (n.opset() >= 25 && (a.qHeads || a.kvHeads))
      return n.error() << "attributes 'q_num_heads' and 'kv_num_heads' must "
                          "not be given for 4-D inputs";
    s.qHeads = q.getDimSize(1);
    s.kvHeads = k.getDimSize(1);
    if ((a.qHeads && *a.qHeads != s.qHeads) ||
        (a.kvHeads && *a.kvHeads != s.kvHeads))
      return n.error() << "attributes 'q_num_heads' / 'kv_num_heads' disagree "
                          "with the head dims of "
                       << q << " and " << k;
    s.qLen = q.getDimSize(2);
    s.kvLen = k.getDimSize(2);
    s.headSize = q.getDimSize(3);
    s.vHeadSize = v.getDimSize(3);
    if (k.getDimSize(3) != s.headSize)
      return n.error() << "head size of K differs from Q's: " << q << ", " << k;
    if (v.getDimSize(1) != s.kvHeads || v.getDimSize(2) != s.kvLen)
      return n.error() << "K and V differ in heads or sequence length: " << k
                       << ", " << v;
  }
  if (k.getDimSize(0) != s.batch || v.getDimSize(0) != s.batch)
    return n.error() << "Q, K and V differ in batch size: " << q << ", " << k
                     << ", " << v;
  if (s.qHeads % s.kvHeads)
    return n.error() << "the " << s.qHeads
                     << " query heads are not a multiple of the " << s.kvHeads
                     << " key/value heads";
  s.pastLen = 0;
  if (n.hasInput(4) != n.hasInput(5))
    return n.error()
           << "inputs 'past_key' and 'past_value' must be given together";
  if (n.hasInput(4)) {
    RankedTensorType pk = n.inputType(4), pv = n.inputType(5);
    if (!pk.hasStaticShape() || !pv.hasStaticShape() || pk.getRank() != 4 ||
        pv.getRank() != 4 || pk.getElementType() != t ||
        pv.getElementType() != t ||
        pk.getShape() != ArrayRef<int64_t>{s.batch, s.kvHeads, pk.getDimSize(2),
                                           s.headSize} ||
        pv.getShape() != ArrayRef<int64_t>{s.batch, s.kvHeads, pk.getDimSize(2),
                                           s.vHeadSize})
      return n.error() << "expects 'past_key' [" << s.batch << ", " << s.kvHeads
                       << ", P, " << s.headSize << "] and 'past_value' ["
                       << s.batch << ", " << s.kvHeads << ", P, " << s.vHeadSize
                       << "] of " << t << ", got " << pk << " and " << pv;
    s.pastLen = pk.getDimSize(2);
  }
  if (n.hasInput(6)) {
    if (n.hasInput(4))
      return n.error() << "input 'nonpad_kv_seqlen' cannot be combined with "
                          "'past_key' and 'past_value'";
    RankedTensorType lens = n.inputType(6);
    if (lens.getShape() != ArrayRef<int64_t>{s.batch} ||
        !lens.getElementType().isInteger(64))
      return n.error() << "expects 'nonpad_kv_seqlen' of int64[" << s.batch
                       << "], got " << lens;
  }
  return s;
}

/// A 0 / -inf tensor of type `t` from a bool one: where(allowed, 0, -inf).
Value additive(OpChain &c, Value allowed, Type t) {
  return c.op("kiln.select", {allowed, c.scalar(t, 0), c.scalar(t, kNegInf)});
}

/// An int64 constant of `shape` holding `value(i, j)` over its last two dims
/// ([q, kv] or [1, kv]).
Value indexConstant(NodeImporter &n, int64_t rows, int64_t cols,
                    function_ref<int64_t(int64_t, int64_t)> value) {
  SmallVector<int64_t> data;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      data.push_back(value(i, j));
  return n.constant(DenseElementsAttr::get(
      RankedTensorType::get({rows, cols}, n.b().getI64Type()), ArrayRef(data)));
}

/// The additive bias of T, or null when nothing masks: attn_mask, then the
/// causal mask, the sliding window and the key padding, each 0 where a key
/// may be attended and -inf where not. Their sum broadcasts against
/// [B, heads, q, kv].
Value buildBias(OpChain &c, const AttentionAttrs &a, const AttentionShapes &s,
                Type t) {
  NodeImporter &n = c.n;
  int64_t kv = s.pastLen + s.kvLen;
  SmallVector<Value> parts;
  if (n.hasInput(3)) {
    Value mask = n.input(3);
    RankedTensorType type = n.inputType(3);
    bool isBool = type.getElementType().isInteger(1);
    int64_t last = type.getRank() ? type.getDimSize(type.getRank() - 1) : 0;
    if (type.getRank() < 1 || !type.hasStaticShape() || last > kv) {
      n.error() << "expects 'attn_mask' of static shape [..., " << kv
                << "] (its last dim at most the " << kv << " keys), got "
                << type;
      c.ok = false;
      return {};
    }
    if (last < kv) {
      // Keys past the mask are masked out.
      SmallVector<int64_t> pads(2 * type.getRank(), 0);
      pads.back() = kv - last;
      mask = c.op("kiln.pad", mask,
                  {n.namedI64s("pads", pads),
                   n.b().getNamedAttr(
                       "mode", n.b().getI32IntegerAttr(
                                   static_cast<int32_t>(PadMode::constant))),
                   n.namedF64("value", isBool ? 0.0 : kNegInf)});
    }
    parts.push_back(isBool ? additive(c, mask, t) : c.cast(mask, t));
  }
  // Query i (absolute position offset + i) against key j: the offset is the
  // past length, or per batch nonpad_kv_seqlen - q with an external cache.
  Value jMinusI =
      indexConstant(n, s.qLen, kv, [](int64_t i, int64_t j) { return j - i; });
  Type i64 = n.b().getI64Type();
  Value offset = c.scalar(i64, static_cast<double>(s.pastLen));
  Value lens;
  if (n.hasInput(6)) {
    lens = c.reshape(n.input(6), {s.batch, 1, 1, 1});
    offset =
        c.op("kiln.sub", {lens, c.scalar(i64, static_cast<double>(s.qLen))});
  }
  auto allowed = [&](ComparePredicate p, Value bound) {
    return additive(c, c.compare(static_cast<uint32_t>(p), jMinusI, bound), t);
  };
  if (a.causal) // j <= i + offset
    parts.push_back(allowed(ComparePredicate::le, offset));
  if (a.leftWindow >= 0) // (offset + i) - j <= left
    parts.push_back(allowed(
        ComparePredicate::ge,
        c.op("kiln.sub",
             {offset, c.scalar(i64, static_cast<double>(a.leftWindow))})));
  if (a.rightWindow >= 0) // j - (offset + i) <= right
    parts.push_back(allowed(
        ComparePredicate::le,
        c.op("kiln.add",
             {offset, c.scalar(i64, static_cast<double>(a.rightWindow))})));
  if (lens) { // j < nonpad_kv_seqlen[b]
    Value j = indexConstant(n, 1, kv, [](int64_t, int64_t j) { return j; });
    parts.push_back(additive(
        c, c.compare(static_cast<uint32_t>(ComparePredicate::lt), j, lens), t));
  }
  Value bias;
  for (Value p : parts)
    bias = bias ? c.op("kiln.add", {bias, p}) : p;
  return bias;
}

LogicalResult importAttention(NodeImporter &n) {
  AttentionAttrs a = readAttrs(n);
  if (failed(n.checkArity(3, n.opset() >= 24 ? 7 : 6, 1, 4)) ||
      failed(n.attrs().status()))
    return failure();
  if (a.mode < 0 || a.mode > 3)
    return n.error() << "attribute 'qk_matmul_output_mode' = " << a.mode
                     << " is not one of 0, 1, 2, 3";
  if (a.leftWindow < -1 || a.rightWindow < -1)
    return n.error() << "attributes 'left_window_size' and 'right_window_size' "
                        "must be -1 or nonnegative";
  Type softmaxType;
  if (a.softmaxPrecision) {
    int32_t code = static_cast<int32_t>(*a.softmaxPrecision);
    softmaxType = code == 1 || code == 10 || code == 11 || code == 16
                      ? elementTypeFor(n.context(), code)
                      : Type();
    if (!softmaxType)
      return n.error() << "attribute 'softmax_precision' = "
                       << *a.softmaxPrecision
                       << " is not a float type (1, 10, 11 or 16)";
  }
  FailureOr<AttentionShapes> shapes = checkShapes(n, a);
  if (failed(shapes))
    return failure();
  const AttentionShapes &s = *shapes;
  Type t = n.inputType(0).getElementType();
  bool is3D = n.inputType(0).getRank() == 3;
  OpChain c{n};

  Value q = n.input(0), k = n.input(1), v = n.input(2);
  if (is3D) {
    q = splitHeads(c, q, s.qHeads);
    k = splitHeads(c, k, s.kvHeads);
    v = splitHeads(c, v, s.kvHeads);
  }
  if (n.hasInput(4)) {
    auto axis2 = n.namedI64("axis", 2);
    k = c.op("kiln.concat", {n.input(4), k}, {axis2});
    v = c.op("kiln.concat", {n.input(5), v}, {axis2});
  }
  int64_t kv = s.pastLen + s.kvLen;
  int64_t group = s.qHeads / s.kvHeads;

  // Q and K^T each scaled by sqrt(scale), rounded to T (as the reference
  // computes it, from the double).
  double scale = a.scale ? *a.scale : 1.0 / std::sqrt(double(s.headSize));
  Value sqrtScale = c.scalar(t, std::sqrt(scale));
  Value qs = c.op("kiln.mul", {q, sqrtScale});
  Value kt = c.op("kiln.transpose", k, {n.namedI64s("perm", {0, 1, 3, 2})});
  Value ks = c.op("kiln.mul", {kt, sqrtScale});
  // Grouped heads: query head h = g * group + r reads KV head g.
  Value qk = c.reshape(
      c.op("kiln.matmul",
           {c.reshape(qs, {s.batch, s.kvHeads, group * s.qLen, s.headSize}),
            ks}),
      {s.batch, s.qHeads, s.qLen, kv});
  Value raw = qk;
  if (a.softcap > 0) {
    Value cap = c.scalar(t, a.softcap);
    qk =
        c.op("kiln.mul", {c.op("kiln.tanh", c.op("kiln.div", {qk, cap})), cap});
  }
  Value softcapped = qk;
  Value bias = buildBias(c, a, s, t);
  if (bias)
    qk = c.op("kiln.add", {qk, bias});

  Value p = softmaxType ? c.cast(qk, softmaxType) : qk;
  p = c.op("kiln.softmax", p, {n.namedI64("axis", 3)});
  if (bias) {
    // A row whose keys are all masked attends to nothing: zero, not NaN.
    int64_t last = cast<RankedTensorType>(bias.getType()).getRank() - 1;
    Value rowMax =
        c.op("kiln.reduce_max", bias,
             {n.namedI64s("axes", {last}), n.namedBool("keepdims", true)});
    Type pt = softmaxType ? softmaxType : t;
    Value none = c.compare(static_cast<uint32_t>(ComparePredicate::eq), rowMax,
                           c.scalar(t, kNegInf));
    p = c.op("kiln.select", {none, c.scalar(pt, 0), p});
  }
  p = c.cast(p, t);

  Value y = c.reshape(
      c.op("kiln.matmul",
           {c.reshape(p, {s.batch, s.kvHeads, group * s.qLen, kv}), v}),
      {s.batch, s.qHeads, s.qLen, s.vHeadSize});
  if (is3D)
    y = c.reshape(
        c.op("kiln.transpose", y, {n.namedI64s("perm", {0, 2, 1, 3})}),
        {s.batch, s.qLen, s.qHeads * s.vHeadSize});
  if (failed(c.output(0, y)))
    return failure();
  if (n.numOutputs() > 1)
    n.setOutput(1, k);
  if (n.numOutputs() > 2)
    n.setOutput(2, v);
  if (n.numOutputs() > 3) {
    // 0: the matmul, 1: after softcap, 2: plus the bias, 3: the softmax.
    Value outs[] = {raw, softcapped, qk, p};
    return c.output(3, outs[a.mode]);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// FlexAttention (ai.onnx.preview, opset 1)
//===----------------------------------------------------------------------===//

/// The result of score_mod or prob_mod (`graph`, imported inline on `x`),
/// which must have x's type; null after reporting an error.
Value applyModifier(OpChain &c, const onnx::GraphProto *graph, StringRef what,
                    Value x) {
  if (!graph || !c.ok || !x)
    return x;
  FailureOr<SmallVector<Value>> outs = c.n.importSubgraph(*graph, x);
  if (failed(outs)) {
    c.ok = false;
    return {};
  }
  if (outs->size() != 1 || (*outs)[0].getType() != x.getType()) {
    InFlightDiagnostic diag = c.n.error()
                              << "attribute '" << what
                              << "' must compute one tensor of its input's type "
                              << x.getType() << ", got ";
    llvm::interleaveComma(*outs, diag,
                          [&](Value v) { diag << v.getType(); });
    c.ok = false;
    return {};
  }
  return (*outs)[0];
}

/// FlexAttention as its function body computes it: Q and K scaled by
/// sqrt(scale) (computed in float32, then rounded to T), Q K^T in T, then
/// in the softmax precision P (softmax_precision, else float32, or float64
/// for float64 inputs): score_mod, softmax, prob_mod, the product with V,
/// back in T. Grouped heads read their KV head as Attention's do.
LogicalResult importFlexAttention(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  std::optional<double> scaleAttr = a.getOptionalFloat("scale");
  std::optional<int64_t> precision = a.getOptionalInt("softmax_precision");
  const onnx::GraphProto *scoreMod = a.getGraph("score_mod");
  const onnx::GraphProto *probMod = a.getGraph("prob_mod");
  if (failed(n.checkArity(3, 3)) || failed(a.status()))
    return failure();
  RankedTensorType q = n.inputType(0), k = n.inputType(1), v = n.inputType(2);
  Type t = q.getElementType();
  if (!isa<FloatType>(t) || k.getElementType() != t ||
      v.getElementType() != t)
    return n.error() << "expects Q, K and V of one float type, got " << q
                     << ", " << k << ", " << v;
  for (RankedTensorType type : {q, k, v})
    if (!type.hasStaticShape() || type.getRank() != 4)
      return n.error() << "expects Q, K and V of static 4-D shapes, got " << q
                       << ", " << k << ", " << v;
  int64_t batch = q.getDimSize(0), qHeads = q.getDimSize(1),
          qLen = q.getDimSize(2), headSize = q.getDimSize(3);
  int64_t kvHeads = k.getDimSize(1), kvLen = k.getDimSize(2),
          vHeadSize = v.getDimSize(3);
  if (k.getShape() != ArrayRef<int64_t>{batch, kvHeads, kvLen, headSize} ||
      v.getShape() != ArrayRef<int64_t>{batch, kvHeads, kvLen, vHeadSize})
    return n.error() << "expects K [" << batch << ", H, S, " << headSize
                     << "] and V [" << batch << ", H, S, E] for Q " << q
                     << ", got " << k << " and " << v;
  if (kvHeads < 1 || qHeads % kvHeads)
    return n.error() << "the " << qHeads
                     << " query heads are not a multiple of the " << kvHeads
                     << " key/value heads";
  Type p = t.isF64() ? t : n.b().getF32Type();
  if (precision) {
    int32_t code = static_cast<int32_t>(*precision);
    p = code == 1 || code == 10 || code == 11 || code == 16
            ? elementTypeFor(n.context(), code)
            : Type();
    if (!p)
      return n.error() << "attribute 'softmax_precision' = " << *precision
                       << " is not a float type (1, 10, 11 or 16)";
  }
  // The body scales Q and K by sqrt(scale): a negative scale has none.
  if (scaleAttr && !(*scaleAttr >= 0))
    return n.error() << "attribute 'scale' = " << *scaleAttr
                     << " is not supported: the operator scales Q and K by "
                        "its square root";
  float scale = scaleAttr ? static_cast<float>(*scaleAttr)
                          : 1.0f / std::sqrt(static_cast<float>(headSize));
  int64_t group = qHeads / kvHeads;
  OpChain c{n};

  Value sqrtScale = c.scalar(t, std::sqrt(scale));
  Value qs = c.reshape(c.op("kiln.mul", {n.input(0), sqrtScale}),
                       {batch, kvHeads, group * qLen, headSize});
  Value kt = c.op("kiln.transpose", c.op("kiln.mul", {n.input(1), sqrtScale}),
                  {n.namedI64s("perm", {0, 1, 3, 2})});
  Value scores = c.reshape(c.op("kiln.matmul", {qs, kt}),
                           {batch, qHeads, qLen, kvLen});
  scores = applyModifier(c, scoreMod, "score_mod", c.cast(scores, p));
  Value probs = c.op("kiln.softmax", scores, {n.namedI64("axis", 3)});
  probs = applyModifier(c, probMod, "prob_mod", probs);
  Value y = c.op("kiln.matmul",
                 {c.reshape(probs, {batch, kvHeads, group * qLen, kvLen}),
                  c.cast(n.input(2), p)});
  y = c.reshape(y, {batch, qHeads, qLen, vHeadSize});
  return c.output(0, c.cast(y, t));
}

} // namespace

void onnx_import::registerAttentionOps(OpTable &t) {
  t.add("Attention", 23, importAttention);
  t.add("FlexAttention", 1, importFlexAttention, kPreviewDomain);
}
