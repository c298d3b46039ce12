"""gluon.SymbolBlock: files exported by MXNet 1.9.1 loaded with SymbolBlock.imports, run through the
executor and trained; SymbolBlocks built from symbols, sharing parameters."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.gluon import nn
from tests.conformance.gen_hybridize import CASES, build_case, case_inputs, input_names, run_block
from tests.gluon.test_hybridize import HYBRID, _compare, _golden, _graph

COMMITTED = [case for case, (_, _, committed, _) in CASES.items() if committed]


def _imports(case, **kwargs):
    prefix = HYBRID / f"mx_{case}"
    return gluon.SymbolBlock.imports(str(prefix) + "-symbol.json", input_names(case),
                                     str(prefix) + "-0000.params", **kwargs)


@pytest.mark.parametrize("case", COMMITTED)
def test_imports_mxnet_export_runs_and_trains_as_in_mxnet(case):
    """Outputs, parameter and input gradients, BatchNorm statistics after a training pass."""
    block = _imports(case)
    inputs = [nd.array(x) for x in case_inputs(case)]
    result = run_block(mx, case, block, inputs, record_grads=not CASES[case][3])
    _compare(result, _golden(case), prefix="imported:")


def test_imported_parameters_keep_mxnet_names_and_kinds():
    block = _imports("bn_dropout")
    params = block.collect_params()
    assert list(params.keys()) == [
        "hybridsequential0_conv0_weight", "hybridsequential0_conv0_bias",
        "hybridsequential0_batchnorm0_gamma", "hybridsequential0_batchnorm0_beta",
        "hybridsequential0_dense0_weight", "hybridsequential0_dense0_bias",
        "hybridsequential0_batchnorm0_running_mean", "hybridsequential0_batchnorm0_running_var"]
    assert params["hybridsequential0_batchnorm0_running_var"].grad_req == "null"
    assert params["hybridsequential0_conv0_weight"].grad_req == "write"
    assert sorted(block._reg_params) == sorted(k[len("hybridsequential0_"):] for k in params.keys())
    assert repr(block).startswith("SymbolBlock(\n<Symbol hybridsequential0_dense0_fwd> : 1 -> 1")


def test_trainer_updates_an_imported_block():
    block = _imports("lenet5")
    x = nd.array(case_inputs("lenet5")[0])
    before = block(x).asnumpy()
    trainer = gluon.Trainer(block.collect_params(), "sgd", {"learning_rate": 0.1})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    with autograd.record():
        loss = loss_fn(block(x), nd.array([1, 2]))
    loss.backward()
    trainer.step(2)
    assert not np.allclose(block(x).asnumpy(), before)


@pytest.mark.parametrize("case", COMMITTED)
def test_reexport_of_an_imported_block_writes_the_same_files(case, tmp_path):
    block = _imports(case)
    block(*[nd.array(x) for x in case_inputs(case)])
    block.export(str(tmp_path / "again"))
    assert _graph(tmp_path / "again-symbol.json") == _graph(HYBRID / f"mx_{case}-symbol.json")
    assert (tmp_path / "again-0000.params").read_bytes() == \
        (HYBRID / f"mx_{case}-0000.params").read_bytes()


def test_imports_without_params_then_initialize():
    prefix = str(HYBRID / "mx_bn_dropout")
    block = gluon.SymbolBlock.imports(prefix + "-symbol.json", "data")
    assert all(p.dtype == np.float32 for p in block.collect_params().values())
    block.initialize()
    out = block(nd.ones((2, 1, 6, 6)))
    assert out.shape == (2, 3)
    assert block.collect_params()["hybridsequential0_conv0_weight"].shape == (4, 1, 3, 3)


def test_imports_checks_parameter_names(tmp_path):
    prefix = str(HYBRID / "mx_lenet5")
    with pytest.raises(AssertionError, match="is missing"):
        gluon.SymbolBlock.imports(prefix + "-symbol.json", ["data"],
                                  str(HYBRID / "mx_two_inputs-0000.params"), ignore_extra=True)


# -- SymbolBlocks built from symbols --------------------------------------------------------------
def test_feature_extractor_shares_parameters():
    net, (x,) = build_case(mx, "lenet5")
    internals = net(mx.sym.var("data")).get_internals()
    name = "hybridsequential0_dense0_relu_fwd_output"
    assert name in internals.list_outputs()
    features = gluon.SymbolBlock(internals[name], mx.sym.var("data"), params=net.collect_params())
    expected = x
    for layer in list(net._children.values())[:6]:
        expected = layer(expected)
    np.testing.assert_allclose(features(x).asnumpy(), expected.asnumpy(), rtol=1e-6)
    assert features.collect_params()["hybridsequential0_dense0_weight"] is net[5].weight


def test_several_outputs_and_symbol_inputs():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    block = gluon.SymbolBlock([a + b, a * b], [a, b])
    x, y = nd.array([1.0, 2.0]), nd.array([3.0, 4.0])
    total, product = block(x, y)
    assert total.asnumpy().tolist() == [4.0, 6.0] and product.asnumpy().tolist() == [3.0, 8.0]
    composed = block(mx.sym.var("p"), mx.sym.var("q"))
    assert [s.list_arguments() for s in composed] == [["p", "q"], ["p", "q"]]


def test_symbolblock_inside_a_hybridized_network():
    inner = gluon.SymbolBlock(mx.sym.relu(mx.sym.var("data")), mx.sym.var("data"))
    net = nn.HybridSequential()
    net.add(nn.Dense(3, in_units=2), inner)
    net.initialize(mx.init.One())
    net.hybridize()
    assert net(nd.array([[-1.0, 0.5]])).asnumpy().tolist() == [[0.0, 0.0, 0.0]]
    assert "relu" in [n["op"].lower() for n in _ops_of(net._cached_graph[1])]


def _ops_of(sym):
    import json
    return json.loads(sym.tojson())["nodes"]


def test_inputs_must_be_variables():
    data = mx.sym.var("data")
    with pytest.raises(AssertionError, match="Input symbols must be variable"):
        gluon.SymbolBlock(mx.sym.relu(data), mx.sym.relu(data))


def test_cast_keeps_batchnorm_in_float32():
    block = _imports("bn_dropout")
    block.cast("float16")
    params = block.collect_params()
    assert params["hybridsequential0_conv0_weight"].dtype == "float16"
    for name in ("gamma", "beta", "running_mean", "running_var"):
        assert params[f"hybridsequential0_batchnorm0_{name}"].dtype == "float32"
