"""Array creation (MXNet's ``init_op``): what nd/sym zeros, ones, full, arange, eye and the
*_like forms build on."""
from __future__ import annotations

import math
import re
from typing import Any, Callable

import torch

from ...base import MXNetError
from ...context import Context, current_context
from ..registry import Bool, DType, Float, Int, Shape, Str, op
from ._common import _cast_scalar, dtype_in


@op("zeros_like")
def zeros_like(data):
    """Returns an array of zeros with the same shape and type as the input."""
    return torch.zeros_like(data, memory_format=torch.contiguous_format)


@op("ones_like")
def ones_like(data):
    """Returns an array of ones with the same shape and type as the input."""
    return torch.ones_like(data, memory_format=torch.contiguous_format)


# -- creation (what sym.zeros, sym.ones, sym.full, sym.arange and sym.eye build on) ---------------
_CONTEXT = re.compile(r"^(cpu|gpu|cpu_pinned|cpu_shared)\((\d+)\)$")
_CREATION_DTYPES = ("bfloat16", "bool", "float16", "float32", "float64", "int32", "int64", "int8",
                    "uint8")


def device_of(ctx: str) -> torch.device:
    """The torch device of a context attribute as MXNet writes it ('cpu(0)', 'gpu(1)'; '' for the
    current context)."""
    if not ctx:
        return current_context().torch_device
    match = _CONTEXT.match(ctx.replace(" ", ""))
    if match is None:
        raise MXNetError(f"invalid context {ctx!r}; expected a form like 'cpu(0)' or 'gpu(0)'")
    return Context(match.group(1), int(match.group(2))).torch_device


def _creation(name: str, fill: Callable, extra: dict, shape_default: Any = ()) -> None:
    def create(*, shape, ctx, dtype, **values):
        if shape is None:  # MXNet cannot infer the shape of a creation with none given
            raise MXNetError(f"Operator {name} inferring shapes failed: no shape given")
        return fill(tuple(shape), device_of(ctx), dtype_in(name, dtype, _CREATION_DTYPES), **values)

    create.__doc__ = f"Returns a new array of the given shape and type, {fill.__doc__}."
    entry = op(name, inputs=(), attrs={"shape": Shape(shape_default), "ctx": Str(""),
                                       "dtype": DType("float32"), **extra})(create)
    entry.shape(lambda attrs: ([], [None if attrs["shape"] is None else tuple(attrs["shape"])]))


def _zeros_fill(shape, device, dtype):
    """filled with zeros"""
    return torch.zeros(shape, device=device, dtype=dtype)


def _ones_fill(shape, device, dtype):
    """filled with ones"""
    return torch.ones(shape, device=device, dtype=dtype)


def _value_fill(shape, device, dtype, value):
    """filled with ``value`` (cast to the dtype first: 2.7 fills an int32 array with 2)"""
    return torch.full(shape, _cast_scalar(value, dtype), device=device, dtype=dtype)




_creation("_zeros", _zeros_fill, {})
_creation("_ones", _ones_fill, {})
# _full alone has no default shape in MXNet 1.9.1 (its parameter struct differs from the others')
_creation("_full", _value_fill, {"value": Float()}, shape_default=None)


def _arange_size(start: float, stop, step: float, repeat: int) -> int:
    if stop is None:
        start, stop = 0.0, start
    if step == 0:
        raise MXNetError("_arange: step cannot be 0")
    return max(0, math.ceil((stop - start) / step)) * repeat


@op("_arange", inputs=(), attrs={"start": Float(), "stop": Float(None, optional=True),
                                 "step": Float(1.0), "repeat": Int(1), "infer_range": Bool(False),
                                 "ctx": Str(""), "dtype": DType("float32")})
def arange(*, start, stop, step, repeat, infer_range, ctx, dtype):
    """Returns evenly spaced values within [start, stop) (within [0, start) when stop is None),
    each repeated ``repeat`` times."""
    if infer_range:
        raise MXNetError("_arange: infer_range=True is not supported; give stop")
    out_dtype = dtype_in("_arange", dtype, _CREATION_DTYPES)
    count = _arange_size(start, stop, step, 1)
    if stop is None:
        start = 0.0
    # MXNet computes start + i * step in the output dtype (int32: int(start) + i * int(step))
    steps = torch.arange(count, device=device_of(ctx)).to(out_dtype)
    values = steps * _cast_scalar(step, out_dtype) + _cast_scalar(start, out_dtype)
    return torch.repeat_interleave(values, repeat) if repeat != 1 else values


arange.shape(lambda attrs: ([], [(_arange_size(attrs["start"], attrs["stop"], attrs["step"],
                                               attrs["repeat"]),)]))


@op("_eye", inputs=(), attrs={"N": Int(), "M": Int(0), "k": Int(0), "ctx": Str(""),
                              "dtype": DType("float32")})
def eye(*, N, M, k, ctx, dtype):  # noqa: N803 - MXNet's attribute names
    """Returns a 2-D array (N x M, M = N when 0) with ones on diagonal ``k`` and zeros elsewhere."""
    out = torch.zeros(N, M or N, device=device_of(ctx),
                      dtype=dtype_in("_eye", dtype, _CREATION_DTYPES))
    torch.diagonal(out, offset=k).fill_(1)
    return out


eye.shape(lambda attrs: ([], [(attrs["N"], attrs["M"] or attrs["N"])]))
