# Recurrent models as PyTorch exports them (ONNX LSTM, GRU and RNN nodes with reordered gates,
# both biases, initial states, batch_first transposes, stacked and bidirectional layers), compiled
# and run against PyTorch and onnxruntime.
# RUN: rm -rf %t && %python %s %t
import torch
from torch import nn

import torch_common


class Tagger(nn.Module):
    """An embedding-free sequence tagger: a 2-layer bidirectional LSTM, a GRU over its outputs,
    a tanh RNN, then a linear head on every step."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(6, 8, num_layers=2, bidirectional=True, batch_first=True)
        self.gru = nn.GRU(16, 7, batch_first=True)
        self.rnn = nn.RNN(7, 5, nonlinearity="relu", batch_first=True)
        self.head = nn.Linear(5, 3)

    def forward(self, x, h0, c0):
        y, (h, c) = self.lstm(x, (h0, c0))
        y, _ = self.gru(y)
        y, hr = self.rnn(y)
        return self.head(y), h, c, hr


class Encoder(nn.Module):
    """Time-major (batch_first=False) GRU and LSTM, the last hidden state as a summary."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(4, 6, bidirectional=True)
        self.lstm = nn.LSTM(12, 5)

    def forward(self, x):
        y, _ = self.gru(x)
        _, (h, _) = self.lstm(y)
        return h[-1]


torch.manual_seed(11)
torch_common.check_torch_model(
    Tagger(), [torch.randn(3, 7, 6), torch.randn(4, 3, 8) * 0.5, torch.randn(4, 3, 8) * 0.5],
    torch_common.work_dir(), "tagger", opset=14)
torch_common.check_torch_model(Encoder(), [torch.randn(9, 2, 4)], torch_common.work_dir(),
                               "encoder", opset=13)
