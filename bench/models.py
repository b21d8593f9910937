"""The models the benchmarks time, exported to ONNX from PyTorch.

Each builder returns (torch module in eval mode, example inputs, ONNX opset).
Weights are random (seed 0): speed does not depend on them, and nothing is
downloaded. The encoder is written out op by op the way BERT exports look
(MatMul + Add, Reshape/Transpose into heads, Softmax, erf GELU,
LayerNormalization), not torch.nn.TransformerEncoder, whose fused fast path
does not export.
"""
import math

import torch
import torch.nn as nn


class EncoderLayer(nn.Module):
    """Post-norm BERT layer: x + attention, LayerNorm, x + FFN(GELU), LayerNorm."""

    def __init__(self, d, heads, ff):
        super().__init__()
        self.heads, self.dk = heads, d // heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.ff1, self.ff2 = nn.Linear(d, ff), nn.Linear(ff, d)

    def split(self, t):
        b, s, _ = t.shape
        return t.reshape(b, s, self.heads, self.dk).transpose(1, 2)

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.dk)
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v)
        ctx = ctx.transpose(1, 2).reshape(b, s, d)
        x = self.ln1(x + self.o(ctx))
        h = nn.functional.gelu(self.ff1(x))  # exact (erf) GELU, as BERT
        return self.ln2(x + self.ff2(h))


class Encoder(nn.Module):
    def __init__(self, layers=6, d=384, heads=6, ff=1536):
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(d, heads, ff) for _ in range(layers))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def encoder(seq=128, d=384):
    torch.manual_seed(0)
    return Encoder(d=d).eval(), (torch.randn(1, seq, d),), 17


def torchvision_model(name):
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    return model, (torch.randn(1, 3, 224, 224),), 13


BUILDERS = {
    "resnet18": lambda: torchvision_model("resnet18"),
    "resnet50": lambda: torchvision_model("resnet50"),
    "mobilenet_v2": lambda: torchvision_model("mobilenet_v2"),
    "encoder": encoder,
}


def export(name, path):
    """Writes model `name` to `path` (ONNX); returns its example inputs as numpy arrays."""
    model, inputs, opset = BUILDERS[name]()
    with torch.no_grad():
        torch.onnx.export(model, inputs, path, opset_version=opset,
                          input_names=["input%d" % i for i in range(len(inputs))],
                          output_names=["output"])
    return [t.numpy() for t in inputs]
