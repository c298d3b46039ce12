"""Compiled graphs (issue 12): the talk's networks hybridized/bound and compiled, side by side with
PyTorch eager and torch.compile, alternating in one run.

Sections (``--only`` picks some):

- ``gluon``: the talk's Gluon LeNet (conv 20 + relu, max-pool, conv 50 + relu, max-pool,
  dense 512 + relu, dense 10) trained with ``autograd.record`` / ``backward`` / ``Trainer.step``,
  hybridized with ``--backend`` (default ``inductor``), against the idiomatic PyTorch loop
  (``zero_grad``, ``backward``, ``optim.SGD.step``) and against that loop with its model passed
  through ``torch.compile``; batch 64, SGD 0.1, data resident on the device (random images: the
  throughput does not depend on the pixels). ``--hybridize-loss`` compiles the loss block too.
- ``symbolic``: the talk's symbolic LeNet (tanh, SoftmaxOutput) trained by a Module's
  ``forward_backward`` + ``update`` (FeedForward's inner loop) with ``MXTORCH_COMPILE=--backend``,
  against PyTorch eager and MXNet 1.9.1 itself (run in the side venv ``.ref`` as a child process
  when it exists).
- ``latency``: one image through the hybridized LeNet (predict mode), median microseconds, against
  PyTorch eager and compiled.
- ``resnet50``: ResNet-50 v1 inference, mxtorch eager against compiled (images/s); on CUDA in
  bfloat16 through ``amp.convert_hybrid_block``.

Each compiled contender's first call (the compile) is timed apart and reported. Output is markdown
for ``benchmarks/RESULTS.md``. Run on a quiet machine::

    .venv/bin/python benchmarks/compiled.py --threads 2                 # CPU, all sections
    .venv/bin/python benchmarks/compiled.py --device cuda --batch 1024  # on a GPU machine
    .venv/bin/python benchmarks/compiled.py --quick                     # smoke check
"""
from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import time
from typing import Any, Callable

import numpy as np

try:
    import torch
except ImportError:   # the MXNet 1.9.1 worker runs in the side venv, which has no torch
    torch = None

ROOT = pathlib.Path(__file__).resolve().parents[1]
REF_PYTHON = ROOT / ".ref" / "bin" / "python"


# -- helpers ---------------------------------------------------------------------------------------
def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def _timed_first(fn: Callable[[], Any], device: str) -> float:
    start = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - start


def _alternate(contenders: dict, rounds: int, device: str) -> dict:
    """Per contender: the samples/s of each round; rounds alternate between contenders."""
    rates: dict = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, work in contenders.items():
            _sync(device)
            start = time.perf_counter()
            items = work()
            _sync(device)
            rates[name].append(items / (time.perf_counter() - start))
    return rates


def _table(title: str, rates: dict, compile_s: dict, unit: str = "samples/s") -> None:
    print(f"\n{title}\n")
    print(f"| contender | {unit} (median) | rounds | first call (compile) s |")
    print("| --- | ---: | --- | ---: |")
    base = None
    for name, values in rates.items():
        median = statistics.median(values)
        base = base or median
        rounds = ", ".join(f"{v:,.0f}" for v in values)
        print(f"| {name} | {median:,.0f} ({median / base:.2f}x first row) | {rounds} | "
              f"{compile_s.get(name, float('nan')):.1f} |")


# -- the talk's networks ---------------------------------------------------------------------------
def gluon_lenet(mx: Any) -> Any:
    net = mx.gluon.nn.HybridSequential()
    with net.name_scope():
        net.add(mx.gluon.nn.Conv2D(20, kernel_size=5, activation="relu"),
                mx.gluon.nn.MaxPool2D(pool_size=2, strides=2),
                mx.gluon.nn.Conv2D(50, kernel_size=5, activation="relu"),
                mx.gluon.nn.MaxPool2D(pool_size=2, strides=2),
                mx.gluon.nn.Flatten(), mx.gluon.nn.Dense(512, activation="relu"),
                mx.gluon.nn.Dense(10))
    return net


