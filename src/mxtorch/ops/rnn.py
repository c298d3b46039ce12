"""Recurrent operators: the fused ``RNN`` (vanilla, LSTM, GRU; stacked, bidirectional, projected) on
torch's fused kernels, and ``_rnn_param_concat``, which the Gluon layers use to pack their
parameters into the one vector ``RNN`` reads.

``RNN`` reads its weights as MXNet packs them: one flat vector holding every weight matrix first
(layer by layer, direction by direction: i2h, h2h, then h2r with a projection), then every bias
(same order: i2h, h2h). Gates are stacked in the order torch uses as well (LSTM: input, forget,
cell, output; GRU: reset, update, new), so unpacking is slicing, never reordering.
"""
from __future__ import annotations

from typing import Any, Optional

import torch

from ..base import MXNetError
from .nn import assign_shape
from .registry import Bool, Enum, Float, Int, op

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}
_MODES = ("gru", "lstm", "rnn_relu", "rnn_tanh")


def _directions(attrs: dict) -> int:
    return 2 if attrs["bidirectional"] else 1


def _out_size(attrs: dict) -> int:
    """The size of one direction's output (and hidden state): the projection when there is one."""
    return attrs["projection_size"] or attrs["state_size"]


def rnn_param_shapes(attrs: dict, input_size: int) -> list:
    """The shapes packed into ``RNN``'s parameter vector, in MXNet's order: every weight (per
    layer, per direction: i2h, h2h, h2r with a projection), then every bias (i2h, h2h)."""
    ng, hidden, layers, dirs = _GATES[attrs["mode"]], attrs["state_size"], attrs["num_layers"], \
        _directions(attrs)
    proj = attrs["projection_size"]
    weights, biases = [], []
    size = input_size
    for _ in range(layers):
        for _ in range(dirs):
            weights += [(ng * hidden, size), (ng * hidden, proj or hidden)]
            if proj:
                weights.append((proj, hidden))
            biases += [(ng * hidden,), (ng * hidden,)]
        size = (proj or hidden) * dirs
    return weights + biases


def rnn_param_size(attrs: dict, input_size: int) -> int:
    """The length of ``RNN``'s parameter vector for inputs of ``input_size`` features."""
    total = 0
    for shape in rnn_param_shapes(attrs, input_size):
        count = 1
        for d in shape:
            count *= d
        total += count
    return total


def _unpack(params: torch.Tensor, attrs: dict, input_size: int) -> list:
    """Slices of the flat vector in torch's order: per layer and direction w_ih, w_hh, b_ih, b_hh
    (then w_hr with a projection)."""
    shapes = rnn_param_shapes(attrs, input_size)
    expected = rnn_param_size(attrs, input_size)
    if params.dim() != 1 or params.numel() != expected:
        raise MXNetError(f"RNN: the parameters must be a vector of {expected} values for "
                         f"input size {input_size} and attributes {attrs}, got shape "
                         f"{tuple(params.shape)}")
    pieces, at = [], 0
    for shape in shapes:
        count = shape[0] * (shape[1] if len(shape) > 1 else 1)
        pieces.append(params[at:at + count].view(shape))
        at += count
    per_cell = 3 if attrs["projection_size"] else 2
    cells = attrs["num_layers"] * _directions(attrs)
    weights, biases = pieces[:cells * per_cell], pieces[cells * per_cell:]
    flat = []
    for k in range(cells):
        w = weights[k * per_cell:(k + 1) * per_cell]
        flat += [w[0], w[1], biases[2 * k], biases[2 * k + 1]] + w[2:]
    return flat


def _check_state(name: str, tensor: torch.Tensor, expected: tuple) -> None:
    if tuple(tensor.shape) != expected:
        raise MXNetError(f"RNN: shape inconsistent for input '{name}': provided "
                         f"{tuple(tensor.shape)}, inferred {expected}")


def _rnn_inputs(attrs: dict) -> tuple:
    names = ["data", "parameters", "state"]
    if attrs["mode"] == "lstm":
        names.append("state_cell")
    if attrs["use_sequence_length"]:
        names.append("sequence_length")
    return tuple(names)


