"""Models, inputs and NumPy references for function-ops.test: ONNX ops that ONNX defines by a
function body and the importer composes from kiln ops (RotaryEmbedding, AffineGrid, CenterCropPad,
SwiGLU, LinearAttention, CausalConvWithState, FlexAttention). The references are written from the operator text; where onnx's reference runtime has the
op (onnx.reference), they are checked against it too. Writes NAME.onnx, NAME_INPUT.npy /
NAME_OUTPUT.npy and NAME.args into argv[1] (run_composite_ops.py reads them) and prints how many
cases it wrote."""
import os
import sys

import numpy as np
import onnx
from onnx import helper

import onnx_cases

out = sys.argv[1]
rng = np.random.default_rng(23)
write = onnx_cases.writer(out)
cases = 0


def onnx_reference(op, inputs, outputs, opset, domain, **attrs):
    """onnx's reference runtime on one node, or None where it lacks the op."""
    try:
        from onnx.reference import ReferenceEvaluator
    except ImportError:
        return None
    node = helper.make_node(op, [n for n, _ in inputs], outputs,
                            domain=domain[0] if domain else None, **attrs)
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info(n, onnx_cases.NP_TO_ONNX[a.dtype.type], a.shape)
         for n, a in inputs if n], [helper.make_tensor_value_info(o, 0, None) for o in outputs])
    opsets = [helper.make_opsetid("", opset)] + ([helper.make_opsetid(*domain)] if domain else [])
    model = helper.make_model(graph, opset_imports=opsets)
    try:
        return ReferenceEvaluator(model).run(None, {n: a for n, a in inputs if n})
    except Exception:  # an onnx without this op (or this opset)
        return None


def case(name, op, inputs, want, opset, constants=(), check=True, domain=None, **attrs):
    """One model. `want`: the output y, or [(name, array)] for several; `constants`: the inputs
    written as initializers; an input named "" is omitted; `domain`: (name, opset) of the op's
    domain if not the default one."""
    global cases
    outputs = want if isinstance(want, list) else [("y", want)]
    theirs = onnx_reference(op, inputs, [n for n, _ in outputs], opset, domain,
                            **attrs) if check else None
    for (n, w), t in zip(outputs, theirs or []):
        # float16: onnx's reference may round steps the body leaves whole (Swish's): a few ULPs.
        rtol, atol = (4e-3, 1e-3) if w.dtype == np.float16 else (1e-5, 1e-6)
        if not np.allclose(t.astype(np.float64), w.astype(np.float64), rtol=rtol, atol=atol):
            sys.exit("%s: the NumPy reference of %s disagrees with onnx.reference" % (name, n))
    write(name, op, inputs, outputs, opset=opset,
          initializers=[(n, a) for n, a in inputs if n in constants], domain=domain, **attrs)
    cases += 1


