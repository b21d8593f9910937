//===- LinearAttentionOps.cpp - ONNX LinearAttention -> kiln --------------===//
//
// LinearAttention (opset 27) unrolled at import over its static sequence
// length T, as its function body (a Scan over the tokens) computes it: in
// float32 whatever the inputs' type, with the recurrent state
// S [B, kv_heads, d_k, d_v] starting at past_state (zeros without it). For
// token t, with k, v, q the token's rows of each head:
//
//   gated, gated_delta   S = exp(decay_t) * S   (per key dim or per head)
//   delta, gated_delta   v = beta_t * (v - S^T k)
//   every rule           S = S + k (outer) v
//                        o_t = scale * q^T S    (query head h reads KV head
//                                                h / (q_heads / kv_heads))
//
// Grouped query heads do not repeat S: the queries of one KV head are viewed
// as [B, kv_heads, group, d_k] and read S in one matmul. The outputs of all
// tokens are concatenated, scaled once and cast back to the query's type;
// present_state is S in past_state's type (the query's without it).
// chunk_size is a tuning hint for chunked kernels and changes nothing. As
// for RNN, Loop and Scan, at most 4096 tokens are unrolled.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

constexpr int64_t kMaxTokens = 4096;

enum class UpdateRule { Linear, Gated, Delta, GatedDelta };

/// The node's sizes: batch, tokens, heads and head sizes, and the last dims
/// of decay (kvHeads or kvHeads * dk) and beta (kvHeads or 1), 0 if absent.
struct LinearShapes {
  int64_t batch, tokens, qHeads, kvHeads, dk, dv, decayLast = 0, betaLast = 0;
};

