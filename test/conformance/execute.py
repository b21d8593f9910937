"""Runs one node test through `kiln compile` and `kiln run` and compares with its expected outputs.

It also asks `kiln check` about the model, which must agree with the compile: no problem when the
compile succeeds, and a problem when it fails. A disagreement is a Kiln bug, reported with the test.

Inputs that must be compile-time constants (Reshape's shape, Slice's starts, ...) are frozen with
`--constant NAME=FILE.npy` to the data set's value, as the compile error suggests: a test compiles
once per data set then, and only the other inputs are passed to `kiln run`.

Compiles are cached per test under the cache folder, keyed by everything that decides the result:
the kiln binary's bytes, the host CPU (artifacts are compiled for it), the model's bytes, the
--shape bindings and the --constant values. A cached failure keeps its error output, so a rerun after a change elsewhere only
compiles what changed. Runs are never cached: they are cheap, and a run is the thing under test.
Entries of other kiln binaries are deleted when a run starts, so the cache holds one build's compiles.
"""
import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import numpy as np

import cases as cases_lib
import classify

COMPILE_TIMEOUT_S = 300
# What a compile error says when an input must be frozen; the name is the graph input's.
CONSTANT_HINT = re.compile(r"--constant (.+?)=FILE\.npy")
RUN_TIMEOUT_S = 120

# Outcomes, in the order the report lists them.
PASS, WRONG, COMPILE, RUN, NOT_APPLICABLE = "pass", "wrong", "compile", "run", "n/a"
FAILURES = (WRONG, COMPILE, RUN)


@dataclasses.dataclass
class Result:
    id: str
    source: str
    name: str
    op: str
    expanded: bool
    outcome: str
    reason: str = ""  # classify.py's category and detail, e.g. "unsupported op: StringConcat"
    message: str = ""  # the first error line, or what differed
    seconds: float = 0.0
    check: str = ""  # how `kiln check` disagrees with the compile; "" when it agrees


def _sha256_file(path, h=None):
    h = h or hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h


def _host_cpu():
    """The CPU model and flags: artifacts are compiled for the host, so they key the cache."""
    try:
        with open("/proc/cpuinfo") as f:
            lines = [l for l in f if l.startswith(("model name", "flags"))]
        return "".join(sorted(set(lines)))
    except OSError:
        return ""


