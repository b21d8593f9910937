# Every elementwise kiln op gives the same values whether the compiler folds
# it (constant operands: ir/ScalarEvaluator) or the generated code computes it
# (operands passed in: codegen's ScalarBuilder). Both read one table
# (ir/ElementwiseSemantics.h); this checks that the two algebras agree.
#
# Unlike the other e2e tests this compares Kiln with itself, two paths at once,
# not with a reference: NumPy cannot say which of two f32 roundings the code
# takes. Everything but libm's functions must match bit for bit (NaNs match
# any NaN: x86 makes its own); exp, log, tanh, erf, sin, cos and pow are
# libm's f32 functions at run time and double math rounded once when folded,
# so they agree to a few ulp, amplified where gelu's 1 + tanh cancels.
# RUN: rm -rf %t && %python %s %t
import os
import platform
import sys

import numpy as np

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(11)
N = 256

LIBM = {"exp", "log", "tanh", "sigmoid", "erf", "sin", "cos", "gelu", "gelu_tanh", "pow"}
FLOAT_UNARY = [
    ("neg", ""), ("abs", ""), ("relu", ""), ("exp", ""), ("log", ""), ("sqrt", ""),
    ("rsqrt", ""), ("reciprocal", ""), ("tanh", ""), ("sigmoid", ""), ("erf", ""),
    ("sin", ""), ("cos", ""), ("floor", ""), ("ceil", ""), ("hard_swish", ""),
    ("gelu", ""), ("gelu_tanh", " approximate tanh"), ("leaky_relu", " {alpha = 0.1 : f64}"),
    ("hard_sigmoid", ""), ("hard_sigmoid_attrs", " {alpha = 0.3 : f64, beta = 0.4 : f64}"),
    ("clip", " {min = -1.1 : f64, max = 6.3 : f64}"),
]
INT_UNARY = [("neg", ""), ("abs", ""), ("relu", ""), ("clip", " {min = -2.0 : f64, max = 5.0 : f64}")]
FLOAT_BINARY = ["add", "sub", "mul", "div", "pow", "max", "min"]
INT_BINARY = ["add", "sub", "mul", "div", "max", "min"]
PREDICATES = ["eq", "ne", "lt", "le", "gt", "ge"]
WIDTH = {"i8": 8, "i32": 32, "i64": 64}


class Module:
    """One function computing many ops on %xe and %ye of element type `elt`,
    read as inputs x and y of type `arg` (converted exactly in the graph)."""

    def __init__(self, elt, arg):
        self.elt, self.arg, self.lines, self.results = elt, arg, [], []

    def t(self, elt):
        return "tensor<%dx%s>" % (N, elt)

    def add(self, name, text, elt):
        """`text` defines %<name> of element type `elt`; it becomes an output
        (f16/bf16 widened to f32, exactly, for .npy)."""
        self.lines.append("%%%s = %s" % (name, text))
        value = "%" + name
        if elt in ("f16", "bf16"):
            self.lines.append("%%%s_out = kiln.cast %%%s : %s -> %s" % (name, name, self.t(elt), self.t("f32")))
            value += "_out"
        self.results.append((name, value, elt))

    def out_type(self, elt):
        return self.t("f32" if elt in ("f16", "bf16") else elt)

    def text(self, constants=None):
        """The function; with `constants` (x and y) the inputs are constants
        (the folded path) instead of arguments."""
        ta = self.t(self.arg)
        x, y = ("%xe", "%ye") if self.arg == self.elt else ("%x", "%y")
        outs = ", ".join('%s {kiln.name = "%s"}' % (self.out_type(e), n) for n, _, e in self.results)
        if constants is None:
            head = ['func.func @main(%s: %s {kiln.name = "x"}, %s: %s {kiln.name = "y"}) -> (%s) {'
                    % (x, ta, y, ta, outs)]
        else:
            head = ["func.func @main() -> (%s) {" % outs]
            head += ["%s = kiln.constant dense<%s> : %s" % (n, literal(v), ta) for n, v in zip((x, y), constants)]
        if self.arg != self.elt:
            te = self.t(self.elt)
            head += ["%%xe = kiln.cast %%x : %s -> %s" % (ta, te), "%%ye = kiln.cast %%y : %s -> %s" % (ta, te)]
        ret = "return %s : %s" % (", ".join(v for _, v, _ in self.results),
                                  ", ".join(self.out_type(e) for _, _, e in self.results))
        return "\n".join(head + self.lines + [ret, "}"]) + "\n"


