"""ResNet-50 v1 inference throughput on this CPU: mxtorch hybridized vs eager vs plain PyTorch.

The same network three ways, with the same weights (copied from the mxtorch model into the
torch model, outputs checked equal), float32, batch 1 and 32, alternating runs:

    .venv/bin/python benchmarks/resnet50_inference.py [--rounds 5] [--batches 1 32]
"""
from __future__ import annotations

import argparse

import numpy as np
import torch
from torch import nn

import mxtorch as mx
from mxtorch import nd
from mxtorch.gluon.model_zoo import vision

from _common import alternate, machine


class Bottleneck(nn.Module):
    """MXNet's BottleneckV1: stride on the first 1x1 convolution, which has a bias."""

    def __init__(self, in_channels: int, channels: int, stride: int):
        super().__init__()
        mid = channels // 4
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, mid, 1, stride), nn.BatchNorm2d(mid), nn.ReLU(),
            nn.Conv2d(mid, mid, 3, 1, 1, bias=False), nn.BatchNorm2d(mid), nn.ReLU(),
            nn.Conv2d(mid, channels, 1), nn.BatchNorm2d(channels))
        self.downsample = None
        if channels != in_channels:
            self.downsample = nn.Sequential(nn.Conv2d(in_channels, channels, 1, stride, bias=False),
                                            nn.BatchNorm2d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        return torch.relu(self.body(x) + residual)


def torch_resnet50_v1(classes: int = 1000) -> nn.Module:
    layers, channels = [3, 4, 6, 3], [64, 256, 512, 1024, 2048]
    blocks: list = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                    nn.MaxPool2d(3, 2, 1)]
    for i, n in enumerate(layers):
        stride = 1 if i == 0 else 2
        blocks.append(Bottleneck(channels[i], channels[i + 1], stride))
        blocks += [Bottleneck(channels[i + 1], channels[i + 1], 1) for _ in range(n - 1)]
    blocks += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, classes)]
    return nn.Sequential(*blocks)


def copy_weights(gluon_net, torch_net: nn.Module) -> None:
    """Gluon's parameter order (gamma, beta, running_mean, running_var) is torch's state_dict order."""
    source = [p.data()._t for p in gluon_net.collect_params().values()]
    target = [t for k, t in torch_net.state_dict().items() if not k.endswith("num_batches_tracked")]
    assert len(source) == len(target)
    with torch.no_grad():
        for s, t in zip(source, target):
            assert s.shape == t.shape, (s.shape, t.shape)
            t.copy_(s)
    for m in torch_net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eps = 1e-5  # gluon.nn.BatchNorm's epsilon


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 32])
    args = parser.parse_args()

    mx.random.seed(0)
    eager = vision.resnet50_v1()
    eager.initialize(mx.init.Xavier())
    eager(nd.zeros((1, 3, 224, 224)))
    hybrid = vision.resnet50_v1(params=eager.collect_params())
    hybrid.hybridize(static_alloc=True, static_shape=True)
    reference = torch_resnet50_v1().eval()
    copy_weights(eager, reference)

    print(f"Machine: {machine()}\n")
    print("| batch | mxtorch hybridized (img/s) | mxtorch eager (img/s) | plain torch (img/s) | "
          "hybridized / torch | eager / torch |")
    print("|---|---|---|---|---|---|")
    for batch in args.batches:
        x_np = np.random.RandomState(batch).standard_normal((batch, 3, 224, 224)).astype(np.float32)
        x_nd, x_t = nd.array(x_np), torch.from_numpy(x_np)
        with torch.inference_mode():
            expected = reference(x_t).numpy()
        for net in (eager, hybrid):
            np.testing.assert_allclose(net(x_nd).asnumpy(), expected, rtol=1e-3, atol=1e-3)

        def run_gluon(net):
            def work() -> int:
                net(x_nd).wait_to_read()
                return batch
            return work

        def run_torch() -> int:
            with torch.inference_mode():
                reference(x_t)
            return batch

        rates = alternate({"hybrid": run_gluon(hybrid), "eager": run_gluon(eager),
                           "torch": run_torch}, args.rounds if batch > 1 else args.rounds * 10)
        print(f"| {batch} | {rates['hybrid']:.1f} | {rates['eager']:.1f} | {rates['torch']:.1f} | "
              f"{rates['hybrid'] / rates['torch']:.2f}x | {rates['eager'] / rates['torch']:.2f}x |")


if __name__ == "__main__":
    main()
