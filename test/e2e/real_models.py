# Real trained models from public Python packages (test/lib/fetch_real_models.py
# fetches them, pinned by version and sha256): PaddleOCR's text detector,
# direction classifier and text recognizer from rapidocr-onnxruntime 1.4.4,
# and magika 1.0.3's file-type classifier. Each is compiled at a fixed shape
# with `kiln compile --shape`, run with `kiln run` on a deterministic random
# input and on a realistic one (a rendered text image; a source file's bytes),
# and compared with onnxruntime: 1e-4 absolute / 1e-3 relative, and the same
# argmax (top-5 for magika) for the classifiers. The detector's final map is
# near zero on random input, so its Resize and ConvTranspose outputs are
# compared too (made graph outputs). Without the package index (and no cached
# models) lit reports the test UNSUPPORTED; test/e2e/lit.local.cfg says why.
# REQUIRES: real-models
# RUN: rm -rf %t && %python %s %t
import os
import sys
import time

import numpy as np
import onnx

import kiln_testing as kt
import fetch_real_models

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(42)
models = fetch_real_models.fetch()


def expose(model_path, op_types, name):
    """The model with the outputs of its `op_types` nodes as extra graph
    outputs (declared without a type; both runtimes infer it)."""
    model = onnx.load(model_path)
    declared = {o.name for o in model.graph.output}
    for node in model.graph.node:
        if node.op_type in op_types and node.output[0] not in declared:
            model.graph.output.append(onnx.ValueInfoProto(name=node.output[0]))
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    return path


def compile_and_run(path, name, shape, feeds_list):
    """Compiles once, runs each feed; returns ([outputs], compile s, [run s])."""
    start = time.perf_counter()
    artifact = kt.compile_model(path, os.path.join(work, name), shapes=shape)
    compile_s = time.perf_counter() - start
    results, run_s = [], []
    for feeds in feeds_list:
        start = time.perf_counter()
        results.append(kt.run_artifact(artifact, feeds))
        run_s.append(time.perf_counter() - start)
    return results, compile_s, run_s


def compare(path, name, got, feeds, what, model_outputs=None):
    """Every output against onnxruntime: the model's own outputs with 1e-4 /
    1e-3; exposed intermediate activations, which reach hundreds, with the
    absolute tolerance scaled by the tensor's largest value (both runtimes
    round sums of thousands of terms differently)."""
    want = kt.onnxruntime_outputs(path, feeds)
    for out, expected in want.items():
        atol = kt.ATOL
        if model_outputs is not None and out not in model_outputs:
            atol *= max(1.0, float(np.abs(expected).max()))
        kt.assert_close(got[out], expected, "%s %s (%s)" % (name, out, what), atol=atol)
    return want


def same_ranking(actual, expected, k, what):
    """The top-k classes (along the last axis) are identical, in order."""
    a = np.argsort(-actual, axis=-1, kind="stable")[..., :k]
    e = np.argsort(-expected, axis=-1, kind="stable")[..., :k]
    if not np.array_equal(a, e):
        bad = np.argwhere((a != e).any(axis=-1))[0]
        raise SystemExit("%s: top-%d differs at %s: %s vs %s" % (
            what, k, tuple(bad), a[tuple(bad)], e[tuple(bad)]))
    print("%s: top-%d identical" % (what, k))


def text_image(lines, height, width):
    """White canvas with dark text (PIL's built-in bitmap font, enlarged), as
    a float array [H, W, 3] in [0, 255]; deterministic."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:  # strokes instead of glyphs: still text-like edges
        img = np.full((height, width, 3), 255.0)
        for i, line in enumerate(lines):
            for j, ch in enumerate(line):
                if ch != " ":
                    y, x = 8 + 28 * i, 6 + 10 * j + (ord(ch) % 3)
                    img[y:y + 16, x:x + 3] = 20
        return img[:height, :width]
    small = Image.new("RGB", (width // 2, height // 2), "white")
    draw = ImageDraw.Draw(small)
    font = ImageFont.load_default()
    for i, line in enumerate(lines):
        draw.text((3, 2 + 14 * i), line, fill=(20, 20, 40 + 40 * i), font=font)
    return np.asarray(small.resize((width, height), Image.BILINEAR), np.float64)


def paddle_input(img):
    """PaddleOCR's normalization: (x / 255 - 0.5) / 0.5, NCHW."""
    x = (img / 255.0 - 0.5) / 0.5
    return x.transpose(2, 0, 1)[None].astype(np.float32)


