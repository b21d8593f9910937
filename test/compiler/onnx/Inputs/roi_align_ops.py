"""Models, inputs and NumPy references for roi-align-ops.test: ONNX RoiAlign (opsets 10 and 16):
modes avg and max, coordinate_transformation_mode half_pixel and output_half_pixel, fixed and
adaptive (0) sampling_ratio (whose grid size differs per region, so per run-time box), spatial
scales, several batches, boxes partly or wholly outside the input and malformed boxes (x2 < x1).

The reference follows the operator text and its reference implementation (which onnxruntime
shares): each bin of the region averages (avg) a grid of bilinear samples, or (max) takes the
largest of the four weighted pixels of each sample and the largest over the grid; points more
than one pixel outside read 0, others are clamped to the input. Computed in float64 and
checked against onnx.reference, which must agree.
Writes NAME.onnx, NAME_in_*.npy / NAME_out_*.npy and NAME.args into argv[1] (read by
run_composite_ops.py) and prints how many cases it wrote."""
import math
import sys

import numpy as np
from onnx import TensorProto as TP, helper

import onnx_cases

out = sys.argv[1]
CODES = onnx_cases.NP_TO_ONNX
rng = np.random.default_rng(16)


def sample(img, y, x):
    """The four (weight, pixel) pairs of point (y, x) of img [H, W]."""
    H, W = img.shape
    if y < -1.0 or y > H or x < -1.0 or x > W:
        return [(0.0, 0.0)] * 4
    y, x = max(y, 0.0), max(x, 0.0)
    y_low, x_low = int(y), int(x)
    if y_low >= H - 1:
        y_high = y_low = H - 1
        y = float(y_low)
    else:
        y_high = y_low + 1
    if x_low >= W - 1:
        x_high = x_low = W - 1
        x = float(x_low)
    else:
        x_high = x_low + 1
    ly, lx = y - y_low, x - x_low
    hy, hx = 1.0 - ly, 1.0 - lx
    return [(hy * hx, img[y_low, x_low]), (hy * lx, img[y_low, x_high]),
            (ly * hx, img[y_high, x_low]), (ly * lx, img[y_high, x_high])]


def roi_align(X, rois, batch, mode, oh, ow, ratio, scale, half_pixel):
    R, C = rois.shape[0], X.shape[1]
    Y = np.zeros((R, C, oh, ow), np.float64)
    offset = 0.5 if half_pixel else 0.0
    for r in range(R):
        x1, y1, x2, y2 = [float(v) * scale - offset for v in rois[r]]
        rw, rh = x2 - x1, y2 - y1
        if not half_pixel:  # malformed boxes become 1 x 1
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / oh, rw / ow
        gh = ratio if ratio > 0 else int(math.ceil(rh / oh))
        gw = ratio if ratio > 0 else int(math.ceil(rw / ow))
        count = max(gh * gw, 1)
        for c in range(C):
            img = X[batch[r], c].astype(np.float64)
            for ph in range(oh):
                for pw in range(ow):
                    acc, first = 0.0, True
                    for iy in range(gh):
                        yy = y1 + ph * bh + (iy + 0.5) * bh / gh
                        for ix in range(gw):
                            xx = x1 + pw * bw + (ix + 0.5) * bw / gw
                            taps = sample(img, yy, xx)
                            if mode == "avg":
                                acc += sum(w * v for w, v in taps)
                            else:
                                v = max(w * p for w, p in taps)
                                acc = v if first else max(acc, v)
                                first = False
                    Y[r, c, ph, pw] = acc / count if mode == "avg" else acc
    return Y.astype(X.dtype)


def onnx_reference(node, inputs, opset):
    from onnx.reference import ReferenceEvaluator
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info(k, CODES[v.dtype.type], v.shape) for k, v in inputs.items()],
        [helper.make_tensor_value_info("Y", TP.UNDEFINED, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    return ReferenceEvaluator(model).run(None, inputs)[0]


cases = 0


def case(name, X, rois, batch, mode="avg", oh=1, ow=1, ratio=0, scale=1.0, ctm=None, opset=16):
    global cases
    inputs = {"X": X, "rois": rois.astype(X.dtype), "batch_indices": np.asarray(batch, np.int64)}
    attrs = dict(mode=mode, output_height=oh, output_width=ow, sampling_ratio=ratio,
                 spatial_scale=scale)
    if ctm is not None:
        attrs["coordinate_transformation_mode"] = ctm
    node = helper.make_node("RoiAlign", ["X", "rois", "batch_indices"], ["Y"], name=name, **attrs)
    half_pixel = opset >= 16 and ctm != "output_half_pixel"
    y = roi_align(X, inputs["rois"], inputs["batch_indices"], mode, oh, ow, ratio, scale,
                  half_pixel)
    # onnx.reference applies opset 16's default (half_pixel) at opset 10 too, whose boxes
    # have no shift (opset 16 names that output_half_pixel, "the backward-compatible
    # behavior"): opset 10 is checked against NumPy alone.
    theirs = y if opset < 16 else onnx_reference(node, inputs, opset)
    if not np.allclose(theirs, y, rtol=1e-5, atol=1e-6):
        sys.exit("%s: the NumPy reference disagrees with onnx.reference:\n%s\n%s"
                 % (name, y, theirs))
    onnx_cases.save_case(out, name, [node], list(inputs.items()), [("Y", y)],
                         [helper.make_opsetid("", opset)])
    cases += 1


# The node tests' input and boxes (opset 16).
XN = rng.uniform(0, 1, (1, 1, 10, 10)).astype(np.float32)
BOXES = np.array([[0, 0, 9, 9], [0, 5, 4, 9], [5, 5, 9, 9]], np.float32)
case("aligned_false", XN, BOXES, [0, 0, 0], oh=5, ow=5, ratio=2, ctm="output_half_pixel")
case("aligned_true", XN, BOXES, [0, 0, 0], oh=5, ow=5, ratio=2, ctm="half_pixel")
case("mode_max", XN, BOXES, [0, 0, 0], mode="max", oh=5, ow=5, ratio=2,
     ctm="output_half_pixel")
# Adaptive grids (ceil(bin size) per region: 1 to 4 samples per dim here), two batches, a
# spatial scale, boxes partly and wholly outside, and malformed ones (x2 < x1).
X2 = rng.standard_normal((2, 3, 8, 9)).astype(np.float32)
B2 = np.array([[0, 0, 17, 15], [3.3, 1.7, 9.1, 14.2], [-6, -5, 4, 3], [12, 10, 30, 40],
               [40, 40, 60, 60], [10, 8, 4, 2], [5.5, 5.5, 5.6, 5.6]], np.float32)
for mode in ("avg", "max"):
    for ctm in ("half_pixel", "output_half_pixel"):
        case("adaptive_%s_%s" % (mode, ctm), X2, B2, [0, 1, 1, 0, 1, 0, 1], mode=mode, oh=2,
             ow=3, ratio=0, scale=0.5, ctm=ctm)
# Opset 10 (no half-pixel shift, no attribute for it); the default half_pixel of opset 16;
# float64.
case("opset10_adaptive", X2, B2, [1, 0, 1, 0, 1, 0, 0], oh=3, ow=2, scale=0.25, opset=10)
case("default_mode_ratio3", X2, B2, [0, 1, 0, 1, 0, 1, 0], oh=2, ow=2, ratio=3)
case("double_max", X2.astype(np.float64), B2, [1, 1, 0, 0, 1, 1, 0], mode="max", oh=4, ow=4,
     scale=0.75)
print("%d cases" % cases)
