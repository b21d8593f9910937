"""Models, inputs and NumPy references for control-flow-ops.test: If with a condition known at
compile time (an initializer, or folded from constants), Loop unrolled (a trip count, a condition
that ends a while-loop, loop-carried values and scan outputs, a loop that never runs, an If in the
body on the iteration number) and Scan (states, several scan inputs, axes and directions). The
references are NumPy written from the operator text, and each is also checked against
onnxruntime. Writes NAME.onnx, NAME_INPUT.npy / NAME_OUTPUT.npy and NAME.args into argv[1] (what
run_composite_ops.py reads); prints one line per reference that disagrees with onnxruntime and a
summary."""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto as TP, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(5)
mismatches = []
count = 0
OPSET = 16


def vi(name, elem=TP.FLOAT, shape=None):
    return helper.make_tensor_value_info(name, elem, shape)


def const(name, value):
    return numpy_helper.from_array(np.asarray(value), name)


def graph(name, nodes, inputs, outputs, inits=()):
    return helper.make_graph(nodes, name, inputs, outputs, list(inits))


def case(name, nodes, inputs, expected, inits=()):
    """inputs: [(name, array)] graph inputs; expected: [(name, array)]."""
    global count
    count += 1
    g = graph(name, nodes,
              [vi(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape) for n, a in inputs],
              [vi(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape) for n, a in expected],
              inits)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(out, name + ".onnx"))
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for (o, want), got in zip(expected, sess.run(None, dict(inputs))):
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5, atol=1e-6):
            mismatches.append("%s: %s: onnxruntime gives %s, the reference %s"
                              % (name, o, got.tolist(), want.tolist()))
    args = []
    for n, a in inputs:
        np.save(os.path.join(out, "%s_%s.npy" % (name, n)), a)
        args.append("%s=%s" % (n, os.path.join(out, "%s_%s.npy" % (name, n))))
    args.append("--")
    for n, a in expected:
        np.save(os.path.join(out, "%s_%s.npy" % (name, n)), a)
        args.append("%s=%s" % (n, os.path.join(out, "%s_%s.npy" % (name, n))))
    with open(os.path.join(out, name + ".args"), "w") as f:
        f.write(" ".join(args))


x = rng.uniform(-2, 2, (2, 3)).astype(np.float32)

# If: branches read the outer x; the untaken one would compute something else.
then_g = graph("then", [helper.make_node("Add", ["x", "one"], ["t"])], [], [vi("t")],
               [const("one", np.float32(1))])
else_g = graph("else", [helper.make_node("Mul", ["x", "two"], ["e"])], [], [vi("e")],
               [const("two", np.float32(2))])
for taken in (True, False):
    case("if_%s" % ("then" if taken else "else"),
         [helper.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=else_g)],
         [("x", x)], [("y", x + 1 if taken else x * 2)], [const("c", np.array(taken))])
# The condition folded from static shapes, as exporters write it: shape(x)[0] > 1.
case("if_folded",
     [helper.make_node("Shape", ["x"], ["shape"]),
      helper.make_node("Gather", ["shape", "zero"], ["s"]),
      helper.make_node("Greater", ["s", "one"], ["c"]),
      helper.make_node("If", ["c"], ["y", "z"],
                       then_branch=graph("t2", [helper.make_node("Neg", ["x"], ["a"]),
                                                helper.make_node("Identity", ["x"], ["ta"])],
                                         [], [vi("a"), vi("ta")]),
                       else_branch=graph("e2", [helper.make_node("Abs", ["x"], ["b"]),
                                                helper.make_node("Identity", ["x"], ["tb"])],
                                         [], [vi("b"), vi("tb")]))],
     [("x", x)], [("y", -x), ("z", x)],
     [const("zero", np.int64(0)), const("one", np.int64(1))])

# Loop, a for-loop: acc += x * i for i in 0..3, each acc a scan output.
body = graph("body", [
    helper.make_node("Cast", ["i"], ["fi"], to=TP.FLOAT),
    helper.make_node("Mul", ["x", "fi"], ["xi"]),
    helper.make_node("Add", ["acc_in", "xi"], ["acc_out"]),
    helper.make_node("Identity", ["cond_in"], ["cond_out"]),
    helper.make_node("Identity", ["acc_out"], ["scan"])],
    [vi("i", TP.INT64, []), vi("cond_in", TP.BOOL, []), vi("acc_in", TP.FLOAT, [2, 3])],
    [vi("cond_out", TP.BOOL, []), vi("acc_out", TP.FLOAT, [2, 3]), vi("scan", TP.FLOAT, [2, 3])])
