"""Models, inputs and NumPy references for recurrent-ops.test: RNN, GRU and LSTM (every direction,
layout, activation list with alpha/beta, clip, GRU's linear_before_reset, LSTM's peepholes and
input_forget, optional inputs absent and present, all outputs). The references are written from the
ONNX operator text (one matrix per gate, unlike Kiln's fused import); each is also checked against
onnxruntime where it implements the case (not layout 1), so a wrong reference fails here too.
Writes NAME.onnx, NAME_INPUT.npy / NAME_OUTPUT.npy and NAME.args into argv[1], the files
run_composite_ops.py reads; prints one line per reference that disagrees with onnxruntime and a
summary."""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

import onnx_cases

out = sys.argv[1]
rng = np.random.default_rng(7)
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
DEFAULT_ACTS = {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"], "LSTM": ["Sigmoid", "Tanh", "Tanh"]}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# The activation functions of the operator text: name -> (f(x, alpha, beta), takes alpha, beta,
# default alpha, default beta).
ACTS = {
    "relu": (lambda x, a, b: np.maximum(x, 0), False, False, 0, 0),
    "tanh": (lambda x, a, b: np.tanh(x), False, False, 0, 0),
    "sigmoid": (lambda x, a, b: sigmoid(x), False, False, 0, 0),
    "affine": (lambda x, a, b: a * x + b, True, True, 1.0, 0.0),
    "leakyrelu": (lambda x, a, b: np.where(x >= 0, x, a * x), True, False, 0.01, 0),
    "thresholdedrelu": (lambda x, a, b: np.where(x >= a, x, 0), True, False, 1.0, 0),
    "scaledtanh": (lambda x, a, b: a * np.tanh(b * x), True, True, 1.0, 1.0),
    "hardsigmoid": (lambda x, a, b: np.minimum(np.maximum(a * x + b, 0), 1), True, True, 0.2, 0.5),
    "elu": (lambda x, a, b: np.where(x >= 0, x, a * (np.exp(x) - 1)), True, False, 1.0, 0),
    "softsign": (lambda x, a, b: x / (1 + np.abs(x)), False, False, 0, 0),
    "softplus": (lambda x, a, b: np.log(1 + np.exp(x)), False, False, 0, 0),
}


def functions(names, alphas, betas):
    alphas, betas = list(alphas or []), list(betas or [])
    fs = []
    for name in names:
        f, ta, tb, da, db = ACTS[name.lower()]
        a = alphas.pop(0) if ta and alphas else da
        b = betas.pop(0) if tb and betas else db
        fs.append(lambda x, f=f, a=a, b=b: f(x, a, b))
    return fs


def reference(op, X, W, R, B=None, h0=None, c0=None, P=None, direction="forward",
              activations=None, activation_alpha=None, activation_beta=None, clip=None,
              linear_before_reset=0, input_forget=0, layout=0):
    """Y, Y_h (and Y_c) as the operator text defines them, in float64."""
    X, W, R = (v.astype(np.float64) for v in (X, W, R))
    if layout:
        X = X.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    S, N, _ = X.shape
    D, H = W.shape[0], R.shape[2]
    G = GATES[op]
    names = activations or DEFAULT_ACTS[op] * D
    fs = functions(names, activation_alpha, activation_beta)
    per = len(DEFAULT_ACTS[op])
    cl = (lambda v: np.clip(v, -clip, clip)) if clip else (lambda v: v)
    Y = np.zeros((S, D, N, H))
    Yh = np.zeros((D, N, H))
    Yc = np.zeros((D, N, H))
    for d in range(D):
        f = fs[d * per:(d + 1) * per]
        Ws = np.split(W[d], G)  # per gate, in the op's gate order
        Rs = np.split(R[d], G)
        b = np.zeros(2 * G * H) if B is None else B[d].astype(np.float64)
        Wb, Rb = np.split(b[:G * H], G), np.split(b[G * H:], G)
        h = np.zeros((N, H)) if h0 is None else h0[d].astype(np.float64)
        c = np.zeros((N, H)) if c0 is None else c0[d].astype(np.float64)
        p = np.zeros(3 * H) if P is None else P[d].astype(np.float64)
        Pi, Po, Pf = np.split(p, 3)
        steps = range(S - 1, -1, -1) if direction == "reverse" or d == 1 else range(S)
        for t in steps:
            x = X[t]
            if op == "RNN":
                h = f[0](cl(x @ Ws[0].T + h @ Rs[0].T + Wb[0] + Rb[0]))
            elif op == "GRU":  # gates z, r, h
                z = f[0](cl(x @ Ws[0].T + h @ Rs[0].T + Wb[0] + Rb[0]))
                r = f[0](cl(x @ Ws[1].T + h @ Rs[1].T + Wb[1] + Rb[1]))
                if linear_before_reset:
                    hh = f[1](cl(x @ Ws[2].T + r * (h @ Rs[2].T + Rb[2]) + Wb[2]))
                else:
                    hh = f[1](cl(x @ Ws[2].T + (r * h) @ Rs[2].T + Rb[2] + Wb[2]))
                h = (1 - z) * hh + z * h
            else:  # gates i, o, f, c
                i = f[0](cl(x @ Ws[0].T + h @ Rs[0].T + Pi * c + Wb[0] + Rb[0]))
                if input_forget:
                    fg = 1 - i
                else:
                    fg = f[0](cl(x @ Ws[2].T + h @ Rs[2].T + Pf * c + Wb[2] + Rb[2]))
                cc = f[1](cl(x @ Ws[3].T + h @ Rs[3].T + Wb[3] + Rb[3]))
                c = fg * c + i * cc
                o = f[0](cl(x @ Ws[1].T + h @ Rs[1].T + Po * c + Wb[1] + Rb[1]))
                h = o * f[2](c)
            Y[t, d] = h
        Yh[d], Yc[d] = h, c
    if layout:
        Y, Yh, Yc = Y.transpose(2, 0, 1, 3), Yh.transpose(1, 0, 2), Yc.transpose(1, 0, 2)
    return (Y, Yh, Yc) if op == "LSTM" else (Y, Yh)


def ort_outputs(model, feeds):
    import onnxruntime as ort
    if model.opset_import[0].version > 21:  # onnxruntime 1.20's newest; version 22 only widened types
        model = onnx.ModelProto.FromString(model.SerializeToString())
        model.opset_import[0].version = 21
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


mismatches = []
count = checked = 0


def case(name, op, S=3, N=2, I=4, H=5, dtype=np.float32, opset=14, use=("B", "h0"),
         outputs=("Y", "Y_h", "Y_c"), seq_lens=False, **attrs):
    """One model: X, W, R as graph inputs or initializers, the optional inputs in `use`."""
    global count
    count += 1
    D = 2 if attrs.get("direction") == "bidirectional" else 1
    G = GATES[op]
    layout = attrs.get("layout", 0)
    u = lambda *s: rng.uniform(-1, 1, s).astype(dtype)
    X = u(N, S, I) if layout else u(S, N, I)
    state = (N, D, H) if layout else (D, N, H)
    values = {"X": X, "W": u(D, G * H, I), "R": u(D, G * H, H), "B": u(D, 2 * G * H),
              "sequence_lens": np.full(N, S, np.int32), "initial_h": u(*state),
              "initial_c": u(*state), "P": u(D, 3 * H)}
    order = ["X", "W", "R", "B", "sequence_lens", "initial_h"] + (
        ["initial_c", "P"] if op == "LSTM" else [])
    present = {"X", "W", "R"} | {"B" if "B" in use else "", "initial_h" if "h0" in use else "",
                                 "initial_c" if "c0" in use else "", "P" if "P" in use else "",
                                 "sequence_lens" if seq_lens else ""}
    names = [n if n in present else "" for n in order]
    while names[-1] == "":
        names.pop()
    outs = [o for o in ("Y", "Y_h", "Y_c")[:3 if op == "LSTM" else 2]]
    out_names = [o if o in outputs else "" for o in outs]
    node = helper.make_node(op, names, out_names, name="n", hidden_size=H, **attrs)
    inits = ["W", "R", "sequence_lens"]  # weights are initializers, as in real models
    graph_inputs = [n for n in names if n and n not in inits]
    ref = reference(op, X, values["W"], values["R"], values["B"] if "B" in present else None,
                    values["initial_h"] if "initial_h" in present else None,
                    values["initial_c"] if "initial_c" in present else None,
                    values["P"] if "P" in present else None, layout=layout, **{
                        k: v for k, v in attrs.items() if k != "layout"})
    ref = [r.astype(dtype) for r in ref]
    onnx_type = onnx_cases.NP_TO_ONNX[np.dtype(dtype).type]
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info(n, onnx_cases.NP_TO_ONNX[values[n].dtype.type],
                                       values[n].shape) for n in graph_inputs],
        [helper.make_tensor_value_info(o, onnx_type, r.shape)
         for o, r in zip(outs, ref) if o in out_names],
        [numpy_helper.from_array(values[n], n) for n in names if n in inits])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name + ".onnx"))
    expected = [(o, r) for o, r in zip(outs, ref) if o in out_names]
    # onnxruntime's CPU kernels implement neither layout 1 nor float64 (RNN, GRU).
    if not layout and dtype == np.float32:
        global checked
        checked += 1
        got = ort_outputs(model, {n: values[n] for n in graph_inputs})
        for (o, want), g in zip(expected, got):
            tol = 1e-3 if dtype == np.float16 else 1e-5
            if not np.allclose(g, want, rtol=tol, atol=tol):
                mismatches.append("%s: %s: the reference differs from onnxruntime by %g"
                                  % (name, o, np.abs(g.astype(np.float64) - want).max()))
    args = []
    for n in graph_inputs:
        np.save(os.path.join(out, "%s_%s.npy" % (name, n)), values[n])
        args.append("%s=%s" % (n, os.path.join(out, "%s_%s.npy" % (name, n))))
    args.append("--")
    for o, r in expected:
        np.save(os.path.join(out, "%s_%s.npy" % (name, o)), r)
        args.append("%s=%s" % (o, os.path.join(out, "%s_%s.npy" % (name, o))))
    with open(os.path.join(out, name + ".args"), "w") as f:
        f.write(" ".join(args))


