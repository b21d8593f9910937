# Tensor-core kernels of the CUDA target, checked without a GPU: f16 and bf16 matmuls, batched ones,
# Gemm with B transposed and a convolution become nvgpu.mma.sync kernels (m16n8k16, f32 accumulators),
# and f32 ones do too with --allow-tf32 (m16n8k8). Each model is compiled for sm_80 and sm_90 (ptxas
# accepts every kernel; the PTX has the mma.sync instruction of its type), and its kernels run on the
# CPU (kiln-gpu-launches-as-loops, which reads the warp's fragments with the PTX ISA's layouts) against
# NumPy: the f32 product of the operands' exact values, rounded to the output type as ONNX's MatMul on
# f16/bf16 outputs it (round to nearest even).
# REQUIRES: cuda-toolkit
# RUN: rm -rf %t && %python %s %t
import os
import re
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import cuda_testing
import kiln_testing as kt

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
rng = np.random.default_rng(0)


def bf16_bits(x):
    """float32 -> bfloat16 bit patterns, round to nearest even (the IEEE rounding ONNX Cast uses)."""
    bits = np.ascontiguousarray(x, np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_values(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def tf32_values(x):
    """f32 rounded to tf32 (10-bit mantissa), to nearest with ties away from zero (PTX cvt.rna.tf32.f32,
    which the kernels apply as they copy operands to shared memory): half of the dropped range added
    to the magnitude, then the 13 low bits cleared (finite inputs)."""
    bits = np.ascontiguousarray(x, np.float32).view(np.uint32)
    return ((bits + np.uint32(0x1000)) & np.uint32(0xFFFFE000)).view(np.float32)


TYPES = {
    # ONNX type, NumPy storage, to f32 values, from f32 values (rounded), PTX instruction
    "f16": (TensorProto.FLOAT16, np.float16, lambda a: a.astype(np.float32), lambda x: x.astype(np.float16),
            "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32"),
    "bf16": (TensorProto.BFLOAT16, np.uint16, bf16_values, bf16_bits,
             "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32"),
    "tf32": (TensorProto.FLOAT, np.float32, tf32_values, lambda x: x.astype(np.float32),
             "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32"),
}


def save(nodes, inputs, outputs, name, initializers=()):
    return kt.save_graph(work, name, nodes, inputs, outputs, initializers)


def check(path, name, kind, feeds, reference, tiles):
    """Compiles `path`, checks its PTX and runs its kernels on the CPU against `reference(values)`,
    the f32 result from the inputs' values; `tiles` tensor-core kernels are expected."""
    onnx_type, storage, values, rounded, instruction = TYPES[kind]
    flags = ["--allow-tf32"] if kind == "tf32" else []
    artifact = os.path.join(work, name)
    kt.run_tool([kt.KILN, "compile", path, "--target", "cuda", "--gpu", cuda_testing.GPUS,
                 "--name", name, "-o", artifact] + flags)
    manifest = cuda_testing.check_images(artifact)
    device = manifest["device"]
    text = open(os.path.join(artifact, [i["file"] for i in device["images"] if i["format"] == "ptx"][0])).read()
    mma = [k for k in device["kernels"] if instruction in text[text.index(".entry %s(" % k["name"]):]
           .split("\n}\n")[0]]
    assert len(mma) == tiles, (name, [k["name"] for k in mma])
    for k in mma:
        # Whole warps, in one dimension.
        assert k["block"][0] % 32 == 0 and k["block"][1:] == [1, 1], k
    actual = cuda_testing.run_mapped_on_cpu(path, artifact, manifest, feeds, work, compile_flags=flags)
    expected = reference({n: values(v) for n, v in feeds.items()})
    # Outputs as f32: f16 and bf16 ones from their storage; tf32's are f32.
    output_values = (lambda a: a) if kind == "tf32" else values
    for out, value in actual.items():
        want = output_values(rounded(expected[out]))
        got = output_values(value)
        # One rounding of the output type apart (the f32 sums' order differs from NumPy's).
        ulp = {"f16": 2.0 ** -10, "bf16": 2.0 ** -7, "tf32": 2.0 ** -20}[kind]
        scale = float(np.abs(expected[out]).max())
        kt.assert_close(got, want, "%s %s (tensor cores, run on the CPU) vs NumPy" % (name, out),
                        ulp * scale, ulp)
    print("%s: %d tensor-core kernel(s) %s" % (name, len(mma), [k["block"] for k in mma]))
    return manifest


def operand(kind, shape):
    onnx_type, storage, values, rounded, _ = TYPES[kind]
    return rounded(rng.standard_normal(shape).astype(np.float32))


# Ragged sizes (partial block tiles in m and n, a partial k tile), one row, exact tiles, larger; the
# fragment layouts are the same for every size, so bf16 and tf32 take two of them.
SHAPES = {"f16": ((127, 33, 65), (1, 512, 100), (64, 64, 64), (130, 200, 70)),
          "bf16": ((127, 33, 65), (130, 200, 72)),
          "tf32": ((127, 33, 65), (1, 512, 100))}
for kind in ("f16", "bf16", "tf32"):
    onnx_type = TYPES[kind][0]
    for m, k, n in SHAPES[kind]:
        name = "mm_%s_%dx%dx%d" % (kind, m, k, n)
        path = save([helper.make_node("MatMul", ["a", "b"], ["c"])],
                    [helper.make_tensor_value_info("a", onnx_type, [m, k]),
                     helper.make_tensor_value_info("b", onnx_type, [k, n])],
                    [helper.make_tensor_value_info("c", onnx_type, [m, n])], name)
        check(path, name, kind, {"a": operand(kind, (m, k)), "b": operand(kind, (k, n))},
              lambda v: {"c": v["a"] @ v["b"]}, 1)

    # A batch (the grid's z) and Gemm with B transposed (B read along its contiguous k).
    name = "bmm_" + kind
    path = save([helper.make_node("MatMul", ["a", "b"], ["c"])],
                [helper.make_tensor_value_info("a", onnx_type, [3, 33, 40]),
                 helper.make_tensor_value_info("b", onnx_type, [3, 40, 45])],
                [helper.make_tensor_value_info("c", onnx_type, [3, 33, 45])], name)
    manifest = check(path, name, kind, {"a": operand(kind, (3, 33, 40)), "b": operand(kind, (3, 40, 45))},
                     lambda v: {"c": v["a"] @ v["b"]}, 1)
    assert [k for k in manifest["device"]["kernels"] if "matmul" in k["name"]][0]["grid"][2] == 3

name = "gemm_tb_f16"
path = save([helper.make_node("Gemm", ["a", "b"], ["c"], transB=1)],
            [helper.make_tensor_value_info("a", TensorProto.FLOAT16, [50, 48]),
             helper.make_tensor_value_info("b", TensorProto.FLOAT16, [70, 48])],
            [helper.make_tensor_value_info("c", TensorProto.FLOAT16, [50, 70])], name)
check(path, name, "f16", {"a": operand("f16", (50, 48)), "b": operand("f16", (70, 48))},
      lambda v: {"c": v["a"] @ v["b"].T}, 1)

# A convolution (im2col + matmul) in f16, checked against a direct NumPy convolution.
w = operand("f16", (8, 3, 3, 3))
name = "conv_f16"
path = save([helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1])],
            [helper.make_tensor_value_info("x", TensorProto.FLOAT16, [1, 3, 12, 12])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [1, 8, 12, 12])], name,
            [numpy_helper.from_array(w, "w")])


