"""ONNX backend node tests as they lie on disk, and what the runner needs of them.

Each test is a folder NAME/ holding model.onnx and test_data_set_N/{input_K.pb, output_K.pb}
(the onnx wheel's onnx/backend/test/data/node, Debian's libonnx-testdata, or what
generate_node_tests.py writes). Inputs and outputs are matched to the model's graph inputs and
outputs by position, as onnx's own backend runner does.

Only the model is read up front (op types, opset, whether every graph input and output is a plain
tensor); data sets are read when a test is run, so a test Kiln cannot compile never needs its data
decoded (newer dtypes such as float4 need a newer onnx than the test environment's).
"""
import dataclasses
import glob
import json
import os
import re

import numpy as np
import onnx
from onnx import numpy_helper

# The backend runner's tolerances (onnx.backend.test.loader); a test's data.json may override them.
RTOL = 1e-3
ATOL = 1e-7

_EXPANDED = re.compile(r"_expanded(_ver\d+)?$")
_DEFAULT_DOMAINS = ("", "ai.onnx")


@dataclasses.dataclass
class Case:
    source: str  # the test-data source, e.g. "onnx-1.17.0"
    name: str  # the test folder's name, e.g. "test_abs"
    folder: str

    @property
    def id(self):
        return "%s/%s" % (self.source, self.name)

    @property
    def expanded(self):
        """A function-op test with the function body instead of the op (test_gelu_tanh_1_expanded)."""
        return bool(_EXPANDED.search(self.name))

    @property
    def base_name(self):
        """The test an expanded test expands (itself otherwise)."""
        return _EXPANDED.sub("", self.name)

    @property
    def model_path(self):
        return os.path.join(self.folder, "model.onnx")

    def tolerances(self):
        path = os.path.join(self.folder, "data.json")
        if not os.path.exists(path):
            return RTOL, ATOL
        with open(path) as f:
            data = json.load(f)
        return data.get("rtol", RTOL), data.get("atol", ATOL)

    def data_sets(self):
        return sorted(glob.glob(os.path.join(self.folder, "test_data_set_*")),
                      key=lambda p: int(p.rsplit("_", 1)[1]))


def find_cases(source, node_dir):
    """Every test folder with a model.onnx under `node_dir`, by name."""
    if not os.path.isdir(node_dir):
        raise SystemExit("no test data folder %s (source %s)" % (node_dir, source))
    names = sorted(n for n in os.listdir(node_dir)
                   if os.path.isfile(os.path.join(node_dir, n, "model.onnx")))
    return [Case(source, n, os.path.join(node_dir, n)) for n in names]


@dataclasses.dataclass
class ModelInfo:
    ops: list  # op types in node order, "domain.Op" outside the default domain
    opset: int
    not_applicable: str  # why the test is not about plain tensors; "" when it is
    inputs: list  # graph input ValueInfoProtos that are not initializers
    outputs: list  # graph output ValueInfoProtos


def _kind(type_proto):
    return type_proto.WhichOneof("value") or "no type"


def read_model(case):
    model = onnx.load(case.model_path, load_external_data=False)
    graph = model.graph
    ops = [n.op_type if n.domain in _DEFAULT_DOMAINS else "%s.%s" % (n.domain, n.op_type)
           for n in graph.node]
    opset = next((o.version for o in model.opset_import if o.domain in _DEFAULT_DOMAINS), 0)
    initializers = {t.name for t in graph.initializer}
    inputs = [v for v in graph.input if v.name not in initializers]
    why = ""
    for what, values in (("input", inputs), ("output", graph.output)):
        for v in values:
            kind = _kind(v.type)
            if kind != "tensor_type" and not why:
                why = "%s '%s' is a %s" % (what, v.name, kind.replace("_type", ""))
    return ModelInfo(ops, opset, why, inputs, list(graph.output))


def main_op(ops):
    """The op a single-op test is about: its one node's op, ignoring Constant nodes that feed it."""
    real = [op for op in ops if op != "Constant"] or ops
    return real[0] if real else "(no nodes)"


def input_dims(data_set, index):
    """The dims of input_K.pb, read without decoding its values."""
    tensor = onnx.TensorProto()
    with open(os.path.join(data_set, "input_%d.pb" % index), "rb") as f:
        tensor.ParseFromString(f.read())
    return list(tensor.dims)


def is_static(value_info):
    shape = value_info.type.tensor_type
    if not shape.HasField("shape"):
        return False
    return all(d.HasField("dim_value") and d.dim_value >= 0 for d in shape.shape.dim)


