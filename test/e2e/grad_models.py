# Gradients of whole models exported from PyTorch (float32): an MLP, the small
# CNN with batch norm, a transformer encoder layer and torchvision's ResNet-18
# at 32x32. Compiled with `kiln compile --grad --wrt <every initializer and the
# input>`, run with `kiln run --entry grad`, and compared with PyTorch autograd
# within 1e-4 relative (per-tensor norm). Exported with TrainingMode.PRESERVE
# on an eval-mode module, so batch norm is not folded into the convolutions
# and every initializer keeps its PyTorch name.
# RUN: rm -rf %t && %python %s %t
import os

import onnx
import torch
from torch import nn
from torch.nn.utils import stateless

import grad_testing as gt
import torch_common
import torch_models

RTOL = 1e-4


def export_preserve(module, x, path):
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, (x,), path, opset_version=17, input_names=["input0"],
                          output_names=["output0"], do_constant_folding=False,
                          training=torch.onnx.TrainingMode.PRESERVE)


def check_model(name, module, x, work):
    module.eval()
    path = os.path.join(work, name + ".onnx")
    export_preserve(module, x, path)
    graph = onnx.load(path).graph
    # PyTorch has no gradient for batch norm's running statistics (buffers);
    # test/e2e/grad_rules.py checks kiln's against finite differences.
    tensors = dict(module.named_parameters())
    initializers = [i.name for i in graph.initializer
                    if i.data_type == onnx.TensorProto.FLOAT and i.name in tensors]
    missing = sorted(set(tensors) - set(initializers))
    if missing:
        # The exporter merges equal initializers: one ONNX gradient would then
        # be the sum of several PyTorch ones. The models use distinct values.
        raise SystemExit("%s: parameters not exported as their own initializer: %s" % (
            name, ", ".join(missing)))
    artifact = gt.compile_grad(path, os.path.join(work, name),
                               wrt=",".join(["input0"] + initializers))
    with torch.no_grad():
        y = module(x)
    dy = torch.randn(y.shape)
    result = gt.run_grad(artifact, {"input0": x.numpy()}, {"output0": dy.numpy()})
    gt.assert_close_norm(result["output0"], y.numpy(), "%s: output vs PyTorch" % name, RTOL)

    def fn(x, *values):
        return stateless.functional_call(module, dict(zip(initializers, values)), (x,))

    reference = gt.torch_vjp(fn, [x] + [tensors[n].detach() for n in initializers], [dy])
    for n, ref in zip(["input0"] + initializers, reference):
        gt.assert_close_norm(result[n + ".grad"], ref, "%s: d%s vs PyTorch autograd" % (name, n),
                             RTOL)
    print("%s: %d gradients match" % (name, len(reference)))


def well_conditioned_input(module, shape, margin=1e-5):
    """A random input whose ReLU inputs are all at least `margin` away from 0
    and whose max-pool windows have no two nearly equal largest values (other
    than exact ties, which both sides break the same way).

    Near such a point the gradient is discontinuous: a ReLU input of 4e-8 (seen
    here) changes sign with the order of a sum, and a whole cotangent element
    then goes one way or the other. Kiln and PyTorch sum in different orders,
    so those inputs test rounding, not gradients."""
    module.eval()
    for _ in range(20):
        x = torch.randn(*shape)
        closest = []
        hooks = [m.register_forward_pre_hook(
                     lambda m, args: closest.append(float(args[0].abs().min())))
                 for m in module.modules() if isinstance(m, nn.ReLU)]

        def pool_hook(m, args):
            windows = nn.functional.unfold(
                nn.functional.pad(args[0], [m.padding] * 4, value=-float("inf")),
                m.kernel_size, stride=m.stride)
            top = windows.reshape(shape[0], args[0].shape[1], -1, windows.shape[-1]).topk(2, dim=2).values
            gap = top[:, :, 0] - top[:, :, 1]
            closest.append(float(gap[gap > 0].min()) if (gap > 0).any() else float("inf"))

        hooks += [m.register_forward_pre_hook(pool_hook)
                  for m in module.modules() if isinstance(m, nn.MaxPool2d)]
        with torch.no_grad():
            module(x)
        for h in hooks:
            h.remove()
        if min(closest) > margin:
            return x
    raise SystemExit("no well-conditioned input in 20 draws")


def main():
    work = torch_common.work_dir()
    os.makedirs(work, exist_ok=True)
    torch.manual_seed(0)

    mlp = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.GELU(),
                        nn.Linear(128, 10), nn.LogSoftmax(dim=-1))
    check_model("mlp", mlp, torch.randn(8, 64), work)

    check_model("cnn", torch_models.small_cnn(), torch.randn(2, 3, 37, 41), work)

    encoder = torch_models.EncoderLayer()
    # Distinct layer norm weights: the exporter merges equal initializers
    # (both all ones), which would sum two PyTorch gradients into one.
    for ln in (encoder.ln1, encoder.ln2):
        ln.weight.data.uniform_(0.5, 1.5)
        ln.bias.data.uniform_(-0.2, 0.2)
    check_model("encoder", encoder, torch.randn(2, 16, 32), work)

    import torchvision
    resnet = torchvision.models.resnet18(num_classes=10)
    for m in resnet.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    check_model("resnet18", resnet, well_conditioned_input(resnet, (2, 3, 32, 32)), work)


main()