def conv(v):
    x = np.pad(v["x"], ((0, 0), (0, 0), (1, 1), (1, 1)))
    wf = w.astype(np.float32)
    y = np.zeros((1, 8, 12, 12), np.float32)
    for i in range(3):
        for j in range(3):
            y[0] += np.einsum("chw,oc->ohw", x[0, :, i:i + 12, j:j + 12], wf[:, :, i, j])
    return {"y": y}


x = operand("f16", (1, 3, 12, 12))
check(path, name, "f16", {"x": x}, conv, 1)
# The CPU target shares the im2col rewrite that now takes f16 operands with f32 accumulators.
got = kt.run_artifact(kt.compile_model(path, os.path.join(work, "conv_f16_cpu")), {"x": x})["y"]
want = conv({"x": x.astype(np.float32)})["y"]
kt.assert_close(got.astype(np.float32), want.astype(np.float16).astype(np.float32),
                "conv_f16 on the CPU vs NumPy", 2.0 ** -10 * float(np.abs(want).max()), 2.0 ** -10)

# Without --allow-tf32, f32 stays on the CUDA cores (no mma.sync).
name = "mm_f32"
path = save([helper.make_node("MatMul", ["a", "b"], ["c"])],
            [helper.make_tensor_value_info("a", TensorProto.FLOAT, [64, 64]),
             helper.make_tensor_value_info("b", TensorProto.FLOAT, [64, 64])],
            [helper.make_tensor_value_info("c", TensorProto.FLOAT, [64, 64])], name)
kt.run_tool([kt.KILN, "compile", path, "--target", "cuda", "--gpu", cuda_testing.GPUS, "--name", name,
             "-o", os.path.join(work, name)])
manifest = cuda_testing.check_images(os.path.join(work, name))
ptx = [i["file"] for i in manifest["device"]["images"] if i["format"] == "ptx"][0]
assert "mma.sync" not in open(os.path.join(work, name, ptx)).read()

# sm_75 has no m16n8k16 mma.sync for these types: its artifacts keep the CUDA-core kernels.
name = "mm_f16_sm75"
path = save([helper.make_node("MatMul", ["a", "b"], ["c"])],
            [helper.make_tensor_value_info("a", TensorProto.FLOAT16, [64, 64]),
             helper.make_tensor_value_info("b", TensorProto.FLOAT16, [64, 64])],
            [helper.make_tensor_value_info("c", TensorProto.FLOAT16, [64, 64])], name)
kt.run_tool([kt.KILN, "compile", path, "--target", "cuda", "--gpu", "sm_75,sm_90", "--name", name,
             "-o", os.path.join(work, name)])
manifest = cuda_testing.check_images(os.path.join(work, name))
ptx = [i["file"] for i in manifest["device"]["images"] if i["format"] == "ptx"][0]
assert "mma.sync" not in open(os.path.join(work, name, ptx)).read()
print("ok")
