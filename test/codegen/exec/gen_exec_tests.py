#!/usr/bin/env python3
"""Generates test/codegen/exec/<family>.mlir: kiln ops lowered and run, checked
against NumPy. See exec_emit.py for the file format.

    python3 test/codegen/exec/gen_exec_tests.py

Every expected value below is computed by NumPy from the op's definition in
ir/KilnOps.td (references written independently of the lowering).
"""

import math

import numpy as np

from exec_emit import (RNG, Case, as_type, bf16, fmt_float, rand, sat_int, wrap_int,
                       write_test)

F32_TOL = dict(atol=1e-6, rtol=1e-5)   # f32 math vs float64 reference
F16_TOL = dict(atol=1e-3, rtol=2e-3)   # one f16 rounding of the result
BF16_TOL = dict(atol=1e-2, rtol=1.6e-2)

NAN, INF = float("nan"), float("inf")


def f64(x):
    return np.asarray(x, np.float64)


def seeded(seed, shape, lo=-2.0, hi=2.0):
    """f32 values from a generator of their own: cases added later do not
    shift the shared RNG, so earlier cases (and their files) stay as they are."""
    return np.random.default_rng(seed).uniform(lo, hi, size=shape).astype(np.float32)


# ---------------------------------------------------------------------------
# Elementwise
# ---------------------------------------------------------------------------

def unary(name, op, x, ref, elt="f32", tol=F32_TOL, attrs=""):
    body = f"%r0 = kiln.{op} %a0{attrs} : {{t0}}"
    return Case(name, body, [(x, elt)], [(as_type(ref(f64(x)), elt), elt)], **tol)


def binary(name, op, x, y, ref, elt="f32", out_elt=None, tol=F32_TOL):
    out_elt = out_elt or elt
    body = f"%r0 = kiln.{op} %a0, %a1 : {{t0}}, {{t1}} -> {{r0}}"
    want = ref(x, y)
    return Case(name, body, [(x, elt), (y, elt)], [(as_type(want, out_elt), out_elt)], **tol)


def erf(x):
    return np.vectorize(math.erf)(x)


