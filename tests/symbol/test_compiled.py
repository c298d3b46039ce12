"""Compiled execution (symbol/compiled.py): hybridized blocks, bound executors, Module and
FeedForward give the eager executor's outputs, gradients and auxiliary updates when their graph
runs through torch.compile. The cheap ``aot_eager`` backend (Dynamo + AOTAutograd, no code
generation) exercises the whole path; Inductor appears in one small test."""
from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest
import torch

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.gluon import nn
from mxtorch.gluon.model_zoo import vision
from mxtorch.symbol import compiled as comp
from mxtorch.symbol.executor import lower

BACKEND = "aot_eager"


@pytest.fixture(autouse=True)
def row_major(monkeypatch, request):
    """The tests below compare the compiled lowering with the eager executor to the rounding of the
    same kernels, so they keep tensors row-major; the channels-last pass has tests of its own (whose
    names say so), compared with the row-major graph where its rounding cannot be amplified."""
    if "channels_last" not in request.node.name:
        monkeypatch.setenv(comp.CHANNELS_LAST_ENV, "0")


# -- settings -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, backend, mode", [
    ("0", None, None), ("off", None, None), ("1", "inductor", None),
    ("inductor", "inductor", None), ("max-autotune", "inductor", "max-autotune"),
    ("aot_eager", "aot_eager", None), ("EAGER", "eager", None)])
def test_settings_parse(text, backend, mode):
    setting = comp.setting_from(text)
    assert (setting.backend, setting.mode) == (backend, mode)


def test_unknown_backend_is_refused_naming_the_choices():
    with pytest.raises(mx.MXNetError, match="unknown compile backend 'MKLDNN'.*aot_eager"):
        comp.setting_from("MKLDNN")
    with pytest.raises(mx.MXNetError, match="mode must be one of"):
        comp.setting_from("inductor", {"mode": "fastest"})
    net = nn.Dense(2, in_units=2)
    with pytest.raises(mx.MXNetError, match="unknown compile backend"):
        net.hybridize(backend="MKLDNN")


def test_default_setting_follows_the_environment(monkeypatch):
    monkeypatch.delenv(comp.ENV, raising=False)
    default = comp.default_setting()
    assert default.auto and default.backend == "inductor"
    program = lower(mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2, name="fc"))
    # unset on the CPU: the plain eager program, no wrapper in the way
    assert comp.compiled(program, default, device=torch.device("cpu")) is program
    monkeypatch.setenv(comp.ENV, "aot_eager")
    assert comp.default_setting().backend == "aot_eager" and not comp.default_setting().auto
    monkeypatch.setenv(comp.ENV, "0")
    assert comp.compiled(program, comp.default_setting()) is program
    monkeypatch.setenv(comp.ENV, "bogus")
    with pytest.raises(mx.MXNetError, match="MXTORCH_COMPILE"):
        comp.default_setting()


def test_default_leaves_cpu_blocks_on_the_eager_program(monkeypatch):
    monkeypatch.delenv(comp.ENV, raising=False)
    net = nn.Dense(2, in_units=3)
    net.initialize()
    net.hybridize()
    net(nd.ones((1, 3)))
    assert net._cached_runner is net._cached_op   # no wrapper on the eager path
    exe = mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2).simple_bind(mx.cpu(), x=(1, 3))
    assert exe._runner is exe._program


def test_mode_and_options_reach_torch_compile_together(monkeypatch):
    seen = {}

    def fake_compile(fn, **kwargs):
        seen.update(kwargs)
        return fn
    monkeypatch.setattr(torch, "compile", fake_compile)
    program = lower(mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2, name="fc"))
    setting = comp.setting_from("max-autotune", {"epilogue_fusion": False})
    runner = comp.CompiledProgram(program, setting)
    out = runner([torch.ones(1, 3), torch.ones(2, 3), torch.zeros(2)])[0]
    assert torch.equal(out, torch.full((1, 2), 3.0))
    assert "mode" not in seen and seen["options"]["max_autotune"] is True
    assert seen["options"]["epilogue_fusion"] is False and seen["dynamic"] is False


