# Transformer encoder layers exported from PyTorch, at opset 13 (LayerNorm
# decomposed into ReduceMean/Sub/Pow/Sqrt/Div) and 17 (LayerNormalization):
# MatMul, Softmax, Erf-GELU, and the Shape -> Gather -> Unsqueeze -> Concat ->
# Reshape subgraphs that tracing records for x.shape.
# RUN: rm -rf %t && %python %s %t
import torch
from torch import nn

import torch_common
from torch_models import EncoderLayer


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