class Kiln:
    def __init__(self, binary, cache_root):
        self.binary = os.path.abspath(binary)
        if not os.access(self.binary, os.X_OK):
            raise SystemExit("no kiln binary at %s (build it first)" % self.binary)
        h = _sha256_file(self.binary)
        h.update(_host_cpu().encode())
        self.identity = h.hexdigest()
        self.cache_dir = os.path.join(os.path.abspath(cache_root), self.identity[:16])
        if os.path.isdir(cache_root):
            for old in os.listdir(cache_root):
                if old != self.identity[:16] and re.fullmatch(r"[0-9a-f]{16}", old):
                    shutil.rmtree(os.path.join(cache_root, old), ignore_errors=True)

    def _entry(self, model_path, shapes, constants):
        h = hashlib.sha256(self.identity.encode())
        _sha256_file(model_path, h)
        h.update(json.dumps(sorted(shapes.items())).encode())
        for name, value in sorted(constants.items()):
            h.update(json.dumps([name, str(value.dtype), list(value.shape)]).encode())
            h.update(np.ascontiguousarray(value).tobytes())
        return os.path.join(self.cache_dir, h.hexdigest()[:32])

    @staticmethod
    def _flags(shapes, constants, folder):
        """--shape and --constant flags; the constants' .npy files are written into `folder`."""
        args = []
        for name, dims in sorted(shapes.items()):
            args += ["--shape", "%s=%s" % (name, "x".join(map(str, dims)))]
        for i, (name, value) in enumerate(sorted(constants.items())):
            path = os.path.join(folder, "constant_%d.npy" % i)
            np.save(path, value)
            args += ["--constant", "%s=%s" % (name, path)]
        return args

    def compile(self, model_path, shapes, constants=None):
        """(artifact folder or None, the compile's stderr, seconds spent here)."""
        constants = constants or {}
        entry = self._entry(model_path, shapes, constants)
        record = os.path.join(entry, "compile.json")
        start = time.monotonic()
        if not os.path.exists(record):
            self._compile_into(entry, model_path, shapes, constants)
        with open(record) as f:
            done = json.load(f)
        artifact = os.path.join(entry, "artifact") if done["ok"] else None
        return artifact, done["stderr"], time.monotonic() - start

    def _compile_into(self, entry, model_path, shapes, constants):
        # Built in a private folder and renamed into place, so a killed run leaves no half entry.
        os.makedirs(self.cache_dir, exist_ok=True)
        work = tempfile.mkdtemp(dir=self.cache_dir, prefix=".tmp-")
        args = [self.binary, "compile", model_path, "-o", os.path.join(work, "artifact")]
        args += self._flags(shapes, constants, work)
        try:
            proc = subprocess.run(args, capture_output=True, text=True, errors="replace",
                                  timeout=COMPILE_TIMEOUT_S)
            ok, stderr = proc.returncode == 0, proc.stderr
            if proc.returncode < 0:
                stderr += "\nkiln compile was killed by signal %d" % -proc.returncode
        except subprocess.TimeoutExpired:
            ok, stderr = False, "kiln compile timed out after %d s" % COMPILE_TIMEOUT_S
        with open(os.path.join(work, "compile.json"), "w") as f:
            json.dump({"ok": ok, "stderr": stderr}, f)
        try:
            os.rename(work, entry)
        except OSError:  # another process cached the same compile first
            shutil.rmtree(work, ignore_errors=True)

    def check(self, model_path, shapes, constants=None):
        """`kiln check --json`'s report (None if it did not give one) and its exit status; cached
        beside the compile."""
        constants = constants or {}
        record = os.path.join(self._entry(model_path, shapes, constants), "check.json")
        if not os.path.exists(record):
            folder = tempfile.mkdtemp(dir=self.cache_dir, prefix=".check-")
            args = [self.binary, "check", model_path, "--json"]
            args += self._flags(shapes, constants, folder)
            try:
                proc = subprocess.run(args, capture_output=True, text=True, errors="replace",
                                      timeout=COMPILE_TIMEOUT_S)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            try:
                report = json.loads(proc.stdout)
            except ValueError:
                report = None
            tmp = "%s.%d.tmp" % (record, os.getpid())
            with open(tmp, "w") as f:
                json.dump({"rc": proc.returncode, "report": report, "stderr": proc.stderr}, f)
            os.replace(tmp, record)
        with open(record) as f:
            done = json.load(f)
        return done["report"], done["rc"], done["stderr"]

    def run(self, artifact, inputs, work):
        """({output name: array}, error text or "")."""
        args = [self.binary, "run", artifact, "--output-dir", os.path.join(work, "out")]
        for i, (name, value) in enumerate(inputs.items()):
            path = os.path.join(work, "input_%d.npy" % i)
            np.save(path, value)
            args += ["--input", "%s=%s" % (name, path)]
        try:
            proc = subprocess.run(args, capture_output=True, text=True, errors="replace",
                                  timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return None, "kiln run timed out after %d s" % RUN_TIMEOUT_S
        if proc.returncode != 0:
            why = classify.first_error_line(proc.stderr)
            if proc.returncode < 0:
                why = "kiln run was killed by signal %d %s" % (-proc.returncode, why)
            return None, why or "kiln run exited with %d" % proc.returncode
        return _read_outputs(artifact, os.path.join(work, "out")), ""


def _read_outputs(artifact, out_dir):
    manifest = next(f for f in os.listdir(artifact) if f.endswith(".json"))
    with open(os.path.join(artifact, manifest)) as f:
        entry = next(e for e in json.load(f)["entry_points"] if e["name"] == "run")
    outputs = {}
    for o in entry["outputs"]:
        stem = "".join(c if c.isalnum() or c in "._-" else "_" for c in o["name"])
        stem = "_" + stem if stem.startswith(".") else stem
        outputs[o["name"]] = np.load(os.path.join(out_dir, stem + ".npy"))
    return outputs


def compare(actual, expected, rtol, atol, bfloat16=False, float8=None):
    """"" if `actual` matches `expected` as onnx's backend runner decides (same dtype and shape;
    integers and bools exactly; floats with assert_allclose, NaN equal to NaN; bfloat16 to at
    least rtol 2^-6, two bfloat16 ULPs, as onnx 1.23's runner does: rtol 1e-3 is below one ULP, and
    the references' bfloat16 sums accumulate in bfloat16 or in float32 depending on the op; float8,
    the TensorProto type `float8`, by value, as the runner compares ml_dtypes arrays: any NaN equals
    any NaN); else what differs."""
    if actual.dtype != expected.dtype:
        return "dtype %s, expected %s" % (actual.dtype, expected.dtype)
    if actual.shape != expected.shape:
        return "shape %s, expected %s" % (actual.shape, expected.shape)
    if bfloat16:
        actual, expected = cases_lib.bits_to_float32(actual), cases_lib.bits_to_float32(expected)
        rtol = max(rtol, 2.0 ** -6)
    if float8:
        actual = cases_lib.float8_to_float32(actual, float8)
        expected = cases_lib.float8_to_float32(expected, float8)
    if not np.issubdtype(expected.dtype, np.number):  # bools and strings: exact
        return "" if actual.tolist() == expected.tolist() else "values differ"
    try:
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)
    except AssertionError as e:
        lines = [l.strip() for l in str(e).splitlines() if l.strip()]
        detail = [l for l in lines if l.startswith(("Mismatched", "Max absolute", "Max relative"))]
        return "; ".join(detail) or lines[0]
    return ""