def test_generated_source_is_straight_line_and_readable():
    x = mx.sym.var("data")
    y = mx.sym.Activation(mx.sym.FullyConnected(x, num_hidden=3, name="fc"), act_type="relu",
                          name="act")
    fn = comp.generate(lower(y), is_train=False)
    import inspect
    source = inspect.getsource(fn)
    assert "num_hidden=3" in source and "act_type='relu'" in source and "# act" in source


# -- Gluon: the talk's LeNet and the model zoo -------------------------------------------------------
def _lenet(dropout: float = 0.0) -> nn.HybridSequential:
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(20, kernel_size=5, activation="tanh"), nn.MaxPool2D(2, 2),
                nn.Conv2D(50, kernel_size=5, activation="tanh"), nn.MaxPool2D(2, 2),
                nn.Flatten(), nn.Dense(500, activation="tanh"), nn.BatchNorm(),
                nn.Dropout(dropout), nn.Dense(10))
    return net


def _train(make, backend, shapes, steps=2, seed=3, sgd=(0.05, 0.9), **hybridize):
    """Losses, a prediction per shape and the final parameters of a few SGD steps."""
    mx.random.seed(seed)
    net = make()
    net.initialize(mx.init.Xavier())
    net.hybridize(backend=backend, **hybridize)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": sgd[0], "momentum": sgd[1]})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    rs = np.random.RandomState(0)
    losses, preds = [], []
    for shape in shapes:
        for _ in range(steps):
            x = nd.array(rs.rand(*shape))
            y = nd.array(rs.randint(0, 10, shape[0]))
            with autograd.record():
                loss = loss_fn(net(x), y)
            loss.backward()
            trainer.step(shape[0])
            losses.append(loss.asnumpy())
        preds.append(net(nd.array(rs.rand(*shape))).asnumpy())
    params = [p.data().asnumpy() for p in net.collect_params().values()]
    grads = [p.grad().asnumpy() for p in net.collect_params().values() if p.grad_req != "null"]
    return losses, preds, params, grads, net


def _assert_same(a, b, rtol=1e-5, atol=1e-6):
    for x, y in zip(a[:4], b[:4]):
        assert len(x) == len(y)
        for u, v in zip(x, y):
            np.testing.assert_allclose(u, v, rtol=rtol, atol=atol)


def test_lenet_trains_as_eager_for_several_shapes():
    shapes = [(4, 1, 28, 28), (3, 1, 28, 28), (6, 1, 28, 28)]
    eager = _train(_lenet, "0", shapes)
    compiled = _train(_lenet, BACKEND, shapes)
    _assert_same(eager, compiled)
    runner = compiled[4]._cached_runner
    assert isinstance(runner, comp.CompiledProgram) and runner.failure is None
    # train and predict per shape: one signature each
    assert len(runner._seen) == 2 * len(shapes)


def test_dropout_draws_the_same_masks_as_eager():
    eager = _train(lambda: _lenet(0.5), "0", [(4, 1, 28, 28)], steps=3)
    compiled = _train(lambda: _lenet(0.5), BACKEND, [(4, 1, 28, 28)], steps=3)
    _assert_same(eager, compiled)


def test_grad_req_add_accumulates_in_the_persistent_buffers():
    def run(backend):
        mx.random.seed(0)
        net = nn.HybridSequential()
        net.add(nn.Dense(4, activation="relu", in_units=3), nn.Dense(2, in_units=4))
        net.initialize()
        net.collect_params().setattr("grad_req", "add")
        net.hybridize(backend=backend)
        buffers = [p.grad() for p in net.collect_params().values()]
        x = nd.array(np.arange(12).reshape(4, 3) / 10)
        for _ in range(3):
            with autograd.record():
                y = net(x)
            y.backward()
        assert all(p.grad() is b for p, b in zip(net.collect_params().values(), buffers))
        return [b.asnumpy() for b in buffers]

    for e, c in zip(run("0"), run(BACKEND)):
        np.testing.assert_allclose(e, c, rtol=1e-6)


def _zoo_input(name):
    if name.startswith("inception"):
        return (2, 3, 299, 299)
    if name.startswith(("alexnet", "densenet", "squeezenet")):   # fixed-size pooling at the end
        return (2, 3, 224, 224)
    return (2, 3, 32, 32)


