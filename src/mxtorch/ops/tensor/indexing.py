"""Indexing operators (MXNet's ``indexing_op`` and ``ravel``): take, batch_take, pick,
gather_nd, scatter_nd, one_hot, ravel/unravel of multi-indices."""
from __future__ import annotations

import math

import torch

from ...base import MXNetError, to_torch_dtype
from ..registry import Bool, DType, Enum, Float, Int, Shape, op


def _index_tensor(index: torch.Tensor, size: int, mode: str, name: str) -> torch.Tensor:
    """Float or int indices as int64, truncated toward zero then clipped or wrapped into range."""
    idx = index.long() if not index.is_floating_point() else index.trunc().long()
    if mode == "wrap":
        return idx.remainder(size)
    if mode == "raise":
        if bool(((idx < 0) | (idx >= size)).any()):
            raise MXNetError(f"{name}: indices out of bounds for an axis of size {size}")
        return idx
    return idx.clamp(0, size - 1)


@op("take", inputs=("a", "indices"), attrs={"axis": Int(0),
                                            "mode": Enum(("clip", "raise", "wrap"), "clip")},
    untied_inputs=("indices",))
def take(a, indices, *, axis, mode):
    """Takes elements from an input array along the given axis:
    the output shape is ``a.shape[:axis] + indices.shape + a.shape[axis + 1:]``."""
    axis = axis % a.dim()
    idx = _index_tensor(indices, a.shape[axis], mode, "take")
    out = torch.index_select(a, axis, idx.reshape(-1))
    return out.reshape(*a.shape[:axis], *indices.shape, *a.shape[axis + 1:])


@op("batch_take", inputs=("a", "indices"), untied_inputs=("indices",))
def batch_take(a, indices):
    """Takes one element per row: ``out[i] = a[i, indices[i]]`` (indices clipped into range)."""
    idx = _index_tensor(indices, a.shape[-1], "clip", "batch_take").reshape(-1, 1)
    return torch.gather(a.reshape(idx.shape[0], -1), 1, idx).reshape(indices.shape)


@op("pick", inputs=("data", "index"), attrs={"axis": Int(-1, optional=True),
                                             "keepdims": Bool(False),
                                             "mode": Enum(("clip", "wrap"), "clip")},
    aliases=("choose_element_0index",), untied_inputs=("index",))
def pick(data, index, *, axis, keepdims, mode):
    """Picks elements from an input array according to the indices along the given axis."""
    if axis is None:
        raise MXNetError("pick: axis=None is not supported; specify an axis")
    axis = axis % data.dim()
    idx = _index_tensor(index, data.shape[axis], mode, "pick")
    keep_shape = data.shape[:axis] + (1,) + data.shape[axis + 1:]
    out = torch.gather(data, axis, idx.reshape(keep_shape))
    return out if keepdims else out.squeeze(axis)


@op("gather_nd", inputs=("data", "indices"), untied_inputs=("indices",))
def gather_nd(data, indices):
    """Gathers elements or slices from ``data`` into an array of shape
    ``indices.shape[1:] + data.shape[indices.shape[0]:]``."""
    idx = indices.long()
    return data[tuple(idx[i] for i in range(idx.shape[0]))]


@op("scatter_nd", inputs=("data", "indices"), attrs={"shape": Shape()}, untied_inputs=("indices",))
def scatter_nd(data, indices, *, shape):
    """Scatters ``data`` into a new zero array of ``shape`` at the positions ``indices``
    (the inverse of gather_nd)."""
    idx = indices.long()
    out = torch.zeros(shape, dtype=data.dtype, device=data.device)
    return out.index_put(tuple(idx[i] for i in range(idx.shape[0])), data)


@op("one_hot", inputs=("indices",), attrs={"depth": Int(), "on_value": Float(1.0),
                                           "off_value": Float(0.0), "dtype": DType("float32")})
def one_hot(indices, *, depth, on_value, off_value, dtype):
    """Returns a one-hot array: ``out[..., i] = on_value`` where ``i == indices[...]``,
    ``off_value`` elsewhere (indices out of [0, depth) select nothing)."""
    idx = indices.trunc().long() if indices.is_floating_point() else indices.long()
    hot = (idx.unsqueeze(-1) == torch.arange(depth, device=idx.device))
    on = torch.tensor(on_value, dtype=torch.float64, device=idx.device)
    off = torch.tensor(off_value, dtype=torch.float64, device=idx.device)
    return torch.where(hot, on, off).to(to_torch_dtype(dtype))


@op("_ravel_multi_index", attrs={"shape": Shape(None, optional=True)},
    aliases=("ravel_multi_index",))
def ravel_multi_index(data, *, shape):
    """Converts a batch of index arrays (ndim, N) into flat indices (N,) of an array of ``shape``."""
    strides = torch.tensor([math.prod(shape[i + 1:]) for i in range(len(shape))],
                           dtype=torch.float64, device=data.device)
    return (data.double() * strides.reshape(-1, *(1,) * (data.dim() - 1))).sum(0).to(data.dtype)


@op("_unravel_index", attrs={"shape": Shape(None, optional=True)}, aliases=("unravel_index",))
def unravel_index(data, *, shape):
    """Converts flat indices (N,) into a batch of index arrays (ndim, N) for ``shape``."""
    flat = data.long()
    coords = []
    for size in reversed(shape):
        coords.append(flat.remainder(size))
        flat = torch.div(flat, size, rounding_mode="floor")
    return torch.stack(coords[::-1]).to(data.dtype)
