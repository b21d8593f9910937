# The real trained models of e2e/real_models.py (PaddleOCR's detector, direction classifier and
# recognizer; magika's classifier) compiled with --target cuda: PTX and cubins for sm_80 and sm_90 that
# match the manifest, and the mapping to blocks and threads run on the CPU against onnxruntime
# (test/lib/cuda_testing.py). The detector's Resize and ConvTranspose outputs are compared too.
# REQUIRES: real-models, cuda-toolkit
# RUN: rm -rf %t && %python %s %t
import os
import sys

import numpy as np
import onnx

import cuda_testing
import fetch_real_models

work = sys.argv[1]
os.makedirs(work)
rng = np.random.default_rng(7)
models = fetch_real_models.fetch()

# The detector with its Resize and ConvTranspose outputs exposed (its final map is near zero on random
# input, so these carry the comparison).
model = onnx.load(models["ocr_det"])
declared = {o.name for o in model.graph.output}
for node in model.graph.node:
    if node.op_type in ("Resize", "ConvTranspose") and node.output[0] not in declared:
        model.graph.output.append(onnx.ValueInfoProto(name=node.output[0]))
det = os.path.join(work, "ocr_det.onnx")
onnx.save(model, det)

cases = [
    (det, "ocr_det", {"x": [1, 3, 320, 320]}),
    (models["ocr_cls"], "ocr_cls", {"x": [1, 3, 48, 192]}),
    (models["ocr_rec"], "ocr_rec", {"x": [1, 3, 48, 320]}),
]
scaled = cuda_testing.at_scale()
for path, name, shapes in cases:
    feeds = {"x": rng.uniform(-1, 1, shapes["x"]).astype(np.float32)}
    # As e2e/real_models.py compares: the models' outputs with 1e-4 / 1e-3, the exposed activations
    # (hundreds) with the atol scaled by their largest value.
    outputs = {o.name for o in onnx.load(path).graph.output if o.type.HasField("tensor_type")}
    cuda_testing.check_cuda_model(
        path, feeds, work, name, shapes=shapes,
        atol_for=lambda out, e: cuda_testing.kt.ATOL if out in outputs else max(scaled(out, e), 1e-4))
cuda_testing.check_cuda_model(models["magika"], {"bytes": rng.integers(0, 257, (1, 2048)).astype(np.int32)},
                              work, "magika", shapes={"bytes": [1, 2048]})
