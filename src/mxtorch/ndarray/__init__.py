"""NDArray API of MXNet: ``mx.nd``. Operator functions are generated from the operator table."""
from __future__ import annotations

import sys

from ..ops.registry import install
from . import _dispatch
from .ndarray import *  # noqa: F401,F403
from .ndarray import NDArray, __all__ as _ndarray_all
from . import utils  # noqa: F401
from .utils import load, load_frombuffer, save  # noqa: F401


# MXNet 1.9.1's fluent methods (``dir(mx.nd.NDArray)``): ``x.exp()`` is ``nd.exp(x)``. Only these;
# an array has no ``x.uniform`` or ``x.broadcast_add``. Those with their own signature (flatten's
# ``inplace``, split_v2, slice_assign...) are written out on NDArray; the rest come from the table.
FLUENT_METHODS = (
    "abs", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "argmax", "argmax_channel",
    "argmin", "argsort", "broadcast_axes", "broadcast_like", "broadcast_to", "cbrt", "ceil", "clip",
    "cos", "cosh", "degrees", "depth_to_space", "diag", "exp", "expand_dims", "expm1", "fix",
    "flatten", "flip", "floor", "log", "log10", "log1p", "log2", "log_softmax", "max", "mean", "min",
    "nanprod", "nansum", "norm", "one_hot", "ones_like", "pad", "pick", "prod", "radians", "rcbrt",
    "reciprocal", "relu", "repeat", "reshape_like", "rint", "round", "rsqrt", "shape_array",
    "sigmoid", "sign", "sin", "sinh", "size_array", "slice", "slice_assign", "slice_assign_scalar",
    "slice_axis", "slice_like", "softmax", "softmin", "sort", "space_to_depth", "split", "split_v2",
    "sqrt", "square", "squeeze", "sum", "swapaxes", "take", "tan", "tanh", "tile", "topk",
    "transpose", "trunc", "zeros_like")


def _method(entry, name):
    def method(self, *args, **kwargs):
        return _dispatch.invoke(entry, (self, *args), kwargs)

    method.__name__ = name
    method.__doc__ = f"Convenience fluent method for :py:func:`{name}`."
    return method


_OPERATORS = install(sys.modules[__name__], _dispatch.make_function)
install(NDArray, _method, only=frozenset(FLUENT_METHODS).__contains__)

from . import random  # noqa: E402,F401  (mx.nd.random: the samplers)

from .._namespaces import namespace_module  # noqa: E402

image = namespace_module(__name__, "image", _dispatch.make_function,
                         "Image operators of MXNet's NDArray API: ``mx.nd.image``.")
contrib = namespace_module(__name__, "contrib", _dispatch.make_function,
                           "Contributed operators of MXNet's NDArray API: ``mx.nd.contrib``.")
from . import control_flow as _control_flow  # noqa: E402

for _name in _control_flow.__all__:  # nd.contrib.foreach, while_loop, cond: Python, not operators
    setattr(contrib, _name, getattr(_control_flow, _name))
    contrib.__all__.append(_name)
linalg = namespace_module(__name__, "linalg", _dispatch.make_function,
                          "Linear algebra operators of MXNet's NDArray API: ``mx.nd.linalg``.")

# as MXNet's: ``from mxnet.ndarray import *`` brings the operator functions and sub-namespaces too
__all__ = list(_ndarray_all) + ["load", "load_frombuffer", "save"] + \
    [n for n in _OPERATORS if not n.startswith("_") and n not in _ndarray_all] + \
    ["random", "image", "contrib", "linalg", "utils"]