def gelu_erf(x):
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def int_div(a, b):
    """Truncating division; x / 0 = 0 and INT_MIN / -1 wraps (kiln's rule)."""
    out = []
    for x, y in zip(np.asarray(a).flat, np.asarray(b).flat):
        x, y = int(x), int(y)
        out.append(0 if y == 0 else int(abs(x) // abs(y)) * (1 if (x < 0) == (y < 0) else -1))
    return np.array(out, np.int64).reshape(np.broadcast_shapes(np.shape(a), np.shape(b)))


def elementwise_cases():
    x = rand((2, 3))
    pos = rand((2, 3), 0.1, 4.0)
    special = np.array([NAN, INF, -INF, 0.0, -0.0, 3.5], np.float32)
    cases = [
        unary("neg", "neg", x, lambda v: -v),
        unary("abs", "abs", x, np.abs),
        unary("relu_nan", "relu", special, lambda v: np.where(np.isnan(v), v, np.maximum(v, 0))),
        unary("exp", "exp", x, np.exp),
        unary("log", "log", pos, np.log),
        unary("sqrt", "sqrt", pos, np.sqrt),
        unary("rsqrt", "rsqrt", pos, lambda v: 1 / np.sqrt(v)),
        unary("reciprocal", "reciprocal", pos, lambda v: 1 / v),
        unary("tanh", "tanh", x * 3, np.tanh),
        unary("sigmoid", "sigmoid", np.array([-100.0, -3.0, 0.0, 2.0, 100.0], np.float32),
              lambda v: 1 / (1 + np.exp(-v))),
        unary("erf", "erf", x, erf),
        unary("sin", "sin", x * 3, np.sin),
        unary("cos", "cos", x * 3, np.cos),
        unary("floor", "floor", np.array([-1.5, -1.0, -0.5, 0.5, 2.0, 2.7], np.float32), np.floor),
        unary("ceil", "ceil", np.array([-1.5, -1.0, -0.5, 0.5, 2.0, 2.7], np.float32), np.ceil),
        unary("hard_swish", "hard_swish", rand((8,), -5, 5),
              lambda v: v * np.clip(v / 6 + 0.5, 0, 1)),
        unary("gelu_erf", "gelu", rand((8,), -4, 4), gelu_erf),
        unary("gelu_tanh", "gelu", rand((8,), -4, 4), gelu_tanh, attrs=" approximate tanh"),
        unary("leaky_relu", "leaky_relu", x, lambda v: np.where(v >= 0, v, 0.1 * v),
              attrs=" {alpha = 0.1 : f64}"),
        unary("hard_sigmoid", "hard_sigmoid", rand((8,), -5, 5),
              lambda v: np.clip(0.3 * v + 0.4, 0, 1), attrs=" {alpha = 0.3 : f64, beta = 0.4 : f64}"),
        unary("clip_f32", "clip", np.array([NAN, -3.0, -1.0, 0.5, 6.0, 7.0], np.float32),
              lambda v: np.where(np.isnan(v), v, np.clip(v, -1.0, 6.0)),
              attrs=" {min = -1.0 : f64, max = 6.0 : f64}"),
        unary("clip_min_only", "clip", x, lambda v: np.maximum(v, 0.25), attrs=" {min = 0.25 : f64}"),
        # Integer clip with fractional bounds: [ceil(min), floor(max)].
        unary("clip_i32", "clip", np.array([-5, -3, -2, 0, 2, 3, 9], np.int32),
              lambda v: np.clip(v, -2, 2), elt="i32", attrs=" {min = -2.0 : f64, max = 2.0 : f64}"),
        unary("neg_i32", "neg", np.array([-7, 0, 5, -2147483648], np.int32),
              lambda v: wrap_int(-v.astype(object), 32), elt="i32"),
        unary("abs_i8", "abs", np.array([-128, -5, 0, 7], np.int8),
              lambda v: wrap_int(np.abs(v.astype(object)), 8), elt="i8"),
        unary("relu_i64", "relu", np.array([-9, 0, 4], np.int64), lambda v: np.maximum(v, 0), elt="i64"),
        unary("not", "not", np.array([True, False]), lambda v: ~v.astype(bool), elt="i1"),
        # f16 / bf16: math in f32, one rounding at the end.
        unary("exp_f16", "exp", rand((6,), -3, 3, "f16"), np.exp, elt="f16", tol=F16_TOL),
        unary("gelu_f16", "gelu", rand((6,), -3, 3, "f16"), gelu_erf, elt="f16", tol=F16_TOL),
        unary("tanh_bf16", "tanh", rand((6,), -3, 3, "bf16"), np.tanh, elt="bf16", tol=BF16_TOL),
    ]

    # Binary ops with NumPy broadcasting.
    a23, b3 = rand((2, 3)), rand((3,))
    a41, b13 = rand((4, 1)), rand((1, 3))
    scalar = np.array(1.5, np.float32)
    cases += [
        binary("add_bcast_trailing", "add", a23, b3, lambda p, q: f64(p) + f64(q)),
        binary("sub_bcast_outer", "sub", a41, b13, lambda p, q: f64(p) - f64(q)),
        binary("mul_rank0", "mul", scalar, a23, lambda p, q: f64(p) * f64(q)),
        binary("div_bcast", "div", rand((2, 1, 3)), rand((4, 1), 0.5, 2),
               lambda p, q: f64(p) / f64(q)),
        binary("pow", "pow", rand((2, 3), 0.1, 3), rand((3,), -2, 2),
               lambda p, q: np.power(f64(p), f64(q))),
        binary("max_nan", "max", np.array([1.0, NAN, -2.0], np.float32),
               np.array([0.5, 3.0, NAN], np.float32), lambda p, q: np.maximum(p, q)),
        binary("min_bcast", "min", a41, b13, lambda p, q: np.minimum(p, q)),
        binary("add_i32_wrap", "add", np.array([2147483647, -5, 7], np.int32),
               np.array([1, -6, 8], np.int32),
               lambda p, q: wrap_int(p.astype(object) + q.astype(object), 32), elt="i32"),
        binary("mul_i8_wrap", "mul", np.array([[16, -3], [100, 7]], np.int8), np.array([16, 3], np.int8),
               lambda p, q: wrap_int(p.astype(object) * q.astype(object), 8), elt="i8"),
        # Truncating division, x / 0 = 0, INT_MIN / -1 wraps; never traps.
        binary("div_i32", "div", np.array([7, -7, 7, -7, 5, -2147483648, 0], np.int32),
               np.array([2, 2, -2, -2, 0, -1, 3], np.int32),
               lambda p, q: wrap_int(int_div(p, q), 32), elt="i32"),
        binary("max_i64_bcast", "max", np.array([[1], [-4]], np.int64), np.array([0, -9, 3], np.int64),
               lambda p, q: np.maximum(p, q), elt="i64"),
        binary("and", "and", np.array([True, True, False, False]), np.array([True, False, True, False]),
               lambda p, q: p & q, elt="i1"),
        binary("or_bcast", "or", np.array([[True], [False]]), np.array([True, False]),
               lambda p, q: p | q, elt="i1"),
        binary("add_bf16", "add", as_type([1.0, 256.0, -3.5], "bf16"), as_type([0.5, 1.0, 1.0], "bf16"),
               lambda p, q: bf16(f64(p) + f64(q)), elt="bf16", tol=dict(atol=0.0, rtol=0.0)),
    ]

    # Comparison: ordered for floats (NaN false except ne), signed ints, 0 < 1 bools.
    fl = np.array([1.0, NAN, 2.0, -1.0], np.float32)
    fr = np.array([1.0, 1.0, NAN, 0.0], np.float32)
    preds = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
             "gt": np.greater, "ge": np.greater_equal}
    for p, fn in preds.items():
        cases.append(Case(f"compare_{p}_f32", f"%r0 = kiln.compare {p}, %a0, %a1 : {{t0}}, {{t1}} -> {{r0}}",
                          [(fl, "f32"), (fr, "f32")], [(fn(fl, fr), "i1")]))
    il, ir = np.array([[-3], [2]], np.int32), np.array([-3, 0, 5], np.int32)
    cases.append(Case("compare_lt_i32_bcast", "%r0 = kiln.compare lt, %a0, %a1 : {t0}, {t1} -> {r0}",
                      [(il, "i32"), (ir, "i32")], [(il < ir, "i1")]))
    bl, br = np.array([True, False, True]), np.array([False, True, True])
    cases.append(Case("compare_gt_i1", "%r0 = kiln.compare gt, %a0, %a1 : {t0}, {t1} -> {r0}",
                      [(bl, "i1"), (br, "i1")], [(bl > br, "i1")]))
    cond = np.array([[True], [False]])
    tv, fv = rand((2, 3)), np.array(-1.0, np.float32)
    cases.append(Case("select_bcast", "%r0 = kiln.select %a0, %a1, %a2 : ({t0}, {t1}, {t2}) -> {r0}",
                      [(cond, "i1"), (tv, "f32"), (fv, "f32")], [(np.where(cond, tv, fv), "f32")]))

    # Casts: saturating float -> int with NaN -> 0, wrapping int -> int.
    fvals = np.array([NAN, INF, -INF, 3.0e9, -3.0e9, 2.7, -2.7, 127.9, 128.0, -128.5,
                      -129.0, 2147483520.0, 0.0], np.float32)

    def cast(name, x, src, dst, want, tol=None):
        return Case(name, "%r0 = kiln.cast %a0 : {t0} -> {r0}", [(x, src)], [(want, dst)],
                    **(tol or {}))
    cases += [
        cast("cast_f32_i32", fvals, "f32", "i32", sat_int(fvals, 32)),
        cast("cast_f32_i8", fvals, "f32", "i8", sat_int(fvals, 8)),
        cast("cast_f32_i64", np.array([NAN, 1e19, -1e19, 9.2e18, -9.3e18, -0.9], np.float32), "f32",
             "i64", sat_int(np.array([NAN, 1e19, -1e19, 9.2e18, -9.3e18, -0.9], np.float32), 64)),
        cast("cast_f16_i32", as_type([NAN, INF, -INF, 65504.0, -2.5], "f16"), "f16", "i32",
             sat_int(as_type([NAN, INF, -INF, 65504.0, -2.5], "f16"), 32)),
        cast("cast_f64_i32", np.array([2147483647.9, 2147483648.0, -2147483648.9, -2147483649.0]),
             "f64", "i32", sat_int(np.array([2147483647.9, 2147483648.0, -2147483648.9,
                                            -2147483649.0]), 32)),
        cast("cast_f32_i1", np.array([0.0, -0.0, NAN, 0.5, -INF], np.float32), "f32", "i1",
             np.array([False, False, True, True, True])),
        cast("cast_i32_i1", np.array([0, 1, -1, 256], np.int32), "i32", "i1",
             np.array([False, True, True, True])),
        cast("cast_i1_f32", np.array([True, False]), "i1", "f32", np.array([1.0, 0.0], np.float32)),
        cast("cast_i1_i32", np.array([True, False]), "i1", "i32", np.array([1, 0], np.int32)),
        cast("cast_i32_f32", np.array([-7, 16777217, 0], np.int32), "i32", "f32",
             np.array([-7, 16777217, 0], np.int32).astype(np.float32)),
        cast("cast_i64_i8", np.array([300, -129, 127, -1], np.int64), "i64", "i8",
             wrap_int(np.array([300, -129, 127, -1]), 8)),
        cast("cast_i8_i64", np.array([-5, 127, -128], np.int8), "i8", "i64",
             np.array([-5, 127, -128], np.int64)),
        cast("cast_f32_f16", np.array([1e5, -1e5, 0.1, NAN], np.float32), "f32", "f16",
             np.array([1e5, -1e5, 0.1, NAN], np.float32).astype(np.float16)),
        cast("cast_f16_f32", as_type([0.1, -65504.0, NAN], "f16"), "f16", "f32",
             as_type([0.1, -65504.0, NAN], "f16").astype(np.float32)),
        cast("cast_f32_bf16", np.array([1.0 + 2 ** -8, 1.0 + 3 * 2 ** -9, 3.0e38, NAN], np.float32),
             "f32", "bf16", bf16(np.array([1.0 + 2 ** -8, 1.0 + 3 * 2 ** -9, 3.0e38, NAN], np.float32))),
        cast("cast_bf16_f16", as_type([1.5, 70000.0, -0.25], "bf16"), "bf16", "f16",
             as_type([1.5, 70000.0, -0.25], "bf16").astype(np.float16)),
    ]
    # Trigonometric and hyperbolic functions and their inverses, on their domains.
    unit = seeded(11, (2, 3), -0.95, 0.95)
    wide = seeded(12, (2, 3), -3.0, 3.0)
    cases += [
        unary("tan", "tan", seeded(13, (2, 3), -1.4, 1.4), np.tan),
        unary("acos", "acos", unit, np.arccos),
        unary("asin", "asin", unit, np.arcsin),
        unary("atan", "atan", wide * 3, np.arctan),
        unary("sinh", "sinh", wide, np.sinh),
        unary("cosh", "cosh", wide, np.cosh),
        unary("acosh", "acosh", seeded(14, (2, 3), 1.0, 9.0), np.arccosh),
        unary("asinh", "asinh", wide * 3, np.arcsinh),
        unary("atanh", "atanh", unit, np.arctanh),
        unary("acos_f16", "acos", as_type(unit, "f16"), np.arccos, elt="f16", tol=F16_TOL),
        unary("atanh_f64", "atanh", unit.astype(np.float64), np.arctanh, elt="f64"),
    ]

    # Bitwise ops and shifts (amounts read as unsigned; past the width: 0, or the sign
    # for an arithmetic right shift).
    bits = np.array([0, 1, -1, 0x5A5A5A5A, -2147483648, 12345678], np.int32)
    mask = np.array([-1, 0, 0x0F0F0F0F, 7, -2147483648, -12345678], np.int32)
    amount = np.array([0, 1, 31, 32, 33, -1], np.int32)
    lhs = np.array([1, -8, -8, 5, -1, 0x40000000], np.int32)

    def shifted(x, n, left):
        out = []
        for v, k in zip(x.tolist(), n.tolist()):
            k = k % 2 ** 32  # read as unsigned
            if left:
                out.append(0 if k >= 32 else v << k)
            else:
                out.append(v >> min(k, 31))  # Python's >> is arithmetic
        return wrap_int(np.array(out, dtype=object), 32)

    cases += [
        binary("bitwise_and", "bitwise_and", bits, mask, lambda p, q: p & q, elt="i32"),
        binary("bitwise_or_bcast", "bitwise_or", bits.reshape(2, 3), mask[:3], lambda p, q: p | q,
               elt="i32"),
        binary("bitwise_xor_i8", "bitwise_xor", np.array([-128, 127, 85, 0], np.int8),
               np.array([1, -1, 85, -86], np.int8), lambda p, q: p ^ q, elt="i8"),
        unary("bitwise_not_i64", "bitwise_not", np.array([0, -1, 5, -9223372036854775808], np.int64),
              lambda v: ~v.astype(np.int64), elt="i64"),
        binary("shift_left", "shift_left", lhs, amount, lambda p, q: shifted(p, q, True), elt="i32"),
        binary("shift_right_arith", "shift_right", lhs, amount, lambda p, q: shifted(p, q, False),
               elt="i32"),
    ]
    cases.append(Case("constant", "%r0 = kiln.constant dense<[[1.5, -2.0], [0.25, 4.0]]> : {r0}",
                      [], [(np.array([[1.5, -2.0], [0.25, 4.0]], np.float32), "f32")]))
    # The checker must be able to fail: a deliberately wrong expectation.
    cases.append(Case("checker_selftest", "%r0 = kiln.neg %a0 : {t0}",
                      [(np.array([1.0, 2.0], np.float32), "f32")],
                      [(np.array([-1.0, 2.0], np.float32), "f32")]))
    return cases


# ---------------------------------------------------------------------------
# Matmul
# ---------------------------------------------------------------------------

def matmul_case(name, a, b, elt="f32", tol=F32_TOL):
    want = np.matmul(f64(a), f64(b))
    if elt in ("i8", "i32", "i64"):
        want = wrap_int(np.matmul(a.astype(object), b.astype(object)), int(elt[1:]))
    return Case(name, "%r0 = kiln.matmul %a0, %a1 : {t0}, {t1} -> {r0}",
                [(a, elt), (b, elt)], [(as_type(want, elt), elt)], **tol)


def matmul_cases():
    return [
        matmul_case("mm_2d", rand((3, 4)), rand((4, 5))),
        matmul_case("mm_batch_x_2d", rand((2, 3, 4)), rand((4, 5))),
        matmul_case("mm_batch_x_unit_batch", rand((2, 3, 4)), rand((1, 4, 5))),
        matmul_case("mm_equal_batches", rand((2, 3, 4, 5)), rand((2, 3, 5, 2))),
        matmul_case("mm_bcast_lhs", rand((1, 3, 4)), rand((2, 4, 5))),
        matmul_case("mm_bcast_both", rand((2, 1, 3, 4)), rand((1, 2, 4, 5))),
        matmul_case("mm_2d_x_batch", rand((3, 4)), rand((2, 4, 5))),
        matmul_case("mm_rank_mismatch", rand((1, 2, 3, 4)), rand((2, 4, 2))),
        matmul_case("mm_i32", RNG.integers(-50, 50, (2, 3, 4)).astype(np.int32),
                    RNG.integers(-50, 50, (4, 3)).astype(np.int32), elt="i32", tol={}),
        matmul_case("mm_i8_wraps", np.array([[100, 100]], np.int8), np.array([[2], [1]], np.int8),
                    elt="i8", tol={}),
        # 3000 ones: an f16 accumulator would stop at 2048; f32 gives 3000.
        matmul_case("mm_f16_accumulates_in_f32", np.ones((1, 3000), np.float16),
                    np.ones((3000, 2), np.float16), elt="f16", tol=dict(atol=0.0, rtol=0.0)),
        matmul_case("mm_bf16", rand((2, 3, 4), elt="bf16"), rand((4, 2), elt="bf16"), elt="bf16",
                    tol=BF16_TOL),
        # Large enough for register-blocked vector tiles (kiln-cpu-tile-
        # contractions), with partial tiles in m, n and k at every level:
        # peeled remainders of the register loops and short last cache tiles.
        matmul_case("mm_tiled_partial_tiles", seeded(11, (19, 45)), seeded(12, (45, 70)),
                    tol=dict(atol=1e-5, rtol=1e-5)),
        matmul_case("mm_tiled_partial_k_tile", seeded(13, (9, 270)), seeded(14, (270, 33)),
                    tol=dict(atol=1e-4, rtol=1e-4)),
        matmul_case("mm_tiled_exact_tiles", seeded(15, (16, 16)), seeded(16, (16, 64)),
                    tol=dict(atol=1e-5, rtol=1e-5)),
        matmul_case("mm_tiled_batched", seeded(17, (2, 9, 7)), seeded(18, (7, 40)),
                    tol=dict(atol=1e-5, rtol=1e-5)),
        matmul_case("mm_tiled_one_row", seeded(19, (1, 16)), seeded(20, (16, 100)),
                    tol=dict(atol=1e-5, rtol=1e-5)),
    ]


# ---------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------

def conv_ref(x, w, bias, strides, pads, dilations, groups):
    """Direct cross-correlation from the definition in KilnOps.td (float64)."""
    x, w = f64(x), f64(w)
    sp = x.ndim - 2
    xp = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[sp + i]) for i in range(sp)])
    n, c = x.shape[:2]
    f = w.shape[0]
    cg, fg = c // groups, f // groups
    out = [(xp.shape[2 + i] - dilations[i] * (w.shape[2 + i] - 1) - 1) // strides[i] + 1
           for i in range(sp)]
    y = np.zeros([n, f] + out)
    for fi in range(f):
        g = fi // fg
        for o in np.ndindex(*out):
            for k in np.ndindex(*w.shape[2:]):
                pos = tuple(o[i] * strides[i] + k[i] * dilations[i] for i in range(sp))
                patch = xp[(slice(None), slice(g * cg, (g + 1) * cg)) + pos]  # [n, cg]
                y[(slice(None), fi) + o] += patch @ w[(fi, slice(None)) + k]
        if bias is not None:
            y[:, fi] += f64(bias)[fi]
    return y


