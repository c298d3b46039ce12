"""mx.contrib.amp: dynamic loss scaling with a Gluon Trainer, autocast training (in a child
process: amp.init lasts for the rest of a program), and graphs converted for inference."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.contrib import amp
from mxtorch.contrib.amp.loss_scaler import LossScaler
from mxtorch.gluon import nn

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _net():
    net = nn.HybridSequential()
    net.add(nn.Conv2D(4, 3, in_channels=3, activation="relu"), nn.BatchNorm(in_channels=4),
            nn.Flatten(), nn.Dense(5, in_units=144))
    net.initialize(mx.init.Xavier())
    return net


def _trainer_with_scaler(net):
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    trainer._amp_loss_scaler = LossScaler()
    trainer._amp_original_scale = trainer._scale
    return trainer


def test_scaled_loss_gives_the_unscaled_update():
    x, y = nd.array(np.random.RandomState(0).rand(2, 3, 8, 8)), nd.array([1, 3])
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    results = []
    for scaled in (False, True):
        mx.random.seed(1)
        net = _net()
        trainer = _trainer_with_scaler(net) if scaled else gluon.Trainer(
            net.collect_params(), "sgd", {"learning_rate": 0.1})
        with autograd.record():
            loss = loss_fn(net(x), y)
            if scaled:
                with amp.scale_loss(loss, trainer) as scaled_loss:
                    assert np.allclose(scaled_loss.asnumpy(), loss.asnumpy() * 2 ** 16)
                    scaled_loss.backward()
            else:
                loss.backward()
        trainer.step(2)
        results.append([p.data().asnumpy() for p in net.collect_params().values()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_overflow_skips_the_step_and_halves_the_scale():
    net = _net()
    trainer = _trainer_with_scaler(net)
    x = nd.array(np.ones((2, 3, 8, 8)))
    before = [p.data().asnumpy().copy() for p in net.collect_params().values()]
    with autograd.record():
        loss = net(x).sum()
        with amp.scale_loss(loss, trainer) as scaled_loss:
            (scaled_loss * float("inf")).backward()
    trainer.step(2)
    after = [p.data().asnumpy() for p in net.collect_params().values()]
    # the weights are unchanged; BatchNorm's moving statistics moved in the forward pass
    assert all(np.array_equal(a, b) for a, b, p in zip(before, after, net.collect_params().values())
               if p.grad_req != "null")
    assert trainer._amp_loss_scaler.loss_scale == 2 ** 16
    assert trainer._amp_loss_scaler._next_loss_scale == 2 ** 15


def test_scale_grows_after_a_run_of_clean_steps():
    scaler = LossScaler()
    scaler._scale_seq_len = 3
    for _ in range(3):
        assert not scaler.has_overflow([])
    assert scaler._next_loss_scale == 2 ** 17


def test_unscale_divides_the_scale_out_once():
    net = _net()
    trainer = _trainer_with_scaler(net)
    x = nd.array(np.ones((2, 3, 8, 8)))
    with autograd.record():
        loss = net(x).sum()
    loss.backward()
    plain = net[3].weight.grad().asnumpy().copy()
    with autograd.record():
        loss = net(x).sum()
        with amp.scale_loss(loss, trainer) as scaled_loss:
            scaled_loss.backward()
    amp.unscale(trainer)
    np.testing.assert_allclose(net[3].weight.grad().asnumpy(), plain, rtol=1e-5)
    assert trainer._scale == 1.0
    with pytest.raises(TypeError, match="only compatible with Gluon Trainer"):
        amp.unscale(mx.optimizer.SGD())


def test_lists_and_target_types():
    assert "Convolution" in amp.list_lp16_ops("float16")
    assert {"softmax", "SoftmaxOutput", "BatchNorm"} <= set(amp.list_fp32_ops("bfloat16"))
    assert "Convolution" not in amp.list_lp16_fp32_ops("float16")
    with pytest.raises(mx.MXNetError, match="float16 and bfloat16"):
        amp.list_fp32_ops("int8")


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_converted_block_predicts_close_to_float32(dtype, tmp_path):
    net = _net()
    net.hybridize()
    x = nd.array(np.random.RandomState(2).rand(2, 3, 8, 8))
    reference = net(x).asnumpy()
    converted = amp.convert_hybrid_block(net, dtype, ctx=mx.cpu())
    out = converted(x)
    assert out.dtype == np.dtype(dtype) if dtype == "float16" else str(out._t.dtype) == "torch.bfloat16"
    np.testing.assert_allclose(out.astype("float32").asnumpy(), reference, rtol=0.05, atol=0.05)
    names = converted._cached_graph[1].get_internals().list_outputs()
    assert f"data_amp_cast_{dtype}_output" in names
    # the softmax-like float32 operators read float32
    sym = mx.sym.softmax(mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc"), name="sm")
    conv_sym, args, aux = amp.convert_model(sym, {"fc_weight": nd.ones((3, 2)), "fc_bias": nd.zeros(3),
                                                  "unused": nd.ones(1)}, {}, dtype)
    assert "fc_output_amp_cast_float32_output" in conv_sym.get_internals().list_outputs()
    assert set(args) == {"fc_weight", "fc_bias"}
    exe = conv_sym.bind(mx.cpu(), {"data": nd.ones((1, 2)), **args})
    out = exe.forward()[0]
    assert out.dtype == np.float32 and np.allclose(out.asnumpy(), 1 / 3)
    converted.export(str(tmp_path / "amp"))
    assert "amp_cast" in (tmp_path / "amp-symbol.json").read_text()


def test_autocast_training_in_a_fresh_program():
    script = textwrap.dedent("""
        import numpy as np, mxtorch as mx, torch
        from mxtorch import nd, autograd, gluon
        from mxtorch.gluon import nn
        from mxtorch.contrib import amp
        amp.init("bfloat16")
        net = nn.HybridSequential()
        net.add(nn.Dense(16, activation="relu", in_units=8), nn.Dense(4, in_units=16))
        net.initialize(mx.init.Xavier()); net.hybridize()
        trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
        amp.init_trainer(trainer)
        loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
        rs = np.random.RandomState(0)
        x = nd.array(rs.rand(32, 8)); y = nd.array(rs.randint(0, 4, 32))
        losses = []
        for _ in range(30):
            with autograd.record():
                out = net(x)
                loss = loss_fn(out, y)
                with amp.scale_loss(loss, trainer) as scaled:
                    autograd.backward(scaled)
            trainer.step(32)
            losses.append(float(loss.mean().asscalar()))
        assert out._t.dtype == torch.bfloat16, out._t.dtype
        assert loss._t.dtype == torch.float32, loss._t.dtype   # the loss ran in float32
        assert net[0].weight.data()._t.dtype == torch.float32  # master weights stay float32
        assert losses[-1] < losses[0] - 0.1, losses
        print("ok")
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300, env=env, cwd=ROOT)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-3000:]
