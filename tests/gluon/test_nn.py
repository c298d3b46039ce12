"""gluon.nn layers against MXNet 1.9.1 goldens (tests/conformance/gen_gluon.py), plus layer behaviour."""
import json

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.gluon import nn
from tests.conformance.conftest import GOLDEN
from tests.conformance.gen_gluon import LAYER_CASES, NAME_CASES

GLUON = GOLDEN / "gluon"


def _load(path):
    with np.load(path) as f:
        return dict(f)


@pytest.mark.parametrize("key,build,shape,kind,mode", LAYER_CASES, ids=[c[0] for c in LAYER_CASES])
def test_layer_matches_mxnet(key, build, shape, kind, mode):
    g = _load(GLUON / "layers" / f"{key}.npz")
    with mx.name.NameManager():
        net = build(mx)
    net.initialize(mx.init.Xavier())
    net(nd.array(g["x"]))  # completes deferred initialization
    params = net._collect_params_with_prefix()
    assert sorted(params) == sorted(k[6:] for k in g if k.startswith("param:"))
    for k, p in params.items():
        assert p.shape == g[f"param:{k}"].shape, k
        p.set_data(nd.array(g[f"param:{k}"]))
    x = nd.array(g["x"])
    if mode == "predict":
        out = net(x)
    else:
        if "grad_x" in g:
            x.attach_grad()
        with autograd.record():
            out = net(x)
        out.backward(nd.array(g["head"]))
        if "grad_x" in g:
            np.testing.assert_allclose(x.grad.asnumpy(), g["grad_x"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out.asnumpy(), g["out"], rtol=1e-5, atol=1e-5)
    for k, p in params.items():
        np.testing.assert_allclose(p.data().asnumpy(), g[f"after:{k}"], rtol=1e-5, atol=1e-6,
                                   err_msg=f"{k} after forward")
        if f"grad:{k}" in g:
            np.testing.assert_allclose(p.grad().asnumpy(), g[f"grad:{k}"], rtol=1e-4, atol=1e-5,
                                       err_msg=f"gradient of {k}")
        elif mode == "train":
            assert p.grad_req == "null", k


@pytest.mark.parametrize("key", sorted(NAME_CASES))
def test_names_prefixes_shapes_and_repr_match_mxnet(key):
    expected = json.loads((GLUON / "names.json").read_text())[key]
    build, shape = NAME_CASES[key]
    with mx.name.NameManager():
        net = build(mx)
        net2 = build(mx)
    assert (net.prefix, net.name, net2.prefix) == (expected["prefix"], expected["name"],
                                                   expected["prefix2"])
    net.initialize(mx.init.Xavier())
    net(nd.ones(shape))
    params = net.collect_params()
    assert {k: list(v.shape) for k, v in params.items()} == expected["params"]
    assert list(params.keys()) == sorted(expected["params"], key=list(params.keys()).index)
    assert sorted(net._collect_params_with_prefix()) == expected["structural"]
    assert list(net.collect_params(".*weight").keys()) == expected["weights_only"]
    assert repr(net) == expected["repr"]


def test_lenet_parameter_order_is_creation_order():
    with mx.name.NameManager():
        net = NAME_CASES["lenet"][0](mx)
    assert list(net.collect_params().keys()) == [
        "sequential0_conv0_weight", "sequential0_conv0_bias", "sequential0_conv1_weight",
        "sequential0_conv1_bias", "sequential0_dense0_weight", "sequential0_dense0_bias",
        "sequential0_dense1_weight", "sequential0_dense1_bias"]


def test_dense_shapes_known_upfront_and_deferred():
    d = nn.Dense(7, in_units=3)
    assert d.weight.shape == (7, 3) and d.bias.shape == (7,)
    d2 = nn.Dense(7)
    assert d2.weight.shape == (7, 0)
    d2.initialize()
    with pytest.raises(gluon.DeferredInitializationError, match=d2.weight.name):
        d2.weight.data()
    d2(nd.ones((2, 3, 2)))
    assert d2.weight.shape == (7, 6)


def test_dense_wrong_input_names_layer_and_shapes():
    with mx.name.NameManager():
        d = nn.Dense(10, in_units=20)
    d.initialize()
    with pytest.raises(Exception) as info:
        d(nd.ones((4, 30)))
    message = str(info.value)
    assert "dense0" in message and "(4, 30)" in message and "(10, 20)" in message


def test_conv_wrong_rank_names_layer():
    with mx.name.NameManager():
        c = nn.Conv2D(4, 3, in_channels=2)
    c.initialize()
    with pytest.raises(Exception) as info:
        c(nd.ones((2, 5, 5)))
    assert "conv0" in str(info.value) and "(2, 5, 5)" in str(info.value)


def test_conv_transpose_weight_shape_and_repr():
    c = nn.Conv2DTranspose(8, 3, strides=2, output_padding=1, in_channels=4, groups=2)
    assert c.weight.shape == (4, 4, 3, 3) and c.bias.shape == (8,)
    assert c.outpad == (1, 1)


def test_layer_argument_checks():
    with pytest.raises(ValueError, match="layout"):
        nn.Conv1D(2, 3, layout="NWC")
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match="LeakyReLU"):
        nn.LeakyReLU(-0.1)


