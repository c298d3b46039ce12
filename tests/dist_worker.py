"""One worker of the distributed tests (tests/test_dist_kvstore.py starts several of these).

``python dist_worker.py SCENARIO OUTDIR``, with torchrun's variables (RANK, WORLD_SIZE,
MASTER_ADDR, MASTER_PORT) set. Each scenario checks MXNet's semantics in the worker (a failed
check exits non-zero with its traceback) and writes what the test compares across processes
to OUTDIR/<scenario>-<rank>.npz.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

import mxtorch as mx
from mxtorch import autograd, gluon
from mxtorch.base import MXNetError

SHAPE = (2, 3)
BATCH = 4  # samples per worker and step
STEPS = 3


def _eq(array: mx.nd.NDArray, value: float) -> None:
    got = array.asnumpy()
    assert np.allclose(got, value), f"expected all {value}, got {got}"


def kvstore(out: str) -> None:
    """push/pull/pushpull/broadcast/init as MXNet's dist_sync store does them."""
    kv = mx.kv.create("dist_sync")
    rank, n = kv.rank, kv.num_workers
    assert kv.type == "dist_sync" and n == int(os.environ["WORLD_SIZE"])
    assert rank == int(os.environ["RANK"])
    total = n * (n + 1) / 2  # sum over workers of (rank + 1)
    a, b = mx.nd.zeros(SHAPE), mx.nd.zeros(SHAPE)
    # init: rank 0's value is every worker's
    kv.init(3, mx.nd.ones(SHAPE) * (rank + 1))
    kv.pull(3, out=a)
    _eq(a, 1)
    # push without optimizer: the sum over workers replaces the value
    kv.push(3, mx.nd.ones(SHAPE) * (rank + 1))
    kv.pull(3, out=[a, b])
    _eq(a, total)
    _eq(b, total)
    # a list of values (devices) per worker: summed locally, then over workers
    kv.push(3, [mx.nd.ones(SHAPE), mx.nd.ones(SHAPE) * 2])
    kv.pull(3, out=a)
    _eq(a, 3 * n)
    # lists of keys
    kv.init([5, 6], [mx.nd.ones(SHAPE), mx.nd.ones(SHAPE)])
    kv.push([5, 6], [[mx.nd.ones(SHAPE), mx.nd.ones(SHAPE)], mx.nd.ones(SHAPE) * rank])
    kv.pull([5, 6], out=[a, b])
    _eq(a, 2 * n)
    _eq(b, n * (n - 1) / 2)
    # pushpull into the value and into out
    c = mx.nd.ones(SHAPE) * (rank + 1)
    kv.pushpull(3, c)
    _eq(c, total)
    kv.pushpull(3, mx.nd.ones(SHAPE), out=a)
    _eq(a, n)
    # string keys, broadcast from rank 0
    kv2 = mx.kv.create("dist_device_sync")
    kv2.broadcast("w", mx.nd.ones(SHAPE) * (rank + 7), out=[a, b])
    _eq(a, 7)
    _eq(b, 7)
    # an optimizer on the store: every worker applies the update to the summed gradient
    kv3 = mx.kv.create("dist_sync")
    kv3.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, rescale_grad=0.5))
    kv3.init("x", mx.nd.zeros(SHAPE))
    for i in range(STEPS):
        kv3.push("x", mx.nd.ones(SHAPE) * (rank + 1))
        kv3.pull("x", out=a)
        _eq(a, -0.1 * 0.5 * total * (i + 1))
    states = os.path.join(out, f"states-{rank}")
    kv3.save_optimizer_states(states)
    kv3.load_optimizer_states(states)
    # metrics summed over workers: rank r sees r + 1 samples, all right on rank 0 only
    acc, ce = mx.metric.Accuracy(), mx.metric.MSE()
    comp = mx.metric.CompositeEvalMetric([acc, ce])
    labels = mx.nd.zeros((rank + 1,))
    comp.update([labels], [mx.nd.zeros((rank + 1,)) + (1 if rank else 0)])
    kv.reduce_metric(comp)
    assert acc.num_inst == total and acc.get()[1] == 1 / total, acc.get()
    try:
        kv.reduce_metric(mx.metric.F1())
    except MXNetError as err:
        assert "F1 cannot be summed" in str(err)
    else:
        raise AssertionError("F1 was reduced")
    # 2-bit compression: each worker quantizes its push with its residual, then the sum
    kv4 = mx.kv.create("dist_sync")
    kv4.set_gradient_compression({"type": "2bit", "threshold": 0.5})
    kv4.init("c", mx.nd.zeros((4,)))
    c = mx.nd.zeros((4,))
    for expected in ([0, 0.5, -0.5, 0.5], [0.5, 0.5, -0.5, 0.5]):
        kv4.push("c", mx.nd.array([0.3, 0.6, -0.7, 1.2]))
        kv4.pull("c", out=c)
        assert np.allclose(c.asnumpy(), np.array(expected) * n), c.asnumpy()
    kv._barrier()
    # a key whose shape differs across workers is an error naming it, on every worker
    try:
        kv.init(11, mx.nd.zeros((2, rank + 1)))
    except MXNetError as err:
        assert "init: key 11 is (2, " in str(err) and f"(2, {rank + 1}) float32 on rank {rank}" \
            in str(err), str(err)
    else:
        raise AssertionError("init with different shapes did not raise")
    kv._barrier()
    np.savez(os.path.join(out, f"kvstore-{rank}.npz"), a=a.asnumpy())


