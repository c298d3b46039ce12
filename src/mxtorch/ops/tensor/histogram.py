"""Histogram of an array (MXNet's ``histogram``)."""
from __future__ import annotations

from typing import Optional

import torch

from ...base import MXNetError
from ..registry import Floats, Int, op


def _histogram_edges(data: torch.Tensor, bin_cnt: int, value_range: Optional[tuple]) -> torch.Tensor:
    if value_range is None or len(value_range) != 2:
        raise MXNetError("_histogram: bin_cnt and range must be given together (range as (lower, "
                         f"upper)), got bin_cnt={bin_cnt}, range={value_range}")
    low, high = value_range
    if low > high:
        raise MXNetError(f"_histogram: the lower end of range ({low}) must not exceed the upper end "
                         f"({high})")
    steps = torch.arange(bin_cnt + 1, dtype=torch.float64, device=data.device)
    return (low + steps * ((high - low) / bin_cnt)).to(data.dtype)


@op("_histogram", inputs=("data", "bins"),
    attrs={"bin_cnt": Int(None, optional=True), "range": Floats(None, optional=True)},
    active_inputs=lambda attrs: ("data",) if attrs["bin_cnt"] is not None else ("data", "bins"),
    num_outputs=2)
def histogram(data, bins=None, *, bin_cnt, range):  # noqa: A002 - MXNet's attribute name
    """Computes the histogram of the flattened input: the count of values in each bin (int64) and
    the bin edges. The bins are ``bin_cnt`` equal-width bins over ``range``, or the given ``bins``
    edges (increasing, the rightmost included). Values outside the edges are ignored."""
    edges = bins if bin_cnt is None else _histogram_edges(data, bin_cnt, range)
    if edges.dim() != 1 or edges.numel() < 2:
        raise MXNetError(f"_histogram: bins must be a 1-D array of at least 2 edges, got shape "
                         f"{tuple(edges.shape)}")
    n_bins = edges.numel() - 1
    values = data.reshape(-1).to(edges.dtype)
    inside = (values >= edges[0]) & (values <= edges[-1])  # NaN is never inside
    values = values[inside]
    # bin i holds edges[i] <= v < edges[i + 1]; the last bin also holds its right edge
    index = (torch.searchsorted(edges, values, right=True) - 1).clamp_(max=n_bins - 1)
    return torch.bincount(index, minlength=n_bins), edges


@histogram.shape
def _(attrs, data, bins=None):
    if attrs["bin_cnt"] is not None:
        return [data], [(attrs["bin_cnt"],), (attrs["bin_cnt"] + 1,)]
    n_edges = None if bins is None else bins[0]
    return [data, bins], [None if n_edges is None else (n_edges - 1,), bins]