# each network compiles three graphs (two predict shapes, one training step): tens of seconds for
# the larger ones on a small host, so the default run keeps two and ``-m slow`` runs the zoo
ZOO_FAST = ["resnet18_v1", "squeezenet1.1"]


def _zoo_names():
    names = ["resnet18_v1", "resnet34_v1", "resnet50_v1", "resnet101_v1", "resnet152_v1",
             "resnet18_v2", "resnet34_v2", "resnet50_v2", "resnet101_v2", "resnet152_v2",
             "vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn",
             "alexnet", "densenet121", "densenet161", "densenet169", "densenet201",
             "squeezenet1.0", "squeezenet1.1", "inceptionv3",
             "mobilenet1.0", "mobilenet0.75", "mobilenet0.5", "mobilenet0.25",
             "mobilenetv2_1.0", "mobilenetv2_0.75", "mobilenetv2_0.5", "mobilenetv2_0.25"]
    return [pytest.param(n, marks=() if n in ZOO_FAST else pytest.mark.slow) for n in names]


@pytest.mark.parametrize("name", _zoo_names())
def test_model_zoo_compiled_equals_eager(name):
    """Predict on two shapes, one training step: outputs, gradients, updated parameters and
    BatchNorm's moving statistics as the eager executor gives them."""
    def run(backend):
        mx.random.seed(7)
        net = vision.get_model(name, classes=10)
        net.initialize(mx.init.Xavier())
        net.hybridize(backend=backend)
        rs = np.random.RandomState(1)
        shape = _zoo_input(name)
        x = nd.array(rs.rand(*shape))
        out = [net(x).asnumpy(), net(nd.array(rs.rand(1, *shape[1:]))).asnumpy()]
        trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01})
        with autograd.record():
            loss = gluon.loss.SoftmaxCrossEntropyLoss()(net(x), nd.array([1, 2]))
        loss.backward()
        trainer.step(2)
        grads = [p.grad().asnumpy() for p in net.collect_params().values() if p.grad_req != "null"]
        params = [p.data().asnumpy() for p in net.collect_params().values()]
        return out, grads, params, net

    eager, comp_run = run("0"), run(BACKEND)
    for a, b in zip(eager[:3], comp_run[:3]):
        for u, v in zip(a, b):
            np.testing.assert_allclose(u, v, rtol=1e-4, atol=1e-5)
    assert comp_run[3]._cached_runner.failure is None


def test_small_predictions_compute_convolutions_as_matmuls(monkeypatch):
    """One image through LeNet, compiled: both convolutions take the unfold + matmul form and the
    prediction equals the eager executor's; a training step keeps torch's convolution."""
    from mxtorch.ops import nn as nn_ops
    taken = []
    as_matmul = nn_ops._conv2d_as_matmul
    monkeypatch.setattr(nn_ops, "_conv2d_as_matmul", lambda *a: taken.append(a) or as_matmul(*a))
    x = nd.array(np.random.RandomState(2).rand(1, 1, 28, 28))
    outputs = {}
    for backend in ("0", BACKEND):
        mx.random.seed(5)
        net = _lenet()
        net.initialize(mx.init.Xavier())
        net.hybridize(backend=backend)
        outputs[backend] = net(x).asnumpy()
    assert len(taken) == 2
    np.testing.assert_allclose(outputs[BACKEND], outputs["0"], rtol=1e-5, atol=1e-6)
    with autograd.record():
        net(x).backward()
    assert len(taken) == 2


def test_inductor_compiles_a_small_net(monkeypatch):
    """The one test that runs Inductor's code generation (slow on a small host); its CPU training
    graph is split by mxtorch's partitioner."""
    import torch._inductor.config as inductor_config
    split = []
    partition = comp.SaveForwardValues.__call__
    monkeypatch.setattr(comp.SaveForwardValues, "__call__",
                        lambda self, gm, joint, **kw: split.append(gm) or partition(self, gm, joint, **kw))

    def make():
        net = nn.HybridSequential()
        net.add(nn.Dense(16, activation="relu"), nn.BatchNorm(), nn.Dense(10))
        return net
    shapes = [(8, 12)]
    eager = _train(make, "0", shapes)
    with inductor_config.patch(force_disable_caches=True):  # a cached graph skips the partition
        compiled = _train(make, "inductor", shapes)
    _assert_same(eager, compiled, rtol=1e-4, atol=1e-5)
    assert compiled[4]._cached_runner.failure is None
    assert split, "the CPU training graph did not go through SaveForwardValues"