def rand_image(h, w):
    return rng.uniform(-1, 1, (1, 3, h, w)).astype(np.float32)


# Detector (Resize and ConvTranspose), 1x3x320x320.
det = expose(models["ocr_det"], {"Resize", "ConvTranspose"}, "ocr_det")
page = text_image(["Kiln OCR 2024", "hello, world", "", "RESIZE 4x  CONV-T 2x",
                   "0123456789"], 320, 320)
det_feeds = [{"x": rand_image(320, 320)}, {"x": paddle_input(page)}]
det_got, det_compile, det_run = compile_and_run(det, "ocr_det", {"x": [1, 3, 320, 320]},
                                                det_feeds)
det_outputs = {o.name for o in onnx.load(models["ocr_det"]).graph.output}
for got, feeds, what in zip(det_got, det_feeds, ["random", "text image"]):
    want = compare(det, "det", got, feeds, what, det_outputs)
text_share = float((want["sigmoid_0.tmp_0"] > 0.3).mean())
print("det: %.1f%% of the text image's pixels are text (threshold 0.3)" % (100 * text_share))
assert text_share > 0.005, "the detector finds no text: the realistic input is not realistic"
print("det: compile %.2f s, run %.3f s / %.3f s (wall, kiln run incl. process start)"
      % (det_compile, det_run[0], det_run[1]))

# Direction classifier, 1x3x48x192 (its input declares a -1 dim): a text line
# upright and upside down.
line = text_image(["Kiln 42 ok"], 48, 192)
cls_feeds = [{"x": rand_image(48, 192)}, {"x": paddle_input(line)},
             {"x": paddle_input(line[::-1, ::-1].copy())}]
cls_got, _, _ = compile_and_run(models["ocr_cls"], "ocr_cls", {"x": [1, 3, 48, 192]}, cls_feeds)
for got, feeds, what in zip(cls_got, cls_feeds, ["random", "text", "text rotated 180"]):
    want = compare(models["ocr_cls"], "cls", got, feeds, what)
    (out, expected), = want.items()
    same_ranking(got[out], expected, 1, "cls argmax (%s)" % what)

# Recognizer, 1x3x48x320: per-step class probabilities, greedy CTC decoding
# reads the argmax of each step.
words = text_image(["PaddleOCR reads this"], 48, 320)
rec_feeds = [{"x": rand_image(48, 320)}, {"x": paddle_input(words)}]
rec_got, _, _ = compile_and_run(models["ocr_rec"], "ocr_rec", {"x": [1, 3, 48, 320]}, rec_feeds)
for got, feeds, what in zip(rec_got, rec_feeds, ["random", "text"]):
    want = compare(models["ocr_rec"], "rec", got, feeds, what)
    (out, expected), = want.items()
    same_ranking(got[out], expected, 1, "rec per-step argmax (%s)" % what)

# magika, 1x2048 byte features: the first 1024 bytes after leading
# whitespace and the last 1024 before trailing whitespace, padded with 256.
with open(os.path.abspath(__file__), "rb") as f:
    source = f.read().strip()
beg = list(source[:1024]) + [256] * max(0, 1024 - len(source))
end = [256] * max(0, 1024 - len(source)) + list(source[-1024:])
mag_feeds = [{"bytes": rng.integers(0, 257, (1, 2048)).astype(np.int32)},
             {"bytes": np.array([beg + end], np.int32)}]
mag_got, _, _ = compile_and_run(models["magika"], "magika", {"bytes": [1, 2048]}, mag_feeds)
for got, feeds, what in zip(mag_got, mag_feeds, ["random bytes", "this Python file"]):
    want = compare(models["magika"], "magika", got, feeds, what)
    same_ranking(got["target_label"], want["target_label"], 5, "magika top-5 (%s)" % what)
