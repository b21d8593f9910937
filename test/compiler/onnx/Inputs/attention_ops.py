"""Models, inputs and NumPy references for attention-ops.test: ONNX Attention (opsets 23, 24 and
25) with 3-D and 4-D inputs, grouped heads, bool and float masks shorter than the keys, is_causal
with and without a cache, past_key/past_value with the present outputs, scale, softcap, every
qk_matmul_output_mode, softmax_precision, nonpad_kv_seqlen, the sliding window and a fully masked
row. The reference is written from the operator text, one query/key pair at a time for the masks,
in float64 (neither onnxruntime 1.20 nor onnx 1.17's reference runtime has Attention).
Writes NAME.onnx, NAME_INPUT.npy / NAME_OUTPUT.npy and NAME.args into argv[1] (read by
run_composite_ops.py) and prints how many cases it wrote."""
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as TP, helper

out = sys.argv[1]
rng = np.random.default_rng(29)
INPUTS = ["Q", "K", "V", "attn_mask", "past_key", "past_value", "nonpad_kv_seqlen"]
OUTPUTS = ["Y", "present_key", "present_value", "qk_matmul_output"]
CODES = {np.float32: TP.FLOAT, np.float64: TP.DOUBLE, np.bool_: TP.BOOL, np.int64: TP.INT64}


def reference(Q, K, V, attn_mask=None, past_key=None, past_value=None, nonpad_kv_seqlen=None,
              is_causal=0, q_num_heads=None, kv_num_heads=None, scale=None, softcap=0.0,
              qk_matmul_output_mode=0, softmax_precision=None, left_window_size=-1,
              right_window_size=-1):
    """(Y, present_key, present_value, qk_matmul_output) in float64."""
    Q, K, V = (x.astype(np.float64) for x in (Q, K, V))
    three_d = Q.ndim == 3
    if three_d:  # [B, S, heads * D] -> [B, heads, S, D]
        def heads(x, h):
            return x.reshape(x.shape[0], x.shape[1], h, -1).transpose(0, 2, 1, 3)
        Q, K, V = heads(Q, q_num_heads), heads(K, kv_num_heads), heads(V, kv_num_heads)
    past = 0
    if past_key is not None:
        past = past_key.shape[2]
        K = np.concatenate([past_key.astype(np.float64), K], axis=2)
        V = np.concatenate([past_value.astype(np.float64), V], axis=2)
    B, Hq, q, D = Q.shape
    Hkv, kv = K.shape[1], K.shape[2]
    # Query head h attends with key/value head h // (Hq / Hkv).
    Kh, Vh = np.repeat(K, Hq // Hkv, axis=1), np.repeat(V, Hq // Hkv, axis=1)
    s = math.sqrt(scale if scale is not None else 1 / math.sqrt(D))
    qk = (Q * s) @ (Kh.transpose(0, 1, 3, 2) * s)
    raw = qk
    if softcap > 0:
        qk = softcap * np.tanh(qk / softcap)
    capped = qk
    # The additive bias: 0 where query i may attend key j, -inf where not.
    bias = np.zeros((B, Hq, q, kv))
    for b in range(B):
        if nonpad_kv_seqlen is not None:
            offset = nonpad_kv_seqlen[b] - q
        else:
            offset = past
        for i in range(q):
            p = offset + i  # the query's absolute position
            for j in range(kv):
                masked = ((is_causal and j > p) or
                          (left_window_size >= 0 and p - j > left_window_size) or
                          (right_window_size >= 0 and j - p > right_window_size) or
                          (nonpad_kv_seqlen is not None and j >= nonpad_kv_seqlen[b]))
                if masked:
                    bias[b, :, i, j] = -np.inf
    if attn_mask is not None:
        m = attn_mask
        pad = kv - m.shape[-1]  # keys past the mask are masked
        if m.dtype == np.bool_:
            m = np.where(m, 0.0, -np.inf)
        m = np.concatenate([m.astype(np.float64), np.full(m.shape[:-1] + (pad,), -np.inf)], -1)
        bias = bias + np.broadcast_to(m, bias.shape)
    logits = qk + bias
    with np.errstate(invalid="ignore"):  # fully masked rows: NaN, zeroed below
        e = np.exp(logits - logits.max(-1, keepdims=True))
    probs = e / e.sum(-1, keepdims=True)
    probs[np.isneginf(bias).all(-1)] = 0  # a fully masked row attends to nothing
    y = probs @ Vh
    if three_d:
        y = y.transpose(0, 2, 1, 3).reshape(B, q, -1)
    return y, K, V, [raw, capped, logits, probs][qk_matmul_output_mode]


cases = 0


def case(name, inputs, outputs=("Y",), opset=23, dtype=np.float32, **attrs):
    """inputs: {ONNX input name: array}; outputs: the ONNX outputs to request."""
    global cases
    ref = reference(**inputs, **attrs)
    node_inputs = [k if k in inputs else "" for k in INPUTS]
    while node_inputs[-1] == "":
        node_inputs.pop()
    node_outputs = [k if k in outputs else "" for k in OUTPUTS]
    while node_outputs[-1] == "":
        node_outputs.pop()
    node = helper.make_node("Attention", node_inputs, node_outputs, name="n", **attrs)
    want = {k: ref[OUTPUTS.index(k)].astype(dtype) for k in outputs}
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info(k, CODES[v.dtype.type], v.shape) for k, v in inputs.items()],
        [helper.make_tensor_value_info(k, CODES[v.dtype.type], v.shape) for k, v in want.items()])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]),
              os.path.join(out, name + ".onnx"))
    args = []
    for kind, values in (("in", inputs), ("out", want)):
        for k, v in values.items():
            path = os.path.join(out, "%s_%s_%s.npy" % (name, kind, k))
            np.save(path, v)
            args.append("%s=%s" % (k, path))
        if kind == "in":
            args.append("--")
    with open(os.path.join(out, name + ".args"), "w") as f:
        f.write(" ".join(args))
    cases += 1


