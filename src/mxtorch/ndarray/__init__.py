"""NDArray API of MXNet: ``mx.nd``. Operator functions are generated from the operator table."""
from __future__ import annotations

import sys

from .. import ops as _ops
from . import _dispatch
from .ndarray import *  # noqa: F401,F403
from .ndarray import NDArray, __all__ as _ndarray_all
from . import utils  # noqa: F401
from .utils import load, load_frombuffer, save  # noqa: F401


def _install_operators() -> None:
    module = sys.modules[__name__]
    for public_name, entry in _ops.all_ops().items():
        if not hasattr(module, public_name):
            setattr(module, public_name, _dispatch.make_function(entry, public_name))
        method = public_name
        if not method.startswith("_") and not hasattr(NDArray, method) and method.islower():
            setattr(NDArray, method, _method(entry, method))


def _method(entry, name):
    def method(self, *args, **kwargs):
        return _dispatch.invoke(entry, (self, *args), kwargs)

    method.__name__ = name
    method.__doc__ = f"Convenience fluent method for :py:func:`{name}`."
    return method


_install_operators()

from . import random  # noqa: E402,F401  (mx.nd.random: the samplers)

from . import image  # noqa: E402,F401  (mx.nd.image: the table's _image_* operators)

__all__ = list(_ndarray_all) + ["load", "load_frombuffer", "save"]
