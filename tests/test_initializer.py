"""mx.init: distributions (bounds and variance by fan-in/fan-out) against the formulas and against
statistics of MXNet 1.9.1 samples, name-based dispatch, registry, dumps."""
import json
import math

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import nd
from tests.conformance.conftest import GOLDEN
from tests.conformance.gen_gluon import INIT_CASES

STATS = json.loads((GOLDEN / "gluon" / "init_stats.json").read_text())


def _fill(init, shape, name="case_weight"):
    arr = nd.zeros(shape)
    init(mx.init.InitDesc(name), arr)
    return arr.asnumpy().astype(np.float64)


def _fans(shape):
    hw = float(np.prod(shape[2:])) if len(shape) > 2 else 1.0
    return shape[1] * hw, shape[0] * hw


def _expected(key, init, shape):
    """(distribution, bound or standard deviation) from MXNet's formulas."""
    if isinstance(init, mx.init.Uniform):
        return "uniform", init.scale
    if isinstance(init, mx.init.Normal):
        return "normal", init.sigma
    if isinstance(init, mx.init.Xavier):  # MSRAPrelu too
        fan_in, fan_out = _fans(shape)
        factor = {"avg": (fan_in + fan_out) / 2, "in": fan_in, "out": fan_out}[init.factor_type]
        scale = math.sqrt(init.magnitude / factor)
        return ("uniform" if init.rnd_type == "uniform" else "normal"), scale
    return None, None


@pytest.mark.parametrize("key,build,shape", INIT_CASES, ids=[c[0] for c in INIT_CASES])
def test_distribution_matches_formula_and_mxnet(key, build, shape):
    mx.random.seed(7)   # the sample's extremes must not depend on the tests that ran before
    init = build(mx)
    assert init.dumps() == STATS[key]["dumps"]
    a = _fill(init, shape)
    n = a.size
    ref = STATS[key]
    kind, scale = _expected(key, init, shape)
    if kind == "uniform":
        assert a.min() >= -scale and a.max() <= scale
        assert a.min() < -0.99 * scale and a.max() > 0.99 * scale
        assert abs(a.std() - scale / math.sqrt(3)) < 0.02 * scale / math.sqrt(3)
    elif kind == "normal":
        assert abs(a.std() - scale) < 0.02 * scale
    else:  # orthogonal: rows (or columns) orthonormal, times scale
        m = a.reshape(shape[0], -1)
        gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
        np.testing.assert_allclose(gram, init.scale ** 2 * np.eye(len(gram)), atol=1e-5)
        assert abs(np.abs(gram).sum() - ref["gram_abs_sum"]) < 1e-3 * ref["gram_abs_sum"]
    # the same distribution as MXNet's sample: spread and centre
    assert abs(a.std() - ref["std"]) < 0.03 * ref["std"]
    assert abs(a.mean()) < 5 * a.std() / math.sqrt(n) and abs(ref["mean"]) < 5 * ref["std"] / math.sqrt(n)
    # the largest of ~16k draws varies by some 20% from sample to sample; 40% still tells a normal
    # tail (about 4 standard deviations) from a uniform one (1.7)
    assert abs(a.max() - ref["max"]) < 0.4 * abs(ref["max"])


def test_bilinear_matches_mxnet():
    with np.load(GOLDEN / "gluon" / "bilinear.npz") as f:
        expected = f["weight"]
    np.testing.assert_allclose(_fill(mx.init.Bilinear(), expected.shape), expected, rtol=1e-6)


def test_constant_zero_one_lstmbias():
    assert (_fill(mx.init.Zero(), (2, 3)) == 0).all()
    assert (_fill(mx.init.One(), (2, 3)) == 1).all()
    assert (_fill(mx.init.Constant(0.25), (2, 3)) == 0.25).all()
    value = nd.array([[1, 2], [3, 4]])
    assert (_fill(mx.init.Constant(value), (2, 2)) == value.asnumpy()).all()
    bias = _fill(mx.init.LSTMBias(forget_bias=2.0), (8,), "lstm_i2h_weight")
    assert bias.tolist() == [0, 0, 2, 2, 0, 0, 0, 0]


