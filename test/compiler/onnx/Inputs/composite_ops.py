"""Models, inputs and NumPy references (written from the ONNX operator text) for
composite-ops.test: the ops the importer builds from other kiln ops. Writes into argv[1]:
NAME.onnx and NAME_INPUT.npy / NAME_OUTPUT.npy per case, and NAME.args, the run_and_compare
arguments."""
import os
import sys

import numpy as np

import onnx_cases

out = sys.argv[1]
rng = np.random.default_rng(11)
case = onnx_cases.writer(out)


x = rng.uniform(-2, 2, (2, 3, 4)).astype(np.float32)
axes = np.array([1], np.int64)
for op, ref in [("ReduceL1", lambda v: np.abs(v).sum(axis=1, keepdims=True)),
                ("ReduceL2", lambda v: np.sqrt((v * v).sum(axis=1, keepdims=True))),
                ("ReduceSumSquare", lambda v: (v * v).sum(axis=1, keepdims=True)),
                ("ReduceLogSum", lambda v: np.log(np.abs(v).sum(axis=1, keepdims=True))),
                ("ReduceLogSumExp", lambda v: np.log(np.exp(v).sum(axis=1, keepdims=True)))]:
    data = np.abs(x) if op == "ReduceLogSum" else x
    case(op.lower(), op, [("x", data), ("axes", axes)],
         [("y", ref(data.astype(np.float64)).astype(np.float32))], initializers=[("axes", axes)])
# Large values: log-sum-exp must not overflow where the result is finite.
big = np.array([[1000.0, 1000.0], [-1000.0, 0.0]], np.float32)
case("logsumexp_big", "ReduceLogSumExp", [("x", big), ("axes", np.array([1], np.int64))],
     [("y", np.array([1000 + np.log(2), 0.0], np.float32))], keepdims=0,
     initializers=[("axes", np.array([1], np.int64))])
# noop_with_empty_axes: nothing reduced, the elementwise part still applied.
case("sumsquare_noop", "ReduceSumSquare", [("x", x)], [("y", x * x)], noop_with_empty_axes=1)

ties = np.array([[3, 1, 1, 5], [np.nan, 2, np.nan, 0]], np.float32)
case("argmin", "ArgMin", [("x", ties)], [("y", np.array([[1], [0]], np.int64))], axis=1)
case("argmin_last", "ArgMin", [("x", ties)], [("y", np.array([2, 2], np.int64))], axis=1,
     keepdims=0, select_last_index=1)
ints = np.array([[-2147483648, 7, -2147483648], [4, 4, 9]], np.int32)
case("argmin_int", "ArgMin", [("x", ints)], [("y", np.array([0, 0], np.int64))], axis=1, keepdims=0)
u8 = np.array([[255, 0, 3], [9, 200, 1]], np.uint8)
case("argmin_u8", "ArgMin", [("x", u8)], [("y", np.array([1, 2], np.int64))], axis=1, keepdims=0)

m = rng.uniform(-1, 1, (2, 3, 5)).astype(np.float32)
for upper in (0, 1):
    for k in (-1, 2):
        ref = np.triu(m, k) if upper else np.tril(m, k)
        case("trilu_%d_%d" % (upper, k + 1), "Trilu", [("x", m), ("k", np.array(k, np.int64))],
             [("y", ref)], opset=14, upper=upper, initializers=[("k", np.array(k, np.int64))])

special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 2.5, -3.0], np.float32)
case("isnan", "IsNaN", [("x", special)], [("y", np.isnan(special))], opset=20)
case("isinf", "IsInf", [("x", special)], [("y", np.isinf(special))], opset=20)
case("isinf_neg", "IsInf", [("x", special)], [("y", np.isneginf(special))], opset=20,
     detect_positive=0)
case("sign", "Sign", [("x", special)], [("y", np.sign(special))], opset=13)
case("sign_int", "Sign", [("x", np.array([-5, 0, 7], np.int32))],
     [("y", np.array([-1, 0, 1], np.int32))], opset=13)

