"""Block / HybridBlock / Sequential: naming, structure, hooks, save/load, summary, and the talk's
models trained a few steps against MXNet 1.9.1 goldens."""
import contextlib
import io
import warnings

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.gluon import nn
from tests.conformance.conftest import GOLDEN
from tests.conformance.gen_gluon import build_lenet, build_mlp, digest, model_weights

GLUON = GOLDEN / "gluon"


# -- the talk's models: names, shapes, losses, gradients, SGD-updated weights -----------------------
@pytest.mark.parametrize("use_trainer", [False, True], ids=["manual_sgd", "trainer"])
@pytest.mark.parametrize("build,golden,shape,lr", [
    (build_mlp, "mlp_train.npz", (6, 8), 0.5),
    (build_lenet, "lenet_train.npz", (4, 1, 28, 28), 0.1),
], ids=["mlp", "lenet"])
def test_training_steps_match_mxnet(build, golden, shape, lr, use_trainer):
    with np.load(GLUON / golden) as f:
        g = dict(f)
    with mx.name.NameManager():
        net = build(mx)
    net.initialize(mx.init.Xavier(magnitude=2.24))
    net(nd.ones(shape))
    params = net.collect_params()
    assert {f"grad0:{k}" for k in params.keys()} == {k for k in g if k.startswith("grad0:")}
    for k, v in model_weights(int(g["seed"]), {k: p.shape for k, p in params.items()}).items():
        params[k].set_data(nd.array(v))
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": lr}) if use_trainer else None
    step = 0
    while f"x{step}" in g:
        with autograd.record():
            out = net(nd.array(g[f"x{step}"]))
            loss = loss_fn(out, nd.array(g[f"y{step}"]))
        loss.backward()
        _close(out.asnumpy(), g[f"out{step}"], "output")
        _close(loss.asnumpy(), g[f"loss{step}"], "loss")
        for k, p in params.items():
            _close_digest(digest(p.grad().asnumpy()), g[f"grad{step}:{k}"], f"gradient of {k}")
            if trainer is None:  # MXNet's SGD with its defaults: w -= lr * grad / batch_size
                p.set_data(p.data() - lr / shape[0] * p.grad())
        if trainer is not None:
            trainer.step(shape[0])
        for k, p in params.items():
            _close_digest(digest(p.data().asnumpy()), g[f"weight{step}:{k}"], f"updated {k}")
        step += 1
    assert step == 3


def _close(actual, desired, what, rtol=1e-5):
    """float32 agreement: relative, with an absolute floor at rtol times the array's scale (the
    order of float32 accumulations differs between MXNet's kernels and torch's)."""
    scale = float(np.abs(desired).max()) if desired.size else 0.0
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=rtol * scale, err_msg=what)


def _close_digest(actual, desired, what):
    _close(actual[:2], desired[:2], what, rtol=1e-4)  # sums over whole arrays
    _close(actual[2:], desired[2:], what, rtol=1e-4)


def test_summary_matches_mxnet():
    with mx.name.NameManager():
        net = build_lenet(mx)
    net.initialize(mx.init.Xavier(magnitude=2.24))
    net(nd.ones((1, 1, 28, 28)))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        net.summary(nd.ones((1, 1, 28, 28)))
    assert buf.getvalue() == (GLUON / "lenet_summary.txt").read_text()
    assert not net[0]._forward_hooks  # the summary's hooks are removed again


def test_summary_refuses_hybridized():
    net = nn.HybridSequential()
    net.add(nn.Dense(2, in_units=2))
    net.initialize()
    net.hybridize()
    with pytest.raises(AssertionError, match="hybridized"):
        net.summary(nd.ones((1, 2)))


# -- naming ------------------------------------------------------------------------------------------
def test_top_level_counters_and_name_scope():
    with mx.name.NameManager():
        a, b = nn.Dense(2), nn.Dense(2)
        seq = nn.HybridSequential()
        with seq.name_scope():
            seq.add(nn.Dense(2), nn.Conv2D(3, 1), nn.Dense(2), nn.MaxPool2D())
    assert (a.name, b.name, seq.prefix) == ("dense0", "dense1", "hybridsequential0_")
    assert [c.prefix for c in seq._children.values()] == [
        "hybridsequential0_dense0_", "hybridsequential0_conv0_", "hybridsequential0_dense1_",
        "hybridsequential0_pool0_"]
    assert seq[2].weight.name == "hybridsequential0_dense1_weight"


