"""Builds the models of tensors.test and external-data.test with onnx.helper:
tensor encodings the text syntax cannot express (raw_data, float16 bits in
int32_data, external data), hostile external-data paths, and names holding
control characters.

Usage: tensor_models.py OUTDIR

Every model returns one tensor `w` (an initializer, or a Constant node's
value) through Identity, so `kiln compile --emit=kiln` shows exactly the
constant the importer built. Files for external data are written next to
the models; `secret.bin` is written to OUTDIR's parent, outside the models'
folder, as the target of escaping paths.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, outputs, initializers, opset=13):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                             ir_version=8)


def identity_of(init, extra_inputs=()):
    """A model returning initializer `init` (through Identity)."""
    out = helper.make_tensor_value_info("y", init.data_type, list(init.dims))
    return model([helper.make_node("Identity", [init.name], ["y"])],
                 list(extra_inputs), [out], [init])


def constant_of(tensor):
    """A model returning `tensor` as a Constant node's `value`."""
    out = helper.make_tensor_value_info("y", tensor.data_type, list(tensor.dims))
    node = helper.make_node("Constant", [], ["y"], name="c", value=tensor)
    return model([node], [], [out], [])


def typed(name, data_type, dims, field, values):
    t = TensorProto()
    t.name, t.data_type = name, data_type
    t.dims.extend(dims)
    getattr(t, field).extend(values)
    return t


def raw(name, data_type, dims, data):
    t = TensorProto()
    t.name, t.data_type = name, data_type
    t.dims.extend(dims)
    t.raw_data = data
    return t


def external(name, data_type, dims, location, offset=None, length=None):
    t = TensorProto()
    t.name, t.data_type = name, data_type
    t.dims.extend(dims)
    t.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", offset),
                       ("length", length)):
        if value is not None:
            entry = t.external_data.add()
            entry.key, entry.value = key, str(value)
    return t


def save(outdir, name, m):
    # Not onnx.save: it would move raw_data of external tensors into their
    # files, and the hostile models must reach Kiln exactly as built.
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(m.SerializeToString())