def make_net(seed: int) -> gluon.nn.HybridSequential:
    """The small CNN of the tests; its initial parameters depend on ``seed``."""
    mx.random.seed(seed)
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Conv2D(4, 3, in_channels=1, activation="relu"),
            gluon.nn.MaxPool2D(2), gluon.nn.Flatten(),
            gluon.nn.Dense(10, in_units=4 * 3 * 3))
    net.initialize(mx.init.Xavier())
    return net


def data(num_workers: int) -> tuple:
    """The combined batches of all workers: STEPS x (num_workers * BATCH) samples."""
    rng = np.random.RandomState(42)
    x = rng.rand(STEPS, num_workers * BATCH, 1, 8, 8).astype(np.float32)
    y = rng.randint(0, 10, (STEPS, num_workers * BATCH)).astype(np.float32)
    return x, y


def train(net: gluon.Block, trainer: gluon.Trainer, x: np.ndarray, y: np.ndarray,
          split_steps: bool = False) -> dict:
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    for step in range(len(x)):
        data_, label = mx.nd.array(x[step]), mx.nd.array(y[step])
        with autograd.record():
            loss = loss_fn(net(data_), label)
        loss.backward()
        if split_steps:
            trainer.allreduce_grads()
            trainer.update(BATCH)
        else:
            trainer.step(BATCH)
    # by position: the names' counters differ between nets built in one process
    return {str(i): p.data().asnumpy() for i, p in enumerate(net.collect_params().values())}


def trainer(out: str) -> None:
    """A CNN trained by every worker on its part of the combined batch, three ways."""
    rank, n = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    x, y = data(n)
    part = slice(rank * BATCH, (rank + 1) * BATCH)
    results = {}
    for tag, kvstore, on_kv in (("kv", "dist_sync", None), ("grads", "dist_sync", False),
                                ("hvd", "horovod", None)):
        net = make_net(seed=rank)  # different on every worker: the trainer must unify them
        tr = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9},
                           kvstore=kvstore, update_on_kvstore=on_kv)
        assert tr._kvstore.num_workers == n
        params = train(net, tr, x[:, part], y[:, part], split_steps=on_kv is False)
        results.update({f"{tag}/{k}": v for k, v in params.items()})
    np.savez(os.path.join(out, f"trainer-{rank}.npz"), **results)


def module(out: str) -> None:
    """Module.fit(kvstore='dist_sync') on each worker's part of the data."""
    rank, n = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    x, y = data(n)
    part = slice(rank * BATCH, (rank + 1) * BATCH)
    mod = _fit_module(x[:, part].reshape(-1, 1, 8, 8), y[:, part].reshape(-1), seed=rank,
                      kvstore="dist_sync", batch_size=BATCH)
    args, _ = mod.get_params()
    np.savez(os.path.join(out, f"module-{rank}.npz"), **{k: v.asnumpy() for k, v in args.items()})
    os.environ["MXNET_UPDATE_ON_KVSTORE"] = "0"  # summed gradients, each worker's own update
    mod = _fit_module(x[:, part].reshape(-1, 1, 8, 8), y[:, part].reshape(-1), seed=rank,
                      kvstore="dist_sync", batch_size=BATCH)
    assert mod._update_on_kvstore is False
    args, _ = mod.get_params()
    np.savez(os.path.join(out, f"module-local-update-{rank}.npz"),
             **{k: v.asnumpy() for k, v in args.items()})
    # a parameter whose shape differs across workers is named in the error
    net = gluon.nn.Dense(2 + rank, in_units=3)
    net.initialize()
    try:
        gluon.Trainer(net.collect_params(), "sgd", kvstore="dist_sync")
    except MXNetError as err:
        assert "Parameter 'dense" in str(err) and "_bias': init: key 0 is (" in str(err), str(err)
    else:
        raise AssertionError("a Trainer over different shapes did not raise")


def _fit_module(x: np.ndarray, y: np.ndarray, seed: int, kvstore: str,
                batch_size: int) -> mx.mod.Module:
    data_ = mx.sym.var("data")
    net = mx.sym.Convolution(data_, num_filter=4, kernel=(3, 3), name="conv")
    net = mx.sym.Activation(net, act_type="relu")
    net = mx.sym.FullyConnected(mx.sym.Flatten(net), num_hidden=10, name="fc")
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    it = mx.io.NDArrayIter(x, y, batch_size=batch_size, shuffle=False)
    mx.random.seed(seed)
    mod = mx.mod.Module(net)
    mod.fit(it, num_epoch=1, kvstore=kvstore, optimizer="sgd",
            optimizer_params={"learning_rate": 0.1}, initializer=mx.init.Xavier())
    return mod


def die(out: str) -> None:
    """Rank 1 dies after joining; the others must end with an MXNetError, not hang."""
    kv = mx.kv.create("dist_sync")
    kv.init(0, mx.nd.zeros(SHAPE))
    if kv.rank == 1:
        os._exit(3)
    start = time.time()
    try:
        for _ in range(1000):
            kv.pushpull(0, mx.nd.ones(SHAPE))
            time.sleep(0.01)
    except MXNetError as err:
        with open(os.path.join(out, f"die-{kv.rank}.txt"), "w") as f:
            f.write(f"{time.time() - start:.1f}\n{err}")
        sys.exit(4)
    raise AssertionError("the job went on without worker 1")


if __name__ == "__main__":
    scenario, outdir = sys.argv[1], sys.argv[2]
    for name in scenario.split(","):
        globals()[name](outdir)
