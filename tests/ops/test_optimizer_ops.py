"""The optimizer update operators beyond the walk's samples: what ``out=`` changes, checks that
span several calls, and the optimizers running the same kernels as the operators."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch import nd
from mxtorch.base import MXNetError


def _arrays(seed: int, n: int = 3, shape=(4, 5)) -> list:
    rng = np.random.RandomState(seed)
    return [nd.array(rng.standard_normal(shape).astype(np.float32)) for _ in range(n)]


def test_the_weight_changes_only_through_out():
    weight, grad, mom = _arrays(0)
    before, mom_before = weight.asnumpy(), mom.asnumpy()
    new = nd.sgd_mom_update(weight, grad, mom, lr=0.1, momentum=0.9)
    np.testing.assert_array_equal(weight.asnumpy(), before)
    assert not np.array_equal(mom.asnumpy(), mom_before)  # the state always updates in place
    np.testing.assert_allclose(new.asnumpy(), before + mom.asnumpy(), rtol=1e-6)
    assert nd.sgd_update(weight, grad, lr=0.1, out=weight) is weight
    np.testing.assert_allclose(weight.asnumpy(), before - 0.1 * grad.asnumpy(), rtol=1e-6)


def test_nag_with_out_weight_decays_the_momentum_by_the_new_weight():
    weight, grad, mom = _arrays(1)
    copy_w, copy_m = weight.copy(), mom.copy()
    attrs = {"lr": 0.1, "momentum": 0.9, "wd": 0.1}
    new = nd.nag_mom_update(copy_w, grad, copy_m, **attrs)
    nd.nag_mom_update(weight, grad, mom, out=weight, **attrs)
    np.testing.assert_array_equal(weight.asnumpy(), new.asnumpy())
    # mom = momentum * mom_0 - lr * (grad + wd * weight), with the weight before / after the step
    step_diff = 0.1 * 0.1 * (weight.asnumpy() - (copy_w.asnumpy()))
    np.testing.assert_allclose(copy_m.asnumpy() - mom.asnumpy(), step_diff, rtol=1e-4, atol=1e-6)


def test_all_finite_without_init_output_keeps_an_earlier_zero():
    flag = nd.ones((1,))
    bad, good = nd.array([1, np.inf]), nd.array([1, 2])
    nd.all_finite(bad, out=flag)
    nd.multi_all_finite(good, good, num_arrays=2, init_output=False, out=flag)
    assert flag.asscalar() == 0
    nd.all_finite(good, out=flag)
    assert flag.asscalar() == 1
    nd.multi_all_finite(good, nd.array([np.nan]), num_arrays=2, init_output=False, out=flag)
    assert flag.asscalar() == 0


def test_multi_operators_check_their_input_count():
    w, g, _ = _arrays(2)
    with pytest.raises(MXNetError, match="2 arrays per weight"):
        nd.multi_sgd_update(w, g, w, lrs=(0.1, 0.1), wds=(0, 0), num_weights=2)
    with pytest.raises(MXNetError, match="wds has 2 values"):
        nd.multi_sgd_update(w, g, lrs=(0.1,), wds=(0, 0), num_weights=1)


def test_update_operators_have_no_gradient():
    weight, grad, mom = _arrays(3)
    weight.attach_grad()
    with mx.autograd.record():
        new = nd.sgd_mom_update(weight, grad, mom, lr=0.1, momentum=0.9)
    assert not new._t.requires_grad


@pytest.mark.parametrize("name,kwargs", [
    ("sgd", {"momentum": 0.9, "wd": 0.01, "clip_gradient": 0.5, "rescale_grad": 0.5}),
    ("nag", {"momentum": 0.9, "wd": 0.1, "clip_gradient": 0.5}),
    ("adam", {"wd": 0.01, "clip_gradient": 0.5}),
])
def test_optimizers_step_as_their_operators(name, kwargs):
    """An optimizer's step is its fused operator called with out=weight, as MXNet's Python
    optimizers call them: the same states, the same weight."""
    weight, grad, _ = _arrays(4)
    opt = mx.optimizer.create(name, learning_rate=0.1, **kwargs)
    state = opt.create_state(0, weight)
    mine = weight.copy()
    attrs = {"lr": 0.1, "wd": kwargs["wd"], "rescale_grad": kwargs.get("rescale_grad", 1.0),
             "clip_gradient": kwargs["clip_gradient"]}
    if name == "adam":
        mean, var = nd.zeros(weight.shape), nd.zeros(weight.shape)
        attrs["lr"] = 0.1 * np.sqrt(1 - 0.999) / (1 - 0.9)  # the optimizer's bias correction
        opt.update(0, weight, grad, state)
        nd.adam_update(mine, grad, mean, var, out=mine, **attrs)
        np.testing.assert_array_equal(state[0].asnumpy(), mean.asnumpy())
    else:
        mom = nd.zeros(weight.shape)
        opt.update(0, weight, grad, state)
        op = nd.sgd_mom_update if name == "sgd" else nd.nag_mom_update
        op(mine, grad, mom, out=mine, momentum=0.9, **attrs)
        np.testing.assert_array_equal(state.asnumpy(), mom.asnumpy())
    np.testing.assert_allclose(weight.asnumpy(), mine.asnumpy(), rtol=1e-6, atol=1e-7)
