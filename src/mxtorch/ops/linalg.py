"""Linear algebra operators: ``nd.linalg.*`` / ``sym.linalg.*`` (``_linalg_gemm`` ... in the table,
also reachable as ``nd.linalg_gemm`` ...).

Every operator works on the trailing two axes of its float32 or float64 inputs as matrices (MXNet
refuses other types) and treats the leading axes as a batch (``gemm`` and ``gemm2`` can take the row
axis from elsewhere with ``axis``). Results that reduce a matrix to a number (``det``,
``sumlogdiag``...) have the batch shape, or ``(1,)`` for a single matrix, as MXNet's do. Gradients
are torch autograd's through the same torch.linalg calls.
"""
from __future__ import annotations

import math
from typing import Optional

import torch

from ..base import MXNetError
from .registry import Bool, Float, Int, op


def _batch_scalar(value: torch.Tensor) -> torch.Tensor:
    """A per-matrix number: MXNet gives a single matrix's result the shape ``(1,)``."""
    return value.reshape(1) if value.dim() == 0 else value


def _floating(name: str, *tensors: torch.Tensor) -> None:
    for t in tensors:
        if t.dtype not in (torch.float32, torch.float64):
            raise MXNetError(f"{name}: supports float32 and float64 inputs only, got "
                             f"{str(t.dtype).replace('torch.', '')}")


def _matrices(name: str, *tensors: torch.Tensor) -> None:
    _floating(name, *tensors)
    for t in tensors:
        if t.dim() < 2:
            raise MXNetError(f"{name}: expected an input of at least 2 dimensions (a matrix or a batch "
                             f"of them), got shape {tuple(t.shape)}")


def _square(name: str, t: torch.Tensor) -> None:
    _matrices(name, t)
    if t.shape[-1] != t.shape[-2]:
        raise MXNetError(f"{name}: expected square matrices in the trailing two axes, got shape "
                         f"{tuple(t.shape)}")


def _rows_axis(name: str, t: torch.Tensor, axis: int) -> int:
    """The row axis ``axis`` of ``t`` as a non-negative index; the column axis is the last one."""
    ndim = t.dim()
    _matrices(name, t)
    if not -ndim <= axis < ndim - 1 and axis != -2:
        raise MXNetError(f"{name}: axis {axis} is not a row axis of a {ndim}-dimensional input "
                         f"(the columns are the last axis)")
    return axis % ndim


def _product(name: str, a: torch.Tensor, b: torch.Tensor, transpose_a: bool, transpose_b: bool,
             alpha: float, axis: int) -> tuple:
    """``alpha * op(A) op(B)`` with the rows of the matrices along ``axis``; also that axis."""
    ax = _rows_axis(name, a, axis)
    a = a.movedim(ax, -2)
    b = b.movedim(_rows_axis(name, b, axis), -2)
    if transpose_a:
        a = a.transpose(-1, -2)
    if transpose_b:
        b = b.transpose(-1, -2)
    if a.shape[-1] != b.shape[-2]:
        raise MXNetError(f"{name}: the matrices cannot be multiplied: op(A) has {a.shape[-1]} columns, "
                         f"op(B) has {b.shape[-2]} rows")
    return torch.matmul(a, b) * alpha, ax


@op("_linalg_gemm", inputs=("A", "B", "C"), aliases=("linalg_gemm",),
    attrs={"transpose_a": Bool(False), "transpose_b": Bool(False), "alpha": Float(1.0),
           "beta": Float(1.0), "axis": Int(-2)})
def linalg_gemm(A, B, C, *, transpose_a, transpose_b, alpha, beta, axis):
    """General matrix multiply-add: ``alpha * op(A) * op(B) + beta * C``, with ``op`` the identity
    or the transpose, batched over the other axes (the rows lie along ``axis``)."""
    prod, ax = _product("linalg_gemm", A, B, transpose_a, transpose_b, alpha, axis)
    return prod.movedim(-2, ax) + beta * C


@op("_linalg_gemm2", inputs=("A", "B"), aliases=("linalg_gemm2",),
    attrs={"transpose_a": Bool(False), "transpose_b": Bool(False), "alpha": Float(1.0),
           "axis": Int(-2)})
def linalg_gemm2(A, B, *, transpose_a, transpose_b, alpha, axis):
    """General matrix multiply: ``alpha * op(A) * op(B)``, batched over the other axes (the rows
    lie along ``axis``)."""
    prod, ax = _product("linalg_gemm2", A, B, transpose_a, transpose_b, alpha, axis)
    return prod.movedim(-2, ax)


@op("_linalg_potrf", inputs=("A",), aliases=("linalg_potrf",))
def linalg_potrf(A):
    """Cholesky factor ``L`` (lower triangular, ``A = L * L^T``) of symmetric positive definite
    matrices. Only the lower triangle of ``A`` is read."""
    _square("linalg_potrf", A)
    return torch.linalg.cholesky(A)