def torch_lenet() -> torch.nn.Module:
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Conv2d(20, 50, 5),
                         nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(800, 512), nn.ReLU(),
                         nn.Linear(512, 10))


def symbolic_lenet(mx: Any) -> Any:
    data = mx.sym.Variable("data")
    net = mx.sym.Convolution(data=data, kernel=(5, 5), num_filter=20)
    net = mx.sym.Pooling(data=mx.sym.Activation(net, act_type="tanh"), pool_type="max",
                         kernel=(2, 2), stride=(2, 2))
    net = mx.sym.Convolution(data=net, kernel=(5, 5), num_filter=50)
    net = mx.sym.Pooling(data=mx.sym.Activation(net, act_type="tanh"), pool_type="max",
                         kernel=(2, 2), stride=(2, 2))
    net = mx.sym.Activation(mx.sym.FullyConnected(mx.sym.Flatten(net), num_hidden=500),
                            act_type="tanh")
    return mx.sym.SoftmaxOutput(mx.sym.FullyConnected(net, num_hidden=10), name="softmax")


def torch_symbolic_lenet() -> torch.nn.Module:
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.Tanh(), nn.MaxPool2d(2, 2), nn.Conv2d(20, 50, 5),
                         nn.Tanh(), nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(800, 500), nn.Tanh(),
                         nn.Linear(500, 10))


def _batches(n: int, batch: int, device: str) -> list:
    rs = np.random.RandomState(0)
    return [(torch.tensor(rs.rand(batch, 1, 28, 28), dtype=torch.float32, device=device),
             torch.tensor(rs.randint(0, 10, batch), device=device)) for _ in range(n)]


# -- gluon ------------------------------------------------------------------------------------------
def gluon_section(args: argparse.Namespace) -> None:
    import mxtorch as mx
    from mxtorch import autograd, gluon
    from mxtorch.ndarray import NDArray

    dev = args.device
    ctx = mx.gpu(0) if dev == "cuda" else mx.cpu()
    data = _batches(8, args.batch, dev)
    nd_data = [(NDArray(x), NDArray(y.float())) for x, y in data]

    net = gluon_lenet(mx)
    net.initialize(mx.init.Xavier(magnitude=2.24), ctx=ctx)
    net.hybridize(backend=args.backend, static_alloc=True, static_shape=True)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    if args.hybridize_loss:   # the loss block compiled too (its four operators in one graph)
        loss_fn.hybridize(backend=args.backend)

    def mx_step(x: Any, y: Any) -> None:
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(args.batch)

    def torch_loop(model: Any) -> Callable:
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loss_t = torch.nn.CrossEntropyLoss()

        def step(x: torch.Tensor, y: torch.Tensor) -> None:
            opt.zero_grad()
            loss_t(model(x), y).backward()
            opt.step()
        return step

    eager_model = torch_lenet().to(dev)
    compiled_model = torch.compile(torch_lenet().to(dev))
    steps = {f"mxtorch hybridized ({args.backend})": lambda x, y, i: mx_step(*nd_data[i]),
             "PyTorch eager": lambda x, y, i, s=torch_loop(eager_model): s(x, y),
             "PyTorch torch.compile": lambda x, y, i, s=torch_loop(compiled_model): s(x, y)}
    first = {name: _timed_first(lambda f=f: f(*data[0], 0), dev) for name, f in steps.items()}

    def work(f: Callable) -> Callable[[], int]:
        def run() -> int:
            for i in range(args.iters):
                f(*data[i % len(data)], i % len(data))
            return args.iters * args.batch
        return run
    for f in steps.values():   # warm-up
        work(f)()
    rates = _alternate({name: work(f) for name, f in steps.items()}, args.rounds, dev)
    _table(f"Gluon LeNet training, batch {args.batch}, {dev}", rates, first)