a = np.array([-4, 7, 5, 4, -7, 8, -9, 0], np.int32)
b = np.array([3, -3, 8, -2, 3, 5, -4, 3], np.int32)
case("mod_int", "Mod", [("a", a), ("b", b)], [("y", np.mod(a, b))], opset=13)
case("mod_int_fmod", "Mod", [("a", a), ("b", b)], [("y", np.fmod(a, b))], opset=13, fmod=1)
fa = np.array([-4.3, 7.2, 5.0, 4.3, -7.2, 8.0], np.float32)
fb = np.array([2.1, -3.4, 8.0, -2.1, 3.4, 5.0], np.float32)
case("mod_float", "Mod", [("a", fa), ("b", fb)], [("y", np.fmod(fa, fb))], opset=13, fmod=1)
# Opset 28: floats with fmod = 0 (the sign of the divisor, as np.mod), and both modes' special
# cases: an infinite divisor keeps a finite dividend (-3 mod inf is inf), an infinite dividend
# or a zero divisor gives NaN.
ea = np.array([0, -0.0, -3, 3, -1, 1, np.inf, -np.inf, 1, 1, np.nan, 1, 5.5, -5.5], np.float32)
eb = np.array([-2, 2, np.inf, np.inf, -np.inf, -np.inf, 2, 2, 0, -0.0, 2, np.nan, -2, -2],
              np.float32)
with np.errstate(all="ignore"):
    case("mod_float_floor_28", "Mod", [("a", fa), ("b", fb)], [("y", np.mod(fa, fb))], opset=28)
    case("mod_float_edges_28", "Mod", [("a", ea), ("b", eb)], [("y", np.mod(ea, eb))], opset=28)
    case("mod_float_fmod_edges", "Mod", [("a", ea), ("b", eb)], [("y", np.fmod(ea, eb))],
         opset=13, fmod=1)


def nll(logp, target, weight=None, ignore=None, reduction="mean"):
    n, c = logp.shape[:2]
    w = np.ones(c, np.float32) if weight is None else weight
    t = target.copy()
    mask = np.ones(t.shape, bool) if ignore is None else t != ignore
    t[~mask] = 0
    picked = np.take_along_axis(logp, t[:, None], axis=1)[:, 0]
    wt = w[t] * mask
    loss = -picked * wt
    if reduction == "none":
        return loss.astype(np.float32)
    if reduction == "sum":
        return np.array(loss.sum(), np.float32)
    return np.array(loss.sum() / wt.sum(), np.float32)


scores = rng.uniform(-2, 2, (3, 5, 2)).astype(np.float32)
target = np.array([[0, 4], [2, 1], [3, 3]], np.int64)
weight = rng.uniform(0.5, 1.5, 5).astype(np.float32)
case("nll_mean_weight_ignore", "NegativeLogLikelihoodLoss",
     [("x", scores), ("t", target), ("w", weight)],
     [("y", nll(scores, target, weight, ignore=3))], opset=13, ignore_index=3)
case("nll_none", "NegativeLogLikelihoodLoss", [("x", scores), ("t", target)],
     [("y", nll(scores, target, reduction="none"))], opset=13, reduction="none")
case("nll_sum", "NegativeLogLikelihoodLoss", [("x", scores), ("t", target), ("w", weight)],
     [("y", nll(scores, target, weight, reduction="sum"))], opset=13, reduction="sum")
logp = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
case("sce", "SoftmaxCrossEntropyLoss", [("x", scores), ("t", target)],
     [("y", nll(logp, target)), ("lp", logp.astype(np.float32))], opset=13)

hm = np.array([[[1, 3, 3], [2, -1, 0]], [[0, 0, 0], [5, 4, 9]]], np.float32)


def hardmax(v, axis):
    idx = np.expand_dims(np.argmax(v, axis=axis), axis)
    out = np.zeros_like(v)
    np.put_along_axis(out, idx, 1, axis=axis)
    return out


case("hardmax", "Hardmax", [("x", hm)], [("y", hardmax(hm, 2))], opset=13)
case("hardmax_axis1", "Hardmax", [("x", hm)], [("y", hardmax(hm, 1))], opset=13, axis=1)
# Opset 11: coerced to 2-D at axis 1.
case("hardmax_11", "Hardmax", [("x", hm)],
     [("y", hardmax(hm.reshape(2, 6), 1).reshape(2, 2, 3))], opset=11)