@op("_linalg_potri", inputs=("A",), aliases=("linalg_potri",))
def linalg_potri(A):
    """The inverse ``(L * L^T)^-1`` of the matrix whose Cholesky factor ``L`` (lower triangular,
    as ``potrf`` gives it) is the input."""
    _square("linalg_potri", A)
    return torch.cholesky_inverse(A.tril())


def _triangular_operands(name: str, A: torch.Tensor, B: torch.Tensor, transpose: bool,
                         rightside: bool, lower: bool) -> torch.Tensor:
    """op(tri(A)): the lower (upper) triangle of A, transposed when asked; checks it fits B."""
    _square(name, A)
    _matrices(name, B)
    side = B.shape[-1] if rightside else B.shape[-2]
    if A.shape[-1] != side:
        raise MXNetError(f"{name}: the triangular matrix has size {A.shape[-1]} but B has {side} "
                         f"{'columns' if rightside else 'rows'}")
    tri = A.tril() if lower else A.triu()
    return tri.transpose(-1, -2) if transpose else tri


@op("_linalg_trmm", inputs=("A", "B"), aliases=("linalg_trmm",),
    attrs={"transpose": Bool(False), "rightside": Bool(False), "lower": Bool(True),
           "alpha": Float(1.0)})
def linalg_trmm(A, B, *, transpose, rightside, lower, alpha):
    """Triangular matrix multiply: ``alpha * op(A) * B`` (or ``alpha * B * op(A)`` with
    ``rightside``), where only the lower (``lower``) or upper triangle of ``A`` is read."""
    tri = _triangular_operands("linalg_trmm", A, B, transpose, rightside, lower)
    return torch.matmul(B, tri) * alpha if rightside else torch.matmul(tri, B) * alpha


@op("_linalg_trsm", inputs=("A", "B"), aliases=("linalg_trsm",),
    attrs={"transpose": Bool(False), "rightside": Bool(False), "lower": Bool(True),
           "alpha": Float(1.0)})
def linalg_trsm(A, B, *, transpose, rightside, lower, alpha):
    """Triangular solve: ``X`` with ``op(A) * X = alpha * B`` (or ``X * op(A) = alpha * B`` with
    ``rightside``), where only the lower (``lower``) or upper triangle of ``A`` is read."""
    tri = _triangular_operands("linalg_trsm", A, B, transpose, rightside, lower)
    upper = lower == transpose  # the triangle op(A) keeps
    return torch.linalg.solve_triangular(tri, B * alpha, upper=upper, left=not rightside)


@op("_linalg_syrk", inputs=("A",), aliases=("linalg_syrk",),
    attrs={"transpose": Bool(False), "alpha": Float(1.0)})
def linalg_syrk(A, *, transpose, alpha):
    """Symmetric rank-k update: ``alpha * A * A^T`` (``alpha * A^T * A`` with ``transpose``)."""
    _matrices("linalg_syrk", A)
    At = A.transpose(-1, -2)
    return torch.matmul(At, A) * alpha if transpose else torch.matmul(A, At) * alpha


@op("_linalg_gelqf", inputs=("A",), aliases=("linalg_gelqf",), num_outputs=2)
def linalg_gelqf(A):
    """LQ factorization ``A = L * Q`` of full-rank matrices with no more rows than columns:
    ``Q`` has orthonormal rows, ``L`` is lower triangular. Returns ``(Q, L)``; the signs are
    LAPACK's (Householder reflections, as MXNet's gelqf/orglq give them)."""
    _matrices("linalg_gelqf", A)
    if A.shape[-2] > A.shape[-1]:
        raise MXNetError(f"linalg_gelqf: expected matrices with no more rows than columns, got shape "
                         f"{tuple(A.shape)}")
    # the QR factorization of A^T is the LQ factorization of A transposed
    q, r = torch.linalg.qr(A.transpose(-1, -2), mode="reduced")
    return q.transpose(-1, -2), r.transpose(-1, -2)


@op("_linalg_syevd", inputs=("A",), num_outputs=2)
def linalg_syevd(A):
    """Eigendecomposition of symmetric matrices: ``U * A = diag(L) * U`` with orthonormal ``U``
    (one eigenvector per row) and the eigenvalues ``L`` in ascending order. Each eigenvector's
    sign makes its entry of largest magnitude (the first such) positive, as in MXNet. Only the
    lower triangle of ``A`` is read."""
    _square("linalg_syevd", A)
    values, vectors = torch.linalg.eigh(A)
    rows = vectors.transpose(-1, -2)
    largest = rows.detach().abs().argmax(dim=-1, keepdim=True)
    sign = torch.sign(torch.gather(rows.detach(), -1, largest))
    return rows * torch.where(sign == 0, torch.ones_like(sign), sign), values


