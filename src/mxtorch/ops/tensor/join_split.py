"""Joining and splitting arrays (MXNet's ``concat``, ``stack``, ``slice_channel`` and
``_split_v2``)."""
from __future__ import annotations

import torch

from ...base import MXNetError
from ..registry import Bool, Int, Shape, op
from ._common import _uniform_dtype

# -- joining and splitting -------------------------------------------------------------------


@op("Concat", variadic="num_args", attrs={"num_args": Int(), "dim": Int(1)},
    aliases=("concat",), plot_color="shape")
def concat(*data, num_args, dim):
    """Joins input arrays along a given axis (all other dimensions must match)."""
    _uniform_dtype("Concat", data)
    try:
        return torch.cat(data, dim=dim)
    except (RuntimeError, IndexError) as err:
        raise MXNetError(f"Concat: cannot join shapes {[tuple(d.shape) for d in data]} along "
                         f"dim={dim}: {err}") from None


@op("stack", variadic="num_args", attrs={"axis": Int(0), "num_args": Int()})
def stack(*data, axis, num_args):
    """Joins a sequence of arrays of the same shape along a new axis."""
    _uniform_dtype("stack", data)
    if any(d.shape != data[0].shape for d in data):
        raise MXNetError(f"stack: all inputs must have the same shape, got "
                         f"{[tuple(d.shape) for d in data]}")
    return torch.stack(data, dim=axis)


@op("SliceChannel", attrs={"num_outputs": Int(), "axis": Int(1), "squeeze_axis": Bool(False)},
    aliases=("split",), num_outputs=lambda attrs: attrs["num_outputs"])
def slice_channel(data, *, num_outputs, axis, squeeze_axis):
    """Splits an array along a particular axis into ``num_outputs`` equal parts
    (``squeeze_axis`` removes the split axis, whose parts must then have size 1)."""
    size = data.shape[axis]
    if num_outputs < 1 or size % num_outputs:
        raise MXNetError(f"split: cannot split axis {axis} of shape {tuple(data.shape)} into "
                         f"num_outputs={num_outputs} evenly sized chunks")
    if squeeze_axis and size != num_outputs:
        raise MXNetError(f"split: with squeeze_axis the size of the split axis ({size}) must "
                         f"equal num_outputs ({num_outputs})")
    parts = [p.squeeze(axis) if squeeze_axis else p
             for p in torch.split(data, size // num_outputs, dim=axis)]
    return parts[0] if num_outputs == 1 else tuple(parts)


def _split_v2_outputs(attrs: dict) -> int:
    return attrs["sections"] if attrs["sections"] > 0 else len(attrs["indices"])


@op("_split_v2", attrs={"indices": Shape(), "axis": Int(1), "squeeze_axis": Bool(False),
                        "sections": Int(0)}, num_outputs=_split_v2_outputs)
def split_v2(data, *, indices, axis, squeeze_axis, sections):
    """Splits an array along ``axis`` into ``sections`` equal parts, or at ``indices`` (whose
    first entry is 0): part i runs from indices[i] to indices[i + 1]."""
    size = data.shape[axis]
    if sections > 0:
        if size % sections:
            raise MXNetError(f"split_v2: axis {axis} of size {size} cannot be split into "
                             f"{sections} equal sections")
        bounds = list(range(0, size, size // sections))
    else:
        bounds = list(indices)
    parts = [data.narrow(axis, b, e - b) for b, e in zip(bounds, bounds[1:] + [size])]
    if squeeze_axis:
        parts = [p.squeeze(axis) for p in parts]
    return parts[0] if len(parts) == 1 else tuple(parts)