acc, partial = np.zeros_like(x), []
for i in range(4):
    acc = acc + x * i
    partial.append(acc)
case("loop_for", [helper.make_node("Loop", ["m", "", "a0"], ["acc", "scans"], body=body)],
     [("x", x)], [("acc", acc), ("scans", np.stack(partial))],
     [const("m", np.int64(4)), const("a0", np.zeros((2, 3), np.float32))])
# Loop, a while-loop (M = INT64_MAX, as exporters write it): runs while i < 2, three times; the
# body's If picks x on the first iteration and acc * 2 after.
wbody = graph("wbody", [
    helper.make_node("Less", ["i", "two"], ["cond_out"]),
    helper.make_node("Equal", ["i", "zero"], ["first"]),
    helper.make_node("If", ["first"], ["acc_out"],
                     then_branch=graph("first", [helper.make_node("Identity", ["x"], ["f"])],
                                       [], [vi("f")]),
                     else_branch=graph("later", [helper.make_node("Add", ["acc_in", "acc_in"],
                                                                  ["l"])], [], [vi("l")]))],
    [vi("i", TP.INT64, []), vi("cond_in", TP.BOOL, []), vi("acc_in", TP.FLOAT, [2, 3])],
    [vi("cond_out", TP.BOOL, []), vi("acc_out", TP.FLOAT, [2, 3])],
    [const("two", np.int64(2)), const("zero", np.int64(0))])
case("loop_while",
     [helper.make_node("Loop", ["m", "c", "a0"], ["acc"], body=wbody)],
     [("x", x)], [("acc", x * 4)],
     [const("m", np.int64(2**63 - 1)), const("c", np.array(True)),
      const("a0", np.zeros((2, 3), np.float32))])

# A loop whose condition is false from the start runs no iteration.
case("loop_never", [helper.make_node("Loop", ["m", "c", "x"], ["acc"], body=wbody)],
     [("x", x)], [("acc", x)], [const("m", np.int64(4)), const("c", np.array(False))])

# Scan: a running sum over the rows of a (forward) and the reversed rows of b; the second scan
# output is stacked along axis 1 in reverse.
a = rng.uniform(-1, 1, (4, 3)).astype(np.float32)
b = rng.uniform(-1, 1, (3, 4)).astype(np.float32)  # scanned along axis 1
sbody = graph("sbody", [
    helper.make_node("Add", ["s_in", "ra"], ["s1"]),
    helper.make_node("Mul", ["s1", "rb"], ["s_out"]),
    helper.make_node("Sub", ["ra", "rb"], ["d"]),
    helper.make_node("Identity", ["s_out"], ["e"])],
    [vi("s_in", TP.FLOAT, [3]), vi("ra", TP.FLOAT, [3]), vi("rb", TP.FLOAT, [3])],
    [vi("s_out", TP.FLOAT, [3]), vi("d", TP.FLOAT, [3]), vi("e", TP.FLOAT, [3])])
s, ds, es = np.zeros(3, np.float32), [], []
for t in range(4):
    ra, rb = a[t], b[:, 3 - t]
    s = (s + ra) * rb
    ds.append(ra - rb)
    es.append(s)
case("scan_axes_directions",
     [helper.make_node("Scan", ["s0", "a", "b"], ["s", "d", "e"], body=sbody, num_scan_inputs=2,
                       scan_input_axes=[0, 1], scan_input_directions=[0, 1],
                       scan_output_axes=[0, 1], scan_output_directions=[0, 1])],
     [("a", a), ("b", b)],
     [("s", s), ("d", np.stack(ds)), ("e", np.stack(es[::-1], axis=1))],
     [const("s0", np.zeros(3, np.float32))])
# Scan with negative axes and no state.
nbody = graph("nbody", [helper.make_node("Relu", ["r"], ["o"])], [vi("r", TP.FLOAT, [4])],
              [vi("o", TP.FLOAT, [4])])
case("scan_negative_axes",
     [helper.make_node("Scan", ["b"], ["o"], body=nbody, num_scan_inputs=1,
                       scan_input_axes=[-2], scan_output_axes=[-1])],
     [("b", b)], [("o", np.maximum(b, 0).T)])

for m in mismatches:
    print("MISMATCH " + m)
print("%d references, %d disagree with onnxruntime" % (count, len(mismatches)))
