"""Tensor operators: elementwise and broadcast arithmetic, scalar forms, reshape, reductions."""
from __future__ import annotations

import math
from typing import Callable, Sequence

import torch

from ..base import MXNetError
from .registry import Any_, Bool, Shape, op


# -- reshape with MXNet's special codes ----------------------------------------------------------
def infer_reshape(src: Sequence[int], target: Sequence[int], reverse: bool = False) -> tuple:
    """Resolve MXNet's reshape codes against ``src``.

    0 copies the dimension, -1 infers it, -2 copies all remaining dimensions, -3 merges two
    consecutive dimensions, -4 splits one into the two values that follow (one may be -1).
    With ``reverse`` the codes are matched from the right.
    """
    src, target = list(src), list(target)
    if reverse:
        src, target = src[::-1], target[::-1]
        # -4 x y reversed reads y x -4: restore the operand order for the forward pass
        fixed, i = [], 0
        while i < len(target):
            if i + 2 < len(target) and target[i + 2] == -4:
                fixed += [-4, target[i + 1], target[i]]
                i += 3
            else:
                fixed.append(target[i])
                i += 1
        target = fixed
    out: list = []
    infer_at = -1
    i = j = 0
    while i < len(target):
        code = target[i]
        if code == 0:
            out.append(src[j]); j += 1  # noqa: E702
        elif code == -1:
            if infer_at >= 0:
                raise MXNetError(f"reshape: more than one -1 in {tuple(target)}")
            infer_at = len(out)
            out.append(-1); j += 1  # noqa: E702
        elif code == -2:
            out.extend(src[j:]); j = len(src)  # noqa: E702
        elif code == -3:
            out.append(src[j] * src[j + 1]); j += 2  # noqa: E702
        elif code == -4:
            a, b = target[i + 1], target[i + 2]
            if a == -1:
                a = src[j] // b
            if b == -1:
                b = src[j] // a
            if a * b != src[j]:
                raise MXNetError(f"reshape: cannot split dimension {src[j]} into {a} x {b}")
            out += [a, b]; j += 1; i += 2  # noqa: E702
        elif code > 0:
            out.append(code); j += 1  # noqa: E702
        else:
            raise MXNetError(f"reshape: invalid shape code {code} in {tuple(target)}")
        i += 1
    total = math.prod(src)
    if infer_at >= 0:
        known = math.prod(d for k, d in enumerate(out) if k != infer_at)
        if known == 0 or total % known:
            raise MXNetError(f"reshape: cannot reshape array of shape {tuple(src)} into "
                             f"{tuple(target)}")
        out[infer_at] = total // known
    if math.prod(out) != total:
        raise MXNetError(f"reshape: target shape {tuple(target)} (resolved to {tuple(out)}) does "
                         f"not match the size of the source shape {tuple(src)}")
    return tuple(out[::-1]) if reverse else tuple(out)


@op("Reshape", attrs={"shape": Shape(()), "reverse": Bool(False),
                      "target_shape": Shape(()), "keep_highest": Bool(False)},
    aliases=("reshape",))
def reshape(data, *, shape, reverse, target_shape, keep_highest):
    """Reshapes the input array, supporting MXNet's special values 0, -1, -2, -3, -4."""
    return data.reshape(infer_reshape(tuple(data.shape), shape, reverse))


# -- binary arithmetic: broadcast_*, elemwise_* and *_scalar from one table --------------------
def _same_dtype(name: str, lhs: torch.Tensor, rhs: torch.Tensor) -> None:
    if lhs.dtype != rhs.dtype:
        raise MXNetError(f"{name}: operands must have the same dtype, got {lhs.dtype} and "
                         f"{rhs.dtype} (use astype to convert one)")