def test_cpu_training_graphs_take_the_forward_values_partitioner():
    program = lower(mx.sym.relu(mx.sym.var("data")))
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    inductor = comp.CompiledProgram(program, comp.setting_from("inductor"))
    options = inductor.compile_kwargs(True, cpu)["options"]
    assert isinstance(options["custom_partitioner_fn"], comp.SaveForwardValues)
    # predicting has no backward to split; CUDA kernels store masks at full speed
    assert "options" not in inductor.compile_kwargs(False, cpu)
    assert "options" not in inductor.compile_kwargs(True, cuda)
    assert "options" not in comp.CompiledProgram(program, comp.setting_from("aot_eager")) \
        .compile_kwargs(True, cpu)
    # the user's choice stands: None asks for Inductor's min-cut partition
    own = comp.CompiledProgram(program, comp.setting_from("inductor", {"custom_partitioner_fn": None}))
    assert own.compile_kwargs(True, cpu)["options"] == {"custom_partitioner_fn": None}
    # with a mode, the mode's options come along (torch.compile takes one or the other)
    tuned = comp.CompiledProgram(program, comp.setting_from("max-autotune"))
    assert tuned.compile_kwargs(True, cpu)["options"]["max_autotune"] is True


# -- channels-last on the CPU -------------------------------------------------------------------------
def test_channels_last_pass_converts_ungrouped_convolutions_only():
    x = mx.sym.var("data")
    a = mx.sym.Convolution(x, kernel=(3, 3), num_filter=4, name="a")
    b = mx.sym.Convolution(mx.sym.relu(a), kernel=(3, 3), num_filter=4, num_group=4, name="b")
    out = mx.sym.Dropout(b, p=0.5, name="drop")
    import inspect
    source = inspect.getsource(comp.generate(lower(out), is_train=True, channels_last=True))
    convert = [line for line in source.splitlines() if "_channels_last(" in line]
    assert len(convert) == 1 and "# a" in convert[0]   # b is grouped: its input is left as it is
    dense = [line for line in source.splitlines() if "_dense(" in line]
    assert len(dense) == 1 and "# drop" in dense[0]    # Dropout's mask follows memory order
    assert "_dense(" not in inspect.getsource(comp.generate(lower(out), is_train=True))


def test_channels_last_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.delenv(comp.CHANNELS_LAST_ENV, raising=False)
    assert comp._channels_last_on(torch.device("cpu"))
    assert not comp._channels_last_on(torch.device("cuda"))
    monkeypatch.setenv(comp.CHANNELS_LAST_ENV, "0")
    assert not comp._channels_last_on(torch.device("cpu"))
    monkeypatch.setenv(comp.CHANNELS_LAST_ENV, "nhwc")
    with pytest.raises(mx.MXNetError, match="MXTORCH_CHANNELS_LAST must be 0 or 1"):
        comp._channels_last_on(torch.device("cpu"))


def _conv_dropout_net() -> nn.HybridSequential:
    net = nn.HybridSequential()
    net.add(nn.Conv2D(8, kernel_size=3, activation="relu"), nn.Dropout(0.5), nn.MaxPool2D(2, 2),
            nn.Conv2D(8, kernel_size=3), nn.BatchNorm(), nn.Flatten(), nn.Dense(10))
    return net


