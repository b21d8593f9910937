"""The expected-failures list: one line per node test Kiln is known to fail, with how and why.

    SOURCE/TEST  OUTCOME  REASON
    onnx-1.17.0/test_string_concat  compile  unsupported op: StringConcat

A run is checked against it: a failing test that is not listed is a regression, and so is a wrong
answer from a test listed with another outcome; a listed test that passes is reported so the line can
be removed. Changes between failure kinds and reasons are reported but do not fail the check.
"""
import dataclasses
import os

import execute

_HEADER = """\
# Expected failures of the ONNX backend node tests: SOURCE/TEST  OUTCOME  REASON.
# Written by scripts/conformance.sh --update-expected from a full run; checked by
# test/conformance/node_subset.test (a sample) and by every full run. OUTCOME is compile
# (kiln compile refused the model), run (kiln run failed) or wrong (a wrong answer: a Kiln bug, or
# a bug in the test's data where the reason says so).
"""


def read(path):
    """{test id: (outcome, reason)}."""
    expected = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 2 or parts[1] not in execute.FAILURES:
                raise SystemExit("%s:%d: expected 'SOURCE/TEST OUTCOME REASON' with OUTCOME one of "
                                 "%s, got: %s" % (path, number, ", ".join(execute.FAILURES), line))
            if parts[0] in expected:
                raise SystemExit("%s:%d: %s is listed twice" % (path, number, parts[0]))
            expected[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
    return expected


def read_ids(path):
    """The first word of every line that is not blank or a comment."""
    with open(path) as f:
        return [l.split()[0] for l in f if l.strip() and not l.lstrip().startswith("#")]


def write(path, results):
    """Writes this run's failures; entries for tests this run did not include are kept. The
    reason of a wrong answer or a failed run is written by hand where the run's own is vague (it
    only knows that the answer differs, or that an input does not match the model): it is kept
    while the test fails the same way."""
    entries = read(path) if os.path.exists(path) else {}
    for r in results:
        old = entries.pop(r.id, None)
        if r.outcome in execute.FAILURES:
            keep = r.outcome in ("wrong", "run") and old and old[0] == r.outcome and old[1]
            entries[r.id] = old if keep else (r.outcome, r.reason)
    with open(path, "w") as f:
        f.write(_HEADER)
        for test_id in sorted(entries):
            outcome, reason = entries[test_id]
            f.write(("%s  %s  %s" % (test_id, outcome, reason)).rstrip() + "\n")


@dataclasses.dataclass
class Verdict:
    regressions: list = dataclasses.field(default_factory=list)
    new_wrong: list = dataclasses.field(default_factory=list)
    known_wrong: list = dataclasses.field(default_factory=list)
    now_passing: list = dataclasses.field(default_factory=list)
    changed: list = dataclasses.field(default_factory=list)
    check_disagrees: list = dataclasses.field(default_factory=list)

    def failed(self):
        return bool(self.regressions or self.new_wrong or self.check_disagrees)

    def lines(self):
        out = []
        for r in self.regressions:
            out.append("REGRESSION: %s now fails (%s: %s) %s" % (r.id, r.outcome, r.reason, r.message))
        for r in self.new_wrong:
            out.append("WRONG ANSWER (a Kiln bug): %s %s" % (r.id, r.message))
        for r in self.check_disagrees:
            out.append("KILN CHECK DISAGREES: %s: %s" % (r.id, r.check))
        for r in self.known_wrong:
            out.append("known wrong answer (listed): %s %s" % (r.id, r.message))
        for r, was in self.changed:
            out.append("changed: %s was %s (%s), now %s (%s)" % (r.id, was[0], was[1], r.outcome, r.reason))
        for r in self.now_passing:
            out.append("now passes, remove it from the expected-failures list: %s" % r.id)
        out.append("checked against the expected failures: %d regressions, %d new wrong answers, "
                   "%d kiln check disagreements, %d known wrong answers, %d now passing, "
                   "%d changed: %s"
                   % (len(self.regressions), len(self.new_wrong), len(self.check_disagrees),
                      len(self.known_wrong), len(self.now_passing), len(self.changed),
                      "FAIL" if self.failed() else "OK"))
        return out


def check(results, expected):
    v = Verdict()
    for r in results:
        was = expected.get(r.id)
        if r.check:
            v.check_disagrees.append(r)
        if r.outcome == execute.NOT_APPLICABLE:
            continue
        if r.outcome == execute.PASS:
            if was:
                v.now_passing.append(r)
        elif r.outcome == execute.WRONG and (not was or was[0] != execute.WRONG):
            v.new_wrong.append(r)
        elif not was:
            v.regressions.append(r)
        elif r.outcome == execute.WRONG:
            v.known_wrong.append(r)
        elif (r.outcome, r.reason) != was:
            v.changed.append((r, was))
    return v