def conv_case(name, x_shape, w_shape, strides, pads, dilations, groups, bias=True, elt="f32",
              tol=F32_TOL):
    x, w = rand(x_shape, elt=elt), rand(w_shape, elt=elt)
    b = rand((w_shape[0],), elt=elt) if bias else None
    want = as_type(conv_ref(x, w, b, strides, pads, dilations, groups), elt)
    arr = lambda v: ", ".join(str(i) for i in v)
    attrs = (f"{{dilations = array<i64: {arr(dilations)}>, groups = {groups} : i64, "
             f"pads = array<i64: {arr(pads)}>, strides = array<i64: {arr(strides)}>}}")
    operands = "%a0, %a1, %a2" if bias else "%a0, %a1"
    types = "{t0}, {t1}, {t2}" if bias else "{t0}, {t1}"
    inputs = [(x, elt), (w, elt)] + ([(b, elt)] if bias else [])
    return Case(name, f"%r0 = kiln.conv {operands} {attrs} : ({types}) -> {{r0}}", inputs,
                [(want, elt)], **tol)


def conv_constant_filter_case(name, seed, x_shape, w_shape, strides, pads):
    """A batch-1 convolution whose filter is a constant, as in a trained
    model: the CPU target may compute it as a transposed matmul with the
    filter transposed at compile time (kiln-cpu-conv-to-matmul)."""
    x, w, b = seeded(seed, x_shape), seeded(seed + 1, w_shape), seeded(seed + 2, (w_shape[0],))
    want = as_type(conv_ref(x, w, b, strides, pads, [1, 1], 1), "f32")
    arr = lambda v: ", ".join(str(i) for i in v)
    values = ", ".join(fmt_float(v) for v in w.reshape(-1))
    wtype = "tensor<" + "x".join(str(d) for d in w_shape) + "xf32>"
    attrs = (f"{{dilations = array<i64: 1, 1>, groups = 1 : i64, "
             f"pads = array<i64: {arr(pads)}>, strides = array<i64: {arr(strides)}>}}")
    body = (f"%w = kiln.constant dense<[{values}]> : tensor<{w.size}xf32>\n"
            f"  %w4 = kiln.reshape %w {{shape = array<i64: {arr(w_shape)}>}} : tensor<{w.size}xf32> -> {wtype}\n"
            f"  %r0 = kiln.conv %a0, %w4, %a1 {attrs} : ({{t0}}, {wtype}, {{t1}}) -> {{r0}}")
    # Sums of C*KH*KW products of magnitude up to 4: f32 rounding is ~1e-6
    # of the terms, not of a result that cancels to near zero.
    return Case(name, body, [(x, "f32"), (b, "f32")], [(want, "f32")], atol=1e-5, rtol=1e-5)


def shared_init_convs_case():
    """Two 1x1 convolutions of one pixel with constant filters, as in two
    squeeze-excitation blocks: their zero inits are one tensor after CSE, and
    each matmul must start from zeros, not from the other's result."""
    x = seeded(2040, (1, 40, 1, 1))
    w1, w2 = seeded(2041, (22, 40, 1, 1)), seeded(2042, (22, 40, 1, 1))
    attrs = ("{dilations = array<i64: 1, 1>, groups = 1 : i64, "
             "pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}")
    lines = []
    for i, w in enumerate((w1, w2)):
        values = ", ".join(fmt_float(v) for v in w.reshape(-1))
        lines.append(f"%w{i} = kiln.constant dense<[{values}]> : tensor<880xf32>")
        lines.append(f"%f{i} = kiln.reshape %w{i} {{shape = array<i64: 22, 40, 1, 1>}} : "
                     f"tensor<880xf32> -> tensor<22x40x1x1xf32>")
        lines.append(f"%r{i} = kiln.conv %a0, %f{i} {attrs} : ({{t0}}, tensor<22x40x1x1xf32>) "
                     f"-> {{r{i}}}")
    want = [as_type(conv_ref(x, w, None, [1, 1], [0, 0, 0, 0], [1, 1], 1), "f32") for w in (w1, w2)]
    return Case("conv_shared_zero_init", "\n  ".join(lines), [(x, "f32")],
                [(wv, "f32") for wv in want], atol=1e-5, rtol=1e-5)


def conv_cases():
    return [
        # 7x7 = 49 output pixels by 32 filters: transposed on AVX-512 and AVX2.
        conv_constant_filter_case("conv_const_filter_7x7", 2000, (1, 5, 7, 7), (32, 5, 3, 3),
                                  [1, 1], [1, 1, 1, 1]),
        conv_constant_filter_case("conv_const_filter_1x1", 2010, (1, 7, 5, 5), (48, 7, 1, 1),
                                  [1, 1], [0, 0, 0, 0]),
        # One pixel (a squeeze-excitation block after global pooling), 22 filters.
        conv_constant_filter_case("conv_const_filter_one_pixel", 2030, (1, 40, 1, 1),
                                  (22, 40, 1, 1), [1, 1], [0, 0, 0, 0]),
        shared_init_convs_case(),
        conv_constant_filter_case("conv_const_filter_strided", 2020, (1, 4, 13, 11), (64, 4, 3, 3),
                                  [2, 2], [1, 0, 1, 1]),
        conv_case("conv_basic", (1, 3, 5, 5), (4, 3, 3, 3), [1, 1], [1, 1, 1, 1], [1, 1], 1),
        conv_case("conv_no_pad_no_bias", (2, 2, 4, 5), (3, 2, 2, 2), [1, 1], [0, 0, 0, 0], [1, 1], 1,
                  bias=False),
        conv_case("conv_stride_dilation_asym_pads", (2, 2, 7, 6), (3, 2, 2, 3), [2, 1],
                  [1, 0, 2, 1], [2, 2], 1),
        conv_case("conv_depthwise", (1, 3, 6, 6), (3, 1, 3, 3), [2, 1], [0, 1, 1, 2], [1, 2], 3),
        conv_case("conv_grouped", (1, 4, 5, 5), (6, 2, 3, 3), [1, 2], [1, 1, 0, 1], [1, 1], 2),
        conv_case("conv_grouped_dilated", (2, 6, 7, 7), (4, 3, 2, 2), [2, 2], [1, 0, 0, 1], [2, 3], 2),
        conv_case("conv_depthwise_multiplier", (1, 2, 5, 5), (4, 1, 2, 2), [1, 1], [0, 0, 0, 0],
                  [1, 1], 2),
        conv_case("conv1d_grouped", (2, 4, 9), (6, 2, 3), [2], [2, 1], [2], 2),
        conv_case("conv1d_plain", (1, 2, 6), (3, 2, 2), [1], [0, 0], [1], 1, bias=False),
        conv_case("conv1d_depthwise", (1, 3, 8), (3, 1, 3), [1], [1, 1], [1], 3),
        conv_case("conv_f16", (1, 2, 4, 4), (2, 2, 3, 3), [1, 1], [1, 1, 1, 1], [1, 1], 1, elt="f16",
                  tol=F16_TOL),
    ]


