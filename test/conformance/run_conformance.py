#!/usr/bin/env python3
"""Runs ONNX backend node tests through `kiln compile` + `kiln run`.

    run_conformance.py --kiln build/bin/kiln --cache build/conformance/cache \\
        --source onnx-1.17.0=.venv/.../onnx/backend/test/data/node [--source NAME=DIR ...] \\
        [--tests LIST] [--expected expected_failures.txt] [--write-expected FILE] \\
        [--results FILE.json] [--doc docs/conformance.md] [-j 2]

Every test ends as one of: pass; wrong (Kiln compiled and ran it and the answer differs: a Kiln bug);
compile (kiln compile refused it, with the first error line and a reason); run (kiln run failed);
n/a (an input or output is a sequence, map or optional, which the test is not about).
`kiln check` is asked about every model too, and must agree with the compile.

With --expected, the exit status is 1 if any test that is not listed there fails, any test gives a
wrong answer that is not listed as one, or kiln check disagrees with kiln compile; listed tests that
now pass are reported so the list can be pruned (--write-expected rewrites it from this run).
scripts/conformance.sh is the one-command full run.
"""
import argparse
import concurrent.futures
import json
import os
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases as cases_lib  # noqa: E402
import crosscheck  # noqa: E402
import execute  # noqa: E402
import expectations  # noqa: E402
import report  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kiln", required=True, help="the kiln binary")
    p.add_argument("--cache", required=True, help="folder for cached compiles")
    p.add_argument("--source", action="append", default=[], metavar="NAME=DIR",
                   help="a test-data source: its name in reports and its node-test folder")
    p.add_argument("--onnx-wheel-source", action="store_true",
                   help="add the node tests shipped in this Python's onnx wheel as source "
                        "onnx-VERSION")
    p.add_argument("--tests", help="run only the test ids (SOURCE/TEST) listed in this file")
    p.add_argument("--expected", help="the expected-failures list to check this run against")
    p.add_argument("--write-expected", help="write this run's failures as an expected-failures list")
    p.add_argument("--results", help="write every test's result here (JSON)")
    p.add_argument("--doc", help="write the Markdown conformance report here")
    p.add_argument("-j", "--jobs", type=int, default=2, help="tests run at once (default: 2)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary and problems")
    args = p.parse_args(argv)
    sources = []
    for s in args.source:
        name, sep, folder = s.partition("=")
        if not sep or not name or not folder:
            p.error("--source expects NAME=DIR, got '%s'" % s)
        sources.append((name, folder))
    if args.onnx_wheel_source:
        sources.append(onnx_wheel_source())
    if not sources:
        p.error("give at least one --source or --onnx-wheel-source")
    args.source = sources
    return args


def onnx_wheel_source():
    import onnx
    folder = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
    return "onnx-" + onnx.__version__, folder


def select(all_cases, tests_file):
    if not tests_file:
        return all_cases
    wanted = expectations.read_ids(tests_file)
    by_id = {c.id: c for c in all_cases}
    missing = [t for t in wanted if t not in by_id]
    if missing:
        raise SystemExit("%s names tests that do not exist: %s" % (tests_file, ", ".join(missing[:5])))
    return [by_id[t] for t in wanted]


def run_one(case, kiln, scratch):
    try:
        return execute.run_case(case, kiln, scratch)
    except Exception:  # a runner bug must not hide the other results
        last = traceback.format_exc().strip().splitlines()[-1]
        return execute.Result(id=case.id, source=case.source, name=case.name, op="?",
                              expanded=case.expanded, outcome=execute.RUN,
                              reason="runner error", message=last)


def run_all(selected, kiln, jobs, quiet):
    results = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kiln-conformance-") as scratch, \
            concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_one, c, kiln, scratch) for c in selected]
        for i, future in enumerate(futures):
            r = future.result()
            results.append(r)
            loud = r.outcome == execute.WRONG or r.reason == "runner error" or r.check
            if loud or not quiet:
                tag = "WRONG ANSWER" if r.outcome == execute.WRONG else r.outcome
                print("[%d/%d] %-8s %s %s" % (i + 1, len(selected), tag, r.id,
                                              ("(%s) %s" % (r.reason, r.message)) if r.reason else ""),
                      flush=True)
            if r.check:
                print("  KILN CHECK DISAGREES: %s" % r.check, flush=True)
    return results, time.monotonic() - start


def main(argv):
    args = parse_args(argv)
    all_cases = []
    for name, folder in args.source:
        all_cases += cases_lib.find_cases(name, folder)
    selected = select(all_cases, args.tests)
    kiln = execute.Kiln(args.kiln, args.cache)
    results, seconds = run_all(selected, kiln, args.jobs, args.quiet)

    for line in report.summary_lines(results):
        print(line)
    print("%d tests in %.0f s with %d jobs" % (len(results), seconds, args.jobs))
    if args.results:
        with open(args.results, "w") as f:
            json.dump([r.__dict__ for r in results], f, indent=1)
    notes = crosscheck.notes(results, {c.id: c for c in all_cases}, kiln)
    for test_id, note in sorted(notes.items()):
        print("note on the wrong answer of %s: %s" % (test_id, note))
    if args.doc:
        report.write_doc(args.doc, results, [n for n, _ in args.source], notes)
    if args.write_expected:
        expectations.write(args.write_expected, results)
    if args.expected:
        verdict = expectations.check(results, expectations.read(args.expected))
        for line in verdict.lines():
            print(line)
        return 1 if verdict.failed() else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
