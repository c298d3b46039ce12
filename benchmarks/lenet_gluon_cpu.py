"""Training throughput of the talk's Gluon LeNet on mxtorch against the same network in plain PyTorch.

Both sides train the network of ``examples/lenet_gluon.py`` (conv 20 + relu, max-pool, conv 50 +
relu, max-pool, dense 512 + relu, dense 10) on MNIST held in memory as float32 tensors in [0, 1],
batch size 64, SGD with learning rate 0.1, softmax cross-entropy, Xavier-uniform weights
(magnitude 2.24, factor 'avg', as ``mx.init.Xavier(magnitude=2.24)``) and zero biases:

- mxtorch: the talk's eager loop (``autograd.record``, ``loss.backward()``, ``trainer.step``,
  ``nd.mean(loss).asscalar()``), batches from ``gluon.data.DataLoader`` over an ``ArrayDataset``;
- PyTorch: the idiomatic loop (``zero_grad``, ``backward``, ``step``, ``loss.item()``), batches
  from ``torch.utils.data.DataLoader`` over a ``TensorDataset`` of the same tensors.

Runs alternate (mxtorch, torch, mxtorch, torch, ...) so that a change in the machine's load hits
both sides alike; each run is ``--iters`` training steps. Reported: the median samples/s of each
side over the runs, by wall-clock time and by the process's CPU time summed over its threads
(steadier on a shared machine), and their ratio.

A second table gives DataLoader throughput alone over in-memory MNIST (no transform, batch 64,
shuffled): mxtorch's DataLoader over ``gluon.data.vision.MNIST`` and over an ``ArrayDataset`` of
the float tensors, against ``torch.utils.data.DataLoader`` over ``TensorDataset``s of the same
arrays; and, for reference, the example's own pipeline (``MNIST.transform_first(ToTensor())``,
converted once per batch).

The output is markdown, to paste into ``benchmarks/RESULTS.md``. Run it on a quiet machine::

    .venv/bin/python benchmarks/lenet_gluon_cpu.py [--runs 5] [--iters 200] [--threads N]
    .venv/bin/python benchmarks/lenet_gluon_cpu.py --quick      # a smoke check, seconds
"""
from __future__ import annotations

import argparse
import datetime
import math
import os
import pathlib
import statistics
import sys
import time
from typing import Callable, Iterator

import numpy as np
import torch

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.gluon.data.vision import transforms

ROOT = pathlib.Path(__file__).resolve().parents[1]
MNIST = pathlib.Path(os.environ.get("MXTORCH_MNIST", ROOT.parent / "shared" / "data" / "mnist"))
sys.path.insert(0, str(ROOT / "examples"))
from lenet_gluon import lenet  # noqa: E402  (the talk's network, as the example builds it)

from _common import machine  # noqa: E402

BATCH_SIZE = 64
LEARNING_RATE = 0.1


# -- data ------------------------------------------------------------------------------------------
def load_mnist(root: pathlib.Path) -> tuple:
    """The MNIST training set: the gluon dataset, and its images as float32 (N, 1, 28, 28) in [0, 1]
    with int64 labels (the tensors both training loops read)."""
    dataset = gluon.data.vision.MNIST(root=str(root), train=True)
    images = dataset._data._t.permute(0, 3, 1, 2).float().div_(255).contiguous()
    labels = torch.from_numpy(dataset._label.astype(np.int64))
    return dataset, images, labels


def endless(loader: Iterator, make: Callable[[], Iterator]) -> Iterator:
    """Batches from one epoch after another."""
    while True:
        yield from loader
        loader = make()