# RNN
case("rnn_defaults", "RNN", use=(), opset=7)
case("rnn_reverse", "RNN", direction="reverse")
case("rnn_bidirectional", "RNN", direction="bidirectional",
     activations=["LeakyRelu", "LeakyRelu"], activation_alpha=[0.3, 0.1])
case("rnn_bidirectional_relu", "RNN", direction="bidirectional", activations=["Relu", "Tanh"])
case("rnn_clip", "RNN", S=4, clip=0.4, activations=["Affine"], activation_alpha=[2.0],
     activation_beta=[0.5])
case("rnn_layout1", "RNN", direction="bidirectional", layout=1)
case("rnn_seq_lens", "RNN", seq_lens=True, outputs=("Y_h",))
case("rnn_f64", "RNN", dtype=np.float64, opset=22, direction="reverse", use=("h0",))
# GRU
case("gru_defaults", "GRU", use=(), opset=7)
case("gru_bias_reverse", "GRU", direction="reverse")
case("gru_linear_before_reset", "GRU", linear_before_reset=1, direction="bidirectional")
case("gru_linear_before_reset_nobias", "GRU", linear_before_reset=1, use=("h0",))
case("gru_activations", "GRU", direction="bidirectional", clip=0.7,
     activations=["HardSigmoid", "Softsign", "Sigmoid", "ScaledTanh"],
     activation_alpha=[0.3, 0.8], activation_beta=[0.4, 1.5])
