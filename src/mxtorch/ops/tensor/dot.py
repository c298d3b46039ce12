"""Products of arrays (MXNet's ``dot`` and ``krprod``): dot, batch_dot, khatri_rao."""
from __future__ import annotations

import torch

from ...base import MXNetError
from ..registry import Bool, Enum, Int, op
from ._common import _same_dtype

# -- products ----------------------------------------------------------------------------------
_STYPE = Enum(("csr", "default", "row_sparse"), None, optional=True)


@op("dot", inputs=("lhs", "rhs"), attrs={"transpose_a": Bool(False), "transpose_b": Bool(False),
                                         "forward_stype": _STYPE})
def dot(lhs, rhs, *, transpose_a, transpose_b, forward_stype):
    """Dot product of two arrays.

    For N-D arrays the last axis of ``lhs`` is contracted with the first axis of ``rhs``
    (``transpose_a`` contracts the first axis of ``lhs`` instead, ``transpose_b`` the last axis
    of ``rhs``): shapes (a, b, k) and (k, c, d) give (a, b, c, d).
    """
    _same_dtype("dot", lhs, rhs)
    if lhs.dim() == 1 and rhs.dim() == 1:
        if transpose_a or transpose_b:
            raise MXNetError("dot: cannot transpose vectors")
        return torch.dot(lhs, rhs)
    la = 0 if transpose_a else lhs.dim() - 1
    ra = rhs.dim() - 1 if transpose_b else 0
    if lhs.shape[la] != rhs.shape[ra]:
        raise MXNetError(f"dot: shape mismatch, lhs {tuple(lhs.shape)} (transpose_a={transpose_a}) "
                         f"and rhs {tuple(rhs.shape)} (transpose_b={transpose_b}) do not share "
                         "the contracted dimension")
    return torch.tensordot(lhs, rhs, dims=([la], [ra]))


@op("batch_dot", inputs=("lhs", "rhs"), attrs={"transpose_a": Bool(False),
                                               "transpose_b": Bool(False), "forward_stype": _STYPE})
def batch_dot(lhs, rhs, *, transpose_a, transpose_b, forward_stype):
    """Batchwise dot product: (B.., M, K) x (B.., K, N) -> (B.., M, N), the two last axes of
    each operand transposed first when ``transpose_a``/``transpose_b`` is set."""
    _same_dtype("batch_dot", lhs, rhs)
    if lhs.dim() < 3 or lhs.dim() != rhs.dim() or lhs.shape[:-2] != rhs.shape[:-2]:
        raise MXNetError(f"batch_dot: operands must be arrays of the same rank >= 3 with equal "
                         f"batch dimensions, got {tuple(lhs.shape)} and {tuple(rhs.shape)}")
    a = lhs.transpose(-1, -2) if transpose_a else lhs
    b = rhs.transpose(-1, -2) if transpose_b else rhs
    if a.shape[-1] != b.shape[-2]:
        raise MXNetError(f"batch_dot: shape mismatch, {tuple(lhs.shape)} (transpose_a="
                         f"{transpose_a}) and {tuple(rhs.shape)} (transpose_b={transpose_b})")
    return torch.matmul(a, b)


@op("khatri_rao", inputs=("args",), variadic="num_args", attrs={"num_args": Int()})
def khatri_rao(*args, num_args):
    """Computes the Khatri-Rao product (column-wise Kronecker product) of the input matrices,
    each (n_i, k): the result is (prod n_i, k)."""
    out = args[0]
    for m in args[1:]:
        if m.dim() != 2 or m.shape[1] != out.shape[1]:
            raise MXNetError(f"khatri_rao: inputs must be matrices with the same number of "
                             f"columns, got {[tuple(a.shape) for a in args]}")
        out = (out.unsqueeze(1) * m.unsqueeze(0)).reshape(-1, out.shape[1])
    return out
