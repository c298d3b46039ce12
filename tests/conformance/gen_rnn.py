"""gluon.rnn goldens from MXNet 1.9.1: layers and cells with MXNet-drawn parameters, their outputs,
final states and gradients.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_rnn.py
Writes tests/conformance/golden/rnn/<case>.params (MXNet's save_parameters) and <case>.npz (inputs,
head gradients, outputs, states, input and parameter gradients, parameter names). The cases and
``run`` are plain functions of the ``mx`` module: tests/gluon/test_rnn.py replays the same code on
mxtorch, eagerly and hybridized. Importing this module does not import MXNet.
"""
from __future__ import annotations

import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "rnn"

T, N, C = 4, 3, 5  # steps, batch, input features


# -- the cases: (build(mx) -> block, how it is called) ------------------------------------------------
def _layers(mx):
    return mx.gluon.rnn


def rnn_tanh_2l(mx):
    return _layers(mx).RNN(6, num_layers=2, activation="tanh", prefix="rnn_tanh_")


def rnn_relu_bi_ntc(mx):
    return _layers(mx).RNN(4, activation="relu", bidirectional=True, layout="NTC", prefix="rnn_relu_")


def lstm_2l_bi(mx):
    return _layers(mx).LSTM(6, num_layers=2, bidirectional=True, prefix="lstm_bi_")


def lstm_ntc(mx):
    return _layers(mx).LSTM(5, layout="NTC", prefix="lstm_ntc_")


def gru_2l(mx):
    return _layers(mx).GRU(4, num_layers=2, prefix="gru_2l_")


def gru_bi_ntc(mx):
    return _layers(mx).GRU(3, bidirectional=True, layout="NTC", prefix="gru_bi_")


def rnn_cell(mx):
    return _layers(mx).RNNCell(4, activation="relu", prefix="rnncell_")


def lstm_cell(mx):
    return _layers(mx).LSTMCell(5, prefix="lstmcell_")


def gru_cell(mx):
    return _layers(mx).GRUCell(4, prefix="grucell_")


def hybrid_stack(mx):
    rnn = _layers(mx)
    stack = rnn.HybridSequentialRNNCell(prefix="hstack_")
    with stack.name_scope():
        stack.add(rnn.LSTMCell(5, prefix="lstm0_"))
        stack.add(rnn.DropoutCell(0.5))
        stack.add(rnn.ResidualCell(rnn.GRUCell(5, prefix="gru0_")))
    return stack


def sequential_stack(mx):
    rnn = _layers(mx)
    stack = rnn.SequentialRNNCell(prefix="stack_")
    with stack.name_scope():
        stack.add(rnn.RNNCell(4, activation="tanh", prefix="rnn0_"))
        stack.add(rnn.ZoneoutCell(rnn.LSTMCell(3, prefix="lstm0_"), 0.5, 0.5))
    return stack


def bidirectional(mx):
    rnn = _layers(mx)
    return rnn.BidirectionalCell(rnn.LSTMCell(4, prefix="bl_"), rnn.GRUCell(3, prefix="br_"))


def lstmp_cell(mx):
    return mx.gluon.contrib.rnn.LSTMPCell(5, 3, prefix="lstmp_")


def variational_dropout(mx):
    cell = mx.gluon.contrib.rnn.LSTMPCell(4, 2, prefix="vd_lstmp_")
    return mx.gluon.contrib.rnn.VariationalDropoutCell(cell, drop_inputs=0.3, drop_states=0.3,
                                                       drop_outputs=0.3)


def conv2d_lstm(mx):
    return mx.gluon.contrib.rnn.Conv2DLSTMCell((2, 5, 4), 3, i2h_kernel=3, h2h_kernel=3,
                                               i2h_pad=1, prefix="clstm_")


def conv1d_gru(mx):
    return mx.gluon.contrib.rnn.Conv1DGRUCell((2, 6), 2, i2h_kernel=3, h2h_kernel=(3,),
                                              i2h_dilate=2, prefix="cgru_")