def shape_bindings(info, data_set):
    """--shape for the inputs with symbolic dims, from this data set; static ones need none."""
    return {v.name: cases_lib.input_dims(data_set, k)
            for k, v in enumerate(info.inputs) if not cases_lib.is_static(v)}


def compile_for(case, info, data_set, kiln):
    """Compiles the test for this data set, freezing each input the compile asks to be constant
    (--constant) to the data set's value: (artifact or None, stderr, {frozen name: value}, shapes)."""
    bindings = shape_bindings(info, data_set)
    constants, inputs = {}, None
    while True:
        shapes = {k: v for k, v in bindings.items() if k not in constants}
        artifact, stderr, _ = kiln.compile(case.model_path, shapes, constants)
        if artifact is not None:
            return artifact, stderr, constants, shapes
        hint = CONSTANT_HINT.search(classify.first_error_line(stderr))
        name = hint.group(1) if hint else None
        if name is None or name in constants:
            return None, stderr, constants, shapes
        if inputs is None:  # read only when needed: some data sets need a newer onnx to read
            inputs, _ = cases_lib.read_data_set(data_set, info)
        if name not in inputs:
            return None, stderr, constants, shapes
        constants[name] = inputs[name]


def compile_and_run(case, info, data_set, kiln, work):
    """(outcome, reason, message, actual outputs): outcome None when Kiln ran the data set."""
    artifact, stderr, constants, _ = compile_for(case, info, data_set, kiln)
    if artifact is None:
        line = classify.first_error_line(stderr)
        return COMPILE, classify.compile_reason(line), line, None
    inputs, _ = cases_lib.read_data_set(data_set, info)
    inputs = {k: v for k, v in inputs.items() if k not in constants}
    actual, error = kiln.run(artifact, inputs, work)
    if actual is None:
        return RUN, classify.run_reason(error), error, None
    return None, "", "", actual


def check_disagreement(case, info, data_set, kiln, compiled):
    """"" when `kiln check` agrees with the compile of this data set's shapes; else how not."""
    _, _, constants, shapes = compile_for(case, info, data_set, kiln)  # cached: no recompile
    report, rc, stderr = kiln.check(case.model_path, shapes, constants)
    if report is None or rc not in (0, 1):
        return "kiln check exited with %d and no report: %s" % (rc, classify.first_error_line(stderr))
    if report["ok"] != (rc == 0):
        return "kiln check exited with %d but its report says ok=%s" % (rc, report["ok"])
    if compiled and not report["ok"]:
        return "kiln compile succeeded, but kiln check reports: " + report["problems"][0]["message"]
    if not compiled and report["ok"]:
        return "kiln compile failed, but kiln check found no problem"
    return ""


def differences(info, actual, expected, rtol, atol):
    """What differs between Kiln's outputs and the expected ones; "" if nothing."""
    for v, want in zip(info.outputs, expected):
        if v.name not in actual:
            return "no output '%s'" % v.name
        elem_type = v.type.tensor_type.elem_type
        bf16 = elem_type == cases_lib.onnx.TensorProto.BFLOAT16
        float8 = elem_type if elem_type in cases_lib.FLOAT8 else None
        diff = compare(actual[v.name], want, rtol, atol, bf16, float8)
        if diff:
            return "output '%s': %s" % (v.name, diff)
    return ""


def run_case(case, kiln, scratch_root):
    start = time.monotonic()
    info = cases_lib.read_model(case)
    base = dict(id=case.id, source=case.source, name=case.name, op=cases_lib.main_op(info.ops),
                expanded=case.expanded)

    def result(outcome, reason="", message="", check=""):
        return Result(outcome=outcome, reason=reason, message=message, check=check,
                      seconds=round(time.monotonic() - start, 3), **base)

    if info.not_applicable:
        return result(NOT_APPLICABLE, "not a plain-tensor test", info.not_applicable)
    data_sets = case.data_sets()
    if not data_sets:
        return result(NOT_APPLICABLE, "no data sets", "the test has no test_data_set_N folder")
    rtol, atol = case.tolerances()
    work = tempfile.mkdtemp(dir=scratch_root, prefix=case.name + "-")
    check = ""
    try:
        for data_set in data_sets:
            outcome, reason, message, actual = compile_and_run(case, info, data_set, kiln, work)
            if data_set == data_sets[0]:
                check = check_disagreement(case, info, data_set, kiln, outcome != COMPILE)
            if outcome:
                return result(outcome, reason, message, check)
            _, expected = cases_lib.read_data_set(data_set, info)
            diff = differences(info, actual, expected, rtol, atol)
            if diff:
                return result(WRONG, "wrong answer", "%s, %s" % (os.path.basename(data_set), diff),
                              check)
        return result(PASS, check=check)
    finally:
        shutil.rmtree(work, ignore_errors=True)
