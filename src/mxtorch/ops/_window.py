"""Window arithmetic shared by Convolution, Deconvolution and Pooling (shape rules and padding)."""
from __future__ import annotations

import math
from typing import Sequence


def expand(value: Sequence[int], ndim: int, fill: int) -> tuple:
    """MXNet's empty tuple default (``stride=()``) means ``fill`` along every spatial axis."""
    return tuple(value) if len(value) else (fill,) * ndim


def conv_out(size: int, kernel: int, stride: int, pad: int, dilate: int = 1) -> int:
    """Output length of a convolution (or 'valid' pooling) along one axis."""
    return (size + 2 * pad - dilate * (kernel - 1) - 1) // stride + 1


def pool_out_full(size: int, kernel: int, stride: int, pad: int) -> int:
    """Output length of 'full' pooling (ceil instead of floor)."""
    return int(math.ceil((size + 2 * pad - kernel) / stride)) + 1


def deconv_out(size: int, kernel: int, stride: int, pad: int, dilate: int, adj: int) -> int:
    """Output length of a transposed convolution along one axis."""
    return stride * (size - 1) + dilate * (kernel - 1) + 1 - 2 * pad + adj