def conv3d_rnn(mx):
    return mx.gluon.contrib.rnn.Conv3DRNNCell((1, 3, 4, 3), 2, i2h_kernel=(1, 3, 3),
                                              h2h_kernel=3, i2h_pad=(0, 1, 0), activation="relu",
                                              prefix="crnn_")


# name -> (build, kind, options)
#   kind "layer": block(x) or block(x, states); options: states (bool), layout
#   kind "unroll": block.unroll(T, x, layout=..., merge_outputs=..., valid_length=...)
CASES = {
    "rnn_tanh_2l": (rnn_tanh_2l, "layer", {"states": False, "layout": "TNC"}),
    "rnn_relu_bi_ntc": (rnn_relu_bi_ntc, "layer", {"states": True, "layout": "NTC"}),
    "lstm_2l_bi": (lstm_2l_bi, "layer", {"states": True, "layout": "TNC"}),
    "lstm_ntc": (lstm_ntc, "layer", {"states": False, "layout": "NTC"}),
    "gru_2l": (gru_2l, "layer", {"states": True, "layout": "TNC"}),
    "gru_bi_ntc": (gru_bi_ntc, "layer", {"states": True, "layout": "NTC"}),
    "rnn_cell_ntc": (rnn_cell, "unroll", {"layout": "NTC", "merge": True}),
    "lstm_cell_tnc_list": (lstm_cell, "unroll", {"layout": "TNC", "merge": False}),
    "gru_cell_valid_length": (gru_cell, "unroll", {"layout": "NTC", "merge": True, "valid": True}),
    "hybrid_stack": (hybrid_stack, "unroll", {"layout": "NTC", "merge": True}),
    "sequential_stack_valid_length": (sequential_stack, "unroll",
                                      {"layout": "TNC", "merge": False, "valid": True}),
    "bidirectional": (bidirectional, "unroll", {"layout": "NTC", "merge": True}),
    "bidirectional_valid_length": (bidirectional, "unroll",
                                   {"layout": "TNC", "merge": False, "valid": True}),
    "contrib_lstmp_cell": (lstmp_cell, "unroll", {"layout": "NTC", "merge": True, "valid": True}),
    "contrib_variational_dropout": (variational_dropout, "unroll",
                                    {"layout": "TNC", "merge": False}),
    "contrib_conv2d_lstm": (conv2d_lstm, "unroll", {"layout": "NTC", "merge": True,
                                                    "step": (2, 5, 4)}),
    "contrib_conv1d_gru": (conv1d_gru, "unroll", {"layout": "TNC", "merge": False,
                                                  "step": (2, 6)}),
    "contrib_conv3d_rnn": (conv3d_rnn, "unroll", {"layout": "NTC", "merge": True,
                                                  "step": (1, 3, 4, 3), "valid": True}),
}

VALID_LENGTH = np.array([2, 4, 3], dtype=np.float32)


def inputs(name: str) -> dict:
    """The case's input sequence (and valid lengths), the same on both sides."""
    _, _, options = CASES[name]
    rng = np.random.RandomState(sum(map(ord, name)))
    step = options.get("step", (C,))  # one step's features: (C,), or (C, spatial...) for conv
    shape = ((N, T) if options["layout"] == "NTC" else (T, N)) + tuple(step)
    arrays = {"x": rng.standard_normal(shape).astype(np.float32)}
    if options.get("valid"):
        arrays["valid_length"] = VALID_LENGTH
    return arrays


def _flat(outputs, states) -> list:
    outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    return outs + list(states)


