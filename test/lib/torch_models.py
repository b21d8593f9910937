"""PyTorch modules shared by several end-to-end tests."""
import math

import torch
from torch import nn


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


def small_cnn():
    """The bundled small CNN (conv, max and average pooling, batch norm, a
    residual add), seeded, with non-trivial running statistics so that batch
    norm is not the identity."""
    torch.manual_seed(2)
    net = Net()
    # Non-trivial running statistics, so batch norm is not the identity.
    for bn in (net.block.bn1, net.block.bn2):
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 1.5)
        bn.weight.data.uniform_(0.5, 1.5)
        bn.bias.data.uniform_(-0.2, 0.2)
    return net