FailureOr<LinearShapes> checkShapes(NodeImporter &n, int64_t qHeads,
                                    int64_t kvHeads, UpdateRule rule) {
  RankedTensorType q = n.inputType(0), k = n.inputType(1), v = n.inputType(2);
  for (unsigned i = 0; i < 3; ++i)
    if (!n.inputType(i).hasStaticShape() || n.inputType(i).getRank() != 3 ||
        !isa<FloatType>(n.inputType(i).getElementType()))
      return n.error() << "expects 'query', 'key' and 'value' of a float type "
                          "and static shape [B, T, heads * D], got "
                       << n.inputType(i) << " for input " << i;
  Type t = q.getElementType();
  if (k.getElementType() != t || v.getElementType() != t)
    return n.error() << "expects 'query', 'key' and 'value' of one type, got "
                     << q << ", " << k << ", " << v;
  if (qHeads < 1 || kvHeads < 1 || qHeads % kvHeads)
    return n.error() << "attribute 'q_num_heads' = " << qHeads
                     << " must be a positive multiple of 'kv_num_heads' = "
                     << kvHeads;
  LinearShapes s;
  s.batch = q.getDimSize(0);
  s.tokens = q.getDimSize(1);
  s.qHeads = qHeads;
  s.kvHeads = kvHeads;
  if (q.getDimSize(2) % qHeads || v.getDimSize(2) % kvHeads)
    return n.error() << "attributes 'q_num_heads' = " << qHeads
                     << " and 'kv_num_heads' = " << kvHeads
                     << " do not divide the hidden sizes of " << q << " and "
                     << v;
  s.dk = q.getDimSize(2) / qHeads;
  s.dv = v.getDimSize(2) / kvHeads;
  auto leading = [&](RankedTensorType type) {
    return type.getDimSize(0) == s.batch && type.getDimSize(1) == s.tokens;
  };
  if (!leading(k) || !leading(v) || k.getDimSize(2) != kvHeads * s.dk)
    return n.error() << "expects 'key' [" << s.batch << ", " << s.tokens
                     << ", " << kvHeads * s.dk << "] and 'value' [" << s.batch
                     << ", " << s.tokens << ", " << kvHeads << " * d_v] for "
                     << "'query' " << q << ", got " << k << " and " << v;
  if (s.tokens > kMaxTokens)
    return n.error() << "sequence length " << s.tokens << " is above the "
                     << kMaxTokens << " tokens Kiln unrolls";
  bool gated = rule == UpdateRule::Gated || rule == UpdateRule::GatedDelta;
  bool delta = rule == UpdateRule::Delta || rule == UpdateRule::GatedDelta;
  if (gated != n.hasInput(4))
    return n.error() << "input 'decay' is "
                     << (gated ? "required" : "not allowed")
                     << " with attribute 'update_rule' of this value";
  if (delta != n.hasInput(5))
    return n.error() << "input 'beta' is "
                     << (delta ? "required" : "not allowed")
                     << " with attribute 'update_rule' of this value";
  if (gated) {
    RankedTensorType d = n.inputType(4);
    s.decayLast = d.getRank() == 3 ? d.getDimSize(2) : 0;
    if (!d.hasStaticShape() || d.getRank() != 3 || !leading(d) ||
        d.getElementType() != t ||
        (s.decayLast != kvHeads && s.decayLast != kvHeads * s.dk))
      return n.error() << "expects 'decay' of " << t << " [" << s.batch
                       << ", " << s.tokens << ", " << kvHeads << "] or ["
                       << s.batch << ", " << s.tokens << ", "
                       << kvHeads * s.dk << "], got " << d;
  }
  if (delta) {
    RankedTensorType b = n.inputType(5);
    s.betaLast = b.getRank() == 3 ? b.getDimSize(2) : 0;
    if (!b.hasStaticShape() || b.getRank() != 3 || !leading(b) ||
        b.getElementType() != t || (s.betaLast != kvHeads && s.betaLast != 1))
      return n.error() << "expects 'beta' of " << t << " [" << s.batch << ", "
                       << s.tokens << ", " << kvHeads << "] or [" << s.batch
                       << ", " << s.tokens << ", 1], got " << b;
  }
  if (n.hasInput(3)) {
    RankedTensorType p = n.inputType(3);
    if (!isa<FloatType>(p.getElementType()) ||
        p.getShape() !=
            ArrayRef<int64_t>{s.batch, kvHeads, s.dk, s.dv})
      return n.error() << "expects 'past_state' of a float type ["
                       << s.batch << ", " << kvHeads << ", " << s.dk << ", "
                       << s.dv << "], got " << p;
  }
  return s;
}

/// Input `i` in float32, cut into its T tokens: each [B, 1, heads, D]
/// reshaped to `tokenShape`.
SmallVector<Value> tokens(OpChain &c, unsigned i, const LinearShapes &s,
                          int64_t heads, ArrayRef<int64_t> tokenShape,
                          bool exp = false) {
  NodeImporter &n = c.n;
  Value v = c.cast(n.input(i), n.b().getF32Type());
  if (exp)
    v = c.op("kiln.exp", v);
  int64_t last = cast<RankedTensorType>(n.input(i).getType()).getDimSize(2);
  v = c.reshape(v, {s.batch, s.tokens, heads, last / heads});
  SmallVector<Value> out;
  if (!c.ok)
    return out;
  FailureOr<SmallVector<Value>> parts =
      n.createN("kiln.split", v,
                {n.namedI64("axis", 1),
                 n.namedI64s("sizes", SmallVector<int64_t>(s.tokens, 1))},
                static_cast<unsigned>(s.tokens));
  if (failed(parts)) {
    c.ok = false;
    return out;
  }
  for (Value part : *parts)
    out.push_back(c.reshape(part, tokenShape));
  return out;
}