def bfloat16_bits(tensor):
    """A bfloat16 TensorProto's 16-bit patterns, the form `kiln run` reads and writes bfloat16 in.
    Decoded here: onnx releases disagree on what numpy_helper.to_array returns for bfloat16."""
    if tensor.HasField("raw_data"):
        bits = np.frombuffer(tensor.raw_data, dtype="<u2")
    else:
        bits = np.asarray(tensor.int32_data, dtype=np.int32).astype(np.uint16)
    return bits.reshape(tuple(tensor.dims))


def bits_to_float32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


# The float8 types: TensorProto code -> (exponent bits, mantissa bits, bias, NaN/infinity convention).
FLOAT8 = {
    onnx.TensorProto.FLOAT8E4M3FN: (4, 3, 7, "fn"),
    onnx.TensorProto.FLOAT8E4M3FNUZ: (4, 3, 8, "fnuz"),
    onnx.TensorProto.FLOAT8E5M2: (5, 2, 15, "ieee"),
    onnx.TensorProto.FLOAT8E5M2FNUZ: (5, 2, 16, "fnuz"),
}
# The packed integer types: TensorProto code -> (bits, signed). UINT2 (25) and INT2 (26) by number: onnx
# releases before 1.20 (the test environment's) do not name them.
PACKED = {
    onnx.TensorProto.INT4: (4, True),
    onnx.TensorProto.UINT4: (4, False),
    25: (2, False),
    26: (2, True),
}


def float8_bits(tensor):
    """A float8 TensorProto's 8-bit patterns (raw_data, or one int32_data value per element), the form
    `kiln run` reads and writes float8 in."""
    if tensor.HasField("raw_data"):
        bits = np.frombuffer(tensor.raw_data, dtype=np.uint8)
    else:
        bits = np.asarray(tensor.int32_data, dtype=np.int32).astype(np.uint8)
    return bits.reshape(tuple(tensor.dims))


def float8_to_float32(bits, elem_type):
    """float8 bit patterns -> float32 values, from the formats' definitions (no ml_dtypes needed)."""
    e_bits, m_bits, bias, kind = FLOAT8[elem_type]
    b = bits.astype(np.int64)
    magnitude, sign = b & 0x7F, np.where(b & 0x80, -1.0, 1.0)
    exponent, mantissa = magnitude >> m_bits, magnitude & ((1 << m_bits) - 1)
    value = np.where(exponent == 0, np.ldexp(mantissa.astype(np.float64), 1 - bias - m_bits),
                     np.ldexp((mantissa + (1 << m_bits)).astype(np.float64), exponent - bias - m_bits))
    value = sign * value
    top = (1 << e_bits) - 1
    if kind == "ieee":
        value = np.where(exponent == top, np.where(mantissa == 0, sign * np.inf, np.nan), value)
    elif kind == "fn":
        value = np.where(magnitude == 0x7F, np.nan, value)
    else:
        value = np.where(b == 0x80, np.nan, value)
    return value.astype(np.float32)


def unpacked(tensor, elem_type):
    """A packed (int4, int2, ...) TensorProto's values, one per byte (int8 or uint8), the form `kiln run`
    reads and writes them in. ONNX packs them in raw_data, or one packed byte per int32_data value."""
    width, signed = PACKED[elem_type]
    if tensor.HasField("raw_data"):
        packed = np.frombuffer(tensor.raw_data, dtype=np.uint8)
    else:
        packed = np.asarray(tensor.int32_data, dtype=np.int32).astype(np.uint8)
    count = int(np.prod(tensor.dims, dtype=np.int64))
    per_byte = 8 // width
    index = np.arange(count)
    values = (packed[index // per_byte].astype(np.int32) >> ((index % per_byte) * width)) & ((1 << width) - 1)
    if signed:
        values = np.where(values >= 1 << (width - 1), values - (1 << width), values)
    return values.astype(np.int8 if signed else np.uint8).reshape(tuple(tensor.dims))


def _read_tensor(path, elem_type):
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    if elem_type == onnx.TensorProto.BFLOAT16:
        return bfloat16_bits(tensor)
    if elem_type in FLOAT8:
        return float8_bits(tensor)
    if elem_type in PACKED:
        return unpacked(tensor, elem_type)
    return numpy_helper.to_array(tensor)


def read_data_set(data_set, info):
    """({input name: array}, [expected output arrays]); bfloat16 as 16-bit patterns, float8 as 8-bit
    patterns, the packed integer types one value per byte."""
    inputs = {}
    for k, v in enumerate(info.inputs):
        path = os.path.join(data_set, "input_%d.pb" % k)
        # A data set may leave trailing optional inputs out; `kiln run` then says what is missing.
        if os.path.exists(path):
            inputs[v.name] = _read_tensor(path, v.type.tensor_type.elem_type)
    outputs = []
    for k, v in enumerate(info.outputs):
        outputs.append(_read_tensor(os.path.join(data_set, "output_%d.pb" % k),
                                    v.type.tensor_type.elem_type))
    return inputs, outputs