def _rnn_outputs(attrs: dict) -> int:
    if not attrs["state_outputs"]:
        return 1
    return 3 if attrs["mode"] == "lstm" else 2


def _validate(attrs: dict) -> None:
    if attrs["projection_size"] is not None and attrs["mode"] != "lstm":
        raise MXNetError(f"RNN: projection_size is supported only for mode 'lstm', got mode "
                         f"'{attrs['mode']}'")
    if attrs["projection_size"] is not None and attrs["projection_size"] >= attrs["state_size"]:
        raise MXNetError(f"RNN: projection_size ({attrs['projection_size']}) must be smaller than "
                         f"state_size ({attrs['state_size']})")
    clips = (attrs["lstm_state_clip_min"], attrs["lstm_state_clip_max"])
    if (clips[0] is None) != (clips[1] is None):
        raise MXNetError("RNN: lstm_state_clip_min and lstm_state_clip_max must be given together")
    if clips[0] is not None and attrs["mode"] != "lstm":
        raise MXNetError("RNN: lstm_state_clip_min/max apply only to mode 'lstm'")


@op("RNN", inputs=("data", "parameters", "state", "state_cell", "sequence_length"),
    attrs={"state_size": Int(), "num_layers": Int(), "bidirectional": Bool(False),
           "mode": Enum(_MODES), "p": Float(0.0), "state_outputs": Bool(False),
           "projection_size": Int(None), "lstm_state_clip_min": Float(None),
           "lstm_state_clip_max": Float(None), "lstm_state_clip_nan": Bool(False),
           "use_sequence_length": Bool(False)},
    active_inputs=_rnn_inputs, num_outputs=_rnn_outputs,
    output_names=lambda a: ("output", "state_output", "statecell_output")[:_rnn_outputs(a)],
    learnable=("parameters",), untied_inputs=("sequence_length",), train_aware=True,
    fresh_outputs=True, plot_color="other",
    grad_note="with lstm_state_clip_min/max a clipped cell state passes no gradient through "
              "the clip")
def rnn(data, parameters, state, *rest, state_size, num_layers, bidirectional, mode, p,
        state_outputs, projection_size, lstm_state_clip_min, lstm_state_clip_max,
        lstm_state_clip_nan, use_sequence_length, is_train):
    """Applies a recurrent layer (vanilla RNN with tanh or relu, LSTM or GRU), stacked
    ``num_layers`` deep and optionally bidirectional, to a sequence of layout (T, N, C).

    The states have shape (num_layers * directions, N, state_size) (``projection_size`` for an
    LSTM's hidden state when projecting); ``parameters`` is the flat vector described by the
    module. With ``use_sequence_length`` each sequence ends at its own length: outputs past it are
    zero and the returned states are those at its last step (the reverse direction starts there).
    ``p`` is the dropout on every layer's output but the last, in training.
    """
    attrs = dict(state_size=state_size, num_layers=num_layers, bidirectional=bidirectional,
                 mode=mode, p=p, state_outputs=state_outputs, projection_size=projection_size,
                 lstm_state_clip_min=lstm_state_clip_min, lstm_state_clip_max=lstm_state_clip_max,
                 lstm_state_clip_nan=lstm_state_clip_nan, use_sequence_length=use_sequence_length)
    _validate(attrs)
    rest = list(rest)
    state_cell = rest.pop(0) if mode == "lstm" else None
    lengths = rest.pop(0) if use_sequence_length else None
    if data.dim() != 3:
        raise MXNetError(f"RNN: data must have 3 dimensions (T, N, C), got shape {tuple(data.shape)}")
    batch, features = data.shape[1:]
    dirs = _directions(attrs)
    _check_state("state", state, (num_layers * dirs, batch, _out_size(attrs)))
    if state_cell is not None:
        _check_state("state_cell", state_cell, (num_layers * dirs, batch, state_size))
    weights = _unpack(parameters, attrs, features)
    dropout = float(p) if is_train else 0.0
    hx: Any = (state, state_cell) if mode == "lstm" else state
    if lstm_state_clip_min is not None:
        outs = _clipped_lstm(data, state, state_cell, weights, attrs, dropout, lengths)
    elif lengths is None:
        outs = _FUSED[mode](data, hx, weights, True, num_layers, dropout, is_train, bidirectional,
                            False)
    else:
        outs = _packed(data, hx, weights, attrs, dropout, is_train, lengths)
    outs = tuple(outs)
    return outs[0] if not state_outputs else outs


