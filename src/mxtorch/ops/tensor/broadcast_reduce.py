"""Reductions and broadcasts (MXNet's ``broadcast_reduce_op_*``): sum, mean, prod, max, min
and their nan forms, norm, moments, argmax/argmin, broadcast_to/axis/like."""
from __future__ import annotations

import math
from typing import Callable, Sequence

import torch

from ...base import MXNetError, to_torch_dtype
from ..registry import Bool, DType, Int, Shape, op


# -- reductions --------------------------------------------------------------------------------
def reduce_axes(ndim: int, axis, exclude: bool) -> tuple:
    """Axes to reduce for MXNet's ``axis``/``exclude``: all axes when axis is None or empty
    (whatever ``exclude`` says), else the given axes or, with ``exclude``, all the others."""
    if axis is None or axis == ():
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    for a in axes:
        if not -ndim <= a < ndim:
            raise MXNetError(f"axis {a} is out of bounds for an array of dimension {ndim}")
    axes = tuple(sorted({a % ndim for a in axes}))
    if exclude:
        axes = tuple(a for a in range(ndim) if a not in axes)
    return axes


def _flatten_axes(data: torch.Tensor, axes: tuple) -> torch.Tensor:
    """Move ``axes`` to the end and merge them into one (torch.prod reduces one axis at a time)."""
    keep = [d for d in range(data.dim()) if d not in axes]
    moved = data.permute(*keep, *axes)
    return moved.reshape(*[data.shape[d] for d in keep], -1)


def _keep_shape(data: torch.Tensor, axes: tuple) -> tuple:
    return tuple(1 if d in axes else n for d, n in enumerate(data.shape))


_REDUCE_ATTRS = {"axis": Shape(None, optional=True), "keepdims": Bool(False),
                 "exclude": Bool(False)}


def _declare_reduce(name: str, reduce: Callable, aliases: tuple = (), grad_note: str = "") -> None:
    """A reduction ``reduce(data, axes, keepdims)`` with MXNet's axis/keepdims/exclude handling:
    when no axis is left to reduce the output is a copy of the input."""

    def reduction(data, *, axis, keepdims, exclude):
        axes = reduce_axes(data.dim(), axis, exclude)
        if not axes:
            return data.clone()
        return reduce(data, axes, keepdims)

    reduction.__doc__ = f"Computes the {name} of array elements over given axes."
    op(name, attrs=_REDUCE_ATTRS, aliases=aliases, fresh_outputs=True, grad_note=grad_note)(reduction)


def _sum(data: torch.Tensor, axes: tuple, keepdims: bool) -> torch.Tensor:
    # keep the input dtype: MXNet accumulates int8/uint8/int32 sums in that type
    return torch.sum(data, dim=axes, keepdim=keepdims, dtype=data.dtype)


def _mean(data: torch.Tensor, axes: tuple, keepdims: bool) -> torch.Tensor:
    if data.is_floating_point():
        return torch.mean(data, dim=axes, keepdim=keepdims)
    count = math.prod(data.shape[a] for a in axes)
    return torch.div(_sum(data, axes, keepdims), count, rounding_mode="trunc")


def _prod(data: torch.Tensor, axes: tuple, keepdims: bool) -> torch.Tensor:
    out = torch.prod(_flatten_axes(data, axes), dim=-1, dtype=data.dtype)
    return out.reshape(_keep_shape(data, axes)) if keepdims else out


def _nansum(data: torch.Tensor, axes: tuple, keepdims: bool) -> torch.Tensor:
    if not data.is_floating_point():
        return _sum(data, axes, keepdims)
    return torch.nansum(data, dim=axes, keepdim=keepdims)


def _nanprod(data: torch.Tensor, axes: tuple, keepdims: bool) -> torch.Tensor:
    if data.is_floating_point():
        data = torch.where(torch.isnan(data), torch.ones_like(data), data)
    return _prod(data, axes, keepdims)


class _Extreme(torch.autograd.Function):
    """max/min over axes whose gradient reaches every element equal to the result, as in MXNet
    (torch.amax would share it out between ties)."""

    @staticmethod
    def forward(ctx, data, axes, keepdims, find):
        ext = find(data, dim=axes, keepdim=True)
        ctx.save_for_backward(data, ext)
        ctx.keepdims = keepdims
        return ext.clone() if keepdims else ext.squeeze(axes)

    @staticmethod
    def backward(ctx, grad):
        data, ext = ctx.saved_tensors
        grad = grad.reshape(ext.shape)
        return grad * (data == ext).to(grad.dtype), None, None, None


def _extreme(find: Callable) -> Callable:
    def reduce(data: torch.Tensor, axes: tuple, keepdims: bool) -> torch.Tensor:
        if data.requires_grad:
            return _Extreme.apply(data, axes, keepdims, find)
        return find(data, dim=axes, keepdim=keepdims)
    return reduce


_declare_reduce("sum", _sum, aliases=("sum_axis",))
_declare_reduce("mean", _mean)
# MXNet 1.9.1 differentiates a product as product / element, which is NaN at a zero element
_PROD_GRAD = ("At a zero element the gradient is the product of the other elements (the derivative); "
              "MXNet 1.9.1 divides the product by the element there and gives NaN.")
_declare_reduce("prod", _prod, grad_note=_PROD_GRAD)
_declare_reduce("nansum", _nansum)
_declare_reduce("nanprod", _nanprod, grad_note=_PROD_GRAD)
_declare_reduce("max", _extreme(torch.amax), aliases=("max_axis",))
_declare_reduce("min", _extreme(torch.amin), aliases=("min_axis",))


