"""Emits the execution tests of the kiln -> linalg lowering (test/codegen/exec/*.mlir).

Each case is a small kiln function, its inputs, and the expected outputs computed
here with NumPy (references written from the ops' definitions in ir/KilnOps.td,
not from the lowering). The generated test lowers everything with
`kiln-opt -kiln-test-lower-to-llvm`, runs `main` with mlir-cpu-runner, and `main`
compares each result with the NumPy values (|got - want| <= atol + rtol * |want|;
NaN matches NaN; integers exactly), printing `<case>: <n> mismatches` and, for each
mismatch, the index and both values. FileCheck expects 0 mismatches everywhere
(plus one deliberate mismatch that proves the checker can fail).

The cases live in gen_exec_tests.py; regenerate after editing with
    python3 test/codegen/exec/gen_exec_tests.py
Needs only NumPy. The expected numbers are committed in the .mlir files, so the
tests themselves need no Python.
"""

import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.default_rng(20240607)

FLOATS = ("f16", "bf16", "f32", "f64")
NP_TYPES = {"f16": np.float16, "f32": np.float32, "f64": np.float64,
            "i1": np.bool_, "i8": np.int8, "i32": np.int32, "i64": np.int64}

# Bit patterns of non-finite values, as MLIR's dense literals spell them.
NON_FINITE = {
    "f16": ("0x7E00", "0x7C00", "0xFC00"),
    "bf16": ("0x7FC0", "0x7F80", "0xFF80"),
    "f32": ("0x7FC00000", "0x7F800000", "0xFF800000"),
    "f64": ("0x7FF8000000000000", "0x7FF0000000000000", "0xFFF0000000000000"),
}


# ---------------------------------------------------------------------------
# Number helpers
# ---------------------------------------------------------------------------

def bf16(x):
    """Rounds float32 values to bfloat16 (nearest even), kept as float32."""
    x = np.asarray(x, np.float32)
    bits = x.view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    out = rounded.astype(np.uint32).view(np.float32)
    return np.where(np.isnan(x), np.float32("nan"), out)


def as_type(x, elt):
    """`x` rounded to the element type `elt` (bf16 as float32 holding bf16)."""
    if elt == "bf16":
        return bf16(np.asarray(x, np.float32))
    return np.asarray(x).astype(NP_TYPES[elt])


def sat_int(x, bits):
    """kiln.cast float -> int: toward zero, saturating, NaN -> 0."""
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    out = []
    for v in np.asarray(x, np.float64).flat:
        if math.isnan(v):
            out.append(0)
        elif v >= 2.0 ** (bits - 1):
            out.append(hi)
        elif v < -(2.0 ** (bits - 1)):
            out.append(lo)
        else:
            out.append(int(math.trunc(v)))
    return np.array(out, np.int64).reshape(np.shape(x))


def wrap_int(x, bits):
    """Two's complement wrap of Python/NumPy ints to `bits`."""
    x = np.asarray(x, dtype=object)
    f = np.vectorize(lambda v: ((int(v) + 2 ** (bits - 1)) % 2 ** bits) - 2 ** (bits - 1),
                     otypes=[object])
    return f(x).astype(np.int64)


def fmt_float(v):
    """Shortest round-trip decimal, in a form MLIR parses (1e-06 -> 1.0e-06)."""
    s = repr(float(v))
    mantissa, e, exponent = s.partition("e")
    if e and "." not in mantissa:
        s = mantissa + ".0e" + exponent
    return s


def fmt_scalar(v, elt):
    if elt == "i1":
        return "true" if bool(v) else "false"
    if elt in ("i8", "i32", "i64"):
        return str(int(v))
    v = float(v)
    if math.isnan(v):
        return NON_FINITE[elt][0]
    if math.isinf(v):
        return NON_FINITE[elt][1 if v > 0 else 2]
    return fmt_float(v)


def fmt_dense(arr, elt):
    arr = np.asarray(arr)
    if arr.size == 0:
        return "dense<>"
    flat = arr.reshape(-1)
    if arr.size > 1 and all(fmt_scalar(v, elt) == fmt_scalar(flat[0], elt) for v in flat):
        return "dense<" + fmt_scalar(flat[0], elt) + ">"  # splat

    def rec(a):
        if a.ndim == 0:
            return fmt_scalar(a.item(), elt)
        return "[" + ", ".join(rec(s) for s in a) + "]"
    return "dense<" + rec(arr) + ">"


def tensor_type(shape, elt):
    return "tensor<" + "".join(f"{d}x" for d in shape) + elt + ">"


# ---------------------------------------------------------------------------
# Cases and file emission
# ---------------------------------------------------------------------------

