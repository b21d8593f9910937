# An MLP exported from PyTorch: Gemm, ReLU, GELU (Erf form), Softmax.
# RUN: rm -rf %t && %python %s %t
import torch
from torch import nn

import torch_common

torch.manual_seed(1)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.GELU(),
                      nn.Linear(128, 10), nn.Softmax(dim=-1))
torch_common.check_torch_model(model, [torch.randn(4, 64)], torch_common.work_dir(), "mlp")