def encodings(outdir):
    """Every encoding of every dtype Kiln supports, scalars and empty tensors."""
    f16 = np.array([1.0, -2.5, 65504.0], dtype=np.float16)
    # float32 bits of bfloat16 values; bfloat16 is their upper half.
    bf16_bits = (np.array([1.0, -2.0, 3.140625], np.float32)
                 .view(np.uint32) >> 16).astype(np.uint16)
    cases = {
        # float32: raw little-endian bytes, float_data, special values.
        "raw-f32": numpy_helper.from_array(np.array([[1.5, -2.0]], np.float32), "w"),
        "typed-f32": typed("w", TensorProto.FLOAT, [2], "float_data", [0.25, 4.0]),
        "raw-f32-special": numpy_helper.from_array(
            np.array([np.inf, -np.inf, -0.0, np.nan], np.float32), "w"),
        # float16: raw bytes, or its bit patterns in int32_data.
        "raw-f16": numpy_helper.from_array(f16, "w"),
        "typed-f16": typed("w", TensorProto.FLOAT16, [3], "int32_data",
                           [int(b) for b in f16.view(np.uint16)]),
        # bfloat16 1.0 = 0x3f80, -2.0 = 0xc000, 3.140625 = 0x4049.
        "raw-bf16": raw("w", TensorProto.BFLOAT16, [3], bf16_bits.tobytes()),
        "typed-bf16": typed("w", TensorProto.BFLOAT16, [3], "int32_data",
                            [int(b) for b in bf16_bits]),
        "raw-f64": numpy_helper.from_array(np.array([0.1, -1e300], np.float64), "w"),
        "typed-f64": typed("w", TensorProto.DOUBLE, [2], "double_data", [0.1, -1e300]),
        # bool: a byte each in raw_data, int32_data otherwise; nonzero is true.
        "raw-bool": numpy_helper.from_array(np.array([True, False]), "w"),
        "typed-bool": typed("w", TensorProto.BOOL, [3], "int32_data", [1, 0, 5]),
        "raw-i8": numpy_helper.from_array(np.array([-1, 2, -128], np.int8), "w"),
        "typed-i8": typed("w", TensorProto.INT8, [3], "int32_data", [-128, 0, 127]),
        "raw-i32": numpy_helper.from_array(
            np.array([-7, 2147483647, -2147483648], np.int32), "w"),
        "typed-i32": typed("w", TensorProto.INT32, [2], "int32_data", [-7, 2147483647]),
        "raw-i64": numpy_helper.from_array(
            np.array([-9223372036854775808, 9223372036854775807], np.int64), "w"),
        "typed-i64": typed("w", TensorProto.INT64, [2], "int64_data",
                           [-9223372036854775808, 3]),
        # Scalars (no dims: one element) and a 2-D shape.
        "raw-scalar": numpy_helper.from_array(np.array(2.5, np.float32), "w"),
        "typed-scalar": typed("w", TensorProto.INT64, [], "int64_data", [42]),
        "raw-2d-i32": numpy_helper.from_array(
            np.arange(6, dtype=np.int32).reshape(2, 3), "w"),
        # float8: a byte each in raw_data, one bit pattern per int32_data value.
        # e4m3fn 0x38 = 1.0, 0xC4 = -3.0, 0x7F = NaN; e5m2 0x7C = inf.
        "raw-f8": raw("w", TensorProto.FLOAT8E4M3FN, [3], bytes([0x38, 0xC4, 0x7F])),
        "typed-f8": typed("w", TensorProto.FLOAT8E5M2, [2], "int32_data", [0x3C, 0x7C]),
        # int4, uint4, int2: packed, the low bits first, in raw_data or one byte
        # per int32_data value; an odd count leaves the last byte half used.
        "raw-i4": raw("w", TensorProto.INT4, [3], bytes([0x8F, 0x07])),
        "typed-u4": typed("w", TensorProto.UINT4, [3], "int32_data", [0xF1, 0x08]),
        "raw-i2": raw("w", 26, [5], bytes([0b11100100, 0b01])),
        # Empty tensors: a zero dim and no values, in either encoding.
        "empty-typed": typed("w", TensorProto.FLOAT, [0], "float_data", []),
        "empty-raw": raw("w", TensorProto.INT64, [2, 0], b""),
        "empty-none": typed("w", TensorProto.FLOAT16, [3, 0, 2], "int32_data", []),
    }
    for name, tensor in cases.items():
        save(outdir, name + ".onnx", identity_of(tensor))
    # A Constant node's tensor attribute is read the same way.
    save(outdir, "constant-raw-f16.onnx", constant_of(numpy_helper.from_array(f16, "")))
    save(outdir, "constant-typed-i8.onnx", constant_of(
        typed("", TensorProto.INT8, [2], "int32_data", [-5, 6])))


