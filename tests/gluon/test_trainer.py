"""gluon.Trainer: MXNet 1.9.1 goldens for whole training steps, and the Trainer's rules."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.base import MXNetError
from tests.conformance.conftest import GOLDEN
from tests.optimizer import cases


@pytest.mark.parametrize("case", cases.TRAINER_CASES, ids=[c.id for c in cases.TRAINER_CASES])
def test_trainer_steps_match_mxnet(case: cases.TrainerCase) -> None:
    expected = dict(np.load(GOLDEN / "optimizer" / f"{case.id}.npz"))
    got = cases.run_trainer(mx, case)
    assert sorted(got) == sorted(expected)
    for key in sorted(expected):
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, atol=1e-6,
                                   err_msg=f"{case.id}: {key}")


STATES_CASES = [c for c in cases.TRAINER_CASES if c.states_after is not None]


@pytest.mark.parametrize("case", STATES_CASES, ids=[c.id for c in STATES_CASES])
def test_load_states_saved_by_mxnet(case: cases.TrainerCase) -> None:
    """MXNet's states file, loaded in place of the optimizer states (zeroed first), carries
    the training on exactly as MXNet did."""
    expected = dict(np.load(GOLDEN / "optimizer" / f"{case.id}.npz"))
    loaded = []

    def load(step, trainer):
        if step != case.states_after:
            return
        for state in trainer._updaters[0].states.values():
            for arr in state if isinstance(state, tuple) else (state,):
                arr[:] = 0
        trainer.load_states(str(GOLDEN / "optimizer" / f"{case.id}.states"))
        loaded.append(trainer.optimizer)

    got = cases.run_trainer(mx, case, load)
    # the optimizer now is MXNet's, unpickled into mxtorch's class (allow_np_array is MXNet's)
    assert type(loaded[0]) is type(mx.optimizer.create(case.optimizer))
    assert hasattr(loaded[0], "allow_np_array") and loaded[0].param_dict[0] is not None
    for key in sorted(expected):
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, atol=1e-6,
                                   err_msg=f"{case.id}: {key}")


def _net(units=(4, 2), in_units=3, prefix="net_"):
    net = gluon.nn.Sequential(prefix=prefix)
    with net.name_scope():
        for n in units:
            net.add(gluon.nn.Dense(n, in_units=in_units))
            in_units = n
    net.initialize(mx.init.Xavier())
    return net


def _backward(net, x=None) -> None:
    x = nd.ones((2, 3)) if x is None else x
    with autograd.record():
        loss = net(x).sum()
    loss.backward()


def _values(params) -> dict:
    return {k: p.data().asnumpy().copy() for k, p in params.items()}


def test_params_are_sorted_by_name_and_accepted_as_dict_or_list() -> None:
    params = _net().collect_params()
    trainer = gluon.Trainer(params, "sgd")
    assert [p.name for p in trainer._params] == sorted(params.keys())
    assert gluon.Trainer(dict(params.items()), "sgd")._params == trainer._params
    listed = gluon.Trainer(list(params.values()), "sgd")
    assert [p.name for p in listed._params] == list(params.keys())
    with pytest.raises(ValueError, match="First argument must be a list or dict of Parameters"):
        gluon.Trainer(params["net_dense0_weight"], "sgd")
    with pytest.raises(ValueError, match="got list of"):
        gluon.Trainer([nd.ones((2,))], "sgd")


def test_optimizer_is_created_with_param_dict() -> None:
    params = _net().collect_params()
    trainer = gluon.Trainer(params, "SGD", {"learning_rate": 0.5, "momentum": 0.9})
    assert isinstance(trainer.optimizer, mx.optimizer.SGD) and trainer.learning_rate == 0.5
    assert trainer.optimizer.param_dict == dict(enumerate(trainer._params))
    trainer.set_learning_rate(0.25)
    assert trainer.learning_rate == 0.25 and trainer.optimizer.lr == 0.25
    with pytest.raises(ValueError, match="optimizer_params must be None"):
        gluon.Trainer(params, mx.optimizer.SGD(), {"learning_rate": 0.1})
    with pytest.raises(ValueError, match="Cannot find optimizer nope"):
        gluon.Trainer(params, "nope")


def test_step_rescales_by_batch_size() -> None:
    net = _net()
    params = net.collect_params()
    before = _values(params)
    _backward(net)
    grads = {k: p.grad().asnumpy().copy() for k, p in params.items()}
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 1.0})
    trainer.step(4)
    assert trainer.optimizer.rescale_grad == 0.25
    for k, p in params.items():
        np.testing.assert_allclose(p.data().asnumpy(), before[k] - grads[k] / 4, rtol=1e-6)


def test_stale_gradient_raises_mxnet_message_unless_ignored() -> None:
    net = _net(units=(4, 2, 5))
    params = net.collect_params()
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.1})
    x = nd.ones((2, 3))
    with autograd.record():  # the last layer is not used: its gradients are stale
        loss = net[1](net[0](x)).sum()
    loss.backward()
    with pytest.raises(UserWarning, match=r"Gradient of Parameter `net_dense2_bias` on context "
                                          r"cpu\(0\) has not been updated by backward since last "
                                          r"`step`"):
        trainer.step(1)
    # As in MXNet, the aborted step already consumed the gradients it had looked at, so only a
    # new backward pass makes them fresh again.
    unused = params["net_dense2_weight"].data().asnumpy().copy()
    used = params["net_dense0_weight"].data().asnumpy().copy()
    trainer.step(1, ignore_stale_grad=True)
    assert np.array_equal(params["net_dense0_weight"].data().asnumpy(), used)
    with autograd.record():
        loss = net[1](net[0](x)).sum()
    loss.backward()
    trainer.step(1, ignore_stale_grad=True)
    assert np.array_equal(params["net_dense2_weight"].data().asnumpy(), unused)
    assert not np.array_equal(params["net_dense0_weight"].data().asnumpy(), used)
    # the used gradients are consumed by that step: a second step finds them stale
    with pytest.raises(UserWarning, match="net_dense0_bias"):
        trainer.step(1)


def test_grad_req_null_parameters_are_skipped() -> None:
    net = _net()
    params = net.collect_params()
    params["net_dense0_weight"].grad_req = "null"
    frozen = params["net_dense0_weight"].data().asnumpy().copy()
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.1})
    _backward(net)
    trainer.step(1)
    assert np.array_equal(params["net_dense0_weight"].data().asnumpy(), frozen)
    assert sorted(trainer._updaters[0].states) == [0, 2, 3]  # index 1: net_dense0_weight


def test_allreduce_grads_then_update_equals_step() -> None:
    net_a, net_b = _net(prefix="a_"), _net(prefix="b_")
    for pa, pb in zip(net_a.collect_params().values(), net_b.collect_params().values()):
        pb.set_data(pa.data())
    trainer_a = gluon.Trainer(net_a.collect_params(), "adam", {"learning_rate": 0.01})
    trainer_b = gluon.Trainer(net_b.collect_params(), "adam", {"learning_rate": 0.01})
    for _ in range(2):
        _backward(net_a)
        _backward(net_b)
        trainer_a.step(2)
        trainer_b.allreduce_grads()
        trainer_b.update(2)
    for pa, pb in zip(net_a.collect_params().values(), net_b.collect_params().values()):
        assert np.array_equal(pa.data().asnumpy(), pb.data().asnumpy())


def test_update_on_kvstore_forbids_allreduce_and_update() -> None:
    net = gluon.nn.Dense(2, in_units=3)
    net.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    trainer = gluon.Trainer(net.collect_params(), "sgd", kvstore="device")
    with pytest.raises(MXNetError, match="allreduce_grads\\(\\) when parameters are updated"):
        trainer.allreduce_grads()
    with pytest.raises(MXNetError, match="update\\(\\) when parameters are updated on kvstore"):
        trainer.update(1)
    assert trainer._update_on_kvstore and trainer._kvstore.type == "device"


def test_single_device_needs_no_kvstore() -> None:
    net = _net()
    trainer = gluon.Trainer(net.collect_params(), "sgd")
    _backward(net)
    trainer.step(1)
    assert trainer._kvstore is None and trainer._update_on_kvstore is None


def test_parameters_on_different_contexts_are_rejected() -> None:
    a = gluon.Parameter("a", shape=(2,))
    b = gluon.Parameter("b", shape=(2,))
    a.initialize(ctx=mx.cpu(0))
    b.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    with pytest.raises(ValueError, match="All Parameters must be initialized on the same set"):
        gluon.Trainer([a, b], "sgd")


def _fill_grads(params, value: float) -> None:
    """Write the same gradient on every device, marked fresh as backward would."""
    for p in params.values():
        for data, grad in zip(p.list_data(), p.list_grad()):
            grad[:] = value
            data._fresh_grad = True


@pytest.mark.parametrize("contexts", [1, 2])
def test_save_and_load_states_resume_training(tmp_path, contexts: int) -> None:
    ctx = [mx.cpu(i) for i in range(contexts)]
    net, resumed_net = _net(prefix="a_"), _net(prefix="b_")
    for model in (net, resumed_net):
        model.collect_params().reset_ctx(ctx)
    params, resumed_params = net.collect_params(), resumed_net.collect_params()
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    for step in range(2):
        _fill_grads(params, 0.5 + step)
        trainer.step(2)
    fname = str(tmp_path / "trainer.states")
    trainer.save_states(fname)
    for pa, pb in zip(params.values(), resumed_params.values()):
        pb.set_data(pa.data())
    resumed = gluon.Trainer(resumed_params, "sgd", {"learning_rate": 0.5})
    resumed.load_states(fname)
    assert resumed.learning_rate == 0.1 and resumed.optimizer.momentum == 0.9
    assert resumed.optimizer.param_dict == dict(enumerate(resumed._params))
    for ps, tr in ((params, trainer), (resumed_params, resumed)):
        _fill_grads(ps, -1.0)
        tr.step(2)
    for pa, pb in zip(params.values(), resumed_params.values()):
        for a, b in zip(pa.list_data(), pb.list_data()):
            np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=1e-6)


def test_lr_scheduler_drives_the_learning_rate() -> None:
    net = _net()
    sched = mx.lr_scheduler.FactorScheduler(step=1, factor=0.5, base_lr=0.4)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"lr_scheduler": sched})
    rates = []
    for _ in range(3):
        _backward(net)
        trainer.step(1)
        rates.append(trainer.learning_rate)
    assert rates == pytest.approx([0.4, 0.2, 0.1])
    with pytest.raises(UserWarning, match="LRScheduler of the optimizer has already been defined"):
        trainer.set_learning_rate(0.1)


def _train_split(ctx: list, hybridize: bool, update_on_kvstore: bool) -> dict:
    """Three SGD steps of a small MLP, each batch split over ``ctx`` as MXNet's data-parallel
    loop does: split_and_load, one forward/backward per context, one Trainer.step."""
    mx.random.seed(0)
    net = gluon.nn.HybridSequential(prefix="mlp_")
    with net.name_scope():
        net.add(gluon.nn.Dense(4, activation="relu", in_units=3), gluon.nn.Dense(2, in_units=4))
    net.initialize(mx.init.Xavier(), ctx=ctx)
    if hybridize:
        net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1},
                            update_on_kvstore=update_on_kvstore if len(ctx) > 1 else None)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    rng = np.random.RandomState(1)
    x, y = nd.array(rng.randn(8, 3)), nd.array(rng.randint(0, 2, 8))
    for _ in range(3):
        parts = zip(gluon.utils.split_and_load(x, ctx), gluon.utils.split_and_load(y, ctx))
        with autograd.record():
            losses = [loss_fn(net(xi), yi) for xi, yi in parts]
        for loss in losses:
            loss.backward()
        trainer.step(x.shape[0])
    return {k: p.list_data() for k, p in net.collect_params().items()}


@pytest.mark.parametrize("hybridize", [False, True])
@pytest.mark.parametrize("update_on_kvstore", [False, True])
def test_two_cpu_contexts_train_like_one(hybridize: bool, update_on_kvstore: bool) -> None:
    """Each context's forward uses its own copy, so every copy gets a gradient; the allreduce
    then makes the copies agree with single-context training on the whole batch."""
    single = _train_split([mx.cpu(0)], hybridize, update_on_kvstore)
    split = _train_split([mx.cpu(0), mx.cpu(1)], hybridize, update_on_kvstore)
    for name, (expected,) in single.items():
        assert [d.context for d in split[name]] == [mx.cpu(0), mx.cpu(1)]
        for copy in split[name]:
            np.testing.assert_allclose(copy.asnumpy(), expected.asnumpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=name)


def test_forward_uses_the_inputs_context_copy() -> None:
    net = gluon.nn.Dense(1, in_units=2, use_bias=False)
    net.initialize(mx.init.One(), ctx=[mx.cpu(0), mx.cpu(1)])
    net.weight.data(mx.cpu(1))[:] = 2
    out = net(nd.ones((1, 2), ctx=mx.cpu(1)))
    assert out.context == mx.cpu(1) and out.asscalar() == 4
    with autograd.record():
        net(nd.ones((1, 2), ctx=mx.cpu(1))).backward()
    assert net.weight.grad(mx.cpu(1)).context == mx.cpu(1)
    assert net.weight.grad(mx.cpu(1)).asnumpy().sum() == 2
    assert net.weight.grad(mx.cpu(0)).asnumpy().sum() == 0
    with pytest.raises(RuntimeError, match="was not initialized on context cpu\\(2\\)"):
        net(nd.ones((1, 2), ctx=mx.cpu(2)))
