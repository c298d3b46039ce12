"""Optimizer API behaviour beyond the update rules (which test_conformance checks)."""
import pickle
import warnings

import numpy as np
import pytest
import torch

import mxtorch as mx
from mxtorch import optimizer as opt
from tests.optimizer import cases


def _arrays(seed: int, shapes=cases.SHAPES) -> list:
    rng = np.random.RandomState(seed)
    return [mx.nd.array(rng.uniform(-1, 1, s)) for s in shapes]


def test_create_is_case_insensitive_and_passes_kwargs() -> None:
    sgd = opt.create("SgD", learning_rate=0.5, momentum=0.9)
    assert type(sgd) is opt.SGD
    assert sgd.learning_rate == 0.5 and sgd.momentum == 0.9
    assert isinstance(opt.Optimizer.create_optimizer("adam"), opt.Adam)
    assert opt.create("adam").learning_rate == 0.001


def test_create_unknown_name_says_which() -> None:
    with pytest.raises(ValueError, match="Cannot find optimizer nosuch"):
        opt.create("nosuch")


def test_register_makes_a_new_optimizer_creatable_and_warns_on_override() -> None:
    class MyOptimizerForTest(opt.Optimizer):
        def update(self, index, weight, grad, state):
            weight[:] = 7

    try:
        opt.register(MyOptimizerForTest)
        created = opt.create("myoptimizerfortest")
        assert isinstance(created, MyOptimizerForTest)
        with pytest.warns(UserWarning, match="overriding existing optimizer"):
            opt.register(MyOptimizerForTest)
    finally:
        opt.Optimizer.opt_registry.pop("myoptimizerfortest", None)


def test_defaults_match_mxnet() -> None:
    sgd = opt.SGD()
    assert (sgd.lr, sgd.wd, sgd.rescale_grad, sgd.clip_gradient, sgd.momentum) == \
        (0.01, 0.0, 1.0, None, 0.0)
    assert opt.RMSProp().gamma1 == 0.9 and opt.RMSProp().epsilon == 1e-8
    assert opt.Ftrl().lr == 0.1 and opt.Adamax().lr == 0.002 and opt.Signum().momentum == 0.9
    assert opt.AdaGrad().float_stable_eps == 1e-7 and opt.FTML().beta1 == 0.6


def test_set_learning_rate_and_scheduler_conflict() -> None:
    sgd = opt.SGD(learning_rate=0.1)
    sgd.set_learning_rate(0.3)
    assert sgd.learning_rate == 0.3
    sched = opt.SGD(lr_scheduler=mx.lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=1.0))
    assert sched.learning_rate == 1.0
    with pytest.raises(UserWarning, match="LRScheduler of the optimizer has already been defined"):
        sched.set_learning_rate(0.1)


def test_learning_rate_overrides_scheduler_base_lr(capsys: pytest.CaptureFixture) -> None:
    sched = mx.lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=1.0)
    opt.SGD(learning_rate=0.2, lr_scheduler=sched)
    assert sched.base_lr == 0.2
    assert "overwritten by ``learning_rate``" in capsys.readouterr().out


def test_wd_mult_zero_for_names_not_weight_or_gamma() -> None:
    sgd = opt.SGD(wd=0.1, param_idx2name={0: "fc_weight", 1: "fc_bias", 2: "bn_gamma",
                                          3: "bn_beta"})
    assert sgd.wd_mult == {"fc_bias": 0.0, "bn_beta": 0.0}
    assert [sgd._get_wd(i) for i in range(4)] == [0.1, 0.0, 0.1, 0.0]
    # without names every parameter decays
    assert opt.SGD(wd=0.1)._get_wd(1) == 0.1


def test_param_dict_multipliers_take_precedence() -> None:
    class Param:
        lr_mult, wd_mult = 0.5, 2.0

    sgd = opt.SGD(learning_rate=0.1, wd=0.1, param_dict={0: Param()},
                  param_idx2name={0: "x_bias", 1: "y_bias"})
    sgd.set_lr_mult({0: 10.0, "y_bias": 3.0})
    assert sgd._get_lr(0) == pytest.approx(0.05) and sgd._get_wd(0) == pytest.approx(0.2)
    assert sgd._get_lr(1) == pytest.approx(0.3) and sgd._get_wd(1) == 0.0


def test_num_update_counts_per_index_from_begin_num_update() -> None:
    sgd = opt.SGD(begin_num_update=10)
    w, g = _arrays(0)[0], _arrays(1)[0]
    sgd.update(0, w, g, None)
    sgd.update(0, w, g, None)
    sgd.update(1, w, g, None)
    assert sgd._index_update_count == {0: 12, 1: 11} and sgd.num_update == 12


@pytest.mark.parametrize("name,kwargs", [
    ("sgd", dict(learning_rate=0.1, momentum=0.9, wd=0.01, clip_gradient=0.3, rescale_grad=2.0)),
    ("sgd", dict(learning_rate=0.1, wd=0.01)),
    ("adam", dict(learning_rate=0.01, wd=0.01, clip_gradient=0.3)),
])
def test_multi_tensor_update_equals_one_weight_at_a_time(name: str, kwargs: dict) -> None:
    together, apart = _arrays(0), _arrays(0)
    opt_together, opt_apart = opt.create(name, **kwargs), opt.create(name, **kwargs)
    assert opt_together.aggregate_num >= len(together)
    states_t = [opt_together.create_state(i, w) for i, w in enumerate(together)]
    states_a = [opt_apart.create_state(i, w) for i, w in enumerate(apart)]
    for step in range(3):
        grads = _arrays(10 + step)
        opt_together.update(list(range(3)), together, grads, states_t)
        for i in range(3):
            opt_apart.update(i, apart[i], grads[i], states_a[i])
    for a, b in zip(together, apart):
        assert np.array_equal(a.asnumpy(), b.asnumpy())