# -- symbolic ---------------------------------------------------------------------------------------
def module_worker(mx: Any, iters: int, batch: int, device: str = "cpu") -> float:
    """Samples/s of a Module training loop (forward_backward + update) on synthetic batches."""
    ctx = mx.gpu(0) if device == "cuda" else mx.cpu()
    rs = np.random.RandomState(0)
    mod = mx.mod.Module(symbolic_lenet(mx), context=ctx)
    mod.bind(data_shapes=[("data", (batch, 1, 28, 28))], label_shapes=[("softmax_label", (batch,))])
    mod.init_params(mx.init.Xavier())
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.1})
    batches = [mx.io.DataBatch([mx.nd.array(rs.rand(batch, 1, 28, 28), ctx=ctx)],
                               [mx.nd.array(rs.randint(0, 10, batch), ctx=ctx)]) for _ in range(8)]
    for b in batches[:2] * 5:   # warm-up (and the compile)
        mod.forward_backward(b)
        mod.update()
    mx.nd.waitall()
    start = time.perf_counter()
    for i in range(iters):
        mod.forward_backward(batches[i % len(batches)])
        mod.update()
    mod.get_outputs()[0].wait_to_read()
    mx.nd.waitall()
    return iters * batch / (time.perf_counter() - start)


def symbolic_section(args: argparse.Namespace) -> None:
    os.environ["MXTORCH_COMPILE"] = args.backend
    import mxtorch as mx

    dev = args.device
    first = {f"mxtorch Module ({args.backend})":
             _timed_first(lambda: module_worker(mx, 1, args.batch, dev), dev)}
    data = _batches(8, args.batch, dev)
    model = torch_symbolic_lenet().to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_t = torch.nn.CrossEntropyLoss()

    def torch_work() -> int:
        for i in range(args.iters):
            x, y = data[i % len(data)]
            opt.zero_grad()
            loss_t(model(x), y).backward()
            opt.step()
        return args.iters * args.batch

    rates: dict = {f"mxtorch Module ({args.backend})": [], "PyTorch eager": []}
    has_ref = REF_PYTHON.exists() and dev == "cpu"
    if has_ref:
        rates["MXNet 1.9.1 Module"] = []
    for _ in range(args.rounds):
        rates[f"mxtorch Module ({args.backend})"].append(
            module_worker(mx, args.iters, args.batch, dev))
        _sync(dev)
        start = time.perf_counter()
        items = torch_work()
        _sync(dev)
        rates["PyTorch eager"].append(items / (time.perf_counter() - start))
        if has_ref:
            out = subprocess.run([str(REF_PYTHON), __file__, "--mxnet-worker", "--iters",
                                  str(args.iters), "--batch", str(args.batch), "--threads",
                                  str(args.threads or torch.get_num_threads())],
                                 capture_output=True, text=True, timeout=900, cwd=ROOT)
            if out.returncode != 0:
                print(f"(MXNet 1.9.1 run failed: {out.stderr.strip()[-300:]})")
                has_ref = False
                del rates["MXNet 1.9.1 Module"]
            else:
                rates["MXNet 1.9.1 Module"].append(float(out.stdout.strip().splitlines()[-1]))
    _table(f"Symbolic LeNet training (Module.forward_backward + update), batch {args.batch}, {dev}",
           rates, first)


