"""HybridBlock.hybridize(): the traced Symbol graph run by the executor, against the imperative path
and MXNet 1.9.1; export() writing files MXNet loads and runs with identical outputs."""
import gzip
import hashlib
import json
import warnings

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.gluon import nn
from tests.conformance.conftest import GOLDEN
from tests.conformance.gen_hybridize import (CASES, ZOO, ZOO_FILE, build_case, case_inputs, graph_of,
                                             run_block, zoo_graph)

HYBRID = GOLDEN / "hybridize"
REGENERATE = "re-run .ref/bin/python tests/conformance/gen_hybridize.py"


def _golden(case):
    with np.load(HYBRID / f"{case}.npz") as f:
        return dict(f)


def _close(actual, desired, what, rtol=1e-5):
    """float32 agreement, with an absolute floor at rtol times the array's scale (MXNet's kernels
    and torch's accumulate in different orders)."""
    scale = float(np.abs(desired).max()) if desired.size else 0.0
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=rtol * scale, err_msg=what)


def _compare(result, golden, prefix=""):
    """``result`` (of gen_hybridize.run_block) against the golden's entries under ``prefix``."""
    keys = [k[len(prefix):] for k in golden if k.startswith(prefix)]
    keys = [k for k in keys if k.startswith(("out", "input_grad", "grad:", "after_train:"))]
    assert keys and set(keys) == set(result), (sorted(keys), sorted(result))
    for k in keys:
        _close(result[k], golden[prefix + k], k, rtol=1e-4 if "grad" in k else 1e-5)


def _sha1(path):
    return hashlib.sha1(path.read_bytes()).hexdigest()


def _graph(path):
    return graph_of(path.read_text())


# -- against MXNet ------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", list(CASES))
def test_hybridized_block_matches_mxnet(case):
    """Outputs, gradients (recorded pass through the cached graph) and BatchNorm statistics."""
    net, inputs = build_case(mx, case)
    _compare(run_block(mx, case, net, inputs, record_grads=not CASES[case][3]), _golden(case))


@pytest.mark.parametrize("case", list(CASES))
def test_export_loads_in_mxnet_with_identical_outputs(case, tmp_path):
    golden = _golden(case)
    net, inputs = build_case(mx, case)
    net.export(str(tmp_path / "net"))
    symbol_file, params_file = tmp_path / "net-symbol.json", tmp_path / "net-0000.params"
    # the graph MXNet's own export writes, and its parameter file byte for byte
    assert _graph(symbol_file) == _graph(HYBRID / f"mx_{case}-symbol.json")
    assert _sha1(params_file) == str(golden["mx_params_sha1"])
    # MXNet ran exactly these files (SymbolBlock.imports) and got its own outputs
    assert _sha1(symbol_file) == str(golden["mxtorch_json_sha1"]), f"export changed: {REGENERATE}"
    assert _sha1(params_file) == str(golden["mxtorch_params_sha1"]), f"export changed: {REGENERATE}"
    n_out = len([k for k in golden if k.startswith("out")])
    assert n_out == len([k for k in golden if k.startswith("mxnet_on_mxtorch_export:")])
    for i in range(n_out):
        np.testing.assert_array_equal(golden[f"mxnet_on_mxtorch_export:out{i}"], golden[f"out{i}"])
    outs = net(*inputs)
    outs = outs if isinstance(outs, (list, tuple)) else [outs]
    for i, out in enumerate(outs):
        _close(out.asnumpy(), golden[f"out{i}"], f"out{i}")


@pytest.fixture(scope="module")
def zoo_graphs():
    return json.loads(gzip.decompress((HYBRID / ZOO_FILE).read_bytes()))


@pytest.mark.parametrize("name", list(ZOO))
def test_model_zoo_traces_the_graph_mxnet_exports(name, zoo_graphs):
    """Every node (operator, name, attributes, inputs) of the exported graph is MXNet's."""
    assert graph_of(zoo_graph(mx, name).tojson()) == zoo_graphs[name]


def test_export_names_aux_states_and_epoch(tmp_path):
    net, _ = build_case(mx, "bn_dropout")
    net.export(str(tmp_path / "bn"), epoch=7)
    saved = nd.load(str(tmp_path / "bn-0007.params"))
    stats = {k for k in saved if k.startswith("aux:")}
    assert stats == {"aux:hybridsequential0_batchnorm0_running_mean",
                     "aux:hybridsequential0_batchnorm0_running_var"}
    assert len(saved) == len(net.collect_params())


def test_export_needs_a_traced_graph(tmp_path):
    net = nn.Dense(2, in_units=2)
    net.initialize()
    net(nd.ones((1, 2)))
    with pytest.raises(RuntimeError, match="hybridize"):
        net.export(str(tmp_path / "net"))


