"""Tells a wrong answer that is Kiln's from one the test data gives.

The same node test can ship with different expected outputs in different onnx releases when ONNX
settles a behaviour (older wheels expect float -> bfloat16 casts to truncate; newer ones round to
nearest even). For each wrong answer, this looks for the same test in the other sources with the same
inputs and other expected outputs, and compares Kiln's outputs with those. The report shows the
finding next to the failure. It never changes an outcome: a wrong answer stays wrong, and listed.
"""
import shutil
import tempfile

import numpy as np

import cases as cases_lib
import execute


def _first_data_set(case):
    sets = case.data_sets()
    return sets[0] if sets else None


def _same(a, b):
    return len(a) == len(b) and all(
        x.dtype == y.dtype and x.shape == y.shape and
        np.array_equal(x, y, equal_nan=x.dtype.kind == "f") for x, y in zip(a, b))


def _note(case, other, kiln, work):
    info = cases_lib.read_model(case)
    mine, theirs = _first_data_set(case), _first_data_set(other)
    if not mine or not theirs:
        return ""
    my_inputs, my_outputs = cases_lib.read_data_set(mine, info)
    their_inputs, their_outputs = cases_lib.read_data_set(theirs, cases_lib.read_model(other))
    if not _same(list(my_inputs.values()), list(their_inputs.values())) or \
            _same(my_outputs, their_outputs):
        return ""
    outcome, _, _, actual = execute.compile_and_run(case, info, mine, kiln, work)
    if outcome:
        return ""
    rtol, atol = other.tolerances()
    if execute.differences(info, actual, their_outputs, rtol, atol):
        return "%s's data expects other outputs for the same inputs; Kiln matches neither" % other.source
    return ("%s's data expects other outputs for the same inputs, and Kiln's match those: the test "
            "data changed between onnx releases" % other.source)


def notes(results, cases_by_id, kiln):
    """{test id: a note} for the wrong answers that another source's data explains."""
    by_name = {}
    for case in cases_by_id.values():
        by_name.setdefault(case.name, []).append(case)
    out = {}
    work = tempfile.mkdtemp(prefix="kiln-crosscheck-")
    try:
        for r in results:
            if r.outcome != execute.WRONG:
                continue
            for other in by_name.get(r.name, []):
                if other.source == r.source:
                    continue
                try:
                    note = _note(cases_by_id[r.id], other, kiln, work)
                except Exception:  # data this onnx cannot decode: no note, the failure stands
                    note = ""
                if note:
                    out[r.id] = note
                    break
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out
