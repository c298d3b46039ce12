"""Deferred initialization against MXNet 1.9.1, eagerly and hybridized: the order parameters are
initialized in, the shapes they get, their values, the output, and the errors when it cannot finish;
SymbolBlock.cast giving each parameter the type the graph's type inference gives it."""
import json
import re
import warnings

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import gluon, nd
from mxtorch.gluon import nn
from tests.conformance.conftest import GOLDEN
from tests.conformance.gen_deferred import (CASES, ERRORS, MODES, build_cast_block, run_case,
                                            run_error)

REGENERATE = "re-run .ref/bin/python tests/conformance/gen_deferred.py"


@pytest.fixture(scope="module")
def golden():
    return json.loads((GOLDEN / "deferred" / "deferred.json").read_text())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES)
def test_initialization_order_shapes_values_and_output(golden, case, mode):
    want = golden["cases"][case][mode]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = run_case(mx, case, mode)
    assert got["order"] == want["order"], REGENERATE
    assert got["shapes"] == want["shapes"]
    for name, values in want["values"].items():
        np.testing.assert_allclose(got["values"][name], values, rtol=0, atol=1e-6, err_msg=name)
    np.testing.assert_allclose(got["output"], want["output"], rtol=1e-5, atol=1e-5)


def test_eager_and_hybridized_orders_differ_where_mxnet_s_do():
    """The golden itself: a block's own parameter comes first eagerly, in graph order hybridized
    (so a seeded random initializer draws different values in the two modes, as in MXNet)."""
    cases = json.loads((GOLDEN / "deferred" / "deferred.json").read_text())["cases"]
    eager, hybrid = cases["nested"]["eager"]["order"], cases["nested"]["hybrid"]["order"]
    assert eager.index("nested0_proj") < eager.index("nested0_dense0_weight")
    assert hybrid.index("nested0_proj") > hybrid.index("nested0_dense0_weight")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", ERRORS)
def test_errors_when_deferred_initialization_cannot_finish(golden, case, mode):
    want = golden["errors"][case][mode]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = run_error(mx, case, mode)
    assert got is not None and got["type"] == want["type"], got
    message = want["message"]
    if "MXNetError:" in message:  # MXNet's C++ check text: the sentence before it must agree
        head = message[:message.index("MXNetError:")]
        assert got["message"].startswith(head), got["message"]
        assert re.search(r"fed0_dense0|FullyConnected", got["message"]), got["message"]
    else:
        assert got["message"] == message


@pytest.mark.parametrize("hybrid", [False, True])
def test_seeded_uniform_reproducible_and_parameters_leave_deferred_state(hybrid):
    values = []
    for _ in range(2):
        mx.random.seed(11)
        with mx.name.NameManager():
            net = CASES["layers"][0](mx)
        net.initialize(mx.init.Uniform())
        net.hybridize(hybrid)
        net(nd.ones((1, 3, 6, 6)))
        values.append({k: p.data().asnumpy() for k, p in net.collect_params().items()})
        assert not any(p._deferred_init for p in net.collect_params().values())
    for name, value in values[0].items():
        np.testing.assert_array_equal(value, values[1][name])


def test_eager_steady_state_reads_parameters_without_tracing():
    """The graph is traced once, for the first call's shape inference, not on later calls."""
    net = nn.Dense(3)
    net.initialize()
    net(nd.ones((2, 4)))
    graph = net._cached_graph
    assert graph and net._cached_op is None  # traced for inference, never lowered
    net(nd.ones((2, 4)))
    assert net._cached_graph is graph


def test_parameter_is_never_handed_to_an_operator():
    """An operator given a Parameter (not its data) refuses it: only arrays reach operators."""
    w = gluon.Parameter("w", shape=(4, 0), allow_deferred_init=True)
    w.initialize()
    with pytest.raises(Exception, match="NDArray|Parameter"):
        nd.FullyConnected(nd.ones((2, 3)), w, no_bias=True, num_hidden=4)
    assert w._deferred_init and w.shape == (4, 0)


# -- SymbolBlock.cast ------------------------------------------------------------------------------
def test_symbolblock_cast_follows_type_inference(golden):
    want = golden["cast"]
    block = build_cast_block(mx)
    x = nd.array(np.random.RandomState(7).uniform(-1, 1, size=(1, 2, 5, 5)).astype(np.float32))
    np.testing.assert_allclose(block(x).asnumpy().ravel(), want["float32"]["output"], rtol=1e-5,
                               atol=1e-5)
    for dtype in ("float64", "float16"):
        block.cast(dtype)
        got = {k: np.dtype(p.dtype).name for k, p in block.collect_params().items()}
        assert got == want[dtype]["dtypes"], dtype
        out = block(x.astype(dtype))
        assert out.dtype == np.dtype(dtype).type
        if dtype == "float64":
            np.testing.assert_allclose(out.asnumpy().ravel(), want[dtype]["output"], rtol=1e-5,
                                       atol=1e-5)
        else:
            np.testing.assert_allclose(out.asnumpy().ravel(), want["float32"]["output"], rtol=1e-2)


def test_symbolblock_cast_keeps_float32_for_batchnorm_by_its_type_rule_not_its_names():
    """Parameter names that follow neither of MXNet's BatchNorm conventions: the operator's type
    rule still keeps them in float32 (and the block runs in float16)."""
    data = mx.sym.var("data")
    out = mx.sym.BatchNorm(data, gamma=mx.sym.var("scale"), beta=mx.sym.var("shift"),
                           moving_mean=mx.sym.var("centre"), moving_var=mx.sym.var("spread"),
                           name="norm")
    block = gluon.SymbolBlock(mx.sym.relu(out), data)
    block.initialize()
    block(nd.ones((2, 3)))
    block.cast("float16")
    assert {k: np.dtype(p.dtype).name for k, p in block.collect_params().items()} == {
        "scale": "float32", "shift": "float32", "centre": "float32", "spread": "float32"}
    assert block(nd.ones((2, 3), dtype="float16")).dtype == np.float16
