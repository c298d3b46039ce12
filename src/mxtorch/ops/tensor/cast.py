"""Type and storage conversions (MXNet's ``Cast``, ``amp_cast`` and ``cast_storage``)."""
from __future__ import annotations

import torch

from ...base import MXNetError, to_torch_dtype
from ..registry import Bool, DType, Enum, Int, op
from ._common import dtype_in


@op("Cast", attrs={"dtype": DType()}, aliases=("cast",))
def cast(data, *, dtype):
    """Casts all elements of the input to a new type (floats truncate toward zero)."""
    return data.to(to_torch_dtype(dtype), copy=True)


_AMP_DTYPES = ("bfloat16", "float16", "float32", "float64", "int32", "int64", "int8", "uint8")


@op("amp_cast", attrs={"dtype": DType()})
def amp_cast(data, *, dtype):
    """Casts between low-precision floats and float32 for automatic mixed precision; arrays that
    are not floating point pass unchanged."""
    if not data.is_floating_point():
        return data.clone()
    return data.to(dtype_in("amp_cast", dtype, _AMP_DTYPES))


@op("amp_multicast", variadic="num_outputs", attrs={"num_outputs": Int(), "cast_narrow": Bool(False)},
    num_outputs=lambda attrs: attrs["num_outputs"])
def amp_multicast(*data, num_outputs, cast_narrow):
    """Casts all floating-point inputs to their widest float type (the narrowest with
    ``cast_narrow``) for automatic mixed precision."""
    floats = [d.dtype for d in data if d.is_floating_point()]
    if not floats:
        return tuple(d.clone() for d in data)
    pick = min if cast_narrow else max
    target = pick(floats, key=lambda t: torch.finfo(t).bits)
    return tuple(d.to(target) if d.is_floating_point() else d.clone() for d in data)


@op("cast_storage", attrs={"stype": Enum(("csr", "default", "row_sparse"))})
def cast_storage(data, *, stype):
    """Casts the storage type of an array; mxtorch arrays are dense, so only 'default' exists."""
    if stype != "default":
        raise MXNetError(f"cast_storage: storage type {stype!r} is not supported; mxtorch arrays "
                         "are dense ('default')")
    return data.clone()