# ---------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------

def pool_out_size(n, k, s, pb, pe, d, ceil):
    """The ONNX/PyTorch output size, written out here independently."""
    span = n + pb + pe - d * (k - 1) - 1
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= n + pb:  # the last window may not start in the end padding
        out -= 1
    return out


def pool_ref(x, kernel, strides, pads, dilations, ceil, kind, count_include_pad=False):
    """Max or average over each window, position by position (float64 or ints)."""
    sp = x.ndim - 2
    sizes = x.shape[2:]
    out = [pool_out_size(sizes[i], kernel[i], strides[i], pads[i], pads[sp + i], dilations[i], ceil)
           for i in range(sp)]
    y = np.zeros(x.shape[:2] + tuple(out), np.float64 if kind == "avg" else x.dtype)
    for o in np.ndindex(*out):
        per_dim = []
        counts = []
        for i in range(sp):
            start = o[i] * strides[i] - pads[i]
            pos = [start + j * dilations[i] for j in range(kernel[i])]
            per_dim.append([p for p in pos if 0 <= p < sizes[i]])
            # count_include_pad counts up to the end of the explicit padding only.
            in_padded = [p for p in pos if p < sizes[i] + pads[sp + i]]
            counts.append(len(in_padded) if count_include_pad else len(per_dim[-1]))
        window = x[(Ellipsis,) + np.ix_(*per_dim)].reshape(x.shape[:2] + (-1,))
        if kind == "max":
            y[(Ellipsis,) + o] = window.max(axis=-1)  # propagates NaN
        else:
            y[(Ellipsis,) + o] = f64(window).sum(axis=-1) / np.prod(counts)
    return y


def arr(v):
    return ", ".join(str(i) for i in v)


def maxpool_case(name, x, elt, kernel, strides, pads, dilations, ceil, tol=None):
    want = pool_ref(x, kernel, strides, pads, dilations, ceil, "max")
    attrs = (f"{{ceil_mode = {str(ceil).lower()}, dilations = array<i64: {arr(dilations)}>, "
             f"kernel_shape = array<i64: {arr(kernel)}>, pads = array<i64: {arr(pads)}>, "
             f"strides = array<i64: {arr(strides)}>}}")
    return Case(name, f"%r0 = kiln.max_pool %a0 {attrs} : {{t0}} -> {{r0}}", [(x, elt)],
                [(as_type(want, elt), elt)], **(tol or {}))


def avgpool_case(name, x, elt, kernel, strides, pads, ceil, include, tol=F32_TOL,
                 dilations=None):
    want = pool_ref(x, kernel, strides, pads, dilations or [1] * len(kernel), ceil, "avg",
                    include)
    dilated = f"dilations = array<i64: {arr(dilations)}>, " if dilations else ""
    attrs = (f"{{ceil_mode = {str(ceil).lower()}, count_include_pad = {str(include).lower()}, "
             f"{dilated}kernel_shape = array<i64: {arr(kernel)}>, pads = array<i64: {arr(pads)}>, "
             f"strides = array<i64: {arr(strides)}>}}")
    return Case(name, f"%r0 = kiln.avg_pool %a0 {attrs} : {{t0}} -> {{r0}}", [(x, elt)],
                [(as_type(want, elt), elt)], **tol)


def pool_cases():
    neg = lambda shape: rand(shape, -9.0, -1.0)  # all negative: zero padding would win
    nan_in = rand((1, 1, 4, 4))
    nan_in[0, 0, 1, 1] = np.nan
    cases = [
        maxpool_case("maxpool_pad_never_wins", neg((1, 2, 5, 5)), "f32", [3, 3], [2, 2],
                     [1, 1, 1, 1], [1, 1], False),
        maxpool_case("maxpool_ceil", neg((1, 1, 6, 6)), "f32", [3, 3], [2, 2], [0, 0, 0, 0],
                     [1, 1], True),
        maxpool_case("maxpool_ceil_pads", neg((1, 2, 6, 7)), "f32", [3, 2], [2, 3], [1, 0, 1, 1],
                     [1, 1], True),
        maxpool_case("maxpool_dilation_asym", neg((1, 1, 7, 7)), "f32", [2, 2], [1, 2],
                     [1, 0, 0, 1], [2, 2], False),
        maxpool_case("maxpool_nan", nan_in, "f32", [2, 2], [2, 2], [0, 0, 0, 0], [1, 1], False),
        maxpool_case("maxpool_i32", RNG.integers(-2 ** 31, -2 ** 30, (1, 2, 4, 4)).astype(np.int32),
                     "i32", [3, 3], [1, 1], [1, 1, 1, 1], [1, 1], False),
        maxpool_case("maxpool_i8_ceil", RNG.integers(-128, -100, (1, 1, 5, 5)).astype(np.int8), "i8",
                     [2, 2], [2, 2], [0, 0, 0, 0], [1, 1], True),
        maxpool_case("maxpool1d_ceil", neg((2, 2, 7)), "f32", [3], [2], [1, 1], [1], True),
        maxpool_case("maxpool_f16", neg((1, 1, 4, 4)).astype(np.float16), "f16", [2, 2], [1, 1],
                     [0, 0, 1, 1], [1, 1], False),
        # ceil_mode windows longer than the padded input: the one window is
        # clipped (length 4, k3 s2 d2 spans 5: max of x[0], x[2]).
        maxpool_case("maxpool1d_ceil_window_past_input", seeded(1, (1, 2, 4), -9, -1), "f32",
                     [3], [2], [0, 0], [2], True),
        maxpool_case("maxpool_ceil_window_past_input", seeded(2, (1, 1, 3, 2), -9, -1), "f32",
                     [4, 3], [4, 2], [0, 0, 0, 0], [1, 1], True),
    ]
    x55, x66 = rand((1, 2, 5, 5)), rand((1, 2, 6, 6))
    for include in (False, True):
        tag = "incl" if include else "excl"
        cases += [
            avgpool_case(f"avgpool_pads_{tag}", x55, "f32", [3, 3], [2, 2], [1, 1, 1, 1], False,
                         include),
            # 6 + 2 pads, k3 s2: ceil adds a 4th window that starts in the last
            # input row and runs one past the end padding.
            avgpool_case(f"avgpool_ceil_{tag}", x66, "f32", [3, 3], [2, 2], [1, 1, 1, 1], True,
                         include),
            avgpool_case(f"avgpool_ceil_nopad_{tag}", x66, "f32", [3, 3], [2, 2], [0, 0, 0, 0],
                         True, include),
            avgpool_case(f"avgpool_asym_{tag}", x55, "f32", [3, 2], [1, 2], [0, 1, 2, 0], False,
                         include),
            avgpool_case(f"avgpool1d_ceil_{tag}", rand((1, 2, 8)), "f32", [3], [2], [1, 1], True,
                         include),
            # ceil_mode: kernel 3 on length 2 (stride 2) is one clipped window.
            avgpool_case(f"avgpool1d_ceil_window_past_input_{tag}", seeded(3, (1, 2, 2)), "f32",
                         [3], [2], [0, 0], True, include),
            avgpool_case(f"avgpool_ceil_window_past_input_{tag}", seeded(4, (1, 1, 2, 3)), "f32",
                         [3, 4], [2, 3], [1, 0, 0, 0], True, include),
        ]
    cases.append(avgpool_case("avgpool_f16", rand((1, 1, 5, 5), elt="f16"), "f16", [2, 2], [2, 2],
                              [0, 0, 1, 1], True, False, tol=F16_TOL))
    # Dilated average pooling counts only the elements a window reads; 3-D pooling (NCDHW).
    x3 = seeded(6, (1, 2, 4, 5, 6))
    for include in (False, True):
        tag = "incl" if include else "excl"
        cases += [
            avgpool_case(f"avgpool_dilated_ceil_{tag}", seeded(7, (1, 2, 7, 6)), "f32", [2, 3],
                         [2, 1], [1, 1, 1, 1], True, include, dilations=[2, 2]),
            avgpool_case(f"avgpool3d_ceil_{tag}", x3, "f32", [2, 3, 2], [2, 2, 2],
                         [0, 1, 1, 1, 1, 0], True, include),
        ]
    cases += [
        avgpool_case("avgpool3d_dilated_incl", seeded(8, (1, 1, 5, 5, 5)), "f32", [2, 2, 2],
                     [1, 2, 1], [0, 0, 1, 0, 0, 1], False, True, dilations=[2, 1, 2]),
        avgpool_case("avgpool3d_f16", seeded(9, (1, 1, 3, 4, 4)).astype(np.float16), "f16",
                     [2, 2, 2], [1, 2, 2], [0, 0, 0, 0, 0, 0], False, False, tol=F16_TOL),
        maxpool_case("maxpool3d_ceil_dilated", seeded(5, (1, 2, 5, 6, 7), -9, -1), "f32",
                     [2, 3, 2], [2, 2, 3], [1, 0, 0, 0, 1, 1], [1, 2, 1], True),
        maxpool_case("maxpool3d_i8", np.random.default_rng(10).integers(
            -128, 127, (1, 2, 3, 3, 3)).astype(np.int8), "i8", [2, 2, 2], [1, 1, 1],
            [0, 0, 0, 0, 0, 0], [1, 1, 1], False),
    ]
    g = rand((2, 3, 4, 5))
    cases += [
        Case("global_avg_pool", "%r0 = kiln.global_avg_pool %a0 : {t0} -> {r0}", [(g, "f32")],
             [(f64(g).mean(axis=(2, 3), keepdims=True), "f32")], **F32_TOL),
        Case("global_max_pool", "%r0 = kiln.global_max_pool %a0 : {t0} -> {r0}", [(g, "f32")],
             [(g.max(axis=(2, 3), keepdims=True), "f32")]),
        Case("global_avg_pool1d", "%r0 = kiln.global_avg_pool %a0 : {t0} -> {r0}",
             [(g[0], "f32")], [(f64(g[0]).mean(axis=2, keepdims=True), "f32")], **F32_TOL),
        Case("global_max_pool_i32", "%r0 = kiln.global_max_pool %a0 : {t0} -> {r0}",
             [(np.array([[[[-7, -3], [-9, -4]]]], np.int32), "i32")],
             [(np.array([[[[-3]]]], np.int32), "i32")]),
    ]
    return cases


