"""mx.nd.random / mx.random: shapes, dtypes, ranges, distributions, seeding, errors."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, nd
from mxtorch.base import MXNetError
from mxtorch.ops import get_op

N = 20000  # draws for the moment checks: a few milliseconds, tolerances of several sigma


def test_default_draws_one_float32_sample_on_current_context():
    x = nd.random.uniform()
    assert x.shape == (1,) and x.dtype == np.float32 and x.context == mx.cpu()
    assert nd.random.normal().shape == (1,)
    assert nd.random.randint(0, 5).dtype == np.int32


@pytest.mark.parametrize("fn, args, low, high", [
    (nd.random.uniform, (2, 4), 2, 4),
    (nd.random.randint, (-3, 3), -3, 2),
    (nd.random.poisson, (3,), 0, np.inf),
    (nd.random.exponential, (2,), 0, np.inf),
    (nd.random.gamma, (2, 1.5), 0, np.inf),
    (nd.random.negative_binomial, (3, 0.4), 0, np.inf),
    (nd.random.generalized_negative_binomial, (2, 0.5), 0, np.inf),
])
def test_samples_lie_in_the_support(fn, args, low, high):
    x = fn(*args, shape=(50, 4)).asnumpy()
    assert x.shape == (50, 4)
    assert x.min() >= low and x.max() <= high


@pytest.mark.parametrize("fn, args, mean, std", [
    (nd.random.uniform, (2, 4), 3.0, 2 / np.sqrt(12)),
    (nd.random.normal, (5, 2), 5.0, 2.0),
    (nd.random.poisson, (3,), 3.0, np.sqrt(3)),
    (nd.random.exponential, (2,), 2.0, 2.0),  # scale 2
    (nd.random.gamma, (2, 1.5), 3.0, np.sqrt(2) * 1.5),
    (nd.random.negative_binomial, (3, 0.4), 4.5, np.sqrt(3 * 0.6) / 0.4),
    (nd.random.generalized_negative_binomial, (2, 0.5), 2.0, np.sqrt(2 + 0.5 * 4)),
])
def test_moments_match_the_distribution(fn, args, mean, std):
    x = fn(*args, shape=(N,), dtype="float64").asnumpy()
    assert abs(x.mean() - mean) < 5 * std / np.sqrt(N)
    assert abs(x.std() - std) < 0.05 * std


def test_randint_covers_its_half_open_interval():
    x = nd.random.randint(-2, 3, shape=(2000,), dtype="int64").asnumpy()
    assert x.dtype == np.int64
    assert set(np.unique(x)) == {-2, -1, 0, 1, 2}


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", np.float64])
def test_dtype(dtype):
    assert nd.random.uniform(shape=(3,), dtype=dtype).dtype == np.dtype(dtype)
    assert nd.random.normal(shape=(3,), dtype=dtype).dtype == np.dtype(dtype)


def test_randn_takes_the_shape_positionally():
    x = nd.random.randn(2, 3, loc=10, scale=0.1)
    assert x.shape == (2, 3)
    assert np.all(np.abs(x.asnumpy() - 10) < 1)


def test_array_parameters_draw_per_element():
    low, high = nd.array([0, 10]), nd.array([1, 11])
    x = nd.random.uniform(low, high, shape=(3, 5)).asnumpy()
    assert x.shape == (2, 3, 5)
    assert x[0].min() >= 0 and x[0].max() < 1 and x[1].min() >= 10 and x[1].max() < 11
    assert nd.random.uniform(low, high).shape == (2,)
    y = nd.random.normal(nd.array([0, 100]), nd.array([1, 1]), shape=1000).asnumpy()
    assert abs(y[0].mean()) < 0.2 and abs(y[1].mean() - 100) < 0.2
    # MXNet's _sample_* operators default to float32 whatever the parameters' dtype
    z = nd.random.normal(nd.array([0, 1], dtype="float64"), nd.array([1, 1], dtype="float64"))
    assert z.dtype == np.float32
    lam = nd.random.poisson(nd.array([1, 50]), shape=400).asnumpy()
    assert abs(lam[1].mean() - 50) < 2
    scale = nd.random.exponential(nd.array([1, 10]), shape=2000).asnumpy()
    assert abs(scale[1].mean() - 10) < 1


def test_parameters_must_all_be_arrays_or_all_numbers():
    with pytest.raises(ValueError, match="same type"):
        nd.random.uniform(nd.array([0]), 1)
    with pytest.raises(ValueError, match="same type"):
        nd.random.normal(0, nd.array([1]))


def test_out_gives_shape_and_dtype():
    out = nd.zeros((2, 3), dtype="float64")
    res = nd.random.uniform(5, 6, out=out)
    assert res is out
    assert out.dtype == np.float64
    assert np.all((out.asnumpy() >= 5) & (out.asnumpy() < 6))


def test_like_samplers_take_shape_dtype_and_context_from_data():
    data = nd.zeros((4, 2), dtype="float64")
    x = nd.random.uniform_like(data, low=3, high=4)
    assert x.shape == (4, 2) and x.dtype == np.float64
    assert np.all((x.asnumpy() >= 3) & (x.asnumpy() < 4))
    assert nd.random.normal_like(data).shape == (4, 2)
    assert nd.random.exponential_like(data, lam=2).asnumpy().min() >= 0


def test_shuffle_permutes_rows_and_leaves_input_alone():
    data = nd.array(np.arange(20).reshape(10, 2))
    before = data.asnumpy().copy()
    out = nd.random.shuffle(data).asnumpy()
    np.testing.assert_array_equal(data.asnumpy(), before)
    assert sorted(map(tuple, out)) == sorted(map(tuple, before))
    assert np.all(out[:, 1] == out[:, 0] + 1)  # rows keep their contents
    assert nd.shuffle(nd.array([1, 2, 3], dtype="int32")).dtype == np.int32


def test_multinomial_shapes_dtypes_and_log_likelihood():
    probs = nd.array([[0, 0.5, 0.5], [1, 0, 0]])
    x = nd.random.multinomial(probs)
    assert x.shape == (2,) and x.dtype == np.int32
    assert x.asnumpy()[1] == 0 and x.asnumpy()[0] in (1, 2)
    assert nd.random.multinomial(probs, shape=(2, 3)).shape == (2, 2, 3)
    assert nd.random.multinomial(nd.array([0.2, 0.8])).shape == (1,)
    assert nd.random.multinomial(nd.array([0.2, 0.8]), dtype="float32").dtype == np.float32
    sample, logp = nd.random.multinomial(nd.array([0.2, 0.8]), shape=5, get_prob=True)
    expected = np.log(np.array([0.2, 0.8], dtype=np.float32)[sample.asnumpy()])
    np.testing.assert_allclose(logp.asnumpy(), expected, rtol=1e-6)


def test_multinomial_log_likelihood_gradient_reaches_the_probabilities():
    probs = nd.array([0.25, 0.75])
    probs.attach_grad()
    with autograd.record():
        sample, logp = nd.random.multinomial(probs, shape=6, get_prob=True)
    logp.backward()
    counts = np.bincount(sample.asnumpy(), minlength=2)
    np.testing.assert_allclose(probs.grad.asnumpy(), counts / np.array([0.25, 0.75]), rtol=1e-6)


def test_seed_makes_sampling_reproducible():
    mx.random.seed(1)
    a = [nd.random.uniform(shape=(3,)).asnumpy(), nd.random.normal(shape=(2,)).asnumpy(),
         nd.random.randint(0, 100, shape=(4,)).asnumpy(), nd.random.shuffle(nd.arange(8)).asnumpy()]
    mx.random.seed(1)
    b = [nd.random.uniform(shape=(3,)).asnumpy(), nd.random.normal(shape=(2,)).asnumpy(),
         nd.random.randint(0, 100, shape=(4,)).asnumpy(), nd.random.shuffle(nd.arange(8)).asnumpy()]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    mx.random.seed(2)
    assert not np.array_equal(nd.random.uniform(shape=(3,)).asnumpy(), a[0])


def test_seed_of_one_context():
    mx.random.seed(7, ctx=mx.cpu())
    a = nd.random.uniform(shape=(3,)).asnumpy()
    mx.random.seed(7, ctx=mx.cpu(0))
    np.testing.assert_array_equal(nd.random.uniform(shape=(3,)).asnumpy(), a)


def test_seed_must_be_an_int():
    with pytest.raises(ValueError, match="seed_state must be int"):
        mx.random.seed(1.5)


def test_shape_inference_draws_nothing():
    mx.random.seed(3)
    expected = nd.random.uniform(shape=(4,)).asnumpy()
    mx.random.seed(3)
    _, outs = get_op("_random_uniform").infer_shape(
        get_op("_random_uniform").parse_attrs({"shape": (2, 5)}), [])
    assert outs == [(2, 5)]
    np.testing.assert_array_equal(nd.random.uniform(shape=(4,)).asnumpy(), expected)


def test_mx_random_reexports_the_samplers():
    for name in ("uniform", "normal", "randn", "randint", "poisson", "exponential", "gamma",
                 "multinomial", "shuffle", "negative_binomial", "generalized_negative_binomial"):
        assert getattr(mx.random, name) is getattr(nd.random, name)


def test_operator_aliases_exist_in_nd():
    assert nd.uniform(shape=(2,)).shape == (2,)
    assert nd.random_normal(shape=(2,)).shape == (2,)
    assert nd.sample_uniform(nd.array([0, 1]), nd.array([1, 2]), shape=(3,)).shape == (2, 3)
    assert nd._random_randint(low=0, high=3, shape=(2,)).dtype == np.int32


@pytest.mark.parametrize("call, message", [
    (lambda: nd.random.uniform(5, 1), "low must be less or equal to high"),
    (lambda: nd.random.normal(0, -1), "scale"),
    (lambda: nd.random.randint(5, 5), "greater than low"),
    (lambda: nd.random.exponential(-1.0), "rate"),
    (lambda: nd.random.uniform(shape=2, dtype="int32"), "dtype 'int32' is not supported"),
    (lambda: nd._random_uniform(), "shape is required"),
    (lambda: nd.random.uniform(ctx="tpu(0)"), "context"),
])
def test_bad_arguments_raise_mxnet_error(call, message):
    with pytest.raises(MXNetError, match=message):
        call()
