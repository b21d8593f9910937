"""Models, inputs and NumPy references for training-ops.test: Adagrad, Adam and Momentum of
ai.onnx.preview.training (opset 1) and Binarizer and ArrayFeatureExtractor of ai.onnx.ml (opset 1). The references are the
operator text's pseudo code in float64 (R_adjusted, beta_adjusted and the T > 0 cases included),
rounded to the tensors' type. Writes the files run_composite_ops.py reads into argv[1] and prints
how many cases it wrote."""
import sys

import numpy as np

import onnx_cases

out = sys.argv[1]
rng = np.random.default_rng(5)
write = onnx_cases.writer(out)
cases = 0
TRAINING = ("ai.onnx.preview.training", 1)


def case(name, op, inputs, outputs, domain, **attrs):
    global cases
    write(name, op, inputs, outputs, opset=18, domain=domain, **attrs)
    cases += 1


def f32(x):
    """Attributes are float32: the references use the value the model holds."""
    return float(np.float32(x))


def adagrad(r, t, x, g, h, decay_factor=0.0, epsilon=1e-6, norm_coefficient=0.0):
    r = r / (1 + t * f32(decay_factor))
    g_reg = f32(norm_coefficient) * x + g
    h_new = h + g_reg * g_reg
    return x - r * g_reg / (np.sqrt(h_new) + f32(epsilon)), h_new


def adam(r, t, x, g, v, h, alpha=0.9, beta=0.999, epsilon=1e-6, norm_coefficient=0.0,
         norm_coefficient_post=0.0):
    alpha, beta = f32(alpha), f32(beta)
    g_reg = f32(norm_coefficient) * x + g
    v_new = alpha * v + (1 - alpha) * g_reg
    h_new = beta * h + (1 - beta) * g_reg * g_reg
    h_sqrt = np.sqrt(h_new) + f32(epsilon)
    r_adj = r * np.sqrt(1 - beta ** t) / (1 - alpha ** t) if t > 0 else r
    return (1 - f32(norm_coefficient_post)) * (x - r_adj * v_new / h_sqrt), v_new, h_new


def momentum(r, t, x, g, v, alpha, beta, mode, norm_coefficient):
    alpha = f32(alpha)
    g_reg = f32(norm_coefficient) * x + g
    v_new = alpha * v + (f32(beta) if t > 0 else 1) * g_reg
    step = g_reg + alpha * v_new if mode == "nesterov" else v_new
    return x - r * step, v_new


def optimizer_case(name, op, fn, r, t, tensors, state_names, dtype=np.float32, **attrs):
    """tensors: [(x, g, state...)] per optimized tensor; outputs X_new..., then each state's."""
    inputs = [("R", np.array(r, dtype=dtype)), ("T", np.array(t, dtype=np.int64))]
    columns = list(zip(*tensors))  # X's, G's, each state's
    prefixes = ["X", "G"] + state_names
    for p, col in zip(prefixes, columns):
        inputs += [("%s%d" % (p, i), a.astype(dtype)) for i, a in enumerate(col)]
    results = [fn(float(np.array(r, dtype=dtype)), t, *[a.astype(dtype).astype(np.float64)
                                                        for a in group], **attrs)
               for group in tensors]
    outputs = []
    for j, p in enumerate(["X"] + state_names):
        outputs += [("%s%d_new" % (p, i), res[j].astype(dtype)) for i, res in enumerate(results)]
    case(name, op, inputs, outputs, TRAINING, **attrs)


def u(*shape):
    return rng.uniform(-1, 1, shape)


def pos(*shape):
    return rng.uniform(0.1, 1, shape)


optimizer_case("adagrad_decay", "Adagrad", adagrad, 0.3, 3, [(u(2, 3), u(2, 3), pos(2, 3))],
               ["H"], decay_factor=0.2, epsilon=1e-3, norm_coefficient=0.05)
optimizer_case("adagrad_two_f64", "Adagrad", adagrad, 0.1, 0,
               [(u(3), u(3), pos(3)), (u(2, 2), u(2, 2), pos(2, 2))], ["H"], dtype=np.float64)
optimizer_case("adam_t0", "Adam", adam, 0.05, 0, [(u(4), u(4), u(4), pos(4))], ["V", "H"],
               alpha=0.8, beta=0.9, norm_coefficient=0.01)
optimizer_case("adam_t5_post", "Adam", adam, 0.05, 5,
               [(u(4), u(4), u(4), pos(4)), (u(1, 3), u(1, 3), u(1, 3), pos(1, 3))], ["V", "H"],
               alpha=0.8, beta=0.9, epsilon=1e-4, norm_coefficient=0.01,
               norm_coefficient_post=0.1)
optimizer_case("momentum_first_step", "Momentum", momentum, 0.2, 0, [(u(5), u(5), u(5))], ["V"],
               alpha=0.9, beta=0.5, mode="standard", norm_coefficient=0.02)
optimizer_case("momentum_two", "Momentum", momentum, 0.2, 2,
               [(u(5), u(5), u(5)), (u(2, 2), u(2, 2), u(2, 2))], ["V"],
               alpha=0.9, beta=0.5, mode="standard", norm_coefficient=0.02)
optimizer_case("nesterov", "Momentum", momentum, 0.2, 4, [(u(3, 2), u(3, 2), u(3, 2))], ["V"],
               alpha=0.7, beta=0.6, mode="nesterov", norm_coefficient=0.1)

ML = ("ai.onnx.ml", 1)
x = np.array([[-1.0, 0.3, 0.30001, np.nan], [2.0, -0.0, 0.2, 5.0]], dtype=np.float32)
case("binarizer_float", "Binarizer", [("x", x)],
     [("y", np.where(x > f32(0.3), 1, 0).astype(np.float32))], ML, threshold=0.3)
x = np.array([-3, 1, 2, 3, 7], dtype=np.int64)
case("binarizer_int64", "Binarizer", [("x", x)], [("y", (x > 1.5).astype(np.int64))], ML,
     threshold=1.5)
x = rng.uniform(-2, 2, (3, 4)).astype(np.float64)
case("binarizer_default_f64", "Binarizer", [("x", x)], [("y", (x > 0).astype(np.float64))], ML)
# ArrayFeatureExtractor: the last dim gathered at Y (read flattened, repeats allowed); a 1-D X
# gives [1, K], as onnxruntime does.
x = rng.standard_normal((2, 3, 5)).astype(np.float32)
y = np.array([[4, 0], [2, 2]], dtype=np.int64)
case("array_feature_extractor_3d", "ArrayFeatureExtractor", [("x", x), ("y", y)],
     [("z", np.take(x, y.ravel(), axis=-1))], ML)
x = np.array([7, -1, 3, 9], dtype=np.int64)
y = np.array([3, 1], dtype=np.int64)
case("array_feature_extractor_1d", "ArrayFeatureExtractor", [("x", x), ("y", y)],
     [("z", x[y].reshape(1, 2))], ML)
x = rng.integers(-50, 50, (4, 6)).astype(np.int32)
y = np.array([5], dtype=np.int64)
case("array_feature_extractor_int32", "ArrayFeatureExtractor", [("x", x), ("y", y)],
     [("z", x[:, [5]])], ML)

print("%d cases" % cases)