# ---------------------------------------------------------------------------
# Reductions and argmax
# ---------------------------------------------------------------------------

def reduce_case(name, op, x, axes, keepdims, elt="f32", tol=None):
    fn = {"reduce_sum": np.sum, "reduce_mean": np.mean, "reduce_max": np.max,
          "reduce_min": np.min, "reduce_prod": np.prod}[op]
    if elt in ("i8", "i32", "i64"):
        want = wrap_int(fn(x.astype(object), axis=tuple(axes), keepdims=keepdims), int(elt[1:]))
    else:
        want = fn(f64(x), axis=tuple(axes), keepdims=keepdims)
    attrs = f"{{axes = array<i64: {arr(axes)}>, keepdims = {str(keepdims).lower()}}}"
    return Case(name, f"%r0 = kiln.{op} %a0 {attrs} : {{t0}} -> {{r0}}", [(x, elt)],
                [(as_type(want, elt), elt)], **(tol or {}))


def argmax_ref(x, axis, last):
    if not last:
        return np.argmax(x, axis=axis)  # NaN is the maximum, first one wins
    flipped = np.flip(x, axis=axis)
    return x.shape[axis] - 1 - np.argmax(flipped, axis=axis)


def argmax_case(name, x, axis, keepdims, last, elt="f32"):
    want = argmax_ref(x, axis, last)
    if keepdims:
        want = np.expand_dims(want, axis)
    attrs = (f"{{axis = {axis} : i64, keepdims = {str(keepdims).lower()}, "
             f"select_last_index = {str(last).lower()}}}")
    return Case(name, f"%r0 = kiln.argmax %a0 {attrs} : {{t0}} -> {{r0}}", [(x, elt)],
                [(want.astype(np.int64), "i64")])


def reduce_cases():
    x = rand((2, 3, 4))
    special = np.array([[1.0, NAN, 3.0], [-INF, -INF, -INF], [2.0, 5.0, -1.0]], np.float32)
    ints = RNG.integers(-100, 100, (3, 4)).astype(np.int32)
    ties = np.array([[1.0, 3.0, 3.0, 2.0, 3.0], [-INF, -INF, -INF, -INF, -INF],
                     [0.0, NAN, 5.0, NAN, 1.0], [7.0, 7.0, 7.0, 7.0, 7.0]], np.float32)
    cases = [
        reduce_case("sum_axis1_keep", "reduce_sum", x, [1], True, tol=F32_TOL),
        reduce_case("sum_axes02_drop", "reduce_sum", x, [0, 2], False, tol=F32_TOL),
        reduce_case("sum_all_to_rank0", "reduce_sum", x, [0, 1, 2], False, tol=F32_TOL),
        reduce_case("sum_all_keep", "reduce_sum", x, [2, 0, 1], True, tol=F32_TOL),
        reduce_case("mean_axes12", "reduce_mean", x, [1, 2], False, tol=F32_TOL),
        reduce_case("mean_keep", "reduce_mean", x, [0], True, tol=F32_TOL),
        reduce_case("max_nan_neginf", "reduce_max", special, [1], False),
        reduce_case("min_nan_neginf", "reduce_min", special, [1], True),
        reduce_case("prod", "reduce_prod", rand((3, 4), 0.5, 1.5), [0], False, tol=F32_TOL),
        reduce_case("sum_i32", "reduce_sum", ints, [1], False, elt="i32"),
        reduce_case("max_i8_all_negative", "reduce_max",
                    np.array([[-128, -128], [-5, -128]], np.int8), [1], True, elt="i8"),
        reduce_case("min_i64", "reduce_min", ints.astype(np.int64), [0, 1], False, elt="i64"),
        reduce_case("prod_i32_wraps", "reduce_prod",
                    np.array([[65536, 65536, 3], [-2, 5, 7]], np.int32), [1], False, elt="i32"),
        # 3000 ones: an f16 accumulator would stop at 2048; f32 gives 3000.
        reduce_case("sum_f16_accumulates_in_f32", "reduce_sum", np.ones((2, 3000), np.float16), [1],
                    False, elt="f16"),
        reduce_case("mean_bf16", "reduce_mean", rand((2, 64), elt="bf16"), [1], False, elt="bf16",
                    tol=BF16_TOL),
        argmax_case("argmax_first", ties, 1, False, False),
        argmax_case("argmax_last", ties, 1, False, True),
        argmax_case("argmax_axis0_keep", ties.T.copy(), 0, True, False),
        argmax_case("argmax_axis0_last_keep", ties.T.copy(), 0, True, True),
        argmax_case("argmax_i32_ties", np.array([[4, 9, 9, -1], [-5, -5, -7, -5]], np.int32), 1,
                    False, False, elt="i32"),
        argmax_case("argmax_i32_ties_last", np.array([[4, 9, 9, -1], [-5, -5, -7, -5]], np.int32), 1,
                    False, True, elt="i32"),
        argmax_case("argmax_rank3", x, 2, True, False),
    ]
    return cases


# ---------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------

def softmax_ref(x, axis, log=False):
    x = f64(x)
    m = x.max(axis=axis, keepdims=True)
    s = np.exp(x - m).sum(axis=axis, keepdims=True)
    return (x - m) - np.log(s) if log else np.exp(x - m) / s