def literal(v):
    """Exact MLIR literals: floats by their bits."""
    if v.dtype == np.float32:
        return "[" + ", ".join("0x%08X" % b for b in v.view(np.uint32)) + "]"
    if v.dtype == np.float64:
        return "[" + ", ".join("0x%016X" % b for b in v.view(np.uint64)) + "]"
    return "[" + ", ".join(str(int(b)) for b in v) + "]"


def float_module(elt):
    arg = "f64" if elt == "f64" else "f32"
    m = Module(elt, arg)
    t = m.t(elt)
    for name, attrs in FLOAT_UNARY:
        op = "gelu" if name.startswith("gelu") else "hard_sigmoid" if name.startswith("hard_sigmoid") else name
        m.add(name, "kiln.%s %%xe%s : %s" % (op, attrs, t), elt)
    for op in FLOAT_BINARY:
        m.add(op, "kiln.%s %%xe, %%ye : %s, %s -> %s" % (op, t, t, t), elt)
    for p in PREDICATES:
        m.add("cmp_" + p, "kiln.compare %s, %%xe, %%ye : %s, %s -> %s" % (p, t, t, m.t("i1")), "i1")
    m.add("select", "kiln.select %%cmp_lt, %%xe, %%ye : (%s, %s, %s) -> %s" % (m.t("i1"), t, t, t), elt)
    for to in ["f16", "bf16", "f32", "f64", "i1", "i8", "i32", "i64"]:
        if to != elt:
            m.add("to_" + to, "kiln.cast %%xe : %s -> %s" % (t, m.t(to)), to)
    return m


def int_module(elt):
    m = Module(elt, "i64")
    t = m.t(elt)
    for name, attrs in INT_UNARY:
        m.add(name, "kiln.%s %%xe%s : %s" % (name, attrs, t), elt)
    for op in INT_BINARY:
        m.add(op, "kiln.%s %%xe, %%ye : %s, %s -> %s" % (op, t, t, t), elt)
    for p in PREDICATES:
        m.add("cmp_" + p, "kiln.compare %s, %%xe, %%ye : %s, %s -> %s" % (p, t, t, m.t("i1")), "i1")
    b, tb = "%cmp_lt", m.t("i1")
    m.add("select", "kiln.select %s, %%xe, %%ye : (%s, %s, %s) -> %s" % (b, tb, t, t, t), elt)
    m.add("not", "kiln.not %s : %s" % (b, tb), "i1")
    m.add("and", "kiln.and %s, %%cmp_ge : %s, %s -> %s" % (b, tb, tb, tb), "i1")
    m.add("or", "kiln.or %s, %%cmp_eq : %s, %s -> %s" % (b, tb, tb, tb), "i1")
    m.add("cmp_bool", "kiln.compare gt, %s, %%cmp_eq : %s, %s -> %s" % (b, tb, tb, tb), "i1")
    for to in ["f16", "bf16", "f32", "f64", "i1", "i8", "i32", "i64"]:
        if to != elt:
            m.add("to_" + to, "kiln.cast %%xe : %s -> %s" % (t, m.t(to)), to)
            m.add("bool_to_" + to, "kiln.cast %s : %s -> %s" % (b, tb, m.t(to)), to)
    return m


def float_inputs(elt):
    # f64 -> bf16 must round once: 1 + 2^-8 + 2^-30 is above the tie 1 + 2^-8.
    special = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -3.0, 3.0, 1e30, -1e30,
               300.0, -300.0, 2.0 ** 31, -2.0 ** 31, 2.0 ** 63, 127.5, -128.5, 6.0,
               1 + 2.0 ** -8 + 2.0 ** -30, -(1 + 2.0 ** -8 + 2.0 ** -30), 1e300, 3.3961e38]
    x = np.concatenate([special, rng.uniform(-8, 8, N - len(special))])
    y = np.concatenate([special[::-1], rng.uniform(-3, 3, N - len(special))])
    dtype = np.float64 if elt == "f64" else np.float32
    x, y = x.astype(dtype), y.astype(dtype)
    if elt in ("f16", "bf16"):
        import torch
        narrow = torch.float16 if elt == "f16" else torch.bfloat16
        x, y = (torch.from_numpy(v).to(narrow).to(torch.float32).numpy() for v in (x, y))
    return x, y


