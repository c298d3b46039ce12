"""Random distribution samplers of MXNet's Symbol API: ``mx.sym.random``.

The same samplers as ``mx.nd.random`` (see ``mxtorch._samplers``), building graph nodes; so
``F.random.*`` inside ``hybrid_forward`` works hybridized too.
"""
from __future__ import annotations

import sys
from typing import Any

from .._samplers import Frontend, make_samplers
from ..ops.registry import NAMESPACE_PREFIXES, get_op, install
from .symbol import Symbol, make_symbol_function


def _build(op_name: str, inputs: tuple, kwargs: dict) -> Any:
    return make_symbol_function(get_op(op_name), op_name)(*inputs, **kwargs)


_SAMPLERS = make_samplers(Frontend(Symbol, _build, imperative=False, module=__name__))
globals().update(_SAMPLERS)

__all__ = list(_SAMPLERS) + install(sys.modules[__name__], make_symbol_function,
                                        NAMESPACE_PREFIXES["random"],
                                        only=lambda name: name.endswith("_like"))
