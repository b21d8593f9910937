# A MobileNet-V2 inverted-residual block: 1x1 expand, depthwise 3x3 (groups =
# channels), ReLU6 (exported as Clip), 1x1 project, residual add.
# RUN: rm -rf %t && %python %s %t
import torch
from torch import nn

import torch_common


class InvertedResidual(nn.Module):
    def __init__(self, c, expand):
        super().__init__()
        h = c * expand
        self.body = nn.Sequential(
            nn.Conv2d(c, h, 1, bias=False), nn.BatchNorm2d(h), nn.ReLU6(),
            nn.Conv2d(h, h, 3, padding=1, groups=h, bias=False), nn.BatchNorm2d(h), nn.ReLU6(),
            nn.Conv2d(h, c, 1, bias=False), nn.BatchNorm2d(c))
        self.down = nn.Sequential(
            nn.Conv2d(c, c, 3, stride=2, padding=1, groups=c), nn.ReLU6())

    def forward(self, x):
        return self.down(x + self.body(x))


torch.manual_seed(3)
block = InvertedResidual(8, 4)
for m in block.modules():
    if isinstance(m, nn.BatchNorm2d):
        m.running_mean.uniform_(-0.3, 0.3)
        m.running_var.uniform_(0.5, 2.0)
torch_common.check_torch_model(block, [torch.randn(1, 8, 20, 20) * 3], torch_common.work_dir(),
                               "mobilenet_block", opset=13)