def layer_norm_ref(x, scale, bias, axis, eps):
    x = f64(x)
    axes = tuple(range(axis, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps) * f64(scale)
    return y + f64(bias) if bias is not None else y


def norm_cases():
    cases = []

    def softmax(name, x, axis, log=False, elt="f32", tol=F32_TOL):
        op = "log_softmax" if log else "softmax"
        cases.append(Case(name, f"%r0 = kiln.{op} %a0 {{axis = {axis} : i64}} : {{t0}}", [(x, elt)],
                          [(as_type(softmax_ref(x, axis, log), elt), elt)], **tol))

    softmax("softmax_axis1", rand((2, 5)), 1)
    softmax("softmax_axis0_rank3", rand((3, 2, 2)), 0)
    softmax("softmax_axis1_rank3", rand((2, 4, 3)), 1)
    big = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0],
                    [88.0, 89.0, 90.0]], np.float32)
    softmax("softmax_large_values", big, 1)
    softmax("log_softmax_large_values", big, 1, log=True)
    softmax("log_softmax_axis0", rand((4, 3)), 0, log=True)
    softmax("softmax_f16", rand((2, 6), -8, 8, "f16"), 1, elt="f16", tol=F16_TOL)

    def layer_norm(name, x, scale, bias, axis, eps=1e-5, elt="f32", tol=F32_TOL):
        operands = "%a0, %a1, %a2" if bias is not None else "%a0, %a1"
        types = "{t0}, {t1}, {t2}" if bias is not None else "{t0}, {t1}"
        inputs = [(x, elt), (scale, elt)] + ([(bias, elt)] if bias is not None else [])
        want = as_type(layer_norm_ref(x, scale, bias, axis, eps), elt)
        cases.append(Case(name, f"%r0 = kiln.layer_norm {operands} {{axis = {axis} : i64, "
                          f"epsilon = {fmt_float(eps)} : f64}} : ({types}) -> {{r0}}", inputs,
                          [(want, elt)], **tol))

    layer_norm("layer_norm_last", rand((2, 3, 8)), rand((8,)), rand((8,)), 2)
    layer_norm("layer_norm_axis1_bcast_scale", rand((2, 3, 4)), rand((4,)), None, 1)
    layer_norm("layer_norm_axis1_full_scale", rand((2, 3, 4)), rand((3, 4)), rand((1, 4)), 1,
               eps=1e-3)
    layer_norm("layer_norm_axis0", rand((3, 4)), rand((3, 4)), rand((4,)), 0)
    # Values far from 0 with unit spread: E[x^2] - E[x]^2 in f32 would lose
    # most digits; the two-pass variance keeps them.
    layer_norm("layer_norm_large_offset",
               (1000.0 + RNG.standard_normal((2, 64))).astype(np.float32), np.ones(64, np.float32),
               None, 1, tol=dict(atol=1e-3, rtol=1e-3))
    layer_norm("layer_norm_f16", rand((2, 16), elt="f16"), rand((16,), elt="f16"),
               rand((16,), elt="f16"), 1, elt="f16", tol=F16_TOL)

    def batch_norm(name, x, elt="f32", eps=1e-5, tol=F32_TOL):
        c = x.shape[1]
        s, b, m = rand((c,), elt=elt), rand((c,), elt=elt), rand((c,), elt=elt)
        v = rand((c,), 0.1, 2.0, elt=elt)
        shape = (1, c) + (1,) * (x.ndim - 2)
        want = (f64(x) - f64(m).reshape(shape)) / np.sqrt(f64(v).reshape(shape) + eps) * \
            f64(s).reshape(shape) + f64(b).reshape(shape)
        cases.append(Case(name, f"%r0 = kiln.batch_norm %a0, %a1, %a2, %a3, %a4 "
                          f"{{epsilon = {fmt_float(eps)} : f64}} : ({{t0}}, {{t1}}, {{t2}}, {{t3}}, {{t4}}) "
                          f"-> {{r0}}", [(x, elt), (s, elt), (b, elt), (m, elt), (v, elt)],
                          [(as_type(want, elt), elt)], **tol))

    batch_norm("batch_norm_nchw", rand((2, 3, 2, 2)))
    batch_norm("batch_norm_nc", rand((4, 3)), eps=1e-3)
    batch_norm("batch_norm_f16", rand((1, 2, 3, 3), elt="f16"), elt="f16", tol=F16_TOL)
    return cases


# ---------------------------------------------------------------------------
# Data movement
# ---------------------------------------------------------------------------

def data_cases():
    x234 = rand((2, 3, 4))
    x46 = np.arange(24, dtype=np.float32).reshape(4, 6)
    ints = np.arange(12, dtype=np.int32).reshape(3, 4) - 5

    def unary_data(name, op, x, attrs, want, elt="f32", mode=""):
        return Case(name, f"%r0 = kiln.{op} {mode}%a0 {attrs} : {{t0}} -> {{r0}}", [(x, elt)],
                    [(want, elt)])

    def slice_case(name, x, starts, ends, steps, elt="f32"):
        idx = tuple(slice(s, (e if e >= 0 else None), st) for s, e, st in zip(starts, ends, steps))
        attrs = (f"{{ends = array<i64: {arr(ends)}>, starts = array<i64: {arr(starts)}>, "
                 f"steps = array<i64: {arr(steps)}>}}")
        return unary_data(name, "slice", x, attrs, x[idx], elt)

    def gather_case(name, data, indices, axis, elt="f32", idx_elt="i64"):
        size = data.shape[axis]
        norm = np.where(indices < 0, indices + size, indices)
        want = np.take(data, np.clip(norm, 0, size - 1), axis=axis)
        return Case(name, f"%r0 = kiln.gather %a0, %a1 {{axis = {axis} : i64}} : ({{t0}}, {{t1}}) "
                          f"-> {{r0}}", [(data, elt), (indices, idx_elt)], [(want, elt)])

    def pad_case(name, x, pads, mode, value=0.0, elt="f32"):
        r = x.ndim
        widths = [(pads[d], pads[r + d]) for d in range(r)]
        if mode == "constant":
            want = np.pad(x, widths, mode="constant", constant_values=value)
        elif mode == "wrap":
            # ONNX's torus: out[i] = x[(i - begin) mod size]. (NumPy 1.24's
            # wrap is not periodic when a pad exceeds the dim on both sides.)
            want = x
            for d, (b, e) in enumerate(widths):
                want = np.take(want, (np.arange(x.shape[d] + b + e) - b) % x.shape[d], axis=d)
        else:
            want = np.pad(x, widths, mode=mode)  # NumPy's reflect/edge = ONNX's
        attrs = f"{{pads = array<i64: {arr(pads)}>, value = {fmt_float(value)} : f64}}"
        return unary_data(name, "pad", x, attrs, want.astype(x.dtype), elt, mode=mode + " ")

    cases = [
        unary_data("reshape_via_1d", "reshape", x234[0], "{shape = array<i64: 3, 2, -1>}",
                   x234[0].reshape(3, 2, 2)),
        unary_data("reshape_collapse", "reshape", x234, "{shape = array<i64: 6, 4>}",
                   x234.reshape(6, 4)),
        unary_data("reshape_expand", "reshape", x46, "{shape = array<i64: 2, 2, 6>}",
                   x46.reshape(2, 2, 6)),
        unary_data("reshape_to_rank0", "reshape", np.array([[2.5]], np.float32),
                   "{shape = array<i64>}", np.array(2.5, np.float32)),
        unary_data("reshape_i1", "reshape", np.array([[True, False, True], [False, False, True]]),
                   "{shape = array<i64: 3, 2>}",
                   np.array([[True, False, True], [False, False, True]]).reshape(3, 2), elt="i1"),
        unary_data("transpose", "transpose", x234, "{perm = array<i64: 2, 0, 1>}",
                   x234.transpose(2, 0, 1)),
        unary_data("transpose_i32", "transpose", ints, "{perm = array<i64: 1, 0>}", ints.T,
                   elt="i32"),
        Case("concat_axis1_with_empty", "%r0 = kiln.concat %a0, %a1, %a2 {axis = 1 : i64} : "
             "({t0}, {t1}, {t2}) -> {r0}",
             [(x46[:2, :3], "f32"), (np.zeros((2, 0), np.float32), "f32"), (x46[:2], "f32")],
             [(np.concatenate([x46[:2, :3], x46[:2]], axis=1), "f32")]),
        Case("concat_axis0_i32", "%r0 = kiln.concat %a0, %a1 {axis = 0 : i64} : ({t0}, {t1}) -> {r0}",
             [(ints, "i32"), (ints[:1], "i32")], [(np.concatenate([ints, ints[:1]]), "i32")]),
        Case("split_with_empty", "%r0, %r1, %r2 = kiln.split %a0 {axis = 1 : i64, "
             "sizes = array<i64: 2, 0, 4>} : {t0} -> {r0}, {r1}, {r2}", [(x46, "f32")],
             [(x46[:, :2], "f32"), (x46[:, 2:2], "f32"), (x46[:, 2:], "f32")]),
        slice_case("slice_positive_steps", x46, [1, 0], [4, 6], [2, 3]),
        slice_case("slice_reverse_all", x46, [3, 5], [-1, -1], [-1, -1]),
        slice_case("slice_negative_step2", x46, [3, 5], [0, -1], [-2, -2]),
        slice_case("slice_mixed_steps", x46, [0, 5], [4, -1], [2, -1]),
        slice_case("slice_negative_empty", x46, [0, 2], [4, 2], [1, -1]),
        slice_case("slice_negative_i32", ints, [2, 3], [0, -1], [-1, -3], elt="i32"),
        gather_case("gather_negative_and_out_of_range", x46,
                    np.array([0, -1, 5, -7, 100, -100, 2], np.int64), 0),
        gather_case("gather_axis1_2d_indices_i32", x234, np.array([[3, -4], [9, -2]], np.int32), 2,
                    idx_elt="i32"),
        gather_case("gather_scalar_index", x46, np.array(-2, np.int64), 1),
        gather_case("gather_i1_data", np.array([True, False, True]), np.array([2, -3, 1], np.int64),
                    0, elt="i1"),
        unary_data("expand_leading", "expand", x234[0, 0], "{shape = array<i64: 2, 4>}",
                   np.broadcast_to(x234[0, 0], (2, 4)).copy()),
        unary_data("expand_unit_dims", "expand", x234[:, :1, :1], "{shape = array<i64: 2, 1, 3, 5>}",
                   np.broadcast_to(x234[:, :1, :1], (2, 2, 3, 5)).copy()),
        unary_data("expand_keeps_input_dims", "expand", ints[:, :1], "{shape = array<i64: 1, 4>}",
                   np.broadcast_to(ints[:, :1], (3, 4)).copy(), elt="i32"),
        pad_case("pad_constant", x234[0], [1, 0, 0, 2], "constant", 1.5),
        pad_case("pad_constant_i32", ints, [0, 2, 1, 1], "constant", -7.0, elt="i32"),
        pad_case("pad_reflect", x46, [2, 1, 1, 3], "reflect"),
        pad_case("pad_reflect_end_only", x46[:3, :3], [0, 0, 2, 2], "reflect"),
        pad_case("pad_edge", x46[:3, :4], [2, 3, 1, 0], "edge"),
        # Pads longer than the dim wrap around it more than once.
        pad_case("pad_wrap", x46[:3, :4], [7, 0, 2, 9], "wrap"),
        pad_case("pad_wrap_i32_rank3", ints.reshape(1, 3, 4), [1, 2, 0, 0, 4, 5], "wrap", elt="i32"),
        pad_case("pad_edge_i32_rank3", ints.reshape(1, 3, 4), [1, 0, 1, 0, 2, 2], "edge", elt="i32"),
        unary_data("flatten_axis1", "flatten", x234, "{axis = 1 : i64}", x234.reshape(2, 12)),
        unary_data("flatten_axis0", "flatten", x234, "{axis = 0 : i64}", x234.reshape(1, 24)),
        unary_data("squeeze", "squeeze", x234[:1, :, :1], "{axes = array<i64: 0, 2>}",
                   x234[0, :, 0]),
        unary_data("unsqueeze", "unsqueeze", x234[0], "{axes = array<i64: 0, 3>}",
                   x234[0].reshape(1, 3, 4, 1)),
    ]
    return cases


