"""mx.mod.Module and mx.model checkpoints against MXNet 1.9.1 (goldens in golden/symbol: a
checkpoint MXNet wrote after training a small LeNet, and Module/FeedForward training runs from
fixed parameters)."""
import gzip
import logging

import numpy as np
import pytest

import mxtorch as mx
from tests.conftest import GOLDEN
from tests.symbol.symbol_cases import SMALL_LENET

GOLD = GOLDEN / "symbol"


def mnist(root, kind, count):
    with gzip.open(root / f"{kind}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:count]
    with gzip.open(root / f"{kind}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:count]
    return images.astype(np.float32) / 255, labels.astype(np.float32)


def build(code):
    scope = {"mx": mx}
    with mx.name.NameManager():
        exec(code, scope)  # noqa: S102 - trusted test programs
    return scope["out"]


def split(params):
    return ({k[4:]: mx.nd.array(v) for k, v in params.items() if k.startswith("arg:")},
            {k[4:]: mx.nd.array(v) for k, v in params.items() if k.startswith("aux:")})


def test_mxnet_checkpoint_predicts_as_mxnet(mnist_root):
    gold = np.load(GOLD / "mx_lenet_predictions.npz")
    xt, yt = mnist(mnist_root, "t10k", 200)
    sym, args, auxs = mx.model.load_checkpoint(str(GOLD / "mx_lenet"), 2)
    assert sorted(args) == sorted(n for n in sym.list_arguments() if n not in ("data", "softmax_label"))
    assert sorted(auxs) == ["bn2_moving_mean", "bn2_moving_var"]
    mod = mx.mod.Module(sym, context=mx.cpu())
    it = mx.io.NDArrayIter(xt, yt, batch_size=50)
    mod.bind(it.provide_data, it.provide_label, for_training=False)
    mod.set_params(args, auxs)
    probs = mod.predict(it).asnumpy()
    assert (probs.argmax(1) == gold["classes"]).all()
    np.testing.assert_allclose(probs, gold["probs"], rtol=1e-4, atol=1e-6)
    loaded = mx.mod.Module.load(str(GOLD / "mx_lenet"), 2, context=mx.cpu())
    loaded.bind(it.provide_data, for_training=False)
    assert (loaded.predict(it).asnumpy().argmax(1) == gold["classes"]).all()


def test_mxtorch_checkpoint_predicts_in_mxnet_as_in_mxtorch(mnist_root, tmp_path):
    """golden/symbol/mxt_lenet-* were written by mxtorch (write_mxtorch_checkpoint.py) and read by
    MXNet 1.9.1, which recorded its predictions. The files must still be what mxtorch writes."""
    gold = np.load(GOLD / "mxt_lenet_mxnet_predictions.npz")
    assert build(SMALL_LENET).tojson() == (GOLD / "mxt_lenet-symbol.json").read_text()
    sym, args, auxs = mx.model.load_checkpoint(str(GOLD / "mxt_lenet"), 1)
    mx.model.save_checkpoint(str(tmp_path / "again"), 1, sym, args, auxs)
    assert (tmp_path / "again-0001.params").read_bytes() == (GOLD / "mxt_lenet-0001.params").read_bytes()
    assert sym.list_arguments() == gold["arguments"].tolist()
    assert sym.list_auxiliary_states() == gold["aux"].tolist()
    xt, yt = mnist(mnist_root, "t10k", 200)
    it = mx.io.NDArrayIter(xt, yt, batch_size=50)
    mod = mx.mod.Module(sym, context=mx.cpu())
    mod.bind(it.provide_data, it.provide_label, for_training=False)
    mod.set_params(args, auxs)
    probs = mod.predict(it).asnumpy()
    assert (probs.argmax(1) == gold["classes"]).all()
    np.testing.assert_allclose(probs, gold["probs"], rtol=1e-4, atol=1e-6)


@pytest.fixture
def training_gold():
    return dict(np.load(GOLD / "training.npz"))


def test_module_fit_matches_mxnet(mnist_root, training_gold):
    g = training_gold
    x, y = mnist(mnist_root, "train", 500)
    xt, yt = mnist(mnist_root, "t10k", 200)
    arg, aux = split({k[5:]: v for k, v in g.items() if k.startswith("init_")})
    mod = mx.mod.Module(build(SMALL_LENET), context=mx.cpu())
    metric = mx.metric.Accuracy()
    mod.fit(mx.io.NDArrayIter(x, y, 100), num_epoch=2, arg_params=arg, aux_params=aux,
            optimizer="sgd", eval_metric=metric,
            optimizer_params={"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4})
    args, auxs = mod.get_params()
    for kind, params in (("arg", args), ("aux", auxs)):
        for name, value in params.items():
            np.testing.assert_allclose(value.asnumpy(), g[f"module_{kind}:{name}"], rtol=1e-3,
                                       atol=1e-5, err_msg=name)
    assert metric.get()[1] == pytest.approx(float(g["module_train_acc"]))
    score = mod.score(mx.io.NDArrayIter(xt, yt, 100), "acc")
    assert score[0][0] == "accuracy" and score[0][1] == pytest.approx(float(g["module_score"]))


def test_feedforward_fit_matches_mxnet(mnist_root, training_gold, caplog):
    g = training_gold
    x, y = mnist(mnist_root, "train", 500)
    xt, yt = mnist(mnist_root, "t10k", 200)
    arg, aux = split({k[5:]: v for k, v in g.items() if k.startswith("init_")})
    with pytest.warns(DeprecationWarning, match="FeedForward has been deprecated"):
        model = mx.model.FeedForward(build(SMALL_LENET), ctx=mx.cpu(), num_epoch=2,
                                     learning_rate=0.1, arg_params=arg, aux_params=aux)
    with caplog.at_level(logging.INFO):
        model.fit(X=mx.io.NDArrayIter(x, y, 100), eval_data=mx.io.NDArrayIter(xt, yt, 100))
    assert "Epoch[1] Resetting Data Iterator" in caplog.text
    assert "Epoch[1] Validation-accuracy=" in caplog.text
    for kind, params in (("arg", model.arg_params), ("aux", model.aux_params)):
        for name, value in params.items():
            np.testing.assert_allclose(value.asnumpy(), g[f"ff_{kind}:{name}"], rtol=1e-3,
                                       atol=1e-5, err_msg=name)
    assert model.score(mx.io.NDArrayIter(xt, yt, 100)) == pytest.approx(float(g["ff_score"]))
    np.testing.assert_allclose(model.predict(mx.io.NDArrayIter(xt, yt, 64)), g["ff_predict"],
                               rtol=1e-3, atol=1e-5)


def _tiny_module(**kwargs):
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, num_hidden=3, name="fc")
    return mx.mod.Module(mx.sym.SoftmaxOutput(fc, name="softmax"), **kwargs)


def _tiny_data(n=12):
    rng = np.random.RandomState(0)
    return rng.standard_normal((n, 4)).astype(np.float32), (np.arange(n) % 3).astype(np.float32)


def test_module_step_by_step_api():
    x, y = _tiny_data()
    it = mx.io.NDArrayIter(x, y, batch_size=4)
    mod = _tiny_module()
    mod.bind(it.provide_data, it.provide_label, inputs_need_grad=True)
    assert mod.data_shapes[0].shape == (4, 4) and mod.output_shapes == [("softmax_output", (4, 3))]
    mod.init_params(mx.init.Uniform(0.1))
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.5})
    before = mod.get_params()[0]["fc_weight"].copy()
    batch = next(it)
    mod.forward_backward(batch)
    assert mod.get_outputs()[0].shape == (4, 3)
    assert mod.get_input_grads()[0].shape == (4, 4)
    mod.update()
    assert not np.allclose(mod.get_params()[0]["fc_weight"].asnumpy(), before.asnumpy())
    metric = mx.metric.create("acc")
    mod.update_metric(metric, batch.label)
    assert metric.num_inst == 4


def test_module_predict_iter_predict_and_reshape():
    x, y = _tiny_data(10)
    mod = _tiny_module()
    it = mx.io.NDArrayIter(x, y, batch_size=4)
    mod.bind(it.provide_data, it.provide_label, for_training=False)
    mod.init_params()
    assert mod.predict(it).shape == (10, 3)  # the padded examples are dropped
    per_batch = mod.predict(it, merge_batches=False)
    assert [len(b) for b in per_batch] == [1, 1, 1] and per_batch[2][0].shape == (2, 3)
    assert [o[0].shape[0] for o, _, _ in mod.iter_predict(it)] == [4, 4, 2]
    assert mod.predict(x[:4]).shape == (4, 3)
    with pytest.raises(mx.MXNetError, match="Shape of unspecified array arg:softmax_label"):
        mod.predict(x[:3])  # as in MXNet: the bound label would change shape


def test_module_checkpoint_and_optimizer_states_round_trip(tmp_path):
    x, y = _tiny_data()
    mod = _tiny_module()
    mod.fit(mx.io.NDArrayIter(x, y, 4), num_epoch=1, optimizer="sgd",
            optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    prefix = str(tmp_path / "tiny")
    mod.save_checkpoint(prefix, 3, save_optimizer_states=True)
    assert (tmp_path / "tiny-symbol.json").exists() and (tmp_path / "tiny-0003.states").exists()
    back = mx.mod.Module.load(prefix, 3, load_optimizer_states=True)
    it = mx.io.NDArrayIter(x, y, 4)
    back.bind(it.provide_data, it.provide_label)
    back.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    for name, value in mod.get_params()[0].items():
        np.testing.assert_array_equal(back.get_params()[0][name].asnumpy(), value.asnumpy())
    assert back._updater.get_states() == mod._updater.get_states()
    sym, args, auxs = mx.model.load_checkpoint(prefix, 3)
    assert sym.tojson() == mod.symbol.tojson() and set(args) == {"fc_weight", "fc_bias"}


def test_init_params_requires_all_given_params():
    x, y = _tiny_data()
    it = mx.io.NDArrayIter(x, y, 4)
    mod = _tiny_module()
    mod.bind(it.provide_data, it.provide_label)
    # MXNet raised a bare RuntimeError; mxtorch's MXNetError is one too
    with pytest.raises(mx.MXNetError, match="fc_bias is not presented"):
        mod.init_params(arg_params={"fc_weight": mx.nd.ones((3, 4))})
    mod.init_params(arg_params={"fc_weight": mx.nd.ones((3, 4))}, allow_missing=True)
    assert (mod.get_params()[0]["fc_weight"].asnumpy() == 1).all()
    with pytest.warns(UserWarning, match="already initialized"):
        mod.init_params()
    with pytest.raises(RuntimeError, match="call bind"):
        _tiny_module().init_params()
    with pytest.raises(ValueError, match="not found in symbol.list_arguments"):
        _tiny_module(data_names=("image",))


def test_two_contexts_train_like_one():
    x, y = _tiny_data(16)
    results = []
    for ctxs in ([mx.cpu(0)], [mx.cpu(0), mx.cpu(1)]):
        mx.random.seed(1)
        mod = _tiny_module(context=ctxs)
        mod.fit(mx.io.NDArrayIter(x, y, 8), num_epoch=2, initializer=mx.init.Constant(0.1),
                optimizer="sgd", optimizer_params={"learning_rate": 0.5})
        results.append(mod.get_params()[0]["fc_weight"].asnumpy())
        assert mod.predict(mx.io.NDArrayIter(x, y, 8)).shape == (16, 3)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)


def test_variable_init_and_lr_mult_reach_module_training():
    data = mx.sym.Variable("data")
    w = mx.sym.Variable("fc_weight", init=mx.init.Constant(0.5), lr_mult=0.0)
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(data, weight=w, num_hidden=3, name="fc"),
                               name="softmax")
    x, y = _tiny_data()
    mod = mx.mod.Module(net)
    mod.fit(mx.io.NDArrayIter(x, y, 4), num_epoch=1, initializer=mx.init.Uniform(0.01),
            optimizer_params={"learning_rate": 0.5})
    args = mod.get_params()[0]
    assert (args["fc_weight"].asnumpy() == 0.5).all()      # its own initializer, never updated
    assert np.abs(args["fc_bias"].asnumpy()).max() > 0     # the bias did learn


def test_feedforward_numpy_inputs_save_load_and_create(tmp_path):
    x, y = _tiny_data(20)
    data = mx.sym.Variable("data")
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(data, num_hidden=3, name="fc"), name="softmax")
    with pytest.warns(DeprecationWarning):
        model = mx.model.FeedForward.create(net, X=x, y=y, num_epoch=2, numpy_batch_size=8,
                                            learning_rate=0.1)
    probs = model.predict(x)
    assert probs.shape == (20, 3)
    assert 0 <= model.score(mx.io.NDArrayIter(x, y, 5)) <= 1
    model.save(str(tmp_path / "ff"))
    with pytest.warns(DeprecationWarning):
        back = mx.model.FeedForward.load(str(tmp_path / "ff"), 2)
    np.testing.assert_allclose(back.predict(x), probs, rtol=1e-6)
    with pytest.raises(ValueError, match="y must be specified"):
        model.fit(x)

