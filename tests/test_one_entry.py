"""A new operator is one entry: declared here, at run time, under a test-only name, it reaches
``nd``, ``sym``, ``F`` in a HybridBlock (plain and hybridized), symbol JSON (its hidden output
counted in ``node_row_ptr``), shape and type inference, ``plot_network`` and ``print_summary``
without a line anywhere else. The fixture takes it back out of the table afterwards."""
import json

import numpy as np
import pytest
import torch

import mxtorch as mx
from mxtorch import gluon, nd
from mxtorch.ops import get_op
from mxtorch.ops.registry import PLOT_COLORS, Float, op, remove, tied_types

NAME = "OneEntryTestSwish"
GRAD_NOTE = "beta's gradient is summed over every axis but the channel axis."


def _swish_numpy(x: np.ndarray, beta: np.ndarray, scale: float) -> np.ndarray:
    b = beta.reshape(1, -1, *[1] * (x.ndim - 2))
    return scale * x / (1 + np.exp(-b * x))


@pytest.fixture(scope="module")
def entry():
    # -- the whole declaration of the new operator ----------------------------------------------
    @op(NAME, inputs=("data", "beta"), attrs={"scale": Float(1.0)}, learnable=("beta",),
        hidden_outputs=1,  # as if MXNet kept sigmoid(beta * x) for its backward
        plot_label=lambda name, attrs, given: f"Swish\n{attrs['scale']}", plot_color="activation",
        summary_params=lambda attrs, in_channels, out: in_channels, grad_note=GRAD_NOTE)
    def swish(data, beta, *, scale):
        """Swish with a learned per-channel slope: ``scale * x * sigmoid(beta * x)``."""
        b = beta.to(data.dtype).reshape(1, -1, *[1] * (data.dim() - 2))
        return scale * data * torch.sigmoid(b * data)

    @swish.shape
    def _(attrs, data, beta=None):
        if data is None:
            return [data, beta], [None]
        return [data, (data[1],)], [data]

    @swish.types
    def _(attrs, names, in_types, out_types):
        # beta stays float32 for float16 data, as BatchNorm's parameters do
        def expected(name, shared):
            return np.float32 if name == "beta" and shared == np.float16 else shared
        return tied_types(names, in_types, out_types, expected=expected)
    # --------------------------------------------------------------------------------------------

    yield swish
    remove(swish)
    assert not hasattr(mx.nd, NAME) and not hasattr(mx.sym, NAME)
    with pytest.raises(mx.base.MXNetError, match="unknown operator"):
        get_op(NAME)


X = np.random.RandomState(0).uniform(-2, 2, (2, 3, 4)).astype(np.float32)
BETA = np.array([0.5, 1.0, 2.0], dtype=np.float32)


def test_nd(entry):
    out = getattr(nd, NAME)(nd.array(X), nd.array(BETA), scale=2.0)
    np.testing.assert_allclose(out.asnumpy(), _swish_numpy(X, BETA, 2.0), rtol=1e-6)
    assert GRAD_NOTE in getattr(nd, NAME).__doc__


def _symbol():
    return getattr(mx.sym, NAME)(mx.sym.var("data"), scale=2.0, name="act")


def test_sym_shapes_and_types(entry):
    s = _symbol()
    assert s.list_arguments() == ["data", "act_beta"]  # the learnable input's implicit variable
    assert s.infer_shape(data=(2, 3, 4)) == ([(2, 3, 4), (3,)], [(2, 3, 4)], [])
    assert s.infer_type(data="float16") == ([np.float16, np.float32], [np.float16], [])
    with pytest.raises(mx.base.MXNetError, match="Incompatible attr in node act at 1-th input: "
                                                 "expected float32, got float64"):
        s.infer_type(data="float16", act_beta="float64")


def test_sym_eval_and_json_round_trip(entry):
    s = _symbol()
    graph = json.loads(s.tojson())
    assert [n["op"] for n in graph["nodes"]] == ["null", "null", NAME]
    assert graph["node_row_ptr"] == [0, 1, 2, 4]  # the hidden output takes a row
    loaded = mx.sym.load_json(s.tojson())
    assert loaded.tojson() == s.tojson()
    out = loaded.eval(data=nd.array(X), act_beta=nd.array(BETA))[0]
    np.testing.assert_allclose(out.asnumpy(), _swish_numpy(X, BETA, 2.0), rtol=1e-6)


class _SwishBlock(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.beta = self.params.get("beta", shape=(3,), init=mx.init.Constant(0.5))

    def hybrid_forward(self, F, x, beta):
        return getattr(F, NAME)(x, beta, scale=2.0)


@pytest.mark.parametrize("hybridize", [False, True])
def test_hybrid_block(entry, hybridize):
    block = _SwishBlock()
    block.initialize()
    if hybridize:
        block.hybridize()
    x = nd.array(X)
    x.attach_grad()
    with mx.autograd.record():
        out = block(x)
    out.backward()
    expected = _swish_numpy(X, np.full(3, 0.5, np.float32), 2.0)
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-6)
    assert block.beta.grad().shape == (3,)


def test_viz(entry, capsys):
    s = _symbol()
    dot = mx.viz.plot_network(s, shape={"data": (2, 3, 4)})
    assert "Swish\n2.0" in dot.source
    assert PLOT_COLORS["activation"] in dot.source
    relu = mx.sym.Activation(mx.sym.var("data"), act_type="relu", name="relu")
    mx.viz.print_summary(getattr(mx.sym, NAME)(relu, name="act"), shape={"data": (2, 3, 4)})
    printed = capsys.readouterr().out
    assert f"act({NAME})" in printed
    assert "Total params: 3" in printed  # summary_params: one beta per channel of its input
