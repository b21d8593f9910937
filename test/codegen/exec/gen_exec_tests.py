#!/usr/bin/env python3
"""Generates test/codegen/exec/<family>.mlir: kiln ops lowered and run, checked
against NumPy. See exec_emit.py for the file format.

    python3 test/codegen/exec/gen_exec_tests.py

Every expected value below is computed by NumPy from the op's definition in
ir/KilnOps.td (references written independently of the lowering).
"""

import math

import numpy as np

from exec_emit import Case, as_type, bf16, rand, sat_int, wrap_int, write_test

F32_TOL = dict(atol=1e-6, rtol=1e-5)   # f32 math vs float64 reference
F16_TOL = dict(atol=1e-3, rtol=2e-3)   # one f16 rounding of the result
BF16_TOL = dict(atol=1e-2, rtol=1.6e-2)

NAN, INF = float("nan"), float("inf")


def f64(x):
    return np.asarray(x, np.float64)


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
              lambda v: np.clip(v, -2, 2), elt="i32", attrs=" {min = -2.5 : f64, max = 2.5 : f64}"),
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
    cases.append(Case("constant", "%r0 = kiln.constant dense<[[1.5, -2.0], [0.25, 4.0]]> : {r0}",
                      [], [(np.array([[1.5, -2.0], [0.25, 4.0]], np.float32), "f32")]))
    # The checker must be able to fail: a deliberately wrong expectation.
    cases.append(Case("checker_selftest", "%r0 = kiln.neg %a0 : {t0}",
                      [(np.array([1.0, 2.0], np.float32), "f32")],
                      [(np.array([-1.0, 2.0], np.float32), "f32")]))
    return cases


def write_all():
    write_test("elementwise", "unary, binary with broadcasting, compare, select, clip, casts, "
               "activations, constant", elementwise_cases(),
               expect_output={"checker_selftest": [
                   "checker_selftest: mismatch at 1, got -2, want 2", "1 mismatches"]})


if __name__ == "__main__":
    with np.errstate(over="ignore", invalid="ignore"):  # inf/NaN cases on purpose
        write_all()
