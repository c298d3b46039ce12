"""Element-wise binary operators (MXNet's ``elemwise_binary_*`` and ``elemwise_sum``): the
broadcast_*, same-shape and *_scalar forms of each arithmetic, comparison and logical
operation, declared from one table, and add_n."""
from __future__ import annotations

from typing import Callable

import torch

from ...base import MXNetError
from ..registry import Bool, Float, Int, op, same_shape
from ._common import _as_tensor_like, _same_dtype, _uniform_dtype

# -- binary arithmetic: broadcast_*, elemwise and *_scalar forms from one table -----------------


def _div(a: torch.Tensor, b) -> torch.Tensor:
    if a.is_floating_point():
        return torch.div(a, b)
    return torch.div(a, b, rounding_mode="trunc")


def _maximum(a: torch.Tensor, b) -> torch.Tensor:
    # MXNet routes the gradient to lhs where lhs >= rhs (ties included) and to rhs elsewhere;
    # torch.maximum would split it in halves at ties.
    return torch.where(a >= b, a, b)


def _minimum(a: torch.Tensor, b) -> torch.Tensor:
    return torch.where(a <= b, a, b)


def _hypot(a: torch.Tensor, b) -> torch.Tensor:
    b = _as_tensor_like(a, b)
    if a.is_floating_point():
        return torch.hypot(a, b)
    return torch.hypot(a.double(), b.double()).to(a.dtype)


def _as_dtype(fn: Callable) -> Callable:
    """Comparison and logical results keep the input dtype in MXNet (1 or 0), not bool."""
    def wrapped(a: torch.Tensor, b) -> torch.Tensor:
        return fn(a, _as_tensor_like(a, b)).to(a.dtype)
    return wrapped


_BINARY: dict = {
    # name: (torch function, scalar op name, reflected scalar op name)
    "add": (torch.add, "_plus_scalar", None),
    "sub": (torch.sub, "_minus_scalar", "_rminus_scalar"),
    "mul": (torch.mul, "_mul_scalar", None),
    "div": (_div, "_div_scalar", "_rdiv_scalar"),
    "mod": (torch.remainder, "_mod_scalar", "_rmod_scalar"),  # sign of the divisor, as MXNet
    "power": (torch.pow, "_power_scalar", "_rpower_scalar"),
    "maximum": (_maximum, "_maximum_scalar", None),
    "minimum": (_minimum, "_minimum_scalar", None),
    "hypot": (_hypot, "_hypot_scalar", None),
    "equal": (_as_dtype(torch.eq), "_equal_scalar", None),
    "not_equal": (_as_dtype(torch.ne), "_not_equal_scalar", None),
    "greater": (_as_dtype(torch.gt), "_greater_scalar", None),
    "greater_equal": (_as_dtype(torch.ge), "_greater_equal_scalar", None),
    "lesser": (_as_dtype(torch.lt), "_lesser_scalar", None),
    "lesser_equal": (_as_dtype(torch.le), "_lesser_equal_scalar", None),
    "logical_and": (_as_dtype(torch.logical_and), "_logical_and_scalar", None),
    "logical_or": (_as_dtype(torch.logical_or), "_logical_or_scalar", None),
    "logical_xor": (_as_dtype(torch.logical_xor), "_logical_xor_scalar", None),
}
# MXNet names the same-shape forms elemwise_add/sub/mul/div and _mod, _power, _equal... for the
# rest; the capitalised names (_Plus, _MulScalar...) are the aliases older symbol files use.
_ELEMWISE_NAMES = {"add": ("elemwise_add", ("_plus", "_add", "_Plus")),
                   "sub": ("elemwise_sub", ("_minus", "_sub", "_Minus")),
                   "mul": ("elemwise_mul", ("_mul", "_Mul")),
                   "div": ("elemwise_div", ("_div", "_Div"))}
_BROADCAST_ALIASES = {"add": ("broadcast_plus",), "sub": ("broadcast_minus",)}


def _legacy_name(name: str, reflected: bool = False) -> str:
    """The capitalised alias: ``greater_equal`` -> ``_Greater_Equal``,
    ``_not_equal_scalar`` -> ``_NotEqualScalar``, reflected ``_rminus_scalar`` -> ``_RMinusScalar``."""
    if name.endswith("_scalar"):
        base = name[2 if reflected else 1:-len("_scalar")]
        return "_" + ("R" if reflected else "") + "".join(w.capitalize() for w in base.split("_")) \
            + "Scalar"
    return "_" + "_".join(w.capitalize() for w in name.split("_"))


def _scalar_for(data: torch.Tensor, scalar: float):
    # MXNet casts the scalar to the array's dtype first: an int32 array times 2.7 multiplies by 2.
    return scalar if data.is_floating_point() else int(scalar)


def _declare_binary(name: str, fn: Callable, scalar_name: str, rscalar_name) -> None:
    bname = f"broadcast_{name}"
    ename, ealiases = _ELEMWISE_NAMES.get(name, (f"_{name}", (_legacy_name(name),)))

    def broadcast(lhs, rhs):
        _same_dtype(bname, lhs, rhs)
        return fn(lhs, rhs)

    def elemwise(lhs, rhs):
        _same_dtype(ename, lhs, rhs)
        if lhs.shape != rhs.shape:
            raise MXNetError(f"{ename}: shapes must be equal, got {tuple(lhs.shape)} and "
                             f"{tuple(rhs.shape)} (use broadcast_{name} to broadcast)")
        return fn(lhs, rhs)

    def scalar_op(data, *, scalar, is_int):
        return fn(data, _scalar_for(data, scalar))

    def rscalar_op(data, *, scalar, is_int):
        return fn(_as_tensor_like(data, _scalar_for(data, scalar)), data)

    broadcast.__doc__ = f"Returns element-wise {name} of the input arrays with broadcasting."
    elemwise.__doc__ = f"Returns element-wise {name} of the input arrays (same shape)."
    scalar_op.__doc__ = f"Element-wise {name} of an array and a scalar."
    scalar_attrs = {"scalar": Float(1.0), "is_int": Bool(True)}
    op(bname, inputs=("lhs", "rhs"), aliases=_BROADCAST_ALIASES.get(name, ()),
       fresh_outputs=True)(broadcast)
    op(ename, inputs=("lhs", "rhs"), aliases=ealiases, fresh_outputs=True)(elemwise).shape(same_shape)
    op(scalar_name, attrs=scalar_attrs, aliases=(_legacy_name(scalar_name),),
       fresh_outputs=True)(scalar_op).shape(same_shape)
    if rscalar_name:
        rscalar_op.__doc__ = f"Element-wise {name} of a scalar and an array (reflected)."
        op(rscalar_name, attrs=scalar_attrs, aliases=(_legacy_name(rscalar_name, True),),
           fresh_outputs=True)(rscalar_op).shape(same_shape)


for _name, (_fn, _scalar, _rscalar) in _BINARY.items():
    _declare_binary(_name, _fn, _scalar, _rscalar)


@op("add_n", inputs=("args",), variadic="num_args", attrs={"num_args": Int()},
    aliases=("ElementWiseSum",))
def add_n(*args, num_args):
    """Adds all input arguments element-wise (all of the same shape)."""
    _uniform_dtype("add_n", args)
    if any(a.shape != args[0].shape for a in args):
        raise MXNetError(f"add_n: all inputs must have the same shape, got "
                         f"{[tuple(a.shape) for a in args]}")
    out = args[0].clone()
    for a in args[1:]:
        out = out + a
    return out
