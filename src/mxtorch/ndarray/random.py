"""Random distribution samplers of MXNet's NDArray API: ``mx.nd.random``.

The samplers are shared with ``mx.sym.random`` (see ``mxtorch._samplers``); the ``*_like``
functions are generated from the table's ``_random_<dist>_like`` operators.
"""
from __future__ import annotations

import sys

from .._samplers import Frontend, make_samplers
from ..ops.registry import NAMESPACE_PREFIXES, install
from . import _dispatch
from .ndarray import NDArray

_SAMPLERS = make_samplers(Frontend(NDArray, _dispatch.call, imperative=True, module=__name__))
globals().update(_SAMPLERS)

__all__ = list(_SAMPLERS) + install(sys.modules[__name__], _dispatch.make_function,
                                        NAMESPACE_PREFIXES["random"],
                                        only=lambda name: name.endswith("_like"))