def test_pooling_defaults_follow_mxnet():
    p = nn.MaxPool2D()
    assert p._kwargs == {"kernel": (2, 2), "stride": (2, 2), "pad": (0, 0), "global_pool": False,
                         "pool_type": "max", "layout": "NCHW", "pooling_convention": "valid"}
    a = nn.AvgPool1D(3, ceil_mode=True)
    assert a._kwargs["count_include_pad"] is True and a._kwargs["pooling_convention"] == "full"
    g = nn.GlobalAvgPool2D()
    assert g._kwargs["global_pool"] and g._kwargs["pooling_convention"] == "full"


def test_dropout_trains_and_predicts():
    x = nd.ones((200, 50))
    drop = nn.Dropout(0.4)
    assert (drop(x).asnumpy() == 1).all()  # prediction: identity
    with autograd.record():
        y = drop(x).asnumpy()
    kept = y != 0
    assert abs(kept.mean() - 0.6) < 0.03
    np.testing.assert_allclose(y[kept], 1 / 0.6, rtol=1e-6)
    assert (nn.Dropout(0)(x).asnumpy() == 1).all()


def test_batchnorm_float16_cast_keeps_float32():
    bn = nn.BatchNorm(in_channels=3)
    bn.initialize()
    bn.cast("float16")
    assert all(p.data().dtype == np.float32 for p in bn.collect_params().values())


def test_lambda_blocks():
    x = nd.array([[-1.0, 2.0]])
    assert nn.Lambda("tanh")(x).asnumpy().tolist() == np.tanh([[-1.0, 2.0]]).astype(np.float32).tolist()
    assert (nn.Lambda(lambda a: a * 2)(x).asnumpy() == [[-2, 4]]).all()
    assert (nn.HybridLambda(lambda F, a: F.relu(a))(x).asnumpy() == [[0, 2]]).all()
    with pytest.raises(AssertionError, match="not found"):
        nn.Lambda("no_such_operator")
    assert repr(nn.Lambda("tanh")) == "Lambda(tanh)"


def test_identity_passes_input_through():
    x = nd.ones((2, 3))
    assert nn.Identity()(x) is x


def test_embedding_deferred_free_and_sparse_grad_dense():
    emb = nn.Embedding(10, 4, sparse_grad=True)
    emb.initialize()
    idx = nd.array([1, 3, 3])
    with autograd.record():
        out = emb(idx)
    out.backward()
    grad = emb.weight.grad().asnumpy()
    assert grad.shape == (10, 4) and grad[3].tolist() == [2.0] * 4 and grad[0].sum() == 0
    assert repr(emb) == "Embedding(10 -> 4, float32)"