cs = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
for exclusive in (0, 1):
    for reverse in (0, 1):
        v = cs[:, ::-1] if reverse else cs
        ref = np.cumsum(v, axis=1)
        if exclusive:
            ref = np.concatenate([np.zeros((2, 1), np.float32), ref[:, :-1]], axis=1)
        if reverse:
            ref = ref[:, ::-1]
        case("cumsum_%d%d" % (exclusive, reverse), "CumSum",
             [("x", cs), ("axis", np.array(1, np.int32))], [("y", np.ascontiguousarray(ref))],
             opset=14, exclusive=exclusive, reverse=reverse,
             initializers=[("axis", np.array(1, np.int32))])
case("cumsum_int_axis0", "CumSum", [("x", cs.astype(np.int64)), ("axis", np.array(0, np.int64))],
     [("y", np.cumsum(cs.astype(np.int64), axis=0))], opset=14,
     initializers=[("axis", np.array(0, np.int64))])

gd = np.arange(12, dtype=np.float32).reshape(3, 4)
gi = np.array([[0, -1], [2, 1]], np.int64)
case("gather_elements_1", "GatherElements", [("x", gd), ("i", gi)],
     [("y", np.take_along_axis(gd[:2], np.where(gi < 0, gi + 4, gi), axis=1))], opset=13, axis=1)
gi0 = np.array([[1, 2, 0, -1]], np.int32)
case("gather_elements_0", "GatherElements", [("x", gd), ("i", gi0)],
     [("y", np.take_along_axis(gd, np.where(gi0 < 0, gi0 + 3, gi0), axis=0))], opset=13)

act = np.array([-3.0, -1.0, -0.25, 0.0, 0.5, 1.0, 2.5, 30.0], np.float32)
a64 = act.astype(np.float64)
acts = {
    "elu": ("Elu", dict(alpha=0.5), np.where(a64 >= 0, a64, 0.5 * (np.exp(a64) - 1))),
    "selu": ("Selu", {}, 1.05070102214813232421875 * np.where(
        a64 > 0, a64, 1.67326319217681884765625 * np.exp(a64) - 1.67326319217681884765625)),
    "celu": ("Celu", dict(alpha=2.0),
             np.maximum(0, a64) + np.minimum(0, 2.0 * (np.exp(a64 / 2.0) - 1))),
    "softplus": ("Softplus", {}, np.log(np.exp(a64) + 1)),
    "softsign": ("Softsign", {}, a64 / (1 + np.abs(a64))),
    "thresholded_relu": ("ThresholdedRelu", dict(alpha=0.5), np.where(a64 > 0.5, a64, 0)),
    "mish": ("Mish", {}, a64 * np.tanh(np.log(np.exp(a64) + 1))),
    "shrink": ("Shrink", dict(bias=1.5, lambd=0.75),
               np.where(a64 < -0.75, a64 + 1.5, np.where(a64 > 0.75, a64 - 1.5, 0))),
}
for name, (op, attrs, ref) in acts.items():
    case(name, op, [("x", act)], [("y", ref.astype(np.float32))], opset=18, **attrs)
halves = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.4, -0.6, 3.7, np.nan, np.inf, 8388609.0],
                  np.float32)
case("round", "Round", [("x", halves)], [("y", np.round(halves))], opset=11)

d2s = np.arange(2 * 8 * 2 * 3, dtype=np.float32).reshape(2, 8, 2, 3)