def test_block_save_load_keeps_the_traced_graph(tmp_path):
    net, inputs = build_case(mx, "bn_dropout")
    net.save(str(tmp_path / "model"))
    net.export(str(tmp_path / "original"))
    with mx.name.NameManager():
        other = CASES["bn_dropout"][0](mx)
    other.load(str(tmp_path / "model"))
    assert other._active
    other.export(str(tmp_path / "restored"))  # from the restored graph, before any forward pass
    for suffix in ("-symbol.json", "-0000.params"):
        assert (tmp_path / f"restored{suffix}").read_bytes() == \
            (tmp_path / f"original{suffix}").read_bytes()
    np.testing.assert_array_equal(other(*inputs).asnumpy(), net(*inputs).asnumpy())


# -- the same results as the imperative path ----------------------------------------------------------
def _pair(case):
    """The case built twice with the same weights: imperative and hybridized."""
    hybrid, inputs = build_case(mx, case)
    imperative, _ = build_case(mx, case)
    imperative.hybridize(False)
    return imperative, hybrid, inputs


@pytest.mark.parametrize("case", list(CASES))
def test_hybridized_equals_imperative_in_training(case):
    imperative, hybrid, _ = _pair(case)
    results = []
    for net in (imperative, hybrid):
        inputs = [nd.array(a) for a in case_inputs(case)]
        mx.random.seed(3)  # the same Dropout mask: both paths draw through the same operator
        results.append(run_block(mx, case, net, inputs))
    assert set(results[0]) == set(results[1])
    for k, v in results[0].items():
        np.testing.assert_allclose(results[1][k], v, rtol=1e-6, atol=1e-7, err_msg=k)


def test_dropout_follows_train_and_predict_mode():
    net = nn.Dropout(0.5)
    net.hybridize()
    x = nd.ones((50, 40))
    assert (net(x).asnumpy() == 1).all()
    with autograd.record():
        y = net(x).asnumpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    with autograd.train_mode():
        assert (net(x).asnumpy() == 0).any()
    with autograd.record(train_mode=False):
        assert (net(x).asnumpy() == 1).all()


def test_grad_req_add_accumulates_through_the_graph():
    net = nn.Dense(3, in_units=4)
    net.initialize()
    net.hybridize()
    net.collect_params().setattr("grad_req", "add")
    x = nd.array(np.random.RandomState(0).rand(2, 4))
    for _ in range(2):
        with autograd.record():
            y = net(x)
        y.backward()
    np.testing.assert_allclose(net.weight.grad().asnumpy(), 2 * np.tile(x.asnumpy().sum(0), (3, 1)),
                               rtol=1e-6)


# -- the cache ------------------------------------------------------------------------------------------
class _Counting(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.traces = 0
        with self.name_scope():
            self.dense = nn.Dense(3)

    def hybrid_forward(self, F, x):
        self.traces += 1
        return F.relu(self.dense(x))


def test_traced_once_then_run_for_any_batch_size():
    net = _Counting()
    net.initialize()
    net.hybridize()
    for batch in (2, 5, 2):
        assert net(nd.ones((batch, 4))).shape == (batch, 3)
    assert net.traces == 1
    net.hybridize()  # clears the cache: traced again
    net(nd.ones((1, 4)))
    assert net.traces == 2
    net.hybridize(False)
    net(nd.ones((1, 4)))
    net(nd.ones((1, 4)))
    assert net.traces == 4  # back to the imperative path


def test_parameters_are_read_at_each_call():
    net = nn.Dense(2, in_units=2, use_bias=False)
    net.initialize(mx.init.One())
    net.hybridize()
    x = nd.array([[1.0, 2.0]])
    assert net(x).asnumpy().tolist() == [[3.0, 3.0]]
    net.weight.set_data(nd.array([[1.0, 0.0], [0.0, 1.0]]))
    assert net(x).asnumpy().tolist() == [[1.0, 2.0]]
    net.initialize(mx.init.Constant(2.0), force_reinit=True)
    assert net(x).asnumpy().tolist() == [[6.0, 6.0]]


def test_children_hybridize_recursively():
    with mx.name.NameManager():
        outer = nn.Sequential()  # not hybrid itself: its hybrid child runs its own cached graph
        with outer.name_scope():
            inner = nn.HybridSequential()
            inner.add(nn.Dense(4, activation="relu"), nn.Dense(2))
            outer.add(inner)
    outer.initialize()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outer.hybridize()
    assert inner._active and all(c._active for c in inner._children.values())
    outer(nd.ones((3, 5)))
    assert inner._cached_op is not None
    assert inner[0]._cached_op is None  # traced as part of its parent's graph
    assert inner._cached_graph[1].list_arguments() == [
        "data", "sequential0_dense0_weight", "sequential0_dense0_bias", "sequential0_dense1_weight",
        "sequential0_dense1_bias"]


# -- deferred initialization and inference -------------------------------------------------------------
def test_deferred_initialization_through_the_graph():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(3, 3), nn.BatchNorm(), nn.Dense(2))
    net.initialize()
    net.hybridize()
    assert net[0].weight.shape == (3, 0, 3, 3)
    net(nd.ones((1, 2, 5, 5)))
    assert net[0].weight.shape == (3, 2, 3, 3)
    assert net[1].running_mean.shape == (3,)
    assert net[2].weight.shape == (2, 27)