def f32(*shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


# 4-D, the defaults; and 3-D with grouped heads and causal masking (q shorter than kv).
case("basic_4d", {"Q": f32(2, 3, 4, 8), "K": f32(2, 3, 6, 8), "V": f32(2, 3, 6, 5)})
case("gqa_3d_causal", {"Q": f32(2, 4, 4 * 6), "K": f32(2, 6, 2 * 6), "V": f32(2, 6, 2 * 3)},
     is_causal=1, q_num_heads=4, kv_num_heads=2)
# A bool mask shorter than the keys (past + new), with the cache: present outputs and the
# logits plus bias (mode 2).
case("bool_mask_past", {"Q": f32(1, 2, 3, 4), "K": f32(1, 2, 3, 4), "V": f32(1, 2, 3, 4),
                        "attn_mask": rng.uniform(0, 1, (3, 5)) > 0.3,
                        "past_key": f32(1, 2, 3, 4), "past_value": f32(1, 2, 3, 4)},
     outputs=("Y", "present_key", "present_value", "qk_matmul_output"), qk_matmul_output_mode=2)
# A float mask broadcast over heads, softcap and scale; the softcapped logits (mode 1) and the
# raw matmul (mode 0, before the softcap as the operator text says).
mask4 = f32(2, 1, 4, 6)
for mode in (0, 1):
    case("float_mask_softcap_mode%d" % mode,
         {"Q": f32(2, 3, 4, 8), "K": f32(2, 3, 6, 8), "V": f32(2, 3, 6, 8), "attn_mask": mask4},
         outputs=("Y", "qk_matmul_output"), softcap=0.7, scale=0.4, qk_matmul_output_mode=mode)
# Causal with the cache: the diagonal shifts by the past length.
case("causal_past", {"Q": f32(2, 2, 3, 4), "K": f32(2, 2, 3, 4), "V": f32(2, 2, 3, 4),
                     "past_key": f32(2, 2, 2, 4), "past_value": f32(2, 2, 2, 4)},
     outputs=("Y", "present_key", "present_value"), is_causal=1)
# Opset 24's external cache: keys past nonpad_kv_seqlen are padding, causal from its end; the
# probabilities (mode 3), softmax in float64.
case("nonpad_causal_probs", {"Q": f32(2, 2, 2, 4), "K": f32(2, 2, 5, 4), "V": f32(2, 2, 5, 4),
                             "nonpad_kv_seqlen": np.array([3, 5], np.int64)},
     outputs=("Y", "qk_matmul_output"), opset=24, is_causal=1, qk_matmul_output_mode=3,
     softmax_precision=TP.DOUBLE)
# A fully masked row: zeros in Y and in the probabilities, not NaN.
case("fully_masked_row", {"Q": f32(1, 1, 2, 4), "K": f32(1, 1, 3, 4), "V": f32(1, 1, 3, 4),
                          "attn_mask": np.array([[True, False, True], [False, False, False]])},
     outputs=("Y", "qk_matmul_output"), qk_matmul_output_mode=3)
# Opset 25's sliding window, both sides, with the cache; and the causal one with grouped heads.
case("window_past", {"Q": f32(1, 2, 3, 4), "K": f32(1, 2, 3, 4), "V": f32(1, 2, 3, 4),
                     "past_key": f32(1, 2, 3, 4), "past_value": f32(1, 2, 3, 4)},
     opset=25, left_window_size=1, right_window_size=1)
case("window_causal_gqa", {"Q": f32(2, 4, 5, 4), "K": f32(2, 2, 5, 4), "V": f32(2, 2, 5, 4)},
     opset=25, is_causal=1, left_window_size=2)
# float64 throughout.
case("double", {"Q": f32(1, 2, 3, 4).astype(np.float64), "K": f32(1, 2, 4, 4).astype(np.float64),
                "V": f32(1, 2, 4, 4).astype(np.float64)}, dtype=np.float64, is_causal=1)
print("%d cases" % cases)
