"""Symbolic API of MXNet: ``mx.sym``. Operator functions are generated from the operator table."""
from __future__ import annotations

import sys

from ..ops.registry import install
from . import symbol as _symbol_module
from .executor import Executor
from .symbol import (Group, Symbol, Variable, arange, eye, full, hypot, load, load_json,
                     make_symbol_function, maximum, minimum, ones, pow, power, var, zeros)

__all__ = ["Symbol", "Variable", "var", "Group", "load", "load_json", "pow", "power", "maximum",
           "minimum", "hypot", "zeros", "ones", "full", "arange", "eye", "Executor"]


def _fluent(entry, name):
    function = make_symbol_function(entry, name)

    def method(self, *args, **kwargs):
        return function(self, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"Convenience fluent method for :py:func:`{name}`."
    return method


_OPERATORS = install(sys.modules[__name__], make_symbol_function)
# every public lower-case operator is also a method: ``x.exp()`` is ``sym.exp(x)``
install(Symbol, _fluent, only=lambda name: not name.startswith("_") and name.islower())
del _symbol_module

from .._namespaces import namespace_module  # noqa: E402

# a node made by sym.image.to_tensor is named to_tensor0, its JSON keeps _image_to_tensor
image = namespace_module(__name__, "image", make_symbol_function,
                         "Image operators of MXNet's Symbol API: ``mx.sym.image``.")
contrib = namespace_module(__name__, "contrib", make_symbol_function,
                           "Contributed operators of MXNet's Symbol API: ``mx.sym.contrib``.")
from . import control_flow as _control_flow  # noqa: E402

for _name in _control_flow.__all__:  # sym.contrib.foreach, while_loop, cond: Python, not operators
    setattr(contrib, _name, getattr(_control_flow, _name))
    contrib.__all__.append(_name)
linalg = namespace_module(__name__, "linalg", make_symbol_function,
                          "Linear algebra operators of MXNet's Symbol API: ``mx.sym.linalg``.")
from . import random  # noqa: E402,F401  (mx.sym.random: the samplers)

# as MXNet's: ``from mxnet.symbol import *`` brings the operator functions and sub-namespaces too
__all__ += [n for n in _OPERATORS if not n.startswith("_") and n not in __all__] + \
    ["random", "image", "contrib", "linalg"]