# -- the two training loops ------------------------------------------------------------------------
class MxtorchTrainer:
    """The talk's Gluon training step on mxtorch."""

    name = "mxtorch (Gluon, eager)"

    def __init__(self, images: torch.Tensor, labels: torch.Tensor):
        self.ctx = mx.cpu()
        self.net = lenet()
        self.net.collect_params().initialize(mx.init.Xavier(magnitude=2.24), ctx=self.ctx)
        self.loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
        self.trainer = gluon.Trainer(self.net.collect_params(), "sgd", {"learning_rate": LEARNING_RATE})
        dataset = gluon.data.ArrayDataset(nd.NDArray(images), labels.numpy())
        make = lambda: iter(gluon.data.DataLoader(dataset, BATCH_SIZE, shuffle=True))  # noqa: E731
        self.batches = endless(make(), make)

    def run(self, iters: int) -> float:
        """Train ``iters`` steps; returns the last loss."""
        for _ in range(iters):
            data, label = next(self.batches)
            data = data.as_in_context(self.ctx)
            label = label.as_in_context(self.ctx)
            with autograd.record():
                output = self.net(data)
                loss = self.loss_fn(output, label)
            loss.backward()
            self.trainer.step(data.shape[0])
            curr_loss = nd.mean(loss).asscalar()
        return float(curr_loss)


def torch_lenet() -> torch.nn.Sequential:
    """The same network in torch.nn, initialised as ``mx.init.Xavier(magnitude=2.24)`` does."""
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 20, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2),
        torch.nn.Conv2d(20, 50, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2),
        torch.nn.Flatten(), torch.nn.Linear(800, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    for module in net:
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            receptive = module.weight[0, 0].numel()
            fan_in, fan_out = module.weight.shape[1] * receptive, module.weight.shape[0] * receptive
            scale = math.sqrt(2.24 / ((fan_in + fan_out) / 2))
            torch.nn.init.uniform_(module.weight, -scale, scale)
            torch.nn.init.zeros_(module.bias)
    return net


class TorchTrainer:
    """The idiomatic PyTorch training step for the same network."""

    name = "PyTorch (eager)"

    def __init__(self, images: torch.Tensor, labels: torch.Tensor):
        self.net = torch_lenet()
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=LEARNING_RATE)
        dataset = torch.utils.data.TensorDataset(images, labels)
        loader = torch.utils.data.DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True)
        self.batches = endless(iter(loader), lambda: iter(loader))

    def run(self, iters: int) -> float:
        for _ in range(iters):
            data, label = next(self.batches)
            self.optimizer.zero_grad()
            loss = self.loss_fn(self.net(data), label)
            loss.backward()
            self.optimizer.step()
            curr_loss = loss.item()
        return curr_loss