case("gru_layout1", "GRU", layout=1, direction="bidirectional", linear_before_reset=1,
     outputs=("Y",))
case("gru_opset22", "GRU", opset=22, S=5, H=3, outputs=("Y_h",))
# LSTM
case("lstm_defaults", "LSTM", use=(), opset=7)
case("lstm_peepholes", "LSTM", use=("B", "h0", "c0", "P"), direction="bidirectional")
case("lstm_peepholes_only", "LSTM", use=("P",), direction="reverse")
case("lstm_input_forget", "LSTM", use=("B", "P"), input_forget=1)
case("lstm_activations", "LSTM", direction="bidirectional", use=("B", "c0"),
     activations=["Sigmoid", "Elu", "Softplus", "HardSigmoid", "ThresholdedRelu", "Relu"],
     activation_alpha=[0.5, 0.2, 0.1], activation_beta=[0.6])
case("lstm_clip", "LSTM", S=4, clip=0.5, use=("B", "h0", "c0", "P"))
case("lstm_layout1", "LSTM", layout=1, direction="bidirectional", use=("B", "h0", "c0", "P"))
case("lstm_seq_lens_yc", "LSTM", seq_lens=True, outputs=("Y_c",), opset=22)

for m in mismatches:
    print("MISMATCH " + m)
print("%d references, %d checked against onnxruntime, %d disagree"
      % (count, checked, len(mismatches)))
