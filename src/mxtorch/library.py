"""MXNet 1.9.1's ``mx.library``: ``load`` brought in C++ operator libraries (``.so``/``.dll``
files built against MXNet's ``lib_api.h``). mxtorch has no C++ operator interface, so ``load``
refuses, saying what to use instead."""
from __future__ import annotations

from typing import Any, NoReturn

from .base import MXNetError

__all__ = ["load"]


def load(path: Any, verbose: bool = True) -> NoReturn:
    """Refuse to load a C++ operator library: not supported in mxtorch.

    Raises
    ------
    MXNetError
        Always, naming the library and what to do instead.
    """
    raise MXNetError(
        f"mx.library.load({path!r}): loading C++ operator libraries (MXNet's lib_api.h "
        f"extensions) is not supported in mxtorch; write the operator in Python with "
        f"mx.operator.CustomOp (its forward and backward on NDArrays), or build it as a torch "
        f"extension (torch.ops.load_library) and call that from a CustomOp")
