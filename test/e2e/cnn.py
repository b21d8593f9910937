# A small CNN exported from PyTorch: conv, max and average pooling, batch norm
# (kept as a separate node: exported in training-style mode off), a residual add.
# RUN: rm -rf %t && %python %s %t
import torch
from torch import nn

import torch_common


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(x + self.bn2(self.conv2(y)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 5, stride=2, padding=2)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.block = Block(16)
        self.avg = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.head = nn.Linear(16, 7)

    def forward(self, x):
        x = self.block(self.pool(torch.relu(self.stem(x))))
        x = self.avg(x).mean(dim=(2, 3))
        return self.head(x)


torch.manual_seed(2)
net = Net()
# Non-trivial running statistics, so batch norm is not the identity.
for bn in (net.block.bn1, net.block.bn2):
    bn.running_mean.uniform_(-0.5, 0.5)
    bn.running_var.uniform_(0.5, 1.5)
    bn.weight.data.uniform_(0.5, 1.5)
    bn.bias.data.uniform_(-0.2, 0.2)
torch_common.check_torch_model(net, [torch.randn(2, 3, 37, 41)], torch_common.work_dir(), "cnn")
