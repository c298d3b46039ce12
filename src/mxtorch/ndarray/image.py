"""Image NDArray API of MXNet: ``mx.nd.image``, the operator table's ``_image_*`` entries."""
from __future__ import annotations

import sys

from .. import ops as _ops
from . import _dispatch

_PREFIX = "_image_"


def _install() -> None:
    module = sys.modules[__name__]
    for name, entry in _ops.all_ops().items():
        if name.startswith(_PREFIX):
            public = name[len(_PREFIX):]
            setattr(module, public, _dispatch.make_function(entry, public))
            __all__.append(public)


__all__: list = []
_install()
