"""Window arithmetic shared by Convolution, Deconvolution and Pooling (shape rules and padding)."""
from __future__ import annotations

from typing import Sequence

from ..base import MXNetError


def expand(value: Sequence[int], ndim: int, fill: int, op: str = "", what: str = "") -> tuple:
    """MXNet's empty tuple default (``stride=()``) means ``fill`` along every spatial axis.

    A non-empty value must have one entry per spatial axis (``op`` and ``what`` name it in the error).
    """
    if not len(value):
        return (fill,) * ndim
    if len(value) != ndim:
        raise MXNetError(f"{op}: {what} {tuple(value)} must have the same number of dimensions as "
                         f"the {ndim}-D kernel")
    return tuple(value)


def conv_out(size: int, kernel: int, stride: int, pad: int, dilate: int = 1) -> int:
    """Output length of a convolution along one axis (0, an unknown length, stays unknown)."""
    if not size:
        return 0
    return (size + 2 * pad - dilate * (kernel - 1) - 1) // stride + 1


def deconv_out(size: int, kernel: int, stride: int, pad: int, dilate: int, adj: int) -> int:
    """Output length of a transposed convolution along one axis (0, unknown, stays unknown)."""
    if not size:
        return 0
    return stride * (size - 1) + dilate * (kernel - 1) + 1 - 2 * pad + adj


def deconv_pad_adj(size: int, kernel: int, stride: int, dilate: int, target: int) -> tuple:
    """(pad, adj) that make a transposed convolution produce ``target`` (MXNet's InferPad);
    (0, 0) while the input length is unknown (0)."""
    if not size:
        return 0, 0
    total = stride * (size - 1) + dilate * (kernel - 1) + 1 - target
    if total < 0:
        raise MXNetError(f"Deconvolution: target_shape {target} is too big; at most "
                         f"{target + total} is reachable from input length {size}")
    return (total + 1) // 2, total % 2


def pool_out(size: int, kernel: int, stride: int, pad: int, convention: str) -> int:
    """Output length of pooling along one axis under MXNet's ``pooling_convention``.

    valid: ``floor((x + 2p - k) / s) + 1``; full: ``ceil((x + 2p - k) / s) + 1`` (Caffe's, which,
    unlike torch's ``ceil_mode``, keeps a last window that starts in the right padding);
    same: ``ceil(x / s)``.
    """
    if convention == "same":
        return -(-size // stride)
    if convention == "full":
        return -(-(size + 2 * pad - kernel) // stride) + 1
    return (size + 2 * pad - kernel) // stride + 1


def pool_window_counts(size: int, kernel: int, stride: int, pad: int, out: int,
                       include_pad: bool) -> list:
    """How many positions each pooling window covers along one axis: the divisor of 'avg'.

    Windows start at ``i * stride - pad``; with ``include_pad`` a window counts the padded range
    ``[-pad, size + pad)``, otherwise only the data ``[0, size)``. A window covering nothing counts 1
    (its sum is 0 and MXNet outputs 0).
    """
    lo, hi = (-pad, size + pad) if include_pad else (0, size)
    counts = []
    for i in range(out):
        start = i * stride - pad
        counts.append(max(min(start + kernel, hi) - max(start, lo), 1))
    return counts