def _mod(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.fmod(a, b) if False else torch.remainder(a, b)


def _as_dtype(fn: Callable) -> Callable:
    """Comparison results keep the input dtype in MXNet (1.0/0.0), not bool."""
    def wrapped(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return fn(a, b).to(a.dtype)
    return wrapped


def _div(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.is_floating_point():
        return torch.div(a, b)
    return torch.div(a, b, rounding_mode="trunc")


_BINARY: dict = {
    # name: (torch function, scalar op name, reflected scalar op name)
    "add": (torch.add, "_plus_scalar", None),
    "sub": (torch.sub, "_minus_scalar", "_rminus_scalar"),
    "mul": (torch.mul, "_mul_scalar", None),
    "div": (_div, "_div_scalar", "_rdiv_scalar"),
    "mod": (_mod, "_mod_scalar", "_rmod_scalar"),
    "power": (torch.pow, "_power_scalar", "_rpower_scalar"),
    "maximum": (torch.maximum, "_maximum_scalar", None),
    "minimum": (torch.minimum, "_minimum_scalar", None),
    "hypot": (torch.hypot, "_hypot_scalar", None),
    "equal": (_as_dtype(torch.eq), "_equal_scalar", None),
    "not_equal": (_as_dtype(torch.ne), "_not_equal_scalar", None),
    "greater": (_as_dtype(torch.gt), "_greater_scalar", None),
    "greater_equal": (_as_dtype(torch.ge), "_greater_equal_scalar", None),
    "lesser": (_as_dtype(torch.lt), "_lesser_scalar", None),
    "lesser_equal": (_as_dtype(torch.le), "_lesser_equal_scalar", None),
    "logical_and": (_as_dtype(torch.logical_and), "_logical_and_scalar", None),
    "logical_or": (_as_dtype(torch.logical_or), "_logical_or_scalar", None),
    "logical_xor": (_as_dtype(torch.logical_xor), "_logical_xor_scalar", None),
}
# MXNet's short aliases of the elemwise forms (``nd.elemwise_add`` is also ``_plus``/``_add``).
_ELEMWISE_ALIASES = {"add": ("_plus", "_add"), "sub": ("_minus", "_sub"), "mul": ("_mul",),
                     "div": ("_div",), "mod": ("_mod",), "power": ("_power",),
                     "maximum": ("_maximum",), "minimum": ("_minimum",), "hypot": ("_hypot",),
                     "equal": ("_equal",), "not_equal": ("_not_equal",),
                     "greater": ("_greater",), "greater_equal": ("_greater_equal",),
                     "lesser": ("_lesser",), "lesser_equal": ("_lesser_equal",),
                     "logical_and": ("_logical_and",), "logical_or": ("_logical_or",),
                     "logical_xor": ("_logical_xor",)}
_BROADCAST_ALIASES = {"add": ("broadcast_plus",), "sub": ("broadcast_minus",)}


def _scalar_for(data: torch.Tensor, scalar: float):
    # MXNet casts the scalar to the array's dtype first: int32 array * 2.7 multiplies by 2.
    return scalar if data.is_floating_point() else int(scalar)


def _declare_binary(name: str, fn: Callable, scalar_name: str, rscalar_name) -> None:
    bname = f"broadcast_{name}"
    ename = f"elemwise_{name}"

    def broadcast(lhs, rhs):
        _same_dtype(bname, lhs, rhs)
        return fn(lhs, rhs)

    def elemwise(lhs, rhs):
        _same_dtype(ename, lhs, rhs)
        if lhs.shape != rhs.shape:
            raise MXNetError(f"{ename}: shapes must be equal, got {tuple(lhs.shape)} and "
                             f"{tuple(rhs.shape)} (use broadcast_{name} to broadcast)")
        return fn(lhs, rhs)

    def scalar_op(data, *, scalar, is_int):
        return fn(data, _scalar_for(data, scalar))

    def rscalar_op(data, *, scalar, is_int):
        s = torch.tensor(_scalar_for(data, scalar), dtype=data.dtype, device=data.device)
        return fn(s, data)

    broadcast.__doc__ = f"Returns element-wise {name} of the input arrays with broadcasting."
    elemwise.__doc__ = f"Returns element-wise {name} of the input arrays (same shape)."
    scalar_op.__doc__ = f"Element-wise {name} of an array and a scalar."
    scalar_attrs = {"scalar": Any_(), "is_int": Bool(True)}
    op(bname, inputs=("lhs", "rhs"), aliases=_BROADCAST_ALIASES.get(name, ()))(broadcast)
    op(ename, inputs=("lhs", "rhs"), aliases=_ELEMWISE_ALIASES.get(name, ()))(elemwise)
    op(scalar_name, inputs=("data",), attrs=scalar_attrs)(scalar_op)
    if rscalar_name:
        rscalar_op.__doc__ = f"Element-wise {name} of a scalar and an array (reflected)."
        op(rscalar_name, inputs=("data",), attrs=scalar_attrs)(rscalar_op)


for _name, (_fn, _scalar, _rscalar) in _BINARY.items():
    _declare_binary(_name, _fn, _scalar, _rscalar)


# -- reductions --------------------------------------------------------------------------------
def reduce_axes(ndim: int, axis, exclude: bool) -> tuple:
    """Axes to reduce for MXNet's ``axis``/``exclude`` (all axes when axis is empty/None)."""
    if axis is None or axis == ():
        axes = tuple(range(ndim))
        return () if exclude else axes
    axes = tuple(a % ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
    if exclude:
        axes = tuple(a for a in range(ndim) if a not in axes)
    return axes


_REDUCE_ATTRS = {"axis": Shape(None, optional=True), "keepdims": Bool(False),
                 "exclude": Bool(False)}


@op("sum", attrs=_REDUCE_ATTRS, aliases=("sum_axis",))
def sum_(data, *, axis, keepdims, exclude):
    """Computes the sum of array elements over given axes."""
    axes = reduce_axes(data.dim(), axis, exclude)
    if not axes:
        return data.clone()
    return torch.sum(data, dim=axes, keepdim=keepdims)


@op("mean", attrs=_REDUCE_ATTRS)
def mean(data, *, axis, keepdims, exclude):
    """Computes the mean of array elements over given axes."""
    axes = reduce_axes(data.dim(), axis, exclude)
    if not axes:
        return data.clone()
    return torch.mean(data, dim=axes, keepdim=keepdims)


# -- unary elementwise ---------------------------------------------------------------------------
_UNARY: dict = {
    "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "exp": torch.exp,
    "log": torch.log, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt, "square": torch.square,
    "abs": torch.abs, "negative": torch.neg,
}


def _declare_unary(name: str, fn: Callable) -> None:
    def unary(data):
        return fn(data)

    unary.__doc__ = f"Returns element-wise {name} of the input."
    op(name)(unary)


for _name, _fn in _UNARY.items():
    _declare_unary(_name, _fn)