def int_inputs(elt):
    hi = 2 ** (WIDTH[elt] - 1)
    edge = [0, 1, -1, 2, -2, hi - 1, -hi, 7, -7, 3]
    y_edge = [0, -1, -1, 0, 3, 0, -1, 2, -2, -3]
    # Just above a bf16 tie: rounding to f32 or f64 first lands on the tie.
    if WIDTH[elt] >= 32:
        edge += [2 ** 24 + 2 ** 16 + 1, -(2 ** 24 + 2 ** 16 + 1)]
    if WIDTH[elt] >= 64:
        edge += [2 ** 60 + 2 ** 52 + 1, -(2 ** 60 + 2 ** 52 + 1)]
    y_edge += [1] * (len(edge) - len(y_edge))
    x = np.concatenate([edge, rng.integers(-hi, hi, N - len(edge), dtype=np.int64)])
    y = np.concatenate([y_edge, rng.integers(-9, 9, N - len(edge))])
    return x.astype(np.int64), y.astype(np.int64)


def ulps(a, b):
    """Distance in units of the last place of a's type (+0 and -0 are one
    point, as are all NaNs)."""
    bits = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}[a.dtype]
    ordered = [np.where(v.view(bits) < 0, -(v.view(bits) & np.iinfo(bits).max), v.view(bits)).astype(object)
               for v in (a, b)]
    d = np.abs(ordered[0] - ordered[1])
    return np.where(np.isnan(a) & np.isnan(b), 0, d)


def check(tag, module, x, y, cpu=None):
    """Compiles `module` with x and y as arguments (for `cpu`, the host's by
    default) and as constants, and compares every output."""
    run_dir, fold_dir = os.path.join(work, "run_" + tag), os.path.join(work, "fold_" + tag)
    extra = ["--cpu", cpu] if cpu else []
    for d, text, flags in ((run_dir, module.text(), extra), (fold_dir, module.text((x, y)), [])):
        with open(d + ".mlir", "w") as f:
            f.write(text)
        kt.compile_model(d + ".mlir", d, name="m", extra=flags)
    run = kt.run_artifact(run_dir, {"x": x, "y": y})
    fold = kt.run_artifact(fold_dir, {})
    for name, _, elt in module.results:
        r, f = run[name], fold[name]
        what = "%s %s" % (tag, name)
        if r.dtype.kind in "biu":
            kt.assert_close(r, f, what)
            continue
        bits = {4: np.uint32, 8: np.uint64}[r.dtype.itemsize]
        nan = np.isnan(r) & np.isnan(f)
        if name in LIBM:
            # A few ulp of the op's type, or of eps * |x| where gelu cancels.
            eps = {"f16": 2.0 ** -10, "bf16": 2.0 ** -7}.get(elt, np.finfo(r.dtype).eps)
            bound = 4 * eps * np.maximum(np.abs(f), 1e-30) + 8 * eps * np.abs(x)
            with np.errstate(invalid="ignore"):
                ok = nan | (r == f) | (np.abs(r.astype(np.float64) - f) <= bound)
        else:
            ok = nan | (r.view(bits) == f.view(bits))
        if not np.all(ok):
            i = int(np.argmax(~ok))
            raise SystemExit("%s: folded %r, generated code %r for x=%r y=%r" % (what, f[i], r[i], x[i], y[i]))
        print("%s: %s (worst %d ulp)" % (what, "within libm's ulps" if name in LIBM else "bitwise",
                                         int(ulps(r, f).max())))


for elt in ("f32", "f16", "bf16", "f64"):
    check(elt, float_module(elt), *float_inputs(elt))
for elt in ("i8", "i32", "i64"):
    check(elt, int_module(elt), *int_inputs(elt))
# bf16 without AVX512-BF16: the conversions must not call libgcc (12 has no
# bf16 helpers) nor differ from the native ones.
if platform.machine() == "x86_64":
    check("bf16_x86-64", float_module("bf16"), *float_inputs("bf16"), cpu="x86-64")
    check("i64_x86-64", int_module("i64"), *int_inputs("i64"), cpu="x86-64")