_FUSED = {"rnn_tanh": torch._VF.rnn_tanh, "rnn_relu": torch._VF.rnn_relu, "lstm": torch._VF.lstm,
          "gru": torch._VF.gru}


def _lengths(lengths: torch.Tensor, steps: int, batch: int) -> torch.Tensor:
    lengths = lengths.reshape(-1)
    if lengths.numel() != batch:
        raise MXNetError(f"RNN: sequence_length must hold one length per batch element ({batch}), "
                         f"got shape {tuple(lengths.shape)}")
    lengths = lengths.to(torch.int64)
    if bool(((lengths < 1) | (lengths > steps)).any()):
        raise MXNetError(f"RNN: every sequence_length must be between 1 and the sequence length "
                         f"{steps}, got {lengths.tolist()}")
    return lengths


def _packed(data: torch.Tensor, hx: Any, weights: list, attrs: dict, dropout: float,
            is_train: bool, lengths: torch.Tensor) -> tuple:
    """The fused kernel on sequences of their own lengths (torch's packed sequences)."""
    steps, batch = data.shape[:2]
    lengths = _lengths(lengths, steps, batch)
    packed = torch.nn.utils.rnn.pack_padded_sequence(data, lengths.cpu(), enforce_sorted=False)
    order, back = packed.sorted_indices, packed.unsorted_indices
    hx = tuple(s.index_select(1, order) for s in hx) if isinstance(hx, tuple) \
        else hx.index_select(1, order)
    out, *states = _FUSED[attrs["mode"]](packed.data, packed.batch_sizes, hx, weights, True,
                                         attrs["num_layers"], dropout, is_train,
                                         attrs["bidirectional"])
    out, _ = torch.nn.utils.rnn.pad_packed_sequence(
        torch.nn.utils.rnn.PackedSequence(out, packed.batch_sizes, order, back), total_length=steps)
    return (out, *(s.index_select(1, back) for s in states))


def _clipped_lstm(data: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor, weights: list,
                  attrs: dict, dropout: float, lengths: Optional[torch.Tensor]) -> tuple:
    """An LSTM stepped in Python, its cell state clipped to [min, max] after every step (a NaN
    becomes the minimum with ``lstm_state_clip_nan``): torch's fused kernels do not clip."""
    lo, hi = attrs["lstm_state_clip_min"], attrs["lstm_state_clip_max"]
    steps, batch = data.shape[:2]
    valid = None
    if lengths is not None:
        valid = (torch.arange(steps, device=data.device)[:, None]
                 < _lengths(lengths, steps, batch).to(data.device)[None, :])
    dirs, per_cell = _directions(attrs), 5 if attrs["projection_size"] else 4
    layer_in, hs, cs = data, [], []
    for layer in range(attrs["num_layers"]):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w_ih, w_hh, b_ih, b_hh, *w_hr = weights[k * per_cell:(k + 1) * per_cell]
            h, c = h0[k], c0[k]
            seq: list = [None] * steps
            for t in (range(steps - 1, -1, -1) if d else range(steps)):
                gates = layer_in[t] @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh
                i, f, g, o = gates.chunk(4, dim=1)
                c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                if attrs["lstm_state_clip_nan"]:
                    c_new = torch.nan_to_num(c_new, nan=lo)
                c_new = c_new.clamp(lo, hi)
                h_new = torch.sigmoid(o) * torch.tanh(c_new)
                if w_hr:
                    h_new = h_new @ w_hr[0].t()
                if valid is not None:
                    keep = valid[t][:, None]
                    h_new, c_new = torch.where(keep, h_new, h), torch.where(keep, c_new, c)
                    seq[t] = torch.where(keep, h_new, torch.zeros_like(h_new))
                else:
                    seq[t] = h_new
                h, c = h_new, c_new
            outs.append(torch.stack(seq))
            hs.append(h)
            cs.append(c)
        layer_in = torch.cat(outs, dim=2) if dirs == 2 else outs[0]
        if dropout and layer < attrs["num_layers"] - 1:
            layer_in = torch.nn.functional.dropout(layer_in, dropout, training=True)
    return layer_in, torch.stack(hs), torch.stack(cs)