# -- latency ----------------------------------------------------------------------------------------
def latency_section(args: argparse.Namespace) -> None:
    import mxtorch as mx
    from mxtorch.ndarray import NDArray

    dev = args.device
    ctx = mx.gpu(0) if dev == "cuda" else mx.cpu()
    x = torch.rand(1, 1, 28, 28, device=dev)
    net = gluon_lenet(mx)
    net.initialize(mx.init.Xavier(), ctx=ctx)
    net.hybridize(backend=args.backend, static_alloc=True, static_shape=True)
    eager_model = torch_lenet().to(dev).eval()
    compiled_model = torch.compile(torch_lenet().to(dev).eval())
    xn = NDArray(x)
    calls = {f"mxtorch hybridized ({args.backend})": lambda: net(xn).wait_to_read(),
             "PyTorch eager": lambda: eager_model(x),
             "PyTorch torch.compile": lambda: compiled_model(x)}
    first = {}
    with torch.no_grad():
        for name, f in calls.items():
            first[name] = _timed_first(f, dev)
        times: dict = {name: [] for name in calls}
        for _ in range(args.rounds * 100):
            for name, f in calls.items():
                _sync(dev)
                start = time.perf_counter()
                f()
                _sync(dev)
                times[name].append(time.perf_counter() - start)
    print(f"\nSingle-image LeNet inference, {dev}\n")
    print("| contender | median µs | p90 µs | first call (compile) s |")
    print("| --- | ---: | ---: | ---: |")
    for name, values in times.items():
        values.sort()
        print(f"| {name} | {statistics.median(values) * 1e6:,.0f} | "
              f"{values[int(len(values) * 0.9)] * 1e6:,.0f} | {first[name]:.1f} |")


# -- resnet50 ---------------------------------------------------------------------------------------
def resnet50_section(args: argparse.Namespace) -> None:
    import mxtorch as mx
    from mxtorch.contrib import amp
    from mxtorch.gluon.model_zoo import vision

    dev = args.device
    ctx = mx.gpu(0) if dev == "cuda" else mx.cpu()
    batch = args.resnet_batch
    x = mx.nd.array(np.random.RandomState(0).rand(batch, 3, 224, 224), ctx=ctx)
    blocks = {}
    for name, backend in (("mxtorch eager", "0"), (f"mxtorch compiled ({args.backend})",
                                                   args.backend)):
        net = vision.resnet50_v1()
        net.initialize(mx.init.Xavier(), ctx=ctx)
        net.hybridize(backend="0")
        net(x[:1])
        if dev == "cuda":   # inference in bfloat16 through AMP's graph conversion
            net = amp.convert_hybrid_block(net, "bfloat16", ctx=ctx)
            name += ", bfloat16"
        net.hybridize(backend=backend, static_alloc=True, static_shape=True)
        blocks[name] = net
    first = {name: _timed_first(lambda n=net: n(x).wait_to_read(), dev)
             for name, net in blocks.items()}

    def work(net: Any) -> Callable[[], int]:
        def run() -> int:
            for _ in range(args.resnet_iters):
                out = net(x)
            out.wait_to_read()
            return args.resnet_iters * batch
        return run
    rates = _alternate({name: work(net) for name, net in blocks.items()}, args.rounds, dev)
    _table(f"ResNet-50 v1 inference, batch {batch}, {dev}", rates, first, unit="images/s")


# -- main -------------------------------------------------------------------------------------------
SECTIONS = {"gluon": gluon_section, "symbolic": symbolic_section, "latency": latency_section,
            "resnet50": resnet50_section}


def main(argv: Any = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--backend", default="inductor",
                        help="hybridize(backend=...) / MXTORCH_COMPILE for the mxtorch contenders")
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS), default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--resnet-batch", type=int, default=32)
    parser.add_argument("--resnet-iters", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--hybridize-loss", action="store_true",
                        help="gluon: hybridize (compile) the loss block as well as the network")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, a smoke check")
    parser.add_argument("--mxnet-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.mxnet_worker:   # inside MXNet 1.9.1's venv
        os.environ.setdefault("OMP_NUM_THREADS", str(args.threads or 1))
        import mxnet
        print(module_worker(mxnet, args.iters, args.batch))
        return 0
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.quick:
        args.rounds, args.iters, args.batch, args.resnet_batch, args.resnet_iters = 1, 2, 8, 1, 1
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _common import machine
    print(f"Machine: {machine()}; device {args.device}"
          + (f" ({torch.cuda.get_device_name(0)})" if args.device == "cuda" else ""))
    print(f"Command: benchmarks/compiled.py {' '.join(sys.argv[1:])}")
    for name in args.only or list(SECTIONS):
        SECTIONS[name](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