# ---------------------------------------------------------------------------
# Transposed convolution
# ---------------------------------------------------------------------------

def conv_transpose_ref(x, w, bias, strides, pads, dilations, output_padding, groups):
    """ONNX ConvTranspose by its definition, element by element (float64):
    x[n, c, i] * w[c, f, k] lands at o = i * stride + k * dilation - pad_begin;
    out = stride * (in - 1) + output_padding + dilation * (kernel - 1) + 1 - pads."""
    x, w = f64(x), f64(w)
    sp = x.ndim - 2
    n, c = x.shape[:2]
    fg = w.shape[1]
    cg = c // groups
    kernel = w.shape[2:]
    out = [strides[i] * (x.shape[2 + i] - 1) + output_padding[i] + dilations[i] * (kernel[i] - 1)
           + 1 - pads[i] - pads[sp + i] for i in range(sp)]
    y = np.zeros([n, fg * groups] + out)
    for i in np.ndindex(*x.shape[2:]):
        for k in np.ndindex(*kernel):
            o = tuple(i[d] * strides[d] + k[d] * dilations[d] - pads[d] for d in range(sp))
            if any(o[d] < 0 or o[d] >= out[d] for d in range(sp)):
                continue
            for g in range(groups):
                xs = x[(slice(None), slice(g * cg, (g + 1) * cg)) + i]  # [n, cg]
                ws = w[(slice(g * cg, (g + 1) * cg), slice(None)) + k]  # [cg, fg]
                y[(slice(None), slice(g * fg, (g + 1) * fg)) + o] += xs @ ws
    if bias is not None:
        y += f64(bias).reshape([1, -1] + [1] * sp)
    return y


def conv_transpose_case(name, x_shape, w_shape, strides, pads, dilations, output_padding, groups,
                        bias=True, elt="f32", tol=F32_TOL):
    x, w = rand(x_shape, elt=elt), rand(w_shape, elt=elt)
    b = rand((w_shape[1] * groups,), elt=elt) if bias else None
    want = as_type(conv_transpose_ref(x, w, b, strides, pads, dilations, output_padding, groups),
                   elt)
    attrs = (f"{{dilations = array<i64: {arr(dilations)}>, groups = {groups} : i64, "
             f"output_padding = array<i64: {arr(output_padding)}>, pads = array<i64: {arr(pads)}>, "
             f"strides = array<i64: {arr(strides)}>}}")
    operands = "%a0, %a1, %a2" if bias else "%a0, %a1"
    types = "{t0}, {t1}, {t2}" if bias else "{t0}, {t1}"
    inputs = [(x, elt), (w, elt)] + ([(b, elt)] if bias else [])
    return Case(name, f"%r0 = kiln.conv_transpose {operands} {attrs} : ({types}) -> {{r0}}",
                inputs, [(want, elt)], **tol)


def conv_transpose_cases():
    return [
        # PaddleOCR's detector head: kernel 2, stride 2, no pads.
        conv_transpose_case("convt_k2s2", (1, 3, 4, 5), (3, 2, 2, 2), [2, 2], [0, 0, 0, 0], [1, 1],
                            [0, 0], 1),
        conv_transpose_case("convt_pads_output_padding", (2, 2, 3, 4), (2, 3, 3, 3), [2, 3],
                            [1, 0, 1, 2], [1, 1], [1, 2], 1),
        # Stride 1: the zeros are a plain pad.
        conv_transpose_case("convt_stride1_dilated", (1, 2, 4, 4), (2, 2, 3, 2), [1, 1],
                            [1, 0, 0, 1], [2, 3], [0, 0], 1, bias=False),
        # output_padding >= stride (allowed below the dilation): positions only
        # the end padding reaches.
        conv_transpose_case("convt_output_padding_dilation", (1, 1, 3, 3), (1, 1, 3, 2), [1, 1],
                            [0, 0, 0, 0], [2, 2], [1, 1], 1),
        # Pads beyond dilation * (kernel - 1): leading input elements are cropped.
        conv_transpose_case("convt_large_pads", (1, 2, 5, 5), (2, 2, 3, 3), [2, 2], [3, 4, 2, 3],
                            [1, 1], [0, 1], 1),
        # Negative pads (output_shape larger than the full result): bias only there.
        conv_transpose_case("convt_negative_pads", (1, 2, 3, 3), (2, 2, 2, 2), [2, 1],
                            [-1, 0, -2, -1], [1, 1], [0, 0], 1),
        conv_transpose_case("convt_grouped", (1, 4, 3, 3), (4, 3, 2, 3), [2, 1], [0, 1, 1, 0],
                            [1, 2], [1, 0], 2),
        conv_transpose_case("convt_depthwise", (1, 3, 4, 4), (3, 1, 3, 3), [2, 2], [1, 1, 1, 1],
                            [1, 1], [1, 1], 3),
        conv_transpose_case("convt1d", (2, 2, 5), (2, 3, 3), [3], [1, 2], [2], [2], 1),
        conv_transpose_case("convt1d_grouped", (1, 4, 4), (4, 1, 2), [2], [0, 0], [1], [0], 2,
                            bias=False),
        conv_transpose_case("convt_f16", (1, 2, 3, 3), (2, 2, 2, 2), [2, 2], [0, 0, 0, 0], [1, 1],
                            [0, 0], 1, elt="f16", tol=F16_TOL),
    ]


# ---------------------------------------------------------------------------
# Resize
# ---------------------------------------------------------------------------

def resize_coordinate(x, n_in, n_out, scale, coord, roi):
    """ONNX's x_original, in float32 arithmetic as kiln.resize defines it
    (onnxruntime's CPU kernel: half_pixel_symmetric ends in float64)."""
    f = np.float32
    xr, s, li, lo = f(x), f(scale), f(n_in), f(n_out)
    half = f(0.5)
    if coord == "half_pixel":
        return (xr + half) / s - half
    if coord == "half_pixel_symmetric":
        offset = li / f(2) * (f(1) - lo / (s * li))
        return f(float(offset) + (float(xr) + 0.5) / float(s) - 0.5)  # f64 here
    if coord == "pytorch_half_pixel":
        return (xr + half) / s - half if n_out > 1 else f(0)
    if coord == "align_corners":
        # length_resized is scale * length_original before rounding (the operator's
        # reference), not the output size.
        lr = f(float(scale) * n_in)
        return f(0) if lr <= 1 else xr * (li - f(1)) / (lr - f(1))
    if coord == "asymmetric":
        return xr / s
    if coord == "tf_half_pixel_for_nearest":
        return (xr + half) / s
    start, end = f(roi[0]), f(roi[1])
    if n_out > 1:
        return start * (li - f(1)) + (xr * (end - start) * (li - f(1))) / (lo - f(1))
    return f(0.5 * float(start + end) * float(li - f(1)))


def cubic_kernel(d, a):
    d = abs(d)
    if d <= 1:
        return (a + 2) * d ** 3 - (a + 3) * d ** 2 + 1
    if d < 2:
        return a * d ** 3 - 5 * a * d ** 2 + 8 * a * d - 4 * a
    return 0.0


def resize_matrix(n_in, n_out, scale, mode, coord, nearest, a, exclude, antialias, roi):
    """[n_out, n_in] weights of one dim and the coordinates it extrapolates."""
    weights = np.zeros((n_out, n_in))
    outside = np.zeros(n_out, bool)
    for x in range(n_out):
        xo = float(resize_coordinate(x, n_in, n_out, scale, coord, roi))
        if coord == "tf_crop_and_resize" and (xo < 0 or xo > n_in - 1):
            outside[x] = True
            continue
        if mode == "nearest":
            i = {"round_prefer_floor": math.ceil(xo - 0.5), "round_prefer_ceil": math.floor(xo + 0.5),
                 "floor": math.floor(xo), "ceil": math.ceil(xo)}[nearest]
            weights[x, min(max(i, 0), n_in - 1)] = 1.0
            continue
        # The kernel, stretched by 1 / scale when antialiasing a downscale,
        # over every element it reaches; past either end the edge repeats.
        stretch = min(scale, 1.0) if antialias else 1.0
        reach = (1.0 if mode == "linear" else 2.0) / stretch
        taps = []
        for t in range(math.floor(xo - reach), math.ceil(xo + reach) + 1):
            if exclude and not 0 <= t < n_in:
                continue
            d = (t - xo) * stretch
            taps.append((t, max(0.0, 1 - abs(d)) if mode == "linear" else cubic_kernel(d, a)))
        total = sum(w for _, w in taps) if antialias or exclude else 1.0
        for t, w in taps:
            weights[x, min(max(t, 0), n_in - 1)] += w / total
    return weights, outside


