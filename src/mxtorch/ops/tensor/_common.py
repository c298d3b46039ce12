"""Checks and conversions that several tensor operator families share."""
from __future__ import annotations

from typing import Sequence

import torch

from ...base import MXNetError, to_torch_dtype


def _same_dtype(name: str, lhs: torch.Tensor, rhs: torch.Tensor) -> None:
    if lhs.dtype != rhs.dtype:
        raise MXNetError(f"{name}: operands must have the same dtype, got {lhs.dtype} and "
                         f"{rhs.dtype} (use astype to convert one)")


def _as_tensor_like(a: torch.Tensor, b) -> torch.Tensor:
    """A scalar operand as a 0-d tensor of ``a``'s dtype (MXNet casts scalars to the array dtype)."""
    if isinstance(b, torch.Tensor):
        return b
    return torch.tensor(b, dtype=a.dtype, device=a.device)


def _uniform_dtype(name: str, arrays: Sequence[torch.Tensor]) -> None:
    for i, a in enumerate(arrays[1:], 1):
        if a.dtype != arrays[0].dtype:
            raise MXNetError(f"{name}: non-uniform data type, expected {arrays[0].dtype}, got "
                             f"{a.dtype} for input {i}")


def dtype_in(name: str, dtype: str, allowed: Sequence[str]) -> torch.dtype:
    """The torch dtype of a parsed ``DType`` attribute the operator accepts (MXNet's dtype
    attributes are enumerations; ``DType`` also parses numpy types such as ``np.int32``)."""
    if dtype not in allowed:
        raise MXNetError(f"{name}: dtype {dtype!r} is not supported; expected one of "
                         f"{list(allowed)}")
    return to_torch_dtype(dtype)


def _cast_scalar(value: float, dtype: torch.dtype):
    if dtype == torch.bool:
        return bool(value)
    return value if dtype.is_floating_point else int(value)