# -- measurement -----------------------------------------------------------------------------------
def timed(fn: Callable[[], object]) -> tuple:
    """(wall seconds, CPU seconds of this process) that ``fn()`` took."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def training_rows(images: torch.Tensor, labels: torch.Tensor, runs: int, iters: int,
                  warmup: int) -> list:
    """Alternating training runs; a row per side: name, samples/s (wall, CPU), per-run values."""
    sides = [MxtorchTrainer(images, labels), TorchTrainer(images, labels)]
    for side in sides:
        side.run(warmup)
    wall: dict = {side.name: [] for side in sides}
    cpu: dict = {side.name: [] for side in sides}
    for _ in range(runs):
        for side in sides:
            w, c = timed(lambda: side.run(iters))
            wall[side.name].append(iters * BATCH_SIZE / w)
            cpu[side.name].append(iters * BATCH_SIZE / c)
    return [(side.name, statistics.median(wall[side.name]), statistics.median(cpu[side.name]),
             wall[side.name]) for side in sides]


def loader_rows(dataset: object, images: torch.Tensor, labels: torch.Tensor, epochs: int,
                batches: int) -> list:
    """Batches/s and samples/s of each DataLoader over ``batches`` shuffled batches, best of
    ``epochs`` passes (every pass builds a fresh iterator, as an epoch does)."""
    uint8_images = dataset._data._t
    cases = [
        ("mxtorch DataLoader, gluon.data.vision.MNIST (uint8 HWC, int32 labels)",
         lambda: gluon.data.DataLoader(dataset, BATCH_SIZE, shuffle=True)),
        ("torch DataLoader, TensorDataset of the same uint8 HWC images and labels",
         lambda: torch.utils.data.DataLoader(
             torch.utils.data.TensorDataset(uint8_images, labels), batch_size=BATCH_SIZE, shuffle=True)),
        ("mxtorch DataLoader, MNIST.transform_first(ToTensor()) (the example's pipeline)",
         lambda: gluon.data.DataLoader(dataset.transform_first(transforms.ToTensor()), BATCH_SIZE,
                                       shuffle=True)),
        ("mxtorch DataLoader, ArrayDataset of float32 NCHW tensors",
         lambda: gluon.data.DataLoader(gluon.data.ArrayDataset(nd.NDArray(images), labels.numpy()),
                                       BATCH_SIZE, shuffle=True)),
        ("torch DataLoader, TensorDataset of float32 NCHW tensors",
         lambda: torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, labels),
                                             batch_size=BATCH_SIZE, shuffle=True)),
    ]
    rows = []
    for name, make in cases:
        best = math.inf
        for _ in range(epochs):
            def one_pass() -> None:
                for i, _batch in enumerate(make()):
                    if i + 1 == batches:
                        break
            best = min(best, timed(one_pass)[0])
        rows.append((name, batches / best, batches * BATCH_SIZE / best))
    return rows


# -- report ----------------------------------------------------------------------------------------
def report(train: list, loaders: list, args: argparse.Namespace, machine_line: str) -> str:
    mx_row, torch_row = train
    lines = [
        f"Machine: {machine_line}.",
        f"Command: `benchmarks/lenet_gluon_cpu.py {' '.join(sys.argv[1:])}` ({args.runs} alternating "
        f"runs of {args.iters} steps each, batch {BATCH_SIZE}, after {args.warmup} warm-up steps; "
        f"median of the runs).",
        "",
        "| training loop | samples/s (wall) | samples/s (CPU time) | runs, samples/s (wall) |",
        "| --- | ---: | ---: | --- |",
    ]
    for name, wall, cpu, per_run in train:
        lines.append(f"| {name} | {wall:,.0f} | {cpu:,.0f} | {', '.join(f'{v:,.0f}' for v in per_run)} |")
    lines.append(f"| **ratio mxtorch / PyTorch** | **{mx_row[1] / torch_row[1]:.3f}** | "
                 f"**{mx_row[2] / torch_row[2]:.3f}** | |")
    lines += [
        "",
        f"DataLoader alone (batch {BATCH_SIZE}, shuffled, no transform unless named; "
        f"{args.loader_batches} batches, best of {args.loader_passes} passes):",
        "",
        "| loader | batches/s | samples/s |",
        "| --- | ---: | ---: |",
    ]
    for name, batches_per_s, samples_per_s in loaders:
        lines.append(f"| {name} | {batches_per_s:,.0f} | {samples_per_s:,.0f} |")
    return "\n".join(lines)


def parse_args(argv: list | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="alternating runs per side (5)")
    parser.add_argument("--iters", type=int, default=200, help="training steps per run (200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps per side first (20)")
    parser.add_argument("--loader-batches", type=int, default=938,
                        help="batches per DataLoader pass (938: one epoch of 60,000)")
    parser.add_argument("--loader-passes", type=int, default=3, help="DataLoader passes, best kept (3)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch intra-op threads for both sides (default: torch's choice)")
    parser.add_argument("--root", default=str(MNIST), help="folder of the MNIST IDX files")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke check: 2 runs of 5 steps, 2 warm-up steps, 50 loader batches")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.iters, args.warmup, args.loader_batches, args.loader_passes = 2, 5, 2, 50, 1
    return args


def main(argv: list | None = None) -> int:
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    # the load average says whether the machine was quiet enough for the numbers to mean much
    machine_line = f"{machine()}, {datetime.datetime.now():%H:%M}, load average {os.getloadavg()[0]:.2f}"
    mx.random.seed(0)
    torch.manual_seed(0)
    np.random.seed(0)
    dataset, images, labels = load_mnist(pathlib.Path(args.root))
    train = training_rows(images, labels, args.runs, args.iters, args.warmup)
    loaders = loader_rows(dataset, images, labels, args.loader_passes, args.loader_batches)
    print(report(train, loaders, args, machine_line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
