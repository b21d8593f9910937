# Transformer encoder layers exported from PyTorch, at opset 13 (LayerNorm
# decomposed into ReduceMean/Sub/Pow/Sqrt/Div) and 17 (LayerNormalization):
# MatMul, Softmax, Erf-GELU, and the Shape -> Gather -> Unsqueeze -> Concat ->
# Reshape subgraphs that tracing records for x.shape.
# RUN: rm -rf %t && %python %s %t
import math

import torch
from torch import nn

import torch_common


class EncoderLayer(nn.Module):
    def __init__(self, d=32, heads=4, ff=64):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln1 = nn.LayerNorm(d)
        self.ln2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        split = lambda t: t.reshape(b, s, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // self.heads), dim=-1)
        out = (att @ v).transpose(1, 2).reshape(b, s, d)
        x = self.ln1(x + self.proj(out))
        return self.ln2(x + self.ff(x))


torch.manual_seed(4)
x = torch.randn(2, 10, 32)
work = torch_common.work_dir()
for opset in (13, 17):
    torch_common.check_torch_model(EncoderLayer(), [x], work, "encoder_opset%d" % opset, opset=opset)

# PyTorch's own layer (nn.MultiheadAttention inside). Sequence-first, since
# in eval mode a batch-first layer takes a fused kernel that does not export.
torch.manual_seed(5)
layer = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64, dropout=0.0,
                                   activation="gelu")
torch_common.check_torch_model(layer, [x.transpose(0, 1).contiguous()], work,
                               "torch_encoder_layer", opset=14)