class Case:
    """`body` uses %a0.. for inputs, defines %r0.. for results, and may use
    {t0}.. / {r0}.. for the input / result tensor types."""

    def __init__(self, name, body, inputs, outputs, atol=0.0, rtol=0.0):
        self.name, self.body = name, body
        self.inputs = [(np.asarray(a), e) for a, e in inputs]
        self.outputs = [(np.asarray(a), e) for a, e in outputs]
        self.atol, self.rtol = atol, rtol

    def types(self):
        tin = [tensor_type(a.shape, e) for a, e in self.inputs]
        tout = [tensor_type(a.shape, e) for a, e in self.outputs]
        return tin, tout


CHECKERS = """
// Counts elements with !(|got - want| <= atol + rtol * |want|) (NaN matches NaN)
// and prints each mismatch, then the count.
func.func @check_f64(%got: tensor<?xf64>, %want: tensor<?xf64>, %atol: f64, %rtol: f64) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %got, %c0 : tensor<?xf64>
  %zero = arith.constant 0 : i64
  %one = arith.constant 1 : i64
  %bad = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> i64 {
    %g = tensor.extract %got[%i] : tensor<?xf64>
    %w = tensor.extract %want[%i] : tensor<?xf64>
    %d = arith.subf %g, %w : f64
    %ad = math.absf %d : f64
    %aw = math.absf %w : f64
    %rt = arith.mulf %rtol, %aw : f64
    %tol = arith.addf %atol, %rt : f64
    %close = arith.cmpf ole, %ad, %tol : f64
    %same = arith.cmpf oeq, %g, %w : f64
    %gnan = arith.cmpf uno, %g, %g : f64
    %wnan = arith.cmpf uno, %w, %w : f64
    %bothnan = arith.andi %gnan, %wnan : i1
    %ok0 = arith.ori %close, %same : i1
    %ok = arith.ori %ok0, %bothnan : i1
    %next = scf.if %ok -> i64 {
      scf.yield %acc : i64
    } else {
      %ii = arith.index_cast %i : index to i64
      vector.print str "  mismatch at "
      vector.print %ii : i64 punctuation <comma>
      vector.print str " got "
      vector.print %g : f64 punctuation <comma>
      vector.print str " want "
      vector.print %w : f64
      %a = arith.addi %acc, %one : i64
      scf.yield %a : i64
    }
    scf.yield %next : i64
  }
  vector.print %bad : i64 punctuation <no_punctuation>
  vector.print str " mismatches\\n"
  return
}

// Exact comparison of integers (and bools widened to 0/1).
func.func @check_i64(%got: tensor<?xi64>, %want: tensor<?xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %got, %c0 : tensor<?xi64>
  %zero = arith.constant 0 : i64
  %one = arith.constant 1 : i64
  %bad = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> i64 {
    %g = tensor.extract %got[%i] : tensor<?xi64>
    %w = tensor.extract %want[%i] : tensor<?xi64>
    %ok = arith.cmpi eq, %g, %w : i64
    %next = scf.if %ok -> i64 {
      scf.yield %acc : i64
    } else {
      %ii = arith.index_cast %i : index to i64
      vector.print str "  mismatch at "
      vector.print %ii : i64 punctuation <comma>
      vector.print str " got "
      vector.print %g : i64 punctuation <comma>
      vector.print str " want "
      vector.print %w : i64
      %a = arith.addi %acc, %one : i64
      scf.yield %a : i64
    }
    scf.yield %next : i64
  }
  vector.print %bad : i64 punctuation <no_punctuation>
  vector.print str " mismatches\\n"
  return
}
"""


def emit_case_function(c):
    tin, tout = c.types()
    fmt = {f"t{i}": t for i, t in enumerate(tin)}
    fmt.update({f"r{i}": t for i, t in enumerate(tout)})
    args = ", ".join(f"%a{i}: {t}" for i, t in enumerate(tin))
    results = ", ".join(tout)
    lines = [f"func.func @{c.name}({args}) -> ({results}) {{"]
    for line in c.body.strip().splitlines():
        line = line.strip()
        for key, t in fmt.items():  # not str.format: attributes use braces
            line = line.replace("{" + key + "}", t)
        lines.append("  " + line)
    rets = ", ".join(f"%r{i}" for i in range(len(tout)))
    lines.append(f"  return {rets} : {results}")
    lines.append("}")
    return "\n".join(lines)


