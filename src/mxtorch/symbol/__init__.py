"""Symbolic API of MXNet: ``mx.sym``. Operator functions are generated from the operator table."""
from __future__ import annotations

import sys

from .. import ops as _ops
from . import symbol as _symbol_module
from .executor import Executor
from .symbol import (Group, Symbol, Variable, arange, eye, full, hypot, load, load_json,
                     make_symbol_function, maximum, minimum, ones, pow, power, var, zeros)

__all__ = ["Symbol", "Variable", "var", "Group", "load", "load_json", "pow", "power", "maximum",
           "minimum", "hypot", "zeros", "ones", "full", "arange", "eye", "Executor"]


def _install_operators() -> None:
    module = sys.modules[__name__]
    for public_name, entry in _ops.all_ops().items():
        if not hasattr(module, public_name):
            setattr(module, public_name, make_symbol_function(entry, public_name))
        if (not public_name.startswith("_") and public_name.islower()
                and not hasattr(Symbol, public_name)):
            setattr(Symbol, public_name, _fluent(getattr(module, public_name), public_name))


def _fluent(fn, name):
    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"Convenience fluent method for :py:func:`{name}`."
    return method


_install_operators()
del _symbol_module

from . import image  # noqa: E402,F401  (mx.sym.image: the table's _image_* operators)
