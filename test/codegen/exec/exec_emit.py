"""Emits the execution tests of the kiln -> linalg lowering (test/codegen/exec/*.mlir).

Each case is a small kiln function, its inputs, and the expected outputs computed
here with NumPy (references written from the ops' definitions in ir/KilnOps.td,
not from the lowering). The generated test compiles every case with the shipped pipeline
(`kiln-opt -kiln-pipeline`, each case one entry point of the artifact), runs
`main` with mlir-cpu-runner, which calls each case's C entry point and
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


# The checkers read the results through plain pointers (what the artifact's C
# entry points write to), widen each element to f64 or i64, and compare.
CHECK_TYPES = {
    "f16": ("f64", "arith.extf {v} : f16 to f64"),
    "bf16": ("f64", "arith.extf {v} : bf16 to f64"),
    "f32": ("f64", "arith.extf {v} : f32 to f64"),
    "f64": ("f64", None),
    "i1": ("i64", "arith.extui {v} : i1 to i64"),
    "i8": ("i64", "arith.extsi {v} : i8 to i64"),
    "i32": ("i64", "arith.extsi {v} : i32 to i64"),
    "i64": ("i64", None),
}


def checker(elt):
    """@check_<elt>(got, want, n[, atol, rtol]): counts elements with
    !(|got - want| <= atol + rtol * |want|) (NaN matches NaN; integers
    exactly), prints each mismatch, then the count."""
    wide, conv = CHECK_TYPES[elt]
    is_float = wide == "f64"
    params = "%got: !llvm.ptr, %want: !llvm.ptr, %n: index" + (
        ", %atol: f64, %rtol: f64" if is_float else "")
    widen = f"%g = {conv.format(v='%gn')}" if conv else "%g = arith.addi %gn, %zero : i64" \
        if not is_float else "%g = arith.addf %gn, %fzero : f64"
    if is_float:
        compare = """%d = arith.subf %g, %w : f64
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
    %ok = arith.ori %ok0, %bothnan : i1"""
    else:
        compare = "%ok = arith.cmpi eq, %g, %w : i64"
    return f"""func.func @check_{elt}({params}) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0 : i64
  %fzero = arith.constant 0.0 : f64
  %one = arith.constant 1 : i64
  %bad = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> i64 {{
    %ii = arith.index_cast %i : index to i64
    %gp = llvm.getelementptr %got[%ii] : (!llvm.ptr, i64) -> !llvm.ptr, {elt}
    %gn = llvm.load %gp : !llvm.ptr -> {elt}
    {widen}
    %wp = llvm.getelementptr %want[%ii] : (!llvm.ptr, i64) -> !llvm.ptr, {wide}
    %w = llvm.load %wp : !llvm.ptr -> {wide}
    {compare}
    %next = scf.if %ok -> i64 {{
      scf.yield %acc : i64
    }} else {{
      vector.print str "  mismatch at "
      vector.print %ii : i64 punctuation <comma>
      vector.print str " got "
      vector.print %g : {wide} punctuation <comma>
      vector.print str " want "
      vector.print %w : {wide}
      %a = arith.addi %acc, %one : i64
      scf.yield %a : i64
    }}
    scf.yield %next : i64
  }}
  vector.print %bad : i64 punctuation <no_punctuation>
  vector.print str " mismatches\\n"
  return
}}"""


def emit_case_function(c):
    """The case as a model function: the entry point `<case>` of the test's
    artifact (C symbol t_<case>)."""
    tin, tout = c.types()
    fmt = {f"t{i}": t for i, t in enumerate(tin)}
    fmt.update({f"r{i}": t for i, t in enumerate(tout)})
    args = ", ".join(f"%a{i}: {t}" for i, t in enumerate(tin))
    results = ", ".join(tout)
    lines = [f"func.func @{c.name}({args}) -> ({results}) "
             f"attributes {{kiln.entry_point = \"{c.name}\"}} {{"]
    for line in c.body.strip().splitlines():
        line = line.strip()
        for key, t in fmt.items():  # not str.format: attributes use braces
            line = line.replace("{" + key + "}", t)
        lines.append("  " + line)
    rets = ", ".join(f"%r{i}" for i in range(len(tout)))
    lines.append(f"  return {rets} : {results}")
    lines.append("}")
    return "\n".join(lines)


def memref_type(shape, elt):
    return "memref<" + "".join(f"{d}x" for d in shape) + elt + ">"


def pointer_of(value, ty, name, out):
    """Lines of main that take the data pointer of memref `value`."""
    out.append(f"  {name}_i = memref.extract_aligned_pointer_as_index {value} : {ty} -> index")
    out.append(f"  {name}_l = arith.index_cast {name}_i : index to i64")
    out.append(f"  {name} = llvm.inttoptr {name}_l : i64 to !llvm.ptr")
    return name


def pointer_array(pointers, name, out):
    """Lines of main that build a C array of `pointers` on the stack."""
    out.append(f"  {name}_n = arith.constant {max(len(pointers), 1)} : i64")
    out.append(f"  {name} = llvm.alloca {name}_n x !llvm.ptr : (i64) -> !llvm.ptr")
    for i, p in enumerate(pointers):
        out.append(f"  {name}_{i} = llvm.getelementptr {name}[{i}] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr")
        out.append(f"  llvm.store {p}, {name}_{i} : !llvm.ptr, !llvm.ptr")
    return name


def write_test(family, description, cases, expect_output=None):
    """`expect_output` maps a case label to the output lines expected instead
    of `<label>: 0 mismatches` (for the checker's self-test)."""
    expect_output = expect_output or {}
    out = [f"// RUN: kiln-opt %s -kiln-pipeline=\"name=t\" | %mlir-run | FileCheck %s",
           "//",
           f"// Execution test of the kiln ops through the shipped pipeline: {description}",
           "// Each case is an entry point of one artifact (kiln.entry_point); @main calls",
           "// its C entry point t_<case> as a program would and checks every output.",
           "// GENERATED by gen_exec_tests.py (NumPy computes the expected values);",
           "// edit the script and rerun it instead of editing this file.",
           ""]
    checks, globals_, body, used = [], [], [], set()
    for c in cases:
        out.append(emit_case_function(c))
        out.append("")
    for c in cases:
        tin, tout = c.types()
        ins, outs = [], []
        for i, (a, e) in enumerate(c.inputs):
            if a.size == 0:
                body.append(f"  %{c.name}_in{i} = llvm.mlir.zero : !llvm.ptr")
                ins.append(f"%{c.name}_in{i}")
                continue
            ty = memref_type(a.shape, e)
            globals_.append(f"memref.global \"private\" constant @{c.name}_in{i} : {ty} = "
                            f"{fmt_dense(a, e)}")
            body.append(f"  %{c.name}_in{i}_m = memref.get_global @{c.name}_in{i} : {ty}")
            ins.append(pointer_of(f"%{c.name}_in{i}_m", ty, f"%{c.name}_in{i}", body))
        for k, (arr, elt) in enumerate(c.outputs):
            if arr.size == 0:
                body.append(f"  %{c.name}_out{k} = llvm.mlir.zero : !llvm.ptr")
                outs.append(f"%{c.name}_out{k}")
                continue
            ty = memref_type(arr.shape, elt)
            body.append(f"  %{c.name}_out{k}_m = memref.alloc() : {ty}")
            outs.append(pointer_of(f"%{c.name}_out{k}_m", ty, f"%{c.name}_out{k}", body))
        pin = pointer_array(ins, f"%{c.name}_ins", body)
        pout = pointer_array(outs, f"%{c.name}_outs", body)
        globals_.append(f"llvm.func @t_{c.name}(!llvm.ptr, !llvm.ptr) -> i32")
        body.append(f"  %{c.name}_code = llvm.call @t_{c.name}({pin}, {pout}) : "
                    f"(!llvm.ptr, !llvm.ptr) -> i32")
        body.append(f"  vector.print str \"{c.name} returned \"")
        body.append(f"  vector.print %{c.name}_code : i32")
        checks.append(f"// CHECK: {{{{^}}}}{c.name} returned 0")
        for k, (arr, elt) in enumerate(c.outputs):
            label = c.name if len(c.outputs) == 1 else f"{c.name}#{k}"
            for line in expect_output.get(label, [f"{label}: 0 mismatches"]):
                checks.append(f"// CHECK: {{{{^}}}}{line}")
            body.append(f"  vector.print str \"{label}: \"")
            if arr.size == 0:
                body.append("  vector.print str \"0 mismatches\\n\"")
                continue
            wide = CHECK_TYPES[elt][0]
            want = arr.astype(np.float64) if wide == "f64" else arr.astype(np.int64)
            wty = memref_type((arr.size,), wide)
            globals_.append(f"memref.global \"private\" constant @{c.name}_want{k} : {wty} = "
                            f"{fmt_dense(want.reshape(-1), wide)}")
            body.append(f"  %{c.name}_want{k}_m = memref.get_global @{c.name}_want{k} : {wty}")
            wp = pointer_of(f"%{c.name}_want{k}_m", wty, f"%{c.name}_want{k}", body)
            body.append(f"  %{c.name}_n{k} = arith.constant {arr.size} : index")
            used.add(elt)
            if wide == "f64":
                body.append(f"  %{c.name}_atol{k} = arith.constant {fmt_float(c.atol)} : f64")
                body.append(f"  %{c.name}_rtol{k} = arith.constant {fmt_float(c.rtol)} : f64")
                body.append(f"  func.call @check_{elt}(%{c.name}_out{k}, {wp}, %{c.name}_n{k}, "
                            f"%{c.name}_atol{k}, %{c.name}_rtol{k}) : "
                            f"(!llvm.ptr, !llvm.ptr, index, f64, f64) -> ()")
            else:
                body.append(f"  func.call @check_{elt}(%{c.name}_out{k}, {wp}, %{c.name}_n{k}) : "
                            f"(!llvm.ptr, !llvm.ptr, index) -> ()")
    out.extend(globals_)
    out.append("")
    for elt in sorted(used):
        out.append(checker(elt))
        out.append("")
    out.append("func.func @main() {")
    out.extend(body)
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