def test_dense_activation_child_prefix():
    with mx.name.NameManager():
        d = nn.Dense(3, activation="relu")
    assert d.act.prefix == "dense0_relu_" and d.act.name == "dense0_relu"


def test_explicit_and_empty_prefix():
    d = nn.Dense(2, prefix="fc_")
    assert d.weight.name == "fc_weight"
    with mx.name.NameManager():
        outer = nn.HybridSequential()
        with outer.name_scope():
            inner = nn.HybridSequential(prefix="")
            with inner.name_scope():
                inner.add(nn.Dense(2))
            outer.add(inner)
    assert inner[0].weight.name == "hybridsequential0_dense0_weight"


def test_params_sharing_gives_the_same_parameters():
    first = nn.Dense(3, in_units=2)
    second = nn.Dense(3, in_units=2, params=first.collect_params())
    assert second.weight is first.weight and second.bias is first.bias
    first.initialize()
    x = nd.ones((1, 2))
    assert (first(x).asnumpy() == second(x).asnumpy()).all()


def test_shared_deferred_parameter_resolves_once():
    first = nn.Dense(3)
    second = nn.Dense(3, params=first.collect_params())
    first.initialize()
    second(nd.ones((2, 5)))
    assert first.weight.shape == (3, 5)
    assert first(nd.ones((2, 5))).shape == (2, 3)


def test_collect_params_select_and_order():
    with mx.name.NameManager():
        net = build_mlp(mx)
    assert list(net.collect_params(".*weight").keys()) == [
        "hybridsequential0_dense0_weight", "hybridsequential0_dense1_weight"]
    assert list(net.collect_params("hybridsequential0_dense1_.*").keys()) == [
        "hybridsequential0_dense1_weight", "hybridsequential0_dense1_bias"]
    assert len(net.collect_params()) == 4


def test_hybrid_block_rejects_plain_block_child():
    seq = nn.HybridSequential()
    with pytest.raises(ValueError, match="HybridSequential"):
        seq.add(nn.Lambda("relu"))


def test_setattr_type_change_and_parameter_override():
    class Net(gluon.Block):
        def __init__(self):
            super().__init__()
            self.body = nn.Dense(2)
            self.w = self.params.get("w", shape=(1,))

    net = Net()
    with pytest.raises(TypeError, match="Changing attribute type"):
        net.body = 3
    with pytest.raises(AssertionError, match="Overriding Parameter"):
        net.w = gluon.Parameter("other", shape=(1,))


def test_unregistered_container_warns():
    class Net(gluon.Block):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Dense(2)]

    with pytest.warns(UserWarning, match="unregistered container"):
        Net().collect_params()


