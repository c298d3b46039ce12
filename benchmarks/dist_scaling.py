"""Data-parallel scaling of the talk's Gluon LeNet over worker processes (``dist_sync``).

For each worker count (default 1 and 2) the benchmark starts a job with ``mxtorch launch
--launcher local`` (torchrun, Gloo on 127.0.0.1, or NCCL with one GPU per worker when the
machine has GPUs). Every worker trains LeNet (``examples/lenet_gluon.py``'s network) with
``gluon.Trainer(kvstore='dist_sync')`` on in-memory MNIST-shaped batches of ``--batch-size``
samples (per worker, as MXNet counts it): ``--warmup`` steps, a barrier, then ``--iters`` timed
steps and a barrier. Reported per worker count: the job's samples/s (all workers together), the
speed-up over one worker and the scaling efficiency (speed-up / workers). On the CPU each worker
gets ``cores // workers`` torch threads (``--threads`` overrides), so the comparison is between
ways of using the same cores, not more hardware.

The output is markdown, for benchmarks/RESULTS.md::

    .venv/bin/python benchmarks/dist_scaling.py [--workers 1 2] [--iters 200] [--batch-size 64]
    .venv/bin/python benchmarks/dist_scaling.py --quick        # a smoke check at tiny size
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def worker(args: argparse.Namespace) -> None:
    """One worker of a job: time ``iters`` steps and (rank 0) write the job's samples/s."""
    import numpy as np
    import torch

    import mxtorch as mx
    from mxtorch import autograd, gluon

    sys.path.insert(0, str(ROOT / "examples"))
    from lenet_gluon import lenet

    if args.threads:
        torch.set_num_threads(args.threads)
    kv = mx.kv.create("dist_sync")
    gpus = mx.context.num_gpus()
    ctx = mx.gpu(int(os.environ.get("LOCAL_RANK", "0")) % gpus) if gpus else mx.cpu()
    rng = np.random.RandomState(kv.rank)
    data = mx.nd.array(rng.rand(args.batch_size, 1, 28, 28).astype(np.float32), ctx=ctx)
    label = mx.nd.array(rng.randint(0, 10, args.batch_size).astype(np.float32), ctx=ctx)
    net = lenet()
    net.initialize(mx.init.Xavier(magnitude=2.24), ctx=ctx)
    net(data)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1}, kvstore=kv)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()

    def step() -> None:
        with autograd.record():
            loss = loss_fn(net(data), label)
        loss.backward()
        trainer.step(args.batch_size)

    for _ in range(args.warmup):
        step()
    mx.nd.waitall()
    kv._barrier()
    start = time.perf_counter()
    for _ in range(args.iters):
        step()
    mx.nd.waitall()
    kv._barrier()
    seconds = time.perf_counter() - start
    if kv.rank == 0:
        result = {"workers": kv.num_workers, "seconds": seconds,
                  "samples_per_s": kv.num_workers * args.batch_size * args.iters / seconds,
                  "threads": torch.get_num_threads(), "device": str(ctx)}
        pathlib.Path(args.out).write_text(json.dumps(result))


def run_job(n: int, args: argparse.Namespace, out: str) -> dict:
    threads = args.threads or max(1, (os.cpu_count() or 1) // n)
    command = [sys.executable, "-m", "mxtorch", "launch", "-n", str(n), "--launcher", "local",
               sys.executable, str(pathlib.Path(__file__).resolve()), "--worker", "--out", out,
               "--iters", str(args.iters), "--warmup", str(args.warmup),
               "--batch-size", str(args.batch_size), "--threads", str(threads)]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    subprocess.run(command, check=True, env=env, timeout=args.timeout)
    return json.loads(pathlib.Path(out).read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=0, help="torch threads per worker")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per job")
    parser.add_argument("--quick", action="store_true", help="a smoke check: 5 steps, 2 warm-up")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.iters, args.warmup = 5, 2
    if args.worker:
        worker(args)
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.workers:
            rows.append(run_job(n, args, os.path.join(tmp, f"job-{n}.json")))
    base = rows[0]["samples_per_s"] / rows[0]["workers"]
    print(f"LeNet, dist_sync, batch {args.batch_size} per worker, {args.iters} steps, "
          f"{os.cpu_count()} cores, device {rows[0]['device']}\n")
    print("| workers | threads/worker | samples/s | speed-up | efficiency |")
    print("|---|---|---|---|---|")
    for row in rows:
        speedup = row["samples_per_s"] / base
        print(f"| {row['workers']} | {row['threads']} | {row['samples_per_s']:.0f} | "
              f"{speedup:.2f} | {speedup / row['workers']:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
