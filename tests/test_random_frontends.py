"""``nd.random`` and ``sym.random``: one set of samplers for both front ends, so ``F.random``
works in a hybridized block; the graphs they build match MXNet 1.9.1's."""
import json

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import gluon, nd


def _nodes(symbol):
    graph = json.loads(symbol.tojson())
    return [(n["op"], n["name"], n.get("attrs")) for n in graph["nodes"] if n["op"] != "null"]


a, b = mx.sym.var("a"), mx.sym.var("b")
# (call, the operator nodes MXNet 1.9.1 writes for it); printed by the reference venv
MXNET_GRAPHS = [
    (lambda: mx.sym.random.uniform(0, 1, shape=(2,)),
     [("_random_uniform", "_random_uniform0", {"high": "1", "low": "0", "shape": "(2,)"})]),
    (lambda: mx.sym.random.normal(a, b, shape=(3,)),
     [("_sample_normal", "_sample_normal0", {"shape": "(3,)"})]),
    (lambda: mx.sym.random.multinomial(a),
     [("_sample_multinomial", "_sample_multinomial0", {"dtype": "int32", "get_prob": "True"})]),
    (lambda: mx.sym.random.uniform_like(a, low=2),
     [("_random_uniform_like", "uniform_like0", {"low": "2"})]),
    (lambda: mx.sym.random.randn(2, 3, loc=1),
     [("_random_normal", "_random_normal0", {"loc": "1", "scale": "1", "shape": "(2, 3)"})]),
    (lambda: mx.sym.random.exponential(2, shape=(2,)),
     [("_random_exponential", "_random_exponential0", {"lam": "0.5", "shape": "(2,)"})]),
    (lambda: mx.sym.random.shuffle(a), [("_shuffle", "_shuffle0", None)]),
    (lambda: mx.sym.random.randint(0, 5, shape=(2,)),
     [("_random_randint", "_random_randint0", {"high": "5", "low": "0", "shape": "(2,)"})]),
]


@pytest.mark.parametrize("index", range(len(MXNET_GRAPHS)))
def test_symbolic_samplers_build_mxnets_graph(index):
    make, expected = MXNET_GRAPHS[index]
    with mx.name.NameManager():
        assert _nodes(make()) == expected


def test_both_namespaces_offer_the_same_samplers():
    assert mx.nd.random.__all__ == mx.sym.random.__all__
    for name in mx.nd.random.__all__:
        assert callable(getattr(mx.sym.random, name))


def test_symbolic_multinomial_returns_the_log_likelihood_by_default_as_mxnet():
    assert len(mx.sym.random.multinomial(a).list_outputs()) == 2
    assert isinstance(nd.random.multinomial(nd.array([[0.5, 0.5]])), nd.NDArray)


class Noisy(gluon.HybridBlock):
    def hybrid_forward(self, F, x):
        return F.random.uniform(x, x + 0.5) + F.random.normal_like(x, scale=1e-9)


@pytest.mark.parametrize("hybridize", [False, True])
def test_a_block_that_samples_runs_eagerly_and_hybridized(hybridize):
    net = Noisy()
    if hybridize:
        net.hybridize()
    x = nd.ones((3,))
    out = net(x).asnumpy()
    assert out.shape == (3,)
    assert np.all(out >= 1 - 1e-6) and np.all(out < 1.5 + 1e-6) and len(set(out.tolist())) == 3


def test_a_symbolic_draw_runs_through_the_executor():
    mx.random.seed(3)
    first = mx.sym.random.uniform(0, 1, shape=(4,)).eval(ctx=mx.cpu())[0].asnumpy()
    assert first.shape == (4,) and np.all((first >= 0) & (first < 1))
    mx.random.seed(3)
    again = mx.sym.random.uniform(0, 1, shape=(4,)).eval(ctx=mx.cpu())[0].asnumpy()
    np.testing.assert_array_equal(first, again)