@op("norm", attrs={"ord": Int(2), "axis": Shape(None, optional=True),
                   "out_dtype": DType(None, optional=True), "keepdims": Bool(False)},
    grad_note="Where the norm is 0 the gradient is 0; MXNet 1.9.1 divides 0 by 0 there and gives NaN.")
def norm(data, *, ord, axis, out_dtype, keepdims):  # noqa: A002 - MXNet's attribute name
    """Computes the norm of the elements over the given axes (all elements when axis is None):
    ``ord=1`` the sum of absolute values, ``ord=2`` the square root of the sum of squares."""
    if ord not in (1, 2):
        raise MXNetError(f"norm: only ord=1 and ord=2 are supported, got ord={ord}")
    axes = reduce_axes(data.dim(), axis, False)
    x = data if data.is_floating_point() else data.double()
    out = torch.linalg.vector_norm(x, ord=ord, dim=axes, keepdim=keepdims)
    return out.to(to_torch_dtype(out_dtype) if out_dtype else data.dtype)


@op("moments", attrs={"axes": Shape(None, optional=True), "keepdims": Bool(False)},
    num_outputs=2, output_names=lambda attrs: ("mean", "var"))
def moments(data, *, axes, keepdims):
    """Calculates the mean and (population) variance of the input over the given axes."""
    dims = reduce_axes(data.dim(), axes, False)
    mean = torch.mean(data, dim=dims, keepdim=True)
    var = torch.mean(torch.square(data - mean), dim=dims, keepdim=keepdims)
    return (mean if keepdims else mean.squeeze(dims)), var


def _arg_reduce(data: torch.Tensor, axis, keepdims: bool, find: Callable) -> torch.Tensor:
    # MXNet returns the indices in the input's dtype (float32 for float32 data)
    if axis is None:
        idx = find(data.reshape(-1))
        if keepdims:
            idx = idx.reshape((1,) * data.dim())
    else:
        if not -data.dim() <= axis < data.dim():
            raise MXNetError(f"axis {axis} is out of bounds for an array of dimension {data.dim()}")
        idx = find(data, dim=axis, keepdim=keepdims)
    return idx.to(data.dtype)


_ARG_ATTRS = {"axis": Int(None, optional=True), "keepdims": Bool(False)}


@op("argmax", attrs=_ARG_ATTRS)
def argmax(data, *, axis, keepdims):
    """Returns indices of the maximum values along an axis (the first of ties), in the input's
    dtype; ``axis=None`` searches the flattened array."""
    return _arg_reduce(data, axis, keepdims, torch.argmax)


@op("argmin", attrs=_ARG_ATTRS)
def argmin(data, *, axis, keepdims):
    """Returns indices of the minimum values along an axis (the first of ties), in the input's
    dtype; ``axis=None`` searches the flattened array."""
    return _arg_reduce(data, axis, keepdims, torch.argmin)


@op("argmax_channel")
def argmax_channel(data):
    """Returns argmax indices along axis 1 (the channel axis), in the input's dtype."""
    return _arg_reduce(data, 1, False, torch.argmax)


def _broadcast(name: str, data: torch.Tensor, shape: Sequence[int]) -> torch.Tensor:
    if len(shape) != data.dim() or any(d != 1 and d != s for d, s in zip(data.shape, shape)):
        raise MXNetError(f"{name}: cannot broadcast shape {tuple(data.shape)} to {tuple(shape)}")
    return data.expand(*shape)


@op("broadcast_to", attrs={"shape": Shape(())})
def broadcast_to(data, *, shape):
    """Broadcasts the input to a new shape (0 keeps the input's dimension)."""
    target = [d if s == 0 else s for d, s in zip(data.shape, shape)] + list(shape[data.dim():])
    return _broadcast("broadcast_to", data, target)


@op("broadcast_axis", attrs={"axis": Shape(()), "size": Shape(())}, aliases=("broadcast_axes",))
def broadcast_axis(data, *, axis, size):
    """Broadcasts the input along the given axes (of size 1) to the given sizes."""
    if len(axis) != len(size):
        raise MXNetError(f"broadcast_axis: axis {axis} and size {size} must have the same length")
    target = list(data.shape)
    for a, s in zip(axis, size):
        target[a] = s
    return _broadcast("broadcast_axis", data, target)


@op("broadcast_like", inputs=("lhs", "rhs"),
    attrs={"lhs_axes": Shape(None, optional=True), "rhs_axes": Shape(None, optional=True)},
    untied_inputs=("rhs",))
def broadcast_like(lhs, rhs, *, lhs_axes, rhs_axes):
    """Broadcasts ``lhs`` to the shape of ``rhs`` (or only ``lhs_axes`` to the sizes of
    ``rhs_axes``)."""
    if lhs_axes is None and rhs_axes is None:
        return _broadcast("broadcast_like", lhs, rhs.shape)
    if lhs_axes is None or rhs_axes is None or len(lhs_axes) != len(rhs_axes):
        raise MXNetError(f"broadcast_like: lhs_axes {lhs_axes} and rhs_axes {rhs_axes} must be "
                         "given together with the same length")
    target = list(lhs.shape)
    for la, ra in zip(lhs_axes, rhs_axes):
        target[la] = rhs.shape[ra]
    return _broadcast("broadcast_like", lhs, target)