LogicalResult importLinearAttention(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  std::optional<int64_t> qHeads = a.getOptionalInt("q_num_heads");
  std::optional<int64_t> kvHeads = a.getOptionalInt("kv_num_heads");
  double scaleAttr = a.getFloat("scale", 0.0);
  auto rule = static_cast<UpdateRule>(a.getChoice(
      "update_rule", "gated_delta", {"linear", "gated", "delta", "gated_delta"}));
  a.accept("chunk_size"); // a tuning hint: the output is the same
  if (failed(n.checkArity(3, 6, 1, 2)) || failed(a.status()))
    return failure();
  if (!qHeads || !kvHeads)
    return n.error() << "attributes 'q_num_heads' and 'kv_num_heads' are "
                        "required";
  FailureOr<LinearShapes> shapes = checkShapes(n, *qHeads, *kvHeads, rule);
  if (failed(shapes))
    return failure();
  const LinearShapes &s = *shapes;
  int64_t group = s.qHeads / s.kvHeads;
  Type f32 = n.b().getF32Type();
  OpChain c{n};

  // Per token: k as a column [B, Hkv, dk, 1] and as a row [B, Hkv, 1, dk],
  // v as a row [B, Hkv, 1, dv], the queries of each KV head [B, Hkv, G, dk].
  SmallVector<Value> ks =
      tokens(c, 1, s, s.kvHeads, {s.batch, s.kvHeads, s.dk, 1});
  SmallVector<Value> vs =
      tokens(c, 2, s, s.kvHeads, {s.batch, s.kvHeads, 1, s.dv});
  SmallVector<Value> qs =
      tokens(c, 0, s, s.qHeads, {s.batch, s.kvHeads, group, s.dk});
  // exp(decay) per key dim [B, Hkv, dk, 1] or per head [B, Hkv, 1, 1]; beta
  // per head or shared [B, Hkv or 1, 1, 1].
  SmallVector<Value> decays, betas;
  if (s.decayLast)
    decays = tokens(c, 4, s, s.kvHeads,
                    {s.batch, s.kvHeads, s.decayLast / s.kvHeads, 1},
                    /*exp=*/true);
  if (s.betaLast)
    betas = tokens(c, 5, s, s.betaLast, {s.batch, s.betaLast, 1, 1});
  if (!c.ok)
    return failure();

  Value state =
      n.hasInput(3)
          ? c.cast(n.input(3), f32)
          : n.constant(DenseElementsAttr::get(
                RankedTensorType::get({s.batch, s.kvHeads, s.dk, s.dv}, f32),
                0.0f));
  SmallVector<Value> outs;
  for (int64_t t = 0; t < s.tokens; ++t) {
    if (s.decayLast)
      state = c.op("kiln.mul", {state, decays[t]});
    Value v = vs[t];
    if (s.betaLast) {
      Value kRow = c.reshape(ks[t], {s.batch, s.kvHeads, 1, s.dk});
      v = c.op("kiln.sub", {v, c.op("kiln.matmul", {kRow, state})});
      v = c.op("kiln.mul", {betas[t], v});
    }
    state = c.op("kiln.add", {state, c.op("kiln.mul", {ks[t], v})});
    // [B, Hkv, G, dk] x [B, Hkv, dk, dv] -> [B, 1, Hq * dv].
    outs.push_back(c.reshape(c.op("kiln.matmul", {qs[t], state}),
                             {s.batch, 1, s.qHeads * s.dv}));
  }
  Value y = outs.size() == 1
                ? outs.front()
                : c.op("kiln.concat", outs, {n.namedI64("axis", 1)});
  // The function body's scale: 1 / sqrt(d_k) computed in float32.
  float scale = scaleAttr != 0.0
                    ? static_cast<float>(scaleAttr)
                    : 1.0f / std::sqrt(static_cast<float>(s.dk));
  y = c.op("kiln.mul", {c.scalar(f32, scale), y});
  if (failed(c.output(0, c.cast(y, n.inputType(0).getElementType()))))
    return failure();
  if (n.numOutputs() < 2)
    return success();
  Type stateType = n.hasInput(3) ? n.inputType(3).getElementType()
                                 : n.inputType(0).getElementType();
  return c.output(1, c.cast(state, stateType));
}

} // namespace

void onnx_import::registerLinearAttentionOps(OpTable &t) {
  t.add("LinearAttention", 27, importLinearAttention);
}