@op("_linalg_sumlogdiag", inputs=("A",), aliases=("linalg_sumlogdiag",))
def linalg_sumlogdiag(A):
    """The sum of the natural logarithms of the diagonal of square matrices."""
    _square("linalg_sumlogdiag", A)
    return _batch_scalar(torch.diagonal(A, dim1=-2, dim2=-1).log().sum(-1))


def _check_offset(name: str, n: int, offset: int) -> None:
    if abs(offset) >= n:
        raise MXNetError(f"{name}: offset {offset} is outside a matrix of size {n}")


@op("_linalg_extractdiag", inputs=("A",), aliases=("linalg_extractdiag",),
    attrs={"offset": Int(0)})
def linalg_extractdiag(A, *, offset):
    """The diagonal (``offset > 0`` one above it, ``offset < 0`` one below) of square matrices."""
    _square("linalg_extractdiag", A)
    _check_offset("linalg_extractdiag", A.shape[-1], offset)
    return torch.diagonal(A, offset=offset, dim1=-2, dim2=-1)


@op("_linalg_makediag", inputs=("A",), aliases=("linalg_makediag",), attrs={"offset": Int(0)})
def linalg_makediag(A, *, offset):
    """Square matrices with the vectors of the last axis on their diagonal (``offset`` above or
    below it) and zeros elsewhere."""
    _floating("linalg_makediag", A)
    if A.dim() < 1:
        raise MXNetError("linalg_makediag: expected an input of at least 1 dimension")
    return torch.diag_embed(A, offset=offset, dim1=-2, dim2=-1)


def _triangle(n: int, offset: int, lower: bool, device: torch.device) -> tuple:
    """(row, column) indices of the triangle ``extracttrian``/``maketrian`` address, in MXNet's
    order: a lower triangle row by row, an upper one column by column (the lower triangle of the
    transpose). A nonzero ``offset`` chooses the side by its sign, ``lower`` decides only at 0."""
    if offset < 0 or (offset == 0 and lower):
        rows, cols = torch.tril_indices(n, n, offset, device=device)
        return rows, cols
    cols, rows = torch.tril_indices(n, n, -offset, device=device)
    return rows, cols


@op("_linalg_extracttrian", inputs=("A",), aliases=("linalg_extracttrian",),
    attrs={"offset": Int(0), "lower": Bool(True)})
def linalg_extracttrian(A, *, offset, lower):
    """The lower (upper) triangle of square matrices, read row by row (column by column) into a
    vector; ``offset`` moves its border off the diagonal (below it when negative, above when
    positive)."""
    _square("linalg_extracttrian", A)
    n = A.shape[-1]
    _check_offset("linalg_extracttrian", n, offset)
    rows, cols = _triangle(n, offset, lower, A.device)
    return A[..., rows, cols]


@op("_linalg_maketrian", inputs=("A",), aliases=("linalg_maketrian",),
    attrs={"offset": Int(0), "lower": Bool(True)})
def linalg_maketrian(A, *, offset, lower):
    """Square triangular matrices filled from the vectors of the last axis (the inverse
    of ``extracttrian`` with the same ``offset`` and ``lower``); zeros elsewhere."""
    _floating("linalg_maketrian", A)
    if A.dim() < 1:
        raise MXNetError("linalg_maketrian: expected an input of at least 1 dimension")
    m = A.shape[-1]
    k = _triangle_size(m)
    if k is None:
        raise MXNetError(f"linalg_maketrian: the last axis has {m} entries, which is not the size "
                         f"k * (k + 1) / 2 of a triangle")
    n = k + abs(offset)
    rows, cols = _triangle(n, offset, lower, A.device)
    out = A.new_zeros((*A.shape[:-1], n * n))
    return out.index_copy(-1, rows * n + cols, A).reshape(*A.shape[:-1], n, n)


def _triangle_size(m: int) -> Optional[int]:
    k = (math.isqrt(8 * m + 1) - 1) // 2
    return k if k >= 1 and k * (k + 1) // 2 == m else None


@op("_linalg_inverse", inputs=("A",), aliases=("linalg_inverse",))
def linalg_inverse(A):
    """The inverse of square matrices."""
    _square("linalg_inverse", A)
    return torch.linalg.inv(A)


# MXNet keeps the LU factors and pivots of det and slogdet as hidden outputs (for the gradient)
@op("_linalg_det", inputs=("A",), aliases=("linalg_det",), hidden_outputs=2,
    output_names=lambda attrs: ["output0"])
def linalg_det(A):
    """The determinant of square matrices."""
    _square("linalg_det", A)
    return _batch_scalar(torch.linalg.det(A))


@op("_linalg_slogdet", inputs=("A",), aliases=("linalg_slogdet",), num_outputs=2,
    hidden_outputs=2)
def linalg_slogdet(A):
    """The sign and the natural logarithm of the absolute value of the determinant of square
    matrices: ``(sign, logabsdet)``."""
    _square("linalg_slogdet", A)
    sign, logabsdet = torch.linalg.slogdet(A)
    return _batch_scalar(sign), _batch_scalar(logabsdet)
