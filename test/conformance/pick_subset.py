#!/usr/bin/env python3
"""Picks the CI sample of node tests from a full run's results.

    pick_subset.py RESULTS.json SOURCE > test/conformance/ci_subset.txt

From SOURCE's tests, by name: per op, the first two passing node tests and the first passing expanded
test (what must keep passing), the first failing test of each kind of failure (what must not turn
into a wrong answer), and two not-applicable tests (the runner must keep telling them apart). The
sample is fixed once written; rerun this only to refresh it after big changes.
"""
import collections
import json
import sys


def key_and_limit(r):
    if r["outcome"] == "n/a":
        return ("n/a",), 2
    if r["outcome"] == "pass":
        return ("pass", r["op"], r["expanded"]), 1 if r["expanded"] else 2
    return ("fail", r["op"], r["outcome"], r["reason"].split(":")[0]), 1


def main(results_path, source):
    with open(results_path) as f:
        results = [r for r in json.load(f) if r["source"] == source]
    taken = collections.Counter()
    picked = []
    for r in sorted(results, key=lambda r: r["name"]):
        key, limit = key_and_limit(r)
        if taken[key] < limit:
            taken[key] += 1
            picked.append(r)
    outcomes = collections.Counter(r["outcome"] for r in picked)
    print("# The CI sample of ONNX node tests (test/conformance/node_subset.test), written by")
    print("# pick_subset.py from a full run: %d tests (%s)." % (
        len(picked), ", ".join("%s %d" % kv for kv in sorted(outcomes.items()))))
    for r in picked:
        print(r["id"])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1].strip())
    main(*sys.argv[1:])