# RotaryEmbedding (opset 23): X [B, heads, S, D] or [B, S, heads * D]; the caches [P, R/2]
# gathered by position_ids, or [B, S, R/2] without them.
def rope(x, cos, sin, pos=None, interleaved=0, rotary_dim=0, num_heads=0):
    shape = x.shape
    if x.ndim == 4:
        x = x.transpose(0, 2, 1, 3)  # [B, S, heads, D]
    else:
        x = x.reshape(shape[0], shape[1], num_heads, -1)
    r = rotary_dim or x.shape[3]
    if pos is not None:
        cos, sin = cos[pos], sin[pos]
    cos, sin = cos[..., None, :r // 2], sin[..., None, :r // 2]  # the body's first R/2 columns
    rot, rest = x[..., :r], x[..., r:]
    x1, x2 = (rot[..., 0::2], rot[..., 1::2]) if interleaved else np.split(rot, 2, axis=-1)
    real, imag = cos * x1 - sin * x2, sin * x1 + cos * x2
    if interleaved:
        rot = np.stack([real, imag], axis=-1).reshape(rot.shape)
    else:
        rot = np.concatenate([real, imag], axis=-1)
    y = np.concatenate([rot, rest], axis=-1)
    return y.transpose(0, 2, 1, 3) if len(shape) == 4 else y.reshape(shape)


def uniform(*shape, dtype=np.float32):
    return rng.uniform(-2, 2, shape).astype(dtype)


x4 = uniform(2, 3, 4, 8)
cos10, sin10 = uniform(10, 4), uniform(10, 4)
pos = rng.integers(0, 10, (2, 4)).astype(np.int64)
case("rope_4d", "RotaryEmbedding",
     [("x", x4), ("cos", cos10), ("sin", sin10), ("pos", pos)],
     rope(x4, cos10, sin10, pos), 23)
# Partial and interleaved; the caches have more columns than R / 2 = 2 (the body slices them).
cos3, sin3 = uniform(10, 3), uniform(10, 3)
case("rope_4d_interleaved_partial", "RotaryEmbedding",
     [("x", x4), ("cos", cos3), ("sin", sin3), ("pos", pos)],
     rope(x4, cos3, sin3, pos, interleaved=1, rotary_dim=4), 23, check=False,
     interleaved=1, rotary_embedding_dim=4)
x3 = uniform(2, 4, 12)
cosb, sinb = uniform(2, 4, 2), uniform(2, 4, 2)
case("rope_3d_no_position_ids", "RotaryEmbedding", [("x", x3), ("cos", cosb), ("sin", sinb)],
     rope(x3, cosb, sinb, num_heads=3), 23, num_heads=3)
x3b = uniform(1, 3, 16)
pos3 = np.array([[7, 0, 3]], np.int64)
case("rope_3d_interleaved_partial", "RotaryEmbedding",
     [("x", x3b), ("cos", cos10[:, :3]), ("sin", sin10[:, :3]), ("pos", pos3)],
     rope(x3b, cos10[:, :3], sin10[:, :3], pos3, interleaved=1, rotary_dim=6, num_heads=2), 23,
     num_heads=2, interleaved=1, rotary_embedding_dim=6)
# float16: each node of the body rounds to float16.
xh, ch, sh = x4.astype(np.float16), uniform(2, 4, 4, dtype=np.float16), uniform(2, 4, 4,
                                                                              dtype=np.float16)
case("rope_f16", "RotaryEmbedding", [("x", xh), ("cos", ch), ("sin", sh)], rope(xh, ch, sh), 23)


# AffineGrid (opset 20): theta [N, 2, 3] or [N, 3, 4]; size [N, C, (D,) H, W] a constant.
def affine_grid(theta, size, align_corners):
    dims = list(size[2:])
    axes = []
    for length in dims:
        i = np.arange(length, dtype=np.float64)
        if align_corners:
            axes.append(-1 + i * (2 / (length - 1)) if length > 1 else np.full(1, -1.0))
        else:
            axes.append(-1 + (2 * i + 1) / length)
    mesh = np.meshgrid(*axes, indexing="ij")  # per spatial dim, over [(D,) H, W]
    base = np.stack(list(mesh)[::-1] + [np.ones(dims)], axis=-1)  # (x, y, (z,) 1)
    grid = np.einsum("nkj,...j->n...k", theta.astype(np.float64), base)
    return grid.astype(theta.dtype)


for name, theta, size, align in [
        ("affine_grid_2d", uniform(2, 2, 3), [2, 3, 4, 5], 0),
        ("affine_grid_2d_align_one_column", uniform(1, 2, 3), [1, 1, 3, 1], 1),
        ("affine_grid_3d", uniform(2, 3, 4), [2, 1, 2, 3, 4], 0),
        ("affine_grid_3d_align_one_plane", uniform(1, 3, 4), [1, 2, 1, 3, 2], 1),
        ("affine_grid_2d_f64", uniform(2, 2, 3, dtype=np.float64), [2, 1, 3, 3], 1)]:
    size = np.array(size, np.int64)
    case(name, "AffineGrid", [("theta", theta), ("size", size)],
         affine_grid(theta, size, align), 20, constants=("size",), align_corners=align)


# CenterCropPad (opset 18): crop from floor((dim - n) / 2), pad floor((n - dim) / 2) before.
def center_crop_pad(x, shape, axes=None):
    axes = [a % x.ndim for a in axes] if axes is not None else range(x.ndim)
    for a, n in zip(axes, shape):
        dim = x.shape[a]
        if n < dim:
            x = np.take(x, range((dim - n) // 2, (dim - n) // 2 + n), axis=a)
        elif n > dim:
            pads = [(0, 0)] * x.ndim
            pads[a] = ((n - dim) // 2, n - dim - (n - dim) // 2)
            x = np.pad(x, pads)
    return x


xc = uniform(5, 6, 3)
shape = np.array([2, 9, 3], np.int64)
case("center_crop_pad", "CenterCropPad", [("x", xc), ("shape", shape)],
     center_crop_pad(xc, shape), 18, constants=("shape",))
xi = rng.integers(-50, 50, (4, 3, 7)).astype(np.int32)
shape = np.array([4, 1], np.int32)
case("center_crop_pad_axes", "CenterCropPad", [("x", xi), ("shape", shape)],
     center_crop_pad(xi, shape, [-1, 0]), 18, constants=("shape",), axes=[-1, 0])
xu = rng.integers(0, 255, (3, 2)).astype(np.uint8)
shape = np.array([6, 5], np.int64)
case("center_crop_pad_pad_u8", "CenterCropPad", [("x", xu), ("shape", shape)],
     center_crop_pad(xu, shape), 18, constants=("shape",))


# SwiGLU (opset 28): Swish_alpha(A) * B; its body's Swish node and Mul node each round to the
# inputs' type.
def swiglu(a, b, alpha=1.0):
    wide = a.astype(np.float64)
    gate = (wide / (1 + np.exp(-alpha * wide))).astype(a.dtype)
    return gate * b


a, b = uniform(3, 5), uniform(3, 5)
case("swiglu_alpha", "SwiGLU", [("a", a), ("b", b)], swiglu(a, b, 0.6), 28, alpha=0.6)
ah, bh = uniform(4, 4, dtype=np.float16), uniform(4, 4, dtype=np.float16)
case("swiglu_f16", "SwiGLU", [("a", ah), ("b", bh)], swiglu(ah, bh), 28)



# LinearAttention (opset 27): the recurrence over the tokens, in float32, as the operator text
# writes it; query head h reads KV head h // (q_heads / kv_heads).
def linear_attention(q, k, v, past=None, decay=None, beta=None, q_heads=1, kv_heads=1,
                     rule="gated_delta", scale=0.0):
    b, t, _ = q.shape
    dk, dv = q.shape[2] // q_heads, v.shape[2] // kv_heads
    heads = lambda x, h: x.astype(np.float32).reshape(b, t, h, -1)  # noqa: E731
    q4, k4, v4 = heads(q, q_heads), heads(k, kv_heads), heads(v, kv_heads)
    state = np.zeros((b, kv_heads, dk, dv), np.float32) if past is None else \
        past.astype(np.float32)
    scale = np.float32(scale) if scale else np.float32(1) / np.sqrt(np.float32(dk))
    out = np.zeros((b, t, q_heads, dv), np.float32)
    for i in range(t):
        if rule in ("gated", "gated_delta"):  # per key dim or per head
            state = state * np.exp(heads(decay, kv_heads)[:, i])[..., None]
        vt = v4[:, i]
        if rule in ("delta", "gated_delta"):
            bt = beta.astype(np.float32).reshape(b, t, -1, 1)[:, i]  # per head or shared
            vt = bt * (vt - np.einsum("bhdm,bhd->bhm", state, k4[:, i]))
        state = state + k4[:, i][..., :, None] * vt[..., None, :]
        read = np.repeat(state, q_heads // kv_heads, axis=1)
        out[:, i] = scale * np.einsum("bhd,bhdm->bhm", q4[:, i], read)
    present_type = q.dtype if past is None else past.dtype
    return [("y", out.reshape(b, t, -1).astype(q.dtype)), ("present", state.astype(present_type))]


def la_case(name, q, k, v, past=None, decay=None, beta=None, **attrs):
    inputs = [("q", q), ("k", k), ("v", v), ("past", past) if past is not None else ("", None),
              ("decay", decay) if decay is not None else ("", None),
              ("beta", beta) if beta is not None else ("", None)]
    while not inputs[-1][0]:
        inputs.pop()
    names = {"q_num_heads": "q_heads", "kv_num_heads": "kv_heads", "update_rule": "rule"}
    ref = {names.get(k, k): a for k, a in attrs.items() if k != "chunk_size"}
    case(name, "LinearAttention", inputs,
         linear_attention(q, k, v, past, decay, beta, **ref), 27, **attrs)


la_case("linear_attention_linear", uniform(1, 3, 8), uniform(1, 3, 8), uniform(1, 3, 6),
        q_num_heads=2, kv_num_heads=2, update_rule="linear")
la_case("linear_attention_gated_per_head_past", uniform(2, 3, 8), uniform(2, 3, 8),
        uniform(2, 3, 6), past=uniform(2, 2, 4, 3), decay=-rng.uniform(0, 1, (2, 3, 2)).astype(
            np.float32), q_num_heads=2, kv_num_heads=2, update_rule="gated", chunk_size=16)
la_case("linear_attention_delta_shared_beta", uniform(1, 4, 8), uniform(1, 4, 8) / 3,
        uniform(1, 4, 8), beta=rng.uniform(0, 1, (1, 4, 1)).astype(np.float32),
        q_num_heads=2, kv_num_heads=2, update_rule="delta", scale=0.3)
la_case("linear_attention_gated_delta_gqa", uniform(2, 3, 16), uniform(2, 3, 8) / 3,
        uniform(2, 3, 6), past=uniform(2, 2, 4, 3),
        decay=-rng.uniform(0, 1, (2, 3, 8)).astype(np.float32),
        beta=rng.uniform(0, 1, (2, 3, 2)).astype(np.float32), q_num_heads=4, kv_num_heads=2)
# float16 inputs with a float32 state: present_state keeps the state's type.
la_case("linear_attention_f16_state_f32", uniform(1, 2, 8, dtype=np.float16),
        uniform(1, 2, 8, dtype=np.float16), uniform(1, 2, 8, dtype=np.float16),
        past=uniform(1, 2, 4, 4), q_num_heads=2, kv_num_heads=2, update_rule="linear")


# CausalConvWithState (opset 27): past_state (or zeros) before the input, a depthwise
# convolution, SiLU in float32, and the last k - 1 positions as present_state.
def causal_conv(x, w, bias=None, past=None, activation="none"):
    b, c, length = x.shape
    k = w.shape[2]
    pad = np.zeros((b, c, k - 1), x.dtype) if past is None else past
    padded = np.concatenate([pad, x], axis=2)
    y = np.zeros(x.shape, np.float64)
    for j in range(k):
        y += padded[:, :, j:j + length].astype(np.float64) * w[None, :, 0, j:j + 1]
    if bias is not None:
        y += bias[None, :, None]
    y = y.astype(x.dtype)
    if activation != "none":
        wide = y.astype(np.float32)
        y = (wide / (1 + np.exp(-wide))).astype(x.dtype)
    return [("y", y), ("present", padded[:, :, padded.shape[2] - (k - 1):])]


for name, x, k, bias, past, activation in [
        ("causal_conv_past_bias_silu", uniform(2, 3, 5), 3, uniform(3), uniform(2, 3, 2), "silu"),
        ("causal_conv_short_no_past", uniform(1, 2, 2), 4, None, None, "none"),
        ("causal_conv_kernel_one", uniform(1, 2, 3), 1, uniform(2), None, "none"),
        ("causal_conv_f16_swish", uniform(2, 2, 4, dtype=np.float16), 2, None,
         uniform(2, 2, 1, dtype=np.float16), "swish")]:
    w = uniform(x.shape[1], 1, k, dtype=x.dtype)
    bias = bias.astype(x.dtype) if bias is not None else None
    inputs = [("x", x), ("w", w), ("b", bias) if bias is not None else ("", None)]
    if past is not None:
        inputs.append(("past", past))
    case(name, "CausalConvWithState", inputs, causal_conv(x, w, bias, past, activation), 27,
         activation=activation)


# FlexAttention (ai.onnx.preview 1): Q and K scaled by sqrt(scale) (in float32, rounded to T),
# Q K^T in T, then score_mod, softmax, prob_mod and the product with V in the softmax precision
# (float32, float64 for float64 inputs).
def flex_attention(q, k, v, scale=None, score_mod=None, prob_mod=None):
    group = q.shape[1] // k.shape[1]
    k, v = np.repeat(k, group, axis=1), np.repeat(v, group, axis=1)
    p = np.float64 if q.dtype == np.float64 else np.float32
    scale = np.float32(scale) if scale is not None else np.float32(1) / np.sqrt(
        np.float32(q.shape[3]))
    root = np.sqrt(np.float32(scale)).astype(q.dtype)
    scores = np.matmul(q * root, np.swapaxes(k * root, -1, -2)).astype(p)
    if score_mod:
        scores = score_mod(scores)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    probs = e / e.sum(axis=-1, keepdims=True)
    if prob_mod:
        probs = prob_mod(probs)
    return np.matmul(probs, v.astype(p)).astype(q.dtype)


def modifier(name, nodes, inits, elem):
    """A score_mod / prob_mod graph (x) -> (y) of rank-4 `elem` tensors."""
    return helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", elem, None)],
                             [helper.make_tensor_value_info("y", elem, None)],
                             [onnx.numpy_helper.from_array(a, n) for n, a in inits])


# score_mod: causal, from the scores' own shape (Shape, Range, as the node tests write it).
causal = modifier("causal", [
    helper.make_node("Shape", ["x"], ["shape"]),
    helper.make_node("Gather", ["shape", "two"], ["L"]),
    helper.make_node("Gather", ["shape", "three"], ["S"]),
    helper.make_node("Range", ["zero", "L", "one"], ["qr"]),
    helper.make_node("Range", ["zero", "S", "one"], ["kr"]),
    helper.make_node("Reshape", ["qr", "qshape"], ["qi"]),
    helper.make_node("GreaterOrEqual", ["qi", "kr"], ["keep"]),
    helper.make_node("Where", ["keep", "x", "neg_inf"], ["y"])],
    [("two", np.array(2, np.int64)), ("three", np.array(3, np.int64)),
     ("zero", np.array(0, np.int64)), ("one", np.array(1, np.int64)),
     ("qshape", np.array([-1, 1], np.int64)), ("neg_inf", np.array(-np.inf, np.float32))],
    onnx.TensorProto.FLOAT)
qg, kg, vg = uniform(1, 4, 5, 8), uniform(1, 2, 5, 8), uniform(1, 2, 5, 3)
case("flex_attention_gqa_causal_scaled", "FlexAttention", [("q", qg), ("k", kg), ("v", vg)],
     flex_attention(qg, kg, vg, 0.2, lambda s: np.where(np.tril(np.ones(s.shape[-2:], bool)), s,
                                                          -np.inf)),
     26, domain=("ai.onnx.preview", 1), scale=0.2, score_mod=causal)
half = modifier("half", [helper.make_node("Mul", ["x", "h"], ["y"])],
                [("h", np.array(0.5))], onnx.TensorProto.DOUBLE)
qd, kd, vd = uniform(2, 2, 3, 4, dtype=np.float64), uniform(2, 2, 6, 4, dtype=np.float64), \
    uniform(2, 2, 6, 5, dtype=np.float64)
case("flex_attention_double_prob_mod", "FlexAttention", [("q", qd), ("k", kd), ("v", vd)],
     flex_attention(qd, kd, vd, prob_mod=lambda p: p * 0.5), 26,
     domain=("ai.onnx.preview", 1), prob_mod=half)

print("%d cases" % cases)
