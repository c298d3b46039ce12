"""Record MXNet 1.9.1's gluon.contrib.rnn.rnn_cell.dynamic_unroll (LSTM and GRU cells, both
layouts, with and without valid_length; outputs, final states and gradients through autograd) and
nd.RNN called with its inputs and attributes by position.

The cases are plain functions of the ``mx`` module (importing this file does not import MXNet):
tests/gluon/test_rnn_extras.py replays them on mxtorch, eagerly and inside a hybridized block.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_rnn_extras.py
Writes tests/conformance/golden/rnn_extras.npz.
"""
from __future__ import annotations

import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "rnn_extras.npz"

#: case -> (cell kind, layout, valid lengths or None)
UNROLL_CASES = {
    "lstm_tnc": ("lstm", "TNC", None),
    "lstm_tnc_valid": ("lstm", "TNC", [2, 5]),
    "lstm_ntc_valid": ("lstm", "NTC", [3, 1]),
    "gru_ntc": ("gru", "NTC", None),
}
STEPS, BATCH, FEATURES, HIDDEN = 5, 2, 3, 4


def unroll_inputs(case: str, rng: np.random.RandomState) -> dict:
    """The case's parameters (by name), data, begin states and valid lengths, drawn from ``rng``."""
    kind, layout, lengths = UNROLL_CASES[case]
    gates = 4 if kind == "lstm" else 3
    shapes = {"cell_h2h_bias": (gates * HIDDEN,), "cell_h2h_weight": (gates * HIDDEN, HIDDEN),
              "cell_i2h_bias": (gates * HIDDEN,), "cell_i2h_weight": (gates * HIDDEN, FEATURES)}
    values = {f"param:{k}": rng.uniform(-0.5, 0.5, s).astype(np.float32) for k, s in shapes.items()}
    shape = (STEPS, BATCH, FEATURES) if layout == "TNC" else (BATCH, STEPS, FEATURES)
    values["data"] = rng.standard_normal(shape).astype(np.float32)
    for k in range(2 if kind == "lstm" else 1):
        values[f"state{k}"] = rng.standard_normal((BATCH, HIDDEN)).astype(np.float32)
    if lengths is not None:
        values["valid_length"] = np.array(lengths, np.float32)
    return values


def make_cell(mx, case: str, values: dict):
    """The case's cell with its parameters set."""
    rnn = mx.gluon.rnn
    cls = rnn.LSTMCell if UNROLL_CASES[case][0] == "lstm" else rnn.GRUCell
    cell = cls(HIDDEN, input_size=FEATURES, prefix="cell_")
    cell.initialize()
    for name, param in cell.collect_params().items():   # inside a block: net_cell_...
        param.set_data(mx.nd.array(values["param:cell_" + name[len(cell.prefix):]]))
    return cell


def arrays(nd, values: dict) -> tuple:
    """The case's data, begin states and valid lengths (None without) as ``nd`` arrays."""
    states = [nd.array(values[k]) for k in sorted(values) if k.startswith("state")]
    lengths = values.get("valid_length")
    return nd.array(values["data"]), states, None if lengths is None else nd.array(lengths)


def record(mx, case: str, values: dict) -> dict:
    """Outputs, final states and the gradients of the data and of the input weights for the loss
    sum(outputs**2) + 3 * sum(final states), run eagerly under autograd."""
    cell = make_cell(mx, case, values)
    data, states, lengths = arrays(mx.nd, values)
    data.attach_grad()
    with mx.autograd.record():
        out, final = mx.gluon.contrib.rnn.rnn_cell.dynamic_unroll(
            cell, data, states, layout=UNROLL_CASES[case][1], valid_length=lengths)
        loss = (out * out).sum() + sum((f * 3).sum() for f in final)
    loss.backward()
    result = {"out": out.asnumpy(), "grad_data": data.grad.asnumpy(),
              "grad_i2h_weight": cell.i2h_weight.grad().asnumpy()}
    result.update({f"final{k}": f.asnumpy() for k, f in enumerate(final)})
    return result


def positional_rnn_inputs(rng: np.random.RandomState) -> dict:
    size = 4 * HIDDEN * FEATURES + 4 * HIDDEN * HIDDEN + 8 * HIDDEN
    return {"data": rng.standard_normal((STEPS, BATCH, FEATURES)).astype(np.float32),
            "params": rng.uniform(-0.3, 0.3, (size,)).astype(np.float32),
            "h0": rng.standard_normal((1, BATCH, HIDDEN)).astype(np.float32),
            "c0": rng.standard_normal((1, BATCH, HIDDEN)).astype(np.float32)}


def positional_rnn(mx, values: dict) -> list:
    """An LSTM through nd.RNN: data, parameters, state, state_cell (and no sequence_length), then
    state_size and num_layers, all by position."""
    nd = mx.nd
    outs = nd.RNN(nd.array(values["data"]), nd.array(values["params"]), nd.array(values["h0"]),
                  nd.array(values["c0"]), None, HIDDEN, 1, mode="lstm", state_outputs=True)
    return [o.asnumpy() for o in outs]


def main() -> None:
    import mxnet as mx
    rng = np.random.RandomState(0)
    result = {}
    for case in UNROLL_CASES:
        values = unroll_inputs(case, rng)
        for k, v in {**values, **record(mx, case, values)}.items():
            result[f"{case}:{k}"] = v
    values = positional_rnn_inputs(rng)
    outs = positional_rnn(mx, values)
    result.update({f"positional:{k}": v for k, v in values.items()})
    result.update({f"positional:out{j}": o for j, o in enumerate(outs)})
    np.savez_compressed(OUT, **result)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