def run(mx, name: str, block, hybridize: bool = False, begin_states=None) -> dict:
    """Forward and backward of one case on a block whose parameters are set: returns the outputs,
    final states, gradients of the input, of the given begin states and of every parameter."""
    _, kind, options = CASES[name]
    arrays = inputs(name)
    x = mx.nd.array(arrays["x"])
    x.attach_grad()
    if hybridize:
        block.hybridize()
    states = None
    if begin_states is not None:
        states = [mx.nd.array(s) for s in begin_states]
        for s in states:
            s.attach_grad()
    with mx.autograd.record(train_mode=False):
        if kind == "layer":
            if states is None:
                outputs, final = block(x), []
            else:
                outputs, final = block(x, states)
        else:
            valid = mx.nd.array(arrays["valid_length"]) if options.get("valid") else None
            outputs, final = block.unroll(T, x, begin_state=states, layout=options["layout"],
                                          merge_outputs=options["merge"], valid_length=valid)
        results = _flat(outputs, final)
        rng = np.random.RandomState(7)
        heads = [rng.standard_normal(r.shape).astype(np.float32) for r in results]
        # one scalar: a cell's output and its hidden state are one array, whose two head
        # gradients MXNet's autograd.backward([...]) would not add up
        loss = sum((r * mx.nd.array(h)).sum() for r, h in zip(results, heads))
    loss.backward()
    result = {f"out{i}": r.asnumpy() for i, r in enumerate(results)}
    result.update({f"head{i}": h for i, h in enumerate(heads)})
    result["grad_x"] = x.grad.asnumpy()
    for i, s in enumerate(states or []):
        result[f"grad_state{i}"] = s.grad.asnumpy()
    for pname, param in block.collect_params().items():
        if param.grad_req != "null":
            result[f"grad_param:{pname}"] = param.grad().asnumpy()
    return result


def begin_states(mx, name: str, block) -> list:
    """Random begin states for the cases that pass them (None for the others)."""
    _, kind, options = CASES[name]
    if kind == "layer" and not options["states"]:
        return None
    batch = N
    rng = np.random.RandomState(3)
    return [rng.standard_normal(s.shape).astype(np.float32)
            for s in block.begin_state(batch_size=batch, func=mx.nd.zeros)]


def export_lstm(mx) -> None:
    """A hybridized two-layer bidirectional LSTM (NTC, states given) exported by MXNet:
    exported_lstm-symbol.json and -0000.params, with its outputs on a fixed input."""
    layer = mx.gluon.rnn.LSTM(4, num_layers=2, bidirectional=True, layout="NTC",
                              prefix="exported_")
    layer.initialize(mx.init.Uniform(0.5))
    rng = np.random.RandomState(21)
    x = mx.nd.array(rng.standard_normal((N, T, C)))
    states = [mx.nd.array(rng.standard_normal(s.shape))
              for s in layer.begin_state(batch_size=N)]
    layer.hybridize()
    out, (h, c) = layer(x, states)
    layer.export(str(OUT / "exported_lstm"))
    np.savez_compressed(OUT / "exported_lstm.npz", x=x.asnumpy(), h0=states[0].asnumpy(),
                        c0=states[1].asnumpy(), out=out.asnumpy(), h=h.asnumpy(), c=c.asnumpy())
    print("wrote exported_lstm")


def main() -> None:
    import mxnet as mx

    OUT.mkdir(parents=True, exist_ok=True)
    export_lstm(mx)
    for name, (build, kind, options) in CASES.items():
        block = build(mx)
        block.initialize(mx.init.Xavier())
        # one forward finishes the deferred initialization; then every parameter (biases too)
        # gets values of its own, drawn by numpy
        x = mx.nd.array(inputs(name)["x"])
        if kind == "layer":
            block(x)
        else:
            block.unroll(T, x, layout=options["layout"], merge_outputs=True)
        rng = np.random.RandomState(11)
        for param in block.collect_params().values():
            param.set_data(mx.nd.array(0.4 * rng.standard_normal(param.shape)))
        block.save_parameters(str(OUT / f"{name}.params"))
        states = begin_states(mx, name, block)
        result = run(mx, name, block, begin_states=states)
        for i, s in enumerate(states or []):
            result[f"state{i}"] = s
        result["param_names"] = np.array(list(block.collect_params().keys()))
        np.savez_compressed(OUT / f"{name}.npz", **result)
        print("wrote", name)


if __name__ == "__main__":
    main()
