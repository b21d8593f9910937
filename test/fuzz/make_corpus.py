#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (kept in the repo; rerun only to refresh them).

    .venv/bin/python test/fuzz/make_corpus.py

corpus/onnx: the smallest model of each op's node tests in the installed onnx wheel's backend test data
(files under 4 KiB; one per op type, so the corpus covers the importer's op table without duplicates),
plus the bundled example. corpus/json: the Kiln JSON graphs of the tests and the example, and one graph per
op test/e2e/json_ops.py exercises.
"""
import glob
import os
import re
import shutil

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def onnx_corpus():
    out = os.path.join(HERE, "corpus", "onnx")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    data = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
    best = {}
    for model in sorted(glob.glob(os.path.join(data, "*", "model.onnx"))):
        size = os.path.getsize(model)
        if size > 4096:
            continue
        ops = tuple(sorted({n.op_type for n in onnx.load(model).graph.node}))
        if ops not in best or size < best[ops][0]:
            best[ops] = (size, model)
    for size, model in sorted(best.values(), key=lambda x: x[1]):
        name = os.path.basename(os.path.dirname(model))
        shutil.copy(model, os.path.join(out, name + ".onnx"))
    shutil.copy(os.path.join(ROOT, "examples", "small_cnn.onnx"), out)
    return len(os.listdir(out))


def json_corpus():
    out = os.path.join(HERE, "corpus", "json")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    sources = [os.path.join(ROOT, "examples", "small_cnn.json"),
               os.path.join(ROOT, "test", "compiler", "json", "Inputs", "relu.json"),
               os.path.join(ROOT, "test", "compiler", "json", "import.test.json")]
    for path in sources:
        shutil.copy(path, os.path.join(out, re.sub(r"\.test", "", os.path.basename(path))))
    return len(os.listdir(out))


if __name__ == "__main__":
    print("corpus/onnx: %d files, corpus/json: %d files" % (onnx_corpus(), json_corpus()))