def test_deferred_initialization_draws_as_the_imperative_path():
    """Parameters finish initialization in the graph's order, so a seed gives the same weights."""
    weights = []
    for hybrid in (False, True):
        mx.random.seed(7)
        net = CASES["lenet5"][0](mx)  # a new name each time
        net.initialize(mx.init.Xavier())
        net.hybridize(hybrid)
        net(nd.ones((1, 1, 28, 28)))
        weights.append([p.data().asnumpy() for p in net.collect_params().values()])
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_infer_shape_and_infer_type():
    net = nn.Dense(2)
    net.initialize()
    net.infer_shape(nd.ones((4, 6)))
    assert net.weight.shape == (2, 6) and net.bias.shape == (2,)
    half = nn.Dense(2, in_units=6, dtype="float16")
    half.initialize()
    half.infer_type(nd.ones((4, 6), dtype="float16"))
    assert half.weight.dtype == np.float16 and half.bias.dtype == np.float16


def test_deferred_initialization_failure_names_the_problem():
    class Unknowable(gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            self.w = self.params.get("w", shape=(0,), allow_deferred_init=True)

        def hybrid_forward(self, F, x, w):
            return F.broadcast_add(x, w)

    net = Unknowable()
    net.initialize()
    net.hybridize()
    with pytest.raises(ValueError, match="(?s)Deferred initialization failed because shape cannot "
                                         "be inferred.*unknowable0_w: \\(0,\\)"):
        net(nd.ones((2, 3)))


# -- inputs and outputs ------------------------------------------------------------------------------
class _Structured(gluon.HybridBlock):
    def hybrid_forward(self, F, x, y=None):
        if y is None:
            return x * 2
        return [x + y, (F.relu(x), y * 3)]


def test_inputs_named_data_and_outputs_regrouped():
    net = _Structured()
    net.hybridize()
    x, y = nd.array([[-1.0, 2.0]]), nd.array([[1.0, 1.0]])
    total, (relu, tripled) = net(x, y)
    assert total.asnumpy().tolist() == [[0.0, 3.0]]
    assert relu.asnumpy().tolist() == [[0.0, 2.0]] and tripled.asnumpy().tolist() == [[3.0, 3.0]]
    assert [s.name for s in net._cached_graph[0]] == ["data0", "data1"]
    with pytest.raises(ValueError, match="argument structure"):
        net([x, y])
    single = _Structured()
    single.hybridize()
    assert single(x).asnumpy().tolist() == [[-2.0, 4.0]]
    assert [s.name for s in single._cached_graph[0]] == ["data"]


def test_outputs_never_alias_inputs():
    class Identity(gluon.HybridBlock):
        def hybrid_forward(self, F, x):
            return x

    net = Identity()
    net.hybridize()
    x = nd.ones((2, 2))
    y = net(x)
    y[:] = 5
    assert (x.asnumpy() == 1).all()


def test_gradient_reaches_inputs():
    net = nn.Dense(1, in_units=3, use_bias=False)
    net.initialize(mx.init.One())
    net.hybridize()
    x = nd.array([[1.0, 2.0, 3.0]])
    x.attach_grad()
    with autograd.record():
        y = net(x)
    y.backward()
    assert x.grad.asnumpy().tolist() == [[1.0, 1.0, 1.0]]
    assert net.weight.grad().asnumpy().tolist() == [[1.0, 2.0, 3.0]]


# -- errors ------------------------------------------------------------------------------------------
def test_uninitialized_parameters_raise():
    net = nn.Dense(2, in_units=2)
    net.hybridize()
    with pytest.raises(RuntimeError, match="has not been initialized"):
        net(nd.ones((1, 2)))


def test_operator_errors_name_the_block():
    net = nn.Dense(2, in_units=3)
    net.initialize()
    net.hybridize()
    with pytest.raises(mx.MXNetError, match="Dense 'dense\\d+'"):
        net(nd.ones((1, 5)))


def test_unknown_backends_are_refused_clearly():
    """MXNet's subgraph backends (MKLDNN...) are not torch.compile backends: refused by name."""
    net = nn.Dense(2, in_units=2)
    net.initialize()
    with pytest.raises(mx.MXNetError, match="unknown compile backend 'MKLDNN'"):
        net.hybridize(backend="MKLDNN")
    with pytest.raises(ValueError, match="backend"):
        net.optimize_for(nd.ones((1, 2)))
    with pytest.raises(mx.MXNetError, match="unknown compile backend 'MKLDNN'"):
        net.optimize_for(nd.ones((1, 2)), backend="MKLDNN")
