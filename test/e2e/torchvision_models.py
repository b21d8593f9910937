# CNNs of the ResNet, MobileNet and SqueezeNet families from torchvision
# (random weights, fixed seed) at a small input size.
# RUN: rm -rf %t && %python %s %t
import torch
import torchvision

import torch_common

work = torch_common.work_dir()
for name, factory in [("resnet18", torchvision.models.resnet18),
                      ("mobilenet_v2", torchvision.models.mobilenet_v2),
                      ("squeezenet1_1", torchvision.models.squeezenet1_1)]:
    torch.manual_seed(6)
    model = factory(weights=None, num_classes=16)
    # Random init leaves batch norm as (almost) the identity; make it count.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
    torch_common.check_torch_model(model, [torch.randn(1, 3, 64, 64)], work, name, opset=13)
