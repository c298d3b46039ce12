"""Sequence operators: ``SequenceMask``, ``SequenceLast``, ``SequenceReverse``.

Their data is time-major, ``(max_sequence_length, batch_size, ...)``, or batch-major with
``axis=1``; with ``use_sequence_length`` a second input, ``sequence_length`` of shape
``(batch_size,)``, gives each sequence's length (any numeric type; fractions are truncated), and
without it every sequence fills the whole time axis. ``sequence_length`` gets no gradient.
"""
from __future__ import annotations

from typing import Optional

import torch

from ..base import MXNetError
from .nn import assign_shape
from .registry import Bool, Float, Int, op

_ATTRS = {"use_sequence_length": Bool(False), "axis": Int(0)}


def _inputs(attrs: dict) -> tuple:
    return ("data", "sequence_length") if attrs["use_sequence_length"] else ("data",)


def _time_major(name: str, data: torch.Tensor, axis: int) -> torch.Tensor:
    """``data`` with time first and batch second."""
    if axis not in (0, 1):
        raise MXNetError(f"{name}: axis must be 0 (time-major) or 1 (batch-major), got {axis}")
    if data.dim() < 2:
        raise MXNetError(f"{name}: data must have at least 2 dimensions, got shape "
                         f"{tuple(data.shape)}")
    return data if axis == 0 else data.transpose(0, 1)


def _lengths(name: str, lengths: Optional[torch.Tensor], steps: int, batch: int,
             device: torch.device) -> torch.Tensor:
    """Each sequence's length as int64 on ``device`` (the full axis without ``lengths``)."""
    if lengths is None:
        return torch.full((batch,), steps, dtype=torch.int64, device=device)
    if tuple(lengths.shape) != (batch,):
        raise MXNetError(f"{name}: sequence_length must have shape ({batch},), got "
                         f"{tuple(lengths.shape)}")
    return lengths.detach().to(device=device).to(torch.int64)


def _valid(lengths: torch.Tensor, steps: int, ndim: int) -> torch.Tensor:
    """(steps, batch, 1, ...) booleans: which time steps each sequence has."""
    valid = torch.arange(steps, device=lengths.device).unsqueeze(1) < lengths.unsqueeze(0)
    return valid.reshape(*valid.shape, *([1] * (ndim - 2)))


def _seq_shape(output):
    def rule(attrs, data, sequence_length=None):
        ins = [data]
        if attrs["use_sequence_length"]:
            batch = None if data is None else (data[1 - attrs["axis"]],) if len(data) > 1 else None
            ins.append(assign_shape("Sequence", "sequence_length", sequence_length, batch)
                       if batch is not None else sequence_length)
        return ins, [None if data is None else output(attrs, tuple(data))]
    return rule


@op("SequenceMask", inputs=("data", "sequence_length"),
    attrs={"use_sequence_length": Bool(False), "value": Float(0.0), "axis": Int(0)},
    active_inputs=_inputs, untied_inputs=("sequence_length",), fresh_outputs=True)
def sequence_mask(data, sequence_length=None, *, use_sequence_length, value, axis):
    """Set the steps beyond each sequence's length to ``value``.

    data: ``(max_sequence_length, batch_size, ...)`` (``axis=0``) or
    ``(batch_size, max_sequence_length, ...)`` (``axis=1``); the output has its shape. Without
    ``use_sequence_length`` nothing is masked. The masked steps get no gradient.
    """
    x = _time_major("SequenceMask", data, axis)
    lengths = _lengths("SequenceMask", sequence_length, x.shape[0], x.shape[1], x.device)
    out = torch.where(_valid(lengths, x.shape[0], x.dim()), x,
                      torch.tensor(value, dtype=x.dtype, device=x.device))
    return out if axis == 0 else out.transpose(0, 1)


sequence_mask.shape(_seq_shape(lambda attrs, data: data))


@op("SequenceLast", inputs=("data", "sequence_length"), attrs=dict(_ATTRS),
    active_inputs=_inputs, untied_inputs=("sequence_length",), fresh_outputs=True)
def sequence_last(data, sequence_length=None, *, use_sequence_length, axis):
    """The last step of each sequence: ``data[length - 1]`` along the time axis, which the
    output drops (``(batch_size, ...)``). Without ``use_sequence_length``, the last step of all."""
    x = _time_major("SequenceLast", data, axis)
    lengths = _lengths("SequenceLast", sequence_length, x.shape[0], x.shape[1], x.device)
    if bool(((lengths < 1) | (lengths > x.shape[0])).any()):
        raise MXNetError(f"SequenceLast: sequence lengths must lie in [1, {x.shape[0]}], got "
                         f"{lengths.tolist()}")
    return x[lengths - 1, torch.arange(x.shape[1], device=x.device)]


sequence_last.shape(_seq_shape(lambda attrs, data: data[:attrs["axis"]] + data[attrs["axis"] + 1:]))


@op("SequenceReverse", inputs=("data", "sequence_length"), attrs=dict(_ATTRS),
    active_inputs=_inputs, untied_inputs=("sequence_length",), fresh_outputs=True)
def sequence_reverse(data, sequence_length=None, *, use_sequence_length, axis):
    """Reverse the first ``length`` steps of each sequence; the steps beyond stay where they are.
    Only ``axis=0`` (time-major data) is supported, as in MXNet."""
    if axis != 0:
        raise MXNetError(f"SequenceReverse: only axis=0 is supported, got {axis}")
    x = _time_major("SequenceReverse", data, axis)
    steps = x.shape[0]
    lengths = _lengths("SequenceReverse", sequence_length, steps, x.shape[1], x.device)
    t = torch.arange(steps, device=x.device).unsqueeze(1)
    # step t of sequence b reads step length-1-t where t < length, else t itself
    source = torch.where(t < lengths.unsqueeze(0), lengths.unsqueeze(0) - 1 - t, t)
    index = source.reshape(*source.shape, *([1] * (x.dim() - 2))).expand_as(x)
    return torch.gather(x, 0, index)


sequence_reverse.shape(_seq_shape(lambda attrs, data: data))