def graph_io(outdir):
    """Initializers listed as inputs, and declarations without shapes."""
    # An initializer also listed as a graph input is a constant (IR < 4 style).
    w = numpy_helper.from_array(np.array([3.0, 4.0], np.float32), "w")
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
    winfo = helper.make_tensor_value_info("w", TensorProto.FLOAT, [2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
    save(outdir, "init-as-input.onnx", model(
        [helper.make_node("Add", ["x", "w"], ["y"])], [x, winfo], [y], [w]))

    # A graph input without any shape: --shape gives it one. Its output
    # declares no shape either, which is fine: only the dtype is checked.
    noshape = helper.make_tensor_value_info("x", TensorProto.FLOAT, None)
    save(outdir, "no-shape.onnx", model(
        [helper.make_node("Relu", ["x"], ["y"])], [noshape],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], []))
    save(outdir, "no-shape-wrong-dtype.onnx", model(
        [helper.make_node("Relu", ["x"], ["y"])], [x],
        [helper.make_tensor_value_info("y", TensorProto.INT64, None)], []))


def bad_tensors(outdir):
    cases = {
        "count-mismatch": typed("w", TensorProto.FLOAT, [3], "float_data", [1.0, 2.0]),
        "raw-short": raw("w", TensorProto.FLOAT, [4], b"\0" * 12),
        "raw-long": raw("w", TensorProto.INT8, [2], b"\0" * 3),
        "wrong-field": typed("w", TensorProto.FLOAT, [2], "int64_data", [1, 2]),
        # Dims that would need 2^62 elements, with no data behind them.
        "huge-dims": typed("w", TensorProto.FLOAT, [2**31, 2**31], "float_data", []),
        "negative-dims": typed("w", TensorProto.FLOAT, [-1], "float_data", []),
        "i8-range": typed("w", TensorProto.INT8, [1], "int32_data", [300]),
        # float16 bits must fit in 16 bits.
        "f16-bits": typed("w", TensorProto.FLOAT16, [2], "int32_data", [0x3C00, 0x13C00]),
        "bf16-bits": typed("w", TensorProto.BFLOAT16, [1], "int32_data", [-1]),
        "undefined-dtype": typed("w", TensorProto.UNDEFINED, [1], "int32_data", [1]),
        # float4e2m1 (23): MLIR 19 has no such type.
        "float4-dtype": raw("w", 23, [2], b"\1"),
        # A float8 bit pattern is a byte; packed types need whole packed bytes.
        "f8-bits": typed("w", TensorProto.FLOAT8E4M3FN, [1], "int32_data", [256]),
        "i4-count": typed("w", TensorProto.INT4, [3], "int32_data", [1, 2, 3]),
        "i4-raw-short": raw("w", TensorProto.INT4, [3], b"\1"),
    }
    both = raw("w", TensorProto.FLOAT, [1], b"\0\0\x80\x3f")
    both.float_data.append(2.0)
    cases["raw-and-typed"] = both
    segment = typed("w", TensorProto.FLOAT, [1], "float_data", [1.0])
    segment.segment.begin, segment.segment.end = 0, 1
    cases["segment"] = segment
    for name, tensor in cases.items():
        save(outdir, name + ".onnx", identity_of(tensor))

    unnamed = typed("", TensorProto.FLOAT, [1], "float_data", [1.0])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    save(outdir, "unnamed-initializer.onnx", model(
        [helper.make_node("Relu", ["x"], ["y"])], [x], [y], [unnamed]))
    twice = typed("w", TensorProto.FLOAT, [1], "float_data", [1.0])
    m = identity_of(twice)
    m.graph.initializer.append(twice)
    save(outdir, "initializer-twice.onnx", m)
    save(outdir, "constant-count-mismatch.onnx", constant_of(
        typed("", TensorProto.FLOAT, [3], "float_data", [1.0])))

    # Names are copied into messages; control characters in them must not
    # reach the terminal raw (ESC [2J would clear it).
    save(outdir, "escape-in-name.onnx", identity_of(
        typed("w\x1b[2J", TensorProto.FLOAT, [2], "float_data", [1.0])))
    node = helper.make_node("Relu", ["x"], ["y"], name="n\x07\x00de", foo=1)
    save(outdir, "escape-in-node-name.onnx", model([node], [x], [y], []))


def external_data(outdir):
    """Tensors in files next to the model, and every way to get that wrong."""
    weights = np.arange(6, dtype=np.float32)
    with open(os.path.join(outdir, "weights.bin"), "wb") as f:
        f.write(b"\0" * 8 + weights.tobytes())  # 32 bytes
    os.makedirs(os.path.join(outdir, "sub"), exist_ok=True)
    with open(os.path.join(outdir, "sub", "w.bin"), "wb") as f:
        f.write(weights.tobytes())
    with open(os.path.join(outdir, "empty.bin"), "wb"):
        pass

    # Offset and length honoured; no length: the tensor's size; a subfolder.
    save(outdir, "external.onnx", identity_of(
        external("w", TensorProto.FLOAT, [2, 3], "weights.bin", offset=8,
                 length=24)))
    save(outdir, "external-sub.onnx", identity_of(
        external("w", TensorProto.FLOAT, [3], "sub/w.bin", offset=12)))
    save(outdir, "external-dot.onnx", identity_of(
        external("w", TensorProto.FLOAT, [1], "./sub/w.bin", offset=16)))
    save(outdir, "external-empty.onnx", identity_of(
        external("w", TensorProto.FLOAT, [0], "empty.bin")))
    checksum = external("w", TensorProto.FLOAT, [2], "weights.bin", offset=8)
    entry = checksum.external_data.add()
    entry.key, entry.value = "checksum", "0" * 40
    save(outdir, "external-checksum.onnx", identity_of(checksum))
    # Two tensors from one file, and a Constant node's value.
    a = external("a", TensorProto.FLOAT, [2], "weights.bin", offset=8)
    b = external("b", TensorProto.FLOAT, [2], "weights.bin", offset=24)
    ya = helper.make_tensor_value_info("ya", TensorProto.FLOAT, [2])
    yb = helper.make_tensor_value_info("yb", TensorProto.FLOAT, [2])
    save(outdir, "external-two.onnx", model(
        [helper.make_node("Identity", ["a"], ["ya"]),
         helper.make_node("Identity", ["b"], ["yb"])], [], [ya, yb], [a, b]))
    save(outdir, "external-constant.onnx", constant_of(
        external("", TensorProto.FLOAT, [2], "sub/w.bin", offset=4, length=8)))
    # A symlink that stays inside the folder is fine.
    inner = os.path.join(outdir, "inner-link.bin")
    if os.path.lexists(inner):
        os.remove(inner)
    os.symlink("sub/w.bin", inner)
    save(outdir, "external-inner-link.onnx", identity_of(
        external("w", TensorProto.FLOAT, [2], "inner-link.bin")))

    # Hostile or broken locations. secret.bin lies next to the model folder.
    secret_dir = os.path.dirname(os.path.abspath(outdir))
    secret = os.path.join(secret_dir, "secret.bin")
    with open(secret, "wb") as f:
        f.write(b"\1" * 64)
    for link, target in (("link.bin", secret), ("linkdir", secret_dir)):
        path = os.path.join(outdir, link)
        if os.path.lexists(path):
            os.remove(path)
        os.symlink(target, path)
    hostile = {
        "ext-dotdot": "../secret.bin",
        "ext-dotdot-inside": "sub/../weights.bin",
        # Absolute, even though the file is the model's own weights.
        "ext-absolute": os.path.abspath(os.path.join(outdir, "weights.bin")),
        "ext-symlink": "link.bin",
        "ext-symlink-dir": "linkdir/secret.bin",
        "ext-missing": "nothere.bin",
        "ext-dir": "sub",
        "ext-empty-location": "",
        "ext-nul": "weights.bin\0/../../secret.bin",
        "ext-escape": "w\x1b[31m.bin",
    }
    for name, location in hostile.items():
        save(outdir, name + ".onnx", identity_of(
            external("w", TensorProto.FLOAT, [2], location)))
    bad = {
        # The file holds 32 bytes.
        "ext-range": dict(dims=[2, 3], offset=16),
        "ext-short": dict(dims=[9], location="weights.bin"),
        "ext-offset-past-end": dict(dims=[0], offset=33),
        "ext-offset-overflow": dict(dims=[2], offset=2**64 - 4),
        "ext-offset-too-big": dict(dims=[2], offset=2**64),
        "ext-length": dict(dims=[2], length=12),
        "ext-bad-offset": dict(dims=[2], offset="-8"),
        "ext-offset-text": dict(dims=[2], offset="8 bytes"),
        "ext-bad-length": dict(dims=[2], length="0x8"),
        "ext-no-location": dict(dims=[2], location=None, offset=0),
    }
    for name, spec in bad.items():
        location = spec.pop("location", "weights.bin")
        save(outdir, name + ".onnx", identity_of(
            external("w", TensorProto.FLOAT, spec.pop("dims"), location, **spec)))
    bad_key = external("w", TensorProto.FLOAT, [2], "weights.bin")
    entry = bad_key.external_data.add()
    entry.key, entry.value = "compression", "zstd"
    save(outdir, "ext-bad-key.onnx", identity_of(bad_key))
    with_raw = external("w", TensorProto.FLOAT, [1], "weights.bin")
    with_raw.raw_data = b"\0\0\x80\x3f"
    save(outdir, "ext-and-raw.onnx", identity_of(with_raw))
    not_external = external("w", TensorProto.FLOAT, [2], "weights.bin")
    not_external.data_location = TensorProto.DEFAULT
    save(outdir, "ext-not-external.onnx", identity_of(not_external))
    save(outdir, "ext-constant-dotdot.onnx", constant_of(
        external("", TensorProto.FLOAT, [2], "../secret.bin")))


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    encodings(outdir)
    graph_io(outdir)
    bad_tensors(outdir)
    external_data(outdir)


if __name__ == "__main__":
    main(sys.argv[1])