@rnn.shape
def _(attrs: dict, data: Any, parameters: Any = None, state: Any = None, *rest: Any) -> tuple:
    _validate(attrs)
    rest = list(rest)
    n_extra = len(_rnn_inputs(attrs)) - 3
    rest += [None] * (n_extra - len(rest))
    if data is None or len(data) != 3 or not data[1] or not data[2]:
        return [data, parameters, state, *rest], [None] * _rnn_outputs(attrs)
    steps, batch, features = data
    dirs, hidden = _directions(attrs), attrs["state_size"]
    layers = attrs["num_layers"]
    parameters = assign_shape("RNN", "parameters", parameters, (rnn_param_size(attrs, features),))
    state = assign_shape("RNN", "state", state, (layers * dirs, batch, _out_size(attrs)))
    extra = []
    if attrs["mode"] == "lstm":
        extra.append(assign_shape("RNN", "state_cell", rest[0], (layers * dirs, batch, hidden)))
    if attrs["use_sequence_length"]:
        extra.append(assign_shape("RNN", "sequence_length", rest[-1], (batch,)))
    outs = [(steps, batch, dirs * _out_size(attrs)), state]
    if attrs["mode"] == "lstm":
        outs.append(extra[0])
    return [data, parameters, state, *extra], outs[:_rnn_outputs(attrs)]


@op("_rnn_param_concat", variadic="num_args", attrs={"num_args": Int(), "dim": Int(1)},
    plot_color="shape")
def rnn_param_concat(*data: torch.Tensor, num_args: int, dim: int) -> torch.Tensor:
    """Joins the flattened parameters of a recurrent layer into the one vector ``RNN`` reads
    (a concatenation along ``dim``)."""
    try:
        return torch.cat(data, dim=dim)
    except (RuntimeError, IndexError) as err:
        raise MXNetError(f"_rnn_param_concat: cannot join shapes {[tuple(d.shape) for d in data]} "
                         f"along dim={dim}: {err}") from None



@rnn_param_concat.shape_from_outputs
def _pieces_from_total(attrs: dict, ins: list, outs: list) -> list:
    """Vector pieces (the flattened parameters) of unknown length share equally what the joined
    vector's known length leaves, as MXNet's rule does: they are the first layer's input weights,
    one per direction, all of the size the RNN's data decides."""
    total = outs[0]
    if total is None or len(total) != 1 or any(s is not None and len(s) != 1 for s in ins):
        return ins
    unknown = [k for k, s in enumerate(ins) if s is None or s[0] == 0]
    if not unknown:
        return ins
    rest = total[0] - sum(s[0] for k, s in enumerate(ins) if k not in unknown)
    if rest <= 0 or rest % len(unknown):
        raise MXNetError(f"_rnn_param_concat: {len(unknown)} piece(s) of unknown length cannot "
                         f"share the {rest} values that the known pieces {ins} leave in a vector "
                         f"of {total[0]}")
    return [(rest // len(unknown),) if k in unknown else s for k, s in enumerate(ins)]


@rnn_param_concat.shape
def _(attrs: dict, *shapes: Any) -> tuple:
    # a piece of unknown size (a deferred weight's 0 dimension) leaves the joined length unknown,
    # rather than counting as empty
    if any(s is None or 0 in s for s in shapes):
        return list(shapes), [None]
    dim = attrs["dim"] % len(shapes[0])
    joined = list(shapes[0])
    joined[dim] = sum(s[dim] for s in shapes)
    return list(shapes), [tuple(joined)]
