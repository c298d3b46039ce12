"""gluon.rnn against MXNet 1.9.1: layers and cells load MXNet-written parameters under MXNet's names
and give MXNet's outputs, states and gradients, eagerly and hybridized (goldens from
tests/conformance/gen_rnn.py, which this file replays); plus what MXNet's CPU build cannot produce
goldens for (projection, state clipping, sequence lengths), checked against torch and against the
unfused cells."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from tests.conformance import gen_rnn
from tests.conformance.conftest import GOLDEN

RNN_GOLDEN = GOLDEN / "rnn"


def _loaded(name: str):
    build = gen_rnn.CASES[name][0]
    block = build(mx)
    block.load_parameters(str(RNN_GOLDEN / f"{name}.params"))
    return block


@pytest.mark.parametrize("hybridize", [False, True], ids=["eager", "hybridized"])
@pytest.mark.parametrize("name", sorted(gen_rnn.CASES))
def test_matches_mxnet_on_its_parameters(name: str, hybridize: bool):
    golden = np.load(RNN_GOLDEN / f"{name}.npz")
    block = _loaded(name)
    assert list(block.collect_params().keys()) == list(golden["param_names"])
    states = [golden[f"state{i}"] for i in range(3) if f"state{i}" in golden]
    result = gen_rnn.run(mx, name, block, hybridize=hybridize, begin_states=states or None)
    expected = {k: golden[k] for k in golden.files
                if k.startswith(("out", "grad_")) and not k.startswith("head")}
    assert sorted(result) == sorted(set(expected) | {k for k in result if k.startswith("head")})
    for key, want in expected.items():
        np.testing.assert_allclose(result[key], want, rtol=1e-4, atol=1e-5, err_msg=key)


@pytest.mark.parametrize("name", ["lstm_2l_bi", "gru_2l", "rnn_cell_ntc", "hybrid_stack"])
def test_saved_parameters_use_mxnets_keys(name: str, tmp_path):
    block = _loaded(name)
    path = tmp_path / "saved.params"
    block.save_parameters(str(path))
    ours, theirs = nd.load(str(path)), nd.load(str(RNN_GOLDEN / f"{name}.params"))
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_array_equal(ours[key].asnumpy(), theirs[key].asnumpy())


def test_layer_file_keys_are_mxnets_unfused_names():
    keys = sorted(nd.load(str(RNN_GOLDEN / "lstm_2l_bi.params")))
    assert "_unfused.0.l_cell.i2h_weight" in keys and "_unfused.1.r_cell.h2h_bias" in keys
    keys = sorted(nd.load(str(RNN_GOLDEN / "gru_2l.params")))
    assert "_unfused.1.i2h_weight" in keys


# -- layers --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer_cls", [gluon.rnn.RNN, gluon.rnn.LSTM, gluon.rnn.GRU])
def test_deferred_input_size_and_parameter_names(layer_cls):
    layer = layer_cls(7, num_layers=2, bidirectional=True, prefix="net_")
    gates = {gluon.rnn.RNN: 1, gluon.rnn.LSTM: 4, gluon.rnn.GRU: 3}[layer_cls]
    assert layer.l0_i2h_weight.shape == (gates * 7, 0)
    layer.initialize()
    out = layer(nd.ones((5, 2, 3)))
    assert out.shape == (5, 2, 14)
    assert layer.l0_i2h_weight.shape == (gates * 7, 3)
    assert layer.r1_i2h_weight.shape == (gates * 7, 14)
    names = list(layer.collect_params().keys())
    assert names[:4] == ["net_l0_i2h_weight", "net_l0_h2h_weight", "net_l0_i2h_bias",
                         "net_l0_h2h_bias"]
    assert names[4] == "net_r0_i2h_weight" and len(names) == 16


def test_hybridized_layer_is_one_rnn_node_and_exports(tmp_path):
    layer = gluon.rnn.LSTM(4, num_layers=2, layout="NTC", prefix="lstm_")
    layer.initialize(mx.init.Xavier())
    x = nd.random.normal(shape=(2, 5, 3))
    eager = layer(x)
    layer.hybridize()
    assert np.allclose(layer(x).asnumpy(), eager.asnumpy(), atol=1e-6)
    graph = layer(mx.sym.var("data"))
    ops = [n["op"] for n in json.loads(graph.tojson())["nodes"]]
    assert ops.count("RNN") == 1 and ops.count("_rnn_param_concat") == 1
    layer.export(str(tmp_path / "lstm"))
    # called without states, the layer made zero states: the graph's inputs are data0..data2
    net = gluon.SymbolBlock.imports(str(tmp_path / "lstm-symbol.json"),
                                    ["data0", "data1", "data2"], str(tmp_path / "lstm-0000.params"))
    zeros = layer.begin_state(batch_size=2)
    np.testing.assert_allclose(net(x, *zeros).asnumpy(), eager.asnumpy(), rtol=1e-5, atol=1e-6)


def test_mxnet_exported_lstm_imports_and_runs():
    """MXNet's own export of a hybridized LSTM (_rnn_param_concat + RNN nodes, MXNet's attribute
    strings) loads as a SymbolBlock and gives MXNet's outputs and states."""
    golden = np.load(RNN_GOLDEN / "exported_lstm.npz")
    net = gluon.SymbolBlock.imports(str(RNN_GOLDEN / "exported_lstm-symbol.json"),
                                    ["data0", "data1", "data2"],
                                    str(RNN_GOLDEN / "exported_lstm-0000.params"))
    out, h, c = net(nd.array(golden["x"]), nd.array(golden["h0"]), nd.array(golden["c0"]))
    for ours, key in [(out, "out"), (h, "h"), (c, "c")]:
        np.testing.assert_allclose(ours.asnumpy(), golden[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_states_in_and_out_and_begin_state():
    layer = gluon.rnn.GRU(3, num_layers=2, prefix="g_")
    layer.initialize()
    states = layer.begin_state(batch_size=4)
    assert [s.shape for s in states] == [(2, 4, 3)]
    out, new_states = layer(nd.ones((6, 4, 2)), states)
    assert out.shape == (6, 4, 3) and new_states[0].shape == (2, 4, 3)
    np.testing.assert_allclose(new_states[0].asnumpy()[-1], out.asnumpy()[-1], rtol=1e-6)
    with pytest.raises(ValueError, match="Invalid recurrent state shape"):
        layer(nd.ones((6, 4, 2)), [nd.zeros((2, 3, 3))])


def test_dropout_only_in_training():
    layer = gluon.rnn.LSTM(8, num_layers=2, dropout=0.5)
    layer.initialize(mx.init.Xavier())
    x = nd.random.normal(shape=(3, 2, 4))
    assert np.array_equal(layer(x).asnumpy(), layer(x).asnumpy())
    with autograd.record():
        a, b = layer(x), layer(x)
    assert not np.array_equal(a.asnumpy(), b.asnumpy())


def _torch_weights(layer, layers: int, dirs: int) -> dict:
    names = {}
    for i in range(layers):
        for d, suffix in zip("lr", ["", "_reverse"]):
            if d == "r" and dirs == 1:
                continue
            for ours, theirs in [("i2h_weight", "weight_ih"), ("h2h_weight", "weight_hh"),
                                 ("i2h_bias", "bias_ih"), ("h2h_bias", "bias_hh"),
                                 ("h2r_weight", "weight_hr")]:
                param = getattr(layer, f"{d}{i}_{ours}", None)
                if param is not None:
                    names[f"{theirs}_l{i}{suffix}"] = torch.from_numpy(param.data().asnumpy())
    return names


def test_projection_matches_torch_lstm():
    layer = gluon.rnn.LSTM(6, num_layers=2, bidirectional=True, projection_size=3, input_size=4)
    layer.initialize(mx.init.Uniform(0.5))
    for p in layer.collect_params().values():  # biases drawn too
        p.set_data(nd.random.uniform(-0.5, 0.5, shape=p.shape))
    reference = torch.nn.LSTM(4, 6, num_layers=2, bidirectional=True, proj_size=3)
    reference.load_state_dict(_torch_weights(layer, 2, 2))
    x = np.random.RandomState(0).standard_normal((5, 2, 4)).astype(np.float32)
    h0 = np.random.RandomState(1).standard_normal((4, 2, 3)).astype(np.float32)
    c0 = np.random.RandomState(2).standard_normal((4, 2, 6)).astype(np.float32)
    out, (h, c) = layer(nd.array(x), [nd.array(h0), nd.array(c0)])
    with torch.no_grad():
        want, (wh, wc) = reference(torch.from_numpy(x), (torch.from_numpy(h0), torch.from_numpy(c0)))
    assert out.shape == (5, 2, 6)
    np.testing.assert_allclose(out.asnumpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.asnumpy(), wh.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c.asnumpy(), wc.numpy(), rtol=1e-5, atol=1e-6)


def _lstm_with_params(**kwargs):
    layer = gluon.rnn.LSTM(5, input_size=3, prefix="clip_", **kwargs)
    layer.initialize()
    rng = np.random.RandomState(5)
    for p in layer.collect_params().values():
        p.set_data(nd.array(rng.standard_normal(p.shape)))
    return layer


@pytest.mark.parametrize("projection", [None, 2])
def test_state_clipping(projection):
    x = nd.array(np.random.RandomState(0).standard_normal((6, 2, 3)) * 3)
    states = [nd.zeros((4, 2, projection or 5)), nd.zeros((4, 2, 5))]
    free = _lstm_with_params(num_layers=2, bidirectional=True, projection_size=projection)
    wide = _lstm_with_params(num_layers=2, bidirectional=True, projection_size=projection,
                             state_clip_min=-1e6, state_clip_max=1e6)
    tight = _lstm_with_params(num_layers=2, bidirectional=True, projection_size=projection,
                              state_clip_min=-0.2, state_clip_max=0.3)
    out, (h, c) = free(x, states)
    out_wide, (h_wide, c_wide) = wide(x, states)  # the stepped path, never clipping
    np.testing.assert_allclose(out_wide.asnumpy(), out.asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c_wide.asnumpy(), c.asnumpy(), rtol=1e-5, atol=1e-6)
    assert np.abs(c.asnumpy()).max() > 0.3
    _, (_, c_tight) = tight(x, states)
    assert c_tight.asnumpy().min() >= -0.2 - 1e-7 and c_tight.asnumpy().max() <= 0.3 + 1e-7


@pytest.mark.parametrize("mode,clip", [("lstm", False), ("lstm", True), ("gru", False),
                                       ("rnn_tanh", False)])
def test_sequence_length_matches_unfused_cells(mode: str, clip: bool):
    """The fused kernel on packed sequences (the stepped LSTM with clip bounds it never reaches)
    against the same weights as cells, unrolled with valid_length."""
    make = {"lstm": gluon.rnn.LSTM, "gru": gluon.rnn.GRU,
            "rnn_tanh": lambda *a, **k: gluon.rnn.RNN(*a, activation="tanh", **k)}[mode]
    extra = {"state_clip_min": -1e6, "state_clip_max": 1e6} if clip else {}
    layer = make(4, num_layers=2, bidirectional=True, input_size=3, use_sequence_length=True,
                 prefix="seq_", **extra)
    layer.initialize(mx.init.Xavier())
    rng = np.random.RandomState(4)
    for p in layer.collect_params().values():
        p.set_data(nd.array(0.5 * rng.standard_normal(p.shape)))
    x = nd.array(rng.standard_normal((5, 3, 3)))
    lengths = nd.array([3, 5, 1])
    states = layer.begin_state(batch_size=3)
    out, new_states = layer(x, states, lengths)
    cells = make(4, num_layers=2, bidirectional=True, input_size=3, prefix="seq_")
    cells.initialize()
    for name, p in cells.collect_params().items():
        p.set_data(layer.collect_params()[name].data())
    stack = cells._unfuse()
    want, want_states = stack.unroll(5, x, layout="TNC", merge_outputs=True, valid_length=lengths)
    np.testing.assert_allclose(out.asnumpy(), want.asnumpy(), rtol=1e-5, atol=1e-6)
    final_h = new_states[0].asnumpy()  # (layers * dirs, N, C), cells give (N, C) per cell
    per_cell = [s.asnumpy() for s in want_states][::2 if mode == "lstm" else 1]
    np.testing.assert_allclose(final_h, np.stack(per_cell), rtol=1e-5, atol=1e-6)


# -- cells -------------------------------------------------------------------------------------------------
def test_cell_names_and_begin_state():
    cell = gluon.rnn.LSTMCell(3, prefix="c_")
    assert list(cell.collect_params().keys()) == ["c_i2h_weight", "c_h2h_weight", "c_i2h_bias",
                                                 "c_h2h_bias"]
    states = cell.begin_state(batch_size=2)
    assert [s.shape for s in states] == [(2, 3), (2, 3)]
    sym_states = cell.begin_state(func=mx.sym.var)
    assert [s.name for s in sym_states] == ["c_begin_state_2", "c_begin_state_3"]
    assert repr(gluon.rnn.RNNCell(4, input_size=2)) == "RNNCell(2 -> 4, tanh)"


def test_cell_unroll_symbolic_infers_shapes():
    cell = gluon.rnn.GRUCell(4, prefix="g_")
    outputs, states = cell.unroll(3, mx.sym.var("data"), layout="NTC", merge_outputs=True)
    _, out_shapes, _ = outputs.infer_shape(data=(2, 3, 5))
    assert out_shapes == [(2, 3, 4)]
    assert "g_i2h_weight" in outputs.list_arguments()


def test_modifier_rules():
    base = gluon.rnn.RNNCell(3)
    gluon.rnn.ResidualCell(base)
    with pytest.raises(AssertionError):
        gluon.rnn.ZoneoutCell(base)
    with pytest.raises(AssertionError):
        base.begin_state(batch_size=1)
    bi = gluon.rnn.BidirectionalCell(gluon.rnn.RNNCell(2), gluon.rnn.RNNCell(2))
    with pytest.raises(NotImplementedError):
        bi(nd.ones((1, 2)), bi.begin_state(batch_size=1))
    with pytest.raises(AssertionError):
        gluon.rnn.ZoneoutCell(bi)


def test_zoneout_in_training_keeps_some_previous_values():
    cell = gluon.rnn.ZoneoutCell(gluon.rnn.GRUCell(50, input_size=4), zoneout_outputs=0.5,
                                 zoneout_states=0.5)
    cell.initialize(mx.init.Uniform(1.0))
    x = nd.random.normal(shape=(2, 3, 4))
    with autograd.record():
        outputs, _ = cell.unroll(3, x, merge_outputs=False)
    first = outputs[0].asnumpy()  # the previous output of step 0 is zero
    assert 0.2 < np.mean(first == 0) < 0.8


def test_variational_dropout_shares_its_masks_across_steps():
    cell = gluon.contrib.rnn.VariationalDropoutCell(gluon.rnn.RNNCell(40, input_size=3),
                                                    drop_outputs=0.5)
    cell.initialize(mx.init.Uniform(1.0))
    x = nd.random.normal(shape=(2, 5, 3))
    with autograd.record():
        outputs, _ = cell.unroll(5, x, layout="NTC", merge_outputs=True)
    dropped = outputs.asnumpy() == 0  # (N, T, C): the same units at every step
    assert 0.2 < dropped.mean() < 0.8
    assert (dropped == dropped[:, :1]).all()
    assert repr(gluon.contrib.rnn.LSTMPCell(6, 2, input_size=3)) == "LSTMPCell(3 -> 24 -> 2)"


@pytest.mark.parametrize("merge", [True, False])
def test_symbolic_unroll_with_valid_length_matches_imperative(merge: bool):
    cell = gluon.rnn.BidirectionalCell(gluon.rnn.GRUCell(3, prefix="l_"),
                                       gluon.rnn.LSTMCell(2, prefix="r_"))
    cell.initialize(mx.init.Xavier())
    x, lengths = nd.random.normal(shape=(2, 4, 5)), nd.array([2, 4])
    want, want_states = cell.unroll(4, x, layout="NTC", merge_outputs=True, valid_length=lengths)
    outputs, states = cell.unroll(4, mx.sym.var("data"), layout="NTC", merge_outputs=merge,
                                  valid_length=mx.sym.var("lengths"))
    graph = mx.sym.Group(([outputs] if merge else list(outputs)) + list(states))
    args = {name: p.data() for name, p in cell.collect_params().items()}
    got = graph.eval(ctx=mx.cpu(), data=x, lengths=lengths, **args)
    n_out = 1 if merge else 4
    got_out = got[0] if merge else nd.stack(*got[:n_out], axis=1)
    np.testing.assert_allclose(got_out.asnumpy(), want.asnumpy(), rtol=1e-5, atol=1e-6)
    for ours, theirs in zip(got[n_out:], want_states):
        np.testing.assert_allclose(ours.asnumpy(), theirs.asnumpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layout", ["NTC", "TNC"])
def test_unroll_inside_a_hybridized_block(layout: str):
    """The common Gluon pattern: a HybridBlock unrolls its cells in hybrid_forward, default begin
    states; traced, the graph runs for the batch it is given."""
    class Net(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.cells = gluon.rnn.HybridSequentialRNNCell()
                self.cells.add(gluon.rnn.LSTMCell(3))
                self.cells.add(gluon.rnn.GRUCell(2))
                self.conv = gluon.contrib.rnn.Conv1DLSTMCell((1, 5), 2, 3, 3)

        def hybrid_forward(self, F, x):
            out, states = self.cells.unroll(4, x, layout=layout, merge_outputs=True)
            conv_in = F.expand_dims(x, axis=2)  # one channel of 5 positions per step
            conv_out, _ = self.conv.unroll(4, conv_in, layout=layout, merge_outputs=True)
            return out, states[-1], conv_out

    net = Net()
    net.initialize(mx.init.Xavier())
    x = nd.random.normal(shape=(2, 4, 5) if layout == "NTC" else (4, 2, 5))
    want = net(x)
    net.hybridize()
    for got, expected in zip(net(x), want):
        np.testing.assert_allclose(got.asnumpy(), expected.asnumpy(), rtol=1e-5, atol=1e-6)
    other = nd.random.normal(shape=(3, 4, 5) if layout == "NTC" else (4, 3, 5))
    assert net(other)[1].shape == (3, 2)


@pytest.mark.parametrize("layer_cls,layout", [(gluon.rnn.LSTM, "NTC"), (gluon.rnn.GRU, "TNC")])
def test_layer_inside_a_hybridized_block(layer_cls, layout: str):
    """A recurrent layer called without states inside a hybridized block: its zero states are
    part of the traced graph and follow the batch it is given."""
    class Net(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.rnn = layer_cls(3, num_layers=2, bidirectional=True, layout=layout)
                self.out = gluon.nn.Dense(2, flatten=False)

        def hybrid_forward(self, F, x):
            return self.out(self.rnn(x))

    net = Net()
    net.initialize(mx.init.Xavier())
    x = nd.random.normal(shape=(2, 4, 5))
    want = net(x)
    net.hybridize()
    np.testing.assert_allclose(net(x).asnumpy(), want.asnumpy(), rtol=1e-5, atol=1e-6)
    assert net(nd.random.normal(shape=(3, 3, 5))).shape == (3, 3, 2)


@pytest.mark.parametrize("layer_cls", [gluon.rnn.LSTM, gluon.rnn.GRU, gluon.rnn.RNN])
@pytest.mark.parametrize("options", [{}, {"num_layers": 2, "bidirectional": True}, {"layout": "NTC"}],
                         ids=["plain", "2l_bi", "ntc"])
def test_deferred_layer_in_a_block_hybridized_before_its_first_call(layer_cls, options):
    """As in MXNet, the input size reaches the first layer's weights backwards through the graph:
    the RNN node's data fixes its parameter vector's length, _rnn_param_concat hands what the known
    pieces leave to the unknown ones (shared between the directions) and each Reshape gives it to
    its weight. The hybridized block then computes what the eager one does."""
    class Net(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.rnn = layer_cls(3, prefix="rnn_", **options)

        def hybrid_forward(self, F, x):
            return self.rnn(x) * 2

    x = nd.array(np.random.RandomState(0).standard_normal((4, 2, 5)).astype(np.float32))
    gates = {gluon.rnn.LSTM: 4, gluon.rnn.GRU: 3, gluon.rnn.RNN: 1}[layer_cls]
    results = []
    for hybridize in (True, False):
        mx.random.seed(7)
        net = Net(prefix="net_")
        net.initialize(mx.init.Uniform(0.5))
        if hybridize:
            net.hybridize()
        results.append(net(x).asnumpy())
        assert net.rnn.l0_i2h_weight.shape == (3 * gates, 5)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)
    # the layer on its own, hybridized before its first call, computes the same
    mx.random.seed(7)
    alone = layer_cls(3, prefix="net_rnn_", **options)
    alone.initialize(mx.init.Uniform(0.5))
    alone.hybridize()
    np.testing.assert_allclose(alone(x).asnumpy() * 2, results[1], rtol=1e-5, atol=1e-6)


def test_conv_cells_shapes_and_names():
    cell = gluon.contrib.rnn.Conv2DLSTMCell((2, 5, 4), 3, 3, 3, prefix="c_")
    assert repr(cell) == "Conv2DLSTMCell(2 -> 12, tanh, NCHW)"
    assert cell.i2h_weight.shape == (12, 2, 3, 3) and cell.h2h_weight.shape == (12, 3, 3, 3)
    assert [s["shape"] for s in cell.state_info(4)] == [(4, 3, 3, 2), (4, 3, 3, 2)]
    channels_last = gluon.contrib.rnn.Conv1DGRUCell((6, 2), 2, 3, 3, conv_layout="NWC")
    assert channels_last.i2h_weight.shape == (6, 3, 2)
    with pytest.raises(AssertionError):
        gluon.contrib.rnn.Conv2DRNNCell((2, 5, 4), 3, 3, 2)  # an even h2h kernel
