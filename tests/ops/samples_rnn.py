"""Samples of the recurrent operators: the fused RNN in each mode and ``_rnn_param_concat`` (see
sample.py).

MXNet 1.9.1's CPU kernel ignores ``use_sequence_length`` and ``lstm_state_clip_*`` and crashes on
``projection_size``, so those attributes have no golden here; tests/gluon/test_rnn.py checks them.
"""
from __future__ import annotations

try:
    from .sample import Sample
except ImportError:  # imported as a top-level module by the reference generator
    from sample import Sample

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


def _param_size(mode: str, inputs: int, hidden: int, layers: int, dirs: int) -> int:
    """The length of RNN's flat parameter vector (weights and biases of every layer)."""
    ng, size, total = _GATES[mode], inputs, 0
    for _ in range(layers):
        total += dirs * (ng * hidden * (size + hidden) + 2 * ng * hidden)
        size = hidden * dirs
    return total


def _rnn(mode: str, steps: int, batch: int, inputs: int, hidden: int, layers: int = 1,
         bidirectional: bool = False, state_outputs: bool = False, **extra) -> Sample:
    dirs = 2 if bidirectional else 1
    arrays = {"data": (steps, batch, inputs),
              "parameters": (_param_size(mode, inputs, hidden, layers, dirs),),
              "state": (layers * dirs, batch, hidden)}
    if mode == "lstm":
        arrays["state_cell"] = (layers * dirs, batch, hidden)
    attrs = {"state_size": hidden, "num_layers": layers, "mode": mode,
             "bidirectional": bidirectional, "state_outputs": state_outputs}
    ident = f"rnn_{mode}_l{layers}{'_bi' if bidirectional else ''}{'_states' if state_outputs else ''}"
    return Sample("RNN", arrays, attrs, id=ident, rtol=1e-4, atol=1e-5, **extra)


SAMPLES = [
    _rnn("rnn_tanh", 4, 2, 3, 5, state_outputs=True),
    # relu's kink makes central differences unreliable
    _rnn("rnn_relu", 3, 2, 3, 4, layers=2, bidirectional=True, fd=False),
    _rnn("lstm", 4, 3, 3, 4, state_outputs=True),
    _rnn("lstm", 3, 2, 2, 3, layers=2, bidirectional=True, state_outputs=True),
    _rnn("gru", 4, 2, 3, 4, state_outputs=True),
    _rnn("gru", 3, 2, 2, 3, layers=2, bidirectional=True),
    # dropout between layers is off outside training: the result is the plain stacked LSTM
    Sample("RNN", {"data": (3, 2, 2), "parameters": (_param_size("lstm", 2, 3, 2, 1),),
                   "state": (2, 2, 3), "state_cell": (2, 2, 3)},
           {"state_size": 3, "num_layers": 2, "mode": "lstm", "p": 0.5}, id="rnn_lstm_dropout_eval",
           rtol=1e-4),
    Sample("_rnn_param_concat", {"arg0": (6,), "arg1": (4,), "arg2": (3,)}, {"dim": 0},
           id="rnn_param_concat"),
]