def test_name_suffix_dispatch_like_mxnet():
    init = mx.init.Uniform(0.5)
    assert (_fill(init, (3,), "fc_bias") == 0).all()
    assert (_fill(init, (3,), "bn_gamma") == 1).all()
    assert (_fill(init, (3,), "bn_beta") == 0).all()
    assert (_fill(init, (3,), "q_min") == 0).all()
    assert (_fill(init, (3,), "q_max") == 1).all()
    assert np.abs(_fill(init, (50,), "fc_weight")).max() > 0
    with pytest.raises(ValueError, match="Unknown initialization pattern for bn_running_mean"):
        _fill(init, (3,), "bn_running_mean")


def test_variable_init_attribute_overrides_name():
    arr = nd.zeros((2, 2))
    mx.init.Uniform()(mx.init.InitDesc("fc_bias", {"__init__": mx.init.One().dumps()}), arr)
    assert (arr.asnumpy() == 1).all()
    desc = mx.init.InitDesc("bn_moving_var", {"__init__": "ones"})
    mx.init.Xavier()(desc, arr)
    assert (arr.asnumpy() == 1).all() and isinstance(desc.global_init, mx.init.Xavier)


def test_legacy_string_names():
    arr = nd.ones((2,))
    with pytest.warns(DeprecationWarning):
        mx.init.Uniform()("bn_moving_mean", arr)
    assert (arr.asnumpy() == 0).all()
    with pytest.warns(DeprecationWarning):
        mx.init.Uniform()("bn_moving_var", arr)
    assert (arr.asnumpy() == 1).all()


def test_xavier_rejects_vectors_and_bad_types():
    with pytest.raises(ValueError, match="cannot be applied to vector v_weight"):
        _fill(mx.init.Xavier(), (3,), "v_weight")
    with pytest.raises(ValueError, match="Incorrect factor type"):
        _fill(mx.init.Xavier(factor_type="mid"), (3, 3))
    with pytest.raises(ValueError, match="Unknown random type"):
        _fill(mx.init.Xavier(rnd_type="cauchy"), (3, 3))


def test_dumps_create_register_alias():
    assert mx.init.Xavier(factor_type="in", magnitude=2.34).dumps() == \
        '["xavier", {"rnd_type": "uniform", "factor_type": "in", "magnitude": 2.34}]'
    assert mx.init.MSRAPrelu().dumps() == '["msraprelu", {"factor_type": "avg", "slope": 0.25}]'
    assert isinstance(mx.init.create("zeros"), mx.init.Zero)
    assert isinstance(mx.init.create("ones"), mx.init.One)
    assert mx.init.create('["normal", {"sigma": 0.5}]').sigma == 0.5
    same = mx.init.Normal()
    assert mx.init.create(same) is same
    assert mx.initializer is mx.init

    @mx.init.register
    @mx.init.alias("myinit")
    class CustomInit(mx.init.Initializer):
        def _init_weight(self, _, arr):
            arr[:] = 0.1

    assert isinstance(mx.init.create("custominit"), CustomInit)
    assert (_fill(mx.init.create("myinit"), (2,)) == np.float32(0.1)).all()
    with pytest.raises(ValueError, match="nosuchinit is not registered"):
        mx.init.create("nosuchinit")


def test_mixed_and_load():
    mixed = mx.init.Mixed(["bias", ".*"], [mx.init.Zero(), mx.init.One()])
    arr = nd.ones((2,))
    mixed(mx.init.InitDesc("bias"), arr)
    assert (arr.asnumpy() == 0).all()
    mixed(mx.init.InitDesc("fc_weight"), arr)
    assert (arr.asnumpy() == 1).all()
    with pytest.raises(ValueError, match="did not match any pattern"):
        mx.init.Mixed(["bias"], [mx.init.Zero()])("fc_weight", arr)
    load = mx.init.Load({"arg:fc_weight": nd.array([3.0, 4.0])}, default_init=mx.init.Zero())
    load("fc_weight", arr)
    assert arr.asnumpy().tolist() == [3.0, 4.0]
    load(mx.init.InitDesc("other_weight"), arr)
    assert arr.asnumpy().tolist() == [0.0, 0.0]
    with pytest.raises(AssertionError, match="Shape mismatch, target"):
        load("fc_weight", nd.zeros((3,)))


def test_seeded_initialization_is_reproducible():
    mx.random.seed(3)
    first = _fill(mx.init.Xavier(), (4, 5))
    mx.random.seed(3)
    assert (_fill(mx.init.Xavier(), (4, 5)) == first).all()
