"""Sorting operators (MXNet's ``ordering_op``): sort, argsort, topk."""
from __future__ import annotations

import torch

from ...base import MXNetError
from ..registry import Bool, DType, Enum, Int, numpy_type, op
from ._common import dtype_in


# -- sorting ---------------------------------------------------------------------------------
def _sorted(data: torch.Tensor, axis, is_ascend: bool) -> tuple:
    """(values, indices, axis, array) sorted stably along ``axis`` (of the flattened array when None)."""
    if axis is None:
        data, axis = data.reshape(-1), 0
    values, idx = torch.sort(data, dim=axis, descending=not is_ascend, stable=True)
    return values, idx, axis % data.dim(), data


_SORT_DTYPES = ("float16", "float32", "float64", "int32", "int64", "uint8")



@op("topk", attrs={"axis": Int(-1, optional=True), "k": Int(1),
                   "ret_typ": Enum(("both", "indices", "mask", "value"), "indices"),
                   "is_ascend": Bool(False), "dtype": DType("float32")},
    num_outputs=lambda attrs: 2 if attrs["ret_typ"] == "both" else 1,
    # MXNet numbers the outputs when it keeps hidden indices too ("value": topk0_output0)
    output_names=lambda attrs: ("output",) if attrs["ret_typ"] in ("indices", "mask")
    else ("output0", "output1")[:2 if attrs["ret_typ"] == "both" else 1],
    hidden_outputs=lambda attrs: 1 if attrs["ret_typ"] == "value" else 0)
def topk(data, *, axis, k, ret_typ, is_ascend, dtype):
    """Returns the top ``k`` elements along an axis (largest first unless ``is_ascend``; all,
    sorted, when k < 1): their values, their indices (as ``dtype``), both, or a 0/1 mask."""
    values, idx, axis, flat = _sorted(data, axis, is_ascend)
    if k >= 1:
        if k > flat.shape[axis]:
            raise MXNetError(f"topk: k={k} exceeds the size {flat.shape[axis]} of the axis")
        values, idx = values.narrow(axis, 0, k), idx.narrow(axis, 0, k)
    if ret_typ == "value":
        return values
    if ret_typ == "mask":
        return torch.zeros_like(flat).scatter(axis, idx, 1).reshape(data.shape)
    indices = idx.to(dtype_in("topk", dtype, _SORT_DTYPES))
    return (values, indices) if ret_typ == "both" else indices


@topk.types
def _(attrs, names, in_types, out_types):
    # values (and the mask) keep the data's dtype; only indices take ``dtype``
    kinds = {"value": ("data",), "mask": ("data",), "indices": ("index",),
             "both": ("data", "index")}[attrs["ret_typ"]]
    data = in_types[0]
    if data is None:
        data = next((t for t, k in zip(out_types, kinds) if k == "data" and t is not None), None)
    by_kind = {"data": data, "index": numpy_type(attrs["dtype"])}
    return [data], [t if t is not None else by_kind[k] for t, k in zip(out_types, kinds)]


@op("sort", attrs={"axis": Int(-1, optional=True), "is_ascend": Bool(True)},
    output_names=lambda attrs: ("output0",), hidden_outputs=1)  # MXNet keeps the indices hidden
def sort(data, *, axis, is_ascend):
    """Returns a sorted copy of the input along an axis (the flattened array when None)."""
    return _sorted(data, axis, is_ascend)[0]


@op("argsort", attrs={"axis": Int(-1, optional=True), "is_ascend": Bool(True),
                      "dtype": DType("float32")})
def argsort(data, *, axis, is_ascend, dtype):
    """Returns the indices that would sort the input along an axis (ties keep their order),
    as ``dtype``."""
    return _sorted(data, axis, is_ascend)[1].to(dtype_in("argsort", dtype, _SORT_DTYPES))