# -- forward, hooks, apply, cast ---------------------------------------------------------------------
class _Scale(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.k = self.params.get("k", shape=(1,), init=mx.init.Constant(3.0))

    def hybrid_forward(self, F, x, k):
        return F.broadcast_mul(x, k) + F.ones((1,))


def test_custom_hybrid_block_forward_and_gradient():
    blk = _Scale()
    blk.initialize()
    x = nd.array([[1.0, 2.0]])
    with autograd.record():
        y = blk(x)
    y.backward()
    assert y.asnumpy().tolist() == [[4.0, 7.0]]
    assert blk.k.grad().asnumpy().tolist() == [3.0]


def test_hybridize_keeps_results_and_gradients():
    with mx.name.NameManager():
        net = build_mlp(mx)
    net.initialize(mx.init.Xavier())
    x = nd.array(np.random.RandomState(0).randn(3, 8))
    expected = net(x).asnumpy()
    net.hybridize()
    assert net._active and all(c._active for c in net._children.values())
    with autograd.record():
        y = net(x)
    y.backward()
    np.testing.assert_allclose(y.asnumpy(), expected, rtol=1e-6)
    assert net[0].weight.grad().asnumpy().any()
    net.hybridize(False)
    assert not net._active


def test_sequential_hybridize_warns_when_all_children_hybrid():
    seq = nn.Sequential()
    seq.add(nn.Dense(2))
    with pytest.warns(UserWarning, match="HybridSequential"):
        seq.hybridize()


def test_forward_hooks_and_handles():
    calls = []
    net = nn.Dense(2, in_units=2)
    net.initialize()
    pre = net.register_forward_pre_hook(lambda blk, args: calls.append(("pre", blk, args[0].shape)))
    post = net.register_forward_hook(lambda blk, args, out: calls.append(("post", out.shape)))
    net(nd.ones((1, 2)))
    assert calls == [("pre", net, (1, 2)), ("post", (1, 2))]
    pre.detach()
    with post:
        net(nd.ones((3, 2)))
    net(nd.ones((4, 2)))
    assert calls[2:] == [("post", (3, 2))]


def test_apply_visits_children_then_self():
    with mx.name.NameManager():
        net = build_mlp(mx)
    seen = []
    net.apply(lambda b: seen.append(b.name))
    assert seen == ["hybridsequential0_dense0_relu", "hybridsequential0_dense0",
                    "hybridsequential0_dense1", "hybridsequential0"]


def test_cast_changes_data_and_gradient_dtype():
    net = nn.Dense(2, in_units=3)
    net.initialize()
    net.cast("float64")
    assert net.weight.dtype == "float64" and net.weight.data().dtype == np.float64
    x = nd.ones((1, 3), dtype="float64")
    with autograd.record():
        y = net(x)
    y.backward()
    assert y.dtype == np.float64 and net.weight.grad().dtype == np.float64


def test_error_names_innermost_layer_only():
    with mx.name.NameManager():
        net = nn.HybridSequential()
        with net.name_scope():
            net.add(nn.Dense(4, in_units=3), nn.Dense(2, in_units=5))
    net.initialize()
    with pytest.raises(Exception) as info:
        net(nd.ones((2, 3)))
    message = str(info.value)
    assert "hybridsequential0_dense1" in message and "(2, 4)" in message and "(2, 5)" in message
    assert message.count("\n  in ") == 1


def test_uninitialized_and_deferred_errors_name_the_parameter():
    net = nn.Dense(2, in_units=3)
    with pytest.raises(RuntimeError, match=f"Parameter '{net.weight.name}' has not been initialized"):
        net(nd.ones((1, 3)))
    deferred = nn.Dense(2)
    deferred.initialize()
    with pytest.raises(gluon.DeferredInitializationError, match=deferred.weight.name):
        deferred.weight.data()


def test_block_repr_lists_children():
    class Net(gluon.Block):
        def __init__(self):
            super().__init__()
            self.fc = nn.Dense(2, in_units=3)

    assert repr(Net()) == "Net(\n  (fc): Dense(3 -> 2, linear)\n)"


# -- save / load -------------------------------------------------------------------------------------
def _mlp():
    with mx.name.NameManager():
        net = build_mlp(mx)
    return net


def test_load_mxnet_parameter_files(tmp_path):
    for fname in ("mlp.params", "mlp_legacy.params"):
        net = _mlp()
        net.load_parameters(str(GLUON / fname))
        assert net[0].weight.shape == (16, 8) and net[1].bias.shape == (4,)
        assert net[0].weight.data().context == mx.cpu()
    reference = _mlp()
    reference.load_parameters(str(GLUON / "mlp.params"))
    for a, b in zip(net.collect_params().values(), reference.collect_params().values()):
        assert (a.data().asnumpy() == b.data().asnumpy()).all()


def test_save_parameters_writes_mxnet_file(tmp_path):
    net = _mlp()
    net.load_parameters(str(GLUON / "mlp.params"))
    net.save_parameters(str(tmp_path / "out.params"))
    assert (tmp_path / "out.params").read_bytes() == (GLUON / "mlp.params").read_bytes()
    loaded = nd.load(str(tmp_path / "out.params"))
    assert sorted(loaded) == ["0.bias", "0.weight", "1.bias", "1.weight"]


def test_load_parameters_errors(tmp_path):
    with pytest.raises(AssertionError, match=r"'2.weight' is missing"):
        with mx.name.NameManager():
            bigger = nn.HybridSequential()
            bigger.add(nn.Dense(16), nn.Dense(4), nn.Dense(3))
        bigger.load_parameters(str(GLUON / "mlp.params"))
    smaller = nn.HybridSequential()
    smaller.add(nn.Dense(16))
    with pytest.raises(ValueError, match=r"'1.weight' loaded from file .* is not present"):
        smaller.load_parameters(str(GLUON / "mlp.params"))
    smaller.load_parameters(str(GLUON / "mlp.params"), ignore_extra=True)
    wrong = nn.HybridSequential()
    wrong.add(nn.Dense(16, in_units=9), nn.Dense(4))
    with pytest.raises(AssertionError, match=r"shape incompatible expected \(16, 9\) vs saved "
                                             r"\(16, 8\)"):
        wrong.load_parameters(str(GLUON / "mlp.params"))
    partial = nn.HybridSequential()
    partial.add(nn.Dense(16), nn.Dense(4), nn.Dense(3))
    partial.load_parameters(str(GLUON / "mlp.params"), allow_missing=True)
    assert partial[0].weight.shape == (16, 8)


def test_load_parameters_cast_dtype(tmp_path):
    net = nn.HybridSequential()
    net.add(nn.Dense(16, dtype="float64"), nn.Dense(4, dtype="float64"))
    with pytest.raises(AssertionError, match="cast_dtype=True"):
        net.load_parameters(str(GLUON / "mlp.params"))
    net.load_parameters(str(GLUON / "mlp.params"), cast_dtype=True)
    assert net[0].weight.data().dtype == np.float64
    saved = nn.HybridSequential()
    saved.add(nn.Dense(16, dtype="float64"), nn.Dense(4, dtype="float64"))
    saved.load_parameters(str(GLUON / "mlp.params"), cast_dtype=True, dtype_source="saved")
    assert saved[0].weight.data().dtype == np.float32


def test_save_load_roundtrip_deduplicate(tmp_path):
    first = nn.Dense(3, in_units=2, prefix="a_")
    net = nn.Sequential()
    net.add(first, nn.Dense(3, in_units=2, params=first.collect_params()))
    net.initialize()
    net.save_parameters(str(tmp_path / "dedup.params"), deduplicate=True)
    # as in MXNet, the last structural name of a shared parameter is the one kept
    assert sorted(nd.load(str(tmp_path / "dedup.params"))) == ["1.bias", "1.weight"]
    other = nn.Sequential()
    first2 = nn.Dense(3, in_units=2, prefix="b_")
    other.add(first2, nn.Dense(3, in_units=2, params=first2.collect_params()))
    other.load_parameters(str(tmp_path / "dedup.params"))
    assert (other[1].weight.data().asnumpy() == first.weight.data().asnumpy()).all()


def test_block_save_and_load_model(tmp_path):
    net = _mlp()
    net.initialize()
    net(nd.ones((1, 8)))
    net.save(str(tmp_path / "m"))
    again = _mlp()
    again.load(str(tmp_path / "m"))
    x = nd.ones((2, 8))
    assert (again(x).asnumpy() == net(x).asnumpy()).all()


def test_warning_free_forward():
    net = _mlp()
    net.initialize()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net(nd.ones((1, 8)))


def test_symbol_input_builds_mxnet_graph():
    with mx.name.NameManager():
        net = build_mlp(mx)
    out = net(mx.sym.var("data"))
    assert out.list_arguments() == [
        "data", "hybridsequential0_dense0_weight", "hybridsequential0_dense0_bias",
        "hybridsequential0_dense1_weight", "hybridsequential0_dense1_bias"]
    assert out.list_outputs() == ["hybridsequential0_dense1_fwd_output"]


def test_parameters_on_several_contexts():
    net = nn.Dense(2, in_units=3)
    net.initialize(mx.init.One(), ctx=[mx.cpu(0), mx.cpu(1)])
    assert net.weight.list_ctx() == [mx.cpu(0), mx.cpu(1)]
    first, second = net.weight.list_data()
    assert first is not second and first is net.weight.data(mx.cpu(0))
    assert net.weight.data(mx.cpu(1)) is second
    with autograd.record():
        y = net(nd.ones((1, 3)))
    y.backward()
    assert net.weight.grad(mx.cpu(0)).asnumpy().sum() == 6  # the input's context is cpu(0)
    net.weight.set_data(nd.zeros((2, 3)))
    assert all((d.asnumpy() == 0).all() for d in net.weight.list_data())
