"""The GPU path: everything that runs on mx.cpu() runs on mx.gpu(i). Marked ``cuda`` (select with
``-m cuda``) and skipped where torch sees no CUDA device; benchmarks/device_checks.sh runs them on a
lent GPU machine."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.gluon import nn
from mxtorch.gluon.model_zoo import vision
from mxtorch.symbol import compiled as comp

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")]


def _contexts() -> list:
    """Two training contexts: two GPUs where there are, else a GPU and the CPU."""
    return [mx.gpu(0), mx.gpu(1)] if mx.context.num_gpus() > 1 else [mx.gpu(0), mx.cpu()]


def test_placement_copies_and_waits():
    a = nd.array([[1, 2], [3, 4]], ctx=mx.gpu(0))
    assert a.context == mx.gpu(0) and a._t.is_cuda
    b = a.as_in_context(mx.cpu())
    assert b.context == mx.cpu() and np.array_equal(b.asnumpy(), a.asnumpy())
    assert a.as_in_context(mx.gpu(0)) is a
    c = nd.zeros((2, 2), ctx=mx.gpu(0))
    b.copyto(c)
    (a * 2).wait_to_read()
    nd.waitall()
    assert np.array_equal(c.asnumpy(), [[1, 2], [3, 4]])
    assert nd.dot(a, a).context == mx.gpu(0)
    with mx.gpu(0):
        assert nd.ones((1,)).context == mx.gpu(0)


def test_parameters_reset_ctx_and_train_on_the_gpu():
    net = nn.Dense(3, in_units=4)
    net.initialize(ctx=mx.cpu())
    cpu_weight = net.weight.data().asnumpy()
    net.collect_params().reset_ctx(mx.gpu(0))
    assert net.weight.data().context == mx.gpu(0)
    np.testing.assert_array_equal(net.weight.data().asnumpy(), cpu_weight)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    x = nd.ones((2, 4), ctx=mx.gpu(0))
    with autograd.record():
        loss = net(x).sum()
    loss.backward()
    trainer.step(2)
    assert net.weight.grad().context == mx.gpu(0)
    assert not np.allclose(net.weight.data().asnumpy(), cpu_weight)


def test_split_and_load_and_a_trainer_over_several_contexts():
    ctxs = _contexts()
    mx.random.seed(0)
    net = nn.Dense(2, in_units=3)
    net.initialize(mx.init.One(), ctx=ctxs)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    data = nd.array(np.arange(12).reshape(4, 3))
    parts = gluon.utils.split_and_load(data, ctxs)
    assert [p.context for p in parts] == ctxs
    with autograd.record():
        losses = [net(p).sum() for p in parts]
    autograd.backward(losses)
    trainer.step(4)
    weights = [w.asnumpy() for w in net.weight.list_data()]
    # every copy took the same update: the gradients of all parts summed
    expected = 1 - 0.1 * data.asnumpy().sum(axis=0) / 4
    for w in weights:
        np.testing.assert_allclose(w, np.tile(expected, (2, 1)), rtol=1e-6)


def test_dataloader_pins_memory():
    dataset = gluon.data.ArrayDataset(np.random.rand(8, 3).astype(np.float32), np.arange(8))
    loader = gluon.data.DataLoader(dataset, batch_size=4, pin_memory=True)
    x, y = next(iter(loader))
    assert x._t.is_pinned() and y._t.is_pinned()
    assert x.as_in_context(mx.gpu(0)).context == mx.gpu(0)


@pytest.mark.parametrize("name", ["resnet18_v1", "mobilenetv2_0.25", "squeezenet1.1"])
def test_model_zoo_on_the_gpu_matches_the_cpu(name):
    mx.random.seed(1)
    net = vision.get_model(name, classes=10)
    net.initialize(mx.init.Xavier(), ctx=mx.cpu())
    x = nd.array(np.random.RandomState(0).rand(2, 3, 224, 224))
    expected = net(x).asnumpy()
    net.collect_params().reset_ctx(mx.gpu(0))
    out = net(x.as_in_context(mx.gpu(0)))
    assert out.context == mx.gpu(0)
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-3, atol=1e-3)


def _train_lenet(backend, ctx, steps=5, **flags):
    mx.random.seed(2)
    net = nn.HybridSequential()
    net.add(nn.Conv2D(20, 5, activation="relu"), nn.MaxPool2D(2, 2), nn.Conv2D(50, 5, activation="relu"),
            nn.MaxPool2D(2, 2), nn.Flatten(), nn.Dense(512, activation="relu"), nn.BatchNorm(),
            nn.Dense(10))
    net.initialize(mx.init.Xavier(), ctx=ctx)
    net.hybridize(backend=backend, **flags)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    rs = np.random.RandomState(0)
    x = nd.array(rs.rand(32, 1, 28, 28), ctx=ctx)
    y = nd.array(rs.randint(0, 10, 32), ctx=ctx)
    losses = []
    for _ in range(steps):
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(32)
        losses.append(loss.asnumpy())
    return losses, net(x).asnumpy(), net


@pytest.mark.parametrize("flags", [{}, {"static_alloc": True, "static_shape": True}])
def test_hybridize_compiles_with_inductor_on_cuda(monkeypatch, flags):
    monkeypatch.delenv(comp.ENV, raising=False)     # the default: Inductor on CUDA
    eager = _train_lenet("0", mx.gpu(0))
    compiled = _train_lenet(None, mx.gpu(0), **flags)
    runner = compiled[2]._cached_runner
    assert isinstance(runner, comp.CompiledProgram) and runner.failure is None
    assert runner.enabled_for(torch.device("cuda"))
    if flags:
        assert runner._mode(torch.device("cuda")) == "reduce-overhead"
    for a, b in zip(eager[0] + [eager[1]], compiled[0] + [compiled[1]]):
        np.testing.assert_allclose(a, b, rtol=2e-3, atol=2e-3)


def test_amp_float16_training_on_cuda():
    import os
    import subprocess
    import sys
    import textwrap
    script = textwrap.dedent("""
        import numpy as np, mxtorch as mx, torch
        from mxtorch import nd, autograd, gluon
        from mxtorch.gluon import nn
        from mxtorch.contrib import amp
        amp.init("float16")
        ctx = mx.gpu(0)
        net = nn.HybridSequential()
        net.add(nn.Conv2D(8, 3, activation="relu"), nn.BatchNorm(), nn.Flatten(), nn.Dense(4))
        net.initialize(mx.init.Xavier(), ctx=ctx); net.hybridize()
        trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
        amp.init_trainer(trainer)
        x = nd.array(np.random.rand(16, 3, 8, 8), ctx=ctx); y = nd.array(np.arange(16) % 4, ctx=ctx)
        loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
        first = None
        for _ in range(20):
            with autograd.record():
                out = net(x)
                loss = loss_fn(out, y)
                with amp.scale_loss(loss, trainer) as scaled:
                    autograd.backward(scaled)
            trainer.step(16)
            first = first if first is not None else float(loss.mean().asscalar())
        assert out._t.dtype == torch.float16
        assert float(loss.mean().asscalar()) < first
        print("ok")
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-3000:]