@pytest.mark.parametrize("backend", [BACKEND, "eager"])
@pytest.mark.parametrize("make", [_lenet, _conv_dropout_net], ids=["lenet", "conv_dropout"])
def test_channels_last_trains_as_row_major(monkeypatch, make, backend):
    """A few SGD steps end where the row-major graph's do, up to float32 rounding of convolutions
    summed in another order; Dropout on a convolution's output draws the same masks. Small steps:
    with lr 0.05 and momentum 0.9 that rounding grows to 1% by the third step, while one mask drawn
    differently moves the very first loss by tens of percent."""
    def run(setting):
        monkeypatch.setenv(comp.CHANNELS_LAST_ENV, setting)
        return _train(make, backend, [(16, 1, 28, 28), (12, 1, 28, 28)], steps=3, sgd=(0.01, 0.5))
    _assert_same(run("0"), run("1"), rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("name", ["resnet18_v1", "mobilenet0.25"])
def test_channels_last_zoo_predictions_match_eager(name):
    """Predictions (BatchNorm on its moving statistics) of a residual net and of one with depthwise
    convolutions, which stay row-major."""
    def run(backend):
        mx.random.seed(7)
        net = vision.get_model(name, classes=10)
        net.initialize(mx.init.Xavier())
        net.hybridize(backend=backend)
        out = net(nd.array(np.random.RandomState(1).rand(2, 3, 64, 64)))
        return out.asnumpy(), net
    (eager, _), (compiled, net) = run("0"), run(BACKEND)
    np.testing.assert_allclose(eager, compiled, rtol=1e-4, atol=1e-5)
    assert net._cached_runner.failure is None


# -- symbolic: executors, Module, FeedForward --------------------------------------------------------
def _sym_lenet():
    data = mx.sym.var("data")
    net = mx.sym.Convolution(data, kernel=(5, 5), num_filter=20, name="conv1")
    net = mx.sym.Activation(net, act_type="tanh")
    net = mx.sym.Pooling(net, pool_type="max", kernel=(2, 2), stride=(2, 2))
    net = mx.sym.Convolution(net, kernel=(5, 5), num_filter=50, name="conv2")
    net = mx.sym.Activation(net, act_type="tanh")
    net = mx.sym.Pooling(net, pool_type="max", kernel=(2, 2), stride=(2, 2))
    net = mx.sym.Flatten(net)
    net = mx.sym.FullyConnected(net, num_hidden=500, name="fc1")
    net = mx.sym.BatchNorm(net, name="bn")   # fix_gamma: gamma set to 1 in place in training
    net = mx.sym.Activation(net, act_type="tanh")
    net = mx.sym.FullyConnected(net, num_hidden=10, name="fc2")
    return mx.sym.SoftmaxOutput(net, name="softmax")


@pytest.mark.parametrize("grad_req", ["write", "add", {"conv1_weight": "null"}])
def test_executor_forward_backward_as_eager(monkeypatch, grad_req):
    sym = _sym_lenet()
    rs = np.random.RandomState(0)
    init = {n: rs.uniform(-0.1, 0.1, s) for n, s in
            zip(sym.list_arguments(), sym.infer_shape(data=(4, 1, 28, 28))[0])}
    init["softmax_label"] = np.array([1, 2, 3, 4])
    aux = {"bn_moving_mean": np.zeros(500), "bn_moving_var": np.ones(500)}

    def run(setting):
        monkeypatch.setenv(comp.ENV, setting)
        exe = sym.simple_bind(mx.cpu(), data=(4, 1, 28, 28), grad_req=grad_req)
        for name, value in init.items():
            exe.arg_dict[name][:] = value
        for name, value in aux.items():
            exe.aux_dict[name][:] = value
        results = []
        for _ in range(2):
            results.append(exe.forward(is_train=True)[0].asnumpy())
            exe.backward()
        results.append(exe.forward(is_train=False)[0].asnumpy())
        results += [g.asnumpy() for g in exe.grad_arrays if g is not None]
        results += [a.asnumpy() for a in exe.aux_arrays]
        results += [exe.arg_dict["bn_gamma"].asnumpy()]
        return results, exe

    eager, _ = run("0")
    compiled, exe = run(BACKEND)
    assert isinstance(exe._runner, comp.CompiledProgram) and exe._runner.failure is None
    for a, b in zip(eager, compiled):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_feedforward_fit_as_eager(monkeypatch):
    rs = np.random.RandomState(0)
    x = rs.rand(32, 1, 28, 28).astype(np.float32)
    y = rs.randint(0, 10, 32).astype(np.float32)

    def run(setting):
        monkeypatch.setenv(comp.ENV, setting)
        mx.random.seed(5)
        np.random.seed(5)   # FeedForward shuffles with numpy's generator
        model = mx.model.FeedForward(_sym_lenet(), num_epoch=1, learning_rate=0.1,
                                     numpy_batch_size=8)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            model.fit(x, y)
        params = [v.asnumpy() for _, v in sorted(model.arg_params.items())]
        return params + [model.predict(x[:8])]

    for a, b in zip(run("0"), run(BACKEND)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# -- shapes, the cap and the fallback ------------------------------------------------------------------
def _counting_backend():
    calls = []

    def backend(gm, example_inputs):
        calls.append([tuple(t.shape) for t in example_inputs if isinstance(t, torch.Tensor)])
        return gm.forward
    return backend, calls


def test_each_shape_compiles_once_up_to_the_cap(monkeypatch):
    monkeypatch.setenv(comp.MAX_SHAPES_ENV, "2")
    program = lower(mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=3, name="fc"))
    backend, calls = _counting_backend()
    runner = comp.CompiledProgram(program, comp.CompileSetting(backend))
    w, b = torch.ones(3, 4), torch.zeros(3)
    for n in (2, 2, 5, 5, 2):
        out = runner([torch.ones(n, 4), w, b])[0]
        assert out.shape == (n, 3) and torch.equal(out, torch.full((n, 3), 4.0))
    assert len(calls) == 2
    with pytest.warns(UserWarning, match="cap .*MXTORCH_COMPILE_MAX_SHAPES=2"):
        out = runner([torch.ones(7, 4), w, b])[0]
    assert torch.equal(out, torch.full((7, 3), 4.0)) and len(calls) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # warned once
        runner([torch.ones(9, 4), w, b])


def test_compile_failure_falls_back_once_with_the_reason(caplog):
    def broken(gm, example_inputs):
        raise RuntimeError("no code generator for this host")

    net = nn.HybridSequential()
    net.add(nn.Dense(4, activation="relu"), nn.Dense(2))
    net.initialize()
    x = nd.array(np.arange(6).reshape(2, 3))
    expected = net(x).asnumpy()
    net.hybridize()
    net._compile = comp.CompileSetting(broken)
    with caplog.at_level(logging.WARNING, logger=comp.__name__):
        with pytest.warns(UserWarning, match="no code generator for this host"):
            out = net(x)
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-6)
    runner = net._cached_runner
    assert runner.failure is None and "no code generator" in runner._reason
    assert sum("no code generator" in r.getMessage() for r in caplog.records) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # logged once
        net(x)                            # that signature goes straight to the eager executor
        with autograd.record():
            y = net(x)                    # a second signature fails too: the graph gives up
        y.backward()
        net(nd.ones((5, 3)))
    assert net[0].weight.grad().abs().sum().asscalar() > 0
    assert "no code generator" in runner.failure and not runner.enabled_for(torch.device("cpu"))
    assert len(runner._eager) == 2


def test_a_user_error_is_reported_not_taken_for_a_compile_failure():
    net = nn.Dense(2, in_units=3)
    net.initialize()
    net.hybridize(backend=BACKEND)
    net(nd.ones((1, 3)))
    with pytest.raises(mx.MXNetError, match="Dense 'dense\\d+'"):
        net(nd.ones((1, 5)))
    assert net._cached_runner.failure is None


def test_hybridize_again_switches_the_backend_without_clearing():
    net = nn.Dense(2, in_units=3)
    net.initialize()
    net.hybridize(backend=BACKEND)
    x = nd.ones((1, 3))
    expected = net(x).asnumpy()
    assert isinstance(net._cached_runner, comp.CompiledProgram)
    net.hybridize(backend="0", clear=False)
    np.testing.assert_array_equal(net(x).asnumpy(), expected)
    assert net._cached_runner is net._cached_op


def test_optimize_for_hybridizes_and_runs():
    net = nn.Dense(2, in_units=3)
    net.initialize()
    net.optimize_for(nd.ones((1, 3)), backend=BACKEND)
    assert isinstance(net._cached_runner, comp.CompiledProgram)
    assert len(net._cached_runner._seen) == 1