def resize_ref(x, scales, sizes, mode="nearest", coord="half_pixel", nearest="round_prefer_floor",
               a=-0.75, exclude=False, antialias=False, roi=None, extrapolation=0.0):
    """kiln.resize (ONNX Resize with every input resolved), one dim at a time."""
    y = x.astype(np.float64)
    r = x.ndim
    outside = np.zeros(sizes, bool)
    for d in range(r):
        dim_roi = None if roi is None else (roi[d], roi[r + d])
        weights, out = resize_matrix(x.shape[d], sizes[d], scales[d], mode, coord, nearest, a,
                                     exclude, antialias, dim_roi)
        y = np.moveaxis(np.tensordot(weights, np.moveaxis(y, d, 0), axes=1), 0, d)
        shape = [1] * r
        shape[d] = sizes[d]
        outside |= out.reshape(shape)
    return np.where(outside, extrapolation, y)


def resize_case(name, x, scales, sizes, mode="nearest", coord="half_pixel",
                nearest="round_prefer_floor", a=-0.75, exclude=False, antialias=False, roi=None,
                extrapolation=0.0, elt="f32", tol=None):
    want = as_type(resize_ref(x, scales, sizes, mode, coord, nearest, a, exclude, antialias, roi,
                              extrapolation), elt)
    attrs = [f"scales = array<f64: {', '.join(fmt_float(v) for v in scales)}>",
             f"sizes = array<i64: {arr(sizes)}>"]
    if a != -0.75:
        attrs.append(f"cubic_coeff_a = {fmt_float(a)} : f64")
    if exclude:
        attrs.append("exclude_outside = true")
    if antialias:
        attrs.append("antialias = true")
    if roi is not None:
        attrs.append(f"roi = array<f64: {', '.join(fmt_float(v) for v in roi)}>")
        attrs.append(f"extrapolation_value = {fmt_float(extrapolation)} : f64")
    keywords = ""
    if coord != "half_pixel":
        keywords += f" coordinate_mode {coord}"
    if nearest != "round_prefer_floor":
        keywords += f" nearest_mode {nearest}"
    if tol is None:
        tol = {} if mode == "nearest" else F32_TOL
    return Case(name, f"%r0 = kiln.resize {mode} %a0{keywords} {{{', '.join(attrs)}}} : "
                      "{t0} -> {r0}", [(x, elt)], [(want, elt)], **tol)


def resize_cases():
    x = rand((1, 2, 5, 7))
    x45 = rand((1, 1, 4, 5))
    cases = [
        # PaddleOCR's detector: 2x nearest, asymmetric, floor.
        resize_case("nearest_asymmetric_floor_2x", x45, [1, 1, 2, 2], [1, 1, 8, 10],
                    coord="asymmetric", nearest="floor"),
        # half_pixel from 5 to 1: x_original is 1.9999999 in f32 (2.0 in f64),
        # so floor picks index 1.
        resize_case("nearest_f32_coordinate", x, [1, 1, 0.2, 1 / 7], [1, 2, 1, 1],
                    nearest="floor"),
        resize_case("nearest_align_corners_ceil", x, [1, 1, 7 / 5, 4 / 7], [1, 2, 7, 4],
                    coord="align_corners", nearest="ceil"),
        resize_case("nearest_pytorch_half_pixel_to_one", x, [1, 1, 0.2, 3 / 7], [1, 2, 1, 3],
                    coord="pytorch_half_pixel"),
        resize_case("nearest_tf_half_pixel", x, [1, 1, 1.5, 0.6], [1, 2, 7, 4],
                    coord="tf_half_pixel_for_nearest", nearest="round_prefer_ceil"),
        # Ties at .5: round_prefer_floor and round_prefer_ceil part ways.
        resize_case("nearest_ties_prefer_floor", x45, [1, 1, 2, 2], [1, 1, 8, 10],
                    coord="asymmetric"),
        resize_case("nearest_ties_prefer_ceil", x45, [1, 1, 2, 2], [1, 1, 8, 10],
                    coord="asymmetric", nearest="round_prefer_ceil"),
        resize_case("nearest_half_pixel_symmetric", x, [1, 1, 0.7, 1.3], [1, 2, 3, 9],
                    coord="half_pixel_symmetric"),
        resize_case("nearest_crop_extrapolate", x, [1, 1, 1.6, 0.6], [1, 2, 8, 4],
                    coord="tf_crop_and_resize", roi=[0, 0, -0.2, 0.1, 1, 1, 0.9, 1.3],
                    extrapolation=-7.5),
        resize_case("nearest_i32_all_dims", RNG.integers(-50, 50, (2, 3, 4)).astype(np.int32),
                    [2, 0.5, 1.5], [4, 1, 6], coord="asymmetric", nearest="floor", elt="i32"),
        resize_case("linear_half_pixel_up", x45, [1, 1, 2, 1.5], [1, 1, 8, 7], mode="linear"),
        resize_case("linear_half_pixel_down", x, [1, 1, 0.6, 0.45], [1, 2, 3, 3], mode="linear"),
        resize_case("linear_align_corners", x, [1, 1, 1.7, 0.7], [1, 2, 8, 4], mode="linear",
                    coord="align_corners"),
        resize_case("linear_asymmetric", x, [1, 1, 1.7, 0.7], [1, 2, 8, 4], mode="linear",
                    coord="asymmetric"),
        resize_case("linear_pytorch_half_pixel", x, [1, 1, 0.2, 1.3], [1, 2, 1, 9], mode="linear",
                    coord="pytorch_half_pixel"),
        resize_case("linear_half_pixel_symmetric", x, [1, 1, 0.7, 1.3], [1, 2, 3, 9],
                    mode="linear", coord="half_pixel_symmetric"),
        resize_case("linear_antialias_down", x, [1, 1, 0.45, 0.3], [1, 2, 2, 2], mode="linear",
                    antialias=True),
        resize_case("linear_exclude_outside", x, [1, 1, 1.7, 0.7], [1, 2, 8, 4], mode="linear",
                    exclude=True),
        resize_case("linear_crop_extrapolate", x, [1, 1, 1.6, 0.6], [1, 2, 8, 4], mode="linear",
                    coord="tf_crop_and_resize", roi=[0, 0, -0.2, 0.1, 1, 1, 0.9, 1.3],
                    extrapolation=2.5),
        resize_case("cubic_half_pixel", x, [1, 1, 1.7, 0.7], [1, 2, 8, 4], mode="cubic"),
        resize_case("cubic_a_exclude_outside", x, [1, 1, 1.7, 0.7], [1, 2, 8, 4], mode="cubic",
                    a=-0.5, exclude=True),
        resize_case("cubic_antialias_down", x, [1, 1, 0.45, 0.3], [1, 2, 2, 2], mode="cubic",
                    antialias=True),
        resize_case("cubic_align_corners", x45, [1, 1, 2, 2], [1, 1, 8, 10], mode="cubic",
                    coord="align_corners"),
        resize_case("cubic_asymmetric_rank3", rand((3, 4, 5)), [1.5, 1, 0.8], [4, 4, 4],
                    mode="cubic", coord="asymmetric"),
        resize_case("linear_f16", rand((1, 1, 3, 4), elt="f16"), [1, 1, 2, 1.5], [1, 1, 6, 6],
                    mode="linear", elt="f16", tol=F16_TOL),
        resize_case("linear_identity", x45, [1, 1, 1, 1], [1, 1, 4, 5], mode="linear"),
    ]
    return cases


def write_all():
    write_test("elementwise", "unary, binary with broadcasting, compare, select, clip, casts, "
               "activations, constant", elementwise_cases(),
               expect_output={"checker_selftest": [
                   "checker_selftest: mismatch at 1, got -2, want 2", "1 mismatches"]})
    write_test("matmul", "2-D, batched, broadcast batch dims, integers, f16/bf16 accumulation",
               matmul_cases())
    write_test("conv", "plain, strided/dilated with asymmetric pads, depthwise, grouped, 1-D, "
               "f16", conv_cases())
    write_test("pooling", "max/avg pooling (1-D to 3-D) with pads, ceil_mode, count_include_pad, dilation, "
               "integers, 1-D, global pooling", pool_cases())
    write_test("reduction", "sum/mean/max/min/prod with keepdims, integers, f16 accumulation, "
               "argmax ties and NaN", reduce_cases())
    write_test("normalization", "softmax/log_softmax (large values), layer_norm, batch_norm",
               norm_cases())
    write_test("data-movement", "reshape, transpose, concat, split, slices with negative steps, "
               "clamped gather, expand, pads, flatten/squeeze/unsqueeze", data_cases())
    write_test("conv-transpose", "strides, pads (large and negative), output_padding, "
               "dilations, groups, depthwise, 1-D, f16", conv_transpose_cases())
    write_test("resize", "nearest (every rounding), linear, cubic, every coordinate mode, "
               "antialias, exclude_outside, crop with extrapolation, integers, f16",
               resize_cases())


if __name__ == "__main__":
    with np.errstate(over="ignore", invalid="ignore"):  # inf/NaN cases on purpose
        write_all()