def emit_check(c, k, value, arr, elt, out):
    """Lines of main that flatten result `value`, widen it, and check it."""
    shape, n = arr.shape, arr.size
    ty = tensor_type(shape, elt)
    p = f"%{c.name}_{k}"
    flat_ty = tensor_type((n,), elt)
    if len(shape) == 1:
        flat = value
    elif len(shape) == 0:
        out.append(f"  {p}_flat = tensor.expand_shape {value} [] output_shape [1] : {ty} into {flat_ty}")
        flat = f"{p}_flat"
    else:
        group = ", ".join(str(i) for i in range(len(shape)))
        out.append(f"  {p}_flat = tensor.collapse_shape {value} [[{group}]] : {ty} into {flat_ty}")
        flat = f"{p}_flat"
    is_float = elt in FLOATS
    wide = "f64" if is_float else "i64"
    wide_ty = tensor_type((n,), wide)
    if elt != wide:
        if is_float:
            conv = f"arith.extf %in : {elt} to f64"
        elif elt == "i1":
            conv = "arith.extui %in : i1 to i64"
        else:
            conv = f"arith.extsi %in : {elt} to i64"
        out.append(f"  {p}_e = tensor.empty() : {wide_ty}")
        out.append(f"  {p}_w = linalg.generic {{indexing_maps = [affine_map<(d0) -> (d0)>, "
                   f"affine_map<(d0) -> (d0)>], iterator_types = [\"parallel\"]}} "
                   f"ins({flat} : {flat_ty}) outs({p}_e : {wide_ty}) {{")
        out.append(f"  ^bb0(%in: {elt}, %out: {wide}):")
        out.append(f"    %v = {conv}")
        out.append(f"    linalg.yield %v : {wide}")
        out.append(f"  }} -> {wide_ty}")
        flat = f"{p}_w"
    want = arr.astype(np.float64) if is_float else arr.astype(np.int64)
    out.append(f"  {p}_want = arith.constant {fmt_dense(want.reshape(-1), wide)} : {wide_ty}")
    dyn = tensor_type(("?",), wide)
    out.append(f"  {p}_got_d = tensor.cast {flat} : {wide_ty} to {dyn}")
    out.append(f"  {p}_want_d = tensor.cast {p}_want : {wide_ty} to {dyn}")
    label = c.name if len(c.outputs) == 1 else f"{c.name}#{k}"
    out.append(f"  vector.print str \"{label}: \"")
    if is_float:
        out.append(f"  {p}_atol = arith.constant {fmt_float(c.atol)} : f64")
        out.append(f"  {p}_rtol = arith.constant {fmt_float(c.rtol)} : f64")
        out.append(f"  func.call @check_f64({p}_got_d, {p}_want_d, {p}_atol, {p}_rtol) : "
                   f"({dyn}, {dyn}, f64, f64) -> ()")
    else:
        out.append(f"  func.call @check_i64({p}_got_d, {p}_want_d) : ({dyn}, {dyn}) -> ()")
    return label


def write_test(family, description, cases, expect_output=None):
    """`expect_output` maps a case label to the output lines expected instead
    of `<label>: 0 mismatches` (for the checker's self-test)."""
    expect_output = expect_output or {}
    out = [f"// RUN: kiln-opt %s -kiln-test-lower-to-llvm | %mlir-run | FileCheck %s",
           "//",
           f"// Execution test of the kiln -> linalg lowering: {description}",
           "// GENERATED by gen_exec_tests.py (NumPy computes the expected values);",
           "// edit the script and rerun it instead of editing this file.",
           ""]
    checks = []
    for c in cases:
        out.append(emit_case_function(c))
        out.append("")
    out.append(CHECKERS.strip())
    out.append("")
    out.append("func.func @main() {")
    for c in cases:
        tin, tout = c.types()
        names = []
        for i, ((a, e), t) in enumerate(zip(c.inputs, tin)):
            out.append(f"  %{c.name}_in{i} = arith.constant {fmt_dense(a, e)} : {t}")
            names.append(f"%{c.name}_in{i}")
        res = f"%{c.name}_res"
        nres = len(tout)
        lhs = res if nres == 1 else f"{res}:{nres}"
        out.append(f"  {lhs} = func.call @{c.name}({', '.join(names)}) : "
                   f"({', '.join(tin)}) -> ({', '.join(tout)})")
        for k, (arr, elt) in enumerate(c.outputs):
            value = res if nres == 1 else f"{res}#{k}"
            label = emit_check(c, k, value, arr, elt, out)
            for line in expect_output.get(label, [f"{label}: 0 mismatches"]):
                checks.append(f"// CHECK: {{{{^}}}}{line}")
    out.append("  return")
    out.append("}")
    out.append("")
    out.extend(checks)
    out.append("")
    path = os.path.join(HERE, f"{family}.mlir")
    with open(path, "w") as f:
        f.write("\n".join(out))
    print(f"wrote {path}: {len(cases)} cases")


def rand(shape, lo=-2.0, hi=2.0, elt="f32"):
    return as_type(RNG.uniform(lo, hi, size=shape), elt)
