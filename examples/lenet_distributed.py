"""The talk's Gluon LeNet trained by several worker processes: data-parallel, ``dist_sync``.

Each worker trains on its own part of MNIST (``gluon.data.SplitSampler``), the Trainer sums the
gradients of all workers through the ``dist_sync`` kvstore, and every worker applies the same
update, so all of them hold the same network. The program is an ordinary MXNet program: the
workers find each other through the environment that the launcher sets.

One machine, two workers (either line)::

    .venv/bin/mxtorch launch -n 2 --launcher local \\
        .venv/bin/python examples/lenet_distributed.py --root ../shared/data/mnist
    .venv/bin/torchrun --nproc-per-node 2 examples/lenet_distributed.py --root ../shared/data/mnist

Several machines (``hosts`` lists one host name per line; the first one hosts the rendezvous,
port 29500; the same paths must exist on every machine, or add ``--sync-dst-dir DIR``)::

    .venv/bin/mxtorch launch -n 8 -H hosts --launcher ssh \\
        /path/to/.venv/bin/python examples/lenet_distributed.py --root /data/mnist

or by hand, on every machine: ``torchrun --nnodes 2 --nproc-per-node 4 --rdzv-backend c10d
--rdzv-endpoint FIRST_HOST:29500 examples/lenet_distributed.py ...``. Run alone, the program is
a job of one worker. ``--batch-size`` is per worker: the job's batch is that times the number of
workers, and ``trainer.step(batch_size)`` takes the per-worker size, as in MXNet.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time
from typing import Optional, Sequence

import numpy as np

import mxtorch as mx
from mxtorch import autograd, gluon
from mxtorch.gluon.data.vision import transforms

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from lenet_gluon import evaluate_accuracy, lenet  # noqa: E402  (the talk's network)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Train the talk's LeNet on MNIST with several "
                                                 "workers (start it with mxtorch launch or torchrun).")
    parser.add_argument("--kvstore", default="dist_sync",
                        help="kvstore type: dist_sync (default), dist_device_sync, horovod, ...")
    parser.add_argument("--epochs", type=int, default=1, help="passes over the training set (1)")
    parser.add_argument("--batch-size", type=int, default=64, help="samples per worker and step (64)")
    parser.add_argument("--lr", type=float, default=0.1, help="SGD learning rate (0.1)")
    parser.add_argument("--root", default=None,
                        help="folder of the MNIST IDX files (default: $MXNET_HOME/datasets/mnist)")
    parser.add_argument("--max-batches", type=int, default=None,
                        help="stop each epoch after this many steps, for a quick run")
    parser.add_argument("--seed", type=int, default=1, help="seed of the shuffling (1)")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    kv = mx.kv.create(args.kvstore)
    # one GPU per worker when there are GPUs (torchrun sets LOCAL_RANK), else the CPU
    gpus = mx.context.num_gpus()
    ctx = mx.gpu(int(os.environ.get("LOCAL_RANK", "0")) % gpus) if gpus else mx.cpu()
    np.random.seed(args.seed + kv.rank)  # each worker shuffles its own part its own way

    to_tensor = transforms.ToTensor()
    train = gluon.data.vision.MNIST(root=args.root, train=True).transform_first(to_tensor)
    sampler = gluon.data.SplitSampler(len(train), num_parts=kv.num_workers, part_index=kv.rank)
    train_data = gluon.data.DataLoader(train, args.batch_size, sampler=sampler)

    net = lenet()
    net.initialize(mx.init.Xavier(magnitude=2.24), ctx=ctx)
    net(mx.nd.zeros((1, 1, 28, 28), ctx=ctx))  # shapes known now, so the Trainer can share them
    # the Trainer starts every worker from rank 0's parameters
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": args.lr}, kvstore=kv)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()

    for epoch in range(args.epochs):
        start, samples = time.time(), 0
        for i, (data, label) in enumerate(train_data):
            if args.max_batches is not None and i >= args.max_batches:
                break
            data, label = data.as_in_context(ctx), label.as_in_context(ctx)
            with autograd.record():
                loss = loss_fn(net(data), label)
            loss.backward()
            trainer.step(data.shape[0])
            samples += data.shape[0]
        speed = samples / (time.time() - start)
        print(f"[worker {kv.rank}/{kv.num_workers}] epoch {epoch}: {samples} samples, "
              f"{speed:.0f} samples/s, last loss {loss.mean().asscalar():.4f}", flush=True)
        if kv.rank == 0:
            test = gluon.data.vision.MNIST(root=args.root, train=False).transform_first(to_tensor)
            accuracy = evaluate_accuracy(gluon.data.DataLoader(test, 256), net, ctx)
            print(f"epoch {epoch}: test accuracy {accuracy:.4f}", flush=True)
    kv._barrier()
    if kv.rank == 0:
        net.save_parameters("lenet_distributed.params")
    return 0


if __name__ == "__main__":
    sys.exit(main())