def test_updater_states_roundtrip_continues_identically() -> None:
    weights, resumed_weights = _arrays(0), _arrays(0)
    updater = opt.get_updater(opt.create("adam", learning_rate=0.01, wd=0.01))
    updater(list(range(3)), _arrays(5), weights)
    blob = updater.get_states(dump_optimizer=True)
    resumed_weights = [mx.nd.array(w.asnumpy()) for w in weights]

    resumed = opt.get_updater(opt.create("sgd"))
    resumed.set_states(blob)
    assert isinstance(resumed.optimizer, opt.Adam) and resumed.optimizer.num_update == 1
    assert resumed.states_synced == {0: False, 1: False, 2: False}
    for step in range(2):
        grads = _arrays(20 + step)
        updater(list(range(3)), grads, weights)
        resumed(list(range(3)), grads, resumed_weights)
    for a, b in zip(weights, resumed_weights):
        assert np.array_equal(a.asnumpy(), b.asnumpy())


def test_updater_states_without_optimizer() -> None:
    updater = opt.get_updater(opt.SGD(momentum=0.9))
    w = _arrays(0)[0]
    updater(0, _arrays(1)[0], w)
    blob = updater.get_states()
    assert b"mxnet.ndarray.ndarray" in blob and b"mxtorch" not in blob  # MXNet's names
    resumed = opt.get_updater(opt.SGD(momentum=0.5))
    resumed.set_states(blob)
    assert list(resumed.states) == [0] and resumed.states[0].shape == w.shape
    np.testing.assert_array_equal(resumed.states[0].asnumpy(), updater.states[0].asnumpy())
    assert resumed.optimizer.momentum == 0.5  # the states alone leave the optimizer as it was


def test_pickled_optimizer_drops_param_dict() -> None:
    sgd = opt.SGD(param_dict={0: object()})
    assert pickle.loads(pickle.dumps(sgd)).param_dict == {}


def test_fp16_without_multi_precision_warns() -> None:
    w = mx.nd.array(np.ones(3), dtype="float16")
    with pytest.warns(UserWarning, match="multi_precision=True"):
        opt.SGD(momentum=0.9).create_state_multi_precision(0, w)


def test_update_rejects_non_ndarrays() -> None:
    with pytest.raises(TypeError, match="NDArray weight and grad"):
        opt.SGD().update(0, np.ones(3), np.ones(3), None)


def test_updates_do_not_record_autograd_history() -> None:
    w = mx.nd.array(np.ones(3))
    w.attach_grad()
    with mx.autograd.record():
        opt.SGD(momentum=0.9).update(0, w, mx.nd.array(np.ones(3)), mx.nd.zeros((3,)))
    assert w._t.grad_fn is None and w._t.requires_grad


def test_sgld_adds_gaussian_noise_of_variance_lr() -> None:
    torch.manual_seed(0)
    w = mx.nd.zeros((20000,))
    opt.SGLD(learning_rate=0.04).update(0, w, mx.nd.zeros((20000,)), None)
    assert abs(float(w.asnumpy().std()) - 0.2) < 0.01


def test_dcasgd_momentum_accumulates() -> None:
    # MXNet's own DCASGD fails here (``if mom:`` on an array); the documented rule holds.
    w, g = mx.nd.array(np.ones(2)), mx.nd.array(np.full(2, 0.5))
    dcasgd = opt.DCASGD(learning_rate=0.1, momentum=0.5, lamda=0.0)
    state = dcasgd.create_state(0, w)
    dcasgd.update(0, w, g, state)
    dcasgd.update(0, w, g, state)
    np.testing.assert_allclose(w.asnumpy(), 1 - 0.05 - (0.5 * 0.05 + 0.05), rtol=1e-6)


def test_set_lr_scale_is_deprecated() -> None:
    with pytest.raises(DeprecationWarning):
        opt.SGD().set_lr_scale({})


def test_no_warning_for_float32() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.SGD(momentum=0.9).create_state_multi_precision(0, mx.nd.zeros((2,)))


def test_symbol_attributes_give_multipliers() -> None:
    weight = mx.sym.Variable("fc_weight", lr_mult=2.0, wd_mult=0.5)
    fc = mx.sym.FullyConnected(mx.sym.Variable("data"), weight=weight, num_hidden=3, name="fc")
    sgd = opt.SGD(sym=fc, wd=0.1, param_idx2name={0: "data", 1: "fc_weight", 2: "fc_bias"})
    assert sgd.lr_mult == {"fc_weight": 2.0}
    assert sgd.wd_mult == {"data": 0.0, "fc_bias": 0.0, "fc_weight": 0.5}
    assert sgd._get_lr(1) == pytest.approx(0.02) and sgd._get_wd(1) == pytest.approx(0.05)
    assert sgd._get_wd(2) == 0.0


def test_states_holding_unknown_mxnet_classes_are_refused() -> None:
    blob = pickle.dumps(({0: None}, opt.SGD()))
    fake = blob.replace(b"mxtorch.optimizer.sgd", b"mxnet.symbol.symbol_x")  # same length
    with pytest.raises(mx.base.MXNetError, match="mxnet.symbol.symbol_x.SGD"):
        opt.get_updater(opt.SGD()).set_states(fake)
