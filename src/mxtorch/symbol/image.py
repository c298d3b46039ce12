"""Image Symbol API of MXNet: ``mx.sym.image``, the operator table's ``_image_*`` entries.

As in MXNet, a node is named after the short name (``to_tensor0``), the JSON keeps the table's
operator name (``_image_to_tensor``).
"""
from __future__ import annotations

import sys
from typing import Any, Callable

from .. import ops as _ops
from ..ops.registry import OpDef
from .symbol import Symbol, _symbol_doc, create

_PREFIX = "_image_"


def _function(entry: OpDef, public: str) -> Callable:
    def fn(*args: Any, **kwargs: Any) -> Symbol:
        name = kwargs.pop("name", None)
        attr = kwargs.pop("attr", None)
        kwargs.pop("out", None)
        return create(entry.name, args, kwargs, hint=public, name=name, attr=attr)

    fn.__name__ = fn.__qualname__ = public
    fn.__doc__ = _symbol_doc(entry)
    return fn


def _install() -> None:
    module = sys.modules[__name__]
    for name, entry in _ops.all_ops().items():
        if name.startswith(_PREFIX):
            public = name[len(_PREFIX):]
            setattr(module, public, _function(entry, public))
            __all__.append(public)


__all__: list = []
_install()