def depth_to_space(x, bs, mode):
    b, c, h, w = x.shape
    if mode == "DCR":
        t = x.reshape(b, bs, bs, c // bs ** 2, h, w).transpose(0, 3, 4, 1, 5, 2)
    else:
        t = x.reshape(b, c // bs ** 2, bs, bs, h, w).transpose(0, 1, 4, 2, 5, 3)
    return t.reshape(b, c // bs ** 2, h * bs, w * bs)


case("depth_to_space_dcr", "DepthToSpace", [("x", d2s)], [("y", depth_to_space(d2s, 2, "DCR"))],
     opset=13, blocksize=2)
case("depth_to_space_crd", "DepthToSpace", [("x", d2s)], [("y", depth_to_space(d2s, 2, "CRD"))],
     opset=13, blocksize=2, mode="CRD")
s2d = np.arange(1 * 2 * 4 * 6, dtype=np.float32).reshape(1, 2, 4, 6)
case("space_to_depth", "SpaceToDepth", [("x", s2d)],
     [("y", s2d.reshape(1, 2, 2, 2, 3, 2).transpose(0, 3, 5, 1, 2, 4).reshape(1, 8, 2, 3))],
     opset=13, blocksize=2)
tl = np.arange(6, dtype=np.int64).reshape(2, 3)
case("tile", "Tile", [("x", tl), ("r", np.array([2, 3], np.int64))], [("y", np.tile(tl, (2, 3)))],
     opset=13, initializers=[("r", np.array([2, 3], np.int64))])

nx = rng.uniform(-2, 2, (2, 4, 3, 5)).astype(np.float32)
ns = rng.uniform(0.5, 1.5, 4).astype(np.float32)
nb = rng.uniform(-1, 1, 4).astype(np.float32)
n64 = nx.astype(np.float64)


def normalized(v, axes, eps):
    m = v.mean(axis=axes, keepdims=True)
    return (v - m) / np.sqrt(((v - m) ** 2).mean(axis=axes, keepdims=True) + eps)


case("instance_norm", "InstanceNormalization", [("x", nx), ("s", ns), ("b", nb)],
     [("y", (normalized(n64, (2, 3), 1e-3) * ns[None, :, None, None]
             + nb[None, :, None, None]).astype(np.float32))], opset=7, epsilon=1e-3)
mvn_m = n64.mean(axis=(0, 2, 3), keepdims=True)
mvn = (n64 - mvn_m) / (np.sqrt((n64 ** 2).mean(axis=(0, 2, 3), keepdims=True) - mvn_m ** 2) + 1e-9)
case("mvn", "MeanVarianceNormalization", [("x", nx)], [("y", mvn.astype(np.float32))], opset=13)
g = normalized(n64.reshape(2, 2, -1), (2,), 1e-5).reshape(nx.shape)
case("group_norm_21", "GroupNormalization", [("x", nx), ("s", ns), ("b", nb)],
     [("y", (g * ns[None, :, None, None] + nb[None, :, None, None]).astype(np.float32))],
     opset=21, num_groups=2)
gs, gb = ns[:2], nb[:2]
g18 = normalized(n64.reshape(2, 2, -1), (2,), 1e-5) * gs[None, :, None] + gb[None, :, None]
case("group_norm_18", "GroupNormalization", [("x", nx), ("s", gs), ("b", gb)],
     [("y", g18.reshape(nx.shape).astype(np.float32))], opset=18, num_groups=2)
oh_i = np.array([[1, -1], [0, 7]], np.int64)
oh_v = np.array([-2.0, 5.0], np.float32)


def one_hot(i, depth, values, axis):
    i = np.where(i < 0, i + depth, i)
    hot = np.expand_dims(i, axis) == np.arange(depth).reshape(
        [depth if d == (axis % (i.ndim + 1)) else 1 for d in range(i.ndim + 1)])
    return np.where(hot, values[1], values[0]).astype(values.dtype)


case("one_hot", "OneHot", [("i", oh_i), ("d", np.array(4, np.int64)), ("v", oh_v)],
     [("y", one_hot(oh_i, 4, oh_v, -1))], opset=11, initializers=[("d", np.array(4, np.int64))])
case("one_hot_axis0", "OneHot", [("i", oh_i), ("d", np.array(3.0, np.float32)), ("v", oh_v)],
     [("y", one_hot(oh_i, 3, oh_v, 0))], opset=11, axis=0,
     initializers=[("d", np.array(3.0, np.float32))])

# LayerNormalization's Mean and InvStdDev outputs (float32 statistics over the axes from `axis`).
ln_axes = (2, 3)
ln_m = n64.mean(axis=ln_axes, keepdims=True)
ln_inv = 1 / np.sqrt(((n64 - ln_m) ** 2).mean(axis=ln_axes, keepdims=True) + 1e-3)
ln_s = rng.uniform(0.5, 1.5, (3, 5)).astype(np.float32)
case("layer_norm_stats", "LayerNormalization", [("x", nx), ("s", ln_s)],
     [("y", ((n64 - ln_m) * ln_inv * ln_s).astype(np.float32)),
      ("mean", ln_m.astype(np.float32)), ("inv_std_dev", ln_inv.astype(np.float32))],
     opset=17, axis=2, epsilon=1e-3)
# RMSNormalization (opset 23): X / sqrt(mean(X^2) + epsilon) over the axes from `axis`, times scale.
rms_s = rng.uniform(0.5, 1.5, (4, 3, 5)).astype(np.float32)
rms = n64 / np.sqrt((n64 ** 2).mean(axis=(1, 2, 3), keepdims=True) + 1e-2)
case("rms_norm", "RMSNormalization", [("x", nx), ("s", rms_s)],
     [("y", (rms * rms_s).astype(np.float32))], opset=23, axis=-3, epsilon=1e-2)
rms_last = n64 / np.sqrt((n64 ** 2).mean(axis=3, keepdims=True) + 1e-5)
case("rms_norm_default", "RMSNormalization", [("x", nx), ("s", ns[:1].repeat(5))],
     [("y", (rms_last * ns[0]).astype(np.float32))], opset=23)

# CumProd (opset 26): products over j <= i (j < i exclusive; j >= i reverse).
cp = rng.uniform(0.5, 1.5, (2, 5)).astype(np.float32)
cp_axis = np.array(1, np.int64)
case("cumprod", "CumProd", [("x", cp), ("a", cp_axis)],
     [("y", np.cumprod(cp.astype(np.float64), axis=1).astype(np.float32))], opset=26,
     initializers=[("a", cp_axis)])
ci = np.array([[2, -3, 1, 4], [1, 2, 3, 0]], np.int64)
excl_rev = np.concatenate([np.flip(np.cumprod(np.flip(ci[:, 1:], 1), axis=1), 1),
                           np.ones((2, 1), np.int64)], axis=1)
case("cumprod_exclusive_reverse", "CumProd", [("x", ci), ("a", cp_axis)], [("y", excl_rev)],
     opset=26, exclusive=1, reverse=1, initializers=[("a", cp_axis)])
# LpNormalization: x / ||x||_p along axis.
lp = rng.uniform(-2, 2, (3, 4)).astype(np.float32)
case("lp_norm_2", "LpNormalization", [("x", lp)],
     [("y", (lp / np.sqrt((lp.astype(np.float64) ** 2).sum(axis=1, keepdims=True))).astype(np.float32))],
     opset=13)
case("lp_norm_1_axis0", "LpNormalization", [("x", lp)],
     [("y", (lp / np.abs(lp.astype(np.float64)).sum(axis=0, keepdims=True)).astype(np.float32))],
     opset=13, axis=0, p=1)
# EyeLike: ones on diagonal k, of dtype (default the input's).
el = np.zeros((3, 5), np.float32)
case("eye_like", "EyeLike", [("x", el)], [("y", np.eye(3, 5, k=1, dtype=np.int32))], opset=9,
     k=1, dtype=6)
case("eye_like_below", "EyeLike", [("x", el)], [("y", np.eye(3, 5, k=-2, dtype=np.float32))],
     opset=9, k=-2)
# NonZero of a constant: the indices of the nonzero elements, row-major.
nz = np.array([[0.0, 1.5, 0.0], [-2.0, 0.0, np.nan]], np.float32)
case("nonzero_constant", "NonZero", [("x", nz)], [("y", np.array(np.nonzero(nz), np.int64))],
     opset=13, initializers=[("x", nz)])
# ReduceMax/ReduceMin on bools (opset 20): any and all.
rb = np.array([[True, False, False], [False, False, False]])
ra = np.array([1], np.int64)
case("reduce_max_bool", "ReduceMax", [("x", rb), ("a", ra)], [("y", rb.any(axis=1))], opset=20,
     keepdims=0, initializers=[("a", ra)])
case("reduce_min_bool", "ReduceMin", [("x", rb), ("a", ra)], [("y", rb.all(axis=1, keepdims=True))],
     opset=20, initializers=[("a", ra)])
# Window functions (opset 17) of a constant size: periodic (denominator size) or symmetric (size - 1).
wn = np.array(10, np.int64)
k = np.arange(10)
case("hann_window", "HannWindow", [("n", wn)],
     [("y", (np.sin(np.pi * k / 10) ** 2).astype(np.float32))], opset=17,
     initializers=[("n", wn)])
case("hamming_window_symmetric", "HammingWindow", [("n", wn)],
     [("y", (25 / 46 - 21 / 46 * np.cos(2 * np.pi * k / 9)).astype(np.float32))], opset=17,
     periodic=0, initializers=[("n", wn)])
case("blackman_window_f64", "BlackmanWindow", [("n", wn)],
     [("y", 0.42 - 0.5 * np.cos(2 * np.pi * k / 10) + 0.08 * np.cos(4 * np.pi * k / 10))],
     opset=17, output_datatype=11, initializers=[("n", wn)])
# A zero norm divides by 1 (its x are all 0), as the operator's reference.
lz = np.array([[0.0, 3.0], [0.0, -4.0]], np.float32)
case("lp_norm_zero", "LpNormalization", [("x", lz)],
     [("y", np.array([[0.0, 0.6], [0.0, -0.8]], np.float32))], opset=13, axis=0)
# Swish (opset 24): x * sigmoid(alpha * x).
sw = rng.uniform(-4, 4, (2, 5)).astype(np.float32)
case("swish", "Swish", [("x", sw)],
     [("y", (sw / (1 + np.exp(-0.7 * sw.astype(np.float64)))).astype(np.float32))], opset=24,
     alpha=0.7)
# SpaceToDepth's mode (opset 28): CRD puts the channel before the block offsets.
sd = rng.uniform(-1, 1, (1, 2, 4, 6)).astype(np.float32)
sd6 = sd.reshape(1, 2, 2, 2, 3, 2)
case("space_to_depth_crd", "SpaceToDepth", [("x", sd)],
     [("y", sd6.transpose(0, 1, 3, 5, 2, 4).reshape(1, 8, 2, 3))], opset=28, blocksize=2, mode="CRD")
case("space_to_depth_dcr_28", "SpaceToDepth", [("x", sd)],
     [("y", sd6.transpose(0, 3, 5, 1, 2, 4).reshape(1, 8, 2, 3))], opset=28, blocksize=2)


# LpPool: the Lp norm of each window's elements (zero padding adds nothing), from the operator
# text; with ceil_mode, a last window past the end padding also sums only what it reads.
def lp_pool(x, kernel, p, strides=None, pads=None, dilations=None, ceil=False):
    sp = x.ndim - 2
    strides, dilations = strides or [1] * sp, dilations or [1] * sp
    pads = pads or [0] * 2 * sp
    out = []
    for i in range(sp):
        span = x.shape[2 + i] + pads[i] + pads[sp + i] - dilations[i] * (kernel[i] - 1) - 1
        o = (-(-span // strides[i]) if ceil else span // strides[i]) + 1
        if ceil and (o - 1) * strides[i] >= x.shape[2 + i] + pads[i]:
            o -= 1
        out.append(o)
    y = np.zeros(x.shape[:2] + tuple(out))
    for o in np.ndindex(*out):
        taps = [[t for t in (o[i] * strides[i] - pads[i] + j * dilations[i]
                             for j in range(kernel[i])) if 0 <= t < x.shape[2 + i]]
                for i in range(sp)]
        window = x[(Ellipsis,) + np.ix_(*taps)].reshape(x.shape[:2] + (-1,))
        y[(Ellipsis,) + o] = (np.abs(window.astype(np.float64)) ** p).sum(axis=-1) ** (1.0 / p)
    return y.astype(x.dtype)


lp = rng.uniform(-2, 2, (1, 2, 5, 6)).astype(np.float32)
case("lp_pool_2", "LpPool", [("x", lp)], [("y", lp_pool(lp, [3, 3], 2, [2, 2], [1, 1, 1, 1]))],
     opset=18, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
case("lp_pool_1_dilated_ceil", "LpPool", [("x", lp)],
     [("y", lp_pool(lp, [2, 2], 1, [2, 2], [0, 1, 0, 0], [2, 1], ceil=True))], opset=18,
     kernel_shape=[2, 2], strides=[2, 2], pads=[0, 1, 0, 0], dilations=[2, 1], ceil_mode=1, p=1)
lp1 = rng.uniform(-2, 2, (2, 3, 7)).astype(np.float32)
case("lp_pool_3_1d", "LpPool", [("x", lp1)], [("y", lp_pool(lp1, [3], 3))], opset=11,
     kernel_shape=[3], p=3)
lp3 = rng.uniform(-2, 2, (1, 2, 3, 4, 4)).astype(np.float32)
case("lp_pool_3d", "LpPool", [("x", lp3)], [("y", lp_pool(lp3, [2, 2, 2], 2, [1, 2, 2]))],
     opset=22, kernel_shape=[2, 2, 2], strides=[1, 2, 2])
