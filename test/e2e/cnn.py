# A small CNN exported from PyTorch: conv, max and average pooling, batch norm
# (kept as a separate node: exported in training-style mode off), a residual add.
# RUN: rm -rf %t && %python %s %t
import torch

import torch_common
import torch_models

net = torch_models.small_cnn()
torch_common.check_torch_model(net, [torch.randn(2, 3, 37, 41)], torch_common.work_dir(), "cnn")
