# TfIdfVectorizer against onnxruntime: TF, IDF and TFIDF, with and without
# weights; int64 [N, C] and int32 [C] inputs; uni-, bi- and trigrams with
# skips; output indices that are permuted and leave gaps; pool n-grams of
# sizes outside [min_gram_length, max_gram_length] (never counted); rows too
# short for the longest n-grams. Each model is checked on several random inputs drawn
# from a small vocabulary, so n-grams do occur.
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(5)


def save(name, shape, dtype, **attrs):
    elem = {np.int64: TensorProto.INT64, np.int32: TensorProto.INT32}[dtype]
    node = helper.make_node("TfIdfVectorizer", ["x"], ["y"], **attrs)
    graph = helper.make_graph([node], name, [helper.make_tensor_value_info("x", elem, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    return path


def check(name, shape, dtype, vocabulary, trials=4, **attrs):
    path = save(name, shape, dtype, **attrs)
    artifact = kt.compile_model(path, os.path.join(work, name))
    for trial in range(trials):
        x = rng.integers(0, vocabulary, size=shape).astype(dtype)
        want = kt.onnxruntime_outputs(path, {"x": x})["y"]
        got = kt.run_artifact(artifact, {"x": x})["y"]
        assert got.dtype == want.dtype and got.shape == want.shape, \
            "%s: y is %s %s, onnxruntime's %s %s" % (name, got.dtype, got.shape, want.dtype,
                                                     want.shape)
        assert np.array_equal(got, want), "%s (x = %s): y differs:\n%s\nvs onnxruntime\n%s" % (
            name, x.tolist(), got, want)
        assert want.any() or trial < trials - 1 or name.endswith("_short"), \
            "%s: no n-gram ever occurred; the test checks nothing" % name
    print("%s: y %s matches onnxruntime on %d inputs" % (name, got.shape, trials))


# Unigrams [2, 3, 5, 7] and bigrams [(2, 3), (3, 2), (5, 5)], output indices
# permuted; weights (one per n-gram, as onnxruntime requires) apply by output
# index.
POOL = [2, 3, 5, 7, 2, 3, 3, 2, 5, 5]
COUNTS = [0, 4]
INDEXES = [6, 0, 4, 2, 3, 1, 5]
WEIGHTS = [0.5, 1.5, 2.0, 0.0, 3.0, 0.25, 4.0]

check("tf_uni_bigrams_skip2", [3, 12], np.int64, 8, mode="TF", min_gram_length=1,
      max_gram_length=2, max_skip_count=2, ngram_counts=COUNTS, ngram_indexes=INDEXES,
      pool_int64s=POOL)
# Output indices with gaps (output size 10): the gaps stay 0.
check("tf_index_gaps", [2, 12], np.int64, 8, mode="TF", min_gram_length=1,
      max_gram_length=2, max_skip_count=0, ngram_counts=COUNTS,
      ngram_indexes=[9, 0, 4, 2, 7, 1, 5], pool_int64s=POOL)
check("idf_weights_int32_1d", [15], np.int32, 8, mode="IDF", min_gram_length=1,
      max_gram_length=2, max_skip_count=1, ngram_counts=COUNTS, ngram_indexes=INDEXES,
      pool_int64s=POOL, weights=WEIGHTS)
check("idf_no_weights", [2, 9], np.int64, 6, mode="IDF", min_gram_length=1, max_gram_length=2,
      max_skip_count=0, ngram_counts=COUNTS, ngram_indexes=INDEXES, pool_int64s=POOL)
check("tfidf_weights_bigrams_only", [2, 16], np.int64, 6, mode="TFIDF", min_gram_length=2,
      max_gram_length=2, max_skip_count=3, ngram_counts=COUNTS, ngram_indexes=INDEXES,
      pool_int64s=POOL, weights=WEIGHTS)
# Trigrams too; unigrams in the pool but min_gram_length 2 (never counted).
check("tfidf_bi_trigrams", [2, 14], np.int64, 4, mode="TFIDF", min_gram_length=2,
      max_gram_length=3, max_skip_count=1, ngram_counts=[0, 2, 6],
      ngram_indexes=[0, 1, 2, 3, 4, 5], pool_int64s=[0, 1, 0, 1, 1, 0, 0, 1, 2, 3, 3, 3],
      weights=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
# Rows of 2 are too short for trigrams at any distance, and for bigrams
# beyond distance 1.
check("tf_short", [3, 2], np.int64, 3, mode="TF", min_gram_length=1, max_gram_length=3,
      max_skip_count=2, ngram_counts=[0, 2, 6], ngram_indexes=[0, 1, 2, 3, 4],
      pool_int64s=[0, 1, 0, 1, 1, 1, 0, 1, 2])
print("all TfIdfVectorizer cases match onnxruntime")
